// The clinical summary on the server (issue #15 items 2 and 4), over real HTTP with SQLite: rooms
// and the coordination write and receive it; reception and the waiting-room screen can neither
// write a summary row nor receive one, while the free-text allergies of the patient (identity
// data reception typed) still reach them as before; a row is recorded in the signed-in person's
// name only; a refused batch stores nothing.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_ENTITIES } from '../../src/domain/access';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-12-04';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const coordinator = demo.data.staff.find((s) => s.profession === 'medecin')!;
const intern = demo.data.staff.find((s) => s.profession === 'interne')!;
const [box1] = demo.data.room;
const patientId = demo.data.allergy[0]!.patientId;

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

const sequences = new Map<string, number>();

/** The field ops of a new allergy row, written by `device` as `user`. */
function allergyOps(device: Enrolled, user: string, recordedBy = user, substance = 'Pénicilline') {
  let clock = createClock(device.deviceId);
  let seq = sequences.get(device.deviceId) ?? 0;
  const id = uuidv7();
  const fields = {
    orgId: org,
    patientId,
    recordedAt: `${TODAY}T09:00:00.000Z`,
    recordedBy,
    consultationId: null,
    kind: 'allergy',
    substance,
    category: 'medication',
    reaction: 'anaphylaxis',
    severity: 'severe',
    note: null,
  };
  return {
    id,
    ops: Object.entries(fields).map(([f, val]): Op => {
      const t = tick(clock, Date.now());
      clock = t.clock;
      sequences.set(device.deviceId, ++seq);
      return {
        v: SCHEMA_VERSION,
        org,
        dev: device.deviceId,
        seq,
        hlc: t.hlc,
        user,
        e: 'allergy',
        id,
        f,
        k: 'set',
        val,
        base: [],
      };
    }),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  await server.store.push(org, rowsToOps(org, 'seed', demo.data));
});
afterAll(() => server.close());

describe('the clinical summary on the server', () => {
  it('a room writes a summary row, and the coordination and the other rooms receive it', async () => {
    const room = await enrol(server, 'box-1-summary', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, intern.id);
    const { id, ops } = allergyOps(room, intern.id);
    const pushed = await sync(room, ops);
    expect(pushed.status).toBe(200);
    const coordination = await enrol(server, 'coord-summary', { org, profile: 'coordination' });
    const other = await enrol(server, 'box-2-summary', {
      org,
      profile: 'room',
      roomId: demo.data.room[1]!.id,
    });
    for (const reader of [coordination, other]) {
      const pulled = await pullAll(reader);
      expect(pulled.filter((op) => op.e === 'allergy' && op.id === id).map((op) => op.f)).toEqual(
        ops.map((op) => op.f),
      );
      // The demo's summary of returning patients too.
      for (const entity of SUMMARY_ENTITIES) {
        expect(pulled.some((op) => op.e === entity)).toBe(true);
      }
    }
  });

  it('reception can neither write nor read a summary row; the patient’s free-text allergies still reach it', async () => {
    const reception = await enrol(server, 'tab-summary', { org, profile: 'reception' });
    await signIn(server, reception, coordinator.id);
    const before = await server.store.lastSeq(org);
    const { ops } = allergyOps(reception, coordinator.id);
    const refused = await sync(reception, ops);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('forbidden_op');
    expect(String(refused.body.message)).toMatch(
      /ne peut pas enregistrer cette donnée \(allergy\)/,
    );
    expect(await server.store.lastSeq(org)).toBe(before);
    // A resolve of an existing problem, one field: refused too.
    const problem = demo.data.problem[0]!;
    const t = tick(createClock(reception.deviceId), Date.now());
    const resolve: Op = {
      v: SCHEMA_VERSION,
      org,
      dev: reception.deviceId,
      seq: 100,
      hlc: t.hlc,
      user: coordinator.id,
      e: 'problem',
      id: problem.id,
      f: 'status',
      k: 'set',
      val: 'resolved',
      base: [],
    };
    expect((await sync(reception, [resolve])).status).toBe(403);

    const pulled = await pullAll(reception);
    expect(pulled.length).toBeGreaterThan(0);
    expect(pulled.filter((op) => (SUMMARY_ENTITIES as readonly string[]).includes(op.e))).toEqual(
      [],
    );
    expect(pulled.some((op) => op.e === 'patient' && op.f === 'allergies')).toBe(true);
  });

  it('the waiting-room screen never receives the summary', async () => {
    const display = await enrol(server, 'display-summary', { org, profile: 'display' });
    const pulled = await pullAll(display);
    expect(pulled.length).toBeGreaterThan(0);
    expect(pulled.some((op) => (SUMMARY_ENTITIES as readonly string[]).includes(op.e))).toBe(false);
    const { ops } = allergyOps(display, coordinator.id);
    expect((await sync(display, ops)).status).toBe(403);
  });

  it('a summary row is recorded in the signed-in person’s name only; the batch is refused whole', async () => {
    const room = await enrol(server, 'box-1-forged', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, intern.id);
    const before = await server.store.lastSeq(org);
    const { ops } = allergyOps(room, intern.id, coordinator.id);
    const refused = await sync(room, ops);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toMatch(/au nom de la personne identifiée/);
    expect(await server.store.lastSeq(org)).toBe(before);
  });

  it('a summary op must name the person at work', async () => {
    const room = await enrol(server, 'box-1-anon', { org, profile: 'room', roomId: box1!.id });
    const { ops } = allergyOps(room, intern.id);
    const anonymous = ops.map(({ user: _user, ...op }) => op as Op);
    const refused = await sync(room, anonymous);
    expect(refused.status).toBe(403);
  });

  it('a room cannot move a recorded summary row to another patient; the coordination can', async () => {
    const room = await enrol(server, 'box-1-move', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, intern.id);
    const row = demo.data.allergy[0]!;
    const other = demo.data.patient.find((p) => p.id !== row.patientId)!;
    const move = (device: Enrolled, user: string, seq: number): Op => ({
      v: SCHEMA_VERSION,
      org,
      dev: device.deviceId,
      seq,
      hlc: tick(createClock(device.deviceId), Date.now()).hlc,
      user,
      e: 'allergy',
      id: row.id,
      f: 'patientId',
      k: 'set',
      val: other.id,
      base: [],
    });
    const before = await server.store.lastSeq(org);
    const refused = await sync(room, [move(room, intern.id, 1)]);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toMatch(/patientId .+ fixé à sa création/);
    expect(await server.store.lastSeq(org)).toBe(before);
    const coordination = await enrol(server, 'coord-move', { org, profile: 'coordination' });
    await signIn(server, coordination, coordinator.id);
    expect((await sync(coordination, [move(coordination, coordinator.id, 1)])).status).toBe(200);
  });

  it('bad input is a clear 400 in French, nothing stored', async () => {
    const room = await enrol(server, 'box-1-bad', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, intern.id);
    const before = await server.store.lastSeq(org);
    const { ops } = allergyOps(room, intern.id);
    const bad = ops.map((op) => (op.f === 'severity' ? { ...op, val: 'terrible' } : op));
    const res = await sync(room, bad);
    expect(res.status).toBe(400);
    expect(typeof res.body.message).toBe('string');
    expect(await server.store.lastSeq(org)).toBe(before);
  });
});
