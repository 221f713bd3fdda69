// The merge as a CRDT: any order, any duplication of the same ops gives the same state, and no
// op is lost without a trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestRows } from '../../src/sync/digest';
import { applyOp, baseOf, conflictsOf, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { applyAll, historyArb, statesJson } from './history';
import { op } from './ops';
import { toyRegistry } from './toy-registry';

/** A history and a delivery of it: any order, with some ops delivered several times. */
const delivery = historyArb.chain((ops) =>
  fc
    .tuple(
      fc.shuffledSubarray(ops, { minLength: ops.length, maxLength: ops.length }),
      fc.array(fc.constantFrom(...ops), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 20 }),
    )
    .map(([perm, dups, positions]) => {
      const delivered = [...perm];
      for (const [i, d] of dups.entries()) {
        delivered.splice((positions[i] ?? 0) % (delivered.length + 1), 0, d);
      }
      return { ops, delivered };
    }),
);

const digest = (rows: Map<string, RowState>) => digestRows([...rows.values()]);

describe('applyOp converges', () => {
  it('any permutation with duplicates gives JSON-identical states and the same digest', () => {
    fc.assert(
      fc.property(delivery, ({ ops, delivered }) => {
        const inOrder = applyAll(ops);
        const shuffled = applyAll(delivered);
        expect(statesJson(shuffled)).toBe(statesJson(inOrder));
        expect(digest(shuffled)).toBe(digest(inOrder));
        for (const [key, row] of inOrder) {
          const other = shuffled.get(key)!;
          expect(materialise(other, toyRegistry)).toEqual(materialise(row, toyRegistry));
          expect(conflictsOf(other, toyRegistry)).toEqual(conflictsOf(row, toyRegistry));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is associative: applying a batch to a replica that holds another batch = applying both', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (ops, n) => {
        const cut = n % (ops.length + 1);
        const first = applyAll(ops.slice(0, cut));
        for (const o of ops.slice(cut)) {
          const key = `${o.e}/${o.id}`;
          first.set(key, applyOp(first.get(key), o, toyRegistry));
        }
        expect(statesJson(first)).toBe(
          statesJson(applyAll([...ops.slice(cut).reverse(), ...ops.slice(0, cut)])),
        );
      }),
    );
  });

  it('returns the very same row when an op is applied again (idempotent, no copy)', () => {
    fc.assert(
      fc.property(historyArb, (ops) => {
        const rows = applyAll(ops);
        for (const o of ops) {
          const row = rows.get(`${o.e}/${o.id}`)!;
          expect(applyOp(row, o, toyRegistry)).toBe(row);
        }
      }),
    );
  });
});

describe('nothing is silently lost', () => {
  it('every register write is a head, or superseded by a received op whose base names it', () => {
    fc.assert(
      fc.property(historyArb, (ops) => {
        const rows = applyAll(ops);
        const named = new Set(ops.flatMap((o) => o.base ?? []));
        for (const o of ops) {
          const row = rows.get(`${o.e}/${o.id}`)!;
          if (o.k === 'set' || o.k === 'del') {
            const st = row.f[o.f]!;
            if (st.t !== 'r') throw new Error('register expected');
            const isHead = st.heads.some((h) => h.h === o.hlc);
            const isDominated = st.dom.includes(o.hlc);
            expect(isHead !== isDominated).toBe(true);
            if (isDominated) expect(named.has(o.hlc)).toBe(true);
            if (isHead)
              expect(st.heads.find((h) => h.h === o.hlc)?.v).toEqual(o.k === 'del' ? true : o.val);
          } else if (o.k === 'add') {
            const st = row.f.tags!;
            if (st.t !== 's') throw new Error('set expected');
            const live = Object.values(st.el).some((el) => el.tags.includes(o.hlc));
            const removed = ops.some((r) => r.k === 'rem' && r.tags?.includes(o.hlc));
            expect(live).toBe(!removed);
            expect(st.rm.includes(o.hlc)).toBe(removed);
          } else if (o.k === 'rem') {
            const st = row.f.tags!;
            expect(st.t === 's' && st.rm.includes(o.hlc)).toBe(true);
          } else {
            const st = row.f['*']!;
            if (st.t !== 'i') throw new Error('insert expected');
            expect([st.h, ...st.others.map((x) => x.h)]).toContain(o.hlc);
          }
        }
      }),
    );
  });

  it('keeps arrays sorted (canonical state)', () => {
    fc.assert(
      fc.property(historyArb, (ops) => {
        const sorted = (xs: string[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
        for (const row of applyAll(ops).values()) {
          expect(sorted(Object.keys(row.f))).toBe(true);
          for (const st of Object.values(row.f)) {
            if (st.t === 'r') expect(sorted(st.heads.map((h) => h.h)) && sorted(st.dom)).toBe(true);
            if (st.t === 's') {
              expect(sorted(st.rm)).toBe(true);
              for (const el of Object.values(st.el))
                expect(el.tags.length > 0 && sorted(el.tags)).toBe(true);
            }
            if (st.t === 'i')
              expect(sorted(st.others.map((x) => x.h)) && st.others.every((x) => x.h > st.h)).toBe(
                true,
              );
          }
        }
      }),
    );
  });
});

describe('resolution', () => {
  it('an ordinary set whose base lists every head collapses them to itself', () => {
    fc.assert(
      fc.property(historyArb, (ops) => {
        const rows = applyAll(ops);
        for (const row of rows.values()) {
          if (row.e !== 'note') continue;
          for (const field of ['title', 'dose', 'status', '_deleted']) {
            const base = baseOf(row, field);
            if (base.length < 2) continue;
            const val =
              field === 'dose'
                ? 7
                : field === 'title'
                  ? 'résolu'
                  : field === '_deleted'
                    ? false
                    : { status: 'done', epoch: 0, rank: 3 };
            // Stamped *before* the heads: the resolution still wins, it has seen them.
            const resolution = op('coord', -1_000_000, {
              e: 'note',
              id: row.id,
              f: field,
              k: 'set',
              val,
              base,
            });
            const after = applyOp(row, resolution, toyRegistry);
            const st = after.f[field]!;
            expect(st.t === 'r' && st.heads.map((h) => h.h)).toEqual([resolution.hlc]);
            expect(conflictsOf(after, toyRegistry).filter((c) => c.field === field)).toEqual([]);
            if (field !== '_deleted') expect(materialise(after, toyRegistry)[field]).toEqual(val);
          }
        }
      }),
    );
  });
});

// Speed is measured by `npm run bench` (client.apply_ops_per_s), never by a timed test.
describe('a long replay', () => {
  it('rebuilds 2,000 rows from 24,000 ops in the order they were written', () => {
    // 2,000 rows of five fields, each written three times in sequence, plus set adds: 40,000 ops.
    const ops: Op[] = [];
    const rows = new Map<string, RowState>();
    let ms = 0;
    for (let r = 0; r < 2000; r++) {
      const id = `row-${r}`;
      for (let round = 0; round < 3; round++) {
        for (const f of ['title', 'dose', 'status']) {
          const row = rows.get(id);
          const val =
            f === 'title'
              ? `t${round}`
              : f === 'dose'
                ? round
                : { status: 'called', epoch: 0, rank: round };
          const o = op('perf', ms++, {
            e: 'note',
            id,
            f,
            k: 'set',
            val,
            base: baseOf(row, f),
            user: 'u',
          });
          rows.set(id, applyOp(row, o, toyRegistry));
          ops.push(o);
        }
        const o = op('perf', ms++, { e: 'note', id, f: 'tags', k: 'add', val: `x${round}` });
        rows.set(id, applyOp(rows.get(id), o, toyRegistry));
        ops.push(o);
      }
    }
    const replica = new Map<string, RowState>();
    for (const o of ops) replica.set(o.id, applyOp(replica.get(o.id), o, toyRegistry));
    expect(ops).toHaveLength(24_000);
    expect(replica.size).toBe(2000);
    for (const id of ['row-0', 'row-7', 'row-1999']) expect(replica.get(id)).toEqual(rows.get(id));
  });
});
