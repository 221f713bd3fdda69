// The truck relay's snapshots pruned at the horizon it adopted (docs/decisions/0027-pruning.md,
// « Snapshots pruned », « A relay's snapshots »): the whole organisation's cut of the relay's log
// is pruned at central's horizon as the relay adopted it — `seq` the relay's own log's head then,
// which the fold's S reaches — and its manifest names it; before the relay adopts one, and once
// central starts a new epoch (restored from a backup), the relay's snapshot keeps every clock,
// a snapshot it pruned before that epoch included; a room's and a reception desk's never lose
// one. Over a real central and a real relay on loopback, SQLite and PostgreSQL.
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { currentHorizon, relayHorizon } from '../../src/server/horizon';
import { visibleOps } from '../../src/server/routes/sync';
import { SnapshotCache, snapshotCaches } from '../../src/server/snapshots';
import { encodeHlc } from '../../src/sync/hlc';
import type { RegisterState, RowState } from '../../src/sync/merge';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { pruneRow } from '../../src/sync/prune';
import { bodiesOf } from '../../src/sync/snapshot';
import { authHeader, relayCredential } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { readSnapshot, statesOf } from '../support/snapshot';
import { ORG, roomRenames } from './ops-factory';

/** An hour ago: central's own position (its clock a minute behind) is past these edits. */
const OLD = Date.now() - 3_600_000;
const ROOM = 'room-rs';

/** `times` renames of one room by a writer never enrolled (`roomRenames`). */
const renames = (times: number, dev = 'rs-writer') => roomRenames(ROOM, times, dev, OLD);

type Profile = 'coordination' | 'reception' | 'room';
const PROFILES: Record<string, Profile> = {
  'rs-fresh': 'coordination',
  'rs-desk': 'reception',
  'rs-room': 'room',
};
const enrolment = (dev: string) => ({
  profile: PROFILES[dev]!,
  ...(PROFILES[dev] === 'room' ? { roomId: 'room-1' } : {}),
});

