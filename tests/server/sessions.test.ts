// People, not only devices (docs/decisions/0006-person-sessions.md), over real HTTP on SQLite and
// PostgreSQL: an op stamped with a person is accepted from a device only within a session that
// person opened there with their password; otherwise 403 session_required naming them, nothing
// stored, and the same ops go through once they sign in again. Then through a relay with
// central out of reach: the relay records the sign-in and hands it to central before the ops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { PersonSession } from '../../src/domain/sessions';
import { SESSION_TTL_MS } from '../../src/domain/sessions';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential, signIn, TEST_PASSWORD } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-11-30';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const staffOf = (profession: string) => demo.data.staff.find((s) => s.profession === profession)!;
const doctor = staffOf('medecin'); // Hélène Morvan, coordinating doctor
const intern = staffOf('interne');
const receptionist = staffOf('accueil');
const internNote = demo.data.consultation.find((c) => c.authorId === intern.id)!;
const visit = demo.data.visit[0]!;
const DAY = 24 * 60 * 60_000;

async function post(target: TestServer, path: string, device: Enrolled, body: unknown) {
  const res = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...device.headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Ops a device writes with its own clock; `at` sets the wall time of the next op. */
class Writer {
  private clock;
  private seq = 0;
  constructor(readonly device: Enrolled) {
    this.clock = createClock(device.deviceId);
  }
  op(fields: Omit<Op, 'v' | 'org' | 'dev' | 'seq' | 'hlc'>, at = Date.now()): Op {
    const t = tick(this.clock, at);
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
  validate(user: string, at?: number): Op {
    return this.op(
      {
        user,
        e: 'consultation',
        id: internNote.id,
        f: 'status',
        k: 'set',
        val: 'validated',
        base: [],
      },
      at,
    );
  }
  visitMotive(user: string, motif: string, at?: number): Op {
    return this.op(
      { user, e: 'visit', id: visit.id, f: 'motif', k: 'set', val: motif, base: [] },
      at,
    );
  }
  notePlan(user: string, plan: string, at?: number): Op {
    return this.op(
      // A comment on the review: one of the few fields a signed note still takes (its content is
      // immutable on the server).
      {
        user,
        e: 'consultation',
        id: internNote.id,
        f: 'returnComment',
        k: 'set',
        val: plan,
        base: [],
      },
      at,
    );
  }
  push(target: TestServer, ops: Op[]) {
    return post(target, '/api/sync', this.device, {
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: this.device.org,
      deviceId: this.device.deviceId,
      since: 0,
      ops,
      maxBytes: 1024,
    });
  }
}

/** The stored sessions of a person on a device, as the server holds them. */
async function sessionsAt(target: TestServer, device: Enrolled, staffId: string) {
  return (await target.accounts.sessionsOf(device.org, device.deviceId)).filter(
    (s) => s.staffId === staffId,
  );
}

/** Rewrites a stored session, as the passing of time would leave it. */
async function rewrite(target: TestServer, s: PersonSession) {
  await target.store.setMeta(`session:${s.org}:${s.deviceId}:${s.id}`, JSON.stringify(s));
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`person sessions on ${kind}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      await server.store.push(org, rowsToOps(org, 'seed', demo.data));
    });
    afterAll(() => server.close());

    it('refuses a validation stamped as the doctor on a laptop where she never signed in, until she does', async () => {
      const laptop = await enrol(server, 'laptop-nobody', { org, profile: 'room', roomId: null });
      const w = new Writer(laptop);
      const forged = w.validate(doctor.id);
      const before = await server.store.lastSeq(org);
      const refused = await w.push(server, [forged]);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('session_required');
      expect(refused.body.message).toBe(
        'Hélène Morvan doit se reconnecter avec son mot de passe sur cet appareil : les modifications faites à son nom y restent en attente jusque-là.',
      );
      expect(refused.body.details).toEqual({ staffId: doctor.id, people: [doctor.id] });
      expect(await server.store.lastSeq(org)).toBe(before);
      // She signs in there: the same op, kept by the device, now goes through.
      const [answer] = await signIn(server, laptop, doctor.id);
      expect(answer!.session).toMatchObject({ expiresAt: expect.any(Number) });
      const session = answer!.session as { issuedAt: number; expiresAt: number };
      expect(session.expiresAt - session.issuedAt).toBe(SESSION_TTL_MS);
      expect((await w.push(server, [forged])).status).toBe(200);
      const [note] = await server.store.rowsByIds(org, 'consultation', [internNote.id]);
      expect(note!.status).toBe('validated');
    });

    it('refuses a reception tablet stamping the doctor on a visit; its receptionist’s own work passes', async () => {
      const tablet = await enrol(server, 'tab-accueil', { org, profile: 'reception' });
      await signIn(server, tablet, receptionist.id);
      const w = new Writer(tablet);
      const asDoctor = await w.push(server, [w.visitMotive(doctor.id, 'Renouvellement')]);
      expect(asDoctor.status).toBe(403);
      expect(asDoctor.body.error).toBe('session_required');
      expect(String(asDoctor.body.message)).toMatch(/^Hélène Morvan doit se reconnecter/);
      // A fresh writer: the refused op is no longer in this test's way (seq 1 again).
      const own = new Writer(tablet);
      expect((await own.push(server, [own.visitMotive(receptionist.id, 'Vaccin')])).status).toBe(
        200,
      );
    });

    it('binds a session to its device: signed in on one laptop is not signed in on another', async () => {
      const one = await enrol(server, 'laptop-one', { org, profile: 'room', roomId: null });
      const two = await enrol(server, 'laptop-two', { org, profile: 'room', roomId: null });
      await signIn(server, one, doctor.id);
      const w = new Writer(two);
      expect((await w.push(server, [w.validate(doctor.id)])).body.error).toBe('session_required');
    });

    it('judges the authenticated person: an intern signed in cannot validate', async () => {
      const laptop = await enrol(server, 'laptop-intern', { org, profile: 'room', roomId: null });
      await signIn(server, laptop, intern.id);
      const w = new Writer(laptop);
      const res = await w.push(server, [w.validate(intern.id)]);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden_op');
      expect(String(res.body.message)).toMatch(/superviseur/);
    });

    it('ends the session at sign-out: work done before still arrives, work after is refused', async () => {
      const laptop = await enrol(server, 'laptop-out', { org, profile: 'room', roomId: null });
      await signIn(server, laptop, doctor.id);
      const w = new Writer(laptop);
      const before = w.validate(doctor.id); // made offline while signed in, pushed later
      const out = await post(server, '/api/logout', laptop, { staffId: doctor.id });
      expect(out.status).toBe(204);
      const [ended] = await sessionsAt(server, laptop, doctor.id);
      expect(ended!.endedAt).not.toBeNull();
      expect((await w.push(server, [before])).status).toBe(200);
      const after = w.validate(doctor.id, Date.now() + 60 * 60_000);
      expect((await w.push(server, [after])).body.error).toBe('session_required');
      expect((await post(server, '/api/logout', laptop, {})).status).toBe(400);
    });

    it('after expiry: work made within the session passes, work made after waits for a new sign-in', async () => {
      const laptop = await enrol(server, 'laptop-lapse', { org, profile: 'room', roomId: null });
      await signIn(server, laptop, doctor.id);
      const [held] = await sessionsAt(server, laptop, doctor.id);
      // Three weeks later: the session lapsed a week ago.
      const now = Date.now();
      await rewrite(server, {
        ...held!,
        from: now - 21 * DAY,
        issuedAt: now - 21 * DAY,
        expiresAt: now - 7 * DAY,
      });
      const w = new Writer(laptop);
      const within = w.validate(doctor.id, now - 10 * DAY);
      expect((await w.push(server, [within])).status).toBe(200);
      const lapsed = w.notePlan(doctor.id, 'Suivi', now - 2 * DAY);
      const res = await w.push(server, [lapsed]);
      expect(res.body.error).toBe('session_required');
      // Her password again: the new session covers the lapse (her work kept by the device).
      const [answer] = await signIn(server, laptop, doctor.id);
      expect((answer!.session as { from: number }).from).toBe(now - 7 * DAY);
      expect((await w.push(server, [lapsed])).status).toBe(200);
    });

    it('renews an open session when its person works on the device', async () => {
      const laptop = await enrol(server, 'laptop-renew', { org, profile: 'room', roomId: null });
      await signIn(server, laptop, doctor.id);
      const [held] = await sessionsAt(server, laptop, doctor.id);
      await rewrite(server, { ...held!, expiresAt: Date.now() + DAY });
      const w = new Writer(laptop);
      expect((await w.push(server, [w.notePlan(doctor.id, 'Contrôle')])).status).toBe(200);
      const [renewed] = await sessionsAt(server, laptop, doctor.id);
      expect(renewed!.expiresAt).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);
    });
  });
}

describe('person sessions through a relay with central out of reach', () => {
  let central: TestServer;
  let relay: TestServer;
  let link: Link;
  beforeAll(async () => {
    central = await startTestServer();
    await central.store.push(org, rowsToOps(org, 'seed', demo.data));
    link = await startLink(central.url);
    relay = await startTestServer({
      upstream: link.url,
      relayCredential: await relayCredential(central, org),
      relayIntervalMs: 60_000, // passes run when the test asks (syncNow)
    });
    await relay.relay!.syncNow(true);
  });
  afterAll(async () => {
    await relay.close();
    await link.close();
    await central.close();
  });

  it('answers the sign-in on the truck, then hands the session to central before the ops', async () => {
    const laptop = await enrol(central, 'laptop-truck', { org, profile: 'room', roomId: null });
    await signIn(central, laptop, doctor.id); // her password at central…
    await post(central, '/api/logout', laptop, { staffId: doctor.id }); // …and she signed out
    await relay.relay!.refreshCredentials(); // the relay's last pass with coverage
    link.cut();
    const w = new Writer(laptop);
    // Made a while after her sign-out (beyond the clock tolerance): not covered.
    const op = w.validate(doctor.id, Date.now() + 30 * 60_000);
    expect((await w.push(relay, [op])).body.error).toBe('session_required');
    // She signs in on the truck: the relay checks the password hash central gave it.
    const login = await post(relay, '/api/login', laptop, {
      staffId: doctor.id,
      password: TEST_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect((await w.push(relay, [op])).status).toBe(200);
    expect(await relay.accounts.sessionsToHandOver(org)).toHaveLength(1);
    expect((await sessionsAt(central, laptop, doctor.id)).some((s) => s.endedAt === null)).toBe(
      false,
    );
    // Coverage again: one pass hands the session over, then forwards the op.
    link.restore();
    // A pass now, not at the end of the backoff the cut started (docs/protocol.md, Relay).
    await relay.relay!.syncNow(true);
    expect(relay.relay!.status.lastError).toBeNull();
    expect(await relay.accounts.sessionsToHandOver(org)).toEqual([]);
    const atCentral = await sessionsAt(central, laptop, doctor.id);
    const open = atCentral.filter((s) => s.endedAt === null);
    expect(open).toHaveLength(1);
    expect(open[0]).toEqual(
      (await sessionsAt(relay, laptop, doctor.id)).find((s) => s.id === open[0]!.id),
    );
    const [note] = await central.store.rowsByIds(org, 'consultation', [internNote.id]);
    expect(note!.status).toBe('validated');
    // The laptop reaching central directly is now signed in there too.
    expect((await w.push(central, [w.notePlan(doctor.id, 'Relu')])).status).toBe(200);
  });

  it('recognises on the truck a sign-in made at central', async () => {
    const laptop = await enrol(central, 'laptop-depot', { org, profile: 'room', roomId: null });
    await signIn(central, laptop, doctor.id);
    await relay.relay!.refreshCredentials();
    link.cut();
    const w = new Writer(laptop);
    expect((await w.push(relay, [w.notePlan(doctor.id, 'Dépôt')])).status).toBe(200);
    link.restore();
  });

  it('refuses a relay’s hand-over of another organisation’s sessions, and any other device', async () => {
    const relayDevice = await enrol(central, 'relay-other', { org, profile: 'relay' });
    const coordination = await enrol(central, 'coord-other', { org, profile: 'coordination' });
    const session: PersonSession = {
      id: 'abc',
      org: 'org-voisine',
      deviceId: 'x',
      staffId: doctor.id,
      from: 0,
      issuedAt: 0,
      expiresAt: Date.now() + DAY,
      endedAt: null,
    };
    expect(
      (await post(central, '/api/relay/sessions', relayDevice, { sessions: [session] })).status,
    ).toBe(403);
    expect(
      (
        await post(central, '/api/relay/sessions', coordination, {
          sessions: [{ ...session, org }],
        })
      ).status,
    ).toBe(403);
    expect(
      (await post(central, '/api/relay/sessions', relayDevice, { sessions: 'x' })).status,
    ).toBe(400);
    expect(await central.accounts.sessionsOf('org-voisine', 'x')).toEqual([]);
  });
});
