// The fleet (issue 19 §6): central, the real server program in its own process over PostgreSQL
// at production durability (fsync, synchronous commits and full page writes on, checked with
// SHOW), under the load of trucks that replay the reference day (day.ts) from random points of
// it at the pace of its busiest half hour (100 actions per 30 min): check-ins, queue moves, the
// rooms' note autosaves and signatures, the coordinator's validations.
//
// Each truck's organisation holds, before the bench, the reference data and the day as written
// up to the truck's starting point (pushed into central's store as its devices' ops, not timed):
// so every op the bench sends is judged against the rows it really refers to. Every device is
// enrolled at central with its place in the truck — reception, Box 1 and Box 2 (`room`, each
// with its room), the laptop of Salles 3–4 the coordinator also uses (`coordination`), the
// waiting-room display — and each truck's relay with a relay code.
//
// Two topologies:
// - The field (headline, the ramp, the storm): the devices talk to the truck's relay on the
//   truck's Wi-Fi and only the relay talks to central. The relay is a wire model of
//   src/server/relay.ts as shipped (not the process itself: a few hundred relay processes do not
//   fit beside central on this machine, and their device-side work is not central's load): its
//   long poll (`GET /api/relay/wait`, held 50 s), a pass as soon as a device's push is stored on
//   it (`onStored`, its devices pushing 100 ms after the write, the sync client's debounce) or
//   the long poll says central moved; a pass is `POST /api/sync` with the ops of its log central
//   has not had (pages of 256 KiB, brotli-5 bodies once central said it reads them, `ask` for the
//   devices it forwards) until central has nothing more, then `POST /api/relay/reports` with the
//   status reports its devices sent since (every device of the truck syncs with the relay after
//   each action: the writer, then the others it pokes); credentials and sessions
//   (`GET /api/relay/credentials`, `/api/relay/sessions`) at its first pass and whenever the long
//   poll announces another version; its safety-net pass every 5 min.
// - Relay-less (context): the same devices straight to central, each as src/device/sync-client.ts
//   drives it: the live channel (SSE) open, a sync 100 ms after a local write, at once on a poke or
//   when the channel opens, one run at a time (again if asked meanwhile), a poll 60 s after the last
//   run, the status report in each request, gzip bodies once central said it reads them. Central
//   authorises each push against the device's profile and person sessions (the day's staff are
//   signed in on every device) and cuts each pull by profile (the room filter runs).
//
// Ramp: 25, 50, 100, 200, 400, 800 trucks (BENCH_FLEET_RAMP), STEP_S each, until p99
// passes the goal or a request fails, or the next step would end past the time budget:
// `server.fleet_knee_trucks`. The reference fleet (100 trucks) through its relays is the
// headline, run on its own when the ramp stopped below it. Then the storm, then the relay-less
// fleet (last: a saturated central must not weigh on the other runs). Central's database is
// idle before each run (`quiet`), and a health probe beside each run gives the machine's floor. Storm: the reference fleet's 100 relays
// each hold 30 minutes of their devices' work (100 actions) and reach central at the same moment
// (the worst case: in the field their backoff jitter spreads them): `server.reconnect_storm_s`.
import pg from 'pg';
import { encodeBody } from '../../src/device/compress-body';
import { retryDelay } from '../../src/device/sync-client';
import type { Audience } from '../../src/domain/access';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { Accounts } from '../../src/server/auth';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import { upstreamBody } from '../../src/server/upstream-body';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { startCluster } from '../../tests/support/postgres';
import { type DayAction, type ReferenceDay, referenceDay } from './day';
import { seedRows } from './escale';
import { kneeOf, pageOf, type RampStep, rampContinues, startPoint, summary } from './fleet-model';
import { rng } from './identities';
import { type BenchLine, line, machine, round, sleep, tempDir } from './lib';
import { OpWriter } from './op-writer';
import {
  bearer,
  type DeviceSpec,
  type Enrolled,
  enrolDevices,
  type ServerProcess,
  type StoreConfig,
  startServerProcess,
} from './server-proc';

