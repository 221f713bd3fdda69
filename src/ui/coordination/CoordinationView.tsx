// The coordinator's live picture: rooms now and waiting counts (the screen holds the title).

import { useEffect } from 'react';
import { deviceLabel, isStale } from '../../domain/closure';
import type { Stop } from '../../domain/entities';
import { useNow } from '../data/device-data';
import { StopSummary } from '../day/StopSummary';
import { t, tn } from '../i18n';
import { useServerDevices } from './coordination-data';
import type { CoordinationModel } from './coordination-model';
import { contactTime } from './liveness';

interface RoomDevice {
  name: string;
  lastContactAt: number | null;
}

/**
 * The room devices' last contact, by room (the freshest device of each room), refreshed every
 * minute: a room shown free from a silent device's data must say so (docs/guide/coordination.md).
 */
function useRoomDevices(rooms: ReadonlyMap<string, string>): Map<string, RoomDevice> {
  const { state, reload } = useServerDevices();
  // biome-ignore lint/correctness/useExhaustiveDependencies: one timer for the page's life
  useEffect(() => {
    const timer = setInterval(reload, 60_000);
    return () => clearInterval(timer);
  }, []);
  const out = new Map<string, RoomDevice>();
  if (typeof state !== 'object' || !('devices' in state)) return out;
  const seen = new Map(state.devices.map((d) => [d.deviceId, d.lastSyncAt]));
  for (const e of state.enrolled) {
    if (e.profile !== 'room' || !e.roomId || e.revoked) continue;
    const lastContactAt = seen.get(e.deviceId) ?? null;
    const held = out.get(e.roomId);
    if (held && (held.lastContactAt ?? -1) >= (lastContactAt ?? -1)) continue;
    out.set(e.roomId, { name: deviceLabel(e.name, rooms.get(e.roomId)), lastContactAt });
  }
  return out;
}

export function CoordinationView({ stop, model }: { stop: Stop | null; model: CoordinationModel }) {
  const now = Date.parse(useNow());
  const roomDevices = useRoomDevices(new Map(model.rooms.map((r) => [r.roomId, r.roomName])));
  const free = (roomId: string) => {
    const device = roomDevices.get(roomId);
    if (!device || !isStale(device.lastContactAt, now)) return t('coordination.free');
    if (device.lastContactAt === null) return t('coordination.freeNeverHeard');
    return t('coordination.freeStale', {
      device: device.name,
      time: contactTime(device.lastContactAt, now),
    });
  };
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
                            : free(r.roomId)}
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
