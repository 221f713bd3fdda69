// Ask the browser not to evict our storage (Safari/iOS evicts otherwise, docs/design.md §8).
// Asked once, on the first save: browsers may prompt, and asking at start-up with nothing
// saved yet is refused more often. The answer is kept for the device-health screen.
import { type EscaleDb, getMeta, META, setMeta } from './db';

export interface PersistenceInfo {
  persisted: boolean;
  askedAt: string;
}

type StorageManagerLike = Pick<StorageManager, 'persist' | 'persisted'>;

function storageManager(): StorageManagerLike | null {
  const nav = (globalThis as { navigator?: { storage?: Partial<StorageManager> } }).navigator;
  const s = nav?.storage;
  return s && typeof s.persist === 'function' && typeof s.persisted === 'function'
    ? (s as StorageManagerLike)
    : null;
}

const asked = new WeakSet<EscaleDb>();

/**
 * Calls navigator.storage.persist() the first time it is called for this database (later calls
 * return the recorded answer). Never throws: no Storage API means "not persisted".
 */
export async function requestPersistence(
  db: EscaleDb,
  storage: StorageManagerLike | null = storageManager(),
): Promise<PersistenceInfo | null> {
  try {
    const known = await getMeta<PersistenceInfo>(db, META.persistence);
    if (known?.persisted || asked.has(db)) return known ?? null;
    asked.add(db);
    let persisted = false;
    try {
      persisted = storage ? (await storage.persisted()) || (await storage.persist()) : false;
    } catch {
      persisted = false;
    }
    const info: PersistenceInfo = { persisted, askedAt: new Date().toISOString() };
    await setMeta(db, META.persistence, info);
    return info;
  } catch {
    // The database closed meanwhile (page leaving): asking again at the next save is enough.
    return null;
  }
}

/** Usage and quota for the device-health screen, or null when the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const nav = (globalThis as { navigator?: { storage?: Partial<StorageManager> } }).navigator;
  if (typeof nav?.storage?.estimate !== 'function') return null;
  try {
    const e = await nav.storage.estimate();
    return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
  } catch {
    return null;
  }
}
