import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { type SimResult, simulate } from './simulate';

// The full run (200 seeds in CI, 1,000 by hand) is `npm run sim`; here a handful of seeds of the
// same simulation over the real parts keep the property in the everyday suite, and show that the
// hard cases the checks are about do happen.
// Seeds where, at 60 steps a day, the hard cases below all occur. A seed fixes its whole course
// (docs/decisions/0013, and the last test here), but a change to the workload or to the code
// under test moves which seed shows a rare case (a room signing offline happens in about one seed
// in five): the hard-case test then runs further seeds, each checked like the others, until every
// case has happened (at most EXTRA). The 200 seeds of CI and the 1,000 run by hand cover the rest.
const SEEDS = [2, 5, 10, 11, 13, 14];
const EXTRA = Array.from({ length: 30 }, (_, i) => 101 + i);
const runs = new Map<number, SimResult>();

/**
 * Runs `f` and returns what of it was timed by the host rather than by the simulation: each
 * callback of a job done on libuv's thread pool or another thread (zlib, crypto, files, a worker's
 * message), and each timer that fired, by kind. The event loop's own queues (promises, ticks,
 * immediates — fake IndexedDB's transactions) run in an order the code fixes; these end when the
 * host has done them, so the requests of devices syncing meanwhile would interleave with them
 * differently on a slower or busier machine.
 */
async function hostTimed(f: () => Promise<unknown>): Promise<Record<string, number>> {
  const inLoop = new Set(['PROMISE', 'TickObject', 'Immediate', 'Microtask']);
  const kinds = new Map<number, string>();
  const fired: Record<string, number> = {};
  const hook = createHook({
    init(id, type) {
      if (inLoop.has(type) || type.includes(':')) return; // ':': a library's AsyncResource
      // Node's HTTP Date header cache (light-my-request's answers) is cleared each second: it
      // changes a header nobody reads (server time travels in the sync answer's body).
      if (type === 'Timeout' && new Error().stack?.includes('utcDate')) return;
      kinds.set(id, type);
    },
    before(id) {
      const kind = kinds.get(id);
      if (kind) fired[kind] = (fired[kind] ?? 0) + 1;
    },
  });
  hook.enable();
  try {
    await f();
  } finally {
    hook.disable();
  }
  return fired;
}

async function run(seed: number): Promise<SimResult> {
  const known = runs.get(seed);
  if (known) return known;
  // With the truck's coordination tablet (every day has it): its pruning behind the relay is a
  // hard case below.
  const r = await simulate(seed);
  runs.set(seed, r);
  return r;
}

describe('a day of devices, relay and central under partitions, loss, duplication, reordering, crashes, skewed clocks, a lost relay disk and poison ops', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every replica converges, nothing is lost, no invariant is broken, no contradiction is silent`, async () => {
      const r = await run(seed);
      expect(r.violations).toEqual([]);
      expect(r.silent).toEqual([]);
      expect(r.lostWrites).toBe(0);
      expect(r.converged).toBe(true);
      // A day with substance, so that converging means something: seeds draw 29–85 actions
      // (280–780 ops) on today's code.
      expect(r.stats.writes).toBeGreaterThan(20);
      expect(r.stats.ops).toBeGreaterThan(200);
    }, 120_000);
  }

  it('makes the hard cases happen: stale calls, two rooms taking one patient in, ends on a patient in care, notes signed offline, objections to sharing made and lifted, a lost relay disk, poison ops, a device joining mid-day, pruning behind the relay, pruned snapshots', async () => {
    const all = await Promise.all(SEEDS.map((s) => run(s)));
    const sum = (f: (r: SimResult) => number) => all.reduce((n, r) => n + f(r), 0);
    const kinds = () => new Set(all.flatMap((r) => Object.keys(r.stats.contradictions)));
    const cases: [string, () => boolean][] = [
      ['stale calls', () => sum((r) => r.stats.staleCalls) > 0],
      ['double take-ins', () => sum((r) => r.stats.doubleTakeIns) > 0],
      ['ends on a patient in care', () => sum((r) => r.stats.endsOnPatientInCare) > 0],
      ['notes signed offline', () => sum((r) => r.stats.signedOffline) > 0],
      ['objections', () => sum((r) => r.stats.objections) > 0],
      ['relay disk losses', () => sum((r) => r.stats.relayDiskLosses) > 0],
      ['poison ops quarantined', () => sum((r) => r.stats.poisonQuarantined) > 0],
      ['devices joining mid-day', () => sum((r) => r.stats.midDayJoins) > 0],
      [
        'a device behind the relay pruning',
        () => sum((r) => r.stats.devicesPruningBehindRelay) > 0,
      ],
      ['reopens or requeues', () => sum((r) => r.stats.reopens + r.stats.requeues) > 0],
      ['crashes', () => sum((r) => r.stats.crashes) > 0],
      ['dropped answers', () => sum((r) => r.stats.droppedResponses) > 0],
      ['late deliveries', () => sum((r) => r.stats.late) > 0],
      ['two consultations named', () => kinds().has('two_consultations')],
      ['an end on a note named', () => kinds().has('ended_with_note')],
    ];
    const missing = () => cases.filter(([, happened]) => !happened()).map(([name]) => name);
    for (const seed of EXTRA) {
      if (missing().length === 0) break;
      const r = await run(seed);
      // A seed run for its hard cases is held to the same properties as the others.
      expect(r.violations, `seed ${seed}`).toEqual([]);
      expect(r.silent, `seed ${seed}`).toEqual([]);
      expect(r.lostWrites, `seed ${seed}`).toBe(0);
      all.push(r);
    }
    expect(missing()).toEqual([]);
  }, 480_000);

  it('runs a seed the same way twice (a failing seed can be replayed alone)', async () => {
    // With a restore of central, the case whose course used to vary from run to run.
    const once = await simulate(114, { withRestore: true });
    const twice = await simulate(114, { withRestore: true });
    expect(twice.stats).toEqual(once.stats);
    expect(twice.violations).toEqual(once.violations);
    expect(twice.converged).toBe(once.converged);
    expect(once.stats.restores).toBe(1);
  }, 240_000);

  it('lets nothing of a day wait on the host: no thread-pool job and no timer ends during it', async () => {
    // A second laptop joins a room: snapshots are made and served mid-day (their chunks are
    // compressed on the event loop here: tests/sim/world.ts, inLineCodec).
    let day: SimResult | undefined;
    const timed = await hostTimed(async () => {
      day = await simulate(2000, { roomJoiner: true });
    });
    expect(timed).toEqual({});
    expect(day!.stats.snapshots).toBeGreaterThan(0);
    expect(day!.converged).toBe(true);
  }, 120_000);

  it('takes off the truck what central refused after the relay took it: the relay and every device end as central, the writer keeping its op set aside', async () => {
    // Seed 2028 (decision 0033): the second laptop of Salle 4 edits a note the first signed,
    // before the signature reached it; the relay, refilling after losing its disk, takes the edit,
    // central refuses it. Before the mend: « relais ≠ central » and every truck device too.
    const r = await simulate(2028, { roomJoiner: true });
    expect(r.stats.retractions).toBeGreaterThan(0);
    expect(r.stats.refusedKept).toBeGreaterThan(0);
    expect(r.violations).toEqual([]);
    expect(r.silent).toEqual([]);
    expect(r.lostWrites).toBe(0);
    expect(r.converged).toBe(true);
  }, 120_000);
});
