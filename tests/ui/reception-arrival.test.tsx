// An arrival at the desk: search first, register only if not found (bad input refused in French,
// likely duplicates shown and the choice recorded), then check in and hand over the tickets.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { nirKey } from '../../src/domain/nir';
import { useArrivalStore } from '../../src/ui/reception/arrival-store';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: 'reception', staffId: null, dirtyForms: [] });
  useArrivalStore.getState().reset();
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
});

const rows = <K extends 'patient' | 'visit' | 'queueEntry' | 'audit' | 'appointment'>(entity: K) =>
  db.rows(entity).toArray();

async function openArrival() {
  const user = userEvent.setup();
  renderAt('/accueil/arrivee', db);
  const search = await screen.findByRole('searchbox', {
    name: 'Nom, prénom, date de naissance ou NIR',
  });
  return { user, search };
}

async function fillTraits(
  user: ReturnType<typeof userEvent.setup>,
  traits: {
    birthName?: string;
    firstNames?: string;
    sex?: string;
    birthDate?: string;
    place?: string;
  },
) {
  const form = screen.getByRole('form', { name: 'Nouveau patient' });
  const field = (name: string | RegExp) => within(form).getByLabelText(name);
  if (traits.birthName !== undefined) {
    await user.clear(field(/^Nom de naissance/));
    if (traits.birthName) await user.type(field(/^Nom de naissance/), traits.birthName);
  }
  if (traits.firstNames !== undefined) {
    await user.clear(field(/^Prénom\(s\) de naissance/));
    if (traits.firstNames) await user.type(field(/^Prénom\(s\) de naissance/), traits.firstNames);
  }
  if (traits.sex) await user.selectOptions(field(/^Sexe/), traits.sex);
  if (traits.birthDate !== undefined) {
    await user.clear(field(/^Date de naissance/));
    if (traits.birthDate) await user.type(field(/^Date de naissance/), traits.birthDate);
  }
  if (traits.place !== undefined) {
    await user.clear(field(/^Code INSEE du lieu de naissance/));
    if (traits.place) await user.type(field(/^Code INSEE du lieu de naissance/), traits.place);
  }
  return form;
}

describe('patient search', () => {
  it('finds a patient as you type, whatever the accents, case and a typo', async () => {
    const target = demo.patients.find((p) => /[éèêëïç]/i.test(p.birthName)) ?? demo.patients[3]!;
    const { user, search } = await openArrival();
    // Folded name, upper case, no accents, with one letter swapped for another.
    const folded = target.birthName.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
    const typo = `${folded.slice(0, -1)}${folded.endsWith('Z') ? 'Y' : 'Z'}`;
    await user.type(search, `${typo} ${target.firstNames.split(' ')[0]!.toLowerCase()}`);
    const results = await screen.findByRole('list', { name: 'Patients trouvés' });
    expect(
      within(results).getByRole('button', {
        name: new RegExp(`Enregistrer l’arrivée de .*${target.firstNames.split(' ')[0]}`, 'i'),
      }),
    ).toBeInTheDocument();
  });

  it('finds a patient by birth date typed the French way', async () => {
    const target = demo.patients[7]!;
    const [y, m, d] = target.birthDate.split('-');
    const { user, search } = await openArrival();
    await user.type(search, `${d}/${m}/${y}`);
    const results = await screen.findByRole('list', { name: 'Patients trouvés' });
    expect(within(results).getAllByRole('listitem').length).toBeGreaterThan(0);
    expect(results.textContent).toContain(target.birthName);
  });
});

describe('a result line', () => {
  it('shows the birth date without its weekday, and the age', async () => {
    const { user, search } = await openArrival();
    // The demo's Odile Chevallier was born on 22 August 1937; the fixtures' today is
    // 23 November 2026, so she is 89.
    await user.type(search, 'chevallier odile');
    const results = await screen.findByRole('list', { name: 'Patients trouvés' });
    expect(results.textContent).toContain('né(e) le 22/08/1937 · 89 ans');
    expect(results.textContent).not.toMatch(/dimanche|lundi|mardi|mercredi|jeudi|vendredi|samedi/);
  });
});

