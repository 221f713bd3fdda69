// Retractions (decision 0033): an op the truck's relay held and central then refused is taken out
// of the relay's log and rows. The truck's devices that hold its row take the row back from the
// relay, and its writer sets the op aside with central's reason — moved back to its outbox even
// once it had counted as durable, so nothing typed is lost. Real sync clients against a real
// relay and central on loopback (SQLite), IndexedDB in memory; central's refusal is played by
// the relay's store (the end-to-end path is tests/server/trust.test.ts and the simulation).
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { localDigest, syncStatus } from '../../src/device/queries';
import { listSetAside, unsentCounts } from '../../src/device/set-aside';
import { newPatient, ORG } from './fixtures';
import { enrolled, onTruck, truckOfTwo } from './truck-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const REASON = 'Modification refusée par le serveur : dossier détruit au central.';

describe('an op the relay held and central then refused', () => {
  it('is taken back on every truck device holding its row, and set aside, kept, on its writer', async () => {
    const { relay, pass, a, b } = await truckOfTwo(['rt-a', 'rt-b'], cleanups);
    await a.writeAt([newPatient('p-rt', 1)]);
    expect((await a.client.syncNow()).state).toBe('ok');
    const [edit] = await a.writeAt([{ entity: 'patient', id: 'p-rt', set: { usedName: 'FAUX' } }]);
    // Pushed through the relay, forwarded, and durable: the writer keeps only a copy (`sent`).
    expect((await a.client.syncNow()).state).toBe('ok');
    await pass();
    expect((await a.client.syncNow()).state).toBe('ok');
    expect((await outboxOps(a.db)).map((op) => op.seq)).not.toContain(edit!.seq);
    expect(await a.db.sent.get(edit!.seq)).toBeDefined();
    // The other tablet pulled it.
    expect((await b.client.syncNow()).state).toBe('ok');
    expect((await b.db.table('patient').get('p-rt')).usedName).toBe('FAUX');

    const [taken] = await relay.store.retract(ORG, [
      { dev: 'rt-a', seq: edit!.seq, code: 'forbidden_op', reason: REASON, via: 'central' },
    ]);
    expect(taken).toMatchObject({ n: 1, e: 'patient', id: 'p-rt' });
    const [atRelay] = await relay.store.rowsByIds(ORG, 'patient', ['p-rt']);
    expect(atRelay?.usedName).toBeNull();

    // The next run hears of it, the one after takes the row back.
    for (const d of [a, b]) {
      expect((await d.client.syncNow()).state).toBe('ok');
      expect((await d.client.syncNow()).state).toBe('ok');
      expect((await d.db.table('patient').get('p-rt')).usedName).toBeNull();
      expect(await localDigest(d.db)).toBe(await relay.store.digest(ORG));
      expect(await getMeta(d.db, META.retracted(relay.url))).toMatchObject({ n: 1 });
    }
    // The writer keeps its op, set aside with central's reason, in its outbox.
    expect(await listSetAside(a.db)).toEqual([
      { seq: edit!.seq, reason: REASON, at: expect.any(String) },
    ]);
    expect((await outboxOps(a.db)).map((op) => op.seq)).toEqual([edit!.seq]);
    expect(await a.db.sent.get(edit!.seq)).toBeUndefined();
    // Kept, never sent: nothing waits to be sent, so its status and its receipt do not wait.
    expect((await syncStatus(a.db)).pending).toBe(0);
    expect(await unsentCounts(a.db)).toEqual({ ops: 0, actions: 0 });
    expect(await listSetAside(b.db)).toEqual([]);

    // Taken into account once: later runs neither reload nor set anything aside again.
    const reloads = async () => (await getMeta(a.db, `reload:${relay.url}`)) ?? null;
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(await reloads()).toBeNull();
    expect((await b.client.syncNow()).state).toBe('ok');
    expect(await getMeta(b.db, `reload:${relay.url}`)).toBeUndefined();
  });

  it('is not taken back by a tablet joining after: what it loads was folded after the retraction', async () => {
    const { relay, central, a } = await truckOfTwo(['rt-c', 'rt-d'], cleanups);
    await a.writeAt([newPatient('p-far', 1)]);
    await a.writeAt([newPatient('p-near', 2)]);
    expect((await a.client.syncNow()).state).toBe('ok');
    const held = await relay.store.pull(ORG, 0, 1e9);
    const far = held.ops.find((x) => x.op.id === 'p-far' && x.op.f === 'usedName')!;
    await relay.store.retract(ORG, [
      { dev: 'rt-c', seq: far.op.seq, code: 'forbidden_op', reason: REASON, via: 'central' },
    ]);
    // A third tablet joins after: its snapshot is folded after the retraction and says so, so it
    // marks nothing to take back.
    const fresh = await onTruck(await enrolled('rt-e', central), relay, cleanups);
    expect((await fresh.client.syncNow()).state).toBe('ok');
    expect(await getMeta(fresh.db, META.retracted(relay.url))).toMatchObject({ n: 1 });
    expect(await getMeta(fresh.db, `reload:${relay.url}`)).toBeUndefined();
    expect((await fresh.db.table('patient').get('p-far')).usedName ?? null).toBeNull();
    expect((await fresh.db.table('patient').get('p-near')).usedName).not.toBeUndefined();
    expect(await localDigest(fresh.db)).toBe(await relay.store.digest(ORG));
  });
});
