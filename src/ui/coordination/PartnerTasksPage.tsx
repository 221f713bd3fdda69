// The tasks central hands to certified partner components (docs/integrations.md), per service,
// those waiting for a person first: what was asked, for whom, its state or outcome; « Relancer »
// puts one back in the queue once its cause is fixed. Nothing of the day waits on these tasks.
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { AccountError, requeuePartnerTask } from '../../device/accounts';
import { allPartnerTasks } from '../../device/partner-task-queries';
import type { PartnerTask } from '../../domain/entities';
import { coordinationOrder, effectiveState, PARTNER_SERVICES } from '../../domain/partner-tasks';
import { useDb, useNow } from '../data/device-data';
import { patientName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { formatDateTime, t } from '../i18n';
import type { OrgRows } from './coordination-data';
import { outcomeLabel, serviceLabel, stateLabel } from './partner-text';

function Requeue({ task }: { task: PartnerTask }) {
  const db = useDb();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <ActionButton
        onAction={async () => {
          if (!db) return;
          setError(null);
          try {
            await requeuePartnerTask(db, task.id);
          } catch (e) {
            setError(e instanceof AccountError ? e.message : (e as Error).message);
            throw e;
          }
        }}
        success={t('coordination.partner.requeued')}
      >
        {t('coordination.partner.requeue')}
      </ActionButton>
      {error ? <p role="alert">{error}</p> : null}
    </>
  );
}

export function PartnerTasksPage({ rows }: { rows: OrgRows }) {
  const db = useDb();
  const now = Date.parse(useNow());
  const tasks = useLiveQuery(async () => (db ? allPartnerTasks(db) : []), [db]);
  if (tasks === undefined) return <p role="status">{t('app.loading')}</p>;
  const patients = new Map(rows.patients.map((p) => [p.id, p]));
  return (
    <section className="stack" aria-labelledby="partner-tasks-title">
      <h2 id="partner-tasks-title">{t('coordination.partner.title')}</h2>
      <p>{t('coordination.partner.intro')}</p>
      {PARTNER_SERVICES.map((service) => {
        const list = coordinationOrder(
          tasks.filter((task) => task.service === service),
          now,
        );
        const manual = list.filter((task) => effectiveState(task.state, now) === 'manual').length;
        return (
          <section key={service} className="panel stack" aria-labelledby={`partner-${service}`}>
            <h3 id={`partner-${service}`}>
              {manual > 0
                ? t('coordination.partner.serviceManual', {
                    service: serviceLabel(service),
                    count: String(manual),
                  })
                : serviceLabel(service)}
            </h3>
            {list.length === 0 ? (
              <p className="muted">{t('coordination.partner.none')}</p>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t('coordination.partner.patient')}</th>
                    <th scope="col">{t('coordination.partner.created')}</th>
                    <th scope="col">{t('coordination.partner.state')}</th>
                    <th scope="col">{t('coordination.partner.detail')}</th>
                    <th scope="col">{t('coordination.partner.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((task) => {
                    const state = effectiveState(task.state, now);
                    const patient = patients.get(task.patientId);
                    return (
                      <tr key={task.id} data-state={state}>
                        <td>
                          {patient
                            ? patientName(patient)
                            : t('coordination.partner.unknownPatient')}
                        </td>
                        <td>{formatDateTime(task.createdAt)}</td>
                        <td>
                          {state === 'manual' ? (
                            <strong>{stateLabel(state)}</strong>
                          ) : (
                            stateLabel(state)
                          )}
                        </td>
                        <td>
                          {state === 'done' && task.outcome
                            ? outcomeLabel(task.outcome)
                            : state === 'waiting' && task.state.retryAt
                              ? t('coordination.partner.retryAt', {
                                  reason: task.state.reason ?? '',
                                  at: formatDateTime(task.state.retryAt),
                                })
                              : (task.state.reason ?? t('day.none'))}
                        </td>
                        <td>
                          {state === 'manual' || state === 'waiting' ? (
                            <Requeue task={task} />
                          ) : (
                            t('day.none')
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </section>
  );
}
