// Usable first (docs/decisions/0030-usable-first.md), against the real server (SQLite) on
// loopback and IndexedDB in memory: a fresh device writes the reference data and its day's rows
// (stop, roster, queue, visits, their patients) before anything else, marks itself usable and
// says the registry is still loading; it can work then (a write made at that moment is kept); it
// is up to date only once the registry and history are written; cut off after the first part, it
// resumes without fetching that part again.
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { localDigest } from '../../src/device/queries';
import { type RegistryLoading, registryLoading } from '../../src/device/snapshot';
import { checkpointKey, type SyncClientOptions } from '../../src/device/sync-client';
import type { SyncStatus } from '../../src/device/sync-status';
import { type Change, writeChanges } from '../../src/device/write';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { partStart, type SnapshotManifest } from '../../src/sync/snapshot';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, testSyncClient } from './sync-support';

const DAY = '2026-11-23';
/** Mid-morning on the demo's day, in Paris: its queue is in motion. */
const NOW = Date.parse(`${DAY}T10:30:00Z`);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer({ store: 'sqlite', snapshotChunkBytes: 16 * 1024 });
  cleanups.push(() => s.close());
  return s;
}

let n = 0;
async function device(s: TestServer, deviceId: string, options: Partial<SyncClientOptions> = {}) {
  const db = openTestDb(undefined, `usable-${deviceId}-${++n}`);
  await enrolDb(db, s, deviceId, ORG, 'coordination');
  const client = testSyncClient(db, s, { now: () => NOW, ...options });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  return { db, client, write };
}

/** The demo organisation on its day, and a registry larger than the day's patients. */
async function organisation(s: TestServer) {
  const { data, todayStopId } = buildDemoDataset({ today: DAY, now: new Date(NOW).toISOString() });
  await s.store.push(ORG, rowsToOps(ORG, 'seed', data, NOW - 3_600_000));
  const a = await device(s, 'writer-a', { snapshots: false });
  await a.write(Array.from({ length: 60 }, (_, i) => newPatient(`pa${i}`, i)));
  expect((await a.client.syncNow()).state).toBe('ok');
  const onStop = (e: 'queueEntry' | 'visit' | 'rosterSlot') =>
    ((data[e] ?? []) as { stopId: string; patientId?: string }[]).filter(
      (r) => r.stopId === todayStopId,
    );
  const visitors = [...new Set(onStop('visit').map((v) => v.patientId!))];
  const day = {
    stopId: todayStopId,
    queueEntries: onStop('queueEntry').length,
    visits: onStop('visit').length,
    roster: onStop('rosterSlot').length,
    visitors,
    patients: (data.patient?.length ?? 0) + 60,
    staff: data.staff?.length ?? 0,
  };
  expect(day.queueEntries).toBeGreaterThan(0);
  expect(day.visitors.length).toBeGreaterThan(0);
  return day;
}

const isChunk = (p: string) => /^\/api\/sync\/snapshot\/[^/]+\/\d+$/.test(p);
const chunkIndex = (p: string) => Number(p.slice(p.lastIndexOf('/') + 1));

/** What the device holds of the day, the registry and its progress at some moment. */
async function heldOf(db: ReturnType<typeof openTestDb>, s: TestServer, stopId: string) {
  return {
    mark: await registryLoading(db),
    checkpoint: await getMeta<number>(db, checkpointKey(s.url)),
    status: await getMeta<SyncStatus>(db, META.syncStatus),
    stop: await db.table('stop').get(stopId),
    queueEntries: await db.table('queueEntry').where('stopId').equals(stopId).count(),
    visits: await db.table('visit').where('stopId').equals(stopId).count(),
    roster: await db.table('rosterSlot').where('stopId').equals(stopId).count(),
    staff: await db.table('staff').count(),
    patients: await db.table('patient').count(),
    patientIds: new Set((await db.table('patient').toArray()).map((p: { id: string }) => p.id)),
  };
}

