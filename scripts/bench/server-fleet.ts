// server.sync_p99_ms_500_devices: a central serving 100 trucks of 5 devices each (reception, two
// boxes, the modular rooms' laptop, the waiting-room display), all live at once over loopback.
// The real server program runs in its own process over PostgreSQL (central's store; SQLite's
// figure is in context); each organisation holds a truck's reference data, which its devices
// already hold (steady state). Every device behaves as src/device/sync-client.ts does: it keeps
// the live channel (SSE) open, syncs 200 ms after a local write or a poke (one round trip at a
// time, again if asked meanwhile), and polls every 60 s. Each truck replays the reference day's
// actions (day.ts) at the pace of its busiest half hour (100 actions per 30 min), from a random
// phase, for DURATION_S. Value: p99 latency of every sync round trip; every error is counted.
// Every device is enrolled (a code over the server's store, exchanged at /api/enrol) with the
// profile of its place in the truck — reception, Box 1 and Box 2 (room, each with its room), the
// laptop of Salles 3–4 that the coordinator also uses (coordination: it validates the interns'
// notes), the waiting-room display — so central authorises each push against that profile and
// the organisation's staff (ops carry the signed-in person) and filters each pull by it. The
// seeded reference data is that of the day the trucks replay, so its staff and rooms are theirs.

import type { Audience } from '../../src/domain/access';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { Op } from '../../src/sync/op';
import { startCluster } from '../../tests/support/postgres';
import { type DayAction, type ReferenceDay, referenceDay } from './day';
import { seedRows } from './escale';
import { rng } from './identities';
import { type BenchLine, line, machine, median, percentile, round, sleep, tempDir } from './lib';
import { OpWriter } from './op-writer';
import {
  type DeviceSpec,
  type Enrolled,
  enrolDevices,
  type ServerProcess,
  type StoreConfig,
  startServerProcess,
  syncOnce,
} from './server-proc';

const TRUCKS = 100;
const PER_TRUCK = 5;
const DURATION_S = 60;
const DEBOUNCE_MS = 200; // the sync client's default
const POLL_MS = 60_000; // the sync client's default

interface Stats {
  latencies: number[];
  errors: number;
  firstError: string | null;
}

/** A device as the sync client drives it, on the wire only. */
class WireDevice {
  private since: number;
  private outbox: Op[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;
  private abort = new AbortController();
  readonly writer: OpWriter;

  constructor(
    private readonly url: string,
    private readonly device: Enrolled,
    head: number,
    private readonly stats: Stats,
  ) {
    this.since = head;
    this.writer = new OpWriter(device.deviceId, device.org);
  }

  async listen(phase: number): Promise<void> {
    // The credential goes in the query string: a browser's EventSource cannot send headers.
    const token = encodeURIComponent(this.device.token);
    const res = await fetch(`${this.url}/api/events?token=${token}`, { signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const pump = async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            if (buffer.slice(0, end).includes('event: poke')) this.soon();
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // aborted at the end of the run
      }
    };
    void pump();
    setTimeout(() => {
      this.poll = setInterval(() => this.soon(), POLL_MS);
    }, phase);
  }

  write(action: DayAction): void {
    this.outbox.push(...this.writer.write(action.changes, action.staffId));
    this.soon();
  }

  private soon(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.syncNow();
    }, DEBOUNCE_MS);
  }

  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const ops = this.outbox.slice();
        const t = performance.now();
        try {
          const res = await syncOnce(this.url, this.device, this.since, ops);
          this.stats.latencies.push(performance.now() - t);
          this.outbox = this.outbox.filter((op) => op.seq > res.accepted);
          this.since = res.lastSeq;
          if (res.hasMore) this.again = true;
        } catch (error) {
          this.stats.errors++;
          this.stats.firstError ??= error instanceof Error ? error.message : String(error);
          return;
        }
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    await this.running;
    this.abort.abort();
  }
}

