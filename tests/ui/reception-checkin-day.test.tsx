// Check-in that knows the day (issue 23), at 10:00 on the demo day: a patient already in the
// queue is shown as soon as picked, each service says whether a room offers it now (with an
// honest wait), later, or not today (refused next to its box), and the board never says
// « environ 0 min ».
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import type { Patient } from '../../src/domain/entities';
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

/** Searches the patient and picks them: the check-in form, nothing typed yet. */
async function pick(patient: Patient) {
  const user = userEvent.setup();
  renderAt('/accueil/arrivee', db);
  const search = await screen.findByRole('searchbox', {
    name: 'Nom, prénom, date de naissance ou NIR',
  });
  await user.type(search, `${patient.birthName} ${patient.firstNames.split(' ')[0]} `);
  const results = await screen.findByRole('list', { name: 'Patients trouvés' });
  const line = within(results)
    .getAllByRole('listitem')
    .find((li) => li.textContent?.includes(patient.birthDate.split('-').reverse().join('/')))!;
  await user.click(within(line).getByRole('button', { name: /^Enregistrer l’arrivée de/ }));
  const form = await screen.findByRole('form', { name: /^Arrivée de/ });
  return { user, form };
}

const submit = (form: HTMLElement) =>
  within(form).getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' });

describe('a patient already in the queue', () => {
  it('is shown waiting, with ticket and arrival time, before anything is typed', async () => {
    const { form } = await pick(demo.arrived[1]!); // MG-002, waiting since 09:20
    expect(within(form).getByRole('status')).toHaveTextContent(
      'Déjà dans la file : ticket MG-002, en attente depuis 09:20.',
    );
    expect(within(form).getByLabelText(/^Motif de la venue/)).toHaveValue('');
    // The birth date as on the card, with the age — not the weekday.
    const [y, m, d] = demo.arrived[1]!.birthDate.split('-');
    expect(form.textContent).toMatch(new RegExp(`né\\(e\\) le ${d}/${m}/${y} · \\d+ ans?`));
    // Disabled beforehand, with the reason beside the button (and read with it).
    expect(submit(form)).toHaveAttribute('aria-disabled', 'true');
    expect(submit(form)).toHaveAccessibleDescription(/^Déjà dans la file : ticket /);
  });

  it('is shown in consultation, with the room', async () => {
    const { form } = await pick(demo.arrived[4]!); // DE-001, in Salle 4
    expect(within(form).getByRole('status')).toHaveTextContent(
      'Déjà en consultation : ticket DE-001, en Salle 4.',
    );
    expect(submit(form)).toHaveAttribute('aria-disabled', 'true');
    expect(submit(form)).toHaveAccessibleDescription(
      'Déjà en consultation : ticket DE-001, en Salle 4.',
    );
  });

  it('is not claimed for a patient with no open passage', async () => {
    const { form } = await pick(demo.patients[47]!);
    expect(within(form).queryByText(/^Déjà/)).toBeNull();
    expect(submit(form)).toBeEnabled();
  });
});

describe('the services of the day', () => {
  it('refuses, next to its box, a service no room offers today, and says when others open', async () => {
    const { form } = await pick(demo.patients[47]!);
    const screening = within(form).getByLabelText('Dépistage et prévention');
    expect(screening).toBeDisabled();
    expect(screening).toHaveAccessibleDescription(
      'Pas de créneau aujourd’hui : aucune salle ne le propose.',
    );
    // Social work is rostered from 13:30 in Salle 3.
    expect(within(form).getByLabelText('Assistante sociale')).toHaveAccessibleDescription(
      'Pas de salle en ce moment : proposé à partir de 13:30',
    );
    // Two boxes, one busy with a call, four patients ahead at 20 min: a number, never 0.
    const gp = within(form).getByLabelText('Médecine générale');
    expect(gp).toBeEnabled();
    expect(gp).toHaveAccessibleDescription(/^Proposé maintenant : attente environ \d+ min$/);
    expect(gp.getAttribute('aria-describedby')).toBeTruthy();
    // The midwife's room is free: the patient goes next.
    expect(within(form).getByLabelText('Sage-femme')).toHaveAccessibleDescription(
      'Proposé maintenant : attente dès que la salle se libère',
    );
  });

  it('refuses at submit a booked service no room offers any more today, and stores nothing', async () => {
    // The midwife's slot ends at 12:30: at 13:00 a patient ticks Sage-femme before the change.
    const { user, form } = await pick(demo.patients[47]!);
    await user.type(within(form).getByLabelText(/^Motif de la venue/), 'Suivi');
    await user.click(within(form).getByLabelText('Sage-femme'));
    vi.setSystemTime(new Date(Date.parse(NOW) + 3 * 3_600_000));
    const before = await db.rows('queueEntry').count();
    await user.click(submit(form));
    expect(
      await within(form).findByText(/^Aucune salle ne propose Sage-femme pour le reste/),
    ).toBeInTheDocument();
    expect(await db.rows('queueEntry').count()).toBe(before);
  });
});

describe('the board’s estimates', () => {
  it('say « dès que la salle se libère » rather than « environ 0 min »', async () => {
    renderAt('/accueil', db);
    const region = await screen.findByRole('region', { name: /^Médecine générale/ });
    expect(region.textContent).toContain('dès que la salle se libère');
    expect(document.body.textContent).not.toContain('environ 0 min');
  });
});
