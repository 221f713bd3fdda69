// Access on the server (issue 8), over real HTTP with SQLite: enrolment codes, device
// credentials, isolation between organisations, the authorisation matrix on push, the staff
// rules (an intern cannot validate), what each profile receives on pull, and sign-in.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Viewer, visibleStates, WRITABLE } from '../../src/domain/access';
import { dayProof, type ServerProof } from '../../src/domain/closure';
import { newAddendum } from '../../src/domain/consultation';
import {
  type DeviceProfile,
  ENTITY_NAMES,
  ENTITY_SPECS,
  type EntityName,
  entitySpec,
  SCHEMA_VERSION,
} from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-11-30';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const staffOf = (profession: string) => demo.data.staff.find((s) => s.profession === profession)!;
const coordinator = staffOf('medecin');
const intern = staffOf('interne');
const [box1, box2] = demo.data.room;

let server: TestServer;

async function call(
  path: string,
  device: Pick<Enrolled, 'headers'> | null,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(device?.headers ?? {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function callAt(target: TestServer, path: string, body: unknown) {
  const res = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function syncBody(device: Enrolled, ops: Op[], since = 0, extra: Record<string, unknown> = {}) {
  return {
    protocol: PROTOCOL_VERSION,
    schema: SCHEMA_VERSION,
    org: device.org,
    deviceId: device.deviceId,
    since,
    ops,
    ...extra,
  };
}

/** Ops a device writes, numbered from its own sequence. */
class Writer {
  private clock;
  private seq = 0;
  constructor(readonly device: Enrolled) {
    this.clock = createClock(device.deviceId);
  }
  op(fields: Omit<Op, 'v' | 'org' | 'dev' | 'seq' | 'hlc'>): Op {
    const t = tick(this.clock, Date.now());
    this.clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org: this.device.org,
      dev: this.device.deviceId,
      seq: ++this.seq,
      hlc: t.hlc,
      ...fields,
    };
  }
  push(ops: Op[]) {
    return call('/api/sync', this.device, syncBody(this.device, ops));
  }
}

async function pullAll(device: Enrolled): Promise<Op[]> {
  const ops: Op[] = [];
  let since = 0;
  for (;;) {
    const res = await call('/api/sync', device, syncBody(device, [], since));
    const page = res.body as unknown as SyncResponse;
    ops.push(...page.ops.map((x) => x.op));
    since = page.lastSeq;
    if (!page.hasMore) return ops;
  }
}

/** One valid op on `entity` for the matrix: a new row inserted, or one field of a demo row. */
function sampleOp(w: Writer, entity: EntityName): Op {
  const spec = ENTITY_SPECS[entity];
  const user = coordinator.id;
  const rows: Record<string, Record<string, unknown>> = {
    audit: {
      orgId: org,
      at: `${TODAY}T09:00:00.000Z`,
      actorId: user,
      deviceId: w.device.deviceId,
      action: 'test.matrix',
      entity: null,
      entityId: null,
      detail: null,
    },
    syncReceipt: {
      orgId: org,
      stopId: demo.todayStopId,
      at: `${TODAY}T18:00:00.000Z`,
      staffId: user,
      digest: 'a'.repeat(64),
      via: 'central',
      devices: [],
      rows: [],
    },
    contradictionAck: {
      orgId: org,
      stopId: demo.todayStopId,
      contradictionId: 'two_consultations:c1+c2',
      kind: 'two_consultations',
      at: `${TODAY}T09:00:00.000Z`,
      staffId: user,
      decision: 'acknowledged',
      keptConsultationId: null,
    },
    identityChange: {
      orgId: org,
      patientId: demo.data.patient[0]!.id,
      at: `${TODAY}T09:00:00.000Z`,
      staffId: user,
      kind: 'correction',
      changes: [{ field: 'usedName', before: null, after: 'MARTIN' }],
      otherPatientId: null,
    },
    printedDocument: {
      orgId: org,
      consultationId: demo.data.consultation[0]!.id,
      patientId: demo.data.consultation[0]!.patientId,
      kind: 'compte_rendu',
      templateId: null,
      staffId: user,
      at: `${TODAY}T09:00:00.000Z`,
      format: 'print',
      pendingValidation: false,
    },
    transmission: {
      orgId: org,
      consultationId: demo.data.consultation[0]!.id,
      patientId: demo.data.consultation[0]!.patientId,
      authorId: user,
      at: `${TODAY}T09:00:00.000Z`,
      text: 'Besoin d’une aide pour la complémentaire santé.',
    },
    breakGlass: {
      orgId: org,
      patientId: demo.data.patient[0]!.id,
      staffId: user,
      at: `${TODAY}T09:00:00.000Z`,
      until: `${TODAY}T10:00:00.000Z`,
      reason: 'urgence_vitale',
      comment: null,
    },
    sharingObjection: {
      orgId: org,
      patientId: demo.data.patient[0]!.id,
      staffId: user,
      at: `${TODAY}T09:00:00.000Z`,
      objects: true,
    },
    researchObjection: {
      orgId: org,
      patientId: demo.data.patient[0]!.id,
      staffId: user,
      at: `${TODAY}T09:00:00.000Z`,
      objects: true,
    },
    conflictResolution: {
      orgId: org,
      at: `${TODAY}T09:00:00.000Z`,
      staffId: user,
      entity: 'patient',
      rowId: demo.data.patient[0]!.id,
      field: 'phone',
      versions: [],
      chosen: null,
    },
  };
  if (entity === 'addendum') {
    const { id, ...val } = newAddendum(
      {
        id: uuidv7(),
        orgId: org,
        consultationId: demo.data.consultation[0]!.id,
        at: `${TODAY}T09:00:00.000Z`,
        text: 'Résultat reçu.',
      },
      coordinator,
    );
    return w.op({ user, e: entity, id, f: '*', k: 'ins', val });
  }
  if ('immutable' in spec && spec.immutable) {
    const demoRow = (demo.data as unknown as Record<string, Record<string, unknown>[]>)[
      entity
    ]?.[0];
    const row: Record<string, unknown> = { ...(demoRow ?? rows[entity]), id: uuidv7() };
    const signer = entity === 'signature' ? String(row.staffId) : user;
    return w.op({ user: signer, e: entity, id: String(row.id), f: '*', k: 'ins', val: row });
  }
  const values: Partial<Record<EntityName, [string, unknown]>> = {
    device: ['name', 'Tablette test'],
    documentTemplate: ['title', 'Certificat de présence'],
    partnerTask: ['service', 'billing'],
  };
  const demoRow = (demo.data as unknown as Record<string, Record<string, unknown>[]>)[entity]?.[0];
  const field = Object.keys(spec.fields).find(
    (f) => f !== 'orgId' && spec.fields[f]!.kind === 'lww',
  );
  const [f, val] = values[entity] ?? [field!, demoRow![field!]];
  return w.op({ user, e: entity, id: String(demoRow?.id ?? uuidv7()), f, k: 'set', val, base: [] });
}

beforeAll(async () => {
  server = await startTestServer();
  await server.store.push(org, rowsToOps(org, 'seed', demo.data));
});
afterAll(() => server.close());

describe('enrolment and device credentials', () => {
  it('exchanges a single-use code for a credential; only its hash is stored', async () => {
    const { code } = await server.accounts.createCode({
      org,
      profile: 'reception',
      roomId: null,
      name: 'Tablette accueil',
      createdBy: null,
    });
    const first = await call('/api/enrol', null, { code: code.toLowerCase(), deviceId: 'tab-1' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      org,
      orgName: 'Médicobus Perche Émeraude',
      deviceId: 'tab-1',
      profile: 'reception',
      roomId: null,
      name: 'Tablette accueil',
    });
    const token = String(first.body.token);
    const secret = token.split('.')[1]!;
    expect(secret.length).toBeGreaterThanOrEqual(43); // 256 bits
    const stored = (await server.store.metaWithPrefix('cred:')).map((m) => m.value).join();
    expect(stored).not.toContain(secret);
    const again = await call('/api/enrol', null, { code, deviceId: 'tab-2' });
    expect(again.status).toBe(404);
    expect(again.body.message).toMatch(/Code inconnu, expiré ou déjà utilisé/);
  });

  it('refuses an expired code', async () => {
    const { code } = await server.accounts.createCode(
      { org, profile: 'reception', roomId: null, name: 'Vieille', createdBy: null },
      -1,
    );
    expect((await call('/api/enrol', null, { code, deviceId: 'tab-old' })).status).toBe(404);
  });

  it('answers 401 without a credential or with a wrong secret, on every API route', async () => {
    const device = await enrol(server, 'tab-auth', { org, profile: 'reception' });
    const forged = { headers: { authorization: `Bearer ${device.deviceId}.${'A'.repeat(43)}` } };
    for (const path of ['/api/sync', '/api/digest', '/api/devices', '/api/events']) {
      expect(
        (await call(path, null, path === '/api/sync' ? syncBody(device, []) : undefined)).status,
      ).toBe(401);
      const wrong = await call(
        path,
        forged,
        path === '/api/sync' ? syncBody(device, []) : undefined,
      );
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toMatch(/enrôlez-le/);
    }
    expect((await call('/api/health', null)).status).toBe(200);
  });

  it('lets the coordination create codes, and nobody else', async () => {
    const coordination = await enrol(server, 'coord-codes', { org, profile: 'coordination' });
    const reception = await enrol(server, 'tab-codes', { org, profile: 'reception' });
    const made = await call('/api/enrolments', coordination, {
      profile: 'room',
      roomId: box1!.id,
      name: 'Portable Box 1',
    });
    expect(made.status).toBe(201);
    expect(String(made.body.code)).toMatch(/^[A-Z2-9]{8}$/);
    expect(Number(made.body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    const used = await call('/api/enrol', null, { code: made.body.code, deviceId: 'laptop-1' });
    expect(used.body).toMatchObject({ profile: 'room', roomId: box1!.id });
    expect(
      (await call('/api/enrolments', coordination, { profile: 'room', name: 'Sans salle' })).status,
    ).toBe(400);
    const refused = await call('/api/enrolments', reception, {
      profile: 'coordination',
      name: 'x',
    });
    expect(refused.status).toBe(403);
  });
});

describe('isolation between organisations', () => {
  it('refuses a request naming another organisation, and never serves its ops', async () => {
    const other = buildDemoDataset({ today: TODAY, orgId: 'org-voisine' });
    await server.store.push('org-voisine', rowsToOps('org-voisine', 'seed-2', other.data));
    const ours = await enrol(server, 'coord-iso', { org, profile: 'coordination' });
    const theirs = await enrol(server, 'coord-voisin', {
      org: 'org-voisine',
      profile: 'coordination',
    });
    await signIn(server, ours, coordinator.id);
    const crossed = await call('/api/sync', ours, { ...syncBody(ours, []), org: 'org-voisine' });
    expect(crossed.status).toBe(403);
    expect(crossed.body.error).toBe('wrong_org');
    // An op of the other organisation inside our own request: refused whole, nothing stored.
    const w = new Writer(ours);
    const before = await server.store.lastSeq('org-voisine');
    const sneaky = { ...sampleOp(w, 'room'), org: 'org-voisine' };
    expect((await w.push([sneaky])).status).toBe(400);
    expect(await server.store.lastSeq('org-voisine')).toBe(before);
    const pulled = await pullAll(ours);
    expect(pulled.length).toBeGreaterThan(0);
    expect(pulled.every((op) => op.org === org)).toBe(true);
    expect((await pullAll(theirs)).every((op) => op.org === 'org-voisine')).toBe(true);
  });
});

describe('authorisation of pushed ops, profile × entity', () => {
  for (const profile of ['reception', 'room', 'coordination', 'display'] as const) {
    it(`${profile}: every entity accepted or refused as WRITABLE says`, async () => {
      const device = await enrol(server, `matrix-${profile}`, {
        org,
        profile,
        roomId: profile === 'room' ? box1!.id : null,
      });
      // The people the sample ops are stamped with (the coordinator; a signature's signer).
      if (profile !== 'display') {
        const signer = demo.data.signature[0]!.staffId;
        await signIn(server, device, ...new Set([coordinator.id, signer]));
      }
      const w = new Writer(device);
      const outcome: Record<string, number> = {};
      const expected: Record<string, number> = {};
      for (const entity of ENTITY_NAMES) {
        const op = sampleOp(w, entity);
        // A receipt is stored only with the server's own proof of the day (docs/decisions/0007).
        if (entity === 'syncReceipt') {
          const viewer = { profile, roomId: profile === 'room' ? box1!.id : null };
          const states = visibleStates(viewer, await server.store.rowStates(org), entitySpec);
          (op.val as { digest: string }).digest = dayProof(
            states,
            demo.todayStopId,
            entitySpec,
          ).digest;
        }
        const res = await w.push([op]);
        outcome[entity] = res.status;
        expected[entity] = WRITABLE[profile as DeviceProfile].has(entity) ? 200 : 403;
        if (res.status === 403) expect(res.body.error).toBe('forbidden_op');
      }
      expect(outcome).toEqual(expected);
    });
  }

  it('refuses a whole batch when one op is refused, storing nothing', async () => {
    const device = await enrol(server, 'tab-batch', { org, profile: 'reception' });
    const w = new Writer(device);
    const before = await server.store.lastSeq(org);
    const res = await w.push([sampleOp(w, 'patient'), sampleOp(w, 'consultation')]);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/Modification refusée par le serveur/);
    expect(res.body.details).toMatchObject({ entity: 'consultation' });
    expect(await server.store.lastSeq(org)).toBe(before);
  });

  it('refuses ops of another device, of an unknown person, and unstamped clinical ops', async () => {
    const device = await enrol(server, 'laptop-rules', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, device, coordinator.id);
    const w = new Writer(device);
    // A signed note's content is immutable: the coordinating doctor returns one first.
    const consultation = demo.data.consultation[5]!;
    const returned = await w.push([
      w.op({
        user: coordinator.id,
        e: 'consultation',
        id: consultation.id,
        f: 'status',
        k: 'set',
        val: 'returned',
        base: [],
      }),
    ]);
    expect(returned.status).toBe(200);
    const note = (fields: Partial<Op>) =>
      w.op({
        user: coordinator.id,
        e: 'consultation',
        id: consultation.id,
        f: 'plan',
        k: 'set',
        val: 'Revoir dans 8 jours',
        base: [],
        ...fields,
      });
    const forged = note({});
    const otherDevice = {
      ...forged,
      dev: 'another-device',
      hlc: forged.hlc.replace(/:[^:]+$/, ':another-device'),
    };
    expect((await w.push([otherDevice])).status).toBe(403);
    expect((await w.push([note({ user: 'inconnu' })])).status).toBe(403);
    const { user: _user, ...unstamped } = note({});
    expect((await w.push([unstamped as Op])).status).toBe(403);
    expect((await w.push([note({})])).status).toBe(200);
  });

  it('lets the supervisor validate an intern’s note, never the intern', async () => {
    const device = await enrol(server, 'laptop-review', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, device, intern.id, coordinator.id);
    const w = new Writer(device);
    const byIntern = demo.data.consultation.find((c) => c.authorId === intern.id)!;
    const validate = (user: string) =>
      w.op({
        user,
        e: 'consultation',
        id: byIntern.id,
        f: 'status',
        k: 'set',
        val: 'validated',
        base: [],
      });
    const refused = await w.push([validate(intern.id)]);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/superviseur/);
    expect((await w.push([validate(coordinator.id)])).status).toBe(200);
  });

  it('lets only the author sign as author', async () => {
    const device = await enrol(server, 'laptop-sign', { org, profile: 'room', roomId: box1!.id });
    const w = new Writer(device);
    const signature = { ...demo.data.signature.find((s) => s.kind === 'author')!, id: uuidv7() };
    await signIn(server, device, ...new Set([intern.id, coordinator.id, signature.staffId]));
    const sign = (user: string) =>
      w.op({ user, e: 'signature', id: signature.id, f: '*', k: 'ins', val: signature });
    const other = signature.staffId === coordinator.id ? intern.id : coordinator.id;
    expect((await w.push([sign(other)])).status).toBe(403);
    expect((await w.push([sign(signature.staffId)])).status).toBe(200);
  });
});

describe('what each profile receives', () => {
  let restrictedId: string;
  beforeAll(async () => {
    // A social consultation held in Box 2.
    const coordination = await enrol(server, 'coord-restricted', { org, profile: 'coordination' });
    await signIn(server, coordination, coordinator.id);
    const w = new Writer(coordination);
    const consultation = demo.data.consultation[0]!;
    restrictedId = consultation.id;
    const queueEntryId = consultation.queueEntryId;
    const res = await w.push([
      w.op({
        user: coordinator.id,
        e: 'queueEntry',
        id: queueEntryId,
        f: 'roomId',
        k: 'set',
        val: box2!.id,
        base: [],
      }),
      w.op({
        user: coordinator.id,
        e: 'consultation',
        id: restrictedId,
        f: 'confidentiality',
        k: 'set',
        val: 'social',
        base: [],
      }),
    ]);
    expect(res.status).toBe(200);
  });

  it('reception: no consultation, vitals, signature, addendum, audit or device', async () => {
    const reception = await enrol(server, 'tab-pull', { org, profile: 'reception' });
    const entities = new Set((await pullAll(reception)).map((op) => op.e));
    for (const e of ['patient', 'visit', 'queueEntry', 'staff', 'room'])
      expect(entities).toContain(e);
    for (const e of ['consultation', 'vitals', 'signature', 'addendum', 'audit', 'device']) {
      expect(entities).not.toContain(e);
    }
  });

  it('the waiting-room screen: tickets and what orders them, no identity nor motive', async () => {
    const display = await enrol(server, 'screen-pull', { org, profile: 'display' });
    const ops = await pullAll(display);
    const fields = (e: string) => new Set(ops.filter((op) => op.e === e).map((op) => op.f));
    expect(new Set(ops.map((op) => op.e))).toEqual(
      new Set(['organisation', 'unit', 'room', 'service', 'stop', 'queueEntry', 'visit']),
    );
    expect(fields('queueEntry')).toContain('ticket');
    expect(fields('queueEntry')).not.toContain('practitionerId');
    expect(fields('visit')).not.toContain('motif');
    expect(fields('visit')).not.toContain('patientId');
  });

  it('a restricted note reaches the room where it is held and the coordination, not the others', async () => {
    const held = (ops: Op[]) => ops.some((op) => op.e === 'consultation' && op.id === restrictedId);
    const inBox2 = await enrol(server, 'laptop-box2', { org, profile: 'room', roomId: box2!.id });
    const inBox1 = await enrol(server, 'laptop-box1', { org, profile: 'room', roomId: box1!.id });
    const coordination = await enrol(server, 'coord-pull', { org, profile: 'coordination' });
    // Who reads on each room device (src/domain/reading.ts): the note's author in Box 2, the
    // intern in Box 1 (who reads standard notes).
    await signIn(server, inBox2, demo.data.consultation[0]!.authorId);
    await signIn(server, inBox1, intern.id);
    expect(held(await pullAll(inBox2))).toBe(true);
    expect(held(await pullAll(coordination))).toBe(true);
    const box1Ops = await pullAll(inBox1);
    expect(held(box1Ops)).toBe(false);
    // …nor its events (vitals, signatures of that note).
    const events = box1Ops.filter(
      (op) =>
        op.k === 'ins' && (op.val as { consultationId?: string }).consultationId === restrictedId,
    );
    expect(events).toEqual([]);
    // Standard notes still reach every room.
    expect(box1Ops.some((op) => op.e === 'consultation')).toBe(true);
  });

  it('gives each profile a receipt proof of what it holds', async () => {
    const reception = await enrol(server, 'tab-receipt', { org, profile: 'reception' });
    const res = await call('/api/receipt', reception, { org, stopId: demo.todayStopId });
    expect(res.status).toBe(200);
    const viewer: Viewer = { profile: 'reception', roomId: null };
    const expected = dayProof(
      visibleStates(viewer, await server.store.rowStates(org), entitySpec),
      demo.todayStopId,
      entitySpec,
    );
    const proof = res.body as unknown as ServerProof;
    expect(proof.digest).toBe(expected.digest);
    expect(proof.rows.some((r) => r.e === 'consultation')).toBe(false);
    expect(proof.rows.some((r) => r.e === 'patient')).toBe(true);
  });
});

describe('passwords and sign-in', () => {
  let coordination: Enrolled;
  let tablet: Enrolled;
  beforeAll(async () => {
    coordination = await enrol(server, 'coord-pwd', { org, profile: 'coordination' });
    tablet = await enrol(server, 'tab-login', { org, profile: 'reception' });
  });

  it('only the coordination sets passwords, of at least 8 characters', async () => {
    const weak = await call('/api/passwords', coordination, {
      staffId: intern.id,
      password: 'court',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/au moins 8 caractères/);
    const byTablet = await call('/api/passwords', tablet, {
      staffId: intern.id,
      password: 'assez-long-1',
    });
    expect(byTablet.status).toBe(403);
    expect(
      (await call('/api/passwords', coordination, { staffId: 'inconnu', password: 'assez-long-1' }))
        .status,
    ).toBe(404);
    const ok = await call('/api/passwords', coordination, {
      staffId: intern.id,
      password: 'assez-long-1',
    });
    expect(ok.status).toBe(204);
    const stored = await server.store.getMeta(`pwd:${org}:${intern.id}`);
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('assez-long-1');
  });

  it('signs in with the password and hands the device’s escrow secret', async () => {
    // Nobody set the receptionist's password (the helpers only set those of people they sign in).
    const receptionist = staffOf('accueil');
    const noPassword = await call('/api/login', tablet, {
      staffId: receptionist.id,
      password: 'x',
    });
    expect(noPassword.status).toBe(401);
    expect(noPassword.body.error).toBe('no_password');
    const ok = await call('/api/login', tablet, { staffId: intern.id, password: 'assez-long-1' });
    expect(ok.status).toBe(200);
    expect(ok.body.staffId).toBe(intern.id);
    expect(Buffer.from(String(ok.body.escrow), 'base64')).toHaveLength(32);
  });

  it('locks a person out after five wrong passwords on a device', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await call('/api/login', tablet, { staffId: intern.id, password: `faux-${i}` })).status,
      );
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await call('/api/login', tablet, {
      staffId: intern.id,
      password: 'assez-long-1',
    });
    expect(right.status).toBe(429);
    expect(right.body.message).toMatch(/réessayez après/);
  });

  it('refuses a person who left the team', async () => {
    const gone = demo.data.staff.find((s) => s.profession === 'dentiste')!;
    await call('/api/passwords', coordination, { staffId: gone.id, password: 'assez-long-2' });
    await signIn(server, coordination, coordinator.id);
    const w = new Writer(coordination);
    const left = await w.push([
      w.op({
        user: coordinator.id,
        e: 'staff',
        id: gone.id,
        f: 'active',
        k: 'set',
        val: false,
        base: [],
      }),
    ]);
    expect(left.status).toBe(200);
    const res = await call('/api/login', tablet, { staffId: gone.id, password: 'assez-long-2' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('inactive');
  });

  it('gives central’s credentials to a relay only', async () => {
    const relay = await enrol(server, 'relay-cred', { org, profile: 'relay' });
    expect((await call('/api/relay/credentials', coordination)).status).toBe(403);
    const res = await call('/api/relay/credentials', relay);
    expect(res.status).toBe(200);
    const credentials = res.body.credentials as { deviceId: string; hash: string }[];
    expect(credentials.map((c) => c.deviceId)).toContain('tab-login');
    expect(JSON.stringify(res.body)).not.toContain(tablet.token.split('.')[1]!);
    expect((res.body.passwords as { staffId: string }[]).map((p) => p.staffId)).toContain(
      intern.id,
    );
  });
});

describe('rate limits', () => {
  // Its own server: the address it blocks is the one every other test uses.
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer();
  });
  afterAll(() => guarded.close());

  it('slows down someone guessing codes: 429 after ten wrong ones from one address', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (await callAt(guarded, '/api/enrol', { code: `WRONG${i}XX`, deviceId: `guess-${i}` }))
        .status;
    }
    expect(last).toBe(429);
    const { code } = await guarded.accounts.createCode({
      org,
      profile: 'display',
      roomId: null,
      name: 'Écran',
      createdBy: null,
    });
    const blocked = await callAt(guarded, '/api/enrol', { code, deviceId: 'screen-1' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/Trop d’essais infructueux/);
  });
});
