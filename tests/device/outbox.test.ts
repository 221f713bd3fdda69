// The outbox keeps one record per user action (issue #18 item 5, src/device/outbox.ts): the
// action's ops in order under the key of its last op, so an action costs one outbox write; an
// autosave folds into the unsent value it supersedes, found through the fold index without
// opening the outbox.
import type { DBCore, DBCoreTable } from 'dexie';
import { describe, expect, it } from 'vitest';
import { type EscaleDb, getWriter, updateWriter } from '../../src/device/db';
import { actionRecord, firstOf, opsOf, outboxOps, pendingOpCount } from '../../src/device/outbox';
import { type Change, type WriteContext, writeChanges } from '../../src/device/write';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';

const ctx: WriteContext = { deviceId: 'dev-o', org: ORG, userId: 's1' };
const phone = (id: string, value: string): Change => ({
  entity: 'patient',
  id,
  set: { phone: value },
});

/** Counts the outbox records IndexedDB hands to the write path (reads and cursors). */
function countOutboxReads(db: EscaleDb): { records: number } {
  const seen = { records: 0 };
  db.use({
    stack: 'dbcore',
    name: 'test-count-outbox-records',
    level: 100,
    create: (down: DBCore): Partial<DBCore> => ({
      ...down,
      table(name: string): DBCoreTable {
        const table = down.table(name);
        if (name !== 'outbox') return table;
        return {
          ...table,
          query: async (req) => {
            const res = await table.query(req);
            seen.records += res.result.length;
            return res;
          },
          get: async (req) => {
            const res = await table.get(req);
            if (res !== undefined) seen.records += 1;
            return res;
          },
          getMany: async (req) => {
            const res = await table.getMany(req);
            seen.records += res.filter((x) => x !== undefined).length;
            return res;
          },
        };
      },
    }),
  });
  return seen;
}

