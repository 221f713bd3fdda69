// `npm run bench [-- --only PREFIX]`: runs every benchmark in turn and prints each result as one
// JSON line on stdout as soon as its bench ends ({"name","value","unit", …context}), then a
// readable table on stderr, so stdout stays machine-readable. A failing bench prints an error on
// stderr and the others still run; the exit code is 1 if any failed. Not part of `npm test`.
// Browser benches need the built app: built here when dist/index.html is missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchLine, meetsGoal } from './lib';

interface Bench {
  file: string;
  /** The lines it prints, for --only. */
  names: string[];
  /** Browser benches load the built app or bundle pages; servers serve dist/ too. */
  needsBuild?: boolean;
  /** Minutes before it is reported as failed (default TIMEOUT_MS). */
  timeoutMin?: number;
  run: () => Promise<BenchLine[]>;
}

// The order of issue 9: what the user sees first, then servers, sync against PouchDB, clients,
// and the live channel last.
const BENCHES: Bench[] = [
  {
    file: 'search',
    names: ['search.p95_ms_50k', 'search.after_write_p95_ms_50k'],
    run: async () => (await import('./search')).run(),
  },
  {
    file: 'bundle',
    names: ['bundle.initial_js_gzip_kb', 'bundle.reception_js_kb'],
    needsBuild: true,
    run: async () => (await import('./bundle')).run(),
  },
  {
    file: 'startup',
    names: ['startup.offline_interactive_ms'],
    needsBuild: true,
    // The app's first pull of the 50,000-identity registry (≈ 1 M ops) comes first.
    timeoutMin: 60,
    run: async () => (await import('./startup')).run(),
  },
  {
    file: 'server-ops',
    names: ['server.ops_per_s.sqlite', 'server.ops_per_s.postgres'],
    run: async () => (await import('./server-ops')).run(),
  },
  {
    file: 'server-fleet',
    names: [
      'server.sync_p99_ms_500_devices',
      'server.fleet_knee_trucks',
      'server.reconnect_storm_s',
    ],
    run: async () => (await import('./server-fleet')).run(),
  },
  {
    file: 'sync-vs-pouchdb',
    names: [
      'sync.bytes_ratio_vs_pouchdb',
      'sync.requests_ratio_vs_pouchdb',
      'sync.bytes_per_field_change',
    ],
    run: async () => (await import('./sync-vs-pouchdb')).run(),
  },
  {
    file: 'relay-day',
    names: [
      'link.relay_bytes_per_day',
      'sync.relay_central_bytes_per_day',
      'sync.relay_central_requests_per_day',
      'sync.relay_idle_bytes_per_hour',
    ],
    run: async () => (await import('./relay-day')).run(),
  },
  {
    file: 'room-scope',
    names: [
      'scope.room_bootstrap_kb',
      'scope.room_bootstrap_before_kb',
      'scope.reception_bootstrap_kb',
    ],
    run: async () => (await import('./room-scope')).run(),
  },
  {
    file: 'client',
    names: [
      'client.write_path_ratio_vs_outbox_anchor',
      'client.apply_ops_per_s',
      'client.apply_ops_per_s_existing',
    ],
    run: async () => (await import('./client')).run(),
  },
  {
    file: 'bootstrap',
    names: ['bootstrap.usable_s', 'bootstrap.complete_s'],
    // A year of history (≈ 2.4 M ops) over 1 Mbit/s, and the store's first build.
    timeoutMin: 90,
    run: async () => (await import('./client')).runBootstrap(),
  },
  {
    file: 'live',
    names: ['live.checkin_visible_p95_ms'],
    needsBuild: true,
    run: async () => (await import('./live')).run(),
  },
];

/** A bench that neither ends nor fails within this is reported as failed. */
const TIMEOUT_MS = 30 * 60_000;

function onlyPrefixes(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only' && argv[i + 1]) out.push(...argv[++i]!.split(','));
    else if (a.startsWith('--only=')) out.push(...a.slice(7).split(','));
  }
  return out.filter(Boolean);
}

function table(lines: BenchLine[], failed: string[]): string {
  const rows = lines.map((l) => {
    const ok = meetsGoal(l.value, l.goal);
    return [
      l.name,
      `${l.value} ${l.unit}`,
      l.goal ?? '',
      ok === undefined ? '' : ok ? 'yes' : 'NO',
    ];
  });
  const head = ['benchmark', 'value', 'goal', 'met'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  const out = [fmt(head), fmt(width.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
  for (const f of failed) out.push(`${f}: FAILED (see above)`);
  return out.join('\n');
}

async function main(): Promise<number> {
  // Benches read dist/, src/ and .bench/ by relative path: run from the repository root.
  process.chdir(resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
  const prefixes = onlyPrefixes(process.argv.slice(2));
  const wanted = (name: string) =>
    prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
  const selected = BENCHES.filter((b) => b.names.some(wanted));
  if (selected.length === 0) {
    console.error(`No benchmark matches ${prefixes.join(', ')}. Names:`);
    for (const b of BENCHES) for (const n of b.names) console.error(`  ${n}`);
    return 1;
  }
  if (selected.some((b) => b.needsBuild) && !existsSync('dist/index.html')) {
    console.error('dist/index.html is missing: npm run build');
    // The build's output goes to stderr: stdout carries results only.
    execSync('npm run build', { stdio: ['ignore', process.stderr, process.stderr] });
  }
  // A stray rejection inside a bench (a timer of a closed client) must not kill the others.
  process.on('unhandledRejection', (error) => {
    console.error('unhandled rejection:', error);
  });

  const results: BenchLine[] = [];
  const failed: string[] = [];
  for (const bench of selected) {
    const started = performance.now();
    console.error(`▶ ${bench.file}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = bench.timeoutMin ? bench.timeoutMin * 60_000 : TIMEOUT_MS;
    try {
      const lines = await Promise.race([
        bench.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no result after ${limit / 60_000} min`)),
            limit,
          );
        }),
      ]);
      for (const l of lines.filter((x) => wanted(x.name))) {
        console.log(JSON.stringify(l));
        results.push(l);
      }
      console.error(`  ${bench.file}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } catch (error) {
      failed.push(bench.file);
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`✗ bench ${bench.file} failed: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  console.error(`\n${table(results, failed)}`);
  return failed.length > 0 ? 1 : 0;
}

// Exit explicitly: a bench may leave a handle open (a browser timer, a pool), results are out.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
