// Central's horizon (docs/decisions/0027-pruning.md, « How the horizon is computed and
// travels »): writer positions recorded once their ops are held, the organisation's horizon as
// the least of them (a never-synced device blocks it, a revoked one does not, a restored backup
// drops it), the guard that refuses an op written below it, and positions passed on by a relay
// only after the ops they cover. Over real SQLite and PostgreSQL stores and a real server.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { Accounts } from '../../src/server/auth';
import {
  BELOW_HORIZON_CODE,
  currentHorizon,
  horizonKey,
  orgHorizon,
  recordPosition,
} from '../../src/server/horizon';
import type { SyncStore } from '../../src/server/store/types';
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SentPosition } from '../../src/sync/protocol';
import { authHeader, relayCredential } from '../support/auth';
import { openTestStore, startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

/** A clock `min` minutes after a fixed instant, on `node`. */
const at = (min: number, node = 'x') => encodeHlc(1_800_000_000_000 + min * 60_000, 0, node);
/** Far after every clock above: central's own position (its clock, a minute behind) never
 * holds these horizons back. */
const LATER = 1_900_000_000_000;

/** An op of `dev` renaming room `id` at clock `hlc`. */
function rename(dev: string, seq: number, hlc: string, id = `room-${dev}-${seq}`): Op {
  return {
    v: SCHEMA_VERSION,
    org: ORG,
    dev,
    seq,
    hlc,
    e: 'room',
    id,
    f: 'name',
    k: 'set',
    val: `Salle ${seq}`,
    base: [],
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`writer positions and the horizon (${kind} store)`, () => {
    let store: SyncStore;
    let cleanup: () => void;
    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(kind));
    });
    afterAll(async () => {
      await store.close();
      cleanup();
    });

    it('records a position only once the ops it covers are held, and never moves it back', async () => {
      const sent: SentPosition = { hlc: at(10, 'pa'), seq: 2 };
      expect(await recordPosition(store, ORG, 'pa', sent)).toBe(false);
      await store.push(ORG, [rename('pa', 1, at(1, 'pa'))]);
      expect(await recordPosition(store, ORG, 'pa', sent)).toBe(false);
      await store.push(ORG, [rename('pa', 2, at(2, 'pa'))]);
      expect(await recordPosition(store, ORG, 'pa', sent)).toBe(true);
      expect(await recordPosition(store, ORG, 'pa', { hlc: at(5, 'pa'), seq: 1 })).toBe(true);
      const { horizon } = await orgHorizon(store, ORG, ['pa'], LATER);
      expect(horizon).toEqual({ hlc: at(10, 'pa'), seq: await store.lastSeq(ORG) });
    });

    it('is the least position; a never-synced device blocks it; it never goes back', async () => {
      const org = ORG;
      await store.push(org, [rename('pb', 1, at(3, 'pb'))]);
      await recordPosition(store, org, 'pb', { hlc: at(20, 'pb'), seq: 1 });
      // pa at 10, pb at 20: the least is pa's.
      let r = await orgHorizon(store, org, ['pa', 'pb'], LATER);
      expect(r).toEqual({ horizon: { hlc: at(10, 'pa'), seq: 2 }, blockedBy: 'pa' });
      // A device enrolled that never synced: no horizon past the one already reached.
      r = await orgHorizon(store, org, ['pa', 'pb', 'new-tablet'], LATER);
      expect(r).toEqual({ horizon: { hlc: at(10, 'pa'), seq: 2 }, blockedBy: 'new-tablet' });
      await recordPosition(store, org, 'pa', { hlc: at(30, 'pa'), seq: 2 });
      r = await orgHorizon(store, org, ['pa', 'pb', 'new-tablet'], LATER);
      expect(r.horizon?.hlc).toBe(at(10, 'pa'));
      // Revoked (left out by the caller): the horizon moves to the least of the others.
      r = await orgHorizon(store, org, ['pa', 'pb'], LATER);
      expect(r).toEqual({ horizon: { hlc: at(20, 'pb'), seq: 3 }, blockedBy: 'pb' });
      // Central's own position (its clock a minute behind) holds it back too.
      r = await orgHorizon(store, org, ['pa', 'pb'], 1_800_000_000_000 + 15 * 60_000);
      expect(r).toEqual({ horizon: { hlc: at(20, 'pb'), seq: 3 }, blockedBy: 'central' });
    });

    it('drops the stored horizon and the positions on a new epoch (a restored backup)', async () => {
      expect(await store.getMeta(horizonKey(ORG))).toBeDefined();
      await store.newEpoch();
      const r = await orgHorizon(store, ORG, ['pa', 'pb'], LATER);
      expect(r).toEqual({ horizon: null, blockedBy: 'pa' });
      await recordPosition(store, ORG, 'pa', { hlc: at(4, 'pa'), seq: 2 });
      await recordPosition(store, ORG, 'pb', { hlc: at(5, 'pb'), seq: 1 });
      // Recomputed from what the restored log can prove: below the one of the old epoch.
      expect((await orgHorizon(store, ORG, ['pa', 'pb'], LATER)).horizon?.hlc).toBe(at(4, 'pa'));
    });
  });
}