describe('the outbox of one record per action', () => {
  it('keeps an action’s ops in one record, in order, under the key of its last op', async () => {
    const db = openTestDb();
    const first = await writeChanges(db, ctx, [newPatient('p1'), newPatient('p2', 2)]);
    const second = await writeChanges(db, ctx, [newPatient('p3', 3)]);
    expect(first.length).toBeGreaterThan(10);
    const records = await db.outbox.toArray();
    expect(records).toEqual([actionRecord(first), actionRecord(second)]);
    expect(records[0]).toMatchObject({ seq: first.at(-1)!.seq, first: 1, e: 'patient' });
    // The ops in the wire's compact envelope, which gives them back as written, key order too.
    expect(opsOf(records[0]!)).toEqual(first);
    expect(JSON.stringify(opsOf(records[0]!))).toBe(JSON.stringify(first));
    expect(firstOf(records[1]!)).toBe(first.length + 1);
    expect(await outboxOps(db)).toEqual([...first, ...second]);
    // The ops a range asks for by key: every record holding an op above n.
    expect(await outboxOps(db, 3)).toEqual([...first.slice(3), ...second]);
  });

  it('names a clinical entity on a record that holds one, so the middleware seals it', () => {
    const op = (e: string, seq: number) =>
      ({ v: 1, org: ORG, dev: 'd', seq, hlc: `h${seq}`, e, id: 'x', f: '*', k: 'ins' }) as const;
    expect(actionRecord([op('patient', 1), op('audit', 2)]).e).toBe('audit');
    expect(actionRecord([op('patient', 1), op('patient', 2)]).e).toBe('patient');
    expect(() => actionRecord([])).toThrow(/sans opération/);
  });

  it('keeps an action’s ops in a third of the room they take written out', async () => {
    const db = openTestDb();
    const ops = await writeChanges(db, ctx, [newPatient('p1'), newPatient('p2', 2)]);
    const [rec] = await db.outbox.toArray();
    expect('ops' in rec!).toBe(false);
    expect(JSON.stringify(rec).length).toBeLessThan(JSON.stringify(ops).length / 2.5);
    expect(await pendingOpCount(db)).toBe(ops.length);
  });

  it('reads an action’s record of the earlier form, its ops written out, and folds into it', async () => {
    const db = openTestDb();
    const created = await writeChanges(db, ctx, [newPatient('p1')]);
    // What the version before the compact form stored: the same record, the ops as they are.
    const [rec] = await db.outbox.toArray();
    const earlier = { seq: rec!.seq, first: 1, e: 'patient', ops: created };
    await db.outbox.put(earlier);
    expect(opsOf(earlier)).toBe(created);
    expect(await outboxOps(db)).toEqual(created);
    expect(await pendingOpCount(db)).toBe(created.length);
    // An autosave folds into it: the record is written again, in the compact form.
    await writeChanges(db, ctx, [phone('p1', '06 01')]);
    const [again] = await db.outbox.toArray();
    expect('ops' in again!).toBe(false);
    const phoneOp = created.find((o) => o.f === 'phone')!;
    expect(opsOf(again!).find((o) => o.f === 'phone')).toMatchObject({
      seq: phoneOp.seq,
      val: '06 01',
    });
    expect(opsOf(again!).filter((o) => o.f !== 'phone')).toEqual(
      created.filter((o) => o.f !== 'phone'),
    );
  });

  it('reads a record an earlier version wrote, one op alone, as an action of one op', async () => {
    const db = openTestDb();
    const [op] = await writeChanges(db, ctx, [phone('p9', '06')]);
    expect(opsOf(op!)).toEqual([op]);
    expect(firstOf(op!)).toBe(op!.seq);
    expect(firstOf({ seq: 7, first: 5 })).toBe(5);
  });

  it('folds an autosave into the earlier action’s record, opening that record only', async () => {
    const db = openTestDb();
    const created = await writeChanges(db, ctx, [newPatient('p1')]);
    // Other actions wait in the outbox beside it: none is read to fold the autosave.
    for (let i = 0; i < 20; i++) await writeChanges(db, ctx, [newPatient(`q${i}`, i)]);
    const reads = countOutboxReads(db);
    await writeChanges(db, ctx, [phone('p1', '06')]);
    await writeChanges(db, ctx, [phone('p1', '06 12 34 56 78')]);
    // Both fold into the registration's phone op (never offered): each opens one record.
    expect(reads.records).toBeLessThanOrEqual(2);
    expect(await db.outbox.count()).toBe(21);
    const [rec] = await db.outbox.where('seq').aboveOrEqual(1).limit(1).toArray();
    const held = opsOf(rec!).filter((op) => op.f === 'phone');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({
      val: '06 12 34 56 78',
      seq: created.find((o) => o.f === 'phone')!.seq,
    });
    expect((await db.rows('patient').get('p1'))?.phone).toBe('06 12 34 56 78');
  });

  it('folds nothing into an op once a push may have taken it (`offered` raised)', async () => {
    const db = openTestDb();
    await writeChanges(db, ctx, [newPatient('p1')]);
    await updateWriter(db, { offered: (await getWriter(db)).lastSeq });
    const later = await writeChanges(db, ctx, [phone('p1', '07')]);
    expect(later[0]!.seq).toBe((await getWriter(db)).lastSeq!);
    expect(await db.outbox.count()).toBe(2);
  });

  it('refuses a row id no store keeps, in French, and stores nothing', async () => {
    const db = openTestDb();
    await expect(writeChanges(db, ctx, [phone('p\u0000', '06')])).rejects.toThrow(
      /Identifiant de ligne invalide pour patient/,
    );
    await expect(writeChanges(db, ctx, [phone('x'.repeat(65), '06')])).rejects.toThrow(
      /Identifiant de ligne invalide/,
    );
    expect(await db.outbox.count()).toBe(0);
    expect((await getWriter(db)).lastSeq).toBeUndefined();
  });
});
