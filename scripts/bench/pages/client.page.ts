// Runs in Chromium: the device runtime of the app (src/device) against IndexedDB, for the
// client.* benches. Bundled by esbuild into one script; exposes its entry points on globalThis.
import { type DBCore, type DBCoreKeyRange, Dexie, type Middleware } from 'dexie';
import { loadCipher } from '../../../src/device/cipher';
import type { Credential } from '../../../src/device/connection';
import { currentDataKey, DATA_KEY_BYTES, setDataKey } from '../../../src/device/data-key';
import { EscaleDb, META, STORES_V1 } from '../../../src/device/db';
import { ENCRYPTED_ENTITIES, enableEncryption } from '../../../src/device/encryption';
import { REGISTRY_LOADING } from '../../../src/device/snapshot';
import { createSyncClient } from '../../../src/device/sync-client';
import { applyRemote, writeChanges } from '../../../src/device/write';
import { SCHEMA_VERSION } from '../../../src/domain/entities';
import { rowsToOps } from '../../../src/server/seed/ops';
import { createClock, tick } from '../../../src/sync/hlc';
import type { Op } from '../../../src/sync/op';
import type { SeqOp } from '../../../src/sync/protocol';
import { referenceDay } from '../day';
import { frenchPatients } from '../identities';
import { OpWriter } from '../op-writer';

/** A fresh device database; `sealed`: with the encryption middleware, as src/main.tsx opens it. */
async function freshDb(
  name: string,
  deviceId: string,
  org: string,
  sealed = true,
): Promise<EscaleDb> {
  await Dexie.delete(name);
  const db = new EscaleDb(name);
  if (sealed) enableEncryption(db);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: deviceId },
    { key: META.org, value: org },
  ]);
  return db;
}

/**
 * The device unlocked, as after a PIN: the cipher loaded and a data key in the page's key ring
 * (data-key.ts), which the encryption middleware reads. The key is random: its value changes no
 * cost.
 */
async function unlock(): Promise<void> {
  await loadCipher();
  if (!currentDataKey()) setDataKey(crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES)));
}

/** The variants of the write path bench: Escale sealed (as shipped) and unsealed, the records
 * Escale wrote put again without reading (its floor) and with its reads, and the anchors: a bare
 * put of the rows, rows + one outbox record per action (fair), the same sealed. */
export const WRITE_VARIANTS = [
  'escale',
  'escaleClear',
  'records',
  'recordsRead',
  'put',
  'fair',
  'fairSealed',
] as const;
export type WriteVariant = (typeof WRITE_VARIANTS)[number];

export interface WriteRun {
  /** Per variant, the time of each action (ms). */
  ms: Record<WriteVariant, number[]>;
  ops: number;
  outboxRecords: number;
}

/** A plain Dexie app's database: the same row tables, and an outbox of one record per action. */
async function anchorDb(name: string, sealed: boolean): Promise<Dexie> {
  await Dexie.delete(name);
  const db = new Dexie(name);
  db.version(1).stores({ ...STORES_V1, outbox: '++seq' });
  if (sealed) enableEncryption(db);
  await db.open();
  return db;
}

const CLINICAL = new Set<string>(ENCRYPTED_ENTITIES);

/** One request of the write path, as it reached the encryption middleware (writes in clear). */
type Captured =
  | { table: string; type: 'add' | 'put'; values: unknown[] }
  | { table: string; type: 'delete'; keys: unknown[] }
  | { table: string; type: 'get'; keys: unknown[] }
  | { table: string; type: 'query'; index: string | null; range: DBCoreKeyRange; limit?: number };

/** Records every request above the encryption middleware (level 1.5) into `sink()`. */
function captureMiddleware(sink: () => Captured[]): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'bench-capture',
    level: 1.6,
    create: (down) => ({
      ...down,
      table(name) {
        const table = down.table(name);
        return {
          ...table,
          mutate(req) {
            if (req.type === 'add' || req.type === 'put') {
              sink().push({
                table: name,
                type: req.type,
                values: structuredClone([...req.values]),
              });
            } else if (req.type === 'delete') {
              sink().push({ table: name, type: 'delete', keys: [...req.keys] });
            }
            return table.mutate(req);
          },
          get(req) {
            sink().push({ table: name, type: 'get', keys: [req.key] });
            return table.get(req);
          },
          getMany(req) {
            sink().push({ table: name, type: 'get', keys: [...req.keys] });
            return table.getMany(req);
          },
          query(req) {
            const { index, range } = req.query;
            sink().push({ table: name, type: 'query', index: index.name, range, limit: req.limit });
            return table.query(req);
          },
        };
      },
    }),
  };
}

/**
 * The records the write path stores for each action — rows, merge states, the outbox record, the
 * writer's meta, the fold index — and its reads, captured from an untimed pass over the same
 * actions: the floor of what this design writes, which the `records` variant puts again in one
 * transaction per action with no read and no merge (sealed by the same middleware).
 */
