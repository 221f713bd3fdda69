// Who reads what on the server's pull, per person (issue #21 item 1), over real HTTP on SQLite
// and PostgreSQL: a room device receives what the people who signed in on it may read
// (src/domain/reading.ts) — the social worker the transmission and never the note; a patient's
// objection keeps their notes from other clinicians; a bris de glace opens them for its
// duration, and the device pulls again from the start when it may read more.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { BREAK_GLASS_MS } from '../../src/domain/reading';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-11-30';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the pull per person (${kind})`, () => {
    const demo = buildDemoDataset({ today: TODAY });
    const org = demo.data.organisation[0]!.id;
    const staff = (p: string) => demo.data.staff.find((s) => s.profession === p)!;
    const social = staff('assistante_sociale');
    const midwife = staff('sage_femme');
    const dentist = staff('dentiste');
    const note = demo.data.consultation[0]!;
    const gp = demo.data.staff.find((s) => s.id === note.authorId)!;
    const [box1, box2, box3] = demo.data.room;
    let server: TestServer;

    async function sync(device: Enrolled, ops: Op[], since = 0, view?: string) {
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...device.headers },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org,
          deviceId: device.deviceId,
          since,
          ...(view ? { view } : {}),
          ops,
        }),
      });
      return { status: res.status, body: (await res.json()) as SyncResponse & { error?: string } };
    }

    /** Every op the device receives from `since`, whether the server said to start over, and
     * the reading view token it stores with its checkpoint (echoed on each page, as a device does). */
    async function pull(device: Enrolled, since = 0, view?: string) {
      const ops: Op[] = [];
      let reset = false;
      let at = since;
      let token = view;
      for (;;) {
        const { body } = await sync(device, [], at, token);
        reset ||= body.reset === true;
        ops.push(...body.ops.map((x) => x.op));
        at = body.lastSeq;
        token = body.view;
        if (!body.hasMore) return { ops, reset, lastSeq: at, view: token };
      }
    }

    const ofNote = (ops: Op[]) =>
      ops.filter(
        (op) =>
          (op.e === 'consultation' && op.id === note.id) ||
          (op.e !== 'transmission' &&
            op.k === 'ins' &&
            (op.val as { consultationId?: unknown }).consultationId === note.id),
      );
    const transmissions = (ops: Op[]) => ops.filter((op) => op.e === 'transmission');

    function writer(device: Enrolled) {
      let clock = createClock(device.deviceId);
      let seq = 0;
      return (user: string, e: string, val: Record<string, unknown>): Op => {
        const t = tick(clock, Date.now());
        clock = t.clock;
        return {
          v: SCHEMA_VERSION,
          org,
          dev: device.deviceId,
          seq: ++seq,
          hlc: t.hlc,
          user,
          e,
          id: uuidv7(),
          f: '*',
          k: 'ins',
          val: { orgId: org, ...val },
        };
      };
    }

    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      await server.store.push(org, rowsToOps(org, 'seed', demo.data));
      // The GP writes a transmission for the social worker from their note.
      const room = await enrol(server, 'gp-room', { org, profile: 'room', roomId: box1!.id });
      await signIn(server, room, gp.id);
      const op = writer(room);
      const res = await sync(room, [
        op(gp.id, 'transmission', {
          consultationId: note.id,
          patientId: note.patientId,
          authorId: gp.id,
          at: `${TODAY}T10:00:00.000Z`,
          text: 'Droits à la complémentaire à ouvrir.',
        }),
      ]);
      expect(res.status).toBe(200);
    });
    afterAll(() => server.close());

    it('gives a room where only the social worker signed in the transmission, never the note', async () => {
      const salle3 = await enrol(server, 'salle-3', { org, profile: 'room', roomId: box3!.id });
      await signIn(server, salle3, social.id);
      const { ops, lastSeq, view } = await pull(salle3);
      expect(transmissions(ops)).toHaveLength(1);
      expect(ofNote(ops)).toEqual([]);
      expect(ops.some((op) => op.e === 'consultation')).toBe(false);
      // The day's flow still reaches it (its patients are those of stops whose day is not over:
      // tests/server/replication-scope.test.ts; this demo's day is a fixed date, long past).
      expect(ops.some((op) => op.e === 'visit')).toBe(true);
      // The midwife signs in there in the morning: the device pulls again from the start and
      // now receives the standard notes she reads; the social worker still sees only her share
      // on screen (src/ui/consultation/ConsultationWorkspace.tsx).
      await signIn(server, salle3, midwife.id);
      const again = await pull(salle3, lastSeq, view);
      expect(again.reset).toBe(true);
      expect(ofNote(again.ops).length).toBeGreaterThan(0);
    });

    it('keeps an objecting patient’s notes from other clinicians, opened by a bris de glace', async () => {
      const reception = await enrol(server, 'accueil', { org, profile: 'reception' });
      const receptionist = staff('accueil');
      await signIn(server, reception, receptionist.id);
      const objection = await sync(reception, [
        writer(reception)(receptionist.id, 'sharingObjection', {
          patientId: note.patientId,
          staffId: receptionist.id,
          at: new Date().toISOString(),
          objects: true,
        }),
      ]);
      expect(objection.status).toBe(200);
      const box = await enrol(server, 'dentist-room', { org, profile: 'room', roomId: box2!.id });
      await signIn(server, box, dentist.id);
      const first = await pull(box);
      expect(ofNote(first.ops)).toEqual([]);
      // Other patients' standard notes still reach her.
      expect(first.ops.some((op) => op.e === 'consultation')).toBe(true);
      const op = writer(box);
      const at = new Date(Date.now() - 60_000);
      const glass = (user: string, until = new Date(at.getTime() + BREAK_GLASS_MS)) =>
        op(user, 'breakGlass', {
          patientId: note.patientId,
          staffId: user,
          at: at.toISOString(),
          until: until.toISOString(),
          reason: 'urgence_vitale',
          comment: null,
        });
      // Longer than four hours: refused, nothing stored.
      const tooLong = await sync(box, [
        glass(dentist.id, new Date(at.getTime() + BREAK_GLASS_MS + 60_000)),
      ]);
      expect(tooLong.status).toBe(403);
      // The answer to the push that records it already starts the pull over.
      const opened = await sync(box, [glass(dentist.id)], first.lastSeq, first.view);
      expect(opened.status).toBe(200);
      expect(opened.body.reset).toBe(true);
      const rest = opened.body.hasMore
        ? await pull(box, opened.body.lastSeq, opened.body.view)
        : { ops: [] };
      const after = [...opened.body.ops.map((x) => x.op), ...rest.ops];
      expect(ofNote(after).length).toBeGreaterThan(0);
    });

    it('brings a note left out whole once the device may read it, even if that answer is lost', async () => {
      // The patient objects (previous case): the midwife's room is left without the note.
      const salle = await enrol(server, 'salle-sf', { org, profile: 'room', roomId: box2!.id });
      await signIn(server, salle, midwife.id);
      const first = await pull(salle);
      expect(ofNote(first.ops)).toEqual([]);
      // Nothing new to read: the device goes on from its checkpoint.
      const quiet = await pull(salle, first.lastSeq, first.view);
      expect(quiet.reset).toBe(false);
      // The patient withdraws the objection at reception.
      const reception = await enrol(server, 'accueil-2', { org, profile: 'reception' });
      const receptionist = staff('accueil');
      await signIn(server, reception, receptionist.id);
      const withdrawn = await sync(reception, [
        writer(reception)(receptionist.id, 'sharingObjection', {
          patientId: note.patientId,
          staffId: receptionist.id,
          at: new Date(Date.now() + 1000).toISOString(),
          objects: false,
        }),
      ]);
      expect(withdrawn.status).toBe(200);
      // The answer that starts over is lost on the way: the device still holds the old token,
      // so the next pull starts over again; the note's ops from before the checkpoint reach it.
      const lost = await pull(salle, quiet.lastSeq, quiet.view);
      expect(lost.reset).toBe(true);
      const again = await pull(salle, quiet.lastSeq, quiet.view);
      expect(again.reset).toBe(true);
      expect(ofNote(again.ops).length).toBeGreaterThan(0);
      // From its first field on: the note is whole on the device.
      expect(ofNote(again.ops).some((op) => op.e === 'consultation' && op.f === 'authorId')).toBe(
        true,
      );
      // Applied and stored with its checkpoint: the device goes on from there.
      const after = await pull(salle, again.lastSeq, again.view);
      expect(after.reset).toBe(false);
    });

    it('refuses a bris de glace declared by the social roles', async () => {
      const salle = await enrol(server, 'salle-social', { org, profile: 'room', roomId: box3!.id });
      await signIn(server, salle, social.id);
      const now = new Date();
      const res = await sync(salle, [
        writer(salle)(social.id, 'breakGlass', {
          patientId: note.patientId,
          staffId: social.id,
          at: now.toISOString(),
          until: new Date(now.getTime() + 60_000).toISOString(),
          reason: 'autre',
          comment: null,
        }),
      ]);
      expect(res.status).toBe(403);
    });
  });
}
