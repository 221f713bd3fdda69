// Notes signed by interns and awaiting validation, across rooms and stops (docs/design.md §2): the
// coordinating doctor opens one to validate it or return it with a comment.
import { Link } from 'react-router';
import { canReview } from '../../domain/consultation';
import type { Staff } from '../../domain/entities';
import { useAwaitingValidation, useDirectory } from '../consultation/consultation-data';
import { staffName } from '../day/day-data';
import { formatDateTime, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';

export function SupervisionList() {
  const awaiting = useAwaitingValidation();
  const directory = useDirectory();
  const staffId = useUiStore((s) => s.staffId);
  if (awaiting === undefined || directory === undefined)
    return <p role="status">{t('app.loading')}</p>;
  const viewer: Staff | undefined = staffId ? directory.staff.get(staffId) : undefined;
  return (
    <section className="stack" aria-labelledby="supervision-title">
      <h2 id="supervision-title">
        {t('supervision.listTitle')}{' '}
        <span className="muted">{tn('supervision.count', awaiting.length)}</span>
      </h2>
      {awaiting.length === 0 ? (
        <p>{t('supervision.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('supervision.columns.date')}</th>
                <th scope="col">{t('supervision.columns.author')}</th>
                <th scope="col">{t('supervision.columns.service')}</th>
                <th scope="col">{t('supervision.columns.motif')}</th>
                <th scope="col">{t('supervision.columns.open')}</th>
              </tr>
            </thead>
            <tbody>
              {awaiting.map((c) => {
                const author = directory.staff.get(c.authorId);
                const mine = canReview(c, viewer, author).ok;
                return (
                  <tr key={c.id}>
                    <td>{formatDateTime(c.createdAt)}</td>
                    <td>{author ? staffName(author) : t('day.none')}</td>
                    <td>{directory.services.get(c.serviceId)?.label ?? t('day.unknownService')}</td>
                    <td>{c.motif}</td>
                    <td>
                      <Link
                        className={`button${mine ? ' button--primary' : ''}`}
                        to={`/supervision/${c.id}`}
                        aria-label={t('supervision.openFor', {
                          author: author ? staffName(author) : '',
                          motif: c.motif,
                        })}
                      >
                        {mine ? t('supervision.review') : t('supervision.read')}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
