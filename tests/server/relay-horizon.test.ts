// The truck's relay and central's horizon (docs/decisions/0027-pruning.md, « Through a relay »):
// the relay adopts the horizon central announces once its checkpoint from central reaches the
// horizon's `seq` (its log then holds every op ≤ it), announces it to its devices with its own
// log's head at that moment, never moves it back, and drops it when central starts a new epoch
// (restored from a backup). Over a real central and a real relay on loopback, SQLite and
// PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { adoptUpstreamHorizon, currentHorizon, relayHorizon } from '../../src/server/horizon';
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SentPosition } from '../../src/sync/protocol';
import type { Horizon } from '../../src/sync/prune';
import { authHeader, relayCredential } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG } from './ops-factory';

/** An hour ago: central's own position (its clock a minute behind) is past every edit below. */
const OLD = Date.now() - 3_600_000;
const at = (s: number, dev: string) => encodeHlc(OLD + s * 1000, 0, dev);

/** An op of `dev` renaming a room of its own at clock `hlc`. */
function rename(dev: string, seq: number, hlc: string): Op {
  return {
    v: SCHEMA_VERSION,
    org: ORG,
    dev,
    seq,
    hlc,
    e: 'room',
    id: `room-${dev}-${seq}`,
    f: 'name',
    k: 'set',
    val: `Salle ${seq}`,
    base: [],
  };
}

