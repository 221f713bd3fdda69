// The closure covers every device of the truck, over real HTTP (docs/decisions/0007): a device
// that stays offline blocks the receipt, an excused one lets it through and is named, a device
// reporting only through the relay counts, and a receipt contradicting the server is refused.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Viewer, visibleStates } from '../../src/domain/access';
import { type ClosureRecord, dayProof, type ServerProof } from '../../src/domain/closure';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';

/** Today: a device enrolled after the day ended is not asked to report it. */
const TODAY = new Date().toISOString().slice(0, 10);
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const ops = rowsToOps(org, 'tablette-accueil', demo.data);
const stopId = demo.todayStopId;
const room = demo.data.room[0]!;
const staffId = demo.data.staff[0]!.id;

type Auth = { authorization: string };

function statesOf(list: readonly Op[]): RowState[] {
  const map = new Map<string, RowState>();
  for (const op of list)
    map.set(`${op.e}/${op.id}`, applyOp(map.get(`${op.e}/${op.id}`), op, entitySpec));
  return [...map.values()];
}
const states = statesOf(ops);
const digestFor = (viewer: Viewer) =>
  dayProof(visibleStates(viewer, states, entitySpec), stopId, entitySpec).digest;

async function post(url: string, path: string, body: unknown, auth: Auth) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
}

/** One sync round trip of `deviceId` with a status report (and its day part, when given). */
async function report(
  url: string,
  auth: Auth,
  deviceId: string,
  profile: 'reception' | 'room' | 'coordination',
  status: { pending: number; day?: { startedAt: number; digest: string } },
  list: Op[] = [],
) {
  const res = await post(
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
      status: {
        pending: status.pending,
        appVersion: '0.1.0',
        profile,
        lastError: null,
        ...(status.day ? { day: { stopId, ...status.day } } : {}),
      },
    },
    auth,
  );
  return res;
}

async function pushDemo(url: string, auth: Auth) {
  for (let i = 0; i < ops.length; i += 2000) {
    const res = await post(
      url,
      '/api/sync',
      {
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org,
        deviceId: 'tablette-accueil',
        since: 0,
        ops: ops.slice(i, i + 2000),
        maxBytes: 1024,
      },
      auth,
    );
    expect(res.status).toBe(200);
  }
}

async function proofOf(url: string, auth: Auth): Promise<ServerProof> {
  const res = await post(url, '/api/receipt', { org, stopId }, auth);
  expect(res.status).toBe(200);
  return (await res.json()) as ServerProof;
}

async function begin(url: string, auth: Auth): Promise<ClosureRecord> {
  const res = await post(url, '/api/closure/begin', { org, stopId }, auth);
  expect(res.status).toBe(200);
  return ((await res.json()) as { closure: ClosureRecord }).closure;
}

function receiptOp(digest: string, seq: number): Op {
  const t = tick(createClock('coordination'), Date.now());
  return {
    v: SCHEMA_VERSION,
    org,
    dev: 'coordination',
    seq,
    hlc: t.hlc,
    e: 'syncReceipt',
    id: `recu-${seq}`,
    f: '*',
    k: 'ins',
    val: {
      orgId: org,
      stopId,
      at: new Date().toISOString(),
      staffId,
      digest,
      via: 'central',
      devices: [],
      rows: [],
    },
  };
}

const COORDINATION: Viewer = { profile: 'coordination', roomId: null };
const RECEPTION: Viewer = { profile: 'reception', roomId: null };
const BOX: Viewer = { profile: 'room', roomId: room.id };

