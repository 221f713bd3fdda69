// live.checkin_visible_p95_ms: reception checks a patient in on one device; how long until the
// entry is on another device's screen. Central runs as in the e2e tests (startServer) and the
// truck's relay as src/server/main.ts starts one (enrolled at central with a relay code, the
// organisation's credentials brought home); two Chromium instances (two reception devices,
// IndexedDB on disk) load a page of central's origin and sync with the relay (another origin:
// CORS as in the field) through the app's own sync loop (live channel, sync after each write,
// both with their default delays). Each device is enrolled through the relay (a reception code
// created at central, exchanged at the relay's /api/enrol, which forwards it), its credential
// kept where the app keeps it. Device A writes the check-in (domain plan, write path, audit);
// device B watches the queue with a live query, as the screens do, and notes the next animation
// frame. From the start of the write on A to that frame on B (both clocks are this machine's);
// p95 over CHECKINS after WARMUP.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { SyncStore } from '../../src/server/store/types';
import { makeDataDir, seedDemo, startRelay, startServer } from '../../tests/e2e/support/server';
import {
  type BenchLine,
  bundlePage,
  line,
  machine,
  median,
  percentile,
  persistentContext,
  round,
  sleep,
} from './lib';
import type { LiveDevice } from './pages/live.page';
import { appCredential, bearer, createCodes, type Enrolled, enrol } from './server-proc';

const CHECKINS = 30;
const WARMUP = 3;

type Live = {
  liveJoin(server: string, device: LiveDevice): Promise<number>;
  liveWatch(): void;
  liveCheckIn(k: number): Promise<{ id: string; t0: number }>;
  liveSeen(id: string): number | null;
};

async function until(what: string, check: () => Promise<boolean>, timeout = 60_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timeout: ${what}`);
}

interface Central {
  url: string;
  store: SyncStore;
}

/** Enrols a device with a code created at central, exchanged at `via` (central or a relay). */
async function enrolDevice(
  central: Central,
  via: string,
  org: string,
  profile: 'reception' | 'coordination',
): Promise<Enrolled> {
  const deviceId = randomUUID();
  const [code] = await createCodes(central.store, [{ deviceId, org, profile }]);
  return enrol(via, code!, deviceId);
}

export async function run(): Promise<BenchLine[]> {
  const script = await bundlePage('scripts/bench/pages/live.page.ts');
  const data = makeDataDir();
  const closers: (() => Promise<void>)[] = [];
  try {
    const { org } = await seedDemo(data.dir);
    const central = await startServer(data.dir);
    closers.push(() => central.stop());
    const relay = await startRelay(data.dir, central, org);
    closers.unshift(() => relay.stop());
    // Digests as a coordination device sees them (the whole organisation), at central and at the
    // relay (which brings the new credential from central on first sight).
    const observer = await enrolDevice(central, central.url, org, 'coordination');
    const digest = async (url: string) => {
      const res = await fetch(`${url}/api/digest`, { headers: bearer(observer) });
      if (!res.ok) throw new Error(`digest: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { digest: string }).digest;
    };
    const expected = await digest(central.url);
    await until(
      'the relay holds the organisation',
      async () => (await digest(relay.url)) === expected,
    );

    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const browser = await persistentContext();
      closers.unshift(() => browser.close());
      const page = await browser.context.newPage();
      // A document served by central itself (its 404 for a missing file): a page fulfilled by
      // Playwright would count as public address space, and Chromium's Local Network Access
      // would then refuse its calls to the relay on loopback.
      await page.goto(`${central.url}/__bench.txt`);
      await page.addScriptTag({ content: script });
      const enrolled = await enrolDevice(central, relay.url, org, 'reception');
      const device: LiveDevice = {
        deviceId: enrolled.deviceId,
        org: enrolled.org,
        credential: appCredential(enrolled),
      };
      await page.evaluate(([url, d]) => (globalThis as unknown as Live).liveJoin(url, d), [
        relay.url,
        device,
      ] as const);
      pages.push(page);
    }
    const [a, b] = pages as [Page, Page];
    await b.evaluate(() => (globalThis as unknown as Live).liveWatch());
    // The live channel opens after the first successful sync: give it a moment to connect.
    await sleep(1000);

    const latencies: number[] = [];
    for (let k = 0; k < WARMUP + CHECKINS; k++) {
      const { id, t0 } = await a.evaluate((n) => (globalThis as unknown as Live).liveCheckIn(n), k);
      let shown: number | null = null;
      await until(
        'the check-in on the other device',
        async () => {
          shown = await b.evaluate((x) => (globalThis as unknown as Live).liveSeen(x), id);
          return shown !== null;
        },
        20_000,
      );
      if (k >= WARMUP) latencies.push(shown! - t0);
      await sleep(500); // reception does not check two patients in within half a second
    }
    return [
      line('live.checkin_visible_p95_ms', round(percentile(latencies, 95), 1), 'ms', {
        goal: '<= 250',
        runs: latencies.length,
        median_ms: round(median(latencies), 1),
        min_ms: round(Math.min(...latencies), 1),
        path: 'device A → relay (SSE poke) → device B, the sync client’s default delays',
        machine: machine(),
      }),
    ];
  } finally {
    for (const close of closers) await close();
    data.remove();
  }
}
