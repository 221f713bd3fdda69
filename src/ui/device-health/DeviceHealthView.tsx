// Device health (docs/design.md §8): what a field worker or the coordinator checks when something
// seems wrong — storage kept or evictable, space left, versions, sync, offline readiness.
import type { SetAsideOp } from '../../device/set-aside';
import type { SyncStatus } from '../../device/sync-status';
import { formatBytes, formatDateTime, formatNumber, t, tn } from '../i18n';
import type { ServiceWorkerState } from '../pwa/service-worker-state';
import { PageTitle } from '../shell/PageTitle';
import { serverReached } from '../shell/sync-tone';
import { quotaIsTight, type StorageReport, usageRatio } from './storage';

export interface DeviceHealthProps {
  /** null while the browser is being asked. */
  storage: StorageReport | null;
  /** Answer to the last persistence request made from this page (undefined: none yet). */
  persistenceAnswer: boolean | null | undefined;
  onRequestPersistence(): void;
  appVersion: string | null;
  schemaVersion: number;
  /** undefined while read; null when none was issued yet. */
  deviceId: string | null | undefined;
  /** undefined while read; null when this device has no database open. */
  sync: SyncStatus | null | undefined;
  /** Ops the server refused, kept aside here (undefined while read; optional for callers that
   * show no sync detail). */
  setAside?: SetAsideOp[] | null;
  /** French message when the local database is blocked or outdated, else null. */
  databaseProblem: string | null;
  serviceWorker: ServiceWorkerState;
  onRefresh(): void;
}

function StorageSection({
  storage,
  persistenceAnswer,
  onRequestPersistence,
}: Pick<DeviceHealthProps, 'storage' | 'persistenceAnswer' | 'onRequestPersistence'>) {
  if (!storage) return <p>{t('app.loading')}</p>;
  if (!storage.supported) return <p>{t('deviceHealth.storageUnsupported')}</p>;
  const ratio = usageRatio(storage);
  const persistedText =
    storage.persisted === null
      ? t('deviceHealth.persistedUnknown')
      : storage.persisted
        ? t('deviceHealth.persistedYes')
        : t('deviceHealth.persistedNo');
  return (
    <>
      <dl className="definition-list">
        <dt>{t('deviceHealth.persisted')}</dt>
        <dd>{persistedText}</dd>
        <dt>{t('deviceHealth.usage')}</dt>
        <dd>
          {ratio === null || storage.usage === null || storage.quota === null
            ? t('deviceHealth.usageUnknown')
            : t('deviceHealth.usageValue', {
                usage: formatBytes(storage.usage),
                quota: formatBytes(storage.quota),
                percent: formatNumber(ratio * 100),
              })}
        </dd>
      </dl>
      {ratio !== null ? (
        <meter
          className="meter"
          min={0}
          max={1}
          high={0.8}
          value={ratio}
          aria-label={t('deviceHealth.usage')}
        />
      ) : null}
      {quotaIsTight(storage) ? (
        <p className="notice notice--warning" role="alert">
          {t('deviceHealth.quotaWarning')}
        </p>
      ) : null}
      {storage.persisted !== true ? (
        <p>
          <button type="button" className="button" onClick={onRequestPersistence}>
            {t('deviceHealth.requestPersistence')}
          </button>
        </p>
      ) : null}
      <div role="status" aria-live="polite">
        {persistenceAnswer === true ? <p>{t('deviceHealth.persistenceGranted')}</p> : null}
        {persistenceAnswer === false || persistenceAnswer === null ? (
          <p>{t('deviceHealth.persistenceRefused')}</p>
        ) : null}
      </div>
    </>
  );
}