const roomState = (states: Map<string, RowState>) => states.get(`room/${ROOM}`)!;
const dom = (st: RowState) => (st.f.name as RegisterState).dom;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the relay's snapshots pruned at the horizon it adopted (${kind})`, () => {
    let central: TestServer;
    let relay: TestServer;
    /** A pass of the relay now (a pass under way runs first), its backoff ignored. */
    const pass = () => relay.relay!.syncNow(true);
    const centralHorizon = async () =>
      (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon;

    /** The manifest and every row state of `dev`'s snapshot from `server`, as a device reads them. */
    async function snapshotOf(server: TestServer, dev: string, day: string) {
      const auth = await authHeader(central, dev, enrolment(dev));
      return readSnapshot(server.url, auth, day);
    }

    /** `dev` tells central, directly, a position past every edit above (it writes nothing). */
    async function position(dev: string) {
      const res = await fetch(`${central.url}/api/sync`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(await authHeader(central, dev, enrolment(dev))),
        },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: dev,
          since: await central.store.lastSeq(ORG),
          ops: [],
          sent: { hlc: encodeHlc(Date.now(), 0, dev), seq: 0 },
          status: { pending: 0, appVersion: 'test', profile: null, lastError: null },
        }),
      });
      expect(res.status).toBe(200);
    }

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await central.store.push(ORG, renames(6));
      // Enrolled before any horizon: none until each of them sent a position.
      for (const dev of Object.keys(PROFILES)) await authHeader(central, dev, enrolment(dev));
      relay = await startTestServer({
        store: kind,
        upstream: central.url,
        relayCredential: await relayCredential(central),
        relayIntervalMs: 3_600_000,
        relayHoldMs: 0,
      });
      await relay.relay!.refreshCredentials();
      await pass();
      expect(await relay.store.lastSeq(ORG)).toBeGreaterThanOrEqual(6);
    });
    afterAll(async () => {
      await relay.close();
      await central.close();
    });

    it('keeps every clock while the relay holds no horizon', async () => {
      expect(await centralHorizon()).toBeNull();
      expect(await relayHorizon(relay.store, ORG)).toBeNull();
      const { manifest, states } = await snapshotOf(relay, 'rs-fresh', '2026-11-23');
      expect(manifest.hz).toBeUndefined();
      expect(roomState(states).hz).toBeUndefined();
      expect(dom(roomState(states))).toHaveLength(5);
    });

    it('prunes the whole organisation’s snapshot at the horizon it adopted, its S in its own log past that horizon’s seq', async () => {
      for (const dev of Object.keys(PROFILES)) await position(dev);
      const h = (await centralHorizon())!;
      expect(h.hlc > renames(6).at(-1)!.hlc).toBe(true);
      await pass(); // the relay pulls central's answer carrying it, past its seq, and adopts it
      // Central's, as it announced it to the relay (moved on with central's clock since).
      const held = (await relayHorizon(relay.store, ORG))!;
      expect(held.hlc >= h.hlc).toBe(true);
      expect(held.hlc <= (await centralHorizon())!.hlc).toBe(true);
      // Its seq is the relay's own log's head when it adopted it (not central's).
      expect(held.seq).toBe(await relay.store.lastSeq(ORG));
      // The snapshot cached before, for the same day, is still served: unpruned, a true claim
      // (the device prunes at its first pull, which announces the horizon).
      const cached = await snapshotOf(relay, 'rs-fresh', '2026-11-23');
      expect(cached.manifest.hz).toBeUndefined();
      // Another day's is folded now: pruned at the relay's horizon, and the manifest names it.
      const { manifest, bodies, states } = await snapshotOf(relay, 'rs-fresh', '2026-11-24');
      expect(manifest.hz).toBe(held.hlc);
      expect(manifest.seq).toBeGreaterThanOrEqual(held.seq);
      expect(manifest.seq).toBe(await relay.store.lastSeq(ORG));
      const room = roomState(states);
      expect(room.hz).toBe(held.hlc);
      expect(dom(room)).toEqual([]);
      expect((room.f.name as RegisterState).heads.map((x) => x.v)).toEqual(['Salle 5']);
      expect(bodies.some((b) => b.entities.some((e) => e.hz !== undefined))).toBe(true);
      // Exactly the unpruned fold of the relay's log pruned at that horizon, row by row.
      const plain = new SnapshotCache(relay.store, visibleOps);
      const viewer = { profile: 'coordination' as const, roomId: null };
      const unpruned = await plain.current(ORG, viewer, 'x', false, '2026-11-24');
      expect(unpruned.manifest.seq).toBe(manifest.seq);
      const texts = unpruned.chunks.map((c) => brotliDecompressSync(c).toString());
      const full = statesOf(bodiesOf(texts, unpruned.manifest));
      expect(dom(roomState(full))).toHaveLength(5);
      expect([...states.keys()].sort()).toEqual([...full.keys()].sort());
      for (const [key, st] of full) expect(states.get(key)).toEqual(pruneRow(st, held.hlc));
    });

    it('keeps every clock in a room’s and a reception desk’s snapshot from the relay', async () => {
      expect(await relayHorizon(relay.store, ORG)).not.toBeNull();
      for (const dev of ['rs-desk', 'rs-room']) {
        const { manifest, bodies, states } = await snapshotOf(relay, dev, '2026-11-24');
        expect(manifest.hz, dev).toBeUndefined();
        expect(bodies.every((b) => b.entities.every((e) => e.hz === undefined))).toBe(true);
        expect(dom(roomState(states)), dev).toHaveLength(5);
      }
    });

    it('serves none pruned once central starts a new epoch — the one pruned before neither served nor folded from — and prunes again at central’s horizon once adopted anew', async () => {
      // Central restored from a backup: the relay drops its horizon at its next pass.
      await central.store.newEpoch();
      await pass();
      expect(await relayHorizon(relay.store, ORG)).toBeNull();
      // The same day as the pruned snapshot cached, the log barely moved: folded again, from 0.
      const stats = snapshotCaches.get(relay.store)!.stats;
      const full = stats.full;
      const { manifest, states } = await snapshotOf(relay, 'rs-fresh', '2026-11-24');
      expect(manifest.hz).toBeUndefined();
      expect(roomState(states).hz).toBeUndefined();
      expect(dom(roomState(states))).toHaveLength(5);
      expect(stats.full).toBe(full + 1);
      // Every writer sends its position again: central proves a horizon, the relay adopts it, and
      // the next snapshot folded is pruned there.
      for (const dev of Object.keys(PROFILES)) await position(dev);
      const h = (await centralHorizon())!;
      await pass();
      const held = (await relayHorizon(relay.store, ORG))!;
      expect(held.hlc >= h.hlc).toBe(true);
      const again = await snapshotOf(relay, 'rs-fresh', '2026-11-25');
      expect(again.manifest.hz).toBe(held.hlc);
      expect(dom(roomState(again.states))).toEqual([]);
    });
  });
}
