// Header badge: is this device's work safely on a server? Text, not colour alone, says it.
import type { SyncStatus } from '../../device/sync-status';
import { t, tn } from '../i18n';
import { type SyncTone, syncTone } from './sync-tone';

const CLASS: Record<SyncTone, string> = {
  unknown: 'unknown',
  never: 'unknown',
  syncing: 'pending',
  ok: 'ok',
  relayed: 'ok',
  pending: 'pending',
  locked: 'pending',
  offline: 'offline',
  error: 'error',
  update_required: 'error',
};

function headline(tone: SyncTone, pending: number): string {
  switch (tone) {
    case 'unknown':
      return t('sync.unknown');
    case 'never':
      return t('sync.neverSynced');
    case 'syncing':
      return t('sync.syncing');
    case 'ok':
      return t('sync.synced');
    case 'relayed':
      return t('sync.relayed');
    case 'pending':
      return tn('sync.pending', pending);
    case 'locked':
      return tn('sync.awaitingUnlock', pending);
    case 'offline':
      return t('sync.offline');
    case 'error':
      return t('sync.error');
    case 'update_required':
      return t('sync.updateRequired');
  }
}

export function SyncIndicatorView({ status }: { status: SyncStatus | null | undefined }) {
  const tone = syncTone(status);
  const pending = status?.pending ?? 0;
  // When the headline is not already the count, still say how much is waiting.
  const detail =
    tone === 'relayed'
      ? tn('sync.awaitingCentral', pending)
      : tone !== 'pending' && tone !== 'locked' && pending > 0
        ? tn('sync.pending', pending)
        : null;
  return (
    <p className={`sync-indicator sync-indicator--${CLASS[tone]}`} role="status">
      <span className="visually-hidden">{t('sync.label')}</span>
      <span>{headline(tone, pending)}</span>
      {detail ? <span>{detail}</span> : null}
    </p>
  );
}