function SyncSection({ sync }: { sync: SyncStatus | null | undefined }) {
  if (sync === undefined) return <p>{t('app.loading')}</p>;
  if (sync === null) return <p>{t('deviceHealth.syncUnavailable')}</p>;
  const reached = serverReached(sync);
  return (
    <>
      <dl className="definition-list">
        <dt>{t('deviceHealth.pendingOps')}</dt>
        <dd>{sync.pending}</dd>
        {sync.awaitingCentral ? (
          <>
            <dt>{t('deviceHealth.awaitingCentral')}</dt>
            <dd>{sync.awaitingCentral}</dd>
          </>
        ) : null}
        <dt>{t('deviceHealth.lastSuccess')}</dt>
        <dd>{sync.lastSuccessAt ? formatDateTime(sync.lastSuccessAt) : t('deviceHealth.never')}</dd>
        <dt>{t('deviceHealth.lastAttempt')}</dt>
        <dd>{sync.lastAttemptAt ? formatDateTime(sync.lastAttemptAt) : t('deviceHealth.never')}</dd>
        <dt>{t('deviceHealth.lastError')}</dt>
        <dd>{sync.lastError ?? t('deviceHealth.noError')}</dd>
        <dt>{t('deviceHealth.serverReached')}</dt>
        <dd>
          {reached === null
            ? t('day.none')
            : reached
              ? t('deviceHealth.serverReachedYes')
              : t('deviceHealth.serverReachedNo')}
        </dd>
        <dt>{t('deviceHealth.server')}</dt>
        <dd>{sync.server ?? t('day.none')}</dd>
      </dl>
      {sync.pull ? (
        <p>
          {t('deviceHealth.pullProgress', { reached: sync.pull.reached, target: sync.pull.target })}
        </p>
      ) : null}
    </>
  );
}

/** Ops the server refused for good: kept on the device, no longer sent, blocking nothing. */
function SetAsideList({ ops }: { ops: readonly SetAsideOp[] }) {
  if (ops.length === 0) return null;
  return (
    <div role="alert" className="notice notice--warning">
      <p>{tn('deviceHealth.setAside', ops.length)}</p>
      <ul>
        {ops.map((x) => (
          <li key={x.seq}>
            {t('deviceHealth.setAsideLine', { at: formatDateTime(x.at), reason: x.reason })}
          </li>
        ))}
      </ul>
    </div>
  );
}

const SW_TEXT = {
  ready: 'deviceHealth.swReady',
  pending: 'deviceHealth.swPending',
  unsupported: 'deviceHealth.swUnsupported',
} as const;

export function DeviceHealthView(props: DeviceHealthProps) {
  return (
    <div className="stack">
      <PageTitle page={t('deviceHealth.title')} />
      <h1>{t('deviceHealth.title')}</h1>
      <p>
        <button type="button" className="button" onClick={props.onRefresh}>
          {t('deviceHealth.refresh')}
        </button>
      </p>
      <div className="grid">
        <section className="panel" aria-labelledby="health-storage">
          <h2 id="health-storage">{t('deviceHealth.storageTitle')}</h2>
          <StorageSection
            storage={props.storage}
            persistenceAnswer={props.persistenceAnswer}
            onRequestPersistence={props.onRequestPersistence}
          />
        </section>
        <section className="panel" aria-labelledby="health-offline">
          <h2 id="health-offline">{t('deviceHealth.offlineTitle')}</h2>
          <p role="status">{t(SW_TEXT[props.serviceWorker])}</p>
        </section>
        <section className="panel" aria-labelledby="health-sync">
          <h2 id="health-sync">{t('deviceHealth.syncTitle')}</h2>
          <SyncSection sync={props.sync} />
          <SetAsideList ops={props.setAside ?? []} />
        </section>
        <section className="panel" aria-labelledby="health-versions">
          <h2 id="health-versions">{t('deviceHealth.versionsTitle')}</h2>
          <dl className="definition-list">
            <dt>{t('deviceHealth.appVersion')}</dt>
            <dd>{props.appVersion ?? t('deviceHealth.unknownVersion')}</dd>
            <dt>{t('deviceHealth.schemaVersion')}</dt>
            <dd>{props.schemaVersion}</dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="health-device">
          <h2 id="health-device">{t('deviceHealth.deviceTitle')}</h2>
          <dl className="definition-list">
            <dt>{t('deviceHealth.database')}</dt>
            <dd>{props.databaseProblem ?? t('deviceHealth.databaseOk')}</dd>
            <dt>{t('deviceHealth.deviceId')}</dt>
            <dd>
              <code>
                {props.deviceId === undefined
                  ? t('app.loading')
                  : (props.deviceId ?? t('deviceHealth.deviceIdUnknown'))}
              </code>
            </dd>
          </dl>
        </section>
      </div>
    </div>
  );
}