async function writtenRecords(
  actions: ReturnType<typeof referenceDay>['actions'],
  ctxOf: (staffId: string) => { deviceId: string; org: string; userId: string },
  deviceId: string,
  org: string,
): Promise<Captured[][]> {
  const name = 'bench-capture';
  await Dexie.delete(name);
  const db = new EscaleDb(name);
  let current: Captured[] = [];
  db.use(captureMiddleware(() => current));
  enableEncryption(db);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: deviceId },
    { key: META.org, value: org },
  ]);
  const out: Captured[][] = [];
  for (const action of actions) {
    current = [];
    await writeChanges(db, ctxOf(action.staffId), action.changes);
    out.push(current);
  }
  db.close();
  return out;
}

/**
 * Puts one action's captured records again, in one transaction, in the order written; with
 * `reads`, makes the same reads first as the write path made them (consecutive reads at once),
 * answers unused: the write path's requests without its merge.
 */
async function putAgain(
  db: EscaleDb,
  captured: readonly Captured[],
  reads: boolean,
): Promise<void> {
  const requests = reads
    ? captured
    : captured.filter((w) => w.type !== 'get' && w.type !== 'query');
  const tables = [...new Set(requests.map((w) => w.table))].map((t) => db.table(t));
  await db.transaction('rw', tables, async (tx) => {
    const trans = tx.idbtrans as never;
    const writes: Promise<unknown>[] = [];
    let batch: Promise<unknown>[] = [];
    for (const w of requests) {
      const core = db.core.table(w.table);
      if (w.type === 'get') {
        batch.push(core.getMany({ trans, keys: w.keys }));
        continue;
      }
      if (w.type === 'query') {
        const { primaryKey, indexes } = core.schema;
        const index = [primaryKey, ...indexes].find((i) => i.name === w.index)!;
        batch.push(
          core.query({ trans, values: true, limit: w.limit, query: { index, range: w.range } }),
        );
        continue;
      }
      await Promise.all(batch);
      batch = [];
      const table = db.table(w.table);
      if (w.type === 'delete') writes.push(table.bulkDelete(w.keys as never[]));
      else writes.push(w.type === 'add' ? table.bulkAdd(w.values) : table.bulkPut(w.values));
    }
    await Promise.all([...batch, ...writes]);
  });
}

/**
 * The reference day's first `count` user actions, each written by every variant in turn, in
 * ABBA order (the order reverses from one action to the next), so all see the same machine at
 * the same moment. Escale: writeChanges (row, merge state and outbox ops in one transaction).
 * Anchors: the rows as they stand after the change (computed up front) put in one transaction;
 * `fair` adds one outbox record per action (the action's changes, as a mutation queue keeps
 * them) in the same transaction; `fairSealed` is `fair` with the same encryption middleware
 * (clinical rows sealed, and the outbox record when the action touches a clinical entity).
 */
async function benchWrite(count: number): Promise<WriteRun> {
  await unlock();
  const day = referenceDay();
  const ctxOf = (staffId: string) => ({ deviceId: day.devices[0]!, org: day.org, userId: staffId });
  const escale = await freshDb('bench-write', day.devices[0]!, day.org, true);
  const escaleClear = await freshDb('bench-write-clear', day.devices[0]!, day.org, false);
  const records = await freshDb('bench-records', day.devices[0]!, day.org, true);
  const recordsRead = await freshDb('bench-records-read', day.devices[0]!, day.org, true);
  const put = await anchorDb('bench-raw', false);
  const fair = await anchorDb('bench-fair', false);
  const fairSealed = await anchorDb('bench-fair-sealed', true);
  const rows = new Map<string, Record<string, unknown>>();
  const ms = Object.fromEntries(WRITE_VARIANTS.map((v) => [v, [] as number[]])) as Record<
    WriteVariant,
    number[]
  >;
  let ops = 0;
  let outboxRecords = 0;
  const actions = day.actions.slice(0, count);
  const written = await writtenRecords(actions, ctxOf, day.devices[0]!, day.org);
  for (const [i, action] of actions.entries()) {
    // What a plain app stores: the rows as they stand after the change, computed up front.
    const touched = action.changes.map((c) => {
      const key = `${c.entity}:${c.id}`;
      const row = { ...(rows.get(key) ?? { id: c.id }) };
      if ('insert' in c) Object.assign(row, c.insert);
      else if ('set' in c) Object.assign(row, c.set);
      rows.set(key, row);
      return { entity: c.entity, row };
    });
    const entities = [...new Set(touched.map((t) => t.entity))];
    const mutation = {
      // The entity the middleware looks at: a clinical one when the action touches one.
      e: entities.find((e) => CLINICAL.has(e)) ?? entities[0]!,
      at: action.at,
      user: action.staffId,
      changes: action.changes,
    };
    const plain = async (db: Dexie, withOutbox: boolean) => {
      const tables = entities.map((e) => db.table(e));
      if (withOutbox) tables.push(db.table('outbox'));
      await db.transaction('rw', tables, async () => {
        for (const { entity, row } of touched) await db.table(entity).put(row);
        if (withOutbox) await db.table('outbox').add(mutation);
      });
    };
    const run: Record<WriteVariant, () => Promise<void>> = {
      escale: async () => {
        ops += (await writeChanges(escale, ctxOf(action.staffId), action.changes)).length;
      },
      escaleClear: async () => {
        await writeChanges(escaleClear, ctxOf(action.staffId), action.changes);
      },
      records: () => putAgain(records, written[i]!, false),
      recordsRead: () => putAgain(recordsRead, written[i]!, true),
      put: () => plain(put, false),
      fair: () => plain(fair, true),
      fairSealed: () => plain(fairSealed, true),
    };
    const order = i % 2 === 0 ? WRITE_VARIANTS : [...WRITE_VARIANTS].reverse();
    for (const v of order) {
      const t = performance.now();
      await run[v]();
      ms[v].push(performance.now() - t);
    }
    outboxRecords++;
  }
  for (const db of [escale, escaleClear, records, recordsRead, put, fair, fairSealed]) db.close();
  return { ms, ops, outboxRecords };
}

