import type { Stop } from '../../domain/entities';
import { formatDate, t } from '../i18n';

/** Today's stop in one block: commune, date, address, hours, status. */
export function StopSummary({ stop }: { stop: Stop | null }) {
  if (!stop) {
    return (
      <p className="notice notice--warning" role="status">
        {t('day.noStopToday')}
      </p>
    );
  }
  return (
    <section className="panel" aria-labelledby="stop-title">
      <h2 id="stop-title">{t('day.stopTitle', { commune: stop.communeName })}</h2>
      <p>
        {t('day.stopDetails', {
          date: formatDate(stop.date),
          address: stop.address,
          opens: stop.opensAt,
          closes: stop.closesAt,
        })}
      </p>
      <p className="muted">
        {t('day.stopStatusLabel', { status: t(`day.stopStatus.${stop.status}`) })}
      </p>
    </section>
  );
}
