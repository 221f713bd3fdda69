// A room's calls (docs/design.md §2, intern): the next patient in domain order, a room never holding
// two patients, requeue and absent, taking a patient in (which opens the note), and sending the
// patient on to another service of the truck.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { statusValue } from '../../src/domain/queue';
import { zonedIso } from '../../src/domain/time';
import { patientName } from '../../src/ui/day/day-data';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';
import { stubTerminology } from './terminology-stub';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;

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

const entry = (id: string) => db.rows('queueEntry').get(id);

describe('calling patients', () => {
  it('calls the next patient in domain order: the urgent one first', async () => {
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Appeler le patient suivant' }));
    await waitFor(async () => {
      expect(await entry(demo.entries.waitingUrgent.id)).toMatchObject({
        status: statusValue('called'),
        roomId: demo.roomId('Box 1'),
        practitionerId: staffId('Garnier'),
      });
    });
    const inRoom = screen.getByRole('region', { name: 'Dans la salle' });
    expect(await within(inRoom).findByText('MG-004 — appelé')).toBeInTheDocument();
    // The room now holds a patient: calling again is disabled, with the reason shown beside it.
    const callNext = screen.getByRole('button', { name: 'Appeler le patient suivant' });
    await waitFor(() => expect(callNext).toHaveAttribute('aria-disabled', 'true'));
    expect(callNext).toHaveAccessibleDescription('La salle est occupée : MG-004 est appelé');
    const audit = (await db.rows('audit').toArray()).find((a) => a.action === 'queue.call');
    expect(audit).toMatchObject({
      actorId: staffId('Garnier'),
      entityId: demo.entries.waitingUrgent.id,
    });
  });

  it('refuses a second call while the room holds a patient, saying why beside the button', async () => {
    const user = userEvent.setup();
    useUiStore.setState({ staffId: staffId('Benali') });
    renderAt(`/salle/${demo.roomId('Box 2')}`, db);
    // Box 2 has MG-001 called already: every call and take-in of the queue is disabled
    // beforehand, and the reason (the domain's canCall) is shown once above the queue.
    const call = await screen.findByRole('button', { name: 'Appeler MG-002' });
    const takeIn = screen.getByRole('button', { name: 'Faire entrer MG-002' });
    for (const b of [call, takeIn]) {
      expect(b).toHaveAttribute('aria-disabled', 'true');
      expect(b).toHaveAccessibleDescription('La salle est occupée : MG-001 est appelé');
    }
    expect(screen.getByText('La salle est occupée : MG-001 est appelé')).toBeVisible();
    // Pressed anyway: the refusal is announced right beside the pressed button.
    await user.click(takeIn);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('La salle est occupée : MG-001 est appelé');
    expect(takeIn.closest('td')).toContainElement(alert);
    expect(takeIn.getAttribute('aria-describedby')).toContain(alert.id);
    expect((await entry(demo.entries.waiting1.id))?.status.status).toBe('waiting');
    expect(
      await db.rows('consultation').where('queueEntryId').equals(demo.entries.waiting1.id).count(),
    ).toBe(0);
  });

  it('says why « Appeler le patient suivant » cannot act when no slot covers the moment', async () => {
    // 13:00 Paris: Box 1 has slots 08:30–12:30 and 13:30–17:30, none at lunch.
    vi.setSystemTime(new Date(zonedIso(TODAY, '13:00')));
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    const callNext = await screen.findByRole('button', { name: 'Appeler le patient suivant' });
    expect(callNext).toHaveAttribute('aria-disabled', 'true');
    expect(callNext).toHaveAccessibleDescription(
      'Aucun créneau au planning pour cette salle en ce moment',
    );
  });

  it('says once that nobody waits for the room, the call button pointing to that sentence', async () => {
    useUiStore.setState({ staffId: staffId('Benali') });
    renderAt(`/salle/${demo.roomId('Salle 3')}`, db);
    const callNext = await screen.findByRole('button', { name: 'Appeler le patient suivant' });
    await waitFor(() => expect(callNext).toHaveAttribute('aria-disabled', 'true'));
    expect(callNext).toHaveAccessibleDescription('Aucun patient en attente pour cette salle.');
    expect(screen.getAllByText(/Aucun patient en attente pour cette salle/)).toHaveLength(1);
  });

  it('puts a called patient back in the queue, or marks them absent', async () => {
    const user = userEvent.setup();
    useUiStore.setState({ staffId: staffId('Benali') });
    renderAt(`/salle/${demo.roomId('Box 2')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Remettre en attente' }));
    await waitFor(async () =>
      expect(await entry(demo.entries.called.id)).toMatchObject({
        status: statusValue('waiting', 1),
        roomId: null,
      }),
    );
    await user.click(await screen.findByRole('button', { name: 'Appeler MG-001' }));
    await user.click(await screen.findByRole('button', { name: 'Absent' }));
    // Absent ends the patient's day: a small dialog asks first, and « Annuler » changes nothing.
    let dialog = await screen.findByRole('alertdialog', { name: 'Déclarer MG-001 absent ?' });
    expect(within(dialog).getByRole('button', { name: 'Annuler' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Annuler' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect((await entry(demo.entries.called.id))?.status.status).toBe('called');
    await user.click(screen.getByRole('button', { name: 'Absent' }));
    dialog = await screen.findByRole('alertdialog', { name: 'Déclarer MG-001 absent ?' });
    expect(dialog).toHaveTextContent('quitte la file d’attente du jour');
    await user.click(within(dialog).getByRole('button', { name: 'Oui, déclarer absent' }));
    await waitFor(async () =>
      expect((await entry(demo.entries.called.id))?.status.status).toBe('no_show'),
    );
  });
});

describe('from the keyboard only', () => {
  it('calls with Alt+N, takes in with Alt+E and reaches « Signer » (Alt+S), shortcuts shown', async () => {
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    const callNext = await screen.findByRole('button', { name: 'Appeler le patient suivant' });
    expect(callNext).toHaveAttribute('aria-keyshortcuts', 'Alt+N');
    expect(
      screen.getByText(/Raccourcis clavier : Alt\+N appeler le patient suivant/),
    ).toBeVisible();
    await user.keyboard('{Alt>}n{/Alt}');
    await waitFor(async () =>
      expect((await entry(demo.entries.waitingUrgent.id))?.status.status).toBe('called'),
    );
    const takeIn = await screen.findByRole('button', { name: 'Faire entrer' });
    expect(takeIn).toHaveAttribute('aria-keyshortcuts', 'Alt+E');
    await user.keyboard('{Alt>}e{/Alt}');
    await screen.findByRole('region', { name: /^Consultation — Médecine générale/ });
    expect((await entry(demo.entries.waitingUrgent.id))?.status.status).toBe('in_consultation');
    const sign = await screen.findByRole('button', { name: 'Signer la note' });
    expect(sign).toHaveAttribute('aria-keyshortcuts', 'Alt+S');
    // Alt+S on an incomplete note takes the keyboard to the first missing field.
    await user.keyboard('{Alt>}s{/Alt}');
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /^A — Appréciation/ })).toHaveFocus(),
    );
  });
});

describe('taking a patient in', () => {
  it('needs to know who works here', async () => {
    const user = userEvent.setup();
    useUiStore.setState({ staffId: null });
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Faire entrer MG-004' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Choisissez d’abord votre nom');
    expect(
      await db
        .rows('consultation')
        .where('queueEntryId')
        .equals(demo.entries.waitingUrgent.id)
        .count(),
    ).toBe(0);
    // Choosing who works here unblocks it.
    await user.selectOptions(screen.getByLabelText('Qui travaille ici ?'), staffId('Garnier'));
    await user.click(screen.getByRole('button', { name: 'Faire entrer MG-004' }));
    expect(
      await screen.findByRole('region', { name: /^Consultation — Médecine générale/ }),
    ).toBeInTheDocument();
  });

  it('opens a draft note by the intern, supervised, with the reception motif', async () => {
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Faire entrer MG-004' }));
    await screen.findByRole('region', { name: /^Consultation — Médecine générale/ });
    const notes = await db
      .rows('consultation')
      .where('queueEntryId')
      .equals(demo.entries.waitingUrgent.id)
      .toArray();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      authorId: staffId('Garnier'),
      supervisorId: staffId('Morvan'),
      status: 'draft',
      motif: 'Consultation',
      patientId: demo.arrived[3]!.id,
    });
    expect((await entry(demo.entries.waitingUrgent.id))?.status.status).toBe('in_consultation');
    // The patient panel is beside the note.
    expect(
      await screen.findByRole('region', { name: patientName(demo.arrived[3]!) }),
    ).toBeInTheDocument();
  });

  it('sends the patient on to the social worker, coming from the room', async () => {
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Faire entrer MG-004' }));
    const form = await screen.findByRole('form', {
      name: 'Orienter vers un autre service du camion',
    });
    await user.selectOptions(within(form).getByLabelText('Service suivant'), 'Assistante sociale');
    await user.click(within(form).getByRole('button', { name: 'Orienter et terminer ici' }));
    await waitFor(async () =>
      expect((await entry(demo.entries.waitingUrgent.id))?.status.status).toBe('done'),
    );
    const next = (await db.rows('queueEntry').toArray()).find(
      (e) =>
        e.visitId === demo.entries.waitingUrgent.visitId && e.serviceId === demo.serviceId('AS'),
    );
    expect(next).toMatchObject({
      ticket: 'AS-001',
      comingFromRoomId: demo.roomId('Box 1'),
      status: statusValue('waiting'),
    });
  });
});