describe.each(['sqlite', 'postgres'] as const)('the closure on central (%s)', (kind) => {
  let central: TestServer;
  let relayAuth: Auth;
  let coordination: Auth;
  let accueil: Auth;
  let box: Auth;
  let closure: ClosureRecord;
  beforeAll(async () => {
    central = await startTestServer({ store: kind });
    relayAuth = await authHeader(central, 'tablette-accueil', { org, profile: 'relay' });
    coordination = await authHeader(central, 'coordination', { org });
    accueil = await authHeader(central, 'accueil', { org, profile: 'reception' });
    box = await authHeader(central, 'box2', { org, profile: 'room', roomId: room.id });
    await pushDemo(central.url, relayAuth);
    // Box 2 was last heard in the morning, with 123 changes not sent yet.
    expect((await report(central.url, box, 'box2', 'room', { pending: 123 })).status).toBe(200);
  });
  afterAll(() => central.close());

  it('refuses a receipt before the closure began, and a device cannot begin it', async () => {
    const proof = await proofOf(central.url, coordination);
    expect(proof.coverage).toMatchObject({ ok: false, startedAt: null });
    const refused = await post(central.url, '/api/closure/begin', { org, stopId }, accueil);
    expect(refused.status).toBe(403);
  });

  it('announces the closure with every sync once the coordinator began it, at the server’s time', async () => {
    const before = Date.now();
    closure = await begin(central.url, coordination);
    expect(closure.startedAt).toBeGreaterThanOrEqual(before);
    // Beginning again keeps the first start.
    expect((await begin(central.url, coordination)).startedAt).toBe(closure.startedAt);
    const res = await report(central.url, accueil, 'accueil', 'reception', { pending: 0 });
    expect(((await res.json()) as { closing: unknown }).closing).toEqual([
      { stopId, startedAt: closure.startedAt },
    ]);
  });

  it('blocks the receipt while Box 2 stays offline, naming it by name and room', async () => {
    const startedAt = closure.startedAt;
    await report(central.url, accueil, 'accueil', 'reception', {
      pending: 0,
      day: { startedAt, digest: digestFor(RECEPTION) },
    });
    await report(central.url, coordination, 'coordination', 'coordination', {
      pending: 0,
      day: { startedAt, digest: digestFor(COORDINATION) },
    });
    const proof = await proofOf(central.url, coordination);
    expect(proof.coverage.ok).toBe(false);
    const byName = new Map(proof.coverage.devices.map((d) => [d.name, d]));
    expect([...byName.keys()].sort()).toEqual(
      ['Test accueil', `Test box2 (${room.name})`, 'Test coordination'].sort(),
    );
    expect(byName.get(`Test box2 (${room.name})`)).toMatchObject({
      state: 'before_closure',
      pending: 123,
    });
    expect(byName.get('Test accueil')!.state).toBe('reported');
    // The devices whose ops central holds are named, never left as bare ids.
    expect(proof.devices.find((d) => d.dev === 'tablette-accueil')?.name).toBe(
      'Test tablette-accueil',
    );
  });

  it('does not count a report of another digest, or with changes still pending', async () => {
    const startedAt = closure.startedAt;
    await report(central.url, box, 'box2', 'room', {
      pending: 0,
      day: { startedAt, digest: '0'.repeat(64) },
    });
    let box2 = (await proofOf(central.url, coordination)).coverage.devices.find(
      (d) => d.deviceId === 'box2',
    );
    expect(box2?.state).toBe('digest_differs');
    await report(central.url, box, 'box2', 'room', {
      pending: 5,
      day: { startedAt, digest: digestFor(BOX) },
    });
    box2 = (await proofOf(central.url, coordination)).coverage.devices.find(
      (d) => d.deviceId === 'box2',
    );
    expect(box2?.state).toBe('pending');
  });

  it('lets an excused device through, named with its reason', async () => {
    const bad = await post(
      central.url,
      '/api/closure/excuse',
      { org, stopId, deviceId: 'box2', reason: '' },
      coordination,
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/motif/);
    const res = await post(
      central.url,
      '/api/closure/excuse',
      { org, stopId, deviceId: 'box2', reason: 'Batterie vide, reprise demain' },
      coordination,
    );
    expect(res.status).toBe(200);
    const proof = await proofOf(central.url, coordination);
    expect(proof.coverage.ok).toBe(true);
    expect(proof.coverage.devices.find((d) => d.deviceId === 'box2')).toMatchObject({
      state: 'excused',
      name: `Test box2 (${room.name})`,
      excuse: { reason: 'Batterie vide, reprise demain' },
    });
  });

  it('refuses a receipt whose digest is not its own proof of the day, storing nothing', async () => {
    const res = await report(
      central.url,
      coordination,
      'coordination',
      'coordination',
      {
        pending: 1,
      },
      [receiptOp('0'.repeat(64), 1)],
    );
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/empreinte/);
    expect(await central.store.rows(org, 'syncReceipt')).toEqual([]);
    const good = await report(
      central.url,
      coordination,
      'coordination',
      'coordination',
      {
        pending: 1,
      },
      [receiptOp(digestFor(COORDINATION), 1)],
    );
    expect(good.status).toBe(200);
    expect((await central.store.rows(org, 'syncReceipt')).map((r) => r.digest)).toEqual([
      digestFor(COORDINATION),
    ]);
  });
});

describe('a device that reports only through the truck’s relay', () => {
  let central: TestServer;
  let relay: TestServer;
  let link: Link;
  let coordination: Auth;
  let box: Auth;
  beforeAll(async () => {
    central = await startTestServer();
    link = await startLink(central.url);
    relay = await startTestServer({
      upstream: link.url,
      relayCredential: await relayCredential(central, org),
      relayIntervalMs: 100,
    });
    const relayAuth = await authHeader(central, 'tablette-accueil', { org, profile: 'relay' });
    coordination = await authHeader(central, 'coordination', { org });
    box = await authHeader(central, 'box2', { org, profile: 'room', roomId: room.id });
    await pushDemo(central.url, relayAuth);
    await relay.relay!.refreshCredentials();
  });
  afterAll(async () => {
    await relay.close();
    await link.close();
    await central.close();
  });

  it('counts: the relay passes central’s closure to the device and its report to central', async () => {
    // Begun at the relay: central decides the time, the relay keeps central's record.
    const closure = await begin(relay.url, coordination);
    let closing: { stopId: string; startedAt: number }[] | undefined;
    await vi.waitFor(async () => {
      const res = await report(relay.url, box, 'box2', 'room', { pending: 0 });
      expect(res.status).toBe(200);
      closing = ((await res.json()) as { closing?: typeof closing }).closing;
      expect(closing).toEqual([{ stopId, startedAt: closure.startedAt }]);
    });
    link.cut();
    await report(relay.url, box, 'box2', 'room', {
      pending: 0,
      day: { startedAt: closure.startedAt, digest: digestFor(BOX) },
    });
    // Central has not heard it yet: Box 2 only talked to the relay.
    const before = await proofOf(central.url, coordination);
    expect(before.coverage.devices.find((d) => d.deviceId === 'box2')?.state).not.toBe('reported');
    link.restore();
    await vi.waitFor(
      async () => {
        const proof = await proofOf(central.url, coordination);
        expect(proof.coverage.devices.find((d) => d.deviceId === 'box2')?.state).toBe('reported');
      },
      { timeout: 10_000 },
    );
  });
});