describe('registration', () => {
  it('refuses a missing trait, a birth date in the future and a wrong NIR key, storing nothing', async () => {
    const before = (await rows('patient')).length;
    const { user } = await openArrival();
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    const form = await fillTraits(user, {
      birthName: 'Durand',
      firstNames: '',
      sex: 'F',
      birthDate: '2031-05-04',
      place: '72181',
    });
    const body = '2580372181012';
    const wrongKey = String(((nirKey(body) + 1) % 97) + 1).padStart(2, '0');
    await user.type(within(form).getByLabelText(/^NIR/), `${body}${wrongKey}`);
    await user.click(within(form).getByRole('button', { name: 'Créer le patient' }));
    expect(
      await within(form).findByText('Le ou les prénoms de naissance sont obligatoires.'),
    ).toBeInTheDocument();
    expect(within(form).getByText('La date de naissance est dans le futur.')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^NIR/)).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText(/^NIR/)).toHaveAccessibleDescription(/clé/i);
    // Said beside the button pressed, and the first fault (first names, top of the form) focused.
    const create = within(form).getByRole('button', { name: 'Créer le patient' });
    expect(create).toHaveAccessibleDescription('3 champs signalés à corriger avant d’enregistrer.');
    await waitFor(() =>
      expect(within(form).getByLabelText(/^Prénom\(s\) de naissance/)).toHaveFocus(),
    );
    expect((await rows('patient')).length).toBe(before);
  });

  it('creates a new identity (no look-alike) and goes on to the check-in', async () => {
    const before = (await rows('patient')).length;
    const { user, search } = await openArrival();
    await user.type(search, 'Zyxwovic Ondine');
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    const form = screen.getByRole('form', { name: 'Nouveau patient' });
    // The search pre-fills the names.
    expect(within(form).getByLabelText(/^Nom de naissance/)).toHaveValue('ZYXWOVIC');
    await fillTraits(user, { sex: 'F', birthDate: '1990-06-15', place: '72181' });
    await user.click(within(form).getByRole('button', { name: 'Créer le patient' }));
    expect(
      await screen.findByRole('heading', { name: 'Arrivée de ZYXWOVIC Ondine' }),
    ).toBeInTheDocument();
    const patients = await rows('patient');
    expect(patients.length).toBe(before + 1);
    const created = patients.find((p) => p.birthName === 'ZYXWOVIC')!;
    expect(created).toMatchObject({ identityStatus: 'provisoire', duplicateDecision: null });
    const audits = await rows('audit');
    expect(audits.map((a) => a.action)).toContain('patient.created');
  });

  it('shows likely duplicates; opening the existing record creates nothing and records the choice', async () => {
    const existing = demo.patients[5]!;
    const before = (await rows('patient')).length;
    const { user } = await openArrival();
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    await fillTraits(user, {
      birthName: existing.birthName,
      firstNames: existing.firstNames,
      sex: existing.sex,
      birthDate: existing.birthDate,
      place: existing.birthPlaceCode,
    });
    await user.click(screen.getByRole('button', { name: 'Créer le patient' }));
    const region = await screen.findByRole('region', { name: 'Ce patient existe peut-être déjà' });
    await user.click(within(region).getAllByRole('button', { name: /^Ouvrir le dossier de/ })[0]!);
    expect(await screen.findByRole('heading', { name: /^Arrivée de/ })).toBeInTheDocument();
    expect((await rows('patient')).length).toBe(before);
    const audit = (await rows('audit')).find((a) => a.action === 'patient.duplicate_opened');
    expect(audit?.entityId).toBe(existing.id);
    // The audit is never purged: it names the record opened, not what was typed.
    expect(audit?.detail).toBeNull();
  });

  it('creating anyway despite duplicates records the suspects on the new identity', async () => {
    const existing = demo.patients[5]!;
    const before = (await rows('patient')).length;
    const { user } = await openArrival();
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    await fillTraits(user, {
      birthName: existing.birthName,
      firstNames: existing.firstNames,
      sex: existing.sex,
      birthDate: existing.birthDate,
      place: existing.birthPlaceCode,
    });
    await user.click(screen.getByRole('button', { name: 'Créer le patient' }));
    await user.click(
      await screen.findByRole('button', { name: 'Créer quand même une nouvelle identité' }),
    );
    await screen.findByRole('heading', { name: /^Arrivée de/ });
    const patients = await rows('patient');
    expect(patients.length).toBe(before + 1);
    const created = patients.find((p) => p.id !== existing.id && p.duplicateDecision !== null)!;
    expect(created.duplicateDecision).toMatchObject({ choice: 'created_anyway' });
    expect(created.duplicateDecision!.suspects).toContain(existing.id);
    expect((await rows('audit')).map((a) => a.action)).toContain(
      'patient.created_despite_duplicates',
    );
  });

  it('keeps a half-typed registration across leaving the page and coming back', async () => {
    const { user } = await openArrival();
    await user.click(screen.getByRole('button', { name: 'Nouveau patient : créer l’identité' }));
    await fillTraits(user, { birthName: 'Moreau' });
    expect(useUiStore.getState().dirtyForms).toContain('reception.registration');
    await user.click(screen.getByRole('link', { name: 'File d’attente' }));
    await user.click(await screen.findByRole('link', { name: 'Arrivée' }));
    const form = await screen.findByRole('form', { name: 'Nouveau patient' });
    expect(within(form).getByLabelText(/^Nom de naissance/)).toHaveValue('Moreau');
  });
});

