// The one write path and the application of pulled ops (docs/design.md §5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EscaleDb, getMeta, getWriter, updateWriter } from '../../src/device/db';
import { onLocalWrite } from '../../src/device/local-writes';
import { outboxOps } from '../../src/device/outbox';
import { localDigest } from '../../src/device/queries';
import {
  applyRemote,
  type Change,
  replayParked,
  type WriteContext,
  writeChanges,
} from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { digestRows } from '../../src/sync/digest';
import { decodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import type { SeqOp } from '../../src/sync/protocol';
import { newPatient, ORG, patientFields, vitalsRow } from './fixtures';
import { freshIdb, openTestDb } from './support';

const T0 = Date.parse('2026-11-23T08:00:00Z');
let tabsRun = 0;
const ctx = (deviceId: string, userId = 's1'): WriteContext => ({
  deviceId,
  org: ORG,
  userId,
  now: () => T0,
});

/** Ships ops as the server would: numbered in the order received. */
const asPulled = (ops: readonly Op[], from = 1): SeqOp[] =>
  ops.map((op, i) => ({ s: from + i, op }));

async function snapshot(db: EscaleDb) {
  const tables = ['patient', 'vitals', 'staff', 'queueEntry'] as const;
  const rows: Record<string, unknown[]> = {};
  for (const t of tables) rows[t] = await db.table(t).toArray();
  return { rows, digest: digestRows(await db.states.toArray()) };
}

describe('writeChanges', () => {
  it('stores the materialised row, its merge state and one op per field in the outbox', async () => {
    const db = openTestDb();
    const ops = await writeChanges(db, ctx('dev-a'), [newPatient('p1')]);
    const row = await db.rows('patient').get('p1');
    expect(row).toMatchObject({ id: 'p1', birthName: 'LEFÈVRE', allergies: ['pénicilline'] });
    expect(row?.searchKey).toBe('lefevre elodie 1');
    expect(row?._deleted).toBe(false);
    // 20 registers + 1 allergy element
    expect(ops).toHaveLength(Object.keys(patientFields()).length);
    expect(ops.find((o) => o.f === 'allergies')).toMatchObject({ k: 'add', val: 'pénicilline' });
    expect(ops.every((o) => o.dev === 'dev-a' && o.org === ORG && o.user === 's1')).toBe(true);
    expect(ops.every((o) => o.v === SCHEMA_VERSION)).toBe(true);
    expect(await outboxOps(db)).toEqual(ops);
    expect(await db.states.get(['patient', 'p1'])).toBeDefined();
  });

  it('gives every op a distinct, increasing hlc even when the wall clock stands still', async () => {
    const db = openTestDb();
    const ops = await writeChanges(db, ctx('dev-a'), [newPatient('p1'), newPatient('p2', 2)]);
    const hlcs = ops.map((o) => o.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(hlcs.length);
    const saved = (await getWriter(db)).clock;
    expect(saved?.counter).toBe(decodeHlc(hlcs.at(-1)!).counter);
  });

  it('an invalid value aborts the whole batch: no row, no state, no outbox entry, no seq used', async () => {
    const db = openTestDb();
    const bad: Change = { entity: 'patient', id: 'p2', set: { birthDate: '02/03/1950' } };
    await expect(writeChanges(db, ctx('dev-a'), [newPatient('p1'), bad])).rejects.toThrow(
      /Valeur invalide pour patient\.birthDate/,
    );
    expect(await db.rows('patient').count()).toBe(0);
    expect(await db.states.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    expect((await getWriter(db)).lastSeq).toBeUndefined();
    const ops = await writeChanges(db, ctx('dev-a'), [newPatient('p1')]);
    expect(ops[0]?.seq).toBe(1);
  });

  it("keeps the writer's meta in ONE record: clock, last sequence, offered and fold barrier", async () => {
    const db = openTestDb();
    await db.meta.bulkPut([
      { key: 'deviceId', value: 'dev-a' },
      { key: 'org', value: ORG },
    ]);
    const ops = await writeChanges(db, ctx('dev-a'), [newPatient('p1')]);
    await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', set: { birthName: 'DURAND' } },
    ]);
    // Its identity, the writer's record, the row's fold record (storage persistence, asked once
    // per page after the write, is not the write's).
    const keys = await db.meta.toCollection().primaryKeys();
    expect(keys.filter((k) => k !== 'persistence').sort()).toEqual(
      ['deviceId', 'fold:patient\u0000p1', 'org', 'writer'].sort(),
    );
    const writer = await getWriter(db);
    const last = decodeHlc(ops.at(-1)!.hlc);
    expect(writer).toMatchObject({ lastSeq: ops.length, offered: 0, foldBarrier: 0 });
    // The second write folded into the first's birthName: no sequence issued, the clock moved.
    expect(writer.clock?.node).toBe('dev-a');
    expect(writer.clock!.counter).toBeGreaterThan(last.counter);
  });

  it('refuses a change on an unknown field or the wrong kind of change', async () => {
    const db = openTestDb();
    const unknownField = {
      entity: 'patient',
      id: 'p1',
      set: { shoeSize: 42 },
    } as unknown as Change;
    await expect(writeChanges(db, ctx('dev-a'), [unknownField])).rejects.toThrow(/Champ inconnu/);
    const updateEvent = { entity: 'vitals', id: 'v1', set: { spo2: 97 } } as unknown as Change;
    await expect(writeChanges(db, ctx('dev-a'), [updateEvent])).rejects.toThrow(/évènements/);
    expect(await db.outbox.count()).toBe(0);
  });

  it('numbers ops 1, 2, 3… without gaps across writes, including concurrent ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }),
        async (sizes) => {
          const db = openTestDb();
          let n = 0;
          await Promise.all(
            sizes.map((size) =>
              writeChanges(
                db,
                ctx('dev-a'),
                Array.from({ length: size }, () => ({
                  entity: 'patient' as const,
                  id: `p${++n}`,
                  set: { birthName: `NOM${n}` },
                })),
              ),
            ),
          );
          const seqs = (await outboxOps(db)).map((o) => o.seq);
          expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect((await getWriter(db)).lastSeq).toBe(n);
          db.close();
        },
      ),
      { numRuns: 15 },
    );
  });

  it('two tabs writing on one database never issue a sequence twice (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3 })), {
          minLength: 2,
          maxLength: 10,
        }),
        async (writes) => {
          const idb = freshIdb();
          const name = `two-tabs-${++tabsRun}`;
          // Two connections to one database: what two windows of the device hold.
          const tabs = [openTestDb(idb, name), openTestDb(idb, name)];
          let n = 0;
          await Promise.all(
            writes.map(([second, size]) =>
              writeChanges(
                tabs[second ? 1 : 0]!,
                ctx('dev-a'),
                Array.from({ length: size }, () => ({
                  entity: 'patient' as const,
                  id: `p${++n}`,
                  set: { birthName: `NOM${n}` },
                })),
              ),
            ),
          );
          const seqs = (await outboxOps(tabs[0]!)).map((o) => o.seq);
          expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect((await getWriter(tabs[1]!)).lastSeq).toBe(n);
          for (const t of tabs) t.close();
        },
      ),
      { numRuns: 15 },
    );
  });

  it('builds base from the heads it saw and tags from the element it removes', async () => {
    const db = openTestDb();
    const [first] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', set: { birthName: 'DURAND' } },
    ]);
    // Offered to a server (as the sync client marks it before a push): never folded, so the
    // next value names it.
    await updateWriter(db, { offered: (await getWriter(db)).lastSeq });
    const [second] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', set: { birthName: 'DURANT' } },
    ]);
    expect(second?.base).toEqual([first?.hlc]);
    const [add] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', add: { allergies: ['arachide'] } },
    ]);
    const [rem] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', remove: { allergies: ['arachide'] } },
    ]);
    expect(rem).toMatchObject({ k: 'rem', val: 'arachide', tags: [add?.hlc] });
    expect((await db.rows('patient').get('p1'))?.allergies).toEqual([]);
  });

  it('an array written to a set field replaces the set with adds and removes', async () => {
    const db = openTestDb();
    await writeChanges(db, ctx('dev-a'), [
      { entity: 'staff', id: 's1', set: { roles: ['accueil', 'clinicien'] } },
    ]);
    const ops = await writeChanges(db, ctx('dev-a'), [
      { entity: 'staff', id: 's1', set: { roles: ['clinicien', 'coordinateur'] } },
    ]);
    expect(ops.map((o) => [o.k, o.val])).toEqual([
      ['rem', 'accueil'],
      ['add', 'coordinateur'],
    ]);
    expect((await db.rows('staff').get('s1'))?.roles).toEqual(['clinicien', 'coordinateur']);
  });

  it('inserts immutable rows and removes deleted rows from what the screens read', async () => {
    const db = openTestDb();
    await writeChanges(db, ctx('dev-a'), [
      { entity: 'vitals', id: 'v1', insert: vitalsRow('c1') },
      newPatient('p1'),
    ]);
    expect(await db.rows('vitals').get('v1')).toMatchObject({ id: 'v1', spo2: 98 });
    const [del] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', delete: true },
    ]);
    expect(del).toMatchObject({ k: 'del', f: '_deleted', val: true });
    expect(await db.rows('patient').get('p1')).toBeUndefined();
    expect(await db.states.get(['patient', 'p1'])).toBeDefined(); // the tombstone replicates
  });

  it('announces committed writes, not failed ones', async () => {
    const db = openTestDb();
    let heard = 0;
    const off = onLocalWrite(db.name, () => heard++);
    await writeChanges(db, ctx('dev-a'), [newPatient('p1')]);
    await expect(
      writeChanges(db, ctx('dev-a'), [
        { entity: 'patient', id: 'p1', set: { sex: 'X' } } as unknown as Change,
      ]),
    ).rejects.toThrow();
    off();
    expect(heard).toBe(1);
  });
});

