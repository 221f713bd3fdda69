// The enrolled devices as the sync server last heard from them: last sync, pending ops, app
// version and last error (DESIGN.md §2: the coordinator knows which device still holds work);
// a lost device is withdrawn here: it is refused at its next contact and wipes itself.
import { useState } from 'react';
import type { DeviceSeen } from '../../sync/protocol';
import { useWriter } from '../data/writer';
import { formatDateTime, t } from '../i18n';
import { type OrgRows, useServerDevices } from './coordination-data';

function Withdraw({ seen, rows }: { seen: DeviceSeen; rows: OrgRows }) {
  const write = useWriter();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const known = rows.devices.find((d) => d.id === seen.deviceId);
  if (known?.revoked) return <span>{t('coordination.devices.withdrawn')}</span>;
  const withdraw = async () => {
    const orgId = rows.stops[0]?.orgId ?? rows.staff[0]?.orgId ?? '';
    try {
      await write(
        [
          {
            entity: 'device',
            id: seen.deviceId,
            set: known
              ? { revoked: true }
              : {
                  orgId,
                  name: seen.deviceId,
                  profile: seen.profile ?? 'reception',
                  roomId: null,
                  enrolledAt: new Date(seen.lastSyncAt).toISOString(),
                  revoked: true,
                },
          },
        ],
        { action: 'device.revoked', entity: 'device', entityId: seen.deviceId },
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="actions">
      {confirming ? (
        <>
          <button type="button" className="button button--danger" onClick={() => void withdraw()}>
            {t('coordination.devices.confirmWithdraw', { id: seen.deviceId })}
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            {t('coordination.devices.keep')}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button"
          aria-label={t('coordination.devices.withdrawFor', { id: seen.deviceId })}
          onClick={() => setConfirming(true)}
        >
          {t('coordination.devices.withdraw')}
        </button>
      )}
      {error ? (
        <span role="alert" className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function DevicesPage({ deviceId, rows }: { deviceId: string | null; rows: OrgRows }) {
  const { state, reload } = useServerDevices();
  return (
    <section className="stack" aria-labelledby="devices-title">
      <div className="page-header">
        <h2 id="devices-title">{t('coordination.devices.title')}</h2>
        <button type="button" className="button" onClick={reload}>
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
                    <th scope="col">{t('coordination.devices.columns.withdraw')}</th>
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
                      <td>
                        {d.deviceId === deviceId ? (
                          t('day.none')
                        ) : (
                          <Withdraw seen={d} rows={rows} />
                        )}
                      </td>
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