describe('a fresh device usable before its registry is complete', () => {
  it('writes the day first, marks itself usable, works then, and is up to date only at the end', async () => {
    const s = await server();
    const day = await organisation(s);
    const paths: string[] = [];
    let manifest: SnapshotManifest | null = null;
    let atUsable: Awaited<ReturnType<typeof heldOf>> | null = null;
    // The fetch closes over the device made with it.
    const self: { device?: Awaited<ReturnType<typeof device>> } = {};
    const fresh = await device(s, 'fresh', {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const path = new URL(String(input)).pathname;
        paths.push(path);
        if (path === '/api/sync/snapshot') {
          const res = await fetch(input, init);
          manifest = (await res.clone().json()) as SnapshotManifest;
          return res;
        }
        // The moment the first chunk of the registry is asked for: the first part is written.
        if (isChunk(path) && chunkIndex(path) === partStart(manifest!, 1) && !atUsable) {
          atUsable = await heldOf(self.device!.db, s, day.stopId);
          // The device works: reception corrects a phone number of one of today's patients.
          await self.device!.write([
            { entity: 'patient', id: day.visitors[0]!, set: { phone: '06 12 34 56 78' } },
          ]);
        }
        return fetch(input, init);
      }) as typeof fetch,
    });
    self.device = fresh;
    const status = await fresh.client.syncNow();
    expect(status.state).toBe('ok');
    expect(manifest!.day).toBe(DAY);
    // In order: the manifest, then every chunk of the first part before any of the rest.
    const chunks = paths.filter(isChunk).map(chunkIndex);
    expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
    expect(chunks).toEqual(Array.from({ length: manifest!.chunks.length }, (_, i) => i));
    // Usable: the reference data and the whole day held, the registry not yet, and said so.
    const u = atUsable!;
    expect(u.mark).toMatchObject({
      server: s.url,
      seq: manifest!.seq,
      day: DAY,
    } satisfies Partial<RegistryLoading>);
    expect(u.checkpoint).toBeUndefined();
    expect(u.status?.state).toBe('syncing');
    expect(u.status?.pull?.usable).toBe(true);
    expect(u.stop).toMatchObject({ id: day.stopId, date: DAY });
    expect(u).toMatchObject({
      queueEntries: day.queueEntries,
      visits: day.visits,
      roster: day.roster,
      staff: day.staff,
    });
    for (const id of day.visitors) expect(u.patientIds.has(id)).toBe(true);
    expect(u.patients).toBeLessThan(day.patients / 2);
    // Complete: everything, the mark gone, the checkpoint at S, the write made at usable kept.
    const end = await heldOf(fresh.db, s, day.stopId);
    expect(end.mark).toBeNull();
    expect(end.patients).toBe(day.patients);
    expect(end.checkpoint).toBe(await s.store.lastSeq(ORG));
    expect(status.pull).toBeNull();
    const replay = await device(s, 'replay', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
    expect((await replay.db.table('patient').get(day.visitors[0]!))?.phone).toBe('06 12 34 56 78');
  });

  it('cut off after the first part: usable, not complete, and resumes without fetching that part again', async () => {
    const s = await server();
    const day = await organisation(s);
    const paths: string[] = [];
    let manifest: SnapshotManifest | null = null;
    let cut = true;
    const fresh = await device(s, 'fresh-cut', {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const path = new URL(String(input)).pathname;
        paths.push(path);
        const res = await fetch(input, init);
        if (path === '/api/sync/snapshot') {
          manifest = (await res.clone().json()) as SnapshotManifest;
        }
        if (cut && isChunk(path) && chunkIndex(path) === partStart(manifest!, 1)) {
          await res.body?.cancel();
          throw new TypeError('réseau coupé');
        }
        return res;
      }) as typeof fetch,
    });
    expect((await fresh.client.syncNow()).state).toBe('offline');
    const between = await heldOf(fresh.db, s, day.stopId);
    expect(between.mark).toMatchObject({ seq: manifest!.seq, day: DAY });
    expect(between.checkpoint).toBeUndefined();
    expect(between.queueEntries).toBe(day.queueEntries);
    expect(between.patients).toBeLessThan(day.patients);
    cut = false;
    const before = paths.length;
    expect((await fresh.client.syncNow()).state).toBe('ok');
    const again = paths.slice(before);
    // The same snapshot (no new manifest), its registry part only.
    expect(again).not.toContain('/api/sync/snapshot');
    const chunks = again.filter(isChunk).map(chunkIndex);
    expect(chunks[0]).toBe(partStart(manifest!, 1));
    expect(chunks.every((i) => i >= partStart(manifest!, 1))).toBe(true);
    expect(await registryLoading(fresh.db)).toBeNull();
    expect((await heldOf(fresh.db, s, day.stopId)).patients).toBe(day.patients);
    const replay = await device(s, 'replay-cut', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });
});
