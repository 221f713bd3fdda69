// Escale's side of the comparisons, in Node: the real server (Fastify app over the SQLite store)
// in process, devices running the real write path and sync client over fake-indexeddb (enrolled
// as a real device is, their credential in their database), and the cached store holding the
// registry that bootstraps read.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { EscaleDb, META } from '../../src/device/db';
import { createSyncClient, type SyncClient } from '../../src/device/sync-client';
import { createSyncTransport } from '../../src/device/sync-transport';
import type { Change } from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildApp } from '../../src/server/app';
import { Accounts } from '../../src/server/auth';
import { rowsToOps } from '../../src/server/seed/ops';
import { openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { chunkMatches, type SnapshotManifest } from '../../src/sync/snapshot';
import { type ReferenceDay, type Rows, referenceDay } from './day';
import { frenchPatients } from './identities';
import { appCredential, createCodes, type DeviceSpec, type Enrolled, enrol } from './server-proc';

export const REGISTRY = 50_000;

export interface EscaleServer {
  url: string;
  store: SyncStore;
  accounts: Accounts;
  stop(): Promise<void>;
}

export async function startEscaleServer(
  file: string,
  options: { requestStreams?: boolean; answerStreams?: boolean } = {},
): Promise<EscaleServer> {
  const store = await openSqliteStore(file);
  const accounts = new Accounts(store);
  const app = await buildApp({ store, accounts, role: 'central', ...options });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    store,
    accounts,
    async stop() {
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await store.close();
    },
  };
}

/** Enrols a device at an in-process server: a code from its accounts, exchanged over HTTP. */
export async function enrolAt(server: EscaleServer, device: DeviceSpec): Promise<Enrolled> {
  const [code] = await createCodes(server.store, [device]);
  return enrol(server.url, code!, device.deviceId);
}

/**
 * The people of the day signed in with their password on a device (decision 0006): the server
 * accepts their ops from it only within such a session. Beside the link, as the enrolment.
 */
export async function signInAll(server: EscaleServer, device: Enrolled, staffIds: string[]) {
  const [credential] = (await server.accounts.credentials(device.org)).filter(
    (c) => c.deviceId === device.deviceId,
  );
  if (!credential) throw new Error(`no credential for ${device.deviceId}`);
  for (const staffId of staffIds) await server.accounts.openSession(credential, staffId, false);
}

/** Pushes rows as the seed device's ops, in bounded batches. */
export async function seedRows(store: SyncStore, org: string, device: string, rows: Rows) {
  const ops = rowsToOps(org, device, rows);
  for (let i = 0; i < ops.length; i += 5000) await store.push(org, ops.slice(i, i + 5000));
  return ops.length;
}

export interface NodeDevice {
  db: EscaleDb;
  client: SyncClient;
  deviceId: string;
}

/**
 * An enrolled device already holding everything up to `checkpoint` on `server` (bootstrapped
 * earlier); its credential is where the app keeps it (meta `credential`, as enrolDevice does).
 */