describe('check-in', () => {
  it('a walk-in for two services gets a ticket per service, in order, and joins the queue', async () => {
    const patient = demo.patients[20]!;
    const { user, search } = await openArrival();
    await user.type(search, `${patient.birthName} ${patient.firstNames.split(' ')[0]}`);
    await user.click(
      (await screen.findAllByRole('button', { name: /^Enregistrer l’arrivée de/ }))[0]!,
    );
    const form = await screen.findByRole('form', { name: /^Arrivée de/ });
    await user.type(within(form).getByLabelText(/^Motif de la venue/), 'Fatigue');
    await user.click(within(form).getByLabelText('Assistante sociale'));
    await user.click(within(form).getByLabelText('Médecine générale'));
    // Médecine générale was ticked second: move it first.
    await user.click(within(form).getByRole('button', { name: 'Passer Médecine générale avant' }));
    await user.click(
      within(form).getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' }),
    );
    const done = await screen.findByRole('region', {
      name: 'Arrivée enregistrée : ticket(s) à remettre',
    });
    const tickets = within(done)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    // The morning already has MG-001…MG-004.
    expect(tickets).toEqual(['MG-005', 'AS-001']);
    const visit = (await rows('visit')).find((v) => v.patientId === patient.id)!;
    expect(visit).toMatchObject({ motif: 'Fatigue', appointmentId: null, urgent: false });
    const entries = (await rows('queueEntry')).filter((e) => e.visitId === visit.id);
    expect(entries.map((e) => [e.ticket, e.position, e.status.status]).sort()).toEqual([
      ['AS-001', 1, 'waiting'],
      ['MG-005', 0, 'waiting'],
    ]);
  });

  it('keeps a half-typed check-in across leaving the page and coming back', async () => {
    const patient = demo.patients[21]!;
    const { user, search } = await openArrival();
    await user.type(search, `${patient.birthName} ${patient.firstNames.split(' ')[0]}`);
    await user.click(
      (await screen.findAllByRole('button', { name: /^Enregistrer l’arrivée de/ }))[0]!,
    );
    let form = await screen.findByRole('form', { name: /^Arrivée de/ });
    await user.type(within(form).getByLabelText(/^Motif de la venue/), 'Vertiges');
    await user.click(within(form).getByLabelText('Médecine générale'));
    expect(useUiStore.getState().dirtyForms).toContain('reception.registration');
    await user.click(screen.getByRole('link', { name: 'Rendez-vous' }));
    await user.click(await screen.findByRole('link', { name: 'Arrivée' }));
    form = await screen.findByRole('form', { name: /^Arrivée de/ });
    expect(within(form).getByLabelText(/^Motif de la venue/)).toHaveValue('Vertiges');
    expect(within(form).getByLabelText('Médecine générale (n° 1)')).toBeChecked();
  });

  it('refuses an urgent override without a reason', async () => {
    const fresh = demo.patients[47]!;
    const { user, search } = await openArrival();
    await user.type(search, `${fresh.birthName} ${fresh.firstNames.split(' ')[0]}`);
    await user.click(
      (await screen.findAllByRole('button', { name: /^Enregistrer l’arrivée de/ }))[0]!,
    );
    const form = await screen.findByRole('form', { name: /^Arrivée de/ });
    await user.type(within(form).getByLabelText(/^Motif de la venue/), 'Douleur');
    await user.click(within(form).getByLabelText('Médecine générale'));
    await user.click(within(form).getByLabelText('Urgent : passer en priorité'));
    const before = (await rows('queueEntry')).length;
    await user.click(
      within(form).getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' }),
    );
    expect(
      await within(form).findByText('Une priorité urgente exige un motif.'),
    ).toBeInTheDocument();
    // The refused submit brings the eye (and the keyboard) to the field at fault.
    const reason = within(form).getByLabelText(/^Motif de l’urgence/);
    await waitFor(() => expect(reason).toHaveFocus());
    expect(reason).toHaveAttribute('aria-invalid', 'true');
    expect((await rows('queueEntry')).length).toBe(before);
  });

  it('a booked patient is checked in from the appointments list; the booking is honoured', async () => {
    const appointment = demo.day.appointments.find((a) => a.status === 'booked')!;
    const user = userEvent.setup();
    renderAt('/accueil/rendez-vous', db);
    const list = await screen.findByRole('region', { name: 'Rendez-vous du jour' });
    const row = within(list)
      .getAllByRole('row')
      .find((r) => r.textContent?.startsWith(appointment.time))!;
    await user.click(within(row).getByRole('link', { name: /^Enregistrer l’arrivée de/ }));
    const form = await screen.findByRole('form', { name: /^Arrivée de/ });
    expect(within(form).getByLabelText('Rendez-vous')).toHaveValue(appointment.id);
    const motif = within(form).getByLabelText(/^Motif de la venue/);
    await user.clear(motif);
    await user.type(motif, 'Suivi');
    await user.click(
      within(form).getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' }),
    );
    await screen.findByRole('region', { name: 'Arrivée enregistrée : ticket(s) à remettre' });
    await waitFor(async () => {
      expect((await db.rows('appointment').get(appointment.id))?.status).toBe('checked_in');
    });
    const visit = (await rows('visit')).find((v) => v.appointmentId === appointment.id)!;
    const entries = (await rows('queueEntry')).filter((e) => e.visitId === visit.id);
    expect(entries.map((e) => e.serviceId)).toEqual([appointment.serviceId]);
  });
});
