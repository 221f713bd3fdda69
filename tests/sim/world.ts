// The real parts of a simulated day, in one process and without sockets or timers: central and
// the truck's relay are the real server (`buildApp`) over SQLite in memory, reached through
// `app.inject()`; the relay is the real `Relay`, driven by `syncNow()`; each device is a real
// `EscaleDb` on its own fake-indexeddb factory with the real sync client, driven by `syncNow()`.
// Every request goes through a seeded network (`SimNetwork`) that cuts links, drops requests,
// loses answers after the server committed, duplicates requests, answers late and delivers old
// requests again later. A seed fixes the whole course: every draw is seeded (the relay's jitter
// too), and the network carries the wire uncompressed — it decodes a compressed body itself,
// synchronously, and strips Accept-Encoding both ways — because zlib's streams complete on libuv's
// thread pool in an order that depends on the machine (docs/decisions/0013); for the same reason
// central offers the relay no compression context across its requests (decision 0031).
// Compression is tested in tests/server/compression.test.ts, tests/server/body-stream.test.ts and
// tests/device/compress-body.test.ts.
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { FastifyInstance } from 'fastify';
import { Kysely, SqliteDialect } from 'kysely';
import { EscaleDb, META, setMeta } from '../../src/device/db';
import { createSyncClient, type SyncClient } from '../../src/device/sync-client';
import type { Audience } from '../../src/domain/access';
import { buildApp } from '../../src/server/app';
import { Accounts } from '../../src/server/auth';
import { Relay } from '../../src/server/relay';
import type { ChunkCodec } from '../../src/server/snapshots';
import {
  KyselyStore,
  migrate,
  migrateQuarantine,
  type Tables,
} from '../../src/server/store/kysely-store';
import type { SyncStore } from '../../src/server/store/types';

export const ORG = 'org-sim';
export type Target = 'central' | 'relay';

/** A SQLite store in memory whose bytes can be copied (a backup) and opened again (a restore). */
export interface MemoryStore {
  store: SyncStore;
  sqlite: Database.Database;
}

export async function memoryStore(bytes?: Buffer): Promise<MemoryStore> {
  const sqlite = bytes ? new Database(bytes) : new Database(':memory:');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  await migrateQuarantine(db);
  return { store: new KyselyStore('sqlite', db), sqlite };
}

export interface NetFaults {
  /** The request never reaches the server. */
  dropRequest: number;
  /** The server commits, the answer is lost ("crash after commit"). */
  dropResponse: number;
  /** The request arrives twice. */
  duplicate: number;
  /** The answer comes late: other requests overtake it. */
  delay: number;
  /** The request is held and delivered again at a later step (after newer ones). */
  late: number;
}

export const NO_FAULTS: NetFaults = {
  dropRequest: 0,
  dropResponse: 0,
  duplicate: 0,
  delay: 0,
  late: 0,
};

export interface NetStats {
  requests: number;
  refusedByCut: number;
  droppedRequests: number;
  droppedResponses: number;
  duplicated: number;
  delayed: number;
  late: number;
  /** Snapshot manifests answered 200 (a fresh device bootstrapping from one: src/device/snapshot.ts). */
  snapshots: number;
  /** Of those, reloads: a device holding states told so by its server (`reload=1`). */
  reloads: number;
  /** Of those, pruned at a horizon (manifest `hz`: the whole organisation's, decision 0027). */
  prunedSnapshots: number;
}

interface Held {
  target: Target;
  path: string;
  init: RequestInit;
}

