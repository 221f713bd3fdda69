// The past record on demand in the room (issue #15 item 3): a patient this laptop purged after a
// day's receipt is asked of the servers as soon as the note opens, shown read-only, audited on the
// device with references only, and never written to the device's database; out of reach, the
// room says so in French and may try again; a refusal is the server's French sentence; a patient
// the laptop still holds is asked for only on request.

import { readFileSync } from 'node:fs';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { forgetPastRecords } from '../../src/device/past-record';
import type { Allergy, Consultation, Patient, Vaccination } from '../../src/domain/entities';
import type { PastRecord } from '../../src/domain/patient-record';
import { TERMINOLOGY_URL } from '../../src/ui/consultation/consultation-data';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { openDraftInBox1 } from './note-fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

const CATALOGUE = readFileSync('public/terminology/catalogue.json', 'utf8');

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const NOTE = 'note-today';
const org = () => demo.day.stop!.orgId;

async function openNote(): Promise<Patient> {
  const visit = await openDraftInBox1(db, demo, NOTE);
  return (await db.rows('patient').get(visit.patientId))!;
}

/** As the purge after a receipt leaves it: the identity gone, its key remembered. */
async function purge(patient: Patient) {
  await db.rows('patient').delete(patient.id);
  await db.purged.put({ e: 'patient', id: patient.id });
}

function recordFor(patient: Patient): PastRecord {
  const past: Consultation = {
    id: 'note-2025',
    orgId: org(),
    queueEntryId: 'q-2025',
    visitId: 'v-2025',
    patientId: patient.id,
    stopId: 'stop-2025',
    serviceId: demo.day.services[0]!.id,
    authorId: staffId('Morvan'),
    supervisorId: null,
    motif: 'Douleur thoracique',
    subjective: '',
    objective: '',
    assessment: 'Angor stable',
    plan: 'Bilan cardiologique',
    codes: [],
    orientation: { kind: 'none' },
    confidentiality: 'standard',
    status: 'validated',
    returnComment: null,
    createdAt: '2025-06-10T08:00:00.000Z',
    roomId: null,
  };
  const allergy: Allergy = {
    id: 'allergy-past',
    orgId: org(),
    patientId: patient.id,
    recordedAt: '2025-06-10T08:10:00.000Z',
    recordedBy: staffId('Morvan'),
    consultationId: null,
    kind: 'allergy',
    substance: 'Pénicilline',
    category: 'medication',
    reaction: 'anaphylaxis',
    severity: 'severe',
    note: null,
  };
  const vaccination: Vaccination = {
    id: 'vaccination-past',
    orgId: org(),
    patientId: patient.id,
    recordedAt: '2025-06-10T08:20:00.000Z',
    recordedBy: staffId('Morvan'),
    consultationId: null,
    vaccine: 'DTCaPolio',
    lot: 'X123',
    date: '2025-06-10',
    site: 'deltoid_left',
    givenBy: staffId('Morvan'),
    givenElsewhere: null,
  };
  return {
    patientId: patient.id,
    patient: { ...patient, allergies: [] },
    visits: [],
    consultations: [past],
    vitals: [],
    signatures: [
      {
        id: 'sig-2025',
        orgId: org(),
        consultationId: past.id,
        kind: 'author',
        staffId: staffId('Morvan'),
        at: '2025-06-10T09:00:00.000Z',
        contentHash: 'h',
        comment: null,
      } as never,
    ],
    addenda: [
      {
        id: 'add-2025',
        orgId: org(),
        consultationId: past.id,
        authorId: staffId('Morvan'),
        at: '2025-06-11T09:00:00.000Z',
        text: 'ECG normal',
      },
    ],
    problems: [],
    treatments: [],
    allergies: [allergy],
    vaccinations: [vaccination],
  };
}

