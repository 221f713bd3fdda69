// Digests at a common horizon (docs/decisions/0027-pruning.md, « Digests across horizons »): a
// device that pruned its row states at H names H; central, which never prunes, proves the day
// (digest and row hashes), answers `GET /api/digest` and the pull's digest, judges a day report
// and checks a pushed receipt in the comparable form at H. Without a horizon every answer is
// byte-identical to before. Over real HTTP, SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayProof, rowHash, type ServerProof } from '../../src/domain/closure';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { digestRows } from '../../src/sync/digest';
import { createClock, encodeHlc, tick } from '../../src/sync/hlc';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { comparableRow, digestAt, pruneRow } from '../../src/sync/prune';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = new Date().toISOString().slice(0, 10);
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const stopId = demo.todayStopId;
const staffId = demo.data.staff[0]!.id;
const base = rowsToOps(org, 'tablette-accueil', demo.data);
type Auth = { authorization: string };

/** The stop's address rewritten three times, each naming the one before: a register whose
 * superseded clocks (`dom`) pruning drops. */
const last = base
  .map((op) => op.hlc)
  .sort()
  .at(-1)!;
const lastMs = Number.parseInt(last.slice(0, 9), 36);
const stamps = [1, 2, 3].map((i) => encodeHlc(lastMs + i * 1000, 0, 'tablette-accueil'));
const firstHead = base.find((op) => op.e === 'stop' && op.id === stopId && op.f === 'address');
const edits: Op[] = stamps.map((hlc, i) => ({
  v: SCHEMA_VERSION,
  org,
  dev: 'tablette-accueil',
  seq: base.length + 1 + i,
  hlc,
  e: 'stop',
  id: stopId,
  f: 'address',
  k: 'set',
  val: `Place de la mairie, ${i + 1}`,
  base: i === 0 ? (firstHead ? [firstHead.hlc] : []) : [stamps[i - 1]!],
}));
const ops = [...base, ...edits];
/** The horizon the device pruned at: after the second rewrite. */
const HZ = stamps[1]!;

function statesOf(list: readonly Op[]): RowState[] {
  const map = new Map<string, RowState>();
  for (const op of list)
    map.set(`${op.e}/${op.id}`, applyOp(map.get(`${op.e}/${op.id}`), op, entitySpec));
  return [...map.values()];
}
const states = statesOf(ops);
/** What a device that applied the same ops and pruned at HZ holds. */
const pruned = states.map((st) => pruneRow(st, HZ));

async function post(url: string, path: string, body: unknown, auth: Auth) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
}

function sync(url: string, auth: Auth, deviceId: string, list: Op[], extra: object = {}) {
  return post(
    url,
    '/api/sync',
    {
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org,
      deviceId,
      since: 0,
      ops: list,
      maxBytes: 1024,
      ...extra,
    },
    auth,
  );
}

function receiptOp(seq: number, proof: { digest: string; rows: ServerProof['rows'] }, hz?: string) {
  const t = tick(createClock('coordination'), Date.now());
  return {
    v: SCHEMA_VERSION,
    org,
    dev: 'coordination',
    seq,
    hlc: t.hlc,
    e: 'syncReceipt',
    id: `recu-hz-${seq}`,
    f: '*',
    k: 'ins',
    val: {
      orgId: org,
      stopId,
      at: new Date().toISOString(),
      staffId,
      digest: proof.digest,
      via: 'central',
      devices: [],
      rows: proof.rows,
      ...(hz ? { hz } : {}),
    },
  } satisfies Op;
}

