// Orientations on the server (issue 17 item 2), over real HTTP with SQLite: a room proposes one,
// the coordination receives it and follows it to « MT déclaré » with the patient's médecin
// traitant status in the same batch; reception and the waiting-room screen neither write nor
// receive orientations; the server refuses a state whose rank lies, an abandon without a reason,
// and a step in another person's name — a refused batch stores nothing.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, type HlcClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-12-04';
const AT = `${TODAY}T09:00:00.000Z`;
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const coordinator = demo.data.staff.find((s) => s.roles.includes('coordinateur'))!;
const intern = demo.data.staff.find((s) => s.profession === 'interne')!;
const [box1] = demo.data.room;
const patient = demo.data.patient.find((p) => p.mtStatus === 'none')!;

let server: TestServer;

async function sync(device: Enrolled, ops: Op[], since = 0) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...device.headers },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: device.org,
      deviceId: device.deviceId,
      since,
      ops,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pullAll(device: Enrolled): Promise<Op[]> {
  const ops: Op[] = [];
  let since = 0;
  for (;;) {
    const page = (await sync(device, [], since)).body as unknown as SyncResponse;
    ops.push(...page.ops.map((x) => x.op));
    since = page.lastSeq;
    if (!page.hasMore) return ops;
  }
}

const clocks = new Map<string, { clock: HlcClock; seq: number }>();
/** Ops of `device` as `user`: set (or add, for a set field) each field of a row. */
function ops(
  device: Enrolled,
  user: string,
  e: string,
  id: string,
  fields: Record<string, unknown>,
  adds: Record<string, unknown> = {},
): Op[] {
  const own = clocks.get(device.deviceId) ?? { clock: createClock(device.deviceId), seq: 0 };
  clocks.set(device.deviceId, own);
  const one = (f: string, k: 'set' | 'add', val: unknown): Op => {
    const t = tick(own.clock, Date.now());
    own.clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org,
      dev: device.deviceId,
      seq: ++own.seq,
      hlc: t.hlc,
      user,
      e,
      id,
      f,
      k,
      val,
      ...(k === 'set' ? { base: [] } : {}),
    };
  };
  return [
    ...Object.entries(fields).map(([f, v]) => one(f, 'set', v)),
    ...Object.entries(adds).map(([f, v]) => one(f, 'add', v)),
  ];
}

const state = (status: string, rank: number, by: string, reason: string | null = null) => ({
  status,
  epoch: 0,
  rank,
  at: AT,
  by,
  reason,
});
const step = (s: string, by: string, reason: string | null = null) => ({
  state: s,
  at: AT,
  by,
  reason,
});

function proposal(room: Enrolled, user: string, id = uuidv7()) {
  return {
    id,
    ops: ops(
      room,
      user,
      'orientation',
      id,
      {
        orgId: org,
        patientId: patient.id,
        consultationId: null,
        createdAt: AT,
        createdBy: user,
        purpose: 'medecin_traitant',
        target: 'doctor',
        targetName: 'Dr Lefèvre (Mamers)',
        note: null,
        state: state('proposed', 0, user),
      },
      { steps: step('proposed', user) },
    ),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  await server.store.push(org, rowsToOps(org, 'seed', demo.data));
});
afterAll(() => server.close());

describe('orientations on the server', () => {
  it('a room proposes, the coordination follows it to « MT déclaré » with the patient’s MT status', async () => {
    const room = await enrol(server, 'box-1-orient', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, intern.id);
    const { id, ops: proposed } = proposal(room, intern.id);
    expect((await sync(room, proposed)).status).toBe(200);

    const coordination = await enrol(server, 'coord-orient', { org, profile: 'coordination' });
    await signIn(server, coordination, coordinator.id);
    const pulled = await pullAll(coordination);
    expect(pulled.some((op) => op.e === 'orientation' && op.id === id)).toBe(true);

    const followed = [
      ...ops(
        coordination,
        coordinator.id,
        'orientation',
        id,
        {
          state: state('mt_declared', 4, coordinator.id),
        },
        { steps: step('mt_declared', coordinator.id) },
      ),
      ...ops(coordination, coordinator.id, 'patient', patient.id, {
        mtStatus: 'declared',
        mtName: 'Dr Lefèvre (Mamers)',
        mtStatusAt: AT,
        mtSource: 'orientation',
      }),
    ];
    expect((await sync(coordination, followed)).status).toBe(200);
    // The room that proposed it sees it followed; the patient's MT status reaches the devices
    // holding the registry (reception), not a room for which the patient is not of a day in
    // progress or to come (docs/decisions/0025-replication-scope.md: the demo day is past).
    const after = await pullAll(room);
    expect(
      after.some(
        (op) =>
          op.e === 'orientation' &&
          op.id === id &&
          op.f === 'state' &&
          (op.val as { status?: string } | null)?.status === 'mt_declared',
      ),
    ).toBe(true);
    const reception = await enrol(server, 'reception-orient', { org, profile: 'reception' });
    const registry = await pullAll(reception);
    expect(
      registry.some((op) => op.e === 'patient' && op.f === 'mtSource' && op.val === 'orientation'),
    ).toBe(true);
  });

  it('reception and the waiting-room screen neither write nor receive orientations', async () => {
    const reception = await enrol(server, 'tab-orient', { org, profile: 'reception' });
    await signIn(server, reception, coordinator.id);
    const refused = await sync(reception, proposal(reception, coordinator.id).ops);
    expect(refused.status).toBe(403);
    expect((await pullAll(reception)).some((op) => op.e === 'orientation')).toBe(false);
    const display = await enrol(server, 'display-orient', { org, profile: 'display' });
    expect((await pullAll(display)).some((op) => op.e === 'orientation')).toBe(false);
  });

  it('refuses a state whose rank lies and an abandon without its reason; stores nothing', async () => {
    const coordination = await enrol(server, 'coord-orient-bad', { org, profile: 'coordination' });
    await signIn(server, coordination, coordinator.id);
    const { id, ops: proposed } = proposal(coordination, coordinator.id);
    expect((await sync(coordination, proposed)).status).toBe(200);
    const before = await server.store.lastSeq(org);
    for (const bad of [
      state('mt_declared', 0, coordinator.id),
      state('abandoned', 3, coordinator.id),
    ]) {
      const res = await sync(
        coordination,
        ops(coordination, coordinator.id, 'orientation', id, { state: bad }),
      );
      expect(res.status).toBe(400);
      expect(String(res.body.message)).toMatch(/orientation/);
    }
    expect(await server.store.lastSeq(org)).toBe(before);
  });

  it('a step is taken in the signed-in person’s name only', async () => {
    const room = await enrol(server, 'box-1-orient-forged', {
      org,
      profile: 'room',
      roomId: box1!.id,
    });
    await signIn(server, room, intern.id);
    const before = await server.store.lastSeq(org);
    const forged = proposal(room, intern.id).ops.map((op) =>
      op.f === 'createdBy' ? { ...op, val: coordinator.id } : op,
    );
    const refused = await sync(room, forged);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toMatch(/au nom de la personne identifiée/);
    expect(await server.store.lastSeq(org)).toBe(before);
  });
});
