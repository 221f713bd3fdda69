// The past record on demand (issue #15 item 3, docs/protocol.md « Dossier antérieur à la
// demande »), over real HTTP on SQLite and PostgreSQL, through a relay on a cuttable link: who
// gets what (per device profile and room, per person signed in), who gets 403, the audit of every
// read (references and counts, never the text), a relay answering with no coverage from what it
// holds, asking central when it holds nothing of the patient, and saying so when it cannot.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, Consultation, Patient, Vitals } from '../../src/domain/entities';
import type { PastRecord } from '../../src/domain/patient-record';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import type { RecordAnswer } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential, signIn } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-12-04';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const staffBy = (last: string) => demo.data.staff.find((s) => s.lastName === last)!;
const coordinator = staffBy('Morvan');
const intern = staffBy('Garnier');
const midwife = staffBy('Fontaine');
const receptionist = staffBy('Leroy');
const box1 = demo.data.room[0]!;
const box2 = demo.data.room[1]!;
const sf = demo.data.service.find((s) => s.code === 'SF')!;
// A returning patient of the demo (notes of earlier stops), given an allergy in the summary.
const patientId = demo.data.consultation[0]!.patientId;
const allergy = { ...demo.data.allergy[0]!, id: uuidv7(), patientId };
const patient = demo.data.patient.find((p) => p.id === patientId)!;
const standardNotes = demo.data.consultation.filter((c) => c.patientId === patientId);

// A restricted note (sexual health) held in box 2, with its vitals; a duplicate identity merged
// into the patient, with a visit and a standard note of its own.
const restricted: Consultation = {
  ...standardNotes[0]!,
  id: uuidv7(),
  serviceId: sf.id,
  authorId: midwife.id,
  supervisorId: null,
  motif: 'MOTIF-RESERVE contraception',
  assessment: 'TEXTE-RESERVE',
  confidentiality: 'sexual_health',
  roomId: box2.id,
};
const restrictedVitals: Vitals = {
  id: uuidv7(),
  orgId: org,
  consultationId: restricted.id,
  patientId,
  takenAt: restricted.createdAt,
  authorId: midwife.id,
  systolic: 121,
  diastolic: 70,
  heartRate: null,
  temperature: null,
  spo2: null,
  weightKg: null,
  heightCm: null,
};
const duplicate: Patient = {
  ...patient,
  id: uuidv7(),
  birthName: `${patient.birthName}X`,
  mergedInto: patientId,
};
const duplicateVisit = {
  ...demo.data.visit.find((v) => v.id === standardNotes[0]!.visitId)!,
  id: uuidv7(),
  patientId: duplicate.id,
};
const duplicateNote: Consultation = {
  ...standardNotes[0]!,
  id: uuidv7(),
  patientId: duplicate.id,
  visitId: duplicateVisit.id,
  motif: 'Note du doublon',
};
// A patient central learns of after the relay's last pass.
const newcomer: Patient = { ...patient, id: uuidv7(), birthName: 'NOUVEAU', mergedInto: null };

