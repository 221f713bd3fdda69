// What a client written from docs/protocol.md alone found (issue #20 items 2 and 3), over real
// HTTP, on SQLite and PostgreSQL centrals behind a SQLite relay: a poison op (a sequence beyond
// a 32-bit integer, a NUL in a row id) is refused alike everywhere — never a 5xx — and never
// stops the truck; an op central refuses from a relay is quarantined, listed for the
// coordination, and holds back nothing; a room cannot make another room's restricted note its
// own by writing (moving its queue entry, declassifying it, tombstoning it).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newAddendum } from '../../src/domain/consultation';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential, seedStaff, signIn } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';
import { ORG } from './ops-factory';

const AUTHOR = 'staff-author';
const OTHER = 'staff-other';

class Device {
  private clock;
  seq = 0;
  constructor(readonly who: Enrolled) {
    this.clock = createClock(who.deviceId);
  }
  op(fields: Omit<Op, 'v' | 'org' | 'dev' | 'seq' | 'hlc'>): Op {
    const t = tick(this.clock, Date.now());
    this.clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org: ORG,
      dev: this.who.deviceId,
      seq: ++this.seq,
      hlc: t.hlc,
      ...fields,
    };
  }
  set(e: string, id: string, f: string, val: unknown, user?: string): Op {
    return this.op({ e, id, f, k: 'set', val, base: [], ...(user ? { user } : {}) });
  }
}

async function sync(server: TestServer, who: Enrolled, ops: Op[], since = 0) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...who.headers },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId: who.deviceId,
      since,
      ops,
    }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

async function pullAll(server: TestServer, who: Enrolled): Promise<Op[]> {
  const ops: Op[] = [];
  let since = 0;
  for (;;) {
    const page = (await sync(server, who, [], since)).body as unknown as SyncResponse;
    ops.push(...page.ops.map((x) => x.op));
    since = page.lastSeq;
    if (!page.hasMore) return ops;
  }
}

async function quarantine(server: TestServer, who: Enrolled) {
  const res = await fetch(`${server.url}/api/quarantine`, { headers: who.headers });
  return { status: res.status, body: (await res.json()) as { ops: Record<string, unknown>[] } };
}

