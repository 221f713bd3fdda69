// The partner API (issue #16 item 4; docs/integrations.md) over real HTTP on loopback, against
// SQLite and a real PostgreSQL: a room device pushes a note an intern signed and their supervisor
// validated, central produces its tasks, an enrolled partner fetches them with a lease and
// answers, and the room device pulls the answer as ordinary rows. Bad answers are refused with
// nothing stored; other profiles may not call the API; a partner may not sync.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consultation, entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { taskId } from '../../src/domain/partner-tasks';
import { Accounts } from '../../src/server/auth';
import { PARTNER_ORIGIN } from '../../src/server/partner-tasks';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, type HlcClock, tick } from '../../src/sync/hlc';
import { applyOp, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-12-04';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const intern = demo.data.staff.find((s) => s.profession === 'interne')!;
const supervisor = demo.data.staff.find((s) => s.id === intern.supervisorId)!;
const template = demo.data.consultation.find((c) => c.confidentiality === 'standard')!;
const [box1] = demo.data.room;
const insiPatient = demo.data.patient.find(
  (p) => p.nir && p.identityStatus === 'validee' && !p.identityAttributes?.length,
)!;

class Device {
  seq = 0;
  clock: HlcClock;
  constructor(readonly enrolled: Enrolled) {
    this.clock = createClock(enrolled.deviceId);
  }
  op(user: string, o: Pick<Op, 'e' | 'id' | 'f' | 'k' | 'val'> & { base?: string[] }): Op {
    const t = tick(this.clock, Date.now());
    this.clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org,
      dev: this.enrolled.deviceId,
      seq: ++this.seq,
      hlc: t.hlc,
      user,
      base: [],
      ...o,
    };
  }
}

async function call(
  server: TestServer,
  path: string,
  who: Enrolled | null,
  init: { method?: string; body?: unknown } = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(who ? who.headers : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const sync = (server: TestServer, device: Enrolled, ops: Op[], since = 0) =>
  call(server, '/api/sync', device, {
    body: {
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org,
      deviceId: device.deviceId,
      since,
      ops,
    },
  });

/** The rows of `entity` as the device materialises what it pulls (the merge rules applied). */
async function pullRows(server: TestServer, device: Enrolled, entity: string) {
  const states = new Map<string, RowState>();
  let since = 0;
  for (;;) {
    const page = (await sync(server, device, [], since)).body as unknown as SyncResponse;
    for (const { op } of page.ops) {
      if (op.e !== entity) continue;
      states.set(op.id, applyOp(states.get(op.id), op, entitySpec));
    }
    since = page.lastSeq;
    if (!page.hasMore) break;
  }
  return new Map(
    [...states].map(([id, st]): [string, Record<string, unknown>] => [
      id,
      { id, ...materialise(st, entitySpec) },
    ]),
  );
}

/** A partner component enrolled by the coordination for `services`, as the API does it. */
async function enrolPartner(server: TestServer, deviceId: string, services: string[]) {
  const { code } = await new Accounts(server.store).createCode({
    org,
    profile: 'partner',
    roomId: null,
    name: `Partenaire ${deviceId}`,
    createdBy: null,
    services: services as never,
  });
  const res = await call(server, '/api/enrol', null, { body: { code, deviceId } });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ profile: 'partner', services });
  const token = String(res.body.token);
  return {
    deviceId,
    org,
    token,
    profile: 'partner' as const,
    headers: { authorization: `Bearer ${token}` },
  };
}

/** Counts of what the store holds: an answer refused must leave both unchanged. */
async function held(server: TestServer) {
  return {
    lastSeq: await server.store.lastSeq(org),
    tasks: JSON.stringify(await server.store.rows(org, 'partnerTask')),
    patients: JSON.stringify(await server.store.rows(org, 'patient')),
  };
}

