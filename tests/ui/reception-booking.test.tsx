// Appointments: today's list (absent, cancelled, flagged when the roster no longer serves them),
// booking by phone in the free slots of a stop's roster, and the roster changed mid-day.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: 'reception', staffId: null, dirtyForms: [] });
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('today’s appointments', () => {
  it('marks a booked patient absent, audited, and can restore the booking', async () => {
    const user = userEvent.setup();
    const appointment = demo.day.appointments.find((a) => a.time === '14:00')!;
    renderAt('/accueil/rendez-vous', db);
    const list = await screen.findByRole('region', { name: 'Rendez-vous du jour' });
    const row = within(list)
      .getAllByRole('row')
      .find((r) => r.textContent?.startsWith('14:00') && r.textContent.includes('Médecine'))!;
    await user.click(within(row).getByRole('button', { name: /^Marquer .* absent$/ }));
    await waitFor(async () =>
      expect((await db.rows('appointment').get(appointment.id))?.status).toBe('no_show'),
    );
    expect(await within(row).findByText('absent')).toBeInTheDocument();
    const audits = await db.rows('audit').toArray();
    expect(audits.find((a) => a.action === 'appointment.no_show')?.entityId).toBe(appointment.id);
    await user.click(within(row).getByRole('button', { name: /^Rétablir le rendez-vous/ }));
    await waitFor(async () =>
      expect((await db.rows('appointment').get(appointment.id))?.status).toBe('booked'),
    );
  });
});

describe('booking', () => {
  it('books a future stop in a free slot of its roster; the slot is then taken', async () => {
    const user = userEvent.setup();
    const next = demo.stops
      .filter((s) => s.date > TODAY)
      .sort((a, b) => a.date.localeCompare(b.date))[0]!;
    const patient = demo.patients[30]!;
    // The next stop's roster, as the coordinator planned it (seedDemoDay loads today's only).
    const { data } = buildDemoDataset({ today: TODAY });
    await writeChanges(
      db,
      { deviceId: 'coordination', org: next.orgId },
      data.rosterSlot
        .filter((s) => s.stopId === next.id)
        .map(({ id, ...fields }) => ({ entity: 'rosterSlot' as const, id, set: fields })),
    );
    renderAt('/accueil/rendez-vous', db);
    const form = await screen.findByRole('form', { name: 'Prendre un rendez-vous' });
    const stopSelect = within(form).getByLabelText('Escale');
    await waitFor(() =>
      expect(within(stopSelect).getAllByRole('option').length).toBeGreaterThan(2),
    );
    const option = within(stopSelect)
      .getAllByRole('option')
      .find((o) => o.getAttribute('value') === next.id)!;
    expect(option.textContent).toContain(next.communeName);
    await user.selectOptions(stopSelect, next.id);
    await user.selectOptions(within(form).getByLabelText('Service'), 'Sage-femme');
    const slots = await within(form).findByRole('group', { name: 'Créneaux libres' });
    const first = within(slots).getAllByRole('button')[0]!;
    const time = first.textContent!;
    expect(time).toBe('08:30');
    await user.click(first);
    expect(first).toHaveAttribute('aria-pressed', 'true');
    await user.type(
      within(form).getByLabelText('Patient (rechercher)'),
      `${patient.birthName} ${patient.firstNames}`,
    );
    await user.click((await within(form).findAllByRole('button', { name: /^Choisir / }))[0]!);
    await user.click(within(form).getByRole('button', { name: 'Réserver' }));
    expect(await within(form).findByText(/^Rendez-vous réservé pour/)).toBeInTheDocument();
    const booked = (await db.rows('appointment').toArray()).find(
      (a) => a.stopId === next.id && a.time === time && a.serviceId === demo.serviceId('SF'),
    );
    expect(booked).toMatchObject({ status: 'booked', durationMin: 30 });
    // One room offers the service: that start is no longer free.
    await waitFor(() =>
      expect(
        within(within(form).getByRole('group', { name: 'Créneaux libres' }))
          .getAllByRole('button')
          .map((b) => b.textContent),
      ).not.toContain(time),
    );
  });

  it('refuses to book without a patient and a slot, storing nothing', async () => {
    const user = userEvent.setup();
    const before = await db.rows('appointment').count();
    renderAt('/accueil/rendez-vous', db);
    const form = await screen.findByRole('form', { name: 'Prendre un rendez-vous' });
    await user.click(within(form).getByRole('button', { name: 'Réserver' }));
    expect(
      await within(form).findByText(
        'Choisir l’escale, le service, le patient et un créneau libre.',
      ),
    ).toBeInTheDocument();
    expect(await db.rows('appointment').count()).toBe(before);
  });
});

describe('the roster, changed in the middle of the day', () => {
  it('refuses an overlapping slot with the domain’s message', async () => {
    const user = userEvent.setup();
    renderAt('/accueil/journee', db);
    await user.click(
      await screen.findByRole('button', { name: 'Ajouter un créneau à Box 1 (Matin)' }),
    );
    const editor = screen.getByRole('form', { name: 'Nouveau créneau — Box 1' });
    await user.click(within(editor).getByLabelText('Médecine générale'));
    const before = await db.rows('rosterSlot').count();
    await user.click(within(editor).getByRole('button', { name: 'Enregistrer le créneau' }));
    expect(await within(editor).findByText(/se chevauchent/)).toBeInTheDocument();
    expect(await db.rows('rosterSlot').count()).toBe(before);
  });

  it('gives Salle 3 to the social worker this morning: the midwife’s bookings are flagged, not dropped', async () => {
    const user = userEvent.setup();
    renderAt('/accueil/journee', db);
    await user.click(
      await screen.findByRole('button', { name: 'Modifier le créneau 08:30–12:30 de Salle 3' }),
    );
    const editor = screen.getByRole('form', { name: 'Créneau — Salle 3' });
    await user.click(within(editor).getByLabelText('Sage-femme'));
    await user.click(within(editor).getByLabelText('Assistante sociale'));
    await user.click(within(editor).getByRole('button', { name: 'Enregistrer le créneau' }));
    expect(
      await screen.findByText('2 rendez-vous ne sont plus assurés par le planning :'),
    ).toBeInTheDocument();
    const roster = screen.getByRole('region', { name: 'Planning des salles' });
    expect(within(roster).getByText('08:30 – 12:30 : Assistante sociale')).toBeInTheDocument();
    const sf = demo.day.appointments.filter((a) => a.serviceId === demo.serviceId('SF'));
    for (const a of sf) {
      expect((await db.rows('appointment').get(a.id))?.status).toBe('booked');
    }
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain(
      'roster.slot_changed',
    );
    await user.click(screen.getByRole('link', { name: 'Voir les rendez-vous' }));
    const list = await screen.findByRole('region', { name: 'Rendez-vous du jour' });
    expect(within(list).getAllByText('À revoir :')).toHaveLength(2);
  });
});