/** A note of `room` (restricted when `cls` says so), its queue entry held there. */
function noteOps(d: Device, id: string, room: string, cls: string, status = 'draft'): Op[] {
  const entry = `q-${id}`;
  return [
    d.set('queueEntry', entry, 'roomId', room),
    d.set('queueEntry', entry, 'status', { status: 'in_consultation', epoch: 0, rank: 2 }),
    d.set('consultation', id, 'queueEntryId', entry, AUTHOR),
    d.set('consultation', id, 'roomId', room, AUTHOR),
    d.set('consultation', id, 'patientId', `p-${id}`, AUTHOR),
    d.set('consultation', id, 'serviceId', 'svc-mg', AUTHOR),
    d.set('consultation', id, 'authorId', AUTHOR, AUTHOR),
    d.set('consultation', id, 'confidentiality', cls, AUTHOR),
    d.set('consultation', id, 'plan', 'Revoir', AUTHOR),
    d.set('consultation', id, 'status', status, AUTHOR),
  ];
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`trust between devices, relay and central (${kind} central)`, () => {
    let central: TestServer;
    let relay: TestServer;
    let link: Link;
    let office: Enrolled;
    let box1: Enrolled;
    let box2: Enrolled;
    let tablet: Enrolled;

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await seedStaff(central.store, ORG, [AUTHOR, OTHER]);
      await central.store.push(
        ORG,
        rowsToOps(ORG, 'seed-rooms', {
          room: ['box-1', 'box-2'].map((id) => ({
            id,
            orgId: ORG,
            name: id,
            kind: 'gp_box',
          })) as never,
        }),
      );
      link = await startLink(central.url);
      relay = await startTestServer({
        store: 'sqlite',
        upstream: link.url,
        relayCredential: await relayCredential(central),
        relayIntervalMs: 100,
      });
      office = await enrol(central, 'office', { profile: 'coordination' });
      box1 = await enrol(central, 'laptop-box1', { profile: 'room', roomId: 'box-1' });
      box2 = await enrol(central, 'laptop-box2', { profile: 'room', roomId: 'box-2' });
      tablet = await enrol(central, 'tablet', { profile: 'reception' });
      // The people these tests stamp hold sessions on the devices (docs/decisions/0006).
      for (const d of [office, box1, box2, tablet]) await signIn(central, d, AUTHOR, OTHER);
      await relay.relay!.refreshCredentials();
      await relay.relay!.syncNow(true);
    });
    afterAll(async () => {
      await relay.close();
      await link.close();
      await central.close();
    });

    it('refuses a poison op alike on the relay and on central, naming it, and sets it apart', async () => {
      const d = new Device(box1);
      const good = d.set('queueEntry', 'q-poison', 'endReason', 'ok', AUTHOR);
      const huge = { ...good, seq: 2 ** 31 }; // a sequence no store holds: never the device's
      const nul = d.set('queueEntry', 'q\u0000poison', 'endReason', 'x', AUTHOR);
      for (const server of [relay, central]) {
        for (const poison of [huge, nul]) {
          const res = await sync(server, box1, [good, poison]);
          expect(res.status).toBe(400);
          expect(res.body.error).toBe('invalid_request');
          expect(res.body.details).toMatchObject({ index: 1 });
        }
      }
      // A NUL in a value is refused by the shared schema too, as an op: named and set apart.
      const nulValue = d.set('queueEntry', 'q-poison', 'endReason', 'a\u0000b', AUTHOR);
      // Central first: what the relay refuses it passes on to central, which would then hold
      // it as quarantined and answer a retry of it as it answers any op it holds.
      for (const server of [central, relay]) {
        const res = await sync(server, box1, [good, nulValue]);
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_op');
        expect(res.body.details).toMatchObject({ dev: 'laptop-box1', seq: nulValue.seq });
        // Nothing of the batch was stored; the refused ops count as held, so the device's
        // next push (without them) is acknowledged past them.
        const next = await sync(server, box1, [good]);
        expect(next.status).toBe(200);
        expect(next.body.accepted).toBe(nulValue.seq);
        expect(await server.store.lastSeq(ORG)).toBeGreaterThan(0);
      }
      const listed = await quarantine(central, office);
      expect(listed.status).toBe(200);
      expect(listed.body.ops).toContainEqual(
        expect.objectContaining({ dev: 'laptop-box1', seq: nulValue.seq, error: 'invalid_op' }),
      );
      expect((await quarantine(central, box1)).status).toBe(403);
      // The truck goes on: another device's five ops pushed to the relay after the poison all
      // reach central (before, 0 of 5 after a minute).
      const steady = await enrol(central, 'tablet-steady', { profile: 'reception' });
      await relay.relay!.refreshCredentials();
      const t = new Device(steady);
      const five = [1, 2, 3, 4, 5].map((n) => t.set('queueEntry', `q-steady-${n}`, 'position', n));
      expect((await sync(relay, steady, five)).status).toBe(200);
      await vi.waitFor(
        async () => expect(await central.store.contiguous(ORG, 'tablet-steady')).toBe(5),
        { timeout: 15_000 },
      );
      expect(relay.relay!.status.lastError).toBeNull();
    });

    it('quarantines at central what a relay accepted on an older state, and forwards the rest', async () => {
      const writer = await enrol(central, 'laptop-box1-q', { profile: 'room', roomId: 'box-1' });
      await signIn(central, writer, AUTHOR, OTHER);
      await relay.relay!.refreshCredentials();
      const d1 = new Device(writer);
      const created = noteOps(d1, 'c-signed', 'box-1', 'standard');
      expect((await sync(central, writer, created)).status).toBe(200);
      await relay.relay!.syncNow(true);
      link.cut();
      // Central learns the note is signed; the truck does not, and edits it.
      expect(
        (
          await sync(central, office, [
            new Device(office).set('consultation', 'c-signed', 'status', 'validated', AUTHOR),
          ])
        ).status,
      ).toBe(200);
      const edit = d1.set('consultation', 'c-signed', 'plan', 'Changé après signature', AUTHOR);
      expect((await sync(relay, writer, [edit])).status).toBe(200);
      const t = new Device(tablet);
      const reception = [
        t.set('queueEntry', 'q-reception', 'endReason', 'parti'),
        t.set('queueEntry', 'q-reception', 'position', 3),
      ];
      expect((await sync(relay, tablet, reception)).status).toBe(200);
      link.restore();
      await vi.waitFor(async () => expect(await central.store.contiguous(ORG, 'tablet')).toBe(2), {
        timeout: 15_000,
      });
      // The edit is held for contiguity, never applied nor pulled, and listed with its reason.
      await vi.waitFor(
        async () => expect(await central.store.contiguous(ORG, 'laptop-box1-q')).toBe(edit.seq),
        { timeout: 15_000 },
      );
      const [note] = await central.store.rowsByIds(ORG, 'consultation', ['c-signed']);
      expect(note?.plan).toBe('Revoir');
      expect((await pullAll(central, office)).some((op) => op.hlc === edit.hlc)).toBe(false);
      const listed = await quarantine(central, office);
      expect(listed.body.ops).toContainEqual(
        expect.objectContaining({
          dev: 'laptop-box1-q',
          seq: edit.seq,
          deviceName: 'Test laptop-box1-q',
          error: 'forbidden_op',
          reason: expect.stringMatching(/Note signée/),
        }),
      );
    });

    it('takes back at the relay, and tells the truck, what central refused after the relay accepted it', async () => {
      // Found by the simulation (seed 2028, `--room-joiner --truck-coordination`, decision 0033):
      // the relay, refilling after losing its disk, did not hold the signature and took an edit
      // of a signed note; central refused it, and the relay kept it in its log and rows — every
      // truck device showed an edit central refused, and its writer was never told.
      const writer = await enrol(central, 'laptop-box1-back', { profile: 'room', roomId: 'box-1' });
      // The coordinating doctor's tablet on the truck: the whole organisation, from the relay.
      const truck = await enrol(central, 'tablet-truck', { profile: 'coordination' });
      // The coordination at central signs (a device of its own: its ops start at 1).
      const signer = await enrol(central, 'office-sign', { profile: 'coordination' });
      for (const d of [writer, truck, signer]) await signIn(central, d, AUTHOR, OTHER);
      await relay.relay!.refreshCredentials();
      const d1 = new Device(writer);
      const created = noteOps(d1, 'c-back', 'box-1', 'standard');
      expect((await sync(central, writer, created)).status).toBe(200);
      await relay.relay!.syncNow(true);
      link.cut();
      expect(
        (
          await sync(central, signer, [
            new Device(signer).set('consultation', 'c-back', 'status', 'validated', AUTHOR),
          ])
        ).status,
      ).toBe(200);
      const edit = d1.set('consultation', 'c-back', 'plan', 'Changé après signature', AUTHOR);
      expect((await sync(relay, writer, [edit])).status).toBe(200);
      // The tablet on the truck pulled the edit from the relay before central was reached.
      const before = (await sync(relay, truck, [])).body as unknown as SyncResponse;
      expect(before.ops.some((x) => x.op.dev === writer.deviceId && x.op.seq === edit.seq)).toBe(
        true,
      );
      link.restore();
      await vi.waitFor(
        async () => expect(await central.store.contiguous(ORG, 'laptop-box1-back')).toBe(edit.seq),
        { timeout: 15_000 },
      );
      await relay.relay!.syncNow(true);
      // The relay holds what central holds: the signed note without the refused edit, and the
      // edit set apart with central's reason.
      const [atRelay] = await relay.store.rowsByIds(ORG, 'consultation', ['c-back']);
      expect(atRelay?.plan).toBe('Revoir');
      expect(atRelay?.status).toBe('validated');
      const [atCentral] = await central.store.rowStatesByIds(ORG, 'consultation', ['c-back']);
      const [stateAtRelay] = await relay.store.rowStatesByIds(ORG, 'consultation', ['c-back']);
      expect(stateAtRelay).toEqual(atCentral);
      const [aside] = await relay.store.quarantinedAmong(ORG, [
        { dev: 'laptop-box1-back', seq: edit.seq },
      ]);
      expect(aside?.reason).toMatch(/signée/);
      expect(
        (await pullAll(relay, truck)).some(
          (op) => op.dev === writer.deviceId && op.seq === edit.seq,
        ),
      ).toBe(false);
      // The writer is told which of its ops, and why; the tablet, which pulled it, which row.
      const told = (await sync(relay, writer, [], before.lastSeq)).body as unknown as SyncResponse;
      const mine = told.retracted?.find((r) => r.dev === 'laptop-box1-back');
      expect(mine).toMatchObject({ e: 'consultation', id: 'c-back', seq: edit.seq });
      expect(mine?.reason).toMatch(/signée/);
      const seen = (await sync(relay, truck, [], before.lastSeq)).body as unknown as SyncResponse;
      const row = seen.retracted?.find((r) => r.id === 'c-back');
      expect(row).toMatchObject({ e: 'consultation' });
      expect(row?.s).toBeLessThanOrEqual(before.lastSeq);
      // Another device is not told whose op nor why.
      expect(row?.dev).toBeUndefined();
      expect(row?.reason).toBeUndefined();
      // Once taken into account (echoed), it is not listed again.
      const again = await fetch(`${relay.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...truck.headers },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: truck.deviceId,
          since: before.lastSeq,
          ops: [],
          retracted: row!.n,
        }),
      });
      expect(((await again.json()) as SyncResponse).retracted).toBeUndefined();
    });

    it('gives a refusal whose answer was lost again: the retry of an op set apart is refused naming it, never a 200', async () => {
      // Otherwise the device counts the op as held (`accepted` moves past it), drops it once
      // durable, and keeps showing its value: what it typed lost, silently.
      const reception = await enrol(central, 'tablet-retry', { profile: 'reception' });
      await signIn(central, reception, AUTHOR);
      await relay.relay!.refreshCredentials();
      const d = new Device(reception);
      const note = d.set('consultation', 'c-retry', 'plan', 'Pas pour l’accueil', AUTHOR);
      for (const server of [central, relay]) {
        const first = await sync(server, reception, [note]);
        expect(first.status).toBe(403);
        // The answer is lost: the device sends the same op again.
        const retry = await sync(server, reception, [note]);
        expect(retry.status).toBe(403);
        expect(retry.body.details).toMatchObject({ dev: 'tablet-retry', seq: note.seq });
        expect(retry.body.message).toBe(first.body.message);
      }
    });

    it('counts at central what the relay refused from a device: the device’s later ops become durable', async () => {
      // Found by the simulation: the relay set a device's refused op apart, but central never
      // heard of it, so none of the device's later ops were ever contiguous, hence durable, at
      // central — the device kept them and showed « en attente du central » for ever.
      const who = await enrol(central, 'laptop-relay-only', { profile: 'room', roomId: 'box-1' });
      await signIn(central, who, AUTHOR);
      await relay.relay!.refreshCredentials();
      const d = new Device(who);
      const first = d.set('queueEntry', 'q-relay-only', 'endReason', 'un', AUTHOR);
      const bad = d.set('queueEntry', 'q-relay-only', 'endReason', 'a\u0000b', AUTHOR);
      const later = d.set('queueEntry', 'q-relay-only', 'position', 4, AUTHOR);
      const refused = await sync(relay, who, [first, bad]);
      expect(refused.status).toBe(400);
      expect(refused.body.details).toMatchObject({ seq: bad.seq });
      const next = await sync(relay, who, [first, later]);
      expect(next.status).toBe(200);
      expect(next.body.accepted).toBe(later.seq);
      await relay.relay!.syncNow(true);
      await vi.waitFor(
        async () =>
          expect(await central.store.contiguous(ORG, 'laptop-relay-only')).toBe(later.seq),
        { timeout: 15_000 },
      );
      const answer = await sync(relay, who, []);
      expect(answer.body.durable).toBe(later.seq);
      const listed = await quarantine(central, office);
      expect(listed.body.ops).toContainEqual(
        expect.objectContaining({ dev: 'laptop-relay-only', seq: bad.seq, error: 'invalid_op' }),
      );
      const [row] = await central.store.rowsByIds(ORG, 'queueEntry', ['q-relay-only']);
      expect(row?.endReason).toBe('un');
    });

    it('a room cannot take another room’s restricted note by writing', async () => {
      const d1 = new Device(box1);
      d1.seq = 200;
      expect(
        (await sync(central, box1, noteOps(d1, 'c-secret', 'box-1', 'sexual_health'))).status,
      ).toBe(200);
      expect(
        (
          await sync(central, box1, [
            d1.op({
              e: 'addendum',
              id: 'a-secret',
              f: '*',
              k: 'ins',
              user: AUTHOR,
              // A hashed addendum (schema 6) of an autonomous author.
              val: (({ id: _id, ...rest }) => rest)(
                newAddendum(
                  {
                    id: 'a-secret',
                    orgId: ORG,
                    consultationId: 'c-secret',
                    at: '2026-12-03T10:00:00.000Z',
                    text: 'Suite',
                  },
                  { id: AUTHOR, supervisorId: null },
                ),
              ),
            }),
          ])
        ).status,
      ).toBe(200);
      const d2 = new Device(box2);
      // Taking the patient into box 2 (a stale view, or on purpose) is the day's flow: accepted,
      // and named by the day's contradictions. It does not hand box 2 the note.
      expect(
        (await sync(central, box2, [d2.set('queueEntry', 'q-c-secret', 'roomId', 'box-2', OTHER)]))
          .status,
      ).toBe(200);
      const attempts = [
        d2.set('consultation', 'c-secret', 'roomId', 'box-2', OTHER),
        d2.set('consultation', 'c-secret', 'confidentiality', 'standard', OTHER),
        d2.op({
          e: 'consultation',
          id: 'c-secret',
          f: '_deleted',
          k: 'del',
          val: true,
          base: [],
          user: OTHER,
        }),
        d2.set('consultation', 'c-secret', 'queueEntryId', 'q-box2', OTHER),
      ];
      for (const attempt of attempts) {
        const res = await sync(central, box2, [attempt]);
        expect(res.status, JSON.stringify(res.body)).toBe(403);
        expect(res.body.error).toBe('forbidden_op');
        expect(res.body.details).toMatchObject({ dev: 'laptop-box2', seq: attempt.seq });
      }
      const seen = await pullAll(central, box2);
      expect(seen.some((op) => op.id === 'c-secret' || op.id === 'a-secret')).toBe(false);
      const [note] = await central.store.rowsByIds(ORG, 'consultation', ['c-secret']);
      expect(note).toMatchObject({ confidentiality: 'sexual_health', _deleted: false });
      // The room that holds it still sees it (another device of that room).
      const box1b = await enrol(central, 'laptop-box1b', { profile: 'room', roomId: 'box-1' });
      await signIn(central, box1b, AUTHOR, OTHER);
      expect((await pullAll(central, box1b)).some((op) => op.id === 'a-secret')).toBe(true);
    });

    it('parks ops of a newer schema from a relay only; a device, the display included, is refused', async () => {
      const display = await enrol(central, 'screen', { profile: 'display' });
      const newerRelay = await relayCredential(central);
      const asRelay: Enrolled = {
        deviceId: newerRelay.relayId,
        org: ORG,
        token: newerRelay.token,
        profile: 'relay',
        headers: { authorization: `Bearer ${newerRelay.token}` },
      };
      await relay.relay!.refreshCredentials();
      const future = (d: Device) => ({
        ...d.set('room', 'room-future', 'name', 'Salle du futur'),
        v: SCHEMA_VERSION + 1,
        shape: { unknown: 'to this version' },
      });
      const before = await central.store.lastSeq(ORG);
      for (const who of [display, box1]) {
        const d = new Device(who);
        d.seq = 900; // beyond what the earlier tests sent as box1
        for (const server of [relay, central]) {
          const res = await sync(server, who, [future(d)]);
          expect(res.status, JSON.stringify(res.body)).toBe(403);
          expect(res.body.error).toBe('forbidden_op');
          expect(String(res.body.message)).toMatch(/version plus récente/);
        }
      }
      expect(await central.store.lastSeq(ORG)).toBe(before);
      // A relay of a newer version forwards what a newer device wrote: central keeps it verbatim,
      // applies nothing of it, and passes it on to those who may read rooms.
      const writer = await enrol(central, 'tablet-newer', { profile: 'reception' });
      const parked = future(new Device(writer));
      const res = await sync(central, asRelay, [parked]);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await central.store.rowsByIds(ORG, 'room', ['room-future'])).toEqual([]);
      expect((await pullAll(central, office)).find((op) => op.hlc === parked.hlc)).toEqual(parked);
    });

    it('lets the display write nothing and reception no clinical note, on either server', async () => {
      const screen = await enrol(central, 'screen-2', { profile: 'display' });
      const desk = await enrol(central, 'tablet-2', { profile: 'reception' });
      await signIn(central, desk, AUTHOR);
      await relay.relay!.refreshCredentials();
      const s = new Device(screen);
      const t = new Device(desk);
      const attempts: [Enrolled, Op][] = [
        [screen, s.set('queueEntry', 'q-screen', 'position', 1)],
        [screen, s.set('room', 'box-1', 'name', 'Renommée')],
        [desk, t.set('consultation', 'c-desk', 'plan', 'Rien', AUTHOR)],
        [desk, t.set('staff', AUTHOR, 'active', false)],
      ];
      const before = await central.store.lastSeq(ORG);
      // Central first: what the relay refuses it passes on to central, which then holds it as
      // quarantined and answers a retry of it as it answers any op it holds.
      for (const server of [central, relay]) {
        for (const [who, op] of attempts) {
          const res = await sync(server, who, [op]);
          expect(res.status, `${who.deviceId} ${op.e}`).toBe(403);
          expect(res.body.error).toBe('forbidden_op');
          expect(res.body.details).toMatchObject({ dev: who.deviceId, seq: op.seq, entity: op.e });
        }
      }
      expect(await central.store.lastSeq(ORG)).toBe(before);
    });

    it('declassifies or deletes a restricted note only by its author before signature, or the coordination', async () => {
      const room = await enrol(central, 'laptop-box1-c', { profile: 'room', roomId: 'box-1' });
      await signIn(central, room, AUTHOR, OTHER);
      const d = new Device(room);
      const o = new Device(office);
      o.seq = 500;
      const ok = async (who: Enrolled, op: Op) => {
        const res = await sync(central, who, [op]);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      };
      const refused = async (op: Op, reason: RegExp) => {
        const res = await sync(central, room, [op]);
        expect(res.status, JSON.stringify(res.body)).toBe(403);
        expect(String(res.body.message)).toMatch(reason);
      };
      const stored = async (id: string) =>
        (await central.store.rowsByIds(ORG, 'consultation', [id]))[0];

      // A draft: a colleague of the same room may not lift its confidentiality nor delete it;
      // its author may.
      for (const op of noteOps(d, 'c-draft', 'box-1', 'social')) await ok(room, op);
      await refused(
        d.set('consultation', 'c-draft', 'confidentiality', 'standard', OTHER),
        /Seul l’auteur de la note ou la coordination/,
      );
      await refused(
        d.op({
          e: 'consultation',
          id: 'c-draft',
          f: '_deleted',
          k: 'del',
          val: true,
          base: [],
          user: OTHER,
        }),
        /Seul l’auteur d’une note non signée ou la coordination/,
      );
      await ok(room, d.set('consultation', 'c-draft', 'confidentiality', 'standard', AUTHOR));
      expect((await stored('c-draft'))?.confidentiality).toBe('standard');
      for (const op of noteOps(d, 'c-draft2', 'box-1', 'sexual_health')) await ok(room, op);
      await ok(
        room,
        d.op({
          e: 'consultation',
          id: 'c-draft2',
          f: '_deleted',
          k: 'del',
          val: true,
          base: [],
          user: AUTHOR,
        }),
      );
      expect((await stored('c-draft2'))?._deleted).toBe(true);

      // Signed: not even its author; the coordination still may.
      for (const op of noteOps(d, 'c-sent', 'box-1', 'sexual_health', 'to_validate')) {
        await ok(room, op);
      }
      await refused(
        d.set('consultation', 'c-sent', 'confidentiality', 'standard', AUTHOR),
        /seule la coordination change encore sa confidentialité/,
      );
      await refused(
        d.op({
          e: 'consultation',
          id: 'c-sent',
          f: '_deleted',
          k: 'del',
          val: true,
          base: [],
          user: AUTHOR,
        }),
        /Seul l’auteur d’une note non signée ou la coordination/,
      );
      expect(await stored('c-sent')).toMatchObject({
        confidentiality: 'sexual_health',
        _deleted: false,
      });
      await ok(office, o.set('consultation', 'c-sent', 'confidentiality', 'standard', OTHER));
      await ok(
        office,
        o.op({
          e: 'consultation',
          id: 'c-sent',
          f: '_deleted',
          k: 'del',
          val: true,
          base: [],
          user: OTHER,
        }),
      );
      expect(await stored('c-sent')).toMatchObject({ confidentiality: 'standard', _deleted: true });
    });
  });
}
