// The sync status every tab reads (through a live query on meta): written by the sync leader.

export type SyncState =
  /** Nothing attempted yet on this device. */
  | 'never'
  | 'syncing'
  /** Last round trip succeeded. */
  | 'ok'
  /** No server could be reached; retrying with backoff. */
  | 'offline'
  /** A server answered with an error; retrying with backoff. */
  | 'error'
  /** The server refuses this client's protocol version (426): the app must be updated. */
  | 'update_required';

export interface PullProgress {
  /** Server sequence reached so far. */
  reached: number;
  /** Server sequence at the end of the log (known after the first page; grows while pulling). */
  target: number;
  /** Changes received by this device so far in this pull (a status written by an older version: absent). */
  received?: number;
  /** Pages received so far in this pull. */
  pages?: number;
  /** A bootstrap from a snapshot past its first part: the device holds the reference data and
   * the day's rows, the registry is still loading (src/device/snapshot.ts, REGISTRY_LOADING). */
  usable?: boolean;
}

export interface SyncStatus {
  state: SyncState;
  /** Ops waiting in the outbox when the status was written (queries read the live count). */
  pending: number;
  /**
   * Of those, the ones a server (the truck's relay) already holds but central does not yet: they
   * stay on the device until central holds them (docs/protocol.md, Durable acknowledgement).
   */
  awaitingCentral?: number;
  /**
   * The last run stopped at work sealed with the data key while nobody had unlocked the device:
   * it leaves once someone unlocks (encryption.ts). The header says so rather than a bare count.
   */
  awaitingUnlock?: boolean;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Last error, in French, for the status bar; null after a success. */
  lastError: string | null;
  /** URL of the server reached last. */
  server: string | null;
  /** Progress of a long pull (bootstrap), null when up to date. */
  pull: PullProgress | null;
  /** Digest of the server's state at the end of the last complete pull (sync receipt). */
  serverDigest?: string | null;
}

export const INITIAL_SYNC_STATUS: SyncStatus = {
  state: 'never',
  pending: 0,
  lastSuccessAt: null,
  lastAttemptAt: null,
  lastError: null,
  server: null,
  pull: null,
};
