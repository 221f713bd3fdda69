// A device that already holds states reloads a snapshot when its server says so (docs/protocol.md,
// Reload; decision 0026, « Devices holding states »), against the real server (SQLite) on
// loopback and IndexedDB in memory: back after a long absence it ends with the server's digest
// for its cut, its unpushed ops and what it typed during the reload kept, and its own ops the
// snapshot brings back though it dropped its copies; a room moved to reception holds the registry
// and no longer that room's notes; a reload cut off keeps the old view whole (never half a
// registry shown as complete) and resumes.
import { afterEach, describe, expect, it } from 'vitest';
import { type EscaleDb, getMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { localDigest } from '../../src/device/queries';
import { registryLoading, reloadMeta } from '../../src/device/snapshot';
import { checkpointKey, type SyncClientOptions } from '../../src/device/sync-client';
import { applyRemote, type Change, writeChanges } from '../../src/device/write';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { partStart, type SnapshotManifest } from '../../src/sync/snapshot';
import { credentialFor, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient } from './fixtures';
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

async function server(): Promise<TestServer> {
  const s = await startTestServer({
    store: 'sqlite',
    snapshotChunkBytes: 16 * 1024,
    reloadOps: 100,
  });
  cleanups.push(() => s.close());
  await s.store.push(ORG, rowsToOps(ORG, 'seed', demo.data, Date.now() - 48 * HOUR));
  return s;
}

let n = 0;
async function enrolled(
  s: TestServer,
  deviceId: string,
  profile: 'coordination' | 'room' | 'reception' = 'coordination',
) {
  const db = openTestDb(undefined, `reload-${deviceId}-${++n}`);
  const { enrolled } = await enrolDb(
    db,
    s,
    deviceId,
    ORG,
    profile,
    profile === 'room' ? box.id : null,
  );
  if (profile === 'room') await signIn(s, enrolled, author.id);
  cleanups.push(() => db.close());
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  return { db, deviceId, write };
}

/** A sync client over `db`; `urls` records every URL asked for. */
function client(s: TestServer, db: EscaleDb, options: Partial<SyncClientOptions> = {}) {
  const c = testSyncClient(db, s, options);
  cleanups.push(() => c.stop());
  return c;
}

function watched(urls: string[], before?: (url: URL) => Promise<void>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    urls.push(url.pathname + url.search);
    await before?.(url);
    return fetch(input, init);
  }) as typeof fetch;
}

const isReload = (u: string) => u.startsWith('/api/sync/snapshot?') && u.includes('reload=1');
const ids = async (db: EscaleDb, table: string) =>
  new Set((await db.table(table).toArray()).map((r) => String(r.id)));

/** Another device writes `count` patients (about fifteen ops each) while the first is away. */
async function othersWrite(s: TestServer, count: number, tag: string) {
  const other = await enrolled(s, `other-${tag}`);
  await other.write(Array.from({ length: count }, (_, i) => newPatient(`${tag}${i}`, i)));
  expect((await client(s, other.db, { snapshots: false }).syncNow()).state).toBe('ok');
}

