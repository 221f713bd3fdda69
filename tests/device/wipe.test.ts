// A withdrawn device deletes everything it holds, and forgets its marker so the next start is a
// plain first start (not a "the browser wiped your data" alarm).
import { describe, expect, it } from 'vitest';
import { joinOrganisation, readConnection, wipeDevice } from '../../src/device/connection';
import { EscaleDb } from '../../src/device/db';
import { checkMarker } from '../../src/device/marker';
import { writeChanges } from '../../src/device/write';
import { newPatient } from './fixtures';
import { freshIdb, memoryStorage } from './support';

describe('wiping a withdrawn device', () => {
  it('deletes the database and its marker', async () => {
    const idb = freshIdb();
    const storage = memoryStorage();
    const open = () =>
      new EscaleDb('escale-wipe', { indexedDB: idb.indexedDB, IDBKeyRange: idb.IDBKeyRange });
    const db = open();
    const first = await checkMarker(db, { storage });
    await joinOrganisation(db, { org: 'org-1', servers: ['https://central.test'] });
    await writeChanges(db, { deviceId: first.deviceId, org: 'org-1' }, [newPatient('p1')]);
    await wipeDevice(db, storage);
    const again = open();
    expect(await again.rows('patient').count()).toBe(0);
    expect(await readConnection(again)).toBeNull();
    // A first start again, with a new device id — not the alarm of a database lost by accident.
    const next = await checkMarker(again, { storage });
    expect(next.kind).toBe('fresh');
    expect(next.deviceId).not.toBe(first.deviceId);
    again.close();
  });

  it('leaves no database of the origin behind: the desk’s drafts and preferences go too', async () => {
    const idb = freshIdb();
    const db = new EscaleDb('escale-wipe-all', {
      indexedDB: idb.indexedDB,
      IDBKeyRange: idb.IDBKeyRange,
    });
    await joinOrganisation(db, { org: 'org-1', servers: ['https://central.test'] });
    // What idb-keyval keeps for the reception's arrival in progress (src/ui/reception/arrival-store.ts).
    await new Promise<void>((resolve, reject) => {
      const open = idb.indexedDB.open('keyval-store');
      open.onupgradeneeded = () => open.result.createObjectStore('keyval');
      open.onsuccess = () => {
        const tx = open.result.transaction('keyval', 'readwrite');
        tx.objectStore('keyval').put('{"form":{"birthName":"MARTIN"}}', 'escale.reception.arrival');
        tx.oncomplete = () => {
          open.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    expect((await idb.indexedDB.databases()).map((d) => d.name).sort()).toEqual([
      'escale-wipe-all',
      'keyval-store',
    ]);
    await wipeDevice(db, memoryStorage(), idb.indexedDB);
    expect(await idb.indexedDB.databases()).toEqual([]);
  });
});