/** A sync request of `dev` (enrolled at central) to `server`: its ops, its position, a pull. */
async function sync(
  server: TestServer,
  central: TestServer,
  dev: string,
  ops: Op[],
  sent?: SentPosition,
): Promise<{ status: number; horizon?: Horizon; lastSeq: number }> {
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
  const body = (await res.json()) as { horizon?: Horizon; lastSeq: number };
  return { status: res.status, horizon: body.horizon, lastSeq: body.lastSeq };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the relay adopts central's horizon and announces it (${kind})`, () => {
    let central: TestServer;
    let relay: TestServer;
    /** The relay's link to central: cut once `allowed` more sync requests went through. */
    const link = { allowed: Number.POSITIVE_INFINITY };
    const linkFetch: typeof fetch = (input, init) => {
      if (link.allowed <= 0) return Promise.reject(new TypeError('fetch failed (link cut)'));
      if (String(input).includes('/api/sync')) link.allowed -= 1;
      return fetch(input, init);
    };
    const pulled = async () => Number(await relay.store.getMeta(`upstream:pulled:${ORG}`));
    const centralHorizon = async () =>
      (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon;
    /** A pass of the relay now (a pass under way runs first), its backoff ignored. */
    const pass = () => relay.relay!.syncNow(true);

    beforeAll(async () => {
      // Pages of about one op: a pull of several ops takes several requests.
      central = await startTestServer({ store: kind, pullBytes: 300 });
      relay = await startTestServer({
        store: kind,
        upstream: central.url,
        relayCredential: await relayCredential(central),
        relayIntervalMs: 3_600_000,
        relayHoldMs: 0,
        relayFetch: linkFetch,
      });
      // rh-a syncs with central, rh-t with the relay only: both enrolled at central.
      await authHeader(central, 'rh-a');
      await authHeader(central, 'rh-t');
      await relay.relay!.refreshCredentials();
    });
    afterAll(async () => {
      await relay.close();
      await central.close();
    });

    it('announces none until its checkpoint from central reaches the seq of central’s horizon, then central’s clock with its own log’s head', async () => {
      // The truck's tablet pushes through the relay, which passes its ops and position on.
      expect((await sync(relay, central, 'rh-t', [rename('rh-t', 1, at(1, 'rh-t'))])).status).toBe(
        200,
      );
      const t = await sync(relay, central, 'rh-t', [], { hlc: at(20, 'rh-t'), seq: 1 });
      expect(t.status).toBe(200);
      await pass();
      expect(await centralHorizon(), 'rh-a has sent no position yet').toBeNull();
      expect(await pulled()).toBe(await central.store.lastSeq(ORG));
      // rh-a, at central, writes six ops: central's horizon is first reached with them, its seq
      // past what the relay pulled.
      const ops = [1, 2, 3, 4, 5, 6].map((i) => rename('rh-a', i, at(i, 'rh-a')));
      const a = await sync(central, central, 'rh-a', ops, { hlc: at(10, 'rh-a'), seq: 6 });
      expect(a.status).toBe(200);
      const h = (await centralHorizon())!;
      expect(h.hlc).toBe(at(10, 'rh-a'));
      expect(a.horizon).toEqual(h);
      expect(h.seq).toBe(await central.store.lastSeq(ORG));
      expect(await pulled()).toBeLessThan(h.seq);
      // The link drops after one page: the relay pulled part of central's log, not up to seq.
      link.allowed = 1;
      await pass();
      expect(await pulled()).toBeGreaterThan(h.seq - 6);
      expect(await pulled()).toBeLessThan(h.seq);
      expect((await sync(relay, central, 'rh-t', [])).horizon).toBeUndefined();
      // Meanwhile the tablet writes again: the relay's log grows past central's.
      const t2 = rename('rh-t', 2, at(30, 'rh-t'));
      expect(
        (await sync(relay, central, 'rh-t', [t2], { hlc: at(30, 'rh-t'), seq: 2 })).status,
      ).toBe(200);
      // The link back: the relay pulls on, past seq, and adopts it with its own log's head once
      // it stored central's ops up to seq (the last page, t2 come back, stores nothing more).
      link.allowed = Number.POSITIVE_INFINITY;
      await pass();
      expect(await pulled()).toBeGreaterThan(h.seq);
      const head = await relay.store.lastSeq(ORG);
      const announced = (await sync(relay, central, 'rh-t', [])).horizon;
      expect(announced).toEqual({ hlc: h.hlc, seq: head });
      // Central's seq counts its own log: not the relay's.
      expect((await centralHorizon())!.seq).not.toBe(head);
    });

    it('keeps the seq it adopted with while its log grows, and never moves back', async () => {
      const before = (await relayHorizon(relay.store, ORG))!;
      expect(before).not.toBeNull();
      const t3 = rename('rh-t', 3, at(40, 'rh-t'));
      expect(
        (await sync(relay, central, 'rh-t', [t3], { hlc: at(40, 'rh-t'), seq: 3 })).status,
      ).toBe(200);
      await pass();
      expect(await relay.store.lastSeq(ORG)).toBeGreaterThan(before.seq);
      expect((await sync(relay, central, 'rh-t', [])).horizon).toEqual(before);
      // A lower horizon of the same epoch, whose seq the checkpoint reached: not taken.
      const epoch = (await relay.store.getMeta(`upstream:epoch:${ORG}`))!;
      const lower = { hlc: at(5, 'rh-a'), seq: 1 };
      expect(await adoptUpstreamHorizon(relay.store, ORG, [lower], await pulled(), epoch)).toEqual(
        before,
      );
      expect((await sync(relay, central, 'rh-t', [])).horizon).toEqual(before);
      // rh-a moves on: central's horizon moves, and the relay's with it at its next pass.
      const a7 = rename('rh-a', 7, at(50, 'rh-a'));
      expect(
        (await sync(central, central, 'rh-a', [a7], { hlc: at(50, 'rh-a'), seq: 7 })).status,
      ).toBe(200);
      const moved = (await centralHorizon())!;
      expect(moved.hlc).toBe(at(40, 'rh-t'));
      await pass();
      const next = (await sync(relay, central, 'rh-t', [])).horizon!;
      expect(next.hlc).toBe(moved.hlc);
      expect(next.seq).toBe(await relay.store.lastSeq(ORG));
    });

    it('drops it when central starts a new epoch, and adopts central’s again once reached', async () => {
      expect((await sync(relay, central, 'rh-t', [])).horizon).toBeDefined();
      // Central restored from a backup: a new epoch, its positions and horizon forgotten.
      await central.store.newEpoch();
      expect(await centralHorizon()).toBeNull();
      await pass();
      expect(await relayHorizon(relay.store, ORG)).toBeNull();
      expect((await sync(relay, central, 'rh-t', [])).horizon).toBeUndefined();
      // Every writer sends its position again: central proves a horizon, the relay takes it.
      expect(
        (await sync(central, central, 'rh-a', [], { hlc: at(50, 'rh-a'), seq: 7 })).status,
      ).toBe(200);
      expect((await sync(relay, central, 'rh-t', [], { hlc: at(40, 'rh-t'), seq: 3 })).status).toBe(
        200,
      );
      await pass(); // the report goes on to central
      const h = (await centralHorizon())!;
      expect(h.hlc).toBe(at(40, 'rh-t'));
      await pass(); // and the relay pulls central's answer with it
      expect((await sync(relay, central, 'rh-t', [])).horizon).toEqual({
        hlc: h.hlc,
        seq: await relay.store.lastSeq(ORG),
      });
    });
  });
}
