// GET /api/sync/snapshot over real HTTP on loopback, SQLite and PostgreSQL: the snapshot is the
// fold of what the device's own pull gives it up to S (same rows, same digest as that pull),
// cut by the credential's profile, checksummed by chunk and whole, served brotli-compressed,
// refreshed from the previous snapshot rather than from 0, and refused where it cannot be exact.
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleStates } from '../../src/domain/access';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { snapshotCaches } from '../../src/server/routes/snapshot';
import { visibleOps } from '../../src/server/routes/sync';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { SnapshotCache } from '../../src/server/snapshots';
import { digestRows } from '../../src/sync/digest';
import { materialise } from '../../src/sync/merge';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import {
  bodiesOf,
  chunkMatches,
  entityStates,
  partMatches,
  partStart,
  type SnapshotBody,
  type SnapshotManifest,
  wholeMatches,
} from '../../src/sync/snapshot';
import { REFERENCE_ENTITIES } from '../../src/sync/usable';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

type Profile = 'coordination' | 'reception' | 'room' | 'partner';

/** The demo organisation's day (seed below). */
const DAY = '2026-11-23';

async function manifestOf(
  server: TestServer,
  dev: string,
  profile: Profile = 'coordination',
  day: string | null = DAY,
) {
  const headers = await authHeader(server, dev, {
    profile,
    ...(profile === 'room' ? { roomId: 'room-1' } : {}),
  });
  const query = day === null ? '' : `?day=${encodeURIComponent(day)}`;
  const res = await fetch(`${server.url}/api/sync/snapshot${query}`, { headers });
  return { status: res.status, body: (await res.json()) as SnapshotManifest & { error?: string } };
}

async function chunk(
  server: TestServer,
  dev: string,
  id: string,
  i: number | string,
  encoding = 'br',
) {
  const headers = { ...(await authHeader(server, dev)), 'accept-encoding': encoding };
  return fetch(`${server.url}/api/sync/snapshot/${id}/${i}`, { headers });
}

/** A chunk's status, its body read (an unread body would hold the connection open). */
async function chunkStatus(server: TestServer, dev: string, id: string, i: number | string) {
  const res = await chunk(server, dev, id, i);
  await res.arrayBuffer();
  return res.status;
}

async function download(server: TestServer, dev: string, profile: Profile = 'coordination') {
  const { body: manifest } = await manifestOf(server, dev, profile);
  const texts: string[] = [];
  for (let i = 0; i < manifest.chunks.length; i++) {
    const res = await chunk(server, dev, manifest.id, i);
    expect(res.status).toBe(200);
    texts.push(await res.text());
  }
  // The parts put together: the first one (what a device needs on its day), then the rest.
  const parts = bodiesOf(texts, manifest);
  const body: SnapshotBody = {
    ...parts[0]!,
    entities: parts.flatMap((p) => p.entities),
    parked: parts.flatMap((p) => p.parked),
  };
  return { manifest, texts, parts, body };
}

/** What the device's pull from 0 gives it: every page, and the server's digest at its end. */
async function pullAll(server: TestServer, dev: string, profile: Profile = 'coordination') {
  const headers = {
    'content-type': 'application/json',
    ...(await authHeader(server, dev, { profile })),
  };
  let since = 0;
  for (;;) {
    const res = await fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org: ORG,
        deviceId: dev,
        since,
        ops: [],
        digest: true,
      }),
    });
    const page = (await res.json()) as SyncResponse;
    since = page.lastSeq;
    if (!page.hasMore) return { lastSeq: page.lastSeq, digest: page.digest };
  }
}

const statesOf = (body: SnapshotBody) => body.entities.flatMap((e) => entityStates(e));

