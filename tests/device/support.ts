// Test support for the device runtime: every test gets its own in-memory IndexedDB
// (fake-indexeddb), so databases never leak between tests.
import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { EscaleDb, type EscaleDbOptions } from '../../src/device/db';

export interface Idb {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
}

export function freshIdb(): Idb {
  return { indexedDB: new IDBFactory(), IDBKeyRange };
}

let counter = 0;

export function openTestDb(
  idb: Idb = freshIdb(),
  name = `escale-test-${++counter}`,
  options: Omit<EscaleDbOptions, 'indexedDB' | 'IDBKeyRange'> = {},
): EscaleDb {
  return new EscaleDb(name, { ...options, indexedDB: idb.indexedDB, IDBKeyRange: idb.IDBKeyRange });
}

/** In-memory localStorage stand-in. */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => {
      items.delete(k);
    },
    setItem: (k, v) => {
      items.set(k, String(v));
    },
  };
}

/**
 * Dexie's liveQuery stays silent unless a global IndexedDB was found when Dexie loaded (none in
 * Node): give it one. Each database still uses the factory it was opened with.
 */
export function enableLiveQueries(): void {
  Dexie.dependencies.indexedDB ??= new IDBFactory();
  Dexie.dependencies.IDBKeyRange ??= IDBKeyRange;
}
