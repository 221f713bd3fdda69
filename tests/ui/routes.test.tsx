// The app shell: each route renders its profile's screen, in French, from the device database,
// with the header, skip link and landmarks around it.
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;

beforeEach(() => {
  // Only Date is faked: IndexedDB and React still run on real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: null, roomId: null, updateAvailable: false, dirtyForms: [] });
  db = freshDb();
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('home', () => {
  it('asks what this device is, offers the four profiles and device health', async () => {
    await seedDemoDay(db);
    renderAt('/', db);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Quel est le rôle de cet appareil ?' }),
    ).toBeInTheDocument();
    for (const name of [/^Accueil/, /^Coordination/, /^Affichage/]) {
      expect(screen.getByRole('link', { name })).toBeInTheDocument();
    }
    expect(screen.getByRole('button', { name: /^Salle/ })).toHaveAttribute(
      'aria-expanded',
      'false',
    );
    expect(screen.getByRole('link', { name: /^État de l’appareil Stockage/ })).toHaveAttribute(
      'href',
      '/appareil',
    );
  });

  it('asks which room, then opens that room and remembers it as this device’s profile', async () => {
    const demo = await seedDemoDay(db);
    const user = userEvent.setup();
    renderAt('/', db);
    await user.click(await screen.findByRole('button', { name: /^Salle/ }));
    const rooms = screen.getByRole('region', { name: 'Quelle salle ?' });
    await waitFor(() => expect(within(rooms).getAllByRole('link')).toHaveLength(4));
    expect(
      within(rooms)
        .getAllByRole('link')
        .map((l) => l.textContent),
    ).toEqual(['Box 1', 'Box 2', 'Salle 3', 'Salle 4']);
    await user.click(within(rooms).getByRole('link', { name: 'Box 2' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Box 2' })).toBeInTheDocument();
    expect(useUiStore.getState()).toMatchObject({ profile: 'room', roomId: demo.roomId('Box 2') });
    expect(screen.getByText('Profil : Salle : Box 2')).toBeInTheDocument();
  });
});

describe('profile screens', () => {
  it('reception opens on the live board; the day tab has the stop and the roster, the appointments tab the bookings', async () => {
    const demo = await seedDemoDay(db);
    const user = userEvent.setup();
    renderAt('/accueil', db);
    expect(await screen.findByRole('heading', { level: 1, name: 'Accueil' })).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: /^Médecine générale/ })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Journée et planning' }));
    expect(
      await screen.findByRole('heading', {
        name: `Escale du jour : ${demo.day.stop!.communeName}`,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText(/lundi 23 novembre 2026/)).toBeInTheDocument();
    const roster = screen.getByRole('region', { name: 'Planning des salles' });
    expect(within(roster).getByRole('rowheader', { name: 'Salle 3' })).toBeInTheDocument();
    expect(within(roster).getByText('08:30 – 12:30 : Sage-femme')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Rendez-vous' }));
    const appointments = await screen.findByRole('region', { name: 'Rendez-vous du jour' });
    // 15 appointments plus the header row.
    expect(within(appointments).getAllByRole('row')).toHaveLength(16);
    expect(screen.getByText('Profil : Accueil')).toBeInTheDocument();
  });

  it('a room shows its slot now, who is called there and its queue', async () => {
    const demo = await seedDemoDay(db);
    renderAt(`/salle/${demo.roomId('Box 2')}`, db);
    expect(await screen.findByRole('heading', { level: 1, name: 'Box 2' })).toBeInTheDocument();
    const inRoom = screen.getByRole('region', { name: 'Dans la salle' });
    expect(within(inRoom).getByText('MG-001 — appelé')).toBeInTheDocument();
    expect(screen.getByText('Inès Benali')).toBeInTheDocument();
    // Box 2 has a patient called: the queue still lists who waits for it, in order.
    const queue = screen.getByRole('region', { name: 'File d’attente de la salle' });
    const tickets = within(queue)
      .getAllByRole('rowheader')
      .map((c) => c.textContent);
    expect(tickets).toEqual(['MG-004', 'MG-002', 'MG-003']);
    expect(within(queue).getByText('urgent')).toBeInTheDocument();
  });

  it('an unknown room says so instead of showing an empty queue', async () => {
    await seedDemoDay(db);
    renderAt('/salle/inconnue', db);
    expect(
      await screen.findByText('Cette salle n’est pas connue sur cet appareil.'),
    ).toBeInTheDocument();
  });

  it('coordination shows every room now and the waiting counts', async () => {
    await seedDemoDay(db);
    renderAt('/coordination', db);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Coordination' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('3 patients en attente')).toBeInTheDocument();
    const rooms = screen.getByRole('region', { name: 'Les salles en ce moment' });
    const box4 = within(rooms).getByRole('rowheader', { name: 'Salle 4' }).closest('tr')!;
    expect(within(box4).getByText('DE-001 — en consultation')).toBeInTheDocument();
  });

  it('the waiting-room display shows the called ticket and its room, and never a name', async () => {
    const demo = await seedDemoDay(db);
    const { container } = renderAt('/affichage', db);
    expect(await screen.findByText('MG-001 → Box 2')).toBeInTheDocument();
    const waiting = screen.getByRole('region', { name: 'En attente' });
    expect(within(waiting).getByRole('heading', { name: 'Médecine générale' })).toBeInTheDocument();
    expect(
      within(waiting)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['MG-004', 'MG-002', 'MG-003']);
    const text = container.textContent!.toLowerCase();
    for (const p of demo.patients) {
      expect(text).not.toContain(p.birthName.toLowerCase());
    }
    expect(container.querySelector('.layout--display')).not.toBeNull();
  });

  it('says there is no stop today rather than showing empty tables', async () => {
    renderAt('/accueil', db);
    expect(
      await screen.findByText('Aucune escale prévue aujourd’hui sur cet appareil.'),
    ).toBeInTheDocument();
  });

  it('says the database could not be opened when there is none', async () => {
    renderAt('/coordination', null);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'La base de données locale n’a pas pu être ouverte',
    );
  });

  it('an unknown address shows a French "page introuvable"', async () => {
    renderAt('/nulle-part', db);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Page introuvable' }),
    ).toBeInTheDocument();
  });
});

describe('the shell around every screen', () => {
  it('has a skip link to the main landmark, a banner and a named navigation', async () => {
    renderAt('/coordination', db);
    const skip = screen.getByRole('link', { name: 'Aller au contenu principal' });
    expect(skip).toHaveAttribute('href', '#contenu');
    expect(screen.getByRole('main')).toHaveAttribute('id', 'contenu');
    expect(screen.getByRole('banner')).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Navigation principale' });
    expect(within(nav).getByRole('link', { name: 'État de l’appareil' })).toHaveAttribute(
      'href',
      '/appareil',
    );
    expect(within(nav).getByRole('link', { name: 'Changer de profil' })).toHaveAttribute(
      'href',
      '/',
    );
  });

  it('shows the sync state read live from the device, including local work not yet sent', async () => {
    const demo = await seedDemoDay(db);
    renderAt('/accueil', db);
    const banner = screen.getByRole('banner');
    expect(await within(banner).findByText('Jamais synchronisé')).toBeInTheDocument();
    await writeChanges(db, { deviceId: 'tablette', org: demo.day.stop!.orgId }, [
      { entity: 'visit', id: demo.entries.waiting1.visitId, set: { motif: 'Toux' } },
    ]);
    expect(await within(banner).findByText('1 modification en attente')).toBeInTheDocument();
  });
});