const GOAL_MS = 200;
const REFERENCE_TRUCKS = 100;
const STEP_S = Number(process.env.BENCH_FLEET_STEP_S ?? 60);
/** The ramp stops before a step that would end the fleet's run after this (seconds). */
const BUDGET_S = Number(process.env.BENCH_FLEET_BUDGET_MIN ?? 10) * 60;
const RAMP = (process.env.BENCH_FLEET_RAMP ?? '25,50,100,200,400,800')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** The reference day's busiest half hour: 100 actions in 30 min, one every 18 s per truck. */
const PACE_MS = (30 * 60_000) / 100;
const STORM_ACTIONS = 100; // 30 minutes at that pace
/** A pause between runs, so work left on central by one run is not timed in the next. */
const SETTLE_MS = 20_000;
/** The storm is called off after this (its value then says so: `backlog_left`). */
const STORM_LIMIT_MS = 10 * 60_000;
/** Actions kept after a truck's start: the ramp, the relay-less run and the storm's backlog. */
const RESERVE = 260;
// The sync client's defaults (src/device/sync-client.ts).
const CLIENT_DEBOUNCE_MS = 100;
const CLIENT_POLL_MS = 60_000;
const CLIENT_PULL_BYTES = 1024 * 1024;
// The relay's defaults (src/server/relay.ts).
const RELAY_HOLD_MS = 50_000;
const RELAY_INTERVAL_MS = 300_000;
const RELAY_PAGE_BYTES = 256 * 1024;
const RELAY_TIMEOUT_MS = 15_000;

const sizeOf = (op: Op) => JSON.stringify(op).length + 1;

/** What central answered, by kind of request. */
class Stats {
  latencies: number[] = [];
  byKind = new Map<string, number[]>();
  errors = 0;
  firstError: string | null = null;
  record(kind: string, ms: number): void {
    this.latencies.push(ms);
    const list = this.byKind.get(kind) ?? [];
    if (list.length === 0) this.byKind.set(kind, list);
    list.push(ms);
  }
  fail(kind: string, error: unknown): void {
    this.errors++;
    this.firstError ??= `${kind}: ${error instanceof Error ? error.message : String(error)}`;
  }
  get requests(): number {
    return this.latencies.length + this.errors;
  }
}

interface Truck {
  index: number;
  org: string;
  /** The four devices that write (reception, Box 1, Box 2, the laptop), by DayAction.device. */
  writers: OpWriter[];
  devices: Enrolled[];
  relay: Enrolled;
  /** The next action of the day this truck replays. */
  next: number;
  start: number;
}

/** The five places of a truck, in the day's device order (the display last). */
function places(day: ReferenceDay): { profile: Audience; roomId?: string | null }[] {
  const room = (name: string) => day.reference.room?.find((r) => r.name === name)?.id ?? null;
  return [
    { profile: 'reception' },
    { profile: 'room', roomId: room('Box 1') },
    { profile: 'room', roomId: room('Box 2') },
    { profile: 'coordination' },
    { profile: 'display' },
  ];
}

/**
 * Trucks `from`..`to`-1: the organisation's reference data and its day up to a random point,
 * pushed into central's store as the devices wrote it; then the devices and the relay enrolled at
 * the running central (codes over the store, exchanged over HTTP).
 */
async function addTrucks(
  server: ServerProcess,
  config: StoreConfig,
  store: SyncStore,
  day: ReferenceDay,
  from: number,
  to: number,
  draw: () => number,
): Promise<Truck[]> {
  const trucks: Truck[] = [];
  const specs: DeviceSpec[] = [];
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    const org = `truck-${i}`;
    const ids = places(day).map((_, j) => `dev-${i}-${j}`);
    const start = startPoint(draw(), day.actions.length, RESERVE);
    const writers = ids.slice(0, 4).map((id) => new OpWriter(id, org));
    specs.push(...places(day).map((p, j) => ({ deviceId: ids[j]!, org, ...p })));
    specs.push({ deviceId: `relay-${i}`, org, profile: 'relay' });
    trucks.push({
      index: i,
      org,
      writers,
      devices: [],
      relay: undefined as unknown as Enrolled,
      next: start,
      start,
    });
  }
  // Four organisations at a time: the store's work runs in PostgreSQL's own processes.
  let nextTruck = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let t = trucks[nextTruck++]; t; t = trucks[nextTruck++]) {
        await seedRows(store, t.org, 'seed', day.reference);
        let batch: Op[] = [];
        for (let k = 0; k < t.start; k++) {
          const a = day.actions[k]!;
          batch.push(...t.writers[a.device]!.write(a.changes, a.staffId));
          if (batch.length >= 5000) {
            await store.push(t.org, batch);
            batch = [];
          }
        }
        if (batch.length) await store.push(t.org, batch);
      }
    }),
  );
  const pushed = performance.now();
  const enrolled = await enrolDevices(server, config, specs);
  if (process.env.BENCH_FLEET_TRACE) {
    console.error(
      `  fleet: trucks ${from}–${to - 1}: push ${round((pushed - t0) / 1000, 1)} s, enrol ${round((performance.now() - pushed) / 1000, 1)} s`,
    );
  }
  for (const t of trucks) {
    t.devices = places(day).map((_, j) => enrolled.get(`dev-${t.index}-${j}`)!);
    t.relay = enrolled.get(`relay-${t.index}`)!;
  }
  return trucks;
}

