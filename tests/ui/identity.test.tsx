// The identity screens: reception corrects a trait (previous value and who kept, a validated
// identity drops to « provisoire » without a new check), finds the corrected birth place by the
// name of a commune or a country, and qualifies it (document, RNIV attributes); reception and
// coordination merge a duplicate, differences shown and confirmed, the survivor keeping both
// sides' visits, and undo it.
import { readFileSync } from 'node:fs';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import type { Patient } from '../../src/domain/entities';
import { INSI_ACTOR } from '../../src/domain/partner-tasks';
import { useArrivalStore } from '../../src/ui/reception/arrival-store';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay, TEST_DEVICE_ID } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
let staffId: string;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  staffId = demo.day.staff[0]!.id;
  useUiStore.setState({ profile: 'reception', staffId, dirtyForms: [] });
  useArrivalStore.getState().reset();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const PLACES = readFileSync('public/geo/communes.json', 'utf8');

const org = () => demo.day.stop!.orgId;

async function addPatient(id: string, over: Partial<Patient>) {
  const base = demo.patients[0]!;
  const { id: _ignored, ...fields } = base;
  await writeChanges(db, { deviceId: TEST_DEVICE_ID, org: org(), userId: staffId }, [
    {
      entity: 'patient',
      id,
      set: {
        ...fields,
        identityStatus: 'provisoire',
        duplicateDecision: null,
        allergies: [],
        ...over,
      },
    },
  ]);
}