/** Ops applied, in how long and how many pages; `parked`: ops this replica refused (kept). */
export interface Applied {
  ops: number;
  ms: number;
  pages: number;
  parked: number;
}

export interface ApplyRun {
  /** Into an empty database: the registry's patients, each field an op. */
  empty: Applied;
  /** On the rows the first part stored: every register field of every patient set again by
   * another device, each op naming the value it supersedes. */
  existing: Applied;
  /** The reference day's ops (4 devices, clinical rows sealed) on a device holding the reference
   * data and the registry. */
  day: Applied;
}

/** Ops in pages of at most 512 KiB of JSON (the server's page), numbered from `from`. */
function paged(ops: Op[], from: number): SeqOp[][] {
  const pages: SeqOp[][] = [];
  let page: SeqOp[] = [];
  let bytes = 0;
  ops.forEach((op, i) => {
    const size = JSON.stringify(op).length;
    if (bytes + size > 512 * 1024 && page.length > 0) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push({ s: from + i, op });
    bytes += size;
  });
  if (page.length > 0) pages.push(page);
  return pages;
}

async function applyTimed(db: EscaleDb, ops: Op[], from: number): Promise<Applied> {
  const pages = paged(ops, from);
  let parked = 0;
  const t = performance.now();
  for (const p of pages) parked += (await applyRemote(db, p, META.checkpoint('bench'))).parked;
  return { ops: ops.length, ms: performance.now() - t, pages: pages.length, parked };
}

/**
 * Pulled ops applied with applyRemote in pages the size the server sends (512 KiB of JSON), one
 * transaction each, on a sealed database with its key in memory (as shipped): into an empty
 * database, then on the rows it now holds, then the reference day's ops.
 */
async function benchApply(patients: number): Promise<ApplyRun> {
  await unlock();
  const day = referenceDay();
  const org = day.org;
  const db = await freshDb('bench-apply', 'device-bench', org, true);
  const registry = frenchPatients(patients, org, 3);
  const seed = rowsToOps(org, 'seed', { patient: registry });
  const empty = await applyTimed(db, seed, 1);

  // Another device corrects every register field of every identity (the values of a second
  // draw of the registry), each op naming the head it saw: the rows exist, every op supersedes.
  const heads = new Map<string, string>();
  for (const op of seed) if (op.k === 'set') heads.set(`${op.id}\u0000${op.f}`, op.hlc);
  const other = frenchPatients(patients, org, 4);
  let clock = createClock('device-other');
  let seq = 0;
  const updates: Op[] = [];
  registry.forEach((p, i) => {
    const q = other[i]! as unknown as Record<string, unknown>;
    for (const [f, val] of Object.entries(q)) {
      const base = heads.get(`${p.id}\u0000${f}`);
      if (f === 'id' || base === undefined) continue;
      const t = tick(clock, Date.now());
      clock = t.clock;
      updates.push({
        v: SCHEMA_VERSION,
        org,
        dev: 'device-other',
        seq: ++seq,
        hlc: t.hlc,
        e: 'patient',
        id: p.id,
        f,
        k: 'set',
        val,
        base: [base],
      });
    }
  });
  const existing = await applyTimed(db, updates, seed.length + 1);

  // The reference day as a device pulls it after holding the reference data (applied first,
  // not timed): 4 devices' ops, clinical ones sealed on their way to IndexedDB.
  const { organisation, unit, room, staff, service, stop, rosterSlot, patient } = day.reference;
  const reference = rowsToOps(org, 'seed-ref', {
    organisation,
    unit,
    room,
    staff,
    service,
    stop,
    rosterSlot,
    patient,
  });
  await applyTimed(db, reference, seed.length + updates.length + 1);
  const writers = day.devices.map((d) => new OpWriter(d, org));
  const dayOps = day.actions.flatMap((a) => writers[a.device]!.write(a.changes, a.staffId));
  const dayRun = await applyTimed(db, dayOps, seed.length + updates.length + reference.length + 1);
  db.close();
  return { empty, existing, day: dayRun };
}

