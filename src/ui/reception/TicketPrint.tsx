// The ticket the patient takes away: the number per service, the stop, the time — never the
// name (it may be dropped in the waiting room). Sized for a small ticket printer.
import { useParams } from 'react-router';
import type { DayRows } from '../data/device-data';
import { live } from '../day/day-data';
import { formatDate, formatTime, t } from '../i18n';

export function TicketPrint({ rows }: { rows: DayRows }) {
  const { visitId } = useParams();
  const { day } = rows;
  const visit = live(day.visits).find((v) => v.id === visitId);
  const entries = live(day.entries)
    .filter((e) => e.visitId === visitId)
    .sort((a, b) => a.position - b.position);
  const services = new Map(live(day.services).map((s) => [s.id, s.label]));
  if (!visit || entries.length === 0) {
    return (
      <p className="notice notice--warning" role="status">
        {t('reception.ticket.notFound')}
      </p>
    );
  }
  return (
    <div className="stack">
      <section className="ticket-print" aria-label={t('reception.ticket.label')}>
        {entries.map((e) => (
          <section key={e.id} className="ticket-print__slip">
            <p className="ticket-print__number">{e.ticket}</p>
            <p>{services.get(e.serviceId) ?? ''}</p>
            <p className="muted">
              {t('reception.ticket.stop', {
                commune: day.stop?.communeName ?? '',
                date: formatDate(visit.arrivedAt),
                time: formatTime(visit.arrivedAt),
              })}
            </p>
            <p>{t('reception.ticket.watchScreen')}</p>
          </section>
        ))}
      </section>
      <p className="no-print">
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          {t('reception.ticket.print')}
        </button>
      </p>
    </div>
  );
}