function takeAction(day: ReferenceDay, t: Truck): DayAction {
  return day.actions[t.next++]!;
}

// ---- the relay, on the wire -------------------------------------------------------------------

/** src/server/relay.ts's traffic with central, for one truck (see the header). */
class WireRelay {
  private pending: Op[] = [];
  private pulled: number;
  private credentialsVersion: string | null = null;
  private announced: string | null = null;
  private readsBrotli = false;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private reports = new Map<string, number>();
  private watching: Promise<void> | null = null;
  private interval: ReturnType<typeof setInterval> | null = null;
  private aborts = new AbortController();
  /** Consecutive failures to reach central, and when the next attempt may be made. */
  private failures = 0;
  private retryAt = 0;
  stats: Stats;

  constructor(
    private readonly url: string,
    private readonly truck: Truck,
    head: number,
    stats: Stats,
  ) {
    this.pulled = head;
    this.stats = stats;
  }

  /** Its first pass (credentials, sessions, sync), then the long poll and the safety net. */
  async start(): Promise<void> {
    await this.syncNow();
    this.watching = this.watch();
    this.interval = setInterval(() => void this.syncNow(), RELAY_INTERVAL_MS);
  }

  /** Central out of reach: the long poll and the passes stop; the log keeps filling. */
  async cut(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    this.aborts.abort();
    await this.watching;
    await this.running;
  }

  /** Central reachable again: the pass the long poll's return calls for, then the long poll. */
  async reconnect(): Promise<void> {
    this.stopped = false;
    this.aborts = new AbortController();
    const done = this.syncNow();
    this.watching = this.watch();
    this.interval = setInterval(() => void this.syncNow(), RELAY_INTERVAL_MS);
    await done;
  }

  /** A device pushed `ops` to the relay; the others, poked, sync with it too (their reports). */
  stored(ops: Op[], live: boolean): void {
    this.pending.push(...ops);
    const at = Date.now();
    for (const d of this.truck.devices) this.reports.set(d.deviceId, at);
    if (live) void this.syncNow();
  }

  get backlog(): number {
    return this.pending.length;
  }

