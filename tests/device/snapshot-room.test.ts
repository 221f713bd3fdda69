// A fresh room device bootstraps from its own snapshot (docs/decisions/0026-snapshots.md), against
// the real server (SQLite) on loopback and IndexedDB in memory: it holds what a room device
// replaying the log holds (same digest, the server's), keeps the reading view token the snapshot
// was cut under, and its later pulls go on from S as a replay's do.
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { localDigest } from '../../src/device/queries';
import { checkpointKey } from '../../src/device/sync-client';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { openTestDb } from './support';
import { enrolDb, testSyncClient } from './sync-support';

const TODAY = new Date().toISOString().slice(0, 10);
const HOUR = 3_600_000;
const demo = buildDemoDataset({ today: TODAY });
const ORG = demo.data.organisation[0]!.id;
const author = demo.data.staff.find((s) => s.id === demo.data.consultation[0]!.authorId)!;
const box = demo.data.room[0]!;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let n = 0;
async function roomDevice(s: TestServer, deviceId: string, snapshots: boolean) {
  const db = openTestDb(undefined, `snap-room-${deviceId}-${++n}`);
  const { enrolled } = await enrolDb(db, s, deviceId, ORG, 'room', box.id);
  await signIn(s, enrolled, author.id);
  const paths: string[] = [];
  const client = testSyncClient(db, s, {
    snapshots,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      paths.push(new URL(String(input)).pathname);
      return fetch(input, init);
    }) as typeof fetch,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  return { db, client, paths };
}

describe('a room device’s bootstrap from its snapshot', () => {
  it('holds what a replaying room holds, then pulls after S with the view it was cut under', async () => {
    const s = await startTestServer({ store: 'sqlite', snapshotChunkBytes: 16 * 1024 });
    cleanups.push(() => s.close());
    await s.store.push(ORG, rowsToOps(ORG, 'seed', demo.data, Date.now() - 48 * HOUR));
    const fresh = await roomDevice(s, 'room-fresh', true);
    const replay = await roomDevice(s, 'room-replay', false);
    const status = await fresh.client.syncNow();
    expect(status.state).toBe('ok');
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect(fresh.paths.filter((p) => /^\/api\/sync\/snapshot\/[^/]+\/\d+$/.test(p)).length).toBe(
      fresh.paths.filter((p) => p.startsWith('/api/sync/snapshot/')).length,
    );
    expect(fresh.paths).toContain('/api/sync/snapshot');
    expect(replay.paths).not.toContain('/api/sync/snapshot');
    expect(await localDigest(fresh.db)).toBe(status.serverDigest);
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
    expect(await getMeta(fresh.db, checkpointKey(s.url))).toBe(await s.store.lastSeq(ORG));
    expect(typeof (await getMeta(fresh.db, META.view(s.url)))).toBe('string');
    // Its scope, not the registry.
    const held = await fresh.db.table('patient').count();
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(demo.data.patient.length);

    // A patient outside the scope is booked for the next stop: both receive the row whole.
    const ids = new Set((await fresh.db.table('patient').toArray()).map((p) => String(p.id)));
    const outsider = demo.data.patient.find((p) => !ids.has(p.id))!;
    const nextStop = demo.data.stop.find((st) => st.date > TODAY)!;
    const appointment = {
      ...demo.data.appointment[0]!,
      id: 'appointment-entering',
      patientId: outsider.id,
      stopId: nextStop.id,
    };
    await s.store.push(ORG, rowsToOps(ORG, 'booking', { appointment: [appointment] }));
    const next = await fresh.client.syncNow();
    expect(next.state).toBe('ok');
    expect((await replay.client.syncNow()).state).toBe('ok');
    expect((await fresh.db.table('patient').get(outsider.id))?.birthName).toBe(outsider.birthName);
    expect(await localDigest(fresh.db)).toBe(next.serverDigest);
    expect(await localDigest(fresh.db)).toBe(await localDigest(replay.db));
  }, 120_000);
});