describe('applyRemote', () => {
  it('ops written on one device rebuild the same rows and digest on another', async () => {
    const a = openTestDb();
    const b = openTestDb();
    await writeChanges(a, ctx('dev-a'), [newPatient('p1'), newPatient('p2', 2)]);
    await writeChanges(a, ctx('dev-a'), [
      {
        entity: 'patient',
        id: 'p1',
        set: { birthName: 'LEFEBVRE' },
        add: { allergies: ['latex'] },
      },
      { entity: 'patient', id: 'p2', remove: { allergies: ['pénicilline'] } },
      { entity: 'vitals', id: 'v1', insert: vitalsRow('c1') },
      { entity: 'staff', id: 's1', set: { roles: ['accueil'] } },
    ]);
    await writeChanges(a, ctx('dev-a'), [{ entity: 'staff', id: 's1', delete: true }]);
    const res = await applyRemote(b, asPulled(await outboxOps(a)), 'checkpoint:x');
    expect(res.parked).toBe(0);
    expect(res.checkpoint).toBe((await outboxOps(a)).length);
    expect(await snapshot(b)).toEqual(await snapshot(a));
    expect((await b.rows('patient').get('p1'))?.searchKey).toBe('lefebvre elodie 1');
  });

  it('converges whatever the order, chunking and duplication of delivery (property)', async () => {
    const change = fc.oneof(
      fc.record({
        entity: fc.constant('patient' as const),
        id: fc.constantFrom('p1', 'p2'),
        set: fc.record({ birthName: fc.constantFrom('A', 'B', 'C'), ald: fc.boolean() }),
      }),
      fc.record({
        entity: fc.constant('patient' as const),
        id: fc.constantFrom('p1', 'p2'),
        add: fc.record({ allergies: fc.subarray(['x', 'y', 'z'], { minLength: 1 }) }),
      }),
      fc.record({
        entity: fc.constant('patient' as const),
        id: fc.constantFrom('p1', 'p2'),
        remove: fc.record({ allergies: fc.subarray(['x', 'y', 'z'], { minLength: 1 }) }),
      }),
      fc.record({
        entity: fc.constant('patient' as const),
        id: fc.constantFrom('p1', 'p2'),
        delete: fc.constant(true as const),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.func(fc.integer()),
        async (batchesA, batchesB, chunk, order) => {
          const a = openTestDb();
          const b = openTestDb();
          for (const batch of batchesA) await writeChanges(a, ctx('dev-a'), batch as Change[]);
          for (const batch of batchesB) await writeChanges(b, ctx('dev-b'), batch as Change[]);
          const fromA = await outboxOps(a);
          const fromB = await outboxOps(b);
          // B hears A in arbitrary order and chunks, with A's first chunk delivered twice.
          const shuffled = [...fromA].sort((x, y) => order(x.seq) - order(y.seq) || x.seq - y.seq);
          const pages = [shuffled.slice(0, chunk), ...chunked(shuffled, chunk)];
          for (const page of pages) await applyRemote(b, asPulled(page), 'cp');
          await applyRemote(a, asPulled(fromB), 'cp');
          expect(await snapshot(b)).toEqual(await snapshot(a));
          a.close();
          b.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('re-applying a page changes nothing and the checkpoint never goes back', async () => {
    const a = openTestDb();
    const b = openTestDb();
    await writeChanges(a, ctx('dev-a'), [newPatient('p1')]);
    const page = asPulled(await outboxOps(a), 10);
    await applyRemote(b, page, 'cp');
    const once = await snapshot(b);
    const again = await applyRemote(b, page.slice(0, 3), 'cp');
    expect(await snapshot(b)).toEqual(once);
    expect(again.checkpoint).toBe(10 + page.length - 1);
    expect(await getMeta(b, 'cp')).toBe(10 + page.length - 1);
  });

  it('advances the checkpoint to the page end even when the page holds nothing for this device', async () => {
    const b = openTestDb();
    const res = await applyRemote(b, [], 'cp', 42);
    expect(res.checkpoint).toBe(42);
    expect(await getMeta(b, 'cp')).toBe(42);
  });

  it('moves the local clock past a remote stamp from the future', async () => {
    const a = openTestDb();
    const b = openTestDb();
    const future = () => T0 + 24 * 3600_000; // a device one day ahead
    await writeChanges(a, { ...ctx('dev-a'), now: future }, [newPatient('p1')]);
    const remote = await outboxOps(a);
    await writeChanges(b, ctx('dev-b'), [newPatient('p9')]); // b exists with its own clock
    await applyRemote(b, asPulled(remote), 'cp', undefined, { now: () => T0 });
    const [next] = await writeChanges(b, ctx('dev-b'), [
      { entity: 'patient', id: 'p1', set: { birthName: 'CORRIGÉ' } },
    ]);
    expect(next!.hlc > remote.at(-1)!.hlc).toBe(true);
    // ...so the correction wins over the future-dated value on every replica.
    expect((await b.rows('patient').get('p1'))?.birthName).toBe('CORRIGÉ');
  });

  it('parks ops from a newer schema, keeps them verbatim and replays them after the upgrade', async () => {
    const a = openTestDb();
    const b = openTestDb();
    await writeChanges(a, ctx('dev-a'), [newPatient('p1')]);
    const current = await outboxOps(a);
    // A newer client wrote p2 with schema version +1 and an extra key this version ignores.
    const newer: Op[] = current.map((op) => ({
      ...op,
      v: SCHEMA_VERSION + 1,
      id: 'p2',
      seq: op.seq + 100,
      futureKey: 'x',
    })) as Op[];
    const res = await applyRemote(b, asPulled([...current, ...newer]), 'cp');
    expect(res).toMatchObject({ applied: current.length, parked: newer.length });
    expect(await getMeta(b, 'cp')).toBe(current.length + newer.length);
    expect(await b.rows('patient').get('p2')).toBeUndefined();
    const parked = await b.parked.toArray();
    expect(parked.map((p) => p.op)).toEqual([...newer].sort((x, y) => x.seq - y.seq));
    // Still the same version: replay keeps them.
    expect(await replayParked(b)).toEqual({ replayed: 0, kept: newer.length });
    // After the upgrade this version understands them.
    const after = await replayParked(b, { schemaVersion: SCHEMA_VERSION + 1 });
    expect(after).toEqual({ replayed: newer.length, kept: 0 });
    expect(await b.rows('patient').get('p2')).toMatchObject({ birthName: 'LEFÈVRE' });
  });

  it('keeps an op it cannot apply instead of dropping it', async () => {
    const a = openTestDb();
    const b = openTestDb();
    await writeChanges(a, ctx('dev-a'), [newPatient('p1')]);
    const [op] = await outboxOps(a);
    const alien = { ...op!, e: 'spaceship', seq: 999 } as Op;
    const res = await applyRemote(b, asPulled([op!, alien]), 'cp');
    expect(res).toMatchObject({ applied: 1, parked: 1 });
    const [kept] = await b.parked.toArray();
    expect(kept?.op).toEqual(alien);
    expect(kept?.error).toMatch(/Entité inconnue/);
  });

  // Speed is measured by `npm run bench` (client.apply_ops_per_s), never by a timed test.
  it('applies a bootstrap of 10,000 pulled ops in pages to the same rows and digest', async () => {
    const a = openTestDb();
    const b = openTestDb();
    const changes: Change[] = Array.from({ length: 500 }, (_, i) => newPatient(`p${i}`, i));
    await writeChanges(a, ctx('dev-a'), changes);
    const ops = await outboxOps(a);
    expect(ops.length).toBeGreaterThanOrEqual(10_000);
    for (let i = 0; i < ops.length; i += 2_000) {
      await applyRemote(b, asPulled(ops.slice(i, i + 2_000), i + 1), 'cp');
    }
    expect(await b.rows('patient').count()).toBe(500);
    expect(await localDigest(b)).toBe(await localDigest(a));
  });
});

function chunked<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
