import { describe, expect, it } from 'vitest';
import { simulate } from './simulate';

// The full run (200 seeds in CI, 1,000 by hand) is `npm run sim`; here a handful of seeds keep
// the property in the everyday suite.
describe('replication under partitions, loss, duplication, reordering, crashes and skewed clocks', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: every replica converges with nothing lost and no invariant broken`, () => {
      const r = simulate(seed, { steps: 200 });
      expect(r.violations).toEqual([]);
      expect(r.lostWrites).toBe(0);
      expect(r.converged).toBe(true);
      expect(r.stats.ops).toBeGreaterThan(500);
    });
  }

  it('exercises the hard cases: reversals, concurrent edits and double-booked rooms happen', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => simulate(seed, { steps: 200 }));
    expect(runs.some((r) => r.stats.reversals > 0)).toBe(true);
    expect(runs.some((r) => r.stats.conflicts > 0)).toBe(true);
    expect(runs.some((r) => r.stats.doubleBookings > 0)).toBe(true);
  });
});