describe('a device holding states reloads a snapshot', () => {
  it('back after a long absence: the server’s digest, its own ops kept, nothing typed lost', async () => {
    const s = await server();
    const away = await enrolled(s, 'away');
    // It held states (replayed here, so that no snapshot of its cut is kept yet), wrote and
    // pushed, then dropped its copies of its ops (the purge after a receipt).
    expect((await client(s, away.db, { snapshots: false }).syncNow()).state).toBe('ok');
    await away.write([newPatient('mine', 1), newPatient('mine-too', 3)]);
    expect((await client(s, away.db, { snapshots: false }).syncNow()).state).toBe('ok');
    await away.db.sent.clear();
    expect(await away.db.outbox.count()).toBe(0);
    const since = (await getMeta<number>(away.db, checkpointKey(s.url)))!;
    // Away: it types without a network (never pushed), the others write a lot.
    await away.write([
      newPatient('typed-away', 2),
      { entity: 'patient', id: 'mine', set: { usedFirstName: 'Awa' } },
    ]);
    await othersWrite(s, 20, 'absent');
    expect((await s.store.lastSeq(ORG)) - since).toBeGreaterThan(100);

    const urls: string[] = [];
    let typed = false;
    const back = client(s, away.db, {
      fetch: watched(urls, async (url) => {
        // Typed while the snapshot is loading.
        if (!typed && /^\/api\/sync\/snapshot\/[^/]+\/\d+$/.test(url.pathname)) {
          typed = true;
          await away.write([{ entity: 'patient', id: 'mine', set: { phone: '0600000000' } }]);
        }
      }),
    });
    const status = await back.syncNow();
    expect(status.state).toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
    expect(typed).toBe(true);
    // The server's state for its cut, with everything it typed, pushed.
    expect(await localDigest(away.db)).toBe(status.serverDigest);
    const mine = await away.db.table('patient').get('mine');
    expect(mine).toMatchObject({
      usedFirstName: 'Awa',
      phone: '0600000000',
      firstNames: 'Élodie 1',
    });
    expect(await away.db.table('patient').get('typed-away')).toBeDefined();
    // Its own row it holds no op of any more: brought back by the snapshot.
    expect(await away.db.table('patient').get('mine-too')).toMatchObject({
      firstNames: 'Élodie 3',
    });
    expect(await away.db.table('patient').get('absent19')).toBeDefined();
    const central = await s.store.rowsByIds(ORG, 'patient', ['mine', 'typed-away']);
    expect(central.find((r) => r.id === 'mine')).toMatchObject({ phone: '0600000000' });
    expect(central.find((r) => r.id === 'typed-away')).toBeDefined();
    expect(await getMeta(away.db, reloadMeta(s.url))).toBeUndefined();
    expect(await registryLoading(away.db)).toBeNull();
    expect(await getMeta(away.db, checkpointKey(s.url))).toBe(await s.store.lastSeq(ORG));
    // Caught up: the next run pulls on, no reload.
    expect((await back.syncNow()).state).toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
  }, 120_000);

  it('a reload for being behind keeps the rows its snapshot lacks: its server may not hold them yet', async () => {
    const s = await server();
    const away = await enrolled(s, 'behind');
    expect((await client(s, away.db, { snapshots: false }).syncNow()).state).toBe('ok');
    // A patient it received from another server (a relay refilling after losing its disk does
    // not hold it yet): written by a device this server has not heard from.
    const elsewhere = await enrolled(s, 'elsewhere');
    await elsewhere.write([newPatient('held-elsewhere', 7)]);
    const ops = await outboxOps(elsewhere.db);
    await applyRemote(
      away.db,
      ops.map((op, i) => ({ s: i + 1, op })),
      checkpointKey('http://other.invalid'),
      ops.length,
    );
    await othersWrite(s, 20, 'far');
    const urls: string[] = [];
    const status = await client(s, away.db, { fetch: watched(urls) }).syncNow();
    expect(status.state).toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
    expect(await away.db.table('patient').get('held-elsewhere')).toMatchObject({
      firstNames: 'Élodie 7',
    });
    expect((await away.db.states.get(['patient', 'held-elsewhere']))?.f).toBeDefined();
  }, 120_000);

  it('a room moved to reception holds the registry and no longer that room’s notes', async () => {
    const s = await server();
    const room = await enrolled(s, 'moved', 'room');
    const urls: string[] = [];
    const c = client(s, room.db, { fetch: watched(urls) });
    expect((await c.syncNow()).state).toBe('ok');
    const notes = await ids(room.db, 'consultation');
    expect(notes.size).toBeGreaterThan(0);
    expect((await ids(room.db, 'patient')).size).toBeLessThan(demo.data.patient.length);
    const coordination = await credentialFor(s, 'coordinator', { org: ORG });
    const res = await fetch(`${s.url}/api/devices/assignment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...coordination.headers },
      body: JSON.stringify({ deviceId: 'moved', profile: 'reception' }),
    });
    expect(res.status).toBe(200);

    const status = await c.syncNow();
    expect(status.state).toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
    expect(await localDigest(room.db)).toBe(status.serverDigest);
    expect((await ids(room.db, 'patient')).size).toBe(demo.data.patient.length);
    const kept = await ids(room.db, 'consultation');
    expect([...notes].filter((id) => kept.has(id))).toEqual([]);
    expect(await room.db.states.where('e').equals('consultation').count()).toBe(0);
    // It plays its new profile: the shell reads the credential it keeps (src/ui/shell/Layout.tsx).
    expect(await getMeta(room.db, 'credential')).toMatchObject({
      profile: 'reception',
      roomId: null,
    });
  }, 120_000);

  it('a reception tablet moved to the waiting-room screen keeps no patient and no visit’s motive', async () => {
    const s = await server();
    const tablet = await enrolled(s, 'to-display', 'reception');
    const urls: string[] = [];
    const c = client(s, tablet.db, { fetch: watched(urls) });
    expect((await c.syncNow()).state).toBe('ok');
    const visits = (await tablet.db.table('visit').toArray()) as { motif?: string }[];
    expect(visits.some((v) => typeof v.motif === 'string')).toBe(true);
    const coordination = await credentialFor(s, 'coordinator', { org: ORG });
    const res = await fetch(`${s.url}/api/devices/assignment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...coordination.headers },
      body: JSON.stringify({ deviceId: 'to-display', profile: 'display' }),
    });
    expect(res.status).toBe(200);

    const status = await c.syncNow();
    expect(status.state).toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
    expect(await getMeta(tablet.db, 'credential')).toMatchObject({ profile: 'display' });
    expect(await localDigest(tablet.db)).toBe(status.serverDigest);
    expect(await tablet.db.table('patient').count()).toBe(0);
    // Visits and tickets stay (the screen orders and calls them), without what it may not read:
    // the motive and the patient, in the rows and in the merge states alike.
    const after = (await tablet.db.table('visit').toArray()) as Record<string, unknown>[];
    expect(after.length).toBe(visits.length);
    for (const v of after) {
      expect(v.motif).toBeUndefined();
      expect(v.patientId).toBeUndefined();
    }
    for (const st of await tablet.db.states.where('e').equals('visit').toArray()) {
      expect(Object.keys(st.f)).not.toContain('motif');
      expect(Object.keys(st.f)).not.toContain('patientId');
    }
  }, 120_000);

  it('cut off mid-reload: the old view stays whole, never up to date, then it resumes', async () => {
    const s = await server();
    const away = await enrolled(s, 'cut');
    expect((await client(s, away.db, { snapshots: false }).syncNow()).state).toBe('ok');
    const since = (await getMeta<number>(away.db, checkpointKey(s.url)))!;
    const before = await ids(away.db, 'patient');
    await othersWrite(s, 20, 'while');

    // The network drops at the registry's first chunk.
    let registry = -1;
    let down = true;
    const urls: string[] = [];
    const cut = client(s, away.db, {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input));
        urls.push(url.pathname + url.search);
        if (down && registry >= 0 && url.pathname.endsWith(`/${registry}`)) {
          throw new TypeError('network down');
        }
        const res = await fetch(input, init);
        if (url.pathname === '/api/sync/snapshot') {
          const manifest = (await res.clone().json()) as SnapshotManifest;
          registry = partStart(manifest, 1);
        }
        return res;
      }) as typeof fetch,
    });
    const failed = await cut.syncNow();
    expect(failed.state).not.toBe('ok');
    expect(urls.filter(isReload)).toHaveLength(1);
    // The day's part is written, the registry is said to be loading, the old rows all there, the
    // checkpoint where it was.
    expect(await registryLoading(away.db)).not.toBeNull();
    expect(await getMeta(away.db, reloadMeta(s.url))).toBeDefined();
    const during = await ids(away.db, 'patient');
    expect([...before].filter((id) => !during.has(id))).toEqual([]);
    expect(during.has('while19')).toBe(false);
    expect(await getMeta(away.db, checkpointKey(s.url))).toBe(since);

    down = false;
    const status = await cut.syncNow();
    expect(status.state).toBe('ok');
    // Resumed: the same snapshot, not a new reload asked for.
    expect(urls.filter(isReload)).toHaveLength(1);
    expect(await localDigest(away.db)).toBe(status.serverDigest);
    expect((await ids(away.db, 'patient')).has('while19')).toBe(true);
    expect(await registryLoading(away.db)).toBeNull();
    expect(await getMeta(away.db, reloadMeta(s.url))).toBeUndefined();
  }, 120_000);
});
