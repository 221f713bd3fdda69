// A device holding states told to reload a snapshot (docs/protocol.md, Reload; decision 0026,
// « Devices holding states »), over real HTTP on loopback, SQLite and PostgreSQL: the pull's
// answer carries `reload` after a reset or when the device is further behind than its snapshot
// is large, never to a fresh device, a relay, or a device whose ops the server lacks below its
// floor; the snapshot a reload asks for keeps the device's own ops and reaches the log's end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { bodiesOf, entityStates, type SnapshotManifest } from '../../src/sync/snapshot';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const DAY = '2026-11-23';
const RELOAD_OPS = 40;

type Profile = 'coordination' | 'reception' | 'relay';

async function sync(
  server: TestServer,
  dev: string,
  body: { since: number; epoch?: string; floor?: number; ops?: Op[] },
  profile: Profile = 'coordination',
): Promise<SyncResponse> {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await authHeader(server, dev, { profile })),
    },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId: dev,
      ops: [],
      maxBytes: 1024,
      ...body,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as SyncResponse;
}

/** A snapshot's manifest and its rows, `reload` or not. */
async function snapshot(server: TestServer, dev: string, reload: boolean) {
  const headers = await authHeader(server, dev);
  const query = `?day=${DAY}${reload ? '&reload=1' : ''}`;
  const res = await fetch(`${server.url}/api/sync/snapshot${query}`, { headers });
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as SnapshotManifest;
  const texts: string[] = [];
  for (let i = 0; i < manifest.chunks.length; i++) {
    const chunk = await fetch(`${server.url}/api/sync/snapshot/${manifest.id}/${i}`, { headers });
    expect(chunk.status).toBe(200);
    texts.push(await chunk.text());
  }
  const states = bodiesOf(texts, manifest).flatMap((b) =>
    b.entities.flatMap((e) => entityStates(e)),
  );
  return { manifest, states };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`reload in the pull's answer (${kind})`, () => {
    let server: TestServer;
    const own = new TestDevice('reload-own');
    beforeAll(async () => {
      server = await startTestServer({ store: kind, reloadOps: RELOAD_OPS });
      const { data } = buildDemoDataset({ today: DAY, now: `${DAY}T10:00:00Z` });
      await server.store.push(ORG, rowsToOps(ORG, 'seed', data));
      // A device with ops of its own in the log.
      const answer = await sync(server, own.dev, { since: 0, ops: own.batch(3, 'own') });
      expect(answer.accepted).toBe(3);
    }, 180_000);
    afterAll(() => server.close(), 120_000);

    it('says reload beyond max(reloadOps, the snapshot’s rows) ops ahead, not within, nor to a fresh device', async () => {
      const head = await server.store.lastSeq(ORG);
      expect(head).toBeGreaterThan(RELOAD_OPS + 2);
      // No snapshot of the cut kept yet: the floor alone.
      expect((await sync(server, 'reload-b', { since: head - RELOAD_OPS })).reload).toBeUndefined();
      expect((await sync(server, 'reload-b', { since: head - RELOAD_OPS - 1 })).reload).toBe(true);
      // A fresh device loads a snapshot by itself (decision 0026): never told.
      expect((await sync(server, 'reload-b', { since: 0 })).reload).toBeUndefined();
      // Once a reload's snapshot is kept, its rows are the measure.
      const { manifest } = await snapshot(server, 'reload-b', true);
      const rows = manifest.parts.reduce((n, p) => n + p.rows, 0);
      expect(rows).toBeGreaterThan(RELOAD_OPS);
      const after = await server.store.lastSeq(ORG);
      expect(after).toBeGreaterThan(rows + 2);
      expect(
        (await sync(server, 'reload-b', { since: after - RELOAD_OPS - 1 })).reload,
      ).toBeUndefined();
      expect((await sync(server, 'reload-b', { since: after - rows })).reload).toBeUndefined();
      expect((await sync(server, 'reload-b', { since: after - rows - 1 })).reload).toBe(true);
    });

    it('says reload with every reset of a device holding states, never to a relay', async () => {
      const head = await server.store.lastSeq(ORG);
      const reset = await sync(server, 'reload-c', { since: head, epoch: 'another-epoch' });
      expect(reset.reset).toBe(true);
      expect(reset.reload).toBe(true);
      const caughtUp = await sync(server, 'reload-c', { since: head, epoch: reset.epoch! });
      expect(caughtUp.reset).toBeUndefined();
      expect(caughtUp.reload).toBeUndefined();
      const relay = await sync(server, 'reload-relay', { since: 1, epoch: 'x' }, 'relay');
      expect(relay.reset).toBe(true);
      expect(relay.reload).toBeUndefined();
    });

    it('never says reload while the server lacks ops of the device below its floor', async () => {
      const head = await server.store.lastSeq(ORG);
      // Ops 1..5 declared dropped by the device, none held here (a relay reinstalled empty).
      const answer = await sync(server, 'reload-gap', {
        since: head,
        epoch: 'another-epoch',
        floor: 5,
      });
      expect(answer.reset).toBe(true);
      expect(answer.accepted).toBe(5);
      expect(answer.reload).toBeUndefined();
      // Its ops 1..5 held again (sent again, or pulled from central): told as any other.
      await server.store.push(ORG, new TestDevice('reload-gap').batch(5, 'gap'));
      const again = await sync(server, 'reload-gap', { since: head, epoch: 'another-epoch' });
      expect(again.reset).toBe(true);
      expect(again.reload).toBe(true);
    });

    it('serves a reload the device’s own ops, up to the log’s end; a bootstrap leaves them out', async () => {
      // More ops after the last snapshots were folded, the device's among them.
      const other = new TestDevice('reload-other');
      await server.store.push(ORG, other.batch(2, 'other'));
      expect(
        (await sync(server, own.dev, { since: 0, ops: [own.rename('own-late', 'Salle tard')] }))
          .accepted,
      ).toBe(4);
      const head = await server.store.lastSeq(ORG);
      const reload = await snapshot(server, own.dev, true);
      expect(reload.manifest.seq).toBe(head);
      const ids = new Set(reload.states.map((s) => s.id));
      expect(ids.has('own-late')).toBe(true);
      expect(ids.has(`own-${own.dev}-1`)).toBe(true);
      expect(ids.has(`other-${other.dev}-1`)).toBe(true);
      // The bootstrap's cut leaves the device's ops to the device (the pull does too).
      const bootstrap = await snapshot(server, own.dev, false);
      const bootIds = new Set(bootstrap.states.map((s) => s.id));
      expect(bootIds.has('own-late')).toBe(false);
      expect(bootIds.has(`other-${other.dev}-1`)).toBe(true);
    });
  });
}
