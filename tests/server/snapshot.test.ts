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
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import {
  chunkMatches,
  entityStates,
  type SnapshotBody,
  type SnapshotManifest,
  wholeMatches,
} from '../../src/sync/snapshot';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

type Profile = 'coordination' | 'reception' | 'room' | 'partner';

async function manifestOf(server: TestServer, dev: string, profile: Profile = 'coordination') {
  const headers = await authHeader(server, dev, {
    profile,
    ...(profile === 'room' ? { roomId: 'room-1' } : {}),
  });
  const res = await fetch(`${server.url}/api/sync/snapshot`, { headers });
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
  return { manifest, texts, body: JSON.parse(texts.join('')) as SnapshotBody };
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
  const { data } = buildDemoDataset({ today: '2026-11-23' });
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
      const patients = body.entities.find((e) => e.e === 'patient');
      expect(patients?.ids.length).toBeGreaterThan(10);
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

    it('refuses a room (its reading view) and a partner, in French', async () => {
      const room = await manifestOf(server, 'snap-room', 'room');
      expect(room.status).toBe(409);
      expect(room.body.error).toBe('snapshot_unavailable');
      expect((room.body as { message?: string }).message).toMatch(/poste de salle/);
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
      const first = await eager.current(ORG, viewer, 'x', false);
      const d = new TestDevice('snap-later');
      await server.store.push(ORG, d.batch(3, 'later'));
      const second = await eager.current(ORG, viewer, 'x', false);
      expect(eager.stats).toEqual({ full: 1, incremental: 1 });
      expect(second.manifest.seq).toBe(first.manifest.seq + 3);
      const scratch = new SnapshotCache(server.store, visibleOps, { chunkBytes: 4096 });
      const fromZero = await scratch.current(ORG, viewer, 'x', false);
      expect(fromZero.manifest.sha256).toBe(second.manifest.sha256);
      expect(second.chunks.length).toBeGreaterThan(1);
      const text = second.chunks.map((c) => brotliDecompressSync(c).toString()).join('');
      expect(JSON.parse(text).seq).toBe(second.manifest.seq);
      // The previous one is still served (a download under way), the newest first.
      expect(eager.find(ORG, viewer, 'x', false, first.manifest.id)).toBe(first);
    });
  });
}
