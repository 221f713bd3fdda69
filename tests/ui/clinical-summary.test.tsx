// The clinical summary in the room (issue #15 item 2): shown under a called patient and beside
// the note, severe allergies prominent, the free-text allergies typed at reception kept, the last
// vitals with trend and flags; added to through the device's write path with its audit; and a
// signature that adds the note's result code and a started treatment in the same write.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { opsOf, outboxOps } from '../../src/device/outbox';
import { type Change, writeChanges } from '../../src/device/write';
import type { Consultation } from '../../src/domain/entities';
import { patientName } from '../../src/ui/day/day-data';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { openDraftInBox1 } from './note-fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';
import { stubTerminology } from './terminology-stub';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const NOTE = 'note-summary';
const org = () => demo.day.stop!.orgId;

/** MG-004 taken into Box 1 by Thomas Garnier, with a note open. */
async function openNote(over: Partial<Consultation> = {}) {
  return (await openDraftInBox1(db, demo, NOTE, over)).patientId;
}

const recorded = (patientId: string) => ({
  orgId: org(),
  patientId,
  recordedAt: '2026-10-01T09:00:00.000Z',
  recordedBy: staffId('Morvan'),
  consultationId: null,
});

/** A summary as another room left it: a severe allergy, an active problem, a treatment. */
async function seedSummary(patientId: string) {
  const changes: Change[] = [
    {
      entity: 'allergy',
      id: 'allergy-1',
      set: {
        ...recorded(patientId),
        kind: 'allergy',
        substance: 'Pénicilline',
        category: 'medication',
        reaction: 'anaphylaxis',
        severity: 'severe',
        note: null,
      },
    },
    {
      entity: 'problem',
      id: 'problem-1',
      set: {
        ...recorded(patientId),
        kind: 'personal',
        code: { system: 'CISP-2', code: 'K86', label: 'Hypertension non compliquée' },
        label: 'Hypertension non compliquée',
        status: 'active',
        onsetDate: '2020-03-01',
        resolvedDate: null,
        note: null,
      },
    },
    {
      entity: 'treatment',
      id: 'treatment-1',
      set: {
        ...recorded(patientId),
        name: 'Amlodipine 5 mg',
        dose: '1 comprimé le matin',
        startDate: '2020-03-01',
        stopDate: null,
        stopReason: null,
      },
    },
    // What reception typed before the summary existed.
    { entity: 'patient', id: patientId, add: { allergies: ['Iode'] } },
  ];
  await writeChanges(db, { deviceId: 'box-2', org: org(), userId: staffId('Morvan') }, changes);
}