/** The message a control points at through aria-describedby. */
function messageOf(control: HTMLElement): string {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

describe('reception: correction', () => {
  it('shows the INS the INSi returned, and the téléservice in the history, never its codes', async () => {
    // As central writes them from an INSi partner's answer (src/server/partner-tasks.ts).
    await addPatient('p-ins', {
      birthName: 'CHEVALLIER',
      firstNames: 'Odile',
      nir: '258037218112345',
      identityStatus: 'qualifiee',
      identityDocument: 'cni',
      insMatricule: '258037218112345',
      insOid: '1.2.250.1.213.1.4.8',
    });
    await writeChanges(db, { deviceId: TEST_DEVICE_ID, org: org(), userId: staffId }, [
      {
        entity: 'identityChange',
        id: 'ic-ins',
        insert: {
          orgId: org(),
          patientId: 'p-ins',
          at: NOW,
          staffId: INSI_ACTOR,
          kind: 'qualification',
          changes: [
            { field: 'identityStatus', before: 'validee', after: 'qualifiee' },
            { field: 'insMatricule', before: null, after: '258037218112345' },
            { field: 'insOid', before: null, after: '1.2.250.1.213.1.4.8' },
          ],
          otherPatientId: null,
        },
      },
    ]);
    renderAt('/accueil/patient/p-ins', db);
    const summary = await screen.findByText('INS (téléservice INSi)');
    expect(summary.nextElementSibling).toHaveTextContent(
      /^matricule 2 58 03 72 181 123 45 \(NIR\)$/,
    );
    const history = await screen.findByRole('region', { name: 'Historique de l’identité' });
    await waitFor(() =>
      expect(history).toHaveTextContent(
        'Qualification par le téléservice INSi (composant partenaire)',
      ),
    );
    expect(history).toHaveTextContent('Statut de l’identité : validée → qualifiée');
    expect(history).toHaveTextContent('Type d’INS : (vide) → NIR');
    expect(history).not.toHaveTextContent('1.2.250');
  });

  it('corrects a birth name: the validated identity drops to « provisoire », the old name kept', async () => {
    await addPatient('p-val', {
      birthName: 'CHEVALLIER',
      firstNames: 'Odile',
      identityStatus: 'validee',
      identityDocument: 'cni',
    });
    const user = userEvent.setup();
    renderAt('/accueil/patient/p-val', db);
    const form = await screen.findByRole('form', { name: 'Corriger l’identité' });
    const name = within(form).getByLabelText('Nom de naissance');
    await user.clear(name);
    await user.type(name, 'CHEVALIER');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));

    expect(await within(form).findByRole('status')).toHaveTextContent(
      'Correction enregistrée : l’identité repasse en « provisoire »',
    );
    await waitFor(async () =>
      expect(await db.rows('patient').get('p-val')).toMatchObject({
        birthName: 'CHEVALIER',
        identityStatus: 'provisoire',
        identityDocument: null,
      }),
    );
    const history = await screen.findByRole('region', { name: 'Historique de l’identité' });
    await waitFor(() =>
      expect(history).toHaveTextContent('Nom de naissance : CHEVALLIER → CHEVALIER'),
    );
    expect(history).toHaveTextContent('Statut de l’identité : validée → provisoire');
    const [event] = await db.rows('identityChange').toArray();
    expect(event).toMatchObject({ patientId: 'p-val', staffId, kind: 'correction' });
    const audit = await db.rows('audit').toArray();
    expect(audit.map((a) => a.action)).toContain('patient.corrected_status_dropped');
  });

  it('keeps « validée » when a document is re-checked in the same action', async () => {
    await addPatient('p-val', {
      birthPlaceCode: '72181',
      identityStatus: 'validee',
      identityDocument: 'cni',
    });
    const user = userEvent.setup();
    renderAt('/accueil/patient/p-val', db);
    const form = await screen.findByRole('form', { name: 'Corriger l’identité' });
    const place = within(form).getByLabelText('Code INSEE du lieu de naissance');
    await user.clear(place);
    await user.type(place, '72189');
    await user.selectOptions(
      within(form).getByLabelText('Pièce d’identité contrôlée à nouveau'),
      'passeport',
    );
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Correction enregistrée.');
    expect(await db.rows('patient').get('p-val')).toMatchObject({
      birthPlaceCode: '72189',
      identityStatus: 'validee',
      identityDocument: 'passeport',
    });
  });

  it('finds the corrected birth place by a country’s name, and offers « inconnu »', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(PLACES, { status: 200 })),
    );
    await addPatient('p1', { birthPlaceCode: '72181' });
    const user = userEvent.setup();
    renderAt('/accueil/patient/p1', db);
    const form = await screen.findByRole('form', { name: 'Corriger l’identité' });
    const code = within(form).getByLabelText(/^Code INSEE du lieu de naissance/);
    expect(code).toHaveValue('72181');
    await user.click(
      within(form).getByRole('button', { name: 'Lieu de naissance inconnu (99999)' }),
    );
    expect(code).toHaveValue('99999');
    await user.type(
      within(form).getByRole('searchbox', {
        name: 'Chercher le lieu de naissance par son nom (commune ou pays)',
      }),
      'algérie',
    );
    const results = await within(form).findByRole('list', { name: 'Lieux trouvés' });
    await user.click(within(results).getByRole('button', { name: 'Algérie (pays) — 99352' }));
    expect(code).toHaveValue('99352');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));
    await waitFor(async () =>
      expect((await db.rows('patient').get('p1'))?.birthPlaceCode).toBe('99352'),
    );
    const history = await screen.findByRole('region', { name: 'Historique de l’identité' });
    await waitFor(() =>
      expect(history).toHaveTextContent('Code INSEE du lieu de naissance : 72181 → 99352'),
    );
    // The identity now reads the place by its name.
    expect(screen.getByRole('region', { name: 'Identité actuelle' })).toHaveTextContent(
      'Lieu de naissance : Algérie (pays) — 99352',
    );
  });

  it('refuses France (99100) as a birth place, next to the field', async () => {
    await addPatient('p1', { birthPlaceCode: '72181' });
    const user = userEvent.setup();
    renderAt('/accueil/patient/p1', db);
    const form = await screen.findByRole('form', { name: 'Corriger l’identité' });
    const code = within(form).getByLabelText(/^Code INSEE du lieu de naissance/);
    await user.clear(code);
    await user.type(code, '99100');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));
    await waitFor(() =>
      expect(messageOf(within(form).getByLabelText(/^Code INSEE du lieu de naissance/))).toContain(
        'Le code 99100 (France) ne sert pas de lieu de naissance',
      ),
    );
    expect((await db.rows('patient').get('p1'))?.birthPlaceCode).toBe('72181');
  });

  it('a correction opened on a merged identity lands on the identity kept', async () => {
    await addPatient('p-keep', { usedName: null });
    await addPatient('p-dup', { mergedInto: 'p-keep' });
    const user = userEvent.setup();
    renderAt('/accueil/patient/p-dup', db);
    expect(
      await screen.findByText(
        'Ce dossier a été fusionné : vous consultez le dossier qui le remplace.',
      ),
    ).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Corriger l’identité' });
    await user.type(within(form).getByLabelText('Nom d’usage'), 'MARTIN');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Correction enregistrée.');
    expect((await db.rows('patient').get('p-keep'))?.usedName).toBe('MARTIN');
    expect((await db.rows('patient').get('p-dup'))?.usedName).toBeNull();
  });

  it('bad input: the French message sits next to the field and nothing is stored', async () => {
    await addPatient('p1', {});
    const user = userEvent.setup();
    renderAt('/accueil/patient/p1', db);
    const form = await screen.findByRole('form', { name: 'Corriger l’identité' });
    const date = within(form).getByLabelText('Date de naissance');
    await user.clear(date);
    await user.type(date, '2031-01-01');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la correction' }));
    await waitFor(() =>
      expect(messageOf(within(form).getByLabelText('Date de naissance'))).toContain(
        'La date de naissance est dans le futur.',
      ),
    );
    expect(await db.rows('identityChange').count()).toBe(0);
    expect((await db.rows('patient').get('p1'))?.birthDate).toBe(demo.patients[0]!.birthDate);
  });
});

