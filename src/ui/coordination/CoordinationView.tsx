// The coordinator's live picture: rooms now and waiting counts (the screen holds the title).

import type { Stop } from '../../domain/entities';
import { StopSummary } from '../day/StopSummary';
import { t, tn } from '../i18n';
import type { CoordinationModel } from './coordination-model';

export function CoordinationView({ stop, model }: { stop: Stop | null; model: CoordinationModel }) {
  return (
    <div className="stack">
      <StopSummary stop={stop} />
      {stop ? (
        <>
          <p className="panel" role="status">
            {tn('coordination.totalWaiting', model.totalWaiting)}
          </p>
          <section aria-labelledby="rooms-now-title">
            <h2 id="rooms-now-title">{t('coordination.roomsTitle')}</h2>
            {model.rooms.length === 0 ? (
              <p>{t('coordination.roomsEmpty')}</p>
            ) : (
              <div className="table-scroll">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('coordination.columns.room')}</th>
                      <th scope="col">{t('coordination.columns.services')}</th>
                      <th scope="col">{t('coordination.columns.staff')}</th>
                      <th scope="col">{t('coordination.columns.occupant')}</th>
                      <th scope="col">{t('coordination.columns.waiting')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {model.rooms.map((r) => (
                      <tr key={r.roomId}>
                        <th scope="row">{r.roomName}</th>
                        <td>
                          {r.services.length ? r.services.join(', ') : t('coordination.closed')}
                        </td>
                        <td>{r.staff.length ? r.staff.join(', ') : t('day.none')}</td>
                        <td>
                          {r.occupant
                            ? t('room.occupantLine', {
                                ticket: r.occupant.ticket,
                                status: t(`queueStatus.${r.occupant.status}`),
                              })
                            : t('coordination.free')}
                        </td>
                        <td>{r.waiting}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="services-waiting-title">
            <h2 id="services-waiting-title">{t('coordination.servicesTitle')}</h2>
            {model.services.length === 0 ? (
              <p>{t('coordination.servicesEmpty')}</p>
            ) : (
              <div className="table-scroll">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('coordination.columns.service')}</th>
                      <th scope="col">{t('coordination.columns.waiting')}</th>
                      <th scope="col">{t('coordination.columns.roomsNow')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {model.services.map((s) => (
                      <tr key={s.serviceId}>
                        <th scope="row">{s.label}</th>
                        <td>{s.waiting}</td>
                        <td>{s.roomsNow > 0 ? s.roomsNow : t('coordination.noRoomNow')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
