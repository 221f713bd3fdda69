// Runs in Chromium: the device runtime of the app (src/device) against IndexedDB, for the
// client.* benches. Bundled by esbuild into one script; exposes its entry points on globalThis.
import { Dexie } from 'dexie';
import type { Credential } from '../../../src/device/connection';
import { EscaleDb, META, STORES_V1 } from '../../../src/device/db';
import { createSyncClient } from '../../../src/device/sync-client';
import { applyRemote, writeChanges } from '../../../src/device/write';
import { rowsToOps } from '../../../src/server/seed/ops';
import { referenceDay } from '../day';
import { frenchPatients } from '../identities';

async function freshDb(name: string, deviceId: string, org: string): Promise<EscaleDb> {
  await Dexie.delete(name);
  const db = new EscaleDb(name);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: deviceId },
    { key: META.org, value: org },
  ]);
  return db;
}

export interface WriteRun {
  escaleMs: number[];
  dexieMs: number[];
  ops: number;
}

/**
 * The reference day's first `count` user actions, each written twice: through the write path
 * (row, merge state and outbox ops in one transaction) and as a raw Dexie put of the same final
 * rows in one transaction. Interleaved, so both see the same machine at the same moment.
 */
async function benchWrite(count: number): Promise<WriteRun> {
  const day = referenceDay();
  const db = await freshDb('bench-write', day.devices[0]!, day.org);
  await Dexie.delete('bench-raw');
  const raw = new Dexie('bench-raw');
  raw.version(1).stores(STORES_V1);
  await raw.open();
  const rows = new Map<string, Record<string, unknown>>();
  const escaleMs: number[] = [];
  const dexieMs: number[] = [];
  let ops = 0;
  for (const action of day.actions.slice(0, count)) {
    // What a plain app would store: the rows as they stand after the change, computed up front.
    const touched = action.changes.map((c) => {
      const key = `${c.entity}:${c.id}`;
      const row = { ...(rows.get(key) ?? { id: c.id }) };
      if ('insert' in c) Object.assign(row, c.insert);
      else if ('set' in c) Object.assign(row, c.set);
      rows.set(key, row);
      return { entity: c.entity, row };
    });
    const tables = [...new Set(touched.map((t) => t.entity))].map((e) => raw.table(e));
    let t = performance.now();
    const written = await writeChanges(
      db,
      { deviceId: day.devices[0]!, org: day.org, userId: action.staffId },
      action.changes,
    );
    escaleMs.push(performance.now() - t);
    ops += written.length;
    t = performance.now();
    await raw.transaction('rw', tables, async () => {
      for (const { entity, row } of touched) await raw.table(entity).put(row);
    });
    dexieMs.push(performance.now() - t);
  }
  db.close();
  raw.close();
  return { escaleMs, dexieMs, ops };
}

export interface ApplyRun {
  ops: number;
  ms: number;
  pages: number;
}

/**
 * Ops as a fresh device pulls them (the registry's patients, each field an op), applied with
 * applyRemote in pages the size the server sends (512 KiB of JSON), one transaction each.
 */
async function benchApply(patients: number): Promise<ApplyRun> {
  const org = 'org-bench';
  const db = await freshDb('bench-apply', 'device-bench', org);
  const ops = rowsToOps(org, 'seed', { patient: frenchPatients(patients, org, 3) });
  const pages: { s: number; op: (typeof ops)[number] }[][] = [];
  let page: { s: number; op: (typeof ops)[number] }[] = [];
  let bytes = 0;
  ops.forEach((op, i) => {
    const size = JSON.stringify(op).length;
    if (bytes + size > 512 * 1024 && page.length > 0) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push({ s: i + 1, op });
    bytes += size;
  });
  if (page.length > 0) pages.push(page);
  const t = performance.now();
  for (const p of pages) await applyRemote(db, p, META.checkpoint('bench'));
  const ms = performance.now() - t;
  db.close();
  return { ops: ops.length, ms, pages: pages.length };
}

export interface BootstrapRun {
  ms: number;
  state: string;
  error: string | null;
  patients: number;
}

/** A device enrolled beforehand: its id, organisation and credential. */
export interface BootstrapDevice {
  deviceId: string;
  org: string;
  credential: Credential;
}

/**
 * A fresh device joins `server` with the credential it was enrolled with (kept where the app's
 * enrolment keeps it) and syncs until it holds everything.
 */
async function benchBootstrap(server: string, device: BootstrapDevice): Promise<BootstrapRun> {
  const db = await freshDb('escale-bootstrap', device.deviceId, device.org);
  await db.meta.put({ key: 'credential', value: device.credential });
  const client = createSyncClient({
    db,
    servers: [server],
    eventSource: null,
    locks: null,
    timeoutMs: 120_000,
  });
  const t = performance.now();
  const status = await client.syncNow();
  const ms = performance.now() - t;
  const patients = await db.rows('patient').count();
  db.close();
  return { ms, state: status.state, error: status.lastError, patients };
}

Object.assign(globalThis, { benchWrite, benchApply, benchBootstrap });
