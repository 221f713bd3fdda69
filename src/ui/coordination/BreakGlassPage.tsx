// Every « bris de glace » of the organisation (src/domain/reading.ts), newest first, for the
// coordination to review: who opened which patient's notes, for which reason, with the
// precision they gave (kept with the access, sealed, never in the journal's text), from when
// until when.
import { useLiveQuery } from 'dexie-react-hooks';
import { breakGlassLog } from '../../device/reading-queries';
import { useDb } from '../data/device-data';
import { patientName, staffName } from '../day/day-data';
import { formatDateTime, t } from '../i18n';
import type { OrgRows } from './coordination-data';

export function BreakGlassPage({ rows }: { rows: OrgRows }) {
  const db = useDb();
  const log = useLiveQuery(async () => (db ? breakGlassLog(db) : []), [db]);
  if (log === undefined) return <p role="status">{t('app.loading')}</p>;
  const staff = new Map(rows.staff.map((s) => [s.id, s]));
  const patients = new Map(rows.patients.map((p) => [p.id, p]));
  return (
    <section className="stack" aria-labelledby="break-glass-title">
      <h2 id="break-glass-title">{t('reading.review.title')}</h2>
      <p>{t('reading.review.intro')}</p>
      {log.length === 0 ? (
        <p className="muted">{t('reading.review.none')}</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('reading.review.when')}</th>
              <th scope="col">{t('reading.review.who')}</th>
              <th scope="col">{t('reading.review.patient')}</th>
              <th scope="col">{t('reading.review.reason')}</th>
              <th scope="col">{t('reading.review.comment')}</th>
              <th scope="col">{t('reading.review.until')}</th>
            </tr>
          </thead>
          <tbody>
            {log.map((b) => {
              const who = staff.get(b.staffId);
              const patient = patients.get(b.patientId);
              return (
                <tr key={b.id}>
                  <td>{formatDateTime(b.at)}</td>
                  <td>{who ? staffName(who) : t('reading.review.unknownStaff')}</td>
                  <td>{patient ? patientName(patient) : t('reading.review.unknownPatient')}</td>
                  <td>{t(`reading.breakGlass.reasons.${b.reason}`)}</td>
                  <td>{b.comment ?? t('reading.review.noComment')}</td>
                  <td>{formatDateTime(b.until)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
