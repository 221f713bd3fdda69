// `npm run sim -- --seeds N [--from S] [--steps K]`: runs the replication simulation over N seeds
// and ends with exactly one summary line.
import { simulate } from '../tests/sim/simulate';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} attend un entier positif`);
  return v;
}

const seeds = arg('seeds', 200);
const from = arg('from', 1);
const steps = arg('steps', 250);
const verbose = process.argv.includes('--verbose');

let converged = 0;
let lost = 0;
let violations = 0;
for (let seed = from; seed < from + seeds; seed++) {
  const r = simulate(seed, { steps });
  if (r.converged) converged++;
  lost += r.lostWrites;
  violations += r.violations.length;
  if (verbose || !r.converged || r.lostWrites || r.violations.length) {
    console.error(
      `seed ${seed}: converged=${r.converged} lost=${r.lostWrites} ops=${r.stats.ops} conflicts=${r.stats.conflicts} doubleBookings=${r.stats.doubleBookings} reversals=${r.stats.reversals}${r.violations.length ? ` violations=${r.violations.slice(0, 3).join('; ')}` : ''}`,
    );
  }
}
console.log(
  `converged ${converged}/${seeds} seeds, lost ${lost} writes, invariant violations ${violations}`,
);
process.exit(converged === seeds && lost === 0 && violations === 0 ? 0 : 1);
