// The join of two merge states of a row (src/sync/join.ts): what a device reloading a snapshot
// writes over a row it holds. It must be the state of every op of either, whatever each side
// received, so a reload never shows an older value than the device showed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinStates } from '../../src/sync/join';
import type { RowState } from '../../src/sync/merge';
import { applyAll, historyArb, statesJson } from './history';

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
