import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kneeOf,
  pageOf,
  rampContinues,
  startPoint,
  stepMeets,
  summary,
} from '../../scripts/bench/fleet-model';

describe('the knee of a ramp', () => {
  const step = (trucks: number, p99: number | null, errors = 0) => ({ trucks, p99, errors });

  it('is the largest load before the first step that misses', () => {
    const ramp = [step(25, 40), step(50, 60), step(100, 150), step(200, 260), step(400, 90)];
    // 400 came back under the goal, but a ramp is read from the bottom: 200 missed first.
    expect(kneeOf(ramp, 200)).toEqual({ trucks: 100, reached: true });
  });

  it('counts an error as a miss, whatever the latency', () => {
    expect(kneeOf([step(25, 10), step(50, 12, 1)], 200)).toEqual({ trucks: 25, reached: true });
  });

  it('is 0 when the smallest load misses, and a lower bound when none does', () => {
    expect(kneeOf([step(25, 201)], 200)).toEqual({ trucks: 0, reached: true });
    expect(kneeOf([step(25, 10), step(50, 200)], 200)).toEqual({ trucks: 50, reached: false });
  });

  it('treats a step with no answer as a miss', () => {
    expect(stepMeets(step(25, null), 200)).toBe(false);
    expect(rampContinues(step(25, null), 200)).toBe(false);
  });

  it('never names a load that missed, nor one above a miss', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p99: fc.integer({ min: 0, max: 400 }), errors: fc.nat(2) }), {
          maxLength: 8,
        }),
        (raw) => {
          const ramp = raw.map((r, i) => ({ trucks: 25 * 2 ** i, ...r }));
          const knee = kneeOf(ramp, 200);
          const firstMiss = ramp.find((s) => !stepMeets(s, 200));
          for (const s of ramp) if (s.trucks <= knee.trucks) expect(stepMeets(s, 200)).toBe(true);
          if (firstMiss) expect(knee.trucks).toBeLessThan(firstMiss.trucks);
          expect(knee.reached).toBe(firstMiss !== undefined);
        },
      ),
    );
  });
});

describe('where a truck starts its day', () => {
  it('spreads over the day and leaves the reserve after it', () => {
    expect(startPoint(0, 1000, 200)).toBe(0);
    expect(startPoint(0.5, 1000, 200)).toBe(400);
    expect(startPoint(0.999999, 1000, 200)).toBe(799);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        (d, n) => {
          const s = startPoint(d, n, 260);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThan(Math.max(1, n - 260));
        },
      ),
    );
  });
});

describe('a relay’s page of ops', () => {
  it('takes the oldest that fit, at least one', () => {
    const size = (x: number) => x;
    expect(pageOf([3, 3, 3], 7, size)).toEqual([3, 3]);
    expect(pageOf([10, 1], 5, size)).toEqual([10]);
    expect(pageOf([], 5, size)).toEqual([]);
  });
});

describe('latency summary', () => {
  it('gives the nearest-rank p99 and the median', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summary(xs)).toEqual({ p99: 99, median: 50, max: 100 });
    expect(summary([])).toEqual({ p99: null, median: null, max: null });
  });
});