  private async send(kind: string, path: string, body?: unknown, timeoutMs = RELAY_TIMEOUT_MS) {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const upstream = upstreamBody(json, this.readsBrotli);
    const t = performance.now();
    const res = await fetch(`${this.url}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { ...bearer(this.truck.relay), 'accept-encoding': 'br, gzip', ...upstream.headers },
      body: upstream.body,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.aborts.signal]),
    });
    if (/\bbr\b/.test(res.headers.get('accept-encoding') ?? '')) this.readsBrotli = true;
    const text = await res.text();
    // The long poll's time is its hold, not central's work: not a latency.
    if (kind !== 'wait') this.stats.record(kind, performance.now() - t);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  }

  private async watch(): Promise<void> {
    while (!this.stopped) {
      if (this.failures > 0) await this.pause(this.retryAt - Date.now());
      if (this.stopped) return;
      try {
        const params = new URLSearchParams({
          after: String(this.pulled),
          credentials: this.credentialsVersion ?? '',
          holdMs: String(RELAY_HOLD_MS),
        });
        const body = (await this.send(
          'wait',
          `/api/relay/wait?${params}`,
          undefined,
          RELAY_HOLD_MS + RELAY_TIMEOUT_MS,
        )) as { lastSeq: number; credentials: string };
        const wasDown = this.failures > 0;
        this.failures = 0;
        this.announced = body.credentials;
        await this.running;
        if (wasDown || body.lastSeq > this.pulled || body.credentials !== this.credentialsVersion) {
          await this.syncNow();
        }
      } catch (error) {
        if (this.stopped) return;
        this.stats.fail('wait', error);
        this.noteFailure();
      }
    }
  }

  /** relay.ts's backoff: 2 s doubled per failure up to 5 min, jitter in [raw/2, raw]. */
  private noteFailure(): void {
    this.failures += 1;
    const raw = Math.min(300_000, 2_000 * 2 ** Math.max(0, this.failures - 1));
    this.retryAt = Date.now() + Math.round(raw / 2 + (raw / 2) * Math.random());
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const signal = this.aborts.signal;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Nothing left to forward and the last pass went through. */
  get drained(): boolean {
    return this.pending.length === 0 && this.failures === 0 && this.running === null;
  }

  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        // While central is out of reach, passes wait for the backoff (relay.ts).
        if (this.failures > 0 && Date.now() < this.retryAt) break;
        await this.pass();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      if (this.credentialsVersion === null || this.announced !== this.credentialsVersion) {
        const version = this.announced;
        await this.send('credentials', '/api/relay/credentials');
        await this.send('sessions', '/api/relay/sessions');
        this.credentialsVersion = version ?? '';
      }
      for (;;) {
        const page = pageOf(this.pending, RELAY_PAGE_BYTES, sizeOf);
        const ask = [...new Set(page.map((op) => op.dev))];
        const reply = (await this.send('sync', '/api/sync', {
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          deviceId: this.truck.relay.deviceId,
          org: this.truck.org,
          since: this.pulled,
          ops: page,
          ask,
          maxBytes: RELAY_PAGE_BYTES,
        })) as SyncResponse;
        this.pending.splice(0, page.length);
        this.pulled = reply.lastSeq;
        if (!reply.hasMore && this.pending.length === 0) break;
      }
      if (this.reports.size > 0) {
        const fresh = [...this.reports];
        this.reports.clear();
        await this.send('reports', '/api/relay/reports', {
          org: this.truck.org,
          reports: fresh.map(([deviceId, at]) => ({
            deviceId,
            report: {
              pending: 0,
              appVersion: 'bench',
              profile: this.truck.devices.find((d) => d.deviceId === deviceId)!.profile,
              lastError: null,
              lastSyncAt: at,
            },
          })),
        });
      }
      this.failures = 0;
    } catch (error) {
      if (!this.stopped) {
        this.stats.fail('pass', error);
        this.noteFailure();
      }
    }
  }
}

// ---- a device straight to central, on the wire -------------------------------------------------

/** A device as src/device/sync-client.ts drives it (see the header), on the wire only. */
class WireDevice {
  private since: number;
  private outbox: Op[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private poll: ReturnType<typeof setTimeout> | null = null;
  private abort = new AbortController();
  private gzip = false;
  private stopped = false;
  private failures = 0;
  constructor(
    private readonly url: string,
    private readonly device: Enrolled,
    head: number,
    public stats: Stats,
  ) {
    this.since = head;
  }

  /** The client's start: a run at once; after a success the live channel, whose opening syncs. */
  async start(): Promise<void> {
    await this.syncNow();
    const token = encodeURIComponent(this.device.token);
    const res = await fetch(`${this.url}/api/events?token=${token}`, { signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    this.soon(0); // the channel's `open`
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const event = buffer.slice(0, end);
            if (event.includes('event: poke') || /^data:/m.test(event)) this.soon(0);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // aborted at the end of the run
      }
    })();
  }

  write(ops: Op[]): void {
    this.outbox.push(...ops);
    this.soon(CLIENT_DEBOUNCE_MS);
  }

  private soon(delay: number): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.syncNow();
    }, delay);
  }

  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        if (!(await this.run())) {
          this.failures++;
          break;
        }
        this.failures = 0;
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      // The next automatic attempt: the poll 60 s after a success, the client's backoff after a
      // failure (2 s doubled per failure up to 5 min, equal jitter).
      if (this.poll) clearTimeout(this.poll);
      const delay =
        this.failures > 0
          ? retryDelay(this.failures, 2_000, 300_000, Math.random())
          : CLIENT_POLL_MS;
      if (!this.stopped) this.poll = setTimeout(() => void this.syncNow(), delay);
    });
    return this.running;
  }

  /** Round trips until nothing is left to push or pull; false on a failure. */
  private async run(): Promise<boolean> {
    for (;;) {
      const ops = pageOf(this.outbox, 256 * 1024, sizeOf);
      const json = JSON.stringify({
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        deviceId: this.device.deviceId,
        org: this.device.org,
        since: this.since,
        ops,
        maxBytes: CLIENT_PULL_BYTES,
        status: {
          pending: this.outbox.length,
          appVersion: 'bench',
          profile: this.device.profile,
          lastError: null,
        },
      });
      const encoded = await encodeBody(json, this.gzip);
      const t = performance.now();
      try {
        const res = await fetch(`${this.url}/api/sync`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...bearer(this.device),
            ...encoded.headers,
          },
          body: encoded.body,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        this.stats.record('sync', performance.now() - t);
        if (/\bgzip\b/i.test(res.headers.get('accept-encoding') ?? '')) this.gzip = true;
        if (!res.ok) throw new Error(`sync: HTTP ${res.status} ${text.slice(0, 200)}`);
        const reply = JSON.parse(text) as SyncResponse;
        this.outbox = this.outbox.filter((op) => op.seq > reply.accepted);
        this.since = reply.lastSeq;
        if (!reply.hasMore && this.outbox.length === 0) return true;
      } catch (error) {
        this.stats.fail('sync', error);
        return false;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearTimeout(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    await this.running;
    this.abort.abort();
  }
}

// ---- the runs ----------------------------------------------------------------------------------

/**
 * The machine's floor while a run goes on: `GET /api/health` (no store, no credential) every
 * 500 ms. What central's answers take beyond this is central's work; this much, any request
 * pays on a machine this loaded.
 */
function probe(url: string): { stop(): ReturnType<typeof summary> } {
  const times: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t = performance.now();
      try {
        await (await fetch(`${url}/api/health`)).text();
        times.push(performance.now() - t);
      } catch {
        // counted by the run's own requests
      }
      await sleep(500);
    }
  })();
  return {
    stop() {
      on = false;
      void loop;
      return summary(times);
    },
  };
}

/** Each truck writes an action every PACE_MS from a random phase, for `seconds`. */
async function play(
  trucks: readonly Truck[],
  day: ReferenceDay,
  seconds: number,
  draw: () => number,
  write: (t: Truck, a: DayAction, ops: Op[]) => void,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    trucks.map(async (t) => {
      await sleep(draw() * PACE_MS);
      while (performance.now() - started < seconds * 1000) {
        const a = takeAction(day, t);
        write(t, a, t.writers[a.device]!.write(a.changes, a.staffId));
        await sleep(PACE_MS);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function heads(store: SyncStore, trucks: readonly Truck[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of trucks) out.set(t.org, await store.lastSeq(t.org));
  return out;
}

/** The relay-less fleet: every device straight to central, signed in, for STEP_S. */
async function relayLess(
  server: ServerProcess,
  store: SyncStore,
  trucks: readonly Truck[],
  day: ReferenceDay,
  draw: () => number,
) {
  const accounts = new Accounts(store);
  const staff = (day.reference.staff ?? []).map((s) => s.id);
  for (const t of trucks) {
    const creds = await accounts.credentials(t.org);
    for (const c of creds) {
      if (c.profile === 'relay' || c.profile === 'display') continue;
      for (const s of staff) await accounts.openSession(c, s, false);
    }
  }
  const at = await heads(store, trucks);
  const warm = new Stats();
  const devices = new Map(
    trucks.map((t) => [
      t,
      t.devices.map((d) => new WireDevice(server.url, d, at.get(t.org)!, warm)),
    ]),
  );
  // Devices come up over 30 s (not all in the same moment), central settles, then the measure.
  await Promise.all(
    [...devices.values()].flat().map(async (d) => {
      await sleep(draw() * 30_000);
      await d.start();
    }),
  );
  await sleep(SETTLE_MS);
  const stats = new Stats();
  for (const list of devices.values()) for (const d of list) d.stats = stats;
  const floor = probe(server.url);
  const s = await play(trucks, day, STEP_S, draw, (t, a, ops) =>
    devices.get(t)![a.device]!.write(ops),
  );
  const health = floor.stop();
  await sleep(1_000);
  await Promise.all([...devices.values()].flat().map((d) => d.stop()));
  return { stats, s, health };
}

function stepContext(step: FleetResult['ramp'][number]) {
  return {
    trucks: step.trucks,
    p99_ms: step.p99,
    median_ms: step.median,
    errors: step.errors,
    req_per_s: round(step.requests / step.s, 1),
    health_p99_ms: step.health.p99,
    health_median_ms: step.health.median,
    by_kind: step.byKind,
  };
}

/** Requests, p99, median and max per kind of request. */
function kindsOf(s: Stats) {
  return Object.fromEntries(
    [...s.byKind].map(([k, v]) => [k, { requests: v.length, ...summary(v) }]),
  );
}

/**
 * Until central's database has been idle (no query of another session running) for 2 s, at
 * most 2 min: work a previous run left (requests its clients gave up on) is not timed in the
 * next. SQLite: a fixed pause.
 */
async function quiet(url: string | null): Promise<void> {
  if (!url) return sleep(SETTLE_MS);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const end = performance.now() + 120_000;
    let idle = 0;
    while (idle < 4 && performance.now() < end) {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
      );
      idle = (rows[0] as { n: number }).n === 0 ? idle + 1 : 0;
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}

async function pgSettings(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) {
      const { rows } = await client.query(`SHOW ${name}`);
      out[name] = String((rows[0] as Record<string, unknown>)[name]);
    }
    return out;
  } finally {
    await client.end();
  }
}

interface FleetResult {
  settings: Record<string, string>;
  ramp: (RampStep & {
    requests: number;
    s: number;
    median: number | null;
    byKind: ReturnType<typeof kindsOf>;
    health: ReturnType<typeof summary>;
  })[];
  reference: { stats: Stats; s: number; trucks: number; health: ReturnType<typeof summary> } | null;
  relayLess: { stats: Stats; s: number; health: ReturnType<typeof summary> } | null;
  storm: { s: number; stats: Stats; ops: number; backlogLeft: number; trucks: number } | null;
  seeded: { trucks: number; ops: number; seedS: number };
  starts: number[];
  actions: number;
  /** Why the ramp ended before a step missed, if it did. */
  stoppedBy?: string;
}

async function fleet(kind: 'postgres' | 'sqlite', ramp: readonly number[]): Promise<FleetResult> {
  const began = performance.now();
  const draw = rng(500);
  const day = referenceDay(5);
  const data = tempDir(`fleet-${kind}`);
  const cluster = kind === 'postgres' ? await startCluster({ durable: true }) : null;
  let server: ServerProcess | null = null;
  let store: SyncStore | null = null;
  const relays: WireRelay[] = [];
  try {
    const settings = cluster ? await pgSettings(cluster.url) : { store: 'sqlite (WAL)' };
    if (cluster && (settings.fsync !== 'on' || settings.synchronous_commit !== 'on')) {
      throw new Error(`PostgreSQL is not durable: ${JSON.stringify(settings)}`);
    }
    const config: StoreConfig = {
      dataDir: data.dir,
      ...(cluster ? { databaseUrl: cluster.url } : {}),
    };
    store = cluster
      ? await openPostgresStore(cluster.url)
      : await openSqliteStore(`${data.dir}/escale.sqlite`);
    // BENCH_FLEET_PROF=DIR: central's CPU profile (node --cpu-prof) written there at its exit.
    const prof = process.env.BENCH_FLEET_PROF;
    server = await startServerProcess(
      config,
      {},
      prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    );
    const trucks: Truck[] = [];
    const result: FleetResult = {
      settings,
      ramp: [],
      reference: null,
      relayLess: null,
      storm: null,
      seeded: { trucks: 0, ops: 0, seedS: 0 },
      starts: [],
      actions: day.actions.length,
    };
    const grow = async (n: number) => {
      if (trucks.length >= n) return;
      const t0 = performance.now();
      const added = await addTrucks(server!, config, store!, day, trucks.length, n, draw);
      result.seeded.seedS += (performance.now() - t0) / 1000;
      trucks.push(...added);
      result.seeded.trucks = trucks.length;
    };
    // Each truck's relay starts (its first pass, then its long poll) when the ramp first needs
    // it, already holding its organisation up to central's head.
    const withRelays = async (n: number) => {
      const added = trucks.slice(relays.length, n);
      const at = await heads(store!, added);
      for (const t of added) {
        const relay = new WireRelay(server!.url, t, at.get(t.org)!, new Stats());
        relays.push(relay);
        await relay.start();
      }
    };

    const reference = Math.min(REFERENCE_TRUCKS, Math.max(...ramp));
    const settle = () => quiet(cluster?.url ?? null);
    /** `n` trucks through their relays for STEP_S: central's answers. */
    const runStep = async (n: number) => {
      await grow(n);
      await withRelays(n);
      await settle();
      const stats = new Stats();
      for (const r of relays.slice(0, n)) r.stats = stats;
      console.error(`  fleet: ${n} trucks through their relays, ${STEP_S} s`);
      const floor = probe(server!.url);
      const s = await play(trucks.slice(0, n), day, STEP_S, draw, (t, _a, ops) =>
        relays[t.index]!.stored(ops, true),
      );
      await sleep(1_000);
      const health = floor.stop();
      const sum = summary(stats.latencies);
      const step = {
        trucks: n,
        p99: sum.p99,
        errors: stats.errors,
        requests: stats.requests,
        s,
        median: sum.median,
        byKind: kindsOf(stats),
        health,
      };
      console.error(
        `  fleet: ${n} trucks: p99 ${step.p99} ms, median ${step.median} ms, ${step.requests} requests, ${step.errors} errors${stats.firstError ? ` (${stats.firstError})` : ''}; health p99 ${health.p99} ms, median ${health.median} ms`,
      );
      if (n === reference) result.reference = { stats, s, trucks: n, health };
      for (const r of relays.slice(0, n)) r.stats = new Stats();
      return step;
    };
    for (const n of ramp) {
      // The next step's setup (seeding, enrolment) at the pace seen so far, then the step itself.
      const perTruck = result.seeded.trucks ? result.seeded.seedS / result.seeded.trucks : 1;
      const next = (n - trucks.length) * perTruck + STEP_S + 5;
      if ((performance.now() - began) / 1000 + next > BUDGET_S && result.ramp.length > 0) {
        result.stoppedBy = `time budget: ${n} trucks would have ended after ${BUDGET_S / 60} min`;
        break;
      }
      const step = await runStep(n);
      result.ramp.push(step);
      if (!rampContinues(step, GOAL_MS)) break;
    }

    // The reference fleet through its relays (the headline), if the ramp stopped below it.
    if (!result.reference) await runStep(reference);

    if (kind === 'postgres') {
      // The storm: every relay cut, 30 minutes of work on each truck, then central back for all.
      await withRelays(reference);
      for (const r of relays) await r.cut();
      const fleetRelays = relays.slice(0, reference);
      let ops = 0;
      for (const t of trucks.slice(0, reference)) {
        for (let k = 0; k < STORM_ACTIONS; k++) {
          const a = takeAction(day, t);
          const written = t.writers[a.device]!.write(a.changes, a.staffId);
          ops += written.length;
          relays[t.index]!.stored(written, false);
        }
      }
      const stats = new Stats();
      for (const r of fleetRelays) r.stats = stats;
      console.error(`  fleet: reconnect storm, ${reference} relays, ${ops} ops`);
      await settle();
      const t0 = performance.now();
      await Promise.all(fleetRelays.map((r) => r.reconnect()));
      // Passes that failed wait for the relay's backoff and go again: until every relay has
      // forwarded its backlog (or the limit).
      while (!fleetRelays.every((r) => r.drained) && performance.now() - t0 < STORM_LIMIT_MS) {
        await sleep(100);
      }
      const s = (performance.now() - t0) / 1000;
      result.storm = {
        s,
        stats,
        ops,
        backlogLeft: fleetRelays.reduce((n, r) => n + r.backlog, 0),
        trucks: fleetRelays.length,
      };
      console.error(
        `  fleet: storm: ${round(s, 1)} s, ${stats.requests} requests, ${stats.errors} errors, ${result.storm.backlogLeft} ops left`,
      );
    }

    if (kind === 'postgres') {
      // The reference fleet without relays (context): every device straight to central.
      for (const r of relays) await r.cut();
      await grow(reference);
      await settle();
      console.error(`  fleet: ${reference} trucks relay-less, ${STEP_S} s`);
      result.relayLess = await relayLess(server, store, trucks.slice(0, reference), day, draw);
      const less = summary(result.relayLess.stats.latencies);
      console.error(
        `  fleet: relay-less: p99 ${less.p99} ms, median ${less.median} ms, ${result.relayLess.stats.requests} requests, ${result.relayLess.stats.errors} errors${result.relayLess.stats.firstError ? ` (${result.relayLess.stats.firstError})` : ''}`,
      );
    }
    result.starts = trucks.map((t) => t.start);
    return result;
  } finally {
    await Promise.all(relays.map((r) => r.cut()));
    await server?.stop();
    await store?.close();
    cluster?.stop();
    data.remove();
  }
}

export async function run(): Promise<BenchLine[]> {
  const pg = await fleet('postgres', RAMP);
  // SQLite at the reference fleet only, on demand (its seeding alone takes minutes).
  const lite =
    process.env.BENCH_FLEET_SQLITE === '1'
      ? await fleet('sqlite', [Math.min(REFERENCE_TRUCKS, Math.max(...RAMP))])
      : { ramp: [] as FleetResult['ramp'] };
  const ref = pg.reference;
  const refSum = ref ? summary(ref.stats.latencies) : null;
  const kinds = kindsOf;
  const knee = kneeOf(pg.ramp, GOAL_MS);
  const less = pg.relayLess;
  const lessSum = less ? summary(less.stats.latencies) : null;
  const liteStep = lite.ramp[0];
  const common = {
    store: 'postgres',
    postgres: pg.settings,
    machine: machine(),
  };
  const lines: BenchLine[] = [];
  if (ref && refSum) {
    lines.push(
      line('server.sync_p99_ms_500_devices', refSum.p99 ?? -1, 'ms', {
        goal: `<= ${GOAL_MS} with no error`,
        topology: `field: ${ref.trucks} trucks × 5 devices behind ${ref.trucks} relays (wire model of relay.ts); p99 of every request a relay makes to central but the held long poll`,
        errors: ref.stats.errors,
        ...(ref.stats.firstError ? { first_error: ref.stats.firstError } : {}),
        requests: ref.stats.requests,
        req_per_s: round(ref.stats.requests / ref.s, 1),
        median_ms: refSum.median,
        max_ms: refSum.max,
        health_probe: {
          what: "GET /api/health every 500 ms meanwhile: the loaded machine's floor",
          p99_ms: ref.health.p99,
          median_ms: ref.health.median,
        },
        by_kind: kinds(ref.stats),
        relay_less:
          less && lessSum
            ? {
                what: '500 devices straight to central (sync-client model, sessions, room filter)',
                p99_ms: lessSum.p99,
                median_ms: lessSum.median,
                errors: less.stats.errors,
                ...(less.stats.firstError ? { first_error: less.stats.firstError } : {}),
                requests: less.stats.requests,
                req_per_s: round(less.stats.requests / less.s, 1),
                health_p99_ms: less.health.p99,
                health_median_ms: less.health.median,
              }
            : null,
        ...(liteStep
          ? {
              sqlite_p99_ms: liteStep.p99,
              sqlite_errors: liteStep.errors,
              sqlite_req_per_s: round(liteStep.requests / liteStep.s, 1),
            }
          : { sqlite: 'not run (BENCH_FLEET_SQLITE=1)' }),
        duration_s: STEP_S,
        start_actions: {
          min: Math.min(...pg.starts),
          median: pg.starts.sort((a, b) => a - b)[pg.starts.length >> 1],
          max: Math.max(...pg.starts),
          of: pg.actions,
        },
        ...common,
      }),
    );
  }
  lines.push(
    line('server.fleet_knee_trucks', knee.trucks, 'trucks', {
      goal: `>= ${REFERENCE_TRUCKS}`,
      knee_reached: knee.reached,
      ...(pg.stoppedBy ? { ramp_stopped_by: pg.stoppedBy } : {}),
      meaning: knee.reached
        ? 'largest load of the ramp whose p99 stayed within 200 ms with no error; the next step missed'
        : 'every step run met the goal: a lower bound, not the knee',
      ramp: pg.ramp.map(stepContext),
      step_s: STEP_S,
      seeded: { trucks: pg.seeded.trucks, seconds: round(pg.seeded.seedS, 0) },
      ...common,
    }),
  );
  if (pg.storm) {
    const st = summary(pg.storm.stats.latencies);
    lines.push(
      line('server.reconnect_storm_s', round(pg.storm.s, 2), 's', {
        trucks: pg.storm.trucks,
        backlog: `${STORM_ACTIONS} actions (30 min) per truck`,
        ops: pg.storm.ops,
        backlog_left: pg.storm.backlogLeft,
        p99_ms: st.p99,
        median_ms: st.median,
        max_ms: st.max,
        errors: pg.storm.stats.errors,
        ...(pg.storm.stats.firstError ? { first_error: pg.storm.stats.firstError } : {}),
        requests: pg.storm.stats.requests,
        by_kind: kinds(pg.storm.stats),
        ...common,
      }),
    );
  }
  return lines;
}