/** Yields to the event loop `n` times (no wall clock): lets concurrent work overtake. */
async function yields(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

export class SimNetwork {
  faults: NetFaults = NO_FAULTS;
  readonly stats: NetStats = {
    requests: 0,
    refusedByCut: 0,
    droppedRequests: 0,
    droppedResponses: 0,
    duplicated: 0,
    delayed: 0,
    late: 0,
    snapshots: 0,
    reloads: 0,
    prunedSnapshots: 0,
  };
  private readonly cut = new Set<string>();
  private held: Held[] = [];
  /** Sees every JSON answer of a sync request, as its caller reads it (the checks record the
   * horizons central announces). */
  onSyncAnswer: ((target: Target, body: Record<string, unknown>) => void) | null = null;
  readonly apps = new Map<Target, FastifyInstance>();

  constructor(private readonly rnd: () => number) {}

  static link(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  isUp(a: string, b: string): boolean {
    return !this.cut.has(SimNetwork.link(a, b));
  }

  setLink(a: string, b: string, up: boolean): void {
    if (up) this.cut.delete(SimNetwork.link(a, b));
    else this.cut.add(SimNetwork.link(a, b));
  }

  healAll(): void {
    this.cut.clear();
    this.faults = NO_FAULTS;
  }

  private async deliver(target: Target, path: string, init: RequestInit): Promise<Response> {
    const app = this.apps.get(target);
    if (!app) throw new TypeError(`fetch failed: ${target} is down`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    let body: string | Buffer | undefined =
      typeof init.body === 'string'
        ? init.body
        : init.body instanceof Uint8Array
          ? Buffer.from(init.body)
          : undefined;
    // The wire's compression is decoded here, synchronously (see the class comment).
    if (body !== undefined && headers['content-encoding']) {
      const raw = typeof body === 'string' ? Buffer.from(body) : body;
      body = headers['content-encoding'] === 'br' ? brotliDecompressSync(raw) : gunzipSync(raw);
      delete headers['content-encoding'];
    }
    delete headers['accept-encoding'];
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: path,
      headers,
      ...(body === undefined ? {} : { payload: body }),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (k === 'accept-encoding') continue;
      if (typeof v === 'string') out.set(k, v);
      else if (typeof v === 'number') out.set(k, String(v));
    }
    // As a real fetch does: a compressed answer is read decoded.
    const encoding = out.get('content-encoding');
    let payload = res.rawPayload;
    if (encoding === 'br') payload = brotliDecompressSync(payload);
    else if (encoding === 'gzip') payload = gunzipSync(payload);
    const empty = res.statusCode === 204 || res.statusCode === 304;
    if (
      this.onSyncAnswer &&
      res.statusCode === 200 &&
      path.startsWith('/api/sync') &&
      (out.get('content-type') ?? '').includes('json')
    ) {
      this.onSyncAnswer(target, JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    }
    return new Response(empty ? null : new Uint8Array(payload), {
      status: res.statusCode,
      headers: out,
    });
  }

  /** Requests held back earlier arrive now, in a shuffled order (reordering). */
  async deliverLate(): Promise<void> {
    const held = this.held;
    this.held = [];
    for (let i = held.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [held[i], held[j]] = [held[j]!, held[i]!];
    }
    for (const h of held) await this.deliver(h.target, h.path, h.init).catch(() => undefined);
  }

  /** The fetch a node uses: every request crosses the link `from` ↔ its target. */
  fetchFor(from: string): typeof fetch {
    return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const target = url.hostname as Target;
      const path = url.pathname + url.search;
      this.stats.requests++;
      // Two runs of a seed diffed (scripts/sim.ts): where their courses part.
      if (process.env.SIM_TRACE)
        console.error(`TRACE ${this.stats.requests} ${from}->${target} ${path.split('?')[0]}`);
      if (!this.isUp(from, target)) {
        this.stats.refusedByCut++;
        throw new TypeError('fetch failed: no route');
      }
      const f = this.faults;
      if (this.rnd() < f.dropRequest) {
        this.stats.droppedRequests++;
        throw new TypeError('fetch failed: request lost');
      }
      if (this.rnd() < f.late) {
        this.stats.late++;
        this.held.push({ target, path, init });
        throw new TypeError('fetch failed: timed out');
      }
      const res = await this.deliver(target, path, init);
      if (url.pathname === '/api/sync/snapshot' && res.status === 200) {
        this.stats.snapshots++;
        if (url.searchParams.get('reload') === '1') this.stats.reloads++;
        if ((await res.clone().json()).hz) this.stats.prunedSnapshots++;
      }
      if (this.rnd() < f.duplicate) {
        this.stats.duplicated++;
        await this.deliver(target, path, init).catch(() => undefined);
      }
      if (this.rnd() < f.dropResponse) {
        this.stats.droppedResponses++;
        throw new TypeError('fetch failed: connection reset');
      }
      if (this.rnd() < f.delay) {
        this.stats.delayed++;
        await yields(1 + Math.floor(this.rnd() * 40));
      }
      return res;
    }) as typeof fetch;
  }
}

/**
 * Snapshot chunks compressed on the event loop, not on libuv's thread pool: a job on the pool
 * ends when the host has done it, so the requests of the devices syncing meanwhile would
 * interleave with it differently on a slower or busier machine, and a seed would not fix its
 * course (tests/sim/simulation.test.ts runs one with the pool held busy).
 */
const inLineCodec: ChunkCodec = {
  compress: async (text, quality) =>
    brotliCompressSync(text, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
  decompress: async (chunk) => brotliDecompressSync(chunk),
};

export interface Clock {
  /** The true time of the simulation (servers' clocks). */
  now: number;
}

/** Central or the relay: the real server over its store. */
export interface SimServer {
  target: Target;
  mem: MemoryStore;
  accounts: Accounts;
  app: FastifyInstance;
  relay: Relay | null;
}

export async function startCentral(
  net: SimNetwork,
  clock: Clock,
  bytes?: Buffer,
): Promise<SimServer> {
  const mem = await memoryStore(bytes);
  const now = () => clock.now;
  const accounts = new Accounts(mem.store, now);
  // No compression context across the relay's requests (decision 0031): its codec runs on the
  // thread pool like zlib's other streams; tests/server/body-stream.test.ts covers it under loss.
  const app = await buildApp({
    store: mem.store,
    accounts,
    role: 'central',
    now,
    requestStreams: false,
    snapshotCodec: inLineCodec,
  });
  await app.ready();
  net.apps.set('central', app);
  return { target: 'central', mem, accounts, app, relay: null };
}

/** Enrols `deviceId` at central with a fresh code (as the coordination and the device do). */
export async function enrolAt(
  central: SimServer,
  deviceId: string,
  profile: Audience,
  roomId: string | null = null,
): Promise<string> {
  const { code } = await central.accounts.createCode({
    org: ORG,
    profile,
    roomId,
    name: `Simulation ${deviceId}`,
    createdBy: null,
  });
  const res = await central.app.inject({
    method: 'POST',
    url: '/api/enrol',
    payload: { code, deviceId },
  });
  if (res.statusCode !== 200) throw new Error(`enrolment refused: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

/** A relay freshly installed (empty store), enrolled at central under `relayId`. */
export async function startRelay(
  net: SimNetwork,
  clock: Clock,
  central: SimServer,
  relayId: string,
  /** The relay's draws (its backoff's jitter), seeded like everything else in a run. */
  random: () => number,
  /** The relay's disk, kept when it is enrolled again (central restored); a new one otherwise. */
  disk?: SimServer['mem'],
): Promise<SimServer> {
  const token = await enrolAt(central, relayId, 'relay');
  const mem = disk ?? (await memoryStore());
  const now = () => clock.now;
  const accounts = new Accounts(mem.store, now);
  const relay = new Relay({
    store: mem.store,
    upstream: 'http://central',
    relayId,
    org: ORG,
    token,
    accounts,
    fetch: net.fetchFor('relay'),
    now,
    random,
    timeoutMs: 60_000,
  });
  const app = await buildApp({
    store: mem.store,
    accounts,
    role: 'relay',
    relay,
    now,
    snapshotCodec: inLineCodec,
  });
  await app.ready();
  net.apps.set('relay', app);
  return { target: 'relay', mem, accounts, app, relay };
}

export interface SimDevice {
  name: string;
  profile: Audience;
  roomId: string | null;
  staffId: string;
  skewMs: number;
  db: EscaleDb;
  client: SyncClient;
  token: string;
  servers: string[];
  /** Local clock (the simulation's time plus this device's skew). */
  now: () => number;
}

/** Opens the device's own IndexedDB (its own factory: devices share nothing) and enrols it. */
export async function startDevice(
  net: SimNetwork,
  clock: Clock,
  central: SimServer,
  spec: {
    name: string;
    profile: Audience;
    roomId: string | null;
    staffId: string;
    skewMs: number;
    servers: string[];
    random: () => number;
  },
): Promise<SimDevice> {
  const db = new EscaleDb(`escale-${spec.name}`, {
    indexedDB: new IDBFactory(),
    IDBKeyRange,
  });
  const token = await enrolAt(central, spec.name, spec.profile, spec.roomId);
  await setMeta(db, META.deviceId, spec.name);
  await setMeta(db, META.org, ORG);
  await setMeta(db, META.profile, spec.profile);
  await setMeta(db, 'credential', {
    token,
    profile: spec.profile,
    roomId: spec.roomId,
    name: spec.name,
  });
  const now = () => clock.now + spec.skewMs;
  const device: SimDevice = {
    ...spec,
    db,
    token,
    now,
    client: null as unknown as SyncClient,
  };
  device.client = newClient(net, device, spec.random);
  return device;
}

/** The device's sync client; a crash drops it and the page starts a new one on the same db. */
export function newClient(net: SimNetwork, d: SimDevice, random: () => number): SyncClient {
  return createSyncClient({
    db: d.db,
    servers: d.servers,
    fetch: net.fetchFor(d.name),
    now: d.now,
    random,
    locks: null,
    events: null,
    eventSource: null,
    isVisible: () => true,
    timeoutMs: 600_000,
    // SIM_SNAPSHOTS=0: every device replays the log (to tell the snapshot path's effect apart).
    snapshots: process.env.SIM_SNAPSHOTS !== '0',
    describe: () => ({ appVersion: 'simulation', profile: d.profile as never }),
  });
}

/**
 * The device's person signs in at the depot: the session a password sign-in opens
 * (`/api/login` → `openSession`), opened directly so that no seed pays for scrypt.
 */
export async function signIn(central: SimServer, d: SimDevice): Promise<void> {
  const credential = await central.accounts.credential(d.name);
  if (!credential) throw new Error(`${d.name} is not enrolled`);
  await central.accounts.openSession(credential, d.staffId, false);
}
