// Reception, read-only for now: today's stop, the room roster and today's appointments.
import { StopSummary } from '../day/StopSummary';
import { t } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import type { ReceptionModel } from './reception-model';

export function ReceptionView({ model }: { model: ReceptionModel }) {
  return (
    <div className="stack">
      <PageTitle page={t('reception.title')} />
      <h1>{t('reception.title')}</h1>
      <StopSummary stop={model.stop} />
      {model.stop ? (
        <div className="two-columns">
          <section aria-labelledby="roster-title">
            <h2 id="roster-title">{t('reception.rosterTitle')}</h2>
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t('reception.columns.room')}</th>
                    <th scope="col">{t('reception.columns.slots')}</th>
                  </tr>
                </thead>
                <tbody>
                  {model.roster.map((room) => (
                    <tr key={room.roomId}>
                      <th scope="row">{room.roomName}</th>
                      <td>
                        {room.slots.length === 0 ? (
                          <span className="muted">{t('reception.rosterEmpty')}</span>
                        ) : (
                          <ul>
                            {room.slots.map((s) => (
                              <li key={`${s.start}-${s.end}`}>
                                {t('reception.slotLine', {
                                  start: s.start,
                                  end: s.end,
                                  services: s.services.join(', ') || t('day.none'),
                                })}
                                {s.staff.length > 0 ? (
                                  <span className="muted">
                                    {' '}
                                    {t('reception.slotStaff', { staff: s.staff.join(', ') })}
                                  </span>
                                ) : null}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="appointments-title">
            <h2 id="appointments-title">{t('reception.appointmentsTitle')}</h2>
            {model.appointments.length === 0 ? (
              <p>{t('reception.appointmentsEmpty')}</p>
            ) : (
              <div className="table-scroll">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('reception.columns.time')}</th>
                      <th scope="col">{t('reception.columns.patient')}</th>
                      <th scope="col">{t('reception.columns.service')}</th>
                      <th scope="col">{t('reception.columns.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {model.appointments.map((a) => (
                      <tr key={a.id}>
                        <td>{a.time}</td>
                        <td>{a.patient ?? t('day.unknownPatient')}</td>
                        <td>{a.service ?? t('day.unknownService')}</td>
                        <td>
                          <span className="status-tag">{t(`appointmentStatus.${a.status}`)}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
      ) : null}
    </div>
  );
}
