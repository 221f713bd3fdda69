// A fresh device's bootstrap from a snapshot, against the real server (SQLite) on loopback and
// IndexedDB in memory: it holds what a device replaying the whole log holds (same digest, same
// rows), pulls only after S, refetches a damaged chunk, resumes an interrupted download or write,
// and is never « up to date » before the last row is written and the checkpoint set to S.
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { localDigest } from '../../src/device/queries';
import { loadSnapshot, snapshotMeta } from '../../src/device/snapshot';
import { checkpointKey, type SyncClientOptions } from '../../src/device/sync-client';
import type { SyncStatus } from '../../src/device/sync-status';
import { type Change, writeChanges } from '../../src/device/write';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { partStart, type SnapshotManifest } from '../../src/sync/snapshot';
import { credentialFor } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, testSyncClient } from './sync-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<TestServer> {
  // Small chunks: the demo organisation's snapshot comes in several.
  const s = await startTestServer({ store: 'sqlite', snapshotChunkBytes: 16 * 1024 });
  cleanups.push(() => s.close());
  return s;
}

let n = 0;
async function device(s: TestServer, deviceId: string, options: Partial<SyncClientOptions> = {}) {
  const db = openTestDb(undefined, `snap-${deviceId}-${++n}`);
  await enrolDb(db, s, deviceId, ORG, 'coordination');
  const client = testSyncClient(db, s, options);
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  return { db, client, write };
}

/** A realistic organisation: the demo's rows, then a day of edits by two devices. */
async function organisation(s: TestServer) {
  const { data } = buildDemoDataset({ today: '2026-11-23' });
  await s.store.push(ORG, rowsToOps(ORG, 'seed', data));
  const a = await device(s, 'writer-a', { snapshots: false });
  const b = await device(s, 'writer-b', { snapshots: false });
  await a.write(Array.from({ length: 30 }, (_, i) => newPatient(`pa${i}`, i)));
  await b.write(Array.from({ length: 10 }, (_, i) => newPatient(`pb${i}`, i)));
  expect((await a.client.syncNow()).state).toBe('ok');
  expect((await b.client.syncNow()).state).toBe('ok');
  // Superseded values and a concurrent edit (two heads) on the same patients.
  await a.write([{ entity: 'patient', id: 'pb1', set: { birthName: 'MARTIN' } }]);
  await b.write([{ entity: 'patient', id: 'pb1', set: { birthName: 'DURAND' } }]);
  await b.write([
    { entity: 'patient', id: 'pa2', set: { usedFirstName: 'Awa' } },
    { entity: 'patient', id: 'pa3', delete: true },
  ]);
  expect((await a.client.syncNow()).state).toBe('ok');
  expect((await b.client.syncNow()).state).toBe('ok');
}

/** fetch that records the paths asked for and may alter answers. */
function watched(
  paths: string[],
  alter?: (path: string, res: Response) => Promise<Response>,
): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input)).pathname;
    paths.push(path);
    const res = await fetch(input, init);
    return alter ? alter(path, res) : res;
  }) as typeof fetch;
}

const isChunk = (p: string) => /^\/api\/sync\/snapshot\/[^/]+\/\d+$/.test(p);