export interface BootstrapRun {
  /** Until the sync client is up to date. */
  ms: number;
  /** Until the device marked itself usable (see benchBootstrap). */
  usableMs: number | null;
  /** At the usable moment: how it was seen (the device's mark, or the checkpoint when the mark
   * came and went between two polls), the checkpoint, today's stop and queue entries then held. */
  usableAt: {
    via: 'mark' | 'checkpoint';
    checkpoint: number | null;
    stop: boolean;
    queueEntries: number;
    staff: number;
    services: number;
    patients: number;
  } | null;
  state: string;
  error: string | null;
  patients: number;
  /** The snapshot load's phases (src/device/snapshot.ts, User Timing `snapshot:*`): for each,
   * the summed milliseconds, how many times, and its span (first start to last end). */
  phases: Record<string, { ms: number; n: number; span: [number, number] }>;
}

/** A device enrolled beforehand: its id, organisation and credential. */
export interface BootstrapDevice {
  deviceId: string;
  org: string;
  credential: Credential;
}

/** What a device needs to work: today's stop with `queueEntries` queue entries, on `day`. */
export interface Usable {
  stopId: string;
  queueEntries: number;
  day: string;
}

/**
 * A fresh device joins `server` with the credential it was enrolled with (kept where the app's
 * enrolment keeps it), unlocked (a person chose a PIN: what it pulls is sealed on its way to
 * IndexedDB, as src/main.tsx opens the database), and syncs until it holds everything. Every
 * 100 ms the page reads the device's own usable mark (src/device/snapshot.ts, REGISTRY_LOADING,
 * written with the last row of the snapshot's first part, as the UI reads it): the first time it
 * is there is `usableMs` — checked then by reading today's stop and queue entries.
 */
async function benchBootstrap(
  server: string,
  device: BootstrapDevice,
  usable: Usable,
): Promise<BootstrapRun> {
  await unlock();
  performance.clearMeasures();
  const db = await freshDb('escale-bootstrap', device.deviceId, device.org, true);
  await db.meta.put({ key: 'credential', value: device.credential });
  const client = createSyncClient({
    db,
    servers: [server],
    eventSource: null,
    locks: null,
    timeoutMs: 120_000,
    today: () => usable.day,
  });
  const t = performance.now();
  let usableMs: number | null = null;
  let usableAt: BootstrapRun['usableAt'] = null;
  let done = false;
  const watch = (async () => {
    while (!done && usableMs === null) {
      const mark = await db.meta.get(REGISTRY_LOADING);
      const checkpoint = (await db.meta.get(META.checkpoint(server)))?.value;
      if (mark || typeof checkpoint === 'number') {
        usableMs = performance.now() - t;
        usableAt = {
          via: mark ? 'mark' : 'checkpoint',
          checkpoint: typeof checkpoint === 'number' ? checkpoint : null,
          stop: (await db.table('stop').get(usable.stopId)) !== undefined,
          queueEntries: await db.table('queueEntry').where('stopId').equals(usable.stopId).count(),
          staff: await db.table('staff').count(),
          services: await db.table('service').count(),
          patients: await db.table('patient').count(),
        };
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const status = await client.syncNow();
  const ms = performance.now() - t;
  done = true;
  await watch;
  const patients = await db.rows('patient').count();
  db.close();
  const phases: BootstrapRun['phases'] = {};
  for (const m of performance.getEntriesByType('measure')) {
    if (!m.name.startsWith('snapshot:')) continue;
    const name = m.name.slice('snapshot:'.length);
    const start = m.startTime - t;
    const end = start + m.duration;
    const p = phases[name] ?? { ms: 0, n: 0, span: [start, end] };
    phases[name] = p;
    p.ms += m.duration;
    p.n += 1;
    p.span = [Math.min(p.span[0], start), Math.max(p.span[1], end)];
  }
  for (const p of Object.values(phases)) {
    p.ms = Math.round(p.ms);
    p.span = [Math.round(p.span[0]), Math.round(p.span[1])];
  }
  return { ms, usableMs, usableAt, state: status.state, error: status.lastError, patients, phases };
}

Object.assign(globalThis, { benchWrite, benchApply, benchBootstrap });