/** A push of `ops` by `dev` to `server`, with its position and a status report. */
async function sync(
  server: TestServer,
  central: TestServer,
  dev: string,
  ops: Op[],
  sent?: SentPosition,
) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeader(central, dev)) },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId: dev,
      since: 0,
      ops,
      ...(sent ? { sent } : {}),
      status: { pending: ops.length, appVersion: 'test', profile: null, lastError: null },
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`central's horizon over the wire (${kind})`, () => {
    let central: TestServer;
    beforeAll(async () => {
      central = await startTestServer({ store: kind });
    });
    afterAll(() => central.close());
    const horizon = () => currentHorizon(central.store, central.accounts, ORG, Date.now());
    const old = Date.now() - 3_600_000;

    it('records the positions devices send and computes the horizon from enrolled devices', async () => {
      const a = new TestDevice('hz-a');
      const b = new TestDevice('hz-b');
      const opsA = [rename('hz-a', 1, encodeHlc(old, 0, 'hz-a'))];
      a.seq = 1;
      // Position claimed beyond the ops held: not recorded.
      expect(
        (await sync(central, central, 'hz-a', [], { hlc: encodeHlc(old, 1, 'hz-a'), seq: 1 }))
          .status,
      ).toBe(200);
      expect((await horizon()).blockedBy).toBe('hz-a');
      expect(
        (await sync(central, central, 'hz-a', opsA, { hlc: encodeHlc(old, 1, 'hz-a'), seq: 1 }))
          .status,
      ).toBe(200);
      const first = (await horizon()).horizon;
      expect(first?.hlc).toBe(encodeHlc(old, 1, 'hz-a'));
      // hz-b enrolled (by its first sync) with no position yet: the horizon moves no further.
      expect((await sync(central, central, 'hz-b', b.batch(1, 'b'))).status).toBe(200);
      expect(await horizon()).toEqual({ horizon: first, blockedBy: 'hz-b' });
      const bAt = encodeHlc(old + 60_000, 0, 'hz-b');
      expect((await sync(central, central, 'hz-b', [], { hlc: bAt, seq: 1 })).status).toBe(200);
      const r = await horizon();
      expect(r.blockedBy).toBe('hz-a');
      expect(r.horizon?.hlc).toBe(encodeHlc(old, 1, 'hz-a'));
    });

    it('announces the horizon in the pull answer, with the log head it holds for', async () => {
      const res = await sync(central, central, 'hz-a', []);
      expect(res.status).toBe(200);
      const { horizon: now } = await horizon();
      expect(res.body.horizon).toEqual(now);
      expect(now!.seq).toBeLessThanOrEqual(await central.store.lastSeq(ORG));
    });

    it('quarantines a set op pushed below the horizon with a French reason, unapplied', async () => {
      const h = (await horizon()).horizon!;
      const late = rename('hz-b', 2, encodeHlc(Date.now() - 7_200_000, 0, 'hz-b'), 'room-late');
      expect(late.hlc < h.hlc).toBe(true);
      const before = await central.store.lastSeq(ORG);
      const res = await sync(central, central, 'hz-b', [late]);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        error: 'forbidden_op',
        details: { dev: 'hz-b', seq: 2, code: BELOW_HORIZON_CODE },
      });
      expect(String(res.body.message)).toMatch(/antérieure à l’horizon/);
      expect(await central.store.lastSeq(ORG)).toBe(before);
      expect(await central.store.rowsByIds(ORG, 'room', ['room-late'])).toEqual([]);
      const [q] = await central.store.quarantined(ORG);
      expect(q).toMatchObject({ dev: 'hz-b', seq: 2, code: 'forbidden_op' });
      expect(q!.reason).toMatch(/horloge antérieure/);
      // An op already held, below the horizon, sent again (an answer lost on the way back): still
      // idempotent, neither refused nor set apart.
      const again = rename('hz-a', 1, encodeHlc(old, 0, 'hz-a'));
      expect(again.hlc <= h.hlc).toBe(true);
      expect((await sync(central, central, 'hz-a', [again])).status).toBe(200);
      expect((await central.store.quarantined(ORG)).filter((x) => x.dev === 'hz-a')).toEqual([]);
      // The same op above the horizon is applied (the guard is about the clock alone).
      const fine = rename('hz-b', 3, encodeHlc(Date.now(), 0, 'hz-b'), 'room-fine');
      expect((await sync(central, central, 'hz-b', [fine])).status).toBe(200);
    });

    it('leaves a revoked device out: it no longer holds the horizon back', async () => {
      await authHeader(central, 'hz-idle');
      expect((await horizon()).blockedBy).toBe('hz-idle');
      await central.store.push(ORG, [
        {
          ...rename('coordination-hz', 1, encodeHlc(Date.now(), 0, 'coordination-hz')),
          e: 'device',
          id: 'hz-idle',
          f: 'revoked',
          val: true,
        },
      ]);
      expect((await horizon()).blockedBy).not.toBe('hz-idle');
      expect((await horizon()).horizon).not.toBeNull();
    });
  });
}