describe.each(['sqlite', 'postgres'] as const)(
  'central compares at a device’s horizon (%s)',
  (kind) => {
    let central: TestServer;
    let relay: Auth;
    let coordination: Auth;
    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      relay = await authHeader(central, 'tablette-accueil', { org, profile: 'relay' });
      coordination = await authHeader(central, 'coordination', { org });
      for (let i = 0; i < ops.length; i += 2000) {
        expect(
          (await sync(central.url, relay, 'tablette-accueil', ops.slice(i, i + 2000))).status,
        ).toBe(200);
      }
    });
    afterAll(() => central.close());

    it('proves the day in the comparable form at the horizon the device names', async () => {
      // The pruned row differs from central's: compared as they are, the day would not match.
      const stop = states.find((st) => st.e === 'stop' && st.id === stopId)!;
      expect(pruneRow(stop, HZ)).not.toEqual(stop);
      const plain = dayProof(states, stopId, entitySpec);
      const device = dayProof(pruned, stopId, entitySpec, HZ);
      expect(device.digest).not.toBe(plain.digest);

      const at = (await (
        await post(central.url, '/api/receipt', { org, stopId, hz: HZ }, coordination)
      ).json()) as ServerProof;
      expect(at.hz).toBe(HZ);
      expect(at.digest).toBe(device.digest);
      expect(at.rows).toEqual(device.rows);
      expect(at.rows.find((r) => r.e === 'stop')?.h).toBe(rowHash(comparableRow(stop, HZ)));
      // Without a horizon: the proof of before, unchanged.
      const none = (await (
        await post(central.url, '/api/receipt', { org, stopId }, coordination)
      ).json()) as ServerProof;
      expect(none.hz).toBeUndefined();
      expect(none.digest).toBe(plain.digest);
      expect(none.rows).toEqual(plain.rows);
    });

    it('gives the digest at the horizon: GET /api/digest?hz= and the pull’s', async () => {
      // Central writes the partners' tasks of the day's notes in the background: compared once
      // its log stands still.
      for (let last = -1; ; ) {
        const seq = await central.store.lastSeq(org);
        if (seq === last) break;
        last = seq;
        await new Promise((r) => setTimeout(r, 300));
      }
      const held = await central.store.rowStates(org);
      const get = async (q: string) =>
        (await (
          await fetch(`${central.url}/api/digest${q}`, { headers: coordination })
        ).json()) as {
          digest: string;
        };
      // A replica that pruned central's states at HZ: the same digest at HZ.
      expect((await get(`?hz=${encodeURIComponent(HZ)}`)).digest).toBe(
        digestAt(
          held.map((st) => pruneRow(st, HZ)),
          HZ,
        ),
      );
      expect(digestAt(held, HZ)).not.toBe(digestRows(held));
      expect((await get('')).digest).toBe(digestRows(held));
      const bad = await fetch(`${central.url}/api/digest?hz=pas-une-horloge`, {
        headers: coordination,
      });
      expect(bad.status).toBe(400);
      const res = await sync(central.url, coordination, 'coordination', [], {
        digest: true,
        since: await central.store.lastSeq(org),
        hz: HZ,
      });
      expect(((await res.json()) as { digest: string }).digest).toBe(digestAt(held, HZ));
    });

    it('takes a day report at its horizon for the closure’s coverage', async () => {
      const begun = await post(central.url, '/api/closure/begin', { org, stopId }, coordination);
      const { startedAt } = ((await begun.json()) as { closure: { startedAt: number } }).closure;
      const status = (day: object) => ({
        status: {
          pending: 0,
          appVersion: '0.1.0',
          profile: 'coordination',
          lastError: null,
          day: { stopId, startedAt, ...day },
        },
      });
      const stateOf = async () =>
        (
          (await (
            await post(central.url, '/api/receipt', { org, stopId }, coordination)
          ).json()) as ServerProof
        ).coverage.devices.find((d) => d.deviceId === 'coordination')?.state;
      const digest = dayProof(pruned, stopId, entitySpec, HZ).digest;
      // The pruned device's digest without naming its horizon: not the day central holds.
      await sync(central.url, coordination, 'coordination', [], status({ digest }));
      expect(await stateOf()).toBe('digest_differs');
      await sync(central.url, coordination, 'coordination', [], status({ digest, hz: HZ }));
      expect(await stateOf()).toBe('reported');
    });

    it('stores a receipt taken at a horizon, and refuses it without the horizon it names', async () => {
      const proof = dayProof(pruned, stopId, entitySpec, HZ);
      const refused = await sync(central.url, coordination, 'coordination', [receiptOp(1, proof)], {
        status: { pending: 1, appVersion: '0.1.0', profile: 'coordination', lastError: null },
      });
      expect(refused.status).toBe(409);
      const good = await sync(
        central.url,
        coordination,
        'coordination',
        [receiptOp(1, proof, HZ)],
        {
          status: { pending: 1, appVersion: '0.1.0', profile: 'coordination', lastError: null },
        },
      );
      expect(good.status).toBe(200);
      expect((await central.store.rows(org, 'syncReceipt')).map((r) => [r.digest, r.hz])).toEqual([
        [proof.digest, HZ],
      ]);
    });
  },
);
