// What central's partner components did for a note, where the note is read: « Facturation :
// Facturé », « Ordonnance électronique : Ordonnance émise n° … », « Rejeté : … ». Read from the
// replicated tasks (src/domain/partner-tasks.ts, worded by ../coordination/partner-text.ts);
// nothing here waits on them.
import { useLiveQuery } from 'dexie-react-hooks';
import { useId } from 'react';
import { partnerTasksOf } from '../../device/partner-task-queries';
import { effectiveState } from '../../domain/partner-tasks';
import { taskLineLabel } from '../coordination/partner-text';
import { useDb, useNow } from '../data/device-data';
import { t } from '../i18n';

export function PartnerOutcomes({
  consultationId,
  validated,
}: {
  consultationId: string;
  validated: boolean;
}) {
  const db = useDb();
  const id = useId();
  const now = Date.parse(useNow());
  const tasks = useLiveQuery(
    async () => (db ? await partnerTasksOf(db, consultationId) : []),
    [db, consultationId],
  );
  if (tasks === undefined) return null;
  return (
    <section className="stack partner-outcomes" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('documents.partner.title')}</h3>
      {tasks.length === 0 ? (
        <p className="muted">
          {validated ? t('documents.partner.pending') : t('documents.partner.none')}
        </p>
      ) : (
        <ul>
          {tasks.map((task) => (
            <li key={task.id} data-state={effectiveState(task.state, now)}>
              {taskLineLabel(task, now)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