describe('positions through a relay', () => {
  let central: TestServer;
  let relay: TestServer;
  beforeAll(async () => {
    central = await startTestServer({ store: 'sqlite' });
    relay = await startTestServer({
      store: 'sqlite',
      upstream: central.url,
      relayCredential: await relayCredential(central),
      relayIntervalMs: 100,
    });
    await authHeader(central, 'hz-truck');
    await relay.relay!.refreshCredentials();
  });
  afterAll(async () => {
    await relay.close();
    await central.close();
  });

  it('reaches central with the device report, recorded only once central holds the ops', async () => {
    const old = Date.now() - 3_600_000;
    const sent = { hlc: encodeHlc(old, 5, 'hz-truck'), seq: 2 };
    // Central is told of the position before the ops it covers: it does not record it.
    expect(
      await recordPosition(central.store, ORG, 'hz-truck', sent),
      'central holds none of its ops yet',
    ).toBe(false);
    const ops = [
      rename('hz-truck', 1, encodeHlc(old, 0, 'hz-truck')),
      rename('hz-truck', 2, encodeHlc(old, 1, 'hz-truck')),
    ];
    expect((await sync(relay, central, 'hz-truck', ops, sent)).status).toBe(200);
    const accounts = new Accounts(central.store);
    await vi.waitFor(
      async () => {
        const r = await currentHorizon(central.store, accounts, ORG, Date.now());
        if (r.horizon?.hlc !== sent.hlc) throw new Error(`horizon ${JSON.stringify(r)}`);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(await central.store.contiguous(ORG, 'hz-truck')).toBe(2);
  });

  it('has central set apart, silently, an op forwarded below the horizon; the next ones go on', async () => {
    const late = rename('hz-truck', 3, encodeHlc(Date.now() - 7_200_000, 0, 'hz-truck'), 'late');
    const next = rename('hz-truck', 4, encodeHlc(Date.now(), 0, 'hz-truck'), 'next');
    expect((await sync(relay, central, 'hz-truck', [late, next])).status).toBe(200);
    await vi.waitFor(
      async () => {
        if ((await central.store.contiguous(ORG, 'hz-truck')) < 4) throw new Error('not yet');
      },
      { timeout: 15_000, interval: 100 },
    );
    const [q] = await central.store.quarantined(ORG);
    expect(q).toMatchObject({ dev: 'hz-truck', seq: 3, code: 'forbidden_op' });
    expect(q!.reason).toMatch(/horloge antérieure/);
    expect(await central.store.rowsByIds(ORG, 'room', ['late'])).toEqual([]);
    expect(await central.store.rowsByIds(ORG, 'room', ['next'])).toHaveLength(1);
  });
});
