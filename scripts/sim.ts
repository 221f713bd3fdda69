// `npm run sim -- --seeds N [--from S] [--steps K] [--workers W] [--with-restore] [--room-joiner] [--no-truck-coordination] [--verbose]`:
// the replication simulation over the real parts (tests/sim/simulate.ts), one seed after the
// other in W child processes (a seed's run never depends on which process runs it), ending with
// exactly one summary line:
//   converged X/N seeds, lost W writes, invariant violations V, silent contradictions C
// and a non-zero exit code unless every seed converged with nothing lost, violated or silent.
// Seeds with a problem are printed on stderr, with `--verbose` every seed and the day's figures.
// `SIM_TRACE=1` prints every request of the simulated network on stderr (`TRACE n from->to path`):
// two runs of one seed diff line by line to the first request where their courses part.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SimResult } from '../tests/sim/simulate';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} attend un entier positif`);
  return v;
}

const seeds = arg('seeds', 200);
const from = arg('from', 1);
const steps = arg('steps', 60);
const workers = Math.max(1, Math.min(arg('workers', availableParallelism()), seeds));
const withRestore = process.argv.includes('--with-restore');
const roomJoiner = process.argv.includes('--room-joiner');
const truckCoordination = !process.argv.includes('--no-truck-coordination');
const verbose = process.argv.includes('--verbose');

/** A child: runs the seeds it is given, one JSON line per seed on its IPC channel. */
async function child(): Promise<void> {
  const { simulate } = await import('../tests/sim/simulate');
  process.on('message', async (msg: { seeds: number[] }) => {
    for (const seed of msg.seeds) {
      let result: SimResult | { seed: number; error: string };
      try {
        result = await simulate(seed, { steps, withRestore, roomJoiner, truckCoordination });
      } catch (error) {
        result = {
          seed,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
      }
      process.send!(result);
    }
    process.exit(0);
  });
}

function line(r: SimResult): string {
  const s = r.stats;
  const kinds = Object.entries(s.contradictions)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  return (
    `seed ${r.seed}: converged=${r.converged} lost=${r.lostWrites} violations=${r.violations.length} silent=${r.silent.length}` +
    ` ops=${s.ops} staleCalls=${s.staleCalls} doubleTakeIns=${s.doubleTakeIns} endsOnPatientInCare=${s.endsOnPatientInCare}` +
    ` signedOffline=${s.signedOffline} reversals=${s.reopens + s.requeues} conflicts=${s.conflicts} ${kinds}` +
    ` relayDiskLosses=${s.relayDiskLosses} restores=${s.restores} poison=${s.poisonQuarantined}/${s.poisonPushed}` +
    ` horizon=${s.horizonReached} belowHorizon=${s.belowHorizon} horizonsAnnounced=${s.horizonsAnnounced} partnerOpsChecked=${s.partnerOpsChecked}` +
    ` rowsPruned=${s.rowsPruned} devicesPruning=${s.devicesPruning} behindRelay=${s.devicesPruningBehindRelay} midDayJoins=${s.midDayJoins}` +
    ` crashes=${s.crashes} retractions=${r.stats.retractions} snapshots=${s.snapshots} pruned=${s.prunedSnapshots} reloads=${s.reloads} drops=${s.droppedRequests}+${s.droppedResponses} dup=${s.duplicated} late=${s.late} ${r.ms}ms` +
    (r.violations.length ? `\n  ${r.violations.slice(0, 8).join('\n  ')}` : '') +
    (r.silent.length ? `\n  silencieux : ${r.silent.slice(0, 5).join('\n  ')}` : '')
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const all = Array.from({ length: seeds }, (_, i) => from + i);
  const results: SimResult[] = [];
  let errors = 0;
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const mine = all.filter((_, i) => i % workers === w);
      return new Promise<void>((resolve) => {
        const proc = fork(self, [...process.argv.slice(2), '--child'], {
          execArgv: ['--import', 'tsx', '--max-semi-space-size=64'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        proc.on('message', (msg: SimResult | { seed: number; error: string }) => {
          if ('error' in msg) {
            errors++;
            console.error(`seed ${msg.seed}: ERREUR ${msg.error}`);
            return;
          }
          results.push(msg);
          const bad =
            !msg.converged || msg.lostWrites || msg.violations.length || msg.silent.length;
          if (verbose || bad) console.error(line(msg));
        });
        proc.on('exit', () => resolve());
        proc.send({ seeds: mine });
      });
    }),
  );
  const converged = results.filter((r) => r.converged).length;
  const lost = results.reduce((n, r) => n + r.lostWrites, 0);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  const silent = results.reduce((n, r) => n + r.silent.length, 0);
  const sum = (f: (r: SimResult) => number) => results.reduce((n, r) => n + f(r), 0);
  console.error(
    `${results.length} seeds in ${Math.round((Date.now() - started) / 1000)} s on ${workers} processes;` +
      ` day's figures: ops=${sum((r) => r.stats.ops)} staleCalls=${sum((r) => r.stats.staleCalls)}` +
      ` doubleTakeIns=${sum((r) => r.stats.doubleTakeIns)} endsOnPatientInCare=${sum((r) => r.stats.endsOnPatientInCare)}` +
      ` signedOffline=${sum((r) => r.stats.signedOffline)} objections=${sum((r) => r.stats.objections)} contradictions=${sum((r) => Object.values(r.stats.contradictions).reduce((a, b) => a + b, 0))}` +
      ` relayDiskLosses=${sum((r) => r.stats.relayDiskLosses)} restores=${sum((r) => r.stats.restores)}` +
      ` poisonQuarantined=${sum((r) => r.stats.poisonQuarantined)} setAside=${sum((r) => r.stats.setAside)} refusedKept=${sum((r) => r.stats.refusedKept)}` +
      ` snapshots=${sum((r) => r.stats.snapshots)} reloads=${sum((r) => r.stats.reloads)}` +
      ` horizonReached=${sum((r) => r.stats.horizonReached)}/${results.length} belowHorizon=${sum((r) => r.stats.belowHorizon)}` +
      ` horizonsAnnounced=${sum((r) => r.stats.horizonsAnnounced)} partnerOpsChecked=${sum((r) => r.stats.partnerOpsChecked)}` +
      ` rowsPruned=${sum((r) => r.stats.rowsPruned)} devicesPruning=${sum((r) => r.stats.devicesPruning)} behindRelay=${sum((r) => r.stats.devicesPruningBehindRelay)}` +
      ` midDayJoins=${sum((r) => r.stats.midDayJoins)} roomJoins=${sum((r) => r.stats.roomJoins)}` +
      ` coordinationJoins=${sum((r) => r.stats.coordinationJoins)} prunedSnapshots=${sum((r) => r.stats.prunedSnapshots)} retractions=${sum((r) => r.stats.retractions)}`,
  );
  console.log(
    `converged ${converged}/${seeds} seeds, lost ${lost} writes, invariant violations ${violations}, silent contradictions ${silent}`,
  );
  const ok = errors === 0 && converged === seeds && lost === 0 && violations === 0 && silent === 0;
  process.exit(ok ? 0 : 1);
}

if (process.argv.includes('--child')) void child();
else void main();