/** The demo organisation's rows as ops, then edits that supersede and conflict. */
async function seed(server: TestServer) {
  // Started mid-morning: the day's queue is in motion.
  const { data } = buildDemoDataset({ today: DAY, now: `${DAY}T10:00:00Z` });
  await server.store.push(ORG, rowsToOps(ORG, 'seed', data));
  const a = new TestDevice('snap-a');
  const b = new TestDevice('snap-b');
  const first = a.rename('room-x', 'Salle 1');
  const second = a.rename('room-x', 'Salle 2', [first.hlc]);
  // Concurrent with the second: two heads.
  const third = b.rename('room-x', 'Salle B', [first.hlc]);
  await server.store.push(ORG, [first, second, third]);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`GET /api/sync/snapshot (${kind})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      await seed(server);
    }, 180_000);
    afterAll(() => server.close(), 120_000);

    it('is the fold of what the device’s pull gives it up to S: same digest, S the log’s end', async () => {
      const { manifest, texts, body } = await download(server, 'snap-fresh');
      const pulled = await pullAll(server, 'snap-fresh-twin');
      expect(manifest.seq).toBe(pulled.lastSeq);
      expect(body.seq).toBe(manifest.seq);
      expect(manifest.epoch).toBe(await server.store.epoch());
      expect(digestRows(statesOf(body))).toBe(pulled.digest);
      expect(texts.every((t, i) => chunkMatches(t, manifest.chunks[i]!))).toBe(true);
      expect(wholeMatches(texts, manifest)).toBe(true);
      const patients = body.entities.filter((e) => e.e === 'patient');
      expect(patients.reduce((n, e) => n + e.ids.length, 0)).toBeGreaterThan(10);
    });

    it('sends first, as a part of its own, the reference data and the rows of the device’s day', async () => {
      const { manifest, texts, parts } = await download(server, 'snap-fresh');
      expect(manifest.day).toBe(DAY);
      expect(manifest.parts).toHaveLength(2);
      // Each part starts a chunk of its own, and is checked whole.
      manifest.parts.forEach((part, k) => {
        const start = partStart(manifest, k);
        expect(partMatches(texts.slice(start, start + part.chunks), part)).toBe(true);
        expect(part.rows).toBe(parts[k]!.entities.reduce((n, e) => n + e.ids.length, 0));
      });
      const [first, rest] = parts.map((b) => statesOf(b));
      const rows = (states: typeof first) =>
        states!.map(
          (st) => ({ e: st.e, ...materialise(st, entitySpec) }) as Record<string, unknown>,
        );
      const firstRows = rows(first);
      const restRows = rows(rest);
      // Every reference row is in the first part, none in the rest.
      for (const e of REFERENCE_ENTITIES) {
        expect(restRows.filter((r) => r.e === e)).toEqual([]);
      }
      const stop = firstRows.find((r) => r.e === 'stop' && r.date === DAY)!;
      expect(stop).toBeDefined();
      // The day's queue, visits and roster are all in the first part, with their patients.
      for (const e of ['queueEntry', 'visit', 'rosterSlot']) {
        expect(firstRows.filter((r) => r.e === e && r.stopId === stop.id).length).toBeGreaterThan(
          0,
        );
        expect(restRows.filter((r) => r.e === e && r.stopId === stop.id)).toEqual([]);
      }
      const dayPatients = new Set(
        firstRows.filter((r) => r.e === 'visit').map((r) => r.patientId as string),
      );
      const firstPatients = new Set(firstRows.filter((r) => r.e === 'patient').map((r) => r.id));
      expect([...dayPatients].every((id) => firstPatients.has(id))).toBe(true);
      // The rest of the registry and the other days' rows come after, and are most of it.
      expect(restRows.filter((r) => r.e === 'patient').length).toBeGreaterThan(firstPatients.size);
      expect(restRows.some((r) => r.e === 'visit' && r.stopId !== stop.id)).toBe(true);
      expect(manifest.parts[0]!.bytes).toBeLessThan(manifest.parts[1]!.bytes);
    });

    it('chooses the first part by the day asked, the server’s by default, and refuses a bad one', async () => {
      const other = await manifestOf(server, 'snap-fresh', 'coordination', '2026-11-24');
      expect(other.status).toBe(200);
      expect(other.body.day).toBe('2026-11-24');
      const same = await manifestOf(server, 'snap-fresh');
      expect(same.body.day).toBe(DAY);
      // Same rows, another order: the whole text differs, the rows do not.
      expect(other.body.parts.reduce((n, p) => n + p.rows, 0)).toBe(
        same.body.parts.reduce((n, p) => n + p.rows, 0),
      );
      expect(other.body.parts[0]!.rows).toBeLessThan(same.body.parts[0]!.rows);
      const byServer = await manifestOf(server, 'snap-fresh', 'coordination', null);
      expect(byServer.status).toBe(200);
      expect(byServer.body.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const bad of ['23/11/2026', '2026-13-45', 'x']) {
        const res = await manifestOf(server, 'snap-fresh', 'coordination', bad);
        expect(res.status).toBe(400);
        expect((res.body as { message?: string }).message).toMatch(/Jour invalide/);
      }
    });

    it('is cut by the credential’s profile, as that profile’s pull', async () => {
      const { body } = await download(server, 'snap-reception', 'reception');
      const all = await server.store.rowStates(ORG);
      const expected = digestRows(
        visibleStates({ profile: 'reception', roomId: null }, all, entitySpec),
      );
      expect(digestRows(statesOf(body))).toBe(expected);
      expect(expected).not.toBe(await server.store.digest(ORG));
    });

    it('serves chunks compressed by brotli, or plain to a client that does not take it', async () => {
      const { body: manifest } = await manifestOf(server, 'snap-fresh');
      const br = await fetch(`${server.url}/api/sync/snapshot/${manifest.id}/0`, {
        headers: { ...(await authHeader(server, 'snap-fresh')), 'accept-encoding': 'br' },
      });
      expect(br.headers.get('content-encoding')).toBe('br');
      const plain = await chunk(server, 'snap-fresh', manifest.id, 0, 'identity');
      expect(plain.headers.get('content-encoding')).toBeNull();
      const text = await plain.text();
      expect(chunkMatches(text, manifest.chunks[0]!)).toBe(true);
      expect(text).toBe(await br.text());
    });

    it('answers 410 for a snapshot it no longer keeps and 404 for a chunk it never had', async () => {
      const { body: manifest } = await manifestOf(server, 'snap-fresh');
      expect(await chunkStatus(server, 'snap-fresh', '1-0000', 0)).toBe(410);
      expect(await chunkStatus(server, 'snap-fresh', manifest.id, 99)).toBe(404);
      expect(await chunkStatus(server, 'snap-fresh', manifest.id, '-1')).toBe(404);
      // Another profile's snapshot is not this device's: not found among its own.
      expect(await chunkStatus(server, 'snap-reception', manifest.id, 0)).toBe(410);
    });

    it('gives a room its own, with the reading view it was cut under, and refuses a partner', async () => {
      // A room's cut, scope and readers: tests/server/snapshot-room.test.ts.
      const room = await manifestOf(server, 'snap-room', 'room');
      expect(room.status).toBe(200);
      expect(typeof (room.body as { view?: unknown }).view).toBe('string');
      const partner = await manifestOf(server, 'snap-partner', 'partner');
      expect(partner.status).toBe(403);
    });

    it('leaves out a device’s own ops, as its pull does', async () => {
      const own = new TestDevice('snap-own');
      // Straight into the log (a push through /api/sync would set partner tasks going too).
      await server.store.push(ORG, own.batch(2, 'own'));
      const pushedBy = await server.store.lastSeq(ORG);
      const { manifest, body } = await download(server, 'snap-own');
      expect(manifest.seq).toBeGreaterThanOrEqual(pushedBy);
      const rooms = body.entities.find((e) => e.e === 'room')!;
      expect(rooms.ids.some((id) => id.startsWith('own-'))).toBe(false);
      expect(rooms.ids).toContain('room-x');
    });

    it('is reused while recent, then folded from the previous one plus the ops after it', async () => {
      const cache = snapshotCaches.get(server.store)!;
      const before = { ...cache.stats };
      const one = await manifestOf(server, 'snap-fresh');
      const again = await manifestOf(server, 'snap-fresh');
      expect(again.body.id).toBe(one.body.id);
      expect(cache.stats).toEqual(before);
      // A cache that refreshes at every new op, against one folding from 0 at the end.
      const eager = new SnapshotCache(server.store, visibleOps, { staleOps: 0, chunkBytes: 4096 });
      const viewer = { profile: 'coordination' as const, roomId: null };
      const first = await eager.current(ORG, viewer, 'x', false, DAY);
      const d = new TestDevice('snap-later');
      await server.store.push(ORG, d.batch(3, 'later'));
      const second = await eager.current(ORG, viewer, 'x', false, DAY);
      expect(eager.stats).toEqual({ full: 1, incremental: 1 });
      expect(second.manifest.seq).toBe(first.manifest.seq + 3);
      const scratch = new SnapshotCache(server.store, visibleOps, { chunkBytes: 4096 });
      const fromZero = await scratch.current(ORG, viewer, 'x', false, DAY);
      expect(fromZero.manifest.sha256).toBe(second.manifest.sha256);
      expect(second.chunks.length).toBeGreaterThan(1);
      const texts = second.chunks.map((c) => brotliDecompressSync(c).toString());
      // The day's part, then the rest in parts of about a chunk each, all at the same S.
      const bodies = bodiesOf(texts, second.manifest);
      expect(bodies.length).toBeGreaterThan(2);
      expect(bodies.length).toBe(second.manifest.parts.length);
      for (const b of bodies) expect(b.seq).toBe(second.manifest.seq);
      // The previous one is still served (a download under way), the newest first.
      expect(eager.find(ORG, viewer, 'x', false, first.manifest.id)).toBe(first);
    });
    it('is folded again from 0 once entries left the log (a retraction, an archived record), and names the retractions it was folded after', async () => {
      const cache = new SnapshotCache(server.store, visibleOps, { chunkBytes: 4096 });
      const viewer = { profile: 'coordination' as const, roomId: null };
      const d = new TestDevice('snap-out');
      const refused = d.rename('room-refused', 'Salle refusée');
      const archived = d.rename('room-archived', 'Salle archivée');
      await server.store.push(ORG, [refused, archived]);
      const rooms = (snap: Awaited<ReturnType<typeof cache.current>>) =>
        bodiesOf(
          snap.chunks.map((c) => brotliDecompressSync(c).toString()),
          snap.manifest,
        )
          .flatMap((b) => b.entities.flatMap((e) => entityStates(e)))
          .filter((st) => st.e === 'room')
          .map((st) => st.id);
      const before = await cache.current(ORG, viewer, 'x', false, DAY);
      expect(before.manifest.retracted).toBeUndefined();
      expect(rooms(before)).toContain('room-refused');
      expect(await cache.current(ORG, viewer, 'x', false, DAY)).toBe(before);
      // The log's end does not move: only the rewrite says the snapshot is no longer true.
      const last = await server.store.lastSeq(ORG);
      await server.store.retract(ORG, [
        {
          dev: 'snap-out',
          seq: refused.seq,
          code: 'forbidden_op',
          reason: 'Refusée.',
          via: 'central',
        },
      ]);
      expect(await server.store.lastSeq(ORG)).toBe(last);
      const after = await cache.current(ORG, viewer, 'x', false, DAY);
      expect(after).not.toBe(before);
      expect(after.manifest.retracted).toBe(1);
      expect(rooms(after)).not.toContain('room-refused');
      await server.store.archiveRecord(ORG, 'patient-archived', [
        { e: 'room', id: 'room-archived' },
      ]);
      const archivedNow = await cache.current(ORG, viewer, 'x', false, DAY);
      expect(rooms(archivedNow)).not.toContain('room-archived');
      // Never folded from a snapshot made before the rewrite.
      expect(cache.stats).toEqual({ full: 3, incremental: 0 });
    });
  });
}
