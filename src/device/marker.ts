// Wiped-database detection (docs/design.md §8). Safari may evict IndexedDB; starting empty as if
// nothing happened would hide the loss and, worse, reuse the device id with a sequence restarted
// at 1 (the server would drop the new ops as duplicates). So the first open writes a marker in
// the database and a copy in localStorage; a marker known to localStorage but missing from the
// database means the database was wiped: the caller re-bootstraps under a NEW device id.
import { v7 as uuidv7 } from 'uuid';
import { type EscaleDb, getMeta, META } from './db';

export interface Marker {
  deviceId: string;
  createdAt: string;
}

export type MarkerStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type StartState =
  /** First open of this database on this browser profile. */
  | { kind: 'fresh'; deviceId: string }
  /** The database is the one this browser created. */
  | { kind: 'ok'; deviceId: string }
  /** The database vanished: a new device id was issued; the data must come back from the server. */
  | { kind: 'wiped'; deviceId: string; lost: Marker };

function storageKey(db: EscaleDb): string {
  return `escale:marker:${db.name}`;
}

function defaultStorage(): MarkerStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // access denied (privacy settings): detection degrades, start still works
  }
}

function readStored(storage: MarkerStorage | null, key: string): Marker | null {
  const raw = storage?.getItem(key);
  if (!raw) return null;
  try {
    const m = JSON.parse(raw) as Partial<Marker>;
    return typeof m.deviceId === 'string' && typeof m.createdAt === 'string'
      ? { deviceId: m.deviceId, createdAt: m.createdAt }
      : null;
  } catch {
    return null;
  }
}

export interface StartOptions {
  storage?: MarkerStorage | null;
  now?: () => Date;
  newDeviceId?: () => string;
}

/**
 * Checks the marker at start-up and, when there is none in the database, writes one (with the
 * device id) in the database and in localStorage. Returns what the caller must know.
 */
export async function checkMarker(db: EscaleDb, options: StartOptions = {}): Promise<StartState> {
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const now = options.now ?? (() => new Date());
  const newDeviceId = options.newDeviceId ?? uuidv7;
  const key = storageKey(db);
  const known = readStored(storage, key);

  return db.transaction('rw', db.meta, async () => {
    const inDb = await getMeta<Marker>(db, META.marker);
    if (inDb) {
      // localStorage cleared alone (or never written): the database is intact, restore the copy.
      if (known?.deviceId !== inDb.deviceId) storage?.setItem(key, JSON.stringify(inDb));
      return { kind: 'ok', deviceId: inDb.deviceId } as const;
    }
    const marker: Marker = { deviceId: newDeviceId(), createdAt: now().toISOString() };
    await db.meta.bulkPut([
      { key: META.marker, value: marker },
      { key: META.deviceId, value: marker.deviceId },
    ]);
    storage?.setItem(key, JSON.stringify(marker));
    return known
      ? ({ kind: 'wiped', deviceId: marker.deviceId, lost: known } as const)
      : ({ kind: 'fresh', deviceId: marker.deviceId } as const);
  });
}

/** French message for the start-up banner, or null when nothing needs saying. */
export function startMessage(state: StartState): string | null {
  if (state.kind !== 'wiped') return null;
  return 'Les données locales de cet appareil ont été effacées par le navigateur. Elles sont rechargées depuis le serveur ; les saisies non synchronisées avant l’effacement sont perdues sur cet appareil.';
}

/** Forgets this database's marker (a revoked device is wiped on purpose, not by the browser). */
export function forgetMarker(
  db: EscaleDb,
  storage: Pick<Storage, 'removeItem'> | null = defaultStorage(),
): void {
  storage?.removeItem(storageKey(db));
}