describe('reception: a walk-in with only a name and a birth date', () => {
  it('registers a provisional identity with sex and birth place unknown (99999)', async () => {
    const user = userEvent.setup();
    renderAt('/accueil/arrivee', db);
    const search = await screen.findByRole('searchbox', {
      name: 'Nom, prénom, date de naissance ou NIR',
    });
    await user.type(search, 'Zyxwovic Lucas');
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    const form = screen.getByRole('form', { name: 'Nouveau patient' });
    await user.type(within(form).getByLabelText(/^Date de naissance/), '1990-02-02');
    await user.click(
      within(form).getByRole('button', { name: 'Ne connaît que son nom et sa date de naissance' }),
    );
    expect(within(form).getByLabelText(/^Code INSEE du lieu de naissance/)).toHaveValue('99999');
    await user.click(within(form).getByRole('button', { name: 'Créer le patient' }));
    expect(
      await screen.findByRole('heading', { name: 'Arrivée de ZYXWOVIC Lucas' }),
    ).toBeInTheDocument();
    const created = (await db.rows('patient').toArray()).find((p) => p.birthName === 'ZYXWOVIC');
    expect(created).toMatchObject({
      sex: 'I',
      birthPlaceCode: '99999',
      identityStatus: 'provisoire',
      identityDocument: null,
    });
    // From the check-in, the identity's page is one link away.
    await user.click(
      screen.getByRole('link', { name: 'Corriger ou qualifier l’identité de ZYXWOVIC Lucas' }),
    );
    expect(
      within(await screen.findByRole('region', { name: 'Identité actuelle' })).getByText(
        'Lieu de naissance inconnu (99999)',
      ),
    ).toBeInTheDocument();
  });
});

