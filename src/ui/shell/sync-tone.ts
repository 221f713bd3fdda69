// How the header summarises the device's sync status in one phrase.
import type { SyncStatus } from '../../device/sync-status';

export type SyncTone =
  | 'unknown'
  | 'never'
  | 'syncing'
  | 'ok'
  /** Everything is on the truck's relay; central does not hold all of it yet. */
  | 'relayed'
  | 'pending'
  /** Work waits in the outbox sealed: it leaves once someone unlocks the device. */
  | 'locked'
  | 'offline'
  | 'error'
  | 'update_required';

/**
 * Work waiting in the outbox turns a past success into "pending": it is not on a server yet. Work
 * the relay holds, waiting only for central, is "relayed": safe off the device, not yet certified.
 */
export function syncTone(s: SyncStatus | null | undefined): SyncTone {
  if (!s) return 'unknown';
  if (s.state !== 'ok') return s.state;
  if (s.pending === 0) return 'ok';
  if (s.pending <= (s.awaitingCentral ?? 0)) return 'relayed';
  return s.awaitingUnlock ? 'locked' : 'pending';
}

/** Did the last attempt reach a server? null when nothing says (never tried, or trying now). */
export function serverReached(s: SyncStatus): boolean | null {
  switch (s.state) {
    case 'ok':
    case 'error':
    case 'update_required':
      return true;
    case 'offline':
      return false;
    default:
      return null;
  }
}