/** A truck's devices, in the order of the day's device index (the display last). */
function truckDevices(day: ReferenceDay, org: string, o: number): DeviceSpec[] {
  const room = (name: string) => day.reference.room?.find((r) => r.name === name)?.id ?? null;
  const places: { profile: Audience; roomId?: string | null }[] = [
    { profile: 'reception' },
    { profile: 'room', roomId: room('Box 1') },
    { profile: 'room', roomId: room('Box 2') },
    { profile: 'coordination' },
    { profile: 'display' },
  ];
  return places.slice(0, PER_TRUCK).map((p, j) => ({ deviceId: `dev-${o}-${j}`, org, ...p }));
}

async function fleet(
  server: ServerProcess,
  config: StoreConfig,
  day: ReferenceDay,
  orgs: string[],
  head: number,
): Promise<Stats & { s: number }> {
  const r = rng(500);
  const stats: Stats = { latencies: [], errors: 0, firstError: null };
  const pace = (30 * 60 * 1000) / 100; // the reference day's busiest slot: 100 actions
  const specs = orgs.map((org, o) => truckDevices(day, org, o));
  const credentials = await enrolDevices(server, config, specs.flat());
  const trucks = specs.map((list) => ({
    devices: list.map((d) => new WireDevice(server.url, credentials.get(d.deviceId)!, head, stats)),
    phase: r() * pace,
  }));
  const all = trucks.flatMap((t) => t.devices);
  await Promise.all(all.map((d) => d.listen(r() * POLL_MS)));
  const started = performance.now();
  await Promise.all(
    trucks.map(async (t) => {
      await sleep(t.phase);
      for (let k = 0; performance.now() - started < DURATION_S * 1000; k++) {
        const action = day.actions[k % day.actions.length]!;
        t.devices[action.device]!.write(action);
        await sleep(pace);
      }
    }),
  );
  await sleep(DEBOUNCE_MS * 2);
  await Promise.all(all.map((d) => d.stop()));
  return { ...stats, s: (performance.now() - started) / 1000 };
}

async function measure(kind: 'sqlite' | 'postgres') {
  const orgs = Array.from({ length: TRUCKS }, (_, i) => `truck-${i}`);
  const data = tempDir(`fleet-${kind}`);
  const cluster = kind === 'postgres' ? await startCluster() : null;
  try {
    const store = cluster
      ? await openPostgresStore(cluster.url)
      : await openSqliteStore(`${data.dir}/escale.sqlite`);
    const day = referenceDay(5);
    for (const org of orgs) await seedRows(store, org, 'seed', day.reference);
    const head = await store.lastSeq(orgs[0]!);
    await store.close();
    const config = { dataDir: data.dir, ...(cluster ? { databaseUrl: cluster.url } : {}) };
    const server = await startServerProcess(config);
    try {
      return await fleet(server, config, day, orgs, head);
    } finally {
      await server.stop();
    }
  } finally {
    cluster?.stop();
    data.remove();
  }
}

export async function run(): Promise<BenchLine[]> {
  const pg = await measure('postgres');
  const lite = await measure('sqlite');
  const p99 = (s: Stats) => (s.latencies.length ? round(percentile(s.latencies, 99), 1) : -1);
  return [
    line('server.sync_p99_ms_500_devices', p99(pg), 'ms', {
      goal: '<= 200 with no error',
      store: 'postgres',
      errors: pg.errors,
      ...(pg.firstError ? { first_error: pg.firstError } : {}),
      requests: pg.latencies.length + pg.errors,
      req_per_s: round((pg.latencies.length + pg.errors) / pg.s, 1),
      median_ms: pg.latencies.length ? round(median(pg.latencies), 1) : -1,
      sqlite_p99_ms: p99(lite),
      sqlite_errors: lite.errors,
      sqlite_requests: lite.latencies.length + lite.errors,
      devices: TRUCKS * PER_TRUCK,
      duration_s: DURATION_S,
      machine: machine(),
    }),
  ];
}
