// A fresh coordination device bootstrapped from a snapshot pruned at the organisation's horizon
// (docs/decisions/0027-pruning.md, « Snapshots pruned »): a real server (SQLite) on loopback and
// IndexedDB in memory. The device holds the pruned states, adopts the horizon with the
// snapshot's S in the transaction that sets its checkpoint — never before the whole snapshot is
// stored — moves its clock past it, and then proves its digest and its day to central at that
// horizon; later rewrites and late duplicates behave as on a device that pruned by itself, and a
// device holding an older state of a row joins it with the pruned one without bringing back
// what was superseded.
import { afterEach, describe, expect, it } from 'vitest';
import { fetchServerProof, localDayProof } from '../../src/device/closure';
import { getMeta, getWriter, setMeta } from '../../src/device/db';
import { prunedAt } from '../../src/device/horizon';
import { localDigest } from '../../src/device/queries';
import {
  loadSnapshot,
  registryLoading,
  reloadMeta,
  SNAPSHOT_MESSAGES,
  SnapshotUnavailable,
  snapshotMeta,
  wantsSnapshot,
} from '../../src/device/snapshot';
import { checkpointKey } from '../../src/device/sync-client';
import { applyRemote } from '../../src/device/write';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { currentHorizon } from '../../src/server/horizon';
import { encodeHlc } from '../../src/sync/hlc';
import { applyOp, type RegisterState, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { partStart, type SnapshotManifest } from '../../src/sync/snapshot';
import { credentialFor } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newerSchemaOp, newPatient, ORG, stopFields } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, pastWriter, testSyncClient } from './sync-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Twenty minutes ago: central's own position (its clock a minute behind) is past it. */
const PAST = Date.now() - 20 * 60_000;
const STOP = 'escale-hz';

let n = 0;
async function device(deviceId: string, s: TestServer, snapshots = true) {
  const db = openTestDb(undefined, `snaphz-${deviceId}-${++n}`);
  const { credential } = await enrolDb(db, s, deviceId, ORG, 'coordination');
  const client = testSyncClient(db, s, { timeoutMs: 3_000, snapshots });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const writeAt = pastWriter(db, deviceId, ORG, PAST);
  return { db, client, writeAt, connection: { org: ORG, servers: [s.url], credential } };
}

const stopState = async (db: ReturnType<typeof openTestDb>): Promise<RowState> =>
  (await db.states.get(['stop', STOP]))!;
const addressOf = (st: RowState) => st.f.address as RegisterState;

/**
 * A stop whose address `a` rewrote `times` times twenty minutes ago, and patients enough for the
 * snapshot to come in several parts (small chunks); `b` pulled them, so once `a` syncs again
 * central's horizon is past every one of those edits. Returns that horizon, stored by central.
 */
async function organisation(times: number, after?: (s: TestServer) => Promise<unknown>) {
  const s = await startTestServer({ store: 'sqlite', snapshotChunkBytes: 4 * 1024 });
  cleanups.push(() => s.close());
  // They replay: a snapshot of the empty log kept for the shared cut would be served again.
  const a = await device('hz-a', s, false);
  const b = await device('hz-b', s, false);
  expect((await b.client.syncNow()).state).toBe('ok');
  const written: Op[] = [];
  written.push(...(await a.writeAt([{ entity: 'stop', id: STOP, set: stopFields }])));
  for (let i = 1; i <= times; i++) {
    written.push(
      ...(await a.writeAt([{ entity: 'stop', id: STOP, set: { address: `Rue ${i}` } }])),
    );
  }
  await a.writeAt(Array.from({ length: 40 }, (_, i) => newPatient(`hzp${i}`, i)));
  expect((await a.client.syncNow()).state).toBe('ok');
  expect((await b.client.syncNow()).state).toBe('ok');
  expect((await b.client.syncNow()).state).toBe('ok');
  await after?.(s);
  expect((await a.client.syncNow()).state).toBe('ok');
  const { horizon } = await currentHorizon(s.store, s.accounts, ORG, Date.now());
  expect(horizon!.hlc > written.at(-1)!.hlc).toBe(true);
  return { s, a, b, written, hz: horizon!.hlc };
}

