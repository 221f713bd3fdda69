// Merge rules per field kind (decision 0001), on the toy registry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyncValidationError } from '../../src/sync/errors';
import {
  applyOp,
  baseOf,
  conflictsOf,
  materialise,
  partitionBySchema,
  type RowState,
  tagsOf,
} from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { op, set } from './ops';
import { toyRegistry } from './toy-registry';

/** Apply ops in the given order to one row. */
const row = (ops: Op[]): RowState => {
  let r: RowState | undefined;
  for (const o of ops) r = applyOp(r, o, toyRegistry);
  return r!;
};
/** Every order of the ops, for small example sets. */
const orders = <T>(xs: T[]): T[][] =>
  xs.length <= 1
    ? [xs]
    : xs.flatMap((x, i) =>
        orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]),
      );

const S = (status: string, epoch: number, rank: number) => ({ status, epoch, rank });

describe('lww register', () => {
  it('a later write that saw the previous one replaces it, even with an older clock', () => {
    const a = set('a', 100, 'n', 'title', 'avant');
    const b = set('b', 5, 'n', 'title', 'après', [a.hlc]);
    for (const o of orders([a, b])) {
      expect(materialise(row(o), toyRegistry).title).toBe('après');
      expect(baseOf(row(o), 'title')).toEqual([b.hlc]);
    }
  });

  it('concurrent writes: the greatest hlc wins; a clinical field shows a conflict, a plain one does not', () => {
    const d1 = set('a', 10, 'n', 'dose', 5, [], 'dr-a');
    const d2 = set('b', 20, 'n', 'dose', 8, [], 'dr-b');
    const t1 = set('a', 10, 'n', 'title', 'x');
    const t2 = set('b', 20, 'n', 'title', 'y');
    for (const o of orders([d1, d2, t1, t2])) {
      const r = row(o);
      expect(materialise(r, toyRegistry)).toMatchObject({ dose: 8, title: 'y' });
      expect(conflictsOf(r, toyRegistry)).toEqual([
        {
          entity: 'note',
          id: 'n',
          field: 'dose',
          kind: 'concurrent_edit',
          versions: [
            { value: 5, hlc: d1.hlc, user: 'dr-a' },
            { value: 8, hlc: d2.hlc, user: 'dr-b' },
          ],
        },
      ]);
    }
  });

  it('concurrent writes of the same clinical value are not a conflict', () => {
    const r = row([set('a', 10, 'n', 'dose', 5), set('b', 20, 'n', 'dose', 5)]);
    expect(conflictsOf(r, toyRegistry)).toEqual([]);
  });

  it('del writes the _deleted register; a later restore that saw it wins', () => {
    const t = set('a', 1, 'n', 'title', 'x');
    const del = op('b', 2, { e: 'note', id: 'n', f: '_deleted', k: 'del', val: true, base: [] });
    expect(materialise(row([t, del]), toyRegistry)).toMatchObject({
      id: 'n',
      title: 'x',
      _deleted: true,
    });
    const restore = set('c', 3, 'n', '_deleted', false, [del.hlc]);
    expect(materialise(row([restore, t, del]), toyRegistry)._deleted).toBe(false);
  });
});

describe('status register', () => {
  const called = set('a', 10, 'q', 'status', S('called', 0, 1));

  it('a stale "called" (epoch 0) never overrides a requeue (epoch 1), whatever the clocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.boolean(),
        (t1, t2, sawCall) => {
          const requeue = set(
            'b',
            t1,
            'q',
            'status',
            S('waiting', 1, 0),
            sawCall ? [called.hlc] : [],
          );
          const stale = set('c', t2, 'q', 'status', S('called', 0, 1), sawCall ? [called.hlc] : []);
          for (const o of orders([called, requeue, stale])) {
            expect(materialise(row(o), toyRegistry).status).toEqual(S('waiting', 1, 0));
          }
        },
      ),
    );
  });

  it('progress within an epoch wins by rank, not by clock', () => {
    const inConsult = set('b', 5, 'q', 'status', S('in_consultation', 0, 2));
    const waiting = set('c', 50, 'q', 'status', S('waiting', 0, 0));
    expect(materialise(row([inConsult, waiting]), toyRegistry).status).toEqual(
      S('in_consultation', 0, 2),
    );
  });

  it('a reversal concurrent with progress from the same base yields exactly one conflict', () => {
    const requeue = set('b', 20, 'q', 'status', S('waiting', 1, 0), [called.hlc], 'acc');
    const progress = set('c', 30, 'q', 'status', S('in_consultation', 0, 2), [called.hlc], 'dr');
    for (const o of orders([called, requeue, progress])) {
      const conflicts = conflictsOf(row(o), toyRegistry);
      expect(conflicts).toEqual([
        {
          entity: 'note',
          id: 'q',
          field: 'status',
          kind: 'reversal_vs_progress',
          versions: [
            { value: S('waiting', 1, 0), hlc: requeue.hlc, user: 'acc' },
            { value: S('in_consultation', 0, 2), hlc: progress.hlc, user: 'dr' },
          ],
        },
      ]);
    }
  });

  it('a reversal followed by progress that saw it is no conflict', () => {
    const requeue = set('b', 20, 'q', 'status', S('waiting', 1, 0), [called.hlc]);
    const recall = set('c', 30, 'q', 'status', S('called', 1, 1), [requeue.hlc]);
    const r = row([recall, called, requeue]);
    expect(conflictsOf(r, toyRegistry)).toEqual([]);
    expect(materialise(r, toyRegistry).status).toEqual(S('called', 1, 1));
  });

  it('two concurrent progressions in one epoch are not a reversal conflict', () => {
    const a = set('b', 20, 'q', 'status', S('in_consultation', 0, 2), [called.hlc]);
    const b = set('c', 30, 'q', 'status', S('done', 0, 3), [called.hlc]);
    expect(conflictsOf(row([called, a, b]), toyRegistry)).toEqual([]);
  });
});

