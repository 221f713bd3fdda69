// Pure pieces of the fleet bench (server-fleet.ts), apart so tests/bench can check them: the
// knee of a ramp, where each truck starts its day, and the size-bounded pages a relay forwards.
import { percentile } from './lib';

/** One load of the ramp: how many trucks, what central answered. */
export interface RampStep {
  trucks: number;
  /** p99 of central's answers (ms); null when nothing was answered. */
  p99: number | null;
  errors: number;
}

/** Whether a step meets the goal: answers within `goalMs` at p99 and no error. */
export function stepMeets(step: RampStep, goalMs: number): boolean {
  return step.errors === 0 && step.p99 !== null && step.p99 <= goalMs;
}

/**
 * The knee: the largest load of the ramp that meets the goal with every smaller load meeting it
 * too (a ramp is read from the bottom: a lucky step above a failed one does not count). 0 when
 * the smallest load already misses; `reached` says whether any step missed at all (if none did,
 * the knee is only a lower bound).
 */
export function kneeOf(
  steps: readonly RampStep[],
  goalMs: number,
): { trucks: number; reached: boolean } {
  const sorted = [...steps].sort((a, b) => a.trucks - b.trucks);
  let trucks = 0;
  for (const s of sorted) {
    if (!stepMeets(s, goalMs)) return { trucks, reached: true };
    trucks = s.trucks;
  }
  return { trucks, reached: false };
}

/** Whether the ramp goes on after `step` (it stops at the first miss). */
export function rampContinues(step: RampStep, goalMs: number): boolean {
  return stepMeets(step, goalMs);
}

/**
 * Where a truck starts replaying the day: a uniform draw over the day's actions, leaving
 * `reserve` actions after it so the truck never runs off the end of its day during the bench.
 */
export function startPoint(draw: number, actions: number, reserve: number): number {
  const room = Math.max(1, actions - reserve);
  return Math.min(room - 1, Math.floor(draw * room));
}

/**
 * The ops a relay forwards in one request: the oldest ones whose JSON fits in `budget` bytes
 * (at least one), as the relay's store pages its log (`toForward`).
 */
export function pageOf<T>(items: readonly T[], budget: number, size: (x: T) => number): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const x of items) {
    const n = size(x);
    if (out.length > 0 && bytes + n > budget) break;
    out.push(x);
    bytes += n;
  }
  return out;
}

/** p99 / median of latencies in ms, rounded to 0.1 (null when none). */
export function summary(latencies: readonly number[]): {
  p99: number | null;
  median: number | null;
  max: number | null;
} {
  if (latencies.length === 0) return { p99: null, median: null, max: null };
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    p99: r(percentile(latencies, 99)),
    median: r(percentile(latencies, 50)),
    max: r(Math.max(...latencies)),
  };
}