type Answer = (body: Record<string, unknown>) => Response | Promise<Response>;
let answer: Answer;
const asked: Record<string, unknown>[] = [];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  forgetPastRecords();
  asked.length = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string | URL, init?: RequestInit) => {
      if (String(url) === TERMINOLOGY_URL) return new Response(CATALOGUE, { status: 200 });
      if (String(url) === 'https://central.test/api/record') {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        asked.push(body);
        return answer(body);
      }
      return new Response('not found', { status: 404 });
    }),
  );
  db = freshDb();
  demo = await seedDemoDay(db);
  useUiStore.setState({ profile: 'room', staffId: staffId('Garnier'), dirtyForms: [] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the past record on demand', () => {
  it('fetches a purged patient’s record at once, shows it read-only, audits it and keeps none of it', async () => {
    const patient = await openNote();
    await purge(patient);
    answer = () => json(200, { source: 'central', record: recordFor(patient) });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    expect(await screen.findByText(/Cet appareil ne garde plus ce patient/)).toBeVisible();
    const panel = await screen.findByRole('region', { name: 'Dossier antérieur (serveur)' });
    await within(panel).findByText(/Reçu du serveur central — lecture seule/);
    expect(asked).toEqual([{ org: org(), patientId: patient.id, staffId: staffId('Garnier') }]);
    expect(within(panel).getByText(/Motif : Douleur thoracique/)).toBeVisible();
    expect(within(panel).getByText(/Appréciation : Angor stable/)).toBeVisible();
    expect(within(panel).getByText(/Complément de .* : ECG normal/)).toBeVisible();
    // The summary is shown once the device's reading facts are read (src/domain/reading.ts).
    const summary = await within(panel).findByRole('region', {
      name: 'Résumé clinique (dossier antérieur)',
    });
    expect(within(summary).getByRole('note')).toHaveTextContent('Pénicilline');
    expect(summary).toHaveTextContent('DTCaPolio');
    // Read-only: no form to add to it.
    expect(within(summary).queryByText('Ajouter une allergie ou une intolérance')).toBeNull();
    // Audited on the device: the person, the patient, counts; never what was read.
    await waitFor(async () => {
      const events = (await db.rows('audit').toArray()).filter(
        (a) => a.action === 'record.fetched',
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        entity: 'patient',
        entityId: patient.id,
        actorId: staffId('Garnier'),
      });
      expect(events[0]!.detail).toMatch(/1 note\(s\), 2 élément\(s\) du résumé/);
      expect(events[0]!.detail).not.toMatch(/Douleur|Pénicilline/);
    });
    // Nothing of it was written to the device.
    expect(await db.rows('consultation').get('note-2025')).toBeUndefined();
    expect(await db.rows('allergy').count()).toBe(0);
    expect(await db.rows('patient').get(patient.id)).toBeUndefined();
  });

  it('says in French when neither the relay nor central answers, and tries again on request', async () => {
    const patient = await openNote();
    await purge(patient);
    answer = () => {
      throw new TypeError('Failed to fetch');
    };
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Dossier antérieur injoignable : ni le relais du camion ni le serveur central ne répondent.',
    );
    answer = () => json(200, { source: 'relay', record: recordFor(patient) });
    await user.click(screen.getByRole('button', { name: 'Réessayer' }));
    expect(await screen.findByText(/Reçu du relais du camion/)).toBeVisible();
    expect(asked).toHaveLength(2);
  });

  it('shows the server’s refusal as it says it', async () => {
    const patient = await openNote();
    await purge(patient);
    answer = () =>
      json(403, {
        error: 'session_required',
        message:
          'Reconnectez-vous avec votre mot de passe sur cet appareil pour consulter le dossier antérieur.',
      });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    expect(await screen.findByRole('alert')).toHaveTextContent(/Reconnectez-vous/);
  });

  it('asks for a patient the laptop still holds only on request', async () => {
    const patient = await openNote();
    answer = () => json(200, { source: 'central', record: recordFor(patient) });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    await screen.findByRole('region', { name: 'Dossier antérieur (serveur)' });
    // The note's screen settles once the reading facts are read: the panel no longer remounts.
    await screen.findByRole('region', { name: 'Résumé clinique' });
    expect(asked).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Demander le dossier antérieur' }));
    expect(await screen.findByText(/Motif : Douleur thoracique/)).toBeVisible();
    expect(asked).toHaveLength(1);
  });
});