describe('bootstrap from a snapshot', () => {
  it('holds what a replay of the whole log holds, then pulls only the ops after S', async () => {
    const s = await server();
    await organisation(s);
    const paths: string[] = [];
    const fresh = await device(s, 'fresh', { fetch: watched(paths) });
    const replay = await device(s, 'replay', { snapshots: false });
    const status = await fresh.client.syncNow();
    expect(status).toMatchObject({ state: 'ok', pull: null });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(paths.filter(isChunk).length).toBeGreaterThan(1);
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
    expect(await localDigest(fresh.db)).toBe(status.serverDigest);
    for (const table of ['patient', 'stop', 'queueEntry', 'consultation', 'staff']) {
      const rows = async (db: typeof fresh.db) =>
        (await db.table(table).toArray()).sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(await rows(fresh.db)).toEqual(await rows(replay.db));
    }
    expect(await fresh.db.table('patient').get('pa3')).toBeUndefined();
    const last = await s.store.lastSeq(ORG);
    expect(await getMeta(fresh.db, checkpointKey(s.url))).toBe(last);
    expect(await getMeta(fresh.db, META.epoch(s.url))).toBe(await s.store.epoch());
    // Nothing of the download is left behind.
    expect((await fresh.db.meta.toArray()).filter((m) => m.key.startsWith('snapshot:'))).toEqual(
      [],
    );
    // Later ops merge alike on both: a write on the fresh device reaches the other.
    await fresh.write([{ entity: 'patient', id: 'pb1', set: { birthName: 'DIALLO' } }]);
    expect((await fresh.client.syncNow()).state).toBe('ok');
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
    expect((await replay.db.table('patient').get('pb1'))?.birthName).toBe('DIALLO');
  });

  it('discards a damaged chunk and asks for it again', async () => {
    const s = await server();
    await organisation(s);
    const paths: string[] = [];
    let damaged = false;
    const fresh = await device(s, 'fresh-damaged', {
      fetch: watched(paths, async (path, res) => {
        if (!isChunk(path) || damaged) return res;
        damaged = true;
        const text = await res.text();
        return new Response(`${text.slice(0, -1)}#`, { status: 200, headers: res.headers });
      }),
    });
    const replay = await device(s, 'replay-damaged', { snapshots: false });
    expect((await fresh.client.syncNow()).state).toBe('ok');
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(damaged).toBe(true);
    const chunks = paths.filter(isChunk);
    expect(chunks[0]).toBe(chunks[1]); // the damaged one, fetched twice
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });

  it('fetches the next part of the registry while it writes one, and checks it before storing anything of it', async () => {
    const s = await server();
    await organisation(s);
    const fresh = await device(s, 'fresh-ahead');
    const key = checkpointKey(s.url);
    const { token } = await credentialFor(s, 'fresh-ahead', { org: ORG });
    let manifest: SnapshotManifest | null = null;
    /** In order: `get <chunk>` as each chunk is asked for, `rows <n>` as each transaction ends. */
    const events: string[] = [];
    let damaged = false;
    const get = async (path: string) => {
      const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (path.startsWith('/api/sync/snapshot?') || path === '/api/sync/snapshot') {
        manifest = (await res.clone().json()) as SnapshotManifest;
        return res;
      }
      const i = Number(path.slice(path.lastIndexOf('/') + 1));
      events.push(`get ${i}`);
      // The first chunk of the registry's second part, damaged once on its way: it comes while
      // the first part is written, and is asked for again before anything of it is stored.
      if (i === partStart(manifest!, 2) && !damaged) {
        damaged = true;
        const text = await res.text();
        return new Response(`${text.slice(0, -1)}#`, { status: 200, headers: res.headers });
      }
      return res;
    };
    await loadSnapshot(fresh.db, s.url, key, {
      get,
      now: Date.now,
      batchRows: 10,
      progress: async (p) => {
        if (p.rows > 0 && events.at(-1) !== `rows ${p.rows}`) events.push(`rows ${p.rows}`);
      },
    });
    const m = manifest!;
    expect(m.parts.length).toBeGreaterThan(2);
    expect(damaged).toBe(true);
    const second = partStart(m, 2);
    // Asked for twice (damaged, then whole), both times before the first part of the registry
    // was written to its end.
    const asked = events.flatMap((e, i) => (e === `get ${second}` ? [i] : []));
    expect(asked).toHaveLength(2);
    const registryStart = m.parts[0]!.rows;
    const registryFirstEnd = registryStart + m.parts[1]!.rows;
    const firstPartWritten = events.indexOf(`rows ${registryFirstEnd}`);
    expect(firstPartWritten).toBeGreaterThan(-1);
    expect(asked[1]!).toBeLessThan(firstPartWritten);
    // ... and after the device was usable: the first part has the link to itself.
    expect(events.indexOf(`rows ${registryStart}`)).toBeLessThan(asked[0]!);
    // Every row once, the damaged text never stored: the replay's digest.
    expect(await getMeta(fresh.db, key)).toBe(m.seq);
    const replay = await device(s, 'replay-ahead', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });

  it('fetches again from its first chunk a part cut off, the parts written before it kept, never up to date in between', async () => {
    const s = await server();
    await organisation(s);
    const paths: string[] = [];
    let cut = true;
    // Cut at the registry's second chunk: the second chunk of its first part, or the first of
    // the next one, fetched while the first is written. Chunks received are not kept.
    let manifest: SnapshotManifest | null = null;
    const cutChunk = () => partStart(manifest!, 1) + 1;
    /** The part holding chunk `i`. */
    const partOf = (i: number) => {
      let k = 0;
      while (partStart(manifest!, k + 1) <= i) k++;
      return k;
    };
    const fresh = await device(s, 'fresh-cut', {
      fetch: watched(paths, async (path, res) => {
        if (path === '/api/sync/snapshot') {
          manifest = (await res.clone().json()) as SnapshotManifest;
        }
        if (cut && isChunk(path) && path.endsWith(`/${cutChunk()}`)) {
          await res.body?.cancel();
          throw new TypeError('réseau coupé');
        }
        return res;
      }),
    });
    const first = await fresh.client.syncNow();
    expect(first.state).toBe('offline');
    expect(manifest!.parts.length).toBeGreaterThan(2);
    expect(await getMeta(fresh.db, checkpointKey(s.url))).toBeUndefined();
    // What was written before the cut part is kept (counted in the snapshot's order).
    const cutPart = partOf(cutChunk());
    const before = manifest!.parts.slice(0, cutPart).reduce((n, p) => n + p.rows, 0);
    expect(
      (await getMeta<{ applied: number }>(fresh.db, snapshotMeta(s.url)))?.applied,
    ).toBeGreaterThanOrEqual(before);
    cut = false;
    const fetched = paths.filter(isChunk).length;
    expect((await fresh.client.syncNow()).state).toBe('ok');
    const again = paths.filter(isChunk).slice(fetched);
    // Clinical rows are not kept in clear: the cut part is fetched again from its first chunk,
    // and no part written whole before it.
    expect(again[0]).toMatch(new RegExp(`/${partStart(manifest!, cutPart)}$`));
    const replay = await device(s, 'replay-cut', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });

  it('resumes a write interrupted between two transactions, with half the registry not shown as complete', async () => {
    const s = await server();
    await organisation(s);
    const fresh = await device(s, 'fresh-crash');
    const key = checkpointKey(s.url);
    const { token } = await credentialFor(s, 'fresh-crash', { org: ORG });
    const get = (path: string) =>
      fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    let written = 0;
    await expect(
      loadSnapshot(fresh.db, s.url, key, {
        get,
        now: Date.now,
        batchRows: 10,
        progress: async (p) => {
          written = p.rows;
          if (p.rows >= 40) throw new Error('onglet fermé');
        },
      }),
    ).rejects.toThrow('onglet fermé');
    expect(written).toBeGreaterThanOrEqual(40);
    // Part of the rows are there, but nothing says the device is up to date.
    expect(await fresh.db.states.count()).toBeGreaterThan(0);
    expect(await getMeta(fresh.db, key)).toBeUndefined();
    expect((await getMeta<SyncStatus>(fresh.db, META.syncStatus))?.state ?? 'never').not.toBe('ok');
    expect(await getMeta<{ applied: number }>(fresh.db, snapshotMeta(s.url))).toMatchObject({
      applied: written,
    });
    // The next run takes the same snapshot up where its writing stopped: no new manifest, its
    // chunks fetched again (never kept at rest in clear).
    const paths: string[] = [];
    const resumed = await loadSnapshot(fresh.db, s.url, key, {
      get: (path) => {
        paths.push(path);
        return get(path);
      },
      now: Date.now,
      batchRows: 10,
    });
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every(isChunk)).toBe(true);
    expect(await getMeta(fresh.db, key)).toBe(resumed.seq);
    expect((await fresh.client.syncNow()).state).toBe('ok');
    const replay = await device(s, 'replay-crash', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });

  it('keeps what the device wrote before its snapshot arrived', async () => {
    const s = await server();
    await organisation(s);
    const fresh = await device(s, 'fresh-writer');
    const key = checkpointKey(s.url);
    const { token } = await credentialFor(s, 'fresh-writer', { org: ORG });
    const get = (path: string) =>
      fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    let wrote = false;
    await loadSnapshot(fresh.db, s.url, key, {
      get,
      now: Date.now,
      batchRows: 5,
      progress: async (p) => {
        // Between two transactions, someone edits a patient the snapshot has yet to bring.
        if (p.rows > 0 && !wrote) {
          wrote = true;
          await fresh.write([{ entity: 'patient', id: 'pb9', set: { usedFirstName: 'Fanta' } }]);
        }
      },
    });
    expect((await fresh.db.table('patient').get('pb9'))?.usedFirstName).toBe('Fanta');
    expect((await fresh.client.syncNow()).state).toBe('ok');
    const replay = await device(s, 'replay-writer', { snapshots: false });
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  });

  it('replays the log from a server that has no snapshot for it', async () => {
    const s = await server();
    await organisation(s);
    const paths: string[] = [];
    const fresh = await device(s, 'fresh-old', {
      fetch: watched(paths, async (path, res) =>
        path === '/api/sync/snapshot' ? new Response('{}', { status: 404 }) : res,
      ),
    });
    expect((await fresh.client.syncNow()).state).toBe('ok');
    expect(paths.filter(isChunk)).toEqual([]);
    expect(await getMeta(fresh.db, checkpointKey(s.url))).toBe(await s.store.lastSeq(ORG));
    expect(await fresh.db.table('patient').get('pa1')).toBeDefined();
  });
});
