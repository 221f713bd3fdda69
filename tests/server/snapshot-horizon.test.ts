// Snapshots pruned at the horizon (docs/decisions/0027-pruning.md, « Snapshots pruned »; 0026):
// central folds the whole organisation's cut — the coordination's, whose devices adopt a
// horizon — and prunes it at the organisation's horizon before encoding, and the manifest names
// it; a cut that changes (a room, reception) keeps every clock, so does a cut that leaves out a
// device's own ops; a relay's is pruned at the horizon it adopted from central. Over real SQLite
// and PostgreSQL stores and a real server on loopback.
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentHorizon, relayHorizon } from '../../src/server/horizon';
import { visibleOps } from '../../src/server/routes/sync';
import { SnapshotCache } from '../../src/server/snapshots';
import type { RegisterState, RowState } from '../../src/sync/merge';
import { pruneRow } from '../../src/sync/prune';
import { bodiesOf } from '../../src/sync/snapshot';
import { authHeader, relayCredential } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { readSnapshot, statesOf } from '../support/snapshot';
import { ORG, roomRenames } from './ops-factory';

const DAY = '2026-11-23';
/** An hour ago: central's own position (its clock a minute behind) is past these edits. */
const OLD = Date.now() - 3_600_000;
const ROOM = 'room-hz';

/** `times` renames of one room by a writer never enrolled (`roomRenames`). */
const renames = (times: number, dev = 'sh-writer') => roomRenames(ROOM, times, dev, OLD);

type Profile = 'coordination' | 'reception' | 'room';

/** The manifest and every row state of `dev`'s snapshot, as a device reads them. */
async function snapshotOf(
  server: TestServer,
  dev: string,
  profile: Profile = 'coordination',
  enrolledAt: TestServer = server,
) {
  const auth = await authHeader(enrolledAt, dev, {
    profile,
    ...(profile === 'room' ? { roomId: 'room-1' } : {}),
  });
  return readSnapshot(server.url, auth, DAY);
}

const roomState = (states: Map<string, RowState>) => states.get(`room/${ROOM}`)!;
const dom = (st: RowState) => (st.f.name as RegisterState).dom;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`snapshots pruned at the horizon (${kind})`, () => {
    let central: TestServer;
    let hz: string;
    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await central.store.push(ORG, renames(6));
      // No device enrolled yet: central's own position alone, a minute behind its clock, is the
      // horizon, past the renames; stored, it stays once devices enrol (they block it there).
      const { horizon } = await currentHorizon(central.store, central.accounts, ORG, Date.now());
      expect(horizon).not.toBeNull();
      hz = horizon!.hlc;
      expect(hz > renames(6).at(-1)!.hlc).toBe(true);
    });
    afterAll(() => central.close());

    it('prunes the whole organisation’s snapshot at the horizon, and its manifest names it', async () => {
      const { manifest, bodies, states } = await snapshotOf(central, 'sh-coord');
      expect(manifest.hz).toBe(hz);
      expect(manifest.seq).toBeGreaterThanOrEqual(
        (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon!.seq,
      );
      const room = roomState(states);
      expect(room.hz).toBe(hz);
      expect(dom(room)).toEqual([]);
      expect((room.f.name as RegisterState).heads.map((h) => h.v)).toEqual(['Salle 5']);
      // The rows carry it in the format (one stamp per entity when shared).
      expect(bodies.some((b) => b.entities.some((e) => e.hz !== undefined))).toBe(true);
      // Exactly the unpruned fold pruned at that horizon, row by row.
      const plain = new SnapshotCache(central.store, visibleOps);
      const viewer = { profile: 'coordination' as const, roomId: null };
      const unpruned = await plain.current(ORG, viewer, 'x', false, DAY);
      expect(unpruned.manifest.hz).toBeUndefined();
      const texts = unpruned.chunks.map((c) => brotliDecompressSync(c).toString());
      const full = statesOf(bodiesOf(texts, unpruned.manifest));
      expect(dom(roomState(full))).toHaveLength(5);
      expect([...states.keys()].sort()).toEqual([...full.keys()].sort());
      for (const [key, st] of full) expect(states.get(key)).toEqual(pruneRow(st, hz));
    });

    it('keeps every clock in a room’s and a reception desk’s snapshot: their cut changes', async () => {
      for (const [dev, profile] of [
        ['sh-desk', 'reception'],
        ['sh-room', 'room'],
      ] as const) {
        const { manifest, bodies, states } = await snapshotOf(central, dev, profile);
        expect(manifest.hz, profile).toBeUndefined();
        expect(bodies.every((b) => b.entities.every((e) => e.hz === undefined))).toBe(true);
        expect(dom(roomState(states)), profile).toHaveLength(5);
      }
    });

    it('keeps every clock for a device whose own ops its snapshot leaves out', async () => {
      // The writer of the renames, enrolled as a coordination device: its bootstrap's fold lacks
      // its own ops, which its rows hold — pruned, the fold could not be joined with them.
      const own = await snapshotOf(central, 'sh-writer');
      expect(own.manifest.hz).toBeUndefined();
      expect(roomState(own.states)).toBeUndefined();
    });
  });
}

describe('a relay’s snapshots', () => {
  let central: TestServer;
  let relay: TestServer;
  beforeAll(async () => {
    central = await startTestServer({ store: 'sqlite' });
    await central.store.push(ORG, renames(4));
    expect(
      (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon,
    ).not.toBeNull();
    relay = await startTestServer({
      store: 'sqlite',
      upstream: central.url,
      relayCredential: await relayCredential(central),
      relayIntervalMs: 100,
    });
    await authHeader(central, 'sh-truck');
    await relay.relay!.refreshCredentials();
  });
  afterAll(async () => {
    await relay.close();
    await central.close();
  });

  it('are pruned at the horizon the relay adopted from central, as central’s at its own', async () => {
    // The relay's passes pull central's log and the horizon its answers carry.
    const deadline = Date.now() + 15_000;
    while (!(await relayHorizon(relay.store, ORG)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const held = (await relayHorizon(relay.store, ORG))!;
    expect(held).not.toBeNull();
    const { manifest, states } = await snapshotOf(relay, 'sh-truck', 'coordination', central);
    expect(manifest.hz).toBe(held.hlc);
    expect(dom(roomState(states))).toEqual([]);
    const fromCentral = await snapshotOf(central, 'sh-truck');
    expect(fromCentral.manifest.hz).toBeDefined();
    expect(dom(roomState(fromCentral.states))).toEqual([]);
    // What it stands for on each side (the relay's log numbering, central's epoch, a new epoch
    // unpruned): tests/server/relay-snapshot-horizon.test.ts.
  });
});