describe('reception: qualification', () => {
  it('« validée » asks which document; a doubtful identity stays « provisoire »', async () => {
    await addPatient('p1', {});
    const user = userEvent.setup();
    renderAt('/accueil/patient/p1', db);
    const form = await screen.findByRole('form', { name: 'Qualifier l’identité' });
    await user.selectOptions(within(form).getByLabelText('Statut de l’identité'), 'validee');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la qualification' }));
    await waitFor(() =>
      expect(messageOf(within(form).getByLabelText('Pièce d’identité'))).toContain(
        'Indiquer la pièce d’identité contrôlée',
      ),
    );
    await user.click(within(form).getByLabelText('Identité douteuse'));
    await user.selectOptions(within(form).getByLabelText('Pièce d’identité'), 'cni');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la qualification' }));
    expect(
      await within(form).findByText(/identité douteuse reste « provisoire »/),
    ).toBeInTheDocument();
    await user.click(within(form).getByLabelText('Identité douteuse'));
    await user.click(within(form).getByLabelText('Homonyme'));
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la qualification' }));
    await waitFor(async () =>
      expect(await db.rows('patient').get('p1')).toMatchObject({
        identityStatus: 'validee',
        identityDocument: 'cni',
        identityAttributes: ['homonyme'],
      }),
    );
    const summary = await screen.findByRole('region', { name: 'Identité actuelle' });
    await waitFor(() => expect(summary).toHaveTextContent('Carte nationale d’identité'));
  });
});

describe('coordination: merge of a duplicate', () => {
  beforeEach(() => {
    useUiStore.setState({ profile: 'coordination', staffId, dirtyForms: [] });
  });

  it('shows the strict traits that differ, merges once confirmed, and undoes it the same day', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(PLACES, { status: 200 })),
    );
    await addPatient('p-old', { birthName: 'LEBRUN', firstNames: 'Noël', birthPlaceCode: '72181' });
    await addPatient('p-new', {
      birthName: 'LEBRUN',
      firstNames: 'Noel',
      birthPlaceCode: '72189',
      duplicateDecision: { suspects: ['p-old'], choice: 'created_anyway', by: staffId },
    });
    const user = userEvent.setup();
    renderAt('/coordination/doublons', db);
    const pair = await screen.findByRole('region', { name: 'Doublon possible' });
    await user.click(within(pair).getByRole('button', { name: 'Fusionner ces deux dossiers' }));
    expect(await within(pair).findByRole('alert')).toHaveTextContent(
      'Ces identités diffèrent sur un trait strict',
    );
    // Birth places read by their names beside their codes.
    await waitFor(() =>
      expect(pair).toHaveTextContent(
        'Code du lieu de naissance : « Le Mans (72) — 72181 » (gardé) / « Marolles-les-Braults (72) — 72189 » (fusionné)',
      ),
    );
    expect((await db.rows('patient').get('p-new'))?.mergedInto).toBeUndefined();

    await user.click(
      within(pair).getByRole('button', { name: 'Confirmer la fusion malgré ces différences' }),
    );
    await waitFor(async () =>
      expect((await db.rows('patient').get('p-new'))?.mergedInto).toBe('p-old'),
    );
    const today = await screen.findByRole('region', { name: 'Fusions du jour' });
    await waitFor(() => expect(today).toHaveTextContent(/LEBRUN Noel fusionné dans LEBRUN Noël/));
    expect(screen.queryByRole('region', { name: 'Doublon possible' })).toBeNull();

    await user.click(within(today).getByRole('button', { name: 'Annuler la fusion' }));
    expect(await within(today).findByRole('status')).toHaveTextContent('Fusion annulée');
    expect((await db.rows('patient').get('p-new'))?.mergedInto).toBeNull();
    const kinds = (await db.rows('identityChange').toArray()).map((c) => c.kind).sort();
    expect(kinds).toEqual(['merge', 'unmerge']);
  });
});