/** The snapshot routes as the device `deviceId` asks them (its own credential). */
async function getter(s: TestServer, deviceId: string) {
  const { token } = await credentialFor(s, deviceId, { org: ORG });
  return (path: string) =>
    fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('a fresh coordination device loading a pruned snapshot', () => {
  it('holds the pruned states, adopts the horizon with S, and proves its digest and day to central at it', async () => {
    const { s, a, written, hz } = await organisation(12);
    const fresh = await device('hz-fresh', s);
    const key = checkpointKey(s.url);
    const { seq } = await loadSnapshot(fresh.db, s.url, key, {
      get: await getter(s, 'hz-fresh'),
      now: Date.now,
    });
    // The rows as central's fold pruned them: no superseded clock, the same value.
    const st = await stopState(fresh.db);
    expect(st.hz).toBe(hz);
    expect(addressOf(st).dom).toEqual([]);
    expect(addressOf(st).heads.map((h) => h.v)).toEqual(['Rue 12']);
    // The horizon adopted with the checkpoint, and the clock past it.
    expect(await getMeta(fresh.db, key)).toBe(seq);
    expect(await prunedAt(fresh.db)).toBe(hz);
    const clock = (await getWriter(fresh.db)).clock!;
    expect(encodeHlc(clock.ms, clock.counter, 'hz-fresh') > hz).toBe(true);
    // Its pull after S: the digest central takes at its horizon is its own.
    const status = await fresh.client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(fresh.db));
    // Its day's receipt proof too, row by row.
    const answer = await fetchServerProof(fresh.connection, STOP, fetch, hz);
    if (!answer.ok) throw new Error(answer.message);
    const local = await localDayProof(fresh.db, STOP);
    expect(answer.proof.hz).toBe(hz);
    expect(answer.proof.digest).toBe(local.digest);
    expect(answer.proof.rows).toEqual(local.rows);
    // A late duplicate of an early rewrite (a relay's late copy) changes nothing.
    const pruned = await stopState(fresh.db);
    await applyRemote(fresh.db, [{ s: 1, op: written[3]! }], 'checkpoint:elsewhere', 1);
    expect(await stopState(fresh.db)).toEqual(pruned);
    // A later rewrite elsewhere: the head it supersedes is at or below the horizon, no clock
    // is kept for it, and both devices end with central's digest.
    await a.writeAt([{ entity: 'stop', id: STOP, set: { address: 'Rue neuve' } }]);
    expect((await a.client.syncNow()).state).toBe('ok');
    const after = await fresh.client.syncNow();
    expect(after.state).toBe('ok');
    const next = await stopState(fresh.db);
    expect(addressOf(next).heads.map((h) => h.v)).toEqual(['Rue neuve']);
    expect(addressOf(next).dom.every((h) => h > hz)).toBe(true);
    expect(after.serverDigest).toBe(await localDigest(fresh.db));
  });

  it('adopts nothing while the load is cut off, and adopts it once the resumed load is stored whole', async () => {
    const { s, hz } = await organisation(6);
    const fresh = await device('hz-cut', s);
    const key = checkpointKey(s.url);
    const get = await getter(s, 'hz-cut');
    let manifest: SnapshotManifest | null = null;
    let cut = true;
    const cutting = async (path: string) => {
      const res = await get(path);
      if (path.split('?')[0] === '/api/sync/snapshot') {
        manifest = (await res.clone().json()) as SnapshotManifest;
      }
      // The last part's first chunk: every part before it is written.
      const last = manifest ? partStart(manifest, manifest.parts.length - 1) : -1;
      if (cut && path.endsWith(`/${last}`)) {
        await res.body?.cancel();
        throw new TypeError('réseau coupé');
      }
      return res;
    };
    await expect(
      loadSnapshot(fresh.db, s.url, key, { get: cutting, now: Date.now }),
    ).rejects.toThrow();
    expect(manifest!.hz).toBe(hz);
    expect(manifest!.parts.length).toBeGreaterThan(2);
    // Rows pruned at the horizon are stored, the horizon is not adopted, nothing is up to date.
    expect(
      (await getMeta<{ applied: number }>(fresh.db, snapshotMeta(s.url)))?.applied,
    ).toBeGreaterThan(0);
    expect((await stopState(fresh.db)).hz).toBe(hz);
    expect(await prunedAt(fresh.db)).toBeNull();
    expect(await getMeta(fresh.db, key)).toBeUndefined();
    cut = false;
    // Resumed: at every step before its last transaction, still no horizon and no checkpoint.
    const steps: unknown[] = [];
    const { seq } = await loadSnapshot(fresh.db, s.url, key, {
      get: cutting,
      now: Date.now,
      progress: async () => {
        steps.push([await prunedAt(fresh.db), await getMeta(fresh.db, key)]);
      },
    });
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.every((x) => JSON.stringify(x) === '[null,null]')).toBe(true);
    expect(await getMeta(fresh.db, key)).toBe(seq);
    expect(await prunedAt(fresh.db)).toBe(hz);
    const status = await fresh.client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(fresh.db));
  });

  it('reloads over an older state of a row without bringing back the values the pruned one superseded', async () => {
    // `old` holds the stop as it was after its fifth rewrite, and sends central, by hand, a
    // position past the later ones without pulling them: the horizon passes them.
    let old: Awaited<ReturnType<typeof device>> | null = null;
    const { s, hz } = await organisation(10, async (server) => {
      old = await device('hz-old', server);
      const { token } = await credentialFor(server, 'hz-old', { org: ORG });
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: 'hz-old',
          since: await server.store.lastSeq(ORG),
          ops: [],
          sent: { hlc: encodeHlc(Date.now(), 0, 'hz-old'), seq: 0 },
          status: { pending: 0, appVersion: 'test', profile: null, lastError: null },
        }),
      });
      expect(res.status).toBe(200);
    });
    const o = old!;
    const key = checkpointKey(s.url);
    const stopOps = (await s.store.pull(ORG, 0, 10_000_000)).ops.filter((x) => x.op.e === 'stop');
    const upTo = stopOps.slice(0, stopOps.findIndex((x) => x.op.val === 'Rue 5') + 1);
    await applyRemote(o.db, upTo, key, upTo.at(-1)!.s);
    expect(addressOf(await stopState(o.db)).heads.map((h) => h.v)).toEqual(['Rue 5']);
    // Told to reload (as a pull answer says to a device far behind), it loads the pruned
    // snapshot, joined with what it holds.
    await setMeta(o.db, reloadMeta(s.url), {});
    await loadSnapshot(o.db, s.url, key, { get: await getter(s, 'hz-old'), now: Date.now });
    const st = await stopState(o.db);
    expect(addressOf(st).heads.map((h) => h.v)).toEqual(['Rue 10']);
    expect(addressOf(st).dom).toEqual([]);
    // Central's horizon moved on with its clock meanwhile (every writer has a position).
    const adopted = (await prunedAt(o.db))!;
    expect(adopted >= hz).toBe(true);
    expect(st.hz).toBe(adopted);
    const status = await o.client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(o.db));
  });
});

