// The join of two merge states of a row (src/sync/join.ts): what a device reloading a snapshot
// writes over a row it holds. It must be the state of every op of either, whatever each side
// received, so a reload never shows an older value than the device showed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinStates } from '../../src/sync/join';
import { conflictsOf, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { pruneRow } from '../../src/sync/prune';
import { applyAll, historyArb, statesJson } from './history';
import { toyRegistry } from './toy-registry';

/** Each op to one side, the other, or both (a snapshot and a device each missing some). */
const split = historyArb.chain((ops) =>
  fc.tuple(
    fc.constant(ops),
    fc.array(fc.integer({ min: 0, max: 2 }), { minLength: ops.length, maxLength: ops.length }),
  ),
);

function joinAll(a: Map<string, RowState>, b: Map<string, RowState>): Map<string, RowState> {
  const out = new Map(a);
  for (const [key, row] of b) {
    const held = out.get(key);
    out.set(key, held ? joinStates(held, row) : row);
  }
  return out;
}

describe('joinStates', () => {
  it('holds the ops of both sides: the join of two partial folds is the fold of their union', () => {
    fc.assert(
      fc.property(split, ([ops, sides]) => {
        const a = ops.filter((_, i) => sides[i] !== 1);
        const b = ops.filter((_, i) => sides[i] !== 0);
        expect(statesJson(joinAll(applyAll(a), applyAll(b)))).toBe(statesJson(applyAll(ops)));
      }),
      { numRuns: 300 },
    );
  });

  it('is commutative and idempotent', () => {
    fc.assert(
      fc.property(split, ([ops, sides]) => {
        const a = applyAll(ops.filter((_, i) => sides[i] !== 1));
        const b = applyAll(ops.filter((_, i) => sides[i] !== 0));
        expect(statesJson(joinAll(a, b))).toBe(statesJson(joinAll(b, a)));
        expect(statesJson(joinAll(a, a))).toBe(statesJson(a));
      }),
      { numRuns: 200 },
    );
  });
});

const pruneAll = (rows: Map<string, RowState>, h: string | null) =>
  h === null ? rows : new Map([...rows].map(([k, r]) => [k, pruneRow(r, h)]));

/**
 * Two replicas of a history, each pruned at its own horizon (or none) whose precondition holds —
 * it holds every op at or below it — and some of the other ops, any of them on both sides: a
 * snapshot pruned at the organisation's horizon and a device's rows, pruned or not.
 */
const prunedSides = historyArb.chain((ops) =>
  fc
    .record({
      ha: fc.option(fc.nat(), { nil: null }),
      hb: fc.option(fc.nat(), { nil: null }),
      sides: fc.array(fc.integer({ min: 0, max: 2 }), {
        minLength: ops.length,
        maxLength: ops.length,
      }),
    })
    .map(({ ha, hb, sides }) => {
      const clocks = ops.map((o) => o.hlc).sort();
      const pick = (n: number | null) => (n === null ? null : clocks[n % clocks.length]!);
      const [hA, hB] = [pick(ha), pick(hb)];
      const below = (o: Op, h: string | null) => h !== null && o.hlc <= h;
      const a = ops.filter((o, i) => below(o, hA) || sides[i] !== 1);
      const b = ops.filter((o, i) => below(o, hB) || sides[i] !== 0);
      return { ops, hA, hB, a, b };
    }),
);

describe('joinStates of pruned sides', () => {
  it('is the fold of the union, pruned at the later horizon: nothing a pruned side superseded comes back', () => {
    fc.assert(
      fc.property(prunedSides, ({ hA, hB, a, b }) => {
        const union = [...new Set([...a, ...b])];
        const joined = joinAll(pruneAll(applyAll(a), hA), pruneAll(applyAll(b), hB));
        const h = [hA ?? '', hB ?? ''].sort()[1] || null;
        const reference = applyAll(union);
        expect(statesJson(pruneAll(joined, h))).toBe(statesJson(pruneAll(reference, h)));
        for (const [key, row] of reference) {
          const got = joined.get(key)!;
          expect(materialise(got, toyRegistry)).toEqual(materialise(row, toyRegistry));
          expect(conflictsOf(got, toyRegistry)).toEqual(conflictsOf(row, toyRegistry));
        }
      }),
      { numRuns: 400 },
    );
  });
});
