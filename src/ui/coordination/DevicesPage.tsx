// The enrolled devices as the sync server last heard from them: last sync, pending ops, app
// version and last error (DESIGN.md §2: the coordinator knows which device still holds work).
import { useCallback, useEffect, useState } from 'react';
import { fetchDevices } from '../../device/closure';
import { readConnection } from '../../device/connection';
import type { DeviceSeen } from '../../sync/protocol';
import { useDb } from '../data/device-data';
import { formatDateTime, t } from '../i18n';

type State = { server: string; devices: DeviceSeen[] } | 'unreachable' | 'loading';

export function DevicesPage({ deviceId }: { deviceId: string | null }) {
  const db = useDb();
  const [state, setState] = useState<State>('loading');
  const load = useCallback(async () => {
    if (!db) return;
    setState('loading');
    const connection = await readConnection(db);
    const seen = connection ? await fetchDevices(connection.servers, connection.org) : null;
    setState(seen ?? 'unreachable');
  }, [db]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="stack" aria-labelledby="devices-title">
      <div className="page-header">
        <h2 id="devices-title">{t('coordination.devices.title')}</h2>
        <button type="button" className="button" onClick={() => void load()}>
          {t('coordination.devices.refresh')}
        </button>
      </div>
      <p>{t('coordination.devices.intro')}</p>
      {state === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
      {state === 'unreachable' ? (
        <p role="status" className="notice notice--warning">
          {t('coordination.devices.unreachable')}
        </p>
      ) : null}
      {typeof state === 'object' ? (
        <>
          <p className="muted">{t('coordination.devices.server', { server: state.server })}</p>
          {state.devices.length === 0 ? (
            <p>{t('coordination.devices.none')}</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t('coordination.devices.columns.device')}</th>
                    <th scope="col">{t('coordination.devices.columns.profile')}</th>
                    <th scope="col">{t('coordination.devices.columns.lastSync')}</th>
                    <th scope="col">{t('coordination.devices.columns.pending')}</th>
                    <th scope="col">{t('coordination.devices.columns.version')}</th>
                    <th scope="col">{t('coordination.devices.columns.error')}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.devices.map((d) => (
                    <tr key={d.deviceId}>
                      <th scope="row">
                        {d.deviceId === deviceId
                          ? t('coordination.devices.thisDevice', { id: d.deviceId })
                          : d.deviceId}
                      </th>
                      <td>
                        {d.profile
                          ? t(`profiles.${d.profile}`)
                          : t('coordination.devices.unknownProfile')}
                      </td>
                      <td>{formatDateTime(d.lastSyncAt)}</td>
                      <td className={d.pending > 0 ? 'text-warning' : undefined}>{d.pending}</td>
                      <td>{d.appVersion}</td>
                      <td>{d.lastError ?? t('coordination.devices.noError')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
