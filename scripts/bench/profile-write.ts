// Where a write action's time goes (issue 18 item 5): the reference day's first actions written
// by writeChanges in Chromium (sealed, 4× CPU throttling), under the DevTools CPU profiler.
// Prints the wall time, the main thread's busy share, and the inclusive time of the functions
// that make up the write path. Usage: npx tsx scripts/bench/profile-write.ts [actions]
import { bundlePage, persistentContext } from './lib';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const COUNT = Number(process.argv[2] ?? 300);

/** Functions whose inclusive time is reported (the write path's steps). */
const WATCHED = [
  'writeChanges',
  'validateOp',
  'applyOp',
  'materialise',
  'storeRows',
  'deriveRow',
  'unofferedOps',
  'loadClock',
  'tick',
  'sealRecord',
  'openRecord',
  'stringify',
  'parse',
  'encrypt',
  'decrypt',
  'bulkPut',
  'bulkAdd',
  'bulkGet',
  'canonicalJson',
  'notifyLocalWrite',
  'requestPersistence',
  'getMeta',
];

async function main(): Promise<void> {
  const script = await bundlePage('scripts/bench/pages/write-profile.page.ts');
  const browser = await persistentContext();
  try {
    const page = await browser.context.newPage();
    const origin = 'http://127.0.0.1:9';
    await page.route(`${origin}/__bench`, (r) =>
      r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>profile</title>' }),
    );
    await page.goto(`${origin}/__bench`);
    await page.addScriptTag({ content: script });
    const cdp = await browser.context.newCDPSession(page);
    const call = (n: number) =>
      page.evaluate(
        (k) =>
          (
            globalThis as unknown as {
              profileWrite(k: number): Promise<{
                ms: number[];
                ops: number;
                counts: Record<string, number>;
                anchor: Record<string, number>;
              }>;
            }
          ).profileWrite(k),
        n,
      );
    await call(Math.min(COUNT, 100)); // warm-up
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    const run = await call(COUNT);
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] };
    };
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const parent = new Map<number, number>();
    const byId = new Map<number, Node>();
    for (const n of profile.nodes) {
      byId.set(n.id, n);
      for (const c of n.children ?? []) parent.set(c, n.id);
    }
    const inclusive = new Map<string, number>();
    const self = new Map<string, number>();
    let idle = 0;
    let total = 0;
    profile.samples.forEach((id, i) => {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      total += dt;
      const leaf = byId.get(id)!;
      const leafName = leaf.callFrame.functionName || '(anonymous)';
      if (leafName === '(idle)') idle += dt;
      self.set(leafName, (self.get(leafName) ?? 0) + dt);
      const seen = new Set<string>();
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const name = byId.get(n)!.callFrame.functionName;
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
    });
    const wall = run.ms.reduce((a, b) => a + b, 0);
    console.log(
      `${run.ms.length} actions, ${run.ops} ops, wall ${wall.toFixed(0)} ms at 4× ` +
        `(${(wall / run.ms.length).toFixed(1)} ms/action); profile ${total.toFixed(0)} ms, ` +
        `idle ${idle.toFixed(0)} ms (main thread waiting for IndexedDB)`,
    );
    const per = (x: number) => (x / run.ms.length).toFixed(2);
    console.log('IndexedDB per action (below the sealing middleware):');
    for (const [k, v] of Object.entries(run.counts)) {
      const a = run.anchor[k];
      console.log(
        `  ${k.padEnd(16)} escale ${per(v).padStart(7)}${a === undefined ? '' : `   anchor ${per(a)}`}`,
      );
    }
    console.log('inclusive ms (share of wall):');
    for (const name of WATCHED) {
      const ms = inclusive.get(name) ?? 0;
      console.log(
        `  ${name.padEnd(20)} ${ms.toFixed(0).padStart(7)}  ${((100 * ms) / wall).toFixed(1)} %`,
      );
    }
    console.log('top self ms:');
    for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`  ${name.padEnd(40)} ${ms.toFixed(0).padStart(7)}`);
    }
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