async function ask(
  target: TestServer,
  device: Enrolled,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${target.url}/api/record`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...device.headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const recordOf = (answer: { body: Record<string, unknown> }) =>
  (answer.body as unknown as RecordAnswer<PastRecord>).record;

async function audits(server: TestServer): Promise<AuditEvent[]> {
  return ((await server.store.rows(org, 'audit')) as unknown as AuditEvent[]).filter(
    (a) => a.action === 'record.fetched',
  );
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the past record on demand (${kind} central)`, () => {
    let central: TestServer;
    let relay: TestServer;
    let link: Link;
    let room1: Enrolled;
    let room2: Enrolled;
    let coordination: Enrolled;

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await central.store.push(org, rowsToOps(org, 'seed', demo.data));
      await central.store.push(
        org,
        rowsToOps(org, 'seed-record', {
          patient: [duplicate],
          visit: [duplicateVisit],
          consultation: [restricted, duplicateNote],
          vitals: [restrictedVitals],
          allergy: [allergy],
        }),
      );
      room1 = await enrol(central, `box-1-${kind}`, { org, profile: 'room', roomId: box1.id });
      room2 = await enrol(central, `box-2-${kind}`, { org, profile: 'room', roomId: box2.id });
      coordination = await enrol(central, `coord-${kind}`, { org, profile: 'coordination' });
      await signIn(central, room1, intern.id, midwife.id, receptionist.id);
      await signIn(central, room2, midwife.id);
      await signIn(central, coordination, coordinator.id);
      link = await startLink(central.url);
      relay = await startTestServer({
        store: 'sqlite',
        upstream: link.url,
        relayCredential: await relayCredential(central, org),
        // Passes only when the test asks: what the relay holds is what the test made it hold.
        relayIntervalMs: 3_600_000,
      });
      await relay.relay!.syncNow(true);
      await relay.relay!.refreshCredentials();
    }, 60_000);
    afterAll(async () => {
      await relay.close();
      await link.close();
      await central.close();
    });

    it('gives a room’s clinician the standard notes, the merged identity’s and the summary, never a restricted note held elsewhere', async () => {
      const answer = await ask(central, room1, { org, patientId, staffId: intern.id });
      expect(answer.status).toBe(200);
      expect(answer.body.source).toBe('central');
      const record = recordOf(answer);
      expect(record.patient?.id).toBe(patientId);
      const notes = record.consultations.map((c) => c.id);
      for (const c of standardNotes) expect(notes).toContain(c.id);
      expect(notes).toContain(duplicateNote.id);
      expect(notes).not.toContain(restricted.id);
      expect(record.vitals.map((v) => v.id)).not.toContain(restrictedVitals.id);
      expect(record.visits.map((v) => v.id)).toContain(duplicateVisit.id);
      expect(record.allergies.map((a) => a.id)).toContain(allergy.id);
      expect(JSON.stringify(answer.body)).not.toContain('TEXTE-RESERVE');
      // Asked by the merged identity's id: the survivor's record.
      const merged = await ask(central, room1, {
        org,
        patientId: duplicate.id,
        staffId: intern.id,
      });
      expect(recordOf(merged).patientId).toBe(patientId);
      expect(recordOf(merged).consultations.map((c) => c.id)).toEqual(notes);
    });

    it('gives the restricted note to the midwife in the room holding it, not in another room; the coordination reads it', async () => {
      const inBox2 = recordOf(await ask(central, room2, { org, patientId, staffId: midwife.id }));
      expect(inBox2.consultations.map((c) => c.id)).toContain(restricted.id);
      expect(inBox2.vitals.map((v) => v.id)).toContain(restrictedVitals.id);
      // Restricted notes reach the room holding them only, whoever is signed in elsewhere.
      const inBox1 = recordOf(await ask(central, room1, { org, patientId, staffId: midwife.id }));
      expect(inBox1.consultations.map((c) => c.id)).not.toContain(restricted.id);
      const coord = recordOf(
        await ask(central, coordination, { org, patientId, staffId: coordinator.id }),
      );
      expect(coord.consultations.map((c) => c.id)).toContain(restricted.id);
    });

    it('refuses reception, the display, a person with no clinical role, a person not signed in there and another device’s request', async () => {
      const reception = await enrol(central, `tab-${kind}`, { org, profile: 'reception' });
      await signIn(central, reception, coordinator.id);
      const display = await enrol(central, `tv-${kind}`, { org, profile: 'display' });
      const cases: [Enrolled, Record<string, unknown>, number, RegExp][] = [
        [reception, { staffId: coordinator.id }, 403, /réservé aux salles/],
        [display, { staffId: coordinator.id }, 403, /réservé aux salles/],
        [room1, { staffId: receptionist.id }, 403, /réservé aux soignants/],
        [room1, { staffId: coordinator.id }, 403, /Reconnectez-vous/],
        [room2, { staffId: intern.id }, 403, /Reconnectez-vous/],
        [room1, { staffId: intern.id, deviceId: room2.deviceId }, 403, /pour lui-même/],
        [room1, { staffId: 'personne' }, 403, /Personne inconnue/],
        [room1, { staffId: intern.id, org: 'autre-org' }, 403, /autre organisation/],
        [room1, { staffId: intern.id, patientId: '' }, 400, /invalide/],
        [room1, { staffId: intern.id, patientId: 'inconnu' }, 404, /Patient inconnu/],
      ];
      const before = (await audits(central)).length;
      for (const [device, body, status, message] of cases) {
        const answer = await ask(central, device, { org, patientId, ...body });
        expect([answer.status, answer.body.message]).toEqual([
          status,
          expect.stringMatching(message),
        ]);
        expect(JSON.stringify(answer.body)).not.toContain(patient.birthName);
      }
      // Nothing read, nothing audited.
      expect((await audits(central)).length).toBe(before);
    });

    it('audits each read at central: device, person and patient, counts only', async () => {
      const before = (await audits(central)).length;
      await ask(central, room2, { org, patientId, staffId: midwife.id });
      const events = await audits(central);
      expect(events.length).toBe(before + 1);
      const last = events.find((a) => a.deviceId === room2.deviceId && a.actorId === midwife.id)!;
      expect(last).toMatchObject({ entity: 'patient', entityId: patientId });
      expect(last.detail).toMatch(
        /^dossier antérieur \(central\) : \d+ passage\(s\), \d+ note\(s\)/,
      );
      expect(last.detail).not.toContain('MOTIF-RESERVE');
      expect(last.detail).not.toContain(patient.birthName);
    });

    it('through the relay with no coverage: answered from what the relay holds, audited there and forwarded', async () => {
      link.cut();
      const answer = await ask(relay, room1, { org, patientId, staffId: intern.id });
      expect(answer.status).toBe(200);
      expect(answer.body.source).toBe('relay');
      const notes = recordOf(answer).consultations.map((c) => c.id);
      expect(notes).toContain(duplicateNote.id);
      expect(notes).not.toContain(restricted.id);
      const local = await audits(relay);
      expect(local.some((a) => a.deviceId === room1.deviceId && a.actorId === intern.id)).toBe(
        true,
      );
      // The relay's events reach central under the relay's own origin.
      const relayed = (await relay.store.devices(org)).map((d) => d.dev);
      expect(relayed.some((d) => d.startsWith('server.audit.'))).toBe(true);
      // Reception stays refused on the relay too.
      const reception = await enrol(central, `tab-relay-${kind}`, { org, profile: 'reception' });
      link.restore();
      await relay.relay!.refreshCredentials();
      link.cut();
      const refused = await ask(relay, reception, { org, patientId, staffId: coordinator.id });
      expect(refused.status).toBe(403);
      link.restore();
      // At once, not after the backoff the cut link left (the relay retries on its own later).
      await relay.relay!.syncNow(true);
      const atCentral = await audits(central);
      expect(
        atCentral.some((a) => a.deviceId === room1.deviceId && a.detail?.includes('relais')),
      ).toBe(true);
    });

    it('asks central when the relay holds nothing of the patient, and says so when central is out of reach', async () => {
      await central.store.push(org, rowsToOps(org, 'seed-newcomer', { patient: [newcomer] }));
      link.cut();
      const unreachable = await ask(relay, room1, {
        org,
        patientId: newcomer.id,
        staffId: intern.id,
      });
      expect(unreachable.status).toBe(503);
      expect(String(unreachable.body.message)).toMatch(
        /ne détient pas ce dossier et le serveur central est injoignable/,
      );
      link.restore();
      const before = (await audits(central)).length;
      const answer = await ask(relay, room1, { org, patientId: newcomer.id, staffId: intern.id });
      expect(answer.status).toBe(200);
      expect(answer.body.source).toBe('central');
      expect(recordOf(answer).patient?.birthName).toBe('NOUVEAU');
      expect((await audits(central)).length).toBe(before + 1);
      // Central judges the device a relay asks for as that device: reception is refused, a room
      // served; a relay asking for no device, or for another relay, is refused.
      const reception = await enrol(central, `tab-central-${kind}`, { org, profile: 'reception' });
      const asRelay = await enrol(central, `relay-asking-${kind}`, { org, profile: 'relay' });
      const forDevice = (deviceId: string | undefined, staffId: string) =>
        ask(central, asRelay, { org, patientId, staffId, ...(deviceId ? { deviceId } : {}) });
      expect((await forDevice(reception.deviceId, coordinator.id)).status).toBe(403);
      expect((await forDevice(undefined, intern.id)).status).toBe(403);
      expect((await forDevice(asRelay.deviceId, intern.id)).status).toBe(403);
      const served = await forDevice(room1.deviceId, intern.id);
      expect(served.status).toBe(200);
      expect(recordOf(served).consultations.map((c) => c.id)).not.toContain(restricted.id);
    });
  });
}