describe('reception: merge of a duplicate made « malgré les doublons »', () => {
  it('merges from « Doublons »: the record kept lists both sides’ visits', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(PLACES, { status: 200 })),
    );
    const [, kept, dup] = demo.arrived as [Patient, Patient, Patient];
    await addPatient(dup.id, {
      birthName: kept.birthName,
      firstNames: kept.firstNames,
      sex: kept.sex,
      birthDate: kept.birthDate,
      birthPlaceCode: '99352',
      duplicateDecision: { suspects: [kept.id], choice: 'created_anyway', by: staffId },
    });
    const user = userEvent.setup();
    const view = renderAt('/accueil/doublons', db);
    expect(await screen.findByRole('link', { name: 'Doublons' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    const pair = await screen.findByRole('region', { name: 'Doublon possible' });
    await user.click(within(pair).getByRole('button', { name: 'Fusionner ces deux dossiers' }));
    expect(await within(pair).findByRole('alert')).toHaveTextContent(
      'Ces identités diffèrent sur un trait strict',
    );
    await waitFor(() => expect(pair).toHaveTextContent('« Algérie (pays) — 99352 » (fusionné)'));
    await user.click(
      within(pair).getByRole('button', { name: 'Confirmer la fusion malgré ces différences' }),
    );
    await waitFor(async () =>
      expect((await db.rows('patient').get(dup.id))?.mergedInto).toBe(kept.id),
    );
    // Nothing of the merged side was rewritten: its visit still names it, and reads as the kept one's.
    expect((await db.rows('visit').get('visit-MG-003'))?.patientId).toBe(dup.id);
    view.unmount();

    renderAt(`/accueil/patient/${kept.id}`, db);
    const visits = await screen.findByRole('region', { name: 'Passages de ce dossier (2)' });
    expect(visits).toHaveTextContent('MG-002 (Médecine générale)');
    expect(visits).toHaveTextContent('MG-003 (Médecine générale)');
    expect(visits).toHaveTextContent('Enregistré sous le dossier fusionné dans celui-ci');
    expect(visits.textContent).not.toMatch(/\d{4}-\d{2}-\d{2}|[0-9a-f]{8}-[0-9a-f]{4}-/);
    const history = screen.getByRole('region', { name: 'Historique de l’identité' });
    await waitFor(() => expect(history).toHaveTextContent('Fusion'));
  });
});

describe('reception: administrative data', () => {
  it('records an ALD with its nature and exoneration, the scheme and the consent to be contacted; a fault is said beside its field', async () => {
    const patient = demo.patients[0]!;
    const user = userEvent.setup();
    renderAt(`/accueil/patient/${patient.id}`, db);
    const form = within(
      await screen.findByRole('region', { name: 'Informations administratives' }),
    );
    await user.selectOptions(
      form.getByRole('combobox', { name: /^Accepte d’être recontacté/ }),
      'Oui',
    );
    await user.clear(form.getByRole('textbox', { name: 'Téléphone' }));
    await user.click(
      form.getByRole('button', { name: 'Enregistrer les informations administratives' }),
    );
    const consent = form.getByRole('combobox', { name: /^Accepte d’être recontacté/ });
    expect(messageOf(consent)).toContain(
      'Pour que le patient puisse être recontacté, indiquez un téléphone ou une adresse e-mail.',
    );
    await user.type(form.getByRole('textbox', { name: 'Téléphone' }), '06 12 34 56 78');
    await user.selectOptions(
      form.getByRole('combobox', { name: 'Régime d’assurance maladie' }),
      'Régime agricole (MSA)',
    );
    if (!(form.getByRole('checkbox', { name: /ALD|longue durée/ }) as HTMLInputElement).checked) {
      await user.click(form.getByRole('checkbox', { name: /ALD|longue durée/ }));
    }
    await user.type(form.getByRole('textbox', { name: 'Nature de l’ALD' }), 'Diabète de type 2');
    await user.click(
      form.getByRole('checkbox', { name: 'Exonération du ticket modérateur en cours' }),
    );
    await user.click(
      form.getByRole('button', { name: 'Enregistrer les informations administratives' }),
    );
    expect(
      await form.findByText(/^Informations administratives enregistrées : /),
    ).toBeInTheDocument();
    const saved = await db.rows('patient').get(patient.id);
    expect(saved).toMatchObject({
      phone: '06 12 34 56 78',
      contactConsent: true,
      regime: 'agricole',
      ald: true,
      aldNature: 'Diabète de type 2',
      aldExoneration: true,
    });
    const audit = (await db.rows('audit').toArray()).find(
      (a) => a.action === 'patient.admin_updated',
    );
    // The journal names the fields, never their values.
    expect(audit?.detail).toContain('nature de l’ALD');
    expect(audit?.detail).not.toContain('Diabète');
  });
});