const audits = async (action: string) =>
  (await db.rows('audit').toArray()).filter((a) => a.action === action);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  stubTerminology();
  db = freshDb();
  demo = await seedDemoDay(db);
  useUiStore.setState({ profile: 'room', staffId: staffId('Garnier'), dirtyForms: [] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the summary beside the note', () => {
  it('shows severe allergies first and prominent, the free-text ones kept, problems and treatments', async () => {
    const patientId = await openNote();
    await seedSummary(patientId);
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const summary = await screen.findByRole('region', { name: 'Résumé clinique' });
    const severe = await within(summary).findByRole('note');
    expect(severe).toHaveTextContent('Allergies sévères');
    expect(severe).toHaveTextContent('Pénicilline — allergie, médicament : anaphylaxie, sévère');
    expect(within(summary).getByText(/Notées à l’accueil \(texte libre\) : Iode/)).toBeVisible();
    const active = within(summary).getByRole('list', { name: 'Problèmes actifs' });
    expect(active).toHaveTextContent('CISP-2 K86');
    expect(active).toHaveTextContent('Hypertension non compliquée depuis le 01/03/2020');
    expect(within(summary).getByRole('list', { name: 'Traitements en cours' })).toHaveTextContent(
      'Amlodipine 5 mg — 1 comprimé le matin',
    );
    // Reading it is audited.
    await waitFor(async () => expect(await audits('summary.read')).toHaveLength(1));
  });

  it('records an allergy, a vaccination, resolves a problem and stops a treatment, each audited and stamped', async () => {
    const patientId = await openNote();
    await seedSummary(patientId);
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const summary = await screen.findByRole('region', { name: 'Résumé clinique' });

    // An allergy: the substance is required.
    await user.click(within(summary).getByText('Ajouter une allergie ou une intolérance'));
    const allergyForm = within(summary).getByRole('form', {
      name: 'Ajouter une allergie ou une intolérance',
    });
    await user.click(within(allergyForm).getByRole('button', { name: 'Enregistrer l’allergie' }));
    expect(
      within(allergyForm).getByRole('textbox', { name: 'Substance' }),
    ).toHaveAccessibleDescription(/Indiquer la substance/);
    await user.type(within(allergyForm).getByRole('textbox', { name: 'Substance' }), 'Arachide');
    await user.selectOptions(
      within(allergyForm).getByRole('combobox', { name: 'Catégorie' }),
      'food',
    );
    await user.selectOptions(
      within(allergyForm).getByRole('combobox', { name: 'Réaction' }),
      'angioedema',
    );
    await user.selectOptions(
      within(allergyForm).getByRole('combobox', { name: 'Sévérité' }),
      'severe',
    );
    await user.click(within(allergyForm).getByRole('button', { name: 'Enregistrer l’allergie' }));
    await waitFor(async () => {
      const rows = await db.rows('allergy').where('patientId').equals(patientId).toArray();
      expect(
        rows.map((a) => [a.substance, a.category, a.reaction, a.severity, a.recordedBy]),
      ).toContainEqual(['Arachide', 'food', 'angioedema', 'severe', staffId('Garnier')]);
    });
    await waitFor(() => expect(within(summary).getByRole('note')).toHaveTextContent('Arachide'));
    expect(await audits('summary.allergy_added')).toHaveLength(1);

    // A vaccination given here by the person at work.
    await user.click(within(summary).getByText('Enregistrer une vaccination'));
    const vaccineForm = within(summary).getByRole('form', { name: 'Enregistrer une vaccination' });
    await user.type(within(vaccineForm).getByRole('textbox', { name: 'Vaccin' }), 'DTCaPolio');
    await user.type(within(vaccineForm).getByRole('textbox', { name: 'Numéro de lot' }), 'X123');
    await user.click(
      within(vaccineForm).getByRole('button', { name: 'Enregistrer la vaccination' }),
    );
    const vaccinations = await within(summary).findByRole('list', { name: 'Vaccinations' });
    expect(vaccinations).toHaveTextContent('DTCaPolio — 23/11/2026');
    expect(vaccinations).toHaveTextContent('lot X123, site : deltoïde gauche, par Thomas Garnier');
    const [vaccination] = await db
      .rows('vaccination')
      .where('patientId')
      .equals(patientId)
      .toArray();
    expect(vaccination).toMatchObject({
      date: TODAY,
      givenBy: staffId('Garnier'),
      givenElsewhere: null,
    });

    // Resolve the problem; stop the treatment.
    await user.click(
      within(summary).getByRole('button', {
        name: 'Marquer « Hypertension non compliquée » comme résolu',
      }),
    );
    await waitFor(async () =>
      expect(await db.rows('problem').get('problem-1')).toMatchObject({
        status: 'resolved',
        resolvedDate: TODAY,
      }),
    );
    expect(
      await within(summary).findByRole('list', { name: 'Antécédents résolus' }),
    ).toHaveTextContent('résolu le 23/11/2026');
    await user.click(within(summary).getByRole('button', { name: 'Arrêter « Amlodipine 5 mg »' }));
    await user.type(
      within(summary).getByRole('textbox', { name: 'Motif de l’arrêt (facultatif)' }),
      'hypotension',
    );
    await user.click(within(summary).getByRole('button', { name: 'Confirmer l’arrêt' }));
    await waitFor(async () =>
      expect(await db.rows('treatment').get('treatment-1')).toMatchObject({
        stopDate: TODAY,
        stopReason: 'hypotension',
      }),
    );
    expect(
      await within(summary).findByRole('list', { name: 'Traitements arrêtés' }),
    ).toHaveTextContent('arrêté le 23/11/2026 (hypotension)');
    expect(await audits('summary.problem_resolved')).toHaveLength(1);
    expect(await audits('summary.treatment_stopped')).toHaveLength(1);
    // Every op of the summary names the person at work (the server requires it).
    const ops = (await outboxOps(db)).filter(
      (op) =>
        op.dev !== 'box-2' && ['allergy', 'vaccination', 'problem', 'treatment'].includes(op.e),
    );
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((op) => op.user === staffId('Garnier'))).toBe(true);
  });

  it('shows the last three values of each vital with its trend and flags', async () => {
    const patientId = await openNote();
    const vitals = (id: string, at: string, systolic: number, spo2: number) => ({
      entity: 'vitals' as const,
      id,
      insert: {
        orgId: org(),
        consultationId: NOTE,
        patientId,
        takenAt: at,
        authorId: staffId('Garnier'),
        systolic,
        diastolic: 80,
        heartRate: 70,
        temperature: null,
        spo2,
        weightKg: null,
        heightCm: null,
        glycaemia: null,
      },
    });
    await writeChanges(db, { deviceId: 'box-1', org: org(), userId: staffId('Garnier') }, [
      vitals('v1', '2026-06-01T08:00:00.000Z', 140, 97),
      vitals('v2', '2026-09-01T08:00:00.000Z', 150, 96),
      vitals('v3', '2026-10-01T08:00:00.000Z', 160, 95),
      vitals('v4', NOW, 185, 88),
    ]);
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const summary = await screen.findByRole('region', { name: 'Résumé clinique' });
    const table = await within(summary).findByRole('table', { name: 'Dernières constantes' });
    const systolic = within(table).getByRole('row', { name: /^Pression systolique/ });
    expect(systolic).toHaveTextContent('150 (01/09/2026) · 160 (01/10/2026) · 185 élevée');
    expect(systolic).toHaveTextContent('↑ en hausse');
    const spo2 = within(table).getByRole('row', { name: /^Saturation en oxygène/ });
    expect(spo2).toHaveTextContent('88 basse');
    expect(spo2).toHaveTextContent('↓ en baisse');
    expect(within(summary).getByText(/Valeurs anormales à la dernière mesure/)).toHaveTextContent(
      'Pression systolique élevée : 185 mmHg (seuil ≥ 180 mmHg) ; Saturation en oxygène basse : 88 % (seuil < 92 %)',
    );
  });
});

