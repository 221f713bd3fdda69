// The printable day report (a print stylesheet hides the app around it): the stop, today's
// indicators, rooms, services, orientations and the sync receipt.
import type { Stop, SyncReceipt } from '../../domain/entities';
import type { Indicators } from '../../domain/indicators';
import { formatDate, formatDateTime, t } from '../i18n';
import { FigureTable } from './FigureTable';
import { TodayIndicators } from './TodayIndicators';

export function DayReport({
  stop,
  ind,
  receipt,
  serviceLabel,
}: {
  stop: Stop | null;
  ind: Indicators | null;
  receipt: SyncReceipt | undefined;
  serviceLabel: (id: string) => string;
}) {
  if (!stop || !ind) return <p>{t('coordination.closure.noStop')}</p>;
  return (
    <article className="stack day-report">
      <div className="actions no-print">
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          {t('coordination.report.print')}
        </button>
      </div>
      <h2>{t('coordination.report.title')}</h2>
      <p>
        {t('coordination.report.stop', {
          commune: stop.communeName,
          date: formatDate(`${stop.date}T12:00:00Z`),
        })}
      </p>
      <TodayIndicators ind={ind} />
      <section className="stack" aria-labelledby="report-rooms">
        <h3 id="report-rooms">{t('coordination.report.roomsTitle')}</h3>
        <FigureTable
          columns={[
            t('coordination.columns.room'),
            t('coordination.period.columns.consultations'),
            t('coordination.period.columns.patients'),
          ]}
          rows={ind.byRoom.map((r) => ({
            key: r.roomId,
            label: r.name ?? r.roomId,
            cells: [r.consultations, r.patients],
          }))}
        />
      </section>
      <section className="stack" aria-labelledby="report-services">
        <h3 id="report-services">{t('coordination.report.servicesTitle')}</h3>
        <FigureTable
          columns={[
            t('coordination.period.columns.service'),
            t('coordination.period.columns.patients'),
            t('coordination.period.columns.consultations'),
          ]}
          rows={ind.byService.map((x) => ({
            key: x.serviceId,
            label: serviceLabel(x.serviceId),
            cells: [x.patients, x.consultations],
          }))}
        />
      </section>
      <section className="stack" aria-labelledby="report-orientations">
        <h3 id="report-orientations">{t('coordination.report.orientationsTitle')}</h3>
        <ul>
          {Object.entries(ind.orientations.byKind)
            .filter(([, n]) => n > 0)
            .map(([kind, n]) => (
              <li key={kind}>
                {t(`consultation.orientation.kinds.${kind as 'none'}`)} : {n}
              </li>
            ))}
        </ul>
      </section>
      <p>
        {t('coordination.report.receipt', {
          value: receipt
            ? `${formatDateTime(receipt.at)} — ${receipt.digest.slice(0, 12)}…`
            : t('coordination.report.noReceipt'),
        })}
      </p>
    </article>
  );
}