describe('the edges of a pruned load', () => {
  it('is not served rows pruned at or above an op the snapshot parks: the device holds what central holds, and the op stays applicable', async () => {
    const { s, hz } = await organisation(6);
    // A first load leaves central's snapshot of the organisation cached, pruned at hz.
    const first = await device('hz-first', s);
    await loadSnapshot(first.db, s.url, checkpointKey(s.url), {
      get: await getter(s, 'hz-first'),
      now: Date.now,
      day: '2026-11-23',
    });
    expect(await prunedAt(first.db)).toBe(hz);
    // Then an op of a newer schema stamped below hz enters the log (a relay forwarding one it
    // held parked: such ops skip central's guard), which every fold parks.
    const late: Op = newerSchemaOp('hz-x', STOP, PAST - 60_000);
    expect(late.hlc <= hz).toBe(true);
    await s.store.push(ORG, [late]);
    // A device asking another day's snapshot gets one folded from the cached one.
    const fresh = await device('hz-parked', s);
    const key = checkpointKey(s.url);
    let manifest: SnapshotManifest | null = null;
    const get = await getter(s, 'hz-parked');
    await loadSnapshot(fresh.db, s.url, key, {
      get: async (path) => {
        const res = await get(path);
        if (path.split('?')[0] === '/api/sync/snapshot') {
          manifest = (await res.clone().json()) as SnapshotManifest;
        }
        return res;
      },
      now: Date.now,
      day: '2026-11-24',
    });
    expect((await fresh.db.parked.toArray()).map((p) => p.op.hlc)).toEqual([late.hlc]);
    // Its rows keep every clock, as central's do: no horizon named, none to adopt.
    expect(manifest!.hz).toBeUndefined();
    const st = await stopState(fresh.db);
    expect(st.hz).toBeUndefined();
    expect(addressOf(st).dom.length).toBe(6);
    expect(await prunedAt(fresh.db)).toBeNull();
    // Its pull digest, at no horizon, is central's.
    const status = await fresh.client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(fresh.db));
    // Applied after an upgrade, the parked op changes the row as it does central's.
    const upgraded = { ...late, v: SCHEMA_VERSION };
    const [central] = await s.store.rowStatesByIds(ORG, 'stop', [STOP]);
    expect(applyOp(st, upgraded, entitySpec)).toEqual(applyOp(central!, upgraded, entitySpec));
    expect((applyOp(st, upgraded, entitySpec).f.communeName as RegisterState).heads[0]!.v).toBe(
      'Plus tard',
    );
  });

  it('abandoned after its corrupt attempts, leaves pruned rows the pull from 0 completes, and the registry shown loading until then only', async () => {
    const { s, hz } = await organisation(6);
    const fresh = await device('hz-abandon', s);
    const key = checkpointKey(s.url);
    const get = await getter(s, 'hz-abandon');
    // Every manifest names a wrong digest for its last part: each attempt writes the parts
    // before it, then finds the last one damaged as a whole, and starts again.
    let manifests = 0;
    const corrupting = async (path: string) => {
      const res = await get(path);
      if (path.split('?')[0] !== '/api/sync/snapshot') return res;
      manifests++;
      const manifest = (await res.json()) as SnapshotManifest;
      manifest.parts.at(-1)!.sha256 = '0'.repeat(64);
      return Response.json(manifest);
    };
    await expect(
      loadSnapshot(fresh.db, s.url, key, { get: corrupting, now: Date.now }),
    ).rejects.toThrow(SNAPSHOT_MESSAGES.corrupt);
    expect(manifests).toBe(3);
    // Rows pruned at hz are held, no horizon, no checkpoint, no download under way: the next
    // run pulls the log from 0 rather than load a snapshot again.
    const held = await fresh.db.states.count();
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan((await s.store.rowStates(ORG)).length);
    expect((await stopState(fresh.db)).hz).toBe(hz);
    expect(await prunedAt(fresh.db)).toBeNull();
    expect(await getMeta(fresh.db, key)).toBeUndefined();
    expect(await wantsSnapshot(fresh.db, s.url, key)).toBe(false);
    // The registry is not shown complete: part of it is missing.
    expect(await registryLoading(fresh.db)).not.toBeNull();
    // What the device's user types meanwhile is kept and pushed.
    await fresh.writeAt([{ entity: 'stop', id: STOP, set: { address: 'Rue tapée' } }]);
    const run = await fresh.client.syncNow();
    expect(run.state).toBe('ok');
    expect(await fresh.db.outbox.count()).toBe(0);
    // The pull from 0 brought every row: the horizon announced is adopted at its end (the run
    // asked its digest at none: the next one asks at the horizon), and the registry is whole.
    expect(await fresh.db.states.count()).toBe((await s.store.rowStates(ORG)).length);
    const adopted = (await prunedAt(fresh.db))!;
    expect(adopted >= hz).toBe(true);
    expect(await registryLoading(fresh.db)).toBeNull();
    const next = await fresh.client.syncNow();
    expect(next.serverDigest).toBe(await localDigest(fresh.db));
    const [central] = await s.store.rowStatesByIds(ORG, 'stop', [STOP]);
    expect(addressOf(await stopState(fresh.db)).heads).toEqual(addressOf(central!).heads);
    expect(addressOf(central!).heads.map((h) => h.v)).toEqual(['Rue tapée']);
  });

  it('gives up a reload whose chunks come damaged at every try, and pushes what was typed meanwhile', async () => {
    const { s, a, hz } = await organisation(6);
    // Its last part's chunks damaged on the way, at every try.
    let manifest: SnapshotManifest | null = null;
    let damaged = 0;
    const damaging: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const path = new URL(String(input)).pathname;
      if (path === '/api/sync/snapshot') {
        manifest = (await res.clone().json()) as SnapshotManifest;
        return res;
      }
      const chunk = /^\/api\/sync\/snapshot\/[^/]+\/(\d+)$/.exec(path);
      if (!manifest || !chunk || Number(chunk[1]) < partStart(manifest, manifest.parts.length - 1))
        return res;
      damaged++;
      return new Response(`${await res.text()} `, { status: res.status });
    };
    const client = testSyncClient(a.db, s, { timeoutMs: 3_000, fetch: damaging });
    cleanups.push(() => client.stop());
    // Told to reload, then its user types while the reload is under way.
    await setMeta(a.db, reloadMeta(s.url), {});
    await a.writeAt([{ entity: 'stop', id: STOP, set: { address: 'Rue tapée' } }]);
    const run = await client.syncNow();
    // Every attempt failed (three tries of a chunk each); the reload is given up, the run goes
    // on: the write is pushed, the device pulls on from its checkpoint.
    expect(damaged).toBe(9);
    expect(run.state).toBe('ok');
    expect(await getMeta(a.db, reloadMeta(s.url))).toBeUndefined();
    expect(await a.db.outbox.count()).toBe(0);
    const [central] = await s.store.rowStatesByIds(ORG, 'stop', [STOP]);
    expect(addressOf(central!).heads.map((h) => h.v)).toEqual(['Rue tapée']);
    // The rows the abandoned attempts joined are pruned at the snapshot's horizon, which the
    // pull adopted too (announced with a seq its checkpoint reached): the next digest is
    // central's, and the registry is whole.
    expect((await prunedAt(a.db))! >= hz).toBe(true);
    expect(await registryLoading(a.db)).toBeNull();
    const next = await client.syncNow();
    expect(next.serverDigest).toBe(await localDigest(a.db));
    expect(addressOf(await stopState(a.db)).heads).toEqual(addressOf(central!).heads);
  });

  it('is not loaded by a device holding parked an op at or below its horizon: the log is replayed, unpruned', async () => {
    const { s, hz } = await organisation(6);
    const fresh = await device('hz-holds', s);
    // An op of a newer schema stamped below hz, held parked from another server.
    const held: Op = newerSchemaOp('hz-y', STOP, PAST - 60_000);
    expect(held.hlc <= hz).toBe(true);
    await applyRemote(fresh.db, [{ s: 1, op: held }], 'checkpoint:elsewhere', 1);
    const key = checkpointKey(s.url);
    await expect(
      loadSnapshot(fresh.db, s.url, key, { get: await getter(s, 'hz-holds'), now: Date.now }),
    ).rejects.toBeInstanceOf(SnapshotUnavailable);
    expect(await fresh.db.states.count()).toBe(0);
    expect(await getMeta(fresh.db, snapshotMeta(s.url))).toBeUndefined();
    // Its sync replays the log: rows keep every clock, no horizon is adopted below the op, and
    // its digest at none is central's.
    const run = await fresh.client.syncNow();
    expect(run.state).toBe('ok');
    const st = await stopState(fresh.db);
    expect(st.hz).toBeUndefined();
    expect(addressOf(st).dom.length).toBe(6);
    expect(await prunedAt(fresh.db)).toBeNull();
    const next = await fresh.client.syncNow();
    expect(next.serverDigest).toBe(await localDigest(fresh.db));
    // Applied after an upgrade, the op counts.
    const upgraded = applyOp(st, { ...held, v: SCHEMA_VERSION }, entitySpec);
    expect((upgraded.f.communeName as RegisterState).heads.map((h) => h.v)).toContain('Plus tard');
  });
});
