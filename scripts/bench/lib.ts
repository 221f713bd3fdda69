// Shared pieces of `npm run bench`: the result line, statistics, the machine's description,
// Chromium (Debian's, same flags as the e2e tests) and pages bundled from src/ with esbuild.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';

/** One measured value; context keys (goal, runs, anchor…) say how to read it. */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  /** "< 30", "<= 180", ">= 5000": the target of issue 9 or of the design. */
  goal?: string;
  [context: string]: unknown;
}

export function line(
  name: string,
  value: number,
  unit: string,
  context: Record<string, unknown> = {},
): BenchLine {
  return { name, value, unit, ...context };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of nothing');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Whether `value` meets a goal written "< 30", "<= 180", ">= 5000"… (undefined: no goal). */
export function meetsGoal(value: number, goal: string | undefined): boolean | undefined {
  const m = goal ? /^(<=|>=|<|>)\s*([\d.]+)/.exec(goal) : null;
  if (!m) return undefined;
  const target = Number(m[2]);
  switch (m[1]) {
    case '<':
      return value < target;
    case '<=':
      return value <= target;
    case '>':
      return value > target;
    default:
      return value >= target;
  }
}

let chromiumVersion: string | undefined;

/** "2 × AMD EPYC, Node v20…, Chromium 150…": stamped on every line, results depend on it. */
export function machine(): string {
  if (chromiumVersion === undefined) {
    try {
      // Debian's wrapper script prints noise on stderr: keep only the version.
      const out = execFileSync('/usr/bin/chromium', ['--version'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      chromiumVersion = /Chromium ([\d.]+)/.exec(out.toString())?.[1] ?? 'unknown';
    } catch {
      chromiumVersion = 'unknown';
    }
  }
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return `${cpus().length} × ${model.trim()}, Node ${process.version}, Chromium ${chromiumVersion}`;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `escale-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Same flags as tests/e2e/support/browser.ts: this closed network must not be called home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A Chromium profile on disk: IndexedDB then lives in files as on a tablet, where an incognito
 * context (browser.newContext) would keep it in memory and flatter every client number.
 */
export async function persistentContext(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      profile.remove();
    },
  };
}

/** Bundles a page script (TypeScript importing src/) into one IIFE for page.addScriptTag. */
export async function bundlePage(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    minify: false,
    logLevel: 'silent',
    // The app is built in production mode: same branches in bundled libraries (React, Dexie).
    define: { 'process.env.NODE_ENV': '"production"', __APP_VERSION__: '"bench"' },
  });
  return out.outputFiles[0]!.text;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs a TypeScript file in its own Node process (tsx), for a server apart from its load. */
export function spawnTs(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
) {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', resolve(file), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
}
