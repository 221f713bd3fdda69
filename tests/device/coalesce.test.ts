// A value superseded before any server saw it is folded into the value that replaced it
// (src/sync/coalesce.ts, issue #18 item 5): a note autosaved ten times offline crosses the link
// once. The fold must never change what any replica ends up holding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EscaleDb,
  FOLD_PREFIX,
  getMeta,
  getWriter,
  META,
  updateWriter,
} from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { applyRemote, type Change, type WriteContext, writeChanges } from '../../src/device/write';
import { entitySpec } from '../../src/domain/entities';
import { coalesced, coalescible } from '../../src/sync/coalesce';
import { digestRows } from '../../src/sync/digest';
import type { Op } from '../../src/sync/op';
import type { SeqOp } from '../../src/sync/protocol';
import { ORG } from './fixtures';
import { openTestDb } from './support';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const ctx = (deviceId: string, userId = 's1'): WriteContext => ({
  deviceId,
  org: ORG,
  userId,
  now: () => T0,
});
const asPulled = (ops: readonly Op[], from = 1): SeqOp[] =>
  ops.map((op, i) => ({ s: from + i, op }));

const plan = (text: string): Change => ({ entity: 'consultation', id: 'c1', set: { plan: text } });

/** What a device tells the sync client before a push: everything so far may be sent. */
async function markOffered(db: EscaleDb): Promise<void> {
  await updateWriter(db, { offered: (await getWriter(db)).lastSeq ?? 0 });
}

async function outboxOf(db: EscaleDb, f: string): Promise<Op[]> {
  return (await outboxOps(db)).filter((op) => op.f === f);
}