export async function nodeDevice(
  device: Enrolled,
  server: string,
  checkpoint: number,
): Promise<NodeDevice> {
  const { deviceId, org } = device;
  const db = new EscaleDb(`bench-${deviceId}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: deviceId },
    { key: META.org, value: org },
    { key: 'credential', value: appCredential(device) },
    { key: META.checkpoint(server), value: checkpoint },
  ]);
  const client = createSyncClient({
    db,
    servers: [server],
    eventSource: null,
    locks: null,
    events: null,
    timeoutMs: 120_000,
  });
  return { db, client, deviceId };
}

/** The day's rows as they stand at its end (the changes replayed the document way). */
export function finalRows(day: ReferenceDay): Rows {
  const rows = new Map<string, { entity: string; row: Record<string, unknown> }>();
  const apply = (c: Change) => {
    const key = `${c.entity}:${c.id}`;
    const current = rows.get(key) ?? { entity: c.entity, row: { id: c.id } };
    if ('insert' in c) Object.assign(current.row, c.insert);
    else if ('set' in c) Object.assign(current.row, c.set);
    rows.set(key, current);
  };
  for (const a of day.actions) for (const c of a.changes) apply(c);
  const out: Record<string, { id: string }[]> = {};
  for (const [entity, list] of Object.entries(day.reference)) out[entity] = [...(list ?? [])];
  for (const { entity, row } of rows.values()) {
    out[entity] = [...(out[entity] ?? []), row as { id: string }];
  }
  return out as Rows;
}

/** Everything a fresh device of the reference organisation loads: day, reference, registry. */
export function bootstrapRows(day: ReferenceDay): Rows {
  const rows = finalRows(day);
  const registry = frenchPatients(REGISTRY - (rows.patient?.length ?? 0), day.org, 2026);
  return { ...rows, patient: [...(rows.patient ?? []), ...registry] };
}

function sourceKey(): string {
  const h = createHash('sha256');
  for (const f of [
    'scripts/bench/identities.ts',
    'scripts/bench/day.ts',
    'scripts/bench/notes.ts',
    'scripts/bench/escale.ts',
    'src/server/seed/ops.ts',
    'src/server/store/kysely-store.ts',
    'src/domain/entities.ts',
    'src/sync/merge.ts',
  ]) {
    h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * A copy of an SQLite store holding the bootstrap rows (≈ 1 M ops: a minute to build), cached
 * under .bench/ by a hash of the code that shapes it. The caller owns the copy.
 */
export async function bootstrapStoreCopy(dest: string): Promise<{ file: string; ops: number }> {
  const dir = '.bench/cache';
  const file = join(dir, `bootstrap-${SCHEMA_VERSION}-${sourceKey()}.sqlite`);
  const countFile = `${file}.ops`;
  if (!existsSync(file) || !existsSync(countFile)) {
    mkdirSync(dir, { recursive: true });
    // Caches of older code are dead weight (≈ 700 MB each).
    for (const old of readdirSync(dir)) rmSync(join(dir, old), { force: true });
    const building = `${file}.building`;
    rmSync(building, { force: true });
    const store = await openSqliteStore(building);
    const day = referenceDay();
    const ops = await seedRows(store, day.org, 'seed', bootstrapRows(day));
    // One file, no WAL beside it, so a plain copy is a whole database.
    await store.close();
    const db = new Database(building);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    renameSync(building, file);
    writeFileSync(countFile, String(ops));
  }
  copyFileSync(file, dest);
  return { file: dest, ops: Number(readFileSync(countFile, 'utf8')) };
}

/**
 * A fresh device's first load, on the wire exactly as the sync client does it — through its own
 * transport (src/device/sync-transport.ts: protocol 3, compact once the server said it reads it,
 * bodies gzipped once it said it reads them), one POST per page, `since` the last page's end,
 * nothing to push, the client's page size — but without storing what it pulls: the wire cost
 * alone. Returns the ops received.
 */
export async function pullEverything(server: string, device: Enrolled, from = 0) {
  const post = createSyncTransport({
    fetch: globalThis.fetch,
    timeoutMs: 600_000,
    headers: async () => ({ authorization: `Bearer ${device.token}` }),
  });
  let since = from;
  let ops = 0;
  let requests = 0;
  for (;;) {
    const page = await post(server, {
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      deviceId: device.deviceId,
      org: device.org,
      since,
      ops: [],
      maxBytes: 1024 * 1024,
    });
    requests++;
    ops += page.ops.length;
    since = page.lastSeq;
    if (!page.hasMore) return { ops, requests, lastSeq: since };
  }
}

/**
 * A fresh device's first load as the shipped sync client makes it (src/device/snapshot.ts,
 * docs/protocol.md, Snapshot): the manifest, every chunk (brotli as the server sends it to a
 * client that accepts it, checked against its SHA-256 as the device checks it), then the pull
 * of the ops after S — on the wire only, nothing stored. Null when the server serves no
 * snapshot for this device (it replays: pullEverything).
 */
export async function snapshotThenPull(server: string, device: Enrolled) {
  const get = (path: string) =>
    fetch(new URL(path, server), {
      headers: { authorization: `Bearer ${device.token}`, 'accept-encoding': 'br, gzip' },
      signal: AbortSignal.timeout(600_000),
    });
  const res = await get('/api/sync/snapshot');
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  const manifest = (await res.json()) as SnapshotManifest;
  let rows = 0;
  for (let i = 0; i < manifest.chunks.length; i++) {
    const chunk = await get(`/api/sync/snapshot/${encodeURIComponent(manifest.id)}/${i}`);
    const text = await chunk.text();
    if (!chunk.ok || !chunkMatches(text, manifest.chunks[i]!)) {
      throw new Error(`snapshot chunk ${i}: HTTP ${chunk.status} or checksum`);
    }
    rows += text.length; // characters, for the record only
  }
  const after = await pullEverything(server, device, manifest.seq);
  return {
    seq: manifest.seq,
    chunks: manifest.chunks.length,
    snapshotBytes: manifest.bytes,
    chars: rows,
    ops: after.ops,
    requests: 1 + manifest.chunks.length + after.requests,
    lastSeq: after.lastSeq,
  };
}