describe('add-wins set', () => {
  const add = (dev: string, ms: number, val: unknown) =>
    op(dev, ms, { e: 'note', id: 'n', f: 'tags', k: 'add', val });
  const rem = (dev: string, ms: number, val: unknown, tags: string[]) =>
    op(dev, ms, { e: 'note', id: 'n', f: 'tags', k: 'rem', val, tags });

  it('a concurrent add and remove of the same element keeps it', () => {
    const a1 = add('a', 1, 'pénicilline');
    const r = rem('b', 50, 'pénicilline', [a1.hlc]);
    const a2 = add('c', 2, 'pénicilline');
    for (const o of orders([a1, r, a2])) {
      const state = row(o);
      expect(materialise(state, toyRegistry).tags).toEqual(['pénicilline']);
      expect(tagsOf(state, 'tags', 'pénicilline')).toEqual([a2.hlc]);
    }
  });

  it('a remove of every observed tag removes the element, in any order', () => {
    const a1 = add('a', 1, 'x');
    const a2 = add('b', 2, 'y');
    const r = rem('c', 3, 'x', [a1.hlc]);
    for (const o of orders([a1, a2, r]))
      expect(materialise(row(o), toyRegistry).tags).toEqual(['y']);
  });

  it('object elements are one element whatever their key order, materialised sorted', () => {
    const a = add('a', 1, { label: 'l', code: 'A' });
    const b = add('b', 2, { code: 'A', label: 'l' });
    const c = add('c', 3, 'z');
    const r1 = row([a, b, c]);
    const r2 = row([c, b, a]);
    expect(JSON.stringify(r1)).toBe(JSON.stringify(r2));
    expect(materialise(r1, toyRegistry).tags).toEqual(['z', { code: 'A', label: 'l' }]);
  });

  it('an untouched set field materialises as an empty list', () => {
    expect(materialise(row([set('a', 1, 'n', 'title', 't')]), toyRegistry).tags).toEqual([]);
  });
});

describe('immutable rows', () => {
  const ins = (dev: string, ms: number, val: unknown) =>
    op(dev, ms, { e: 'vital', id: 'v', f: '*', k: 'ins', val });

  it('the insert with the smallest hlc is the row; a different second insert is a conflict', () => {
    const first = ins('a', 1, { value: 120, by: 'x' });
    const second = ins('b', 2, { value: 90, by: 'y' });
    for (const o of orders([first, second])) {
      const r = row(o);
      expect(materialise(r, toyRegistry)).toEqual({
        value: 120,
        by: 'x',
        id: 'v',
        _deleted: false,
      });
      const conflicts = conflictsOf(r, toyRegistry);
      expect(conflicts.map((c) => [c.kind, c.versions.map((v) => v.hlc)])).toEqual([
        ['duplicate_insert', [first.hlc, second.hlc]],
      ]);
    }
  });

  it('the same row inserted twice (another key order) is no conflict', () => {
    const r = row([ins('a', 1, { value: 120, by: 'x' }), ins('b', 2, { by: 'x', value: 120 })]);
    expect(conflictsOf(r, toyRegistry)).toEqual([]);
  });

  it('refuses anything but an insert on an event entity, and an insert elsewhere', () => {
    const edit = op('a', 1, { e: 'vital', id: 'v', f: 'value', k: 'set', val: 3 });
    expect(() => applyOp(undefined, edit, toyRegistry)).toThrow(
      expect.objectContaining({ code: 'wrong_kind' }),
    );
    const insNote = op('a', 1, { e: 'note', id: 'n', f: '*', k: 'ins', val: {} });
    expect(() => applyOp(undefined, insNote, toyRegistry)).toThrow(SyncValidationError);
  });
});

describe('applyOp refuses what it cannot place', () => {
  it.each([
    ['unknown_entity', op('a', 1, { e: 'ghost', id: 'x', f: 'title', k: 'set', val: 1 })],
    ['unknown_field', op('a', 1, { e: 'note', id: 'x', f: 'ghost', k: 'set', val: 1 })],
    ['unknown_field', op('a', 1, { e: 'note', id: 'x', f: 'constructor', k: 'set', val: 1 })],
    ['wrong_kind', op('a', 1, { e: 'note', id: 'x', f: 'tags', k: 'set', val: ['a'] })],
    ['wrong_kind', op('a', 1, { e: 'note', id: 'x', f: 'title', k: 'add', val: 'a' })],
  ])('%s', (code, bad) => {
    expect(() => applyOp(undefined, bad, toyRegistry)).toThrow(expect.objectContaining({ code }));
  });

  it('an op for another row', () => {
    const r = row([set('a', 1, 'n1', 'title', 'x')]);
    expect(() => applyOp(r, set('a', 2, 'n2', 'title', 'y'), toyRegistry)).toThrow(
      /mauvaise ligne/,
    );
  });
});

describe('partitionBySchema', () => {
  it('parks ops from a newer schema, in order, and applies the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (versions, mine) => {
          const ops = versions.map((v, i) => ({ ...set('a', i, 'n', 'title', 'x'), v }));
          const { apply, park } = partitionBySchema(ops, mine);
          expect(apply).toEqual(ops.filter((o) => o.v <= mine));
          expect(park).toEqual(ops.filter((o) => o.v > mine));
        },
      ),
    );
  });
});
