// A long pull (the first sync of a device, or a device back after days offline) shown as it goes:
// a progress bar of the organisation's log received so far, and how many changes arrived; once a
// snapshot's first part is written, that the device is usable while the registry still loads.
import type { SyncStatus } from '../../device/sync-status';
import { useSyncStatus } from '../data/device-data';
import { ProgressBar } from '../feedback/ProgressBar';
import { t, tn } from '../i18n';

export function SyncProgressView({ status }: { status: SyncStatus | null | undefined }) {
  const pull = status?.pull;
  if (!pull || pull.target <= 0) return null;
  const received = pull.received ?? 0;
  return (
    <div className="sync-progress">
      <ProgressBar
        label={t('sync.pullLabel')}
        value={pull.reached}
        max={pull.target}
        text={tn('sync.received', received, { pages: pull.pages ?? 0 })}
      />
      {pull.usable ? <p role="status">{t('sync.usable')}</p> : null}
    </div>
  );
}

export function SyncProgress() {
  return <SyncProgressView status={useSyncStatus()} />;
}