describe('folding autosaves in the outbox', () => {
  it('a note autosaved three times before any push leaves one op, in the first one’s place', async () => {
    const db = openTestDb();
    const [first] = await writeChanges(db, ctx('dev-a'), [plan('Re')]);
    const count = await db.outbox.count();
    await writeChanges(db, ctx('dev-a'), [plan('Revoir')]);
    const [last] = await writeChanges(db, ctx('dev-a'), [plan('Revoir dans 15 jours')]);

    expect(await db.outbox.count()).toBe(count);
    expect((await getWriter(db)).lastSeq).toBe(first!.seq);
    const [held] = await outboxOf(db, 'plan');
    expect(held).toEqual(last);
    expect(held).toMatchObject({ seq: first!.seq, val: 'Revoir dans 15 jours' });
    expect(held!.base).toBeUndefined(); // the first value superseded nothing; nor does the fold
    expect((await db.rows('consultation').get('c1'))?.plan).toBe('Revoir dans 15 jours');

    // Another replica holding only what the outbox sends ends in the same state, digest included.
    const other = openTestDb();
    await applyRemote(other, asPulled(await outboxOps(db)), 'cp');
    expect(digestRows(await other.states.toArray())).toBe(digestRows(await db.states.toArray()));
  });

  it('the fold index is one meta record per row, whose other fields survive a later write', async () => {
    const db = openTestDb();
    const [plan1, reason1] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'consultation', id: 'c1', set: { plan: 'Re', motif: 'Toux' } },
    ]);
    const foldKeys = async () =>
      (await db.meta.where('key').startsWith(FOLD_PREFIX).primaryKeys()) as string[];
    // One action setting two fields of one row: one record, not one per field.
    expect(await foldKeys()).toEqual([META.fold('consultation', 'c1')]);
    expect(await getMeta(db, META.fold('consultation', 'c1'))).toEqual({
      plan: { seq: plan1!.seq, hlc: plan1!.hlc },
      motif: { seq: reason1!.seq, hlc: reason1!.hlc },
    });
    // A later value of one field folds and updates its entry; the other field's entry is kept,
    // so its own next value still folds.
    const [plan2] = await writeChanges(db, ctx('dev-a'), [plan('Revoir')]);
    expect(plan2).toMatchObject({ seq: plan1!.seq, val: 'Revoir' });
    const [reason2] = await writeChanges(db, ctx('dev-a'), [
      { entity: 'consultation', id: 'c1', set: { motif: 'Toux sèche' } },
    ]);
    expect(reason2).toMatchObject({ seq: reason1!.seq, val: 'Toux sèche' });
    expect(await getMeta(db, META.fold('consultation', 'c1'))).toEqual({
      plan: { seq: plan2!.seq, hlc: plan2!.hlc },
      motif: { seq: reason2!.seq, hlc: reason2!.hlc },
    });
    expect(await outboxOps(db)).toHaveLength(2);
  });

  it('an index of the former per-field form is not read: a value then goes out unfolded', async () => {
    const db = openTestDb();
    const [first] = await writeChanges(db, ctx('dev-a'), [plan('Re')]);
    // A device upgraded from the per-field form: its records name a field; the row has none.
    await db.meta.delete(META.fold('consultation', 'c1'));
    await db.meta.put({
      key: `${FOLD_PREFIX}consultation\u0000c1\u0000plan`,
      value: { seq: first!.seq, hlc: first!.hlc },
    });
    const [second] = await writeChanges(db, ctx('dev-a'), [plan('Revoir')]);
    expect(second!.seq).toBe(first!.seq + 1);
    expect(second!.base).toEqual([first!.hlc]);
    // From then on the row's record exists, and the next value folds.
    const [third] = await writeChanges(db, ctx('dev-a'), [plan('Revoir dans 15 jours')]);
    expect(third!.seq).toBe(second!.seq);
  });

  it('a value a server may have received is never replaced: the next one names it', async () => {
    const db = openTestDb();
    const [first] = await writeChanges(db, ctx('dev-a'), [plan('Revoir')]);
    await markOffered(db);
    const [second] = await writeChanges(db, ctx('dev-a'), [plan('Revoir dans 15 jours')]);
    expect(second!.seq).toBe(first!.seq + 1);
    expect(second!.base).toEqual([first!.hlc]);
    expect(await outboxOf(db, 'plan')).toHaveLength(2);
  });

  it('never folds across a signature, nor another person’s value, nor a status', async () => {
    const db = openTestDb();
    await writeChanges(db, ctx('dev-a'), [plan('Revoir')]);
    await writeChanges(db, ctx('dev-a'), [
      {
        entity: 'signature',
        id: 'sig1',
        insert: {
          orgId: ORG,
          consultationId: 'c1',
          kind: 'author',
          staffId: 's1',
          at: '2026-11-23T08:10:00.000Z',
          contentHash: 'h1',
          comment: null,
        },
      },
    ]);
    await writeChanges(db, ctx('dev-a'), [plan('Revoir dans 15 jours')]);
    expect((await outboxOf(db, 'plan')).map((op) => op.val)).toEqual([
      'Revoir',
      'Revoir dans 15 jours',
    ]);

    await writeChanges(db, ctx('dev-a', 's2'), [plan('Autre médecin')]);
    expect(await outboxOf(db, 'plan')).toHaveLength(3);

    const status = (s: 'called' | 'in_consultation', rank: number): Change => ({
      entity: 'queueEntry',
      id: 'q1',
      set: { status: { status: s, epoch: 0, rank } },
    });
    await writeChanges(db, ctx('dev-a'), [status('called', 1)]);
    await writeChanges(db, ctx('dev-a'), [status('in_consultation', 2)]);
    expect(await outboxOf(db, 'status')).toHaveLength(2);
  });

  it('the pure rule: same register, same writer, written over it, last-writer-wins only', () => {
    const prev: Op = {
      v: 7,
      org: ORG,
      dev: 'dev-a',
      seq: 4,
      hlc: '0001',
      user: 's1',
      e: 'consultation',
      id: 'c1',
      f: 'plan',
      k: 'set',
      val: 'a',
      base: ['0000'],
    };
    const next: Op = { ...prev, seq: 9, hlc: '0003', val: 'b', base: ['0001', '0002'] };
    expect(coalescible(prev, next, entitySpec)).toBe(true);
    expect(coalesced(prev, next)).toEqual({ ...next, seq: 4, base: ['0000', '0002'] });
    expect(coalescible(prev, { ...next, base: ['0002'] }, entitySpec)).toBe(false);
    expect(coalescible(prev, { ...next, user: 's2' }, entitySpec)).toBe(false);
    expect(coalescible(prev, { ...next, id: 'c2' }, entitySpec)).toBe(false);
    expect(coalescible(prev, { ...next, f: 'motif' }, entitySpec)).toBe(false);
    expect(
      coalescible({ ...prev, f: 'codes', k: 'add' }, { ...next, f: 'codes' }, entitySpec),
    ).toBe(false);
  });

  it('replicas converge whatever was folded, pulled and pushed in between (property)', async () => {
    const field = fc.constantFrom('birthName', 'usedName', 'phone');
    const value = fc.constantFrom('A', 'B', 'C', 'D');
    const write = fc.record({ id: fc.constantFrom('p1', 'p2'), field, value });
    // A's life: writes, pulls of B's ops, and pushes (everything so far is offered and sent).
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        writes: fc.array(write, { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('pull' as const), count: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('push' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.array(fc.array(write, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 5 }),
        async (steps, writesB) => {
          const a = openTestDb();
          const b = openTestDb();
          const toChanges = (ws: readonly { id: string; field: string; value: string }[]) =>
            ws.map((w) => ({ entity: 'patient', id: w.id, set: { [w.field]: w.value } }) as Change);
          for (const ws of writesB) {
            await markOffered(b); // B sends each write at once: nothing of B's is folded
            await writeChanges(b, ctx('dev-b', 's2'), toChanges(ws));
          }
          const fromB = await outboxOps(b);
          let pulled = 0;
          const sent: Op[] = [];
          const push = async () => {
            const before = sent.length === 0 ? 0 : sent[sent.length - 1]!.seq;
            await markOffered(a);
            sent.push(...(await outboxOps(a, before)));
          };
          for (const s of steps) {
            if (s.kind === 'write') await writeChanges(a, ctx('dev-a'), toChanges(s.writes));
            else if (s.kind === 'pull') {
              const page = fromB.slice(pulled, pulled + s.count);
              await applyRemote(a, asPulled(page, pulled + 1), 'cp');
              pulled += page.length;
            } else await push();
          }
          await push();
          await applyRemote(a, asPulled(fromB.slice(pulled), pulled + 1), 'cp');

          // A's log, as servers received it, is gapless: 1, 2, 3…
          expect(sent.map((op) => op.seq)).toEqual(sent.map((_, i) => i + 1));
          // B, and a fresh replica hearing both in another order, hold exactly what A holds.
          await applyRemote(b, asPulled(sent, fromB.length + 1), 'cp');
          const fresh = openTestDb();
          await applyRemote(fresh, asPulled([...sent].reverse()), 'cp');
          await applyRemote(fresh, asPulled(fromB, sent.length + 1), 'cp');
          const digestA = digestRows(await a.states.toArray());
          expect(digestRows(await b.states.toArray())).toBe(digestA);
          expect(digestRows(await fresh.states.toArray())).toBe(digestA);
          expect(await b.table('patient').toArray()).toEqual(await a.table('patient').toArray());
          a.close();
          b.close();
          fresh.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
