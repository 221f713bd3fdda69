// A database evicted by the browser is detected at start-up and never mistaken for a first
// start: the device comes back under a new id (docs/design.md §8).
import { describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { checkMarker, startMessage } from '../../src/device/marker';
import { freshIdb, memoryStorage, openTestDb } from './support';

let ids = 0;
const options = (storage: Storage | null) => ({
  storage,
  now: () => new Date('2026-11-23T08:00:00Z'),
  newDeviceId: () => `dev-${++ids}`,
});

describe('wiped-database marker', () => {
  it('first open writes the marker in the database and in localStorage', async () => {
    const storage = memoryStorage();
    const db = openTestDb();
    const state = await checkMarker(db, options(storage));
    expect(state.kind).toBe('fresh');
    expect(startMessage(state)).toBeNull();
    const marker = await getMeta<{ deviceId: string; createdAt: string }>(db, META.marker);
    expect(marker).toEqual({ deviceId: state.deviceId, createdAt: '2026-11-23T08:00:00.000Z' });
    expect(await getMeta(db, META.deviceId)).toBe(state.deviceId);
    expect(JSON.parse(storage.getItem(`escale:marker:${db.name}`) ?? 'null')).toEqual(marker);
  });

  it('a later start with both markers keeps the same device id', async () => {
    const storage = memoryStorage();
    const idb = freshIdb();
    const first = await checkMarker(openTestDb(idb, 'same'), options(storage));
    const again = await checkMarker(openTestDb(idb, 'same'), options(storage));
    expect(again).toEqual({ kind: 'ok', deviceId: first.deviceId });
  });

  it('a marker in localStorage but not in the database reports a wipe and issues a new device id', async () => {
    const storage = memoryStorage();
    const before = await checkMarker(openTestDb(freshIdb(), 'evicted'), options(storage));
    // Same browser profile, the IndexedDB was evicted: a brand-new empty database of that name.
    const wipedDb = openTestDb(freshIdb(), 'evicted');
    const after = await checkMarker(wipedDb, options(storage));
    expect(after.kind).toBe('wiped');
    if (after.kind !== 'wiped') return;
    expect(after.lost.deviceId).toBe(before.deviceId);
    expect(after.deviceId).not.toBe(before.deviceId);
    expect(await getMeta(wipedDb, META.deviceId)).toBe(after.deviceId);
    expect(startMessage(after)).toMatch(/effacées/);
    // The new marker is now the reference: the next start is ordinary.
    expect((await checkMarker(wipedDb, options(storage))).kind).toBe('ok');
  });

  it('localStorage cleared alone is not a wipe: the copy is restored from the database', async () => {
    const storage = memoryStorage();
    const idb = freshIdb();
    const first = await checkMarker(openTestDb(idb, 'ls-cleared'), options(storage));
    storage.clear();
    const again = await checkMarker(openTestDb(idb, 'ls-cleared'), options(storage));
    expect(again).toEqual({ kind: 'ok', deviceId: first.deviceId });
    expect(storage.getItem('escale:marker:ls-cleared')).toContain(first.deviceId);
  });

  it('works without localStorage (detection degraded, start not blocked)', async () => {
    const state = await checkMarker(openTestDb(), options(null));
    expect(state.kind).toBe('fresh');
  });
});
