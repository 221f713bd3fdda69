import { simulate } from '/work/wt-sim/tests/sim/simulate';

const seed = Number(process.argv[2] ?? 1);
const r = await simulate(seed, { steps: Number(process.argv[3] ?? 120) });
console.log(
  JSON.stringify(
    { ...r, violations: r.violations.slice(0, 10), silent: r.silent.slice(0, 10) },
    null,
    1,
  ),
);