describe.each(['sqlite', 'postgres'] as const)('partner API (%s)', (kind) => {
  let server: TestServer;
  let room: Device;
  let reception: Enrolled;
  let billing: Enrolled;
  let insi: Enrolled;
  const note: Consultation = {
    ...template,
    id: uuidv7(),
    authorId: intern.id,
    supervisorId: supervisor.id,
    roomId: box1!.id,
    status: 'to_validate',
    motif: 'Toux depuis 10 jours',
    assessment: 'Bronchite aiguë',
    plan: 'Antibiotique, revoir si fièvre',
    confidentiality: 'standard',
    createdAt: `${TODAY}T09:30:00.000Z`,
  };
  const treatmentId = uuidv7();
  const demoLeased: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ store: kind });
    await server.store.push(org, rowsToOps(org, 'seed', demo.data));
    const roomCred = await enrol(server, `room-${kind}`, {
      org,
      profile: 'room',
      roomId: box1!.id,
    });
    await signIn(server, roomCred, intern.id, supervisor.id);
    room = new Device(roomCred);
    reception = await enrol(server, `reception-${kind}`, { org, profile: 'reception' });
    billing = await enrolPartner(server, `billing-${kind}`, ['billing', 'eprescription']);
    insi = await enrolPartner(server, `insi-${kind}`, ['insi']);
  }, 60_000);
  afterAll(() => server.close());

  it('a note an intern signed produces nothing until the supervisor validates it', async () => {
    const { id, ...fields } = note;
    const ops = Object.entries(fields).map(([f, val]) =>
      f === 'codes' ? null : room.op(intern.id, { e: 'consultation', id, f, k: 'set', val }),
    );
    const treatment = {
      orgId: org,
      patientId: note.patientId,
      recordedAt: `${TODAY}T09:40:00.000Z`,
      recordedBy: intern.id,
      consultationId: note.id,
      name: 'Amoxicilline 1 g',
      dose: '1 comprimé matin et soir pendant 6 jours',
      startDate: TODAY,
      stopDate: null,
      stopReason: null,
    };
    const treatmentOps = Object.entries(treatment).map(([f, val]) =>
      room.op(intern.id, { e: 'treatment', id: treatmentId, f, k: 'set', val }),
    );
    const pushed = await sync(server, room.enrolled, [
      ...ops.filter((o) => o !== null),
      ...treatmentOps,
    ]);
    expect(pushed.status).toBe(200);
    const res = await call(server, '/api/partner/tasks?service=billing&limit=100', billing);
    expect(res.status).toBe(200);
    const ids = (res.body.tasks as { id: string }[]).map((t) => t.id);
    expect(ids).not.toContain(taskId('billing', note.id, ''));
    // The demo's validated notes are billed too: leased now to this partner.
    expect(ids.length).toBeGreaterThan(0);
    demoLeased.push(...ids);
  });

  it('once validated: billing and e-prescription tasks, fetched with exactly what each needs', async () => {
    const [state] = await server.store.rowStatesByIds(org, 'consultation', [note.id]);
    const status = state!.f.status as { heads: { h: string }[] };
    const validate = room.op(supervisor.id, {
      e: 'consultation',
      id: note.id,
      f: 'status',
      k: 'set',
      val: 'validated',
      base: status.heads.map((h) => h.h),
    });
    expect((await sync(server, room.enrolled, [validate])).status).toBe(200);

    const res = await call(server, '/api/partner/tasks?service=billing&limit=100', billing);
    expect(res.status).toBe(200);
    const task = (res.body.tasks as { id: string; payload: Record<string, unknown> }[]).find(
      (t) => t.id === taskId('billing', note.id, ''),
    );
    expect(task).toBeDefined();
    expect(task!.payload).toMatchObject({
      act: { date: TODAY },
      author: { name: `${intern.firstName} ${intern.lastName}` },
      supervisor: { name: `${supervisor.firstName} ${supervisor.lastName}` },
      patient: { coverage: expect.any(String), ald: expect.any(Boolean) },
    });
    // Minimum necessary: never the note's text.
    const text = JSON.stringify(task!.payload);
    for (const s of ['Toux', 'Bronchite', 'Antibiotique', 'Amoxicilline'])
      expect(text).not.toContain(s);

    const rx = await call(server, '/api/partner/tasks?service=eprescription&limit=100', billing);
    const prescription = (rx.body.tasks as { id: string; payload: Record<string, unknown> }[]).find(
      (t) => t.id === taskId('eprescription', note.id, ''),
    );
    expect(prescription!.payload).toMatchObject({
      lines: [{ name: 'Amoxicilline 1 g', dose: '1 comprimé matin et soir pendant 6 jours' }],
    });
    expect(JSON.stringify(prescription!.payload)).not.toContain('Bronchite');

    // Leased: a second fetch does not hand it out again.
    const again = await call(server, '/api/partner/tasks?service=billing&limit=100', billing);
    expect((again.body.tasks as { id: string }[]).map((t) => t.id)).not.toContain(task!.id);
  });

  it('answers land as ops the room device pulls: « Facturé », the prescription number', async () => {
    const billed = await call(
      server,
      `/api/partner/tasks/${taskId('billing', note.id, '')}/answer`,
      billing,
      {
        body: { outcome: 'done', result: { billed: true, invoiceId: 'FSE-2026-0001' } },
      },
    );
    expect(billed).toMatchObject({ status: 200, body: { state: 'done' } });
    const issued = await call(
      server,
      `/api/partner/tasks/${taskId('eprescription', note.id, '')}/answer`,
      billing,
      { body: { outcome: 'done', result: { prescriptionId: 'RX-8841' } } },
    );
    expect(issued.status).toBe(200);

    const rows = await pullRows(server, room.enrolled, 'partnerTask');
    expect(rows.get(taskId('billing', note.id, ''))).toMatchObject({
      consultationId: note.id,
      state: { name: 'done' },
      outcome: { service: 'billing', billed: true, invoiceId: 'FSE-2026-0001' },
    });
    expect(rows.get(taskId('eprescription', note.id, ''))).toMatchObject({
      outcome: { service: 'eprescription', prescriptionId: 'RX-8841' },
    });
    // Audited by reference only.
    const audit = (await server.store.rows(org, 'audit')).filter(
      (a) => a.entityId === taskId('billing', note.id, ''),
    );
    expect(audit.map((a) => a.action).sort()).toEqual([
      'partnerTask.answered',
      'partnerTask.created',
      'partnerTask.leased',
    ]);
    for (const a of audit) expect(String(a.detail)).not.toMatch(/Bronchite|Toux|FSE/);
  });

  it('a second answer, an answer by another partner, an unknown task, a wrong shape: 4xx, nothing stored', async () => {
    const before = await held(server);
    const id = taskId('billing', note.id, '');
    const twice = await call(server, `/api/partner/tasks/${id}/answer`, billing, {
      body: { outcome: 'done', result: { billed: false, reason: 'Droits fermés' } },
    });
    expect(twice).toMatchObject({ status: 409, body: { error: 'task_not_leased' } });
    expect(String(twice.body.message)).toMatch(/déjà reçu sa réponse/);

    const unknown = await call(server, '/api/partner/tasks/pt.inconnue/answer', billing, {
      body: { outcome: 'done', result: { billed: true, invoiceId: 'X' } },
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'unknown_task' } });
    expect(String(unknown.body.message)).toBe('Tâche inconnue dans cette organisation.');

    // A demo note's billing task, leased by this partner: answers of the wrong shape.
    const other = { id: demoLeased[0]! };
    const leased = before;
    for (const body of [
      { outcome: 'done', result: { prescriptionId: 'RX-1' } },
      { outcome: 'done', result: { billed: true } },
      { outcome: 'done', result: { billed: true, invoiceId: 'F', extra: 'x' } },
      { outcome: 'failed' },
      'facturé',
      null,
    ]) {
      const bad = await call(server, `/api/partner/tasks/${other!.id}/answer`, billing, { body });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_answer');
      expect(String(bad.body.message)).toMatch(/^Réponse invalide pour Facturation/);
    }
    // The INSi partner may not answer a billing task.
    const foreign = await call(server, `/api/partner/tasks/${other!.id}/answer`, insi, {
      body: { outcome: 'done', result: { billed: true, invoiceId: 'F' } },
    });
    expect(foreign.status).toBe(403);
    expect(await held(server)).toEqual(leased);

    // A failure is kept, and the task comes back later (backoff), not now.
    const failed = await call(server, `/api/partner/tasks/${other!.id}/answer`, billing, {
      body: { outcome: 'failed', reason: 'Téléservice de facturation injoignable' },
    });
    expect(failed).toMatchObject({ status: 200, body: { state: 'waiting' } });
  });

  it('an INSi answer goes through the identity rules: « qualifiée » with its INS, seen by reception', async () => {
    const id = taskId('insi', insiPatient.id, insiPatient.nir!);
    const res = await call(server, '/api/partner/tasks?service=insi&limit=100', insi);
    expect(res.status).toBe(200);
    const task = (res.body.tasks as { id: string; payload: Record<string, unknown> }[]).find(
      (t) => t.id === id,
    );
    expect(task!.payload).toEqual({
      nir: insiPatient.nir,
      birthName: insiPatient.birthName,
      firstNames: insiPatient.firstNames,
      sex: insiPatient.sex,
      birthDate: insiPatient.birthDate,
      birthPlaceCode: insiPatient.birthPlaceCode,
    });
    const answer = await call(server, `/api/partner/tasks/${id}/answer`, insi, {
      body: {
        outcome: 'done',
        result: {
          found: true,
          matricule: insiPatient.nir,
          oid: '1.2.250.1.213.1.4.8',
          traits: {
            birthName: insiPatient.birthName,
            firstNames: insiPatient.firstNames,
            sex: insiPatient.sex,
            birthDate: insiPatient.birthDate,
            birthPlaceCode: insiPatient.birthPlaceCode,
          },
        },
      },
    });
    expect(answer).toMatchObject({ status: 200, body: { state: 'done' } });
    const patients = await pullRows(server, reception, 'patient');
    expect(patients.get(insiPatient.id)).toMatchObject({
      identityStatus: 'qualifiee',
      insMatricule: insiPatient.nir,
      insOid: '1.2.250.1.213.1.4.8',
    });
    const history = await pullRows(server, reception, 'identityChange');
    expect(
      [...history.values()].find(
        (h) => h.patientId === insiPatient.id && h.kind === 'qualification',
      ),
    ).toMatchObject({ staffId: 'partner.insi' });
  });

  it('INSi traits that differ wait for a person, untouched; the coordination puts the task back', async () => {
    const other = demo.data.patient.find(
      (p) => p.id !== insiPatient.id && p.nir && p.identityStatus === 'validee',
    )!;
    const id = taskId('insi', other.id, other.nir!);
    // Leased to this partner by the fetch of the test before (or now).
    await call(server, '/api/partner/tasks?service=insi&limit=100', insi);
    const [leased] = await server.store.rowsByIds(org, 'partnerTask', [id]);
    expect(leased).toMatchObject({ state: { name: 'leased', leasedBy: insi.deviceId } });
    const before = (await server.store.rowsByIds(org, 'patient', [other.id]))[0];
    const answer = await call(server, `/api/partner/tasks/${id}/answer`, insi, {
      body: {
        outcome: 'done',
        result: {
          found: true,
          matricule: other.nir,
          oid: '1.2.250.1.213.1.4.8',
          traits: {
            birthName: 'AUTRE',
            firstNames: other.firstNames,
            sex: other.sex,
            birthDate: other.birthDate,
            birthPlaceCode: other.birthPlaceCode,
          },
        },
      },
    });
    expect(answer).toMatchObject({ status: 200, body: { state: 'manual' } });
    expect((await server.store.rowsByIds(org, 'patient', [other.id]))[0]).toEqual(before);
    const [task] = await server.store.rowsByIds(org, 'partnerTask', [id]);
    expect(task).toMatchObject({
      state: {
        name: 'manual',
        reason:
          'Traits renvoyés par l’INSi différents du dossier (nom de naissance) : à vérifier à l’accueil.',
      },
    });
    // Not the partner's to put back; the coordination's.
    expect(
      (await call(server, `/api/partner/tasks/${id}/requeue`, insi, { body: {} })).status,
    ).toBe(403);
    const coordination = await enrol(server, `coord-${kind}`, { org, profile: 'coordination' });
    const requeued = await call(server, `/api/partner/tasks/${id}/requeue`, coordination, {
      body: {},
    });
    expect(requeued).toMatchObject({ status: 200, body: { state: 'todo' } });
    const again = await call(server, `/api/partner/tasks/${id}/requeue`, coordination, {
      body: {},
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'not_requeueable' } });
    const refetched = await call(server, '/api/partner/tasks?service=insi&limit=100', insi);
    expect((refetched.body.tasks as { id: string }[]).map((t) => t.id)).toContain(id);
  });

  it('another profile may not call the partner API; a partner may not sync nor fetch another service', async () => {
    for (const who of [room.enrolled, reception]) {
      const res = await call(server, '/api/partner/tasks?service=billing', who);
      expect(res.status).toBe(403);
      const answer = await call(
        server,
        `/api/partner/tasks/${taskId('billing', note.id, '')}/answer`,
        who,
        {
          body: { outcome: 'done', result: { billed: true, invoiceId: 'F' } },
        },
      );
      expect(answer.status).toBe(403);
    }
    expect((await call(server, '/api/partner/tasks?service=billing', null)).status).toBe(401);
    const notEnrolled = await call(server, '/api/partner/tasks?service=dmp', billing);
    expect(notEnrolled).toMatchObject({ status: 403, body: { error: 'service_not_enrolled' } });
    const badQuery = await call(server, '/api/partner/tasks?service=fax', billing);
    expect(badQuery.status).toBe(400);

    // A partner pushing ordinary ops (here: rewriting a task's outcome) is refused, nothing stored.
    const before = await held(server);
    const sneaky = new Device(billing).op(intern.id, {
      e: 'partnerTask',
      id: taskId('billing', note.id, ''),
      f: 'outcome',
      k: 'set',
      val: { service: 'billing', billed: false, invoiceId: null, reason: 'x' },
    });
    const pushed = await sync(server, billing, [sneaky]);
    expect(pushed.status).toBe(403);
    expect(String(pushed.body.message)).toMatch(/ne synchronise pas de données/);
    expect(await held(server)).toEqual(before);
    // Nor may a room device write a task.
    const fromRoom = room.op(intern.id, {
      e: 'partnerTask',
      id: taskId('billing', note.id, ''),
      f: 'outcome',
      k: 'set',
      val: { service: 'billing', billed: false, invoiceId: null, reason: 'x' },
    });
    expect((await sync(server, room.enrolled, [fromRoom])).status).toBe(403);
    expect(JSON.stringify(await server.store.rows(org, 'partnerTask'))).toBe(before.tasks);
    // Central's own ops go under an origin no device can enrol with.
    expect(PARTNER_ORIGIN).toContain('.');
  });
});

describe('partner API on a truck’s relay', () => {
  let central: TestServer;
  let relay: TestServer;
  beforeAll(async () => {
    central = await startTestServer();
    await central.store.push(org, rowsToOps(org, 'seed', demo.data));
    relay = await startTestServer({
      upstream: central.url,
      relayCredential: await relayCredential(central, org),
    });
  }, 60_000);
  afterAll(async () => {
    await relay.close();
    await central.close();
  });

  it('is refused with a clear message: partner components reach central', async () => {
    const partner = await enrolPartner(central, 'partner-via-relay', ['billing']);
    // The relay learns the credential from central, then refuses the route.
    const fetched = await call(relay, '/api/partner/tasks?service=billing', partner);
    expect(fetched).toMatchObject({ status: 421, body: { error: 'central_only' } });
    expect(String(fetched.body.message)).toBe(
      'Les composants partenaires se connectent au serveur central, pas au relais du camion.',
    );
    const answered = await call(relay, '/api/partner/tasks/pt.x/answer', partner, {
      body: { outcome: 'failed', reason: 'x' },
    });
    expect(answered.status).toBe(421);
    // Central serves the same credential.
    expect((await call(central, '/api/partner/tasks?service=billing', partner)).status).toBe(200);
  });
});