describe('signing adds to the summary in the same write', () => {
  it('adds the note’s result code as an active problem and the started treatment', async () => {
    const patientId = await openNote({
      assessment: 'Bronchite aiguë',
      plan: 'Antitussif',
      codes: [{ system: 'CISP-2', code: 'R78', label: 'Bronchite aiguë', use: 'result' }],
    });
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const box = await screen.findByRole('group', { name: 'Ajouter au résumé clinique en signant' });
    await user.click(
      within(box).getByRole('checkbox', {
        name: 'Ajouter « R78 Bronchite aiguë » aux problèmes actifs',
      }),
    );
    await user.type(
      within(box).getByRole('textbox', { name: 'Traitement débuté (facultatif)' }),
      'Hélicidine',
    );
    await user.type(
      within(box).getByRole('textbox', { name: 'Posologie du traitement débuté' }),
      '1 c. à soupe 3 fois par jour',
    );
    const before = await db.outbox.count();
    await user.click(screen.getByRole('button', { name: 'Signer la note' }));
    await waitFor(async () =>
      expect((await db.rows('consultation').get(NOTE))?.status).toBe('to_validate'),
    );
    const [problem] = await db.rows('problem').where('patientId').equals(patientId).toArray();
    expect(problem).toMatchObject({
      code: { system: 'CISP-2', code: 'R78', label: 'Bronchite aiguë' },
      status: 'active',
      consultationId: NOTE,
      recordedBy: staffId('Garnier'),
    });
    const [treatment] = await db.rows('treatment').where('patientId').equals(patientId).toArray();
    expect(treatment).toMatchObject({
      name: 'Hélicidine',
      dose: '1 c. à soupe 3 fois par jour',
      startDate: TODAY,
      consultationId: NOTE,
    });
    // One write: the signature, the status, the rows and the audit share one transaction (one
    // outbox record, the action's, its audit last).
    const added = (await db.outbox.toArray()).slice(before);
    expect(added).toHaveLength(1);
    const ops = opsOf(added[0]!);
    const entities = new Set(ops.map((op) => op.e));
    expect(entities).toEqual(
      new Set(['problem', 'treatment', 'signature', 'consultation', 'audit']),
    );
    const audit = (await audits('consultation.signed'))[0];
    expect(audit?.detail).toBe('résumé clinique : 2 ajout(s)');
  });
});

describe('the summary of a called patient', () => {
  it('is shown under the called patient, before they come in', async () => {
    const called = demo.entries.called;
    const visit = demo.day.visits.find((v) => v.id === called.visitId)!;
    await seedSummary(visit.patientId);
    useUiStore.setState({ staffId: staffId('Benali') });
    renderAt(`/salle/${demo.roomId('Box 2')}`, db);
    const patient = demo.patients.find((p) => p.id === visit.patientId)!;
    const summary = await screen.findByRole('region', {
      name: `Résumé clinique — ${patientName(patient)}`,
    });
    expect(within(summary).getByRole('note')).toHaveTextContent('Pénicilline');
    expect(within(summary).getByRole('button', { name: /comme résolu$/ })).toBeVisible();
  });
});
