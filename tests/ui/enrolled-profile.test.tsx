// An enrolled device plays only the profile of its credential (issue 8): its home offers that
// profile alone (a room device: its room alone), and another profile's route shows a notice
// leading to its own screen, never that screen.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Credential, joinOrganisation } from '../../src/device/connection';
import type { EscaleDb } from '../../src/device/db';
import { setPin } from '../../src/device/pin';
import { patientName } from '../../src/ui/day/day-data';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;

async function enrol(credential: Omit<Credential, 'token' | 'orgName'>) {
  await joinOrganisation(db, {
    org: demo.day.stop!.orgId,
    servers: ['https://central.test'],
    credential: { ...credential, token: 'appareil.secret', orgName: 'Médicobus' },
  });
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: null, roomId: null, staffId: null, lock: 'open' });
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
  useUiStore.setState({ profile: null, roomId: null, staffId: null, lock: 'open' });
});

describe('a device enrolled for one profile', () => {
  it('shows a notice instead of another profile’s screen, with a link to its own', async () => {
    await enrol({ profile: 'reception', roomId: null, name: 'Tablette accueil' });
    renderAt('/coordination', db);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cet appareil est enrôlé pour l’accueil',
    );
    expect(
      screen.getByRole('link', { name: 'Aller à l’écran de cet appareil : Accueil' }),
    ).toHaveAttribute('href', '/accueil');
    expect(screen.queryByRole('heading', { name: 'Coordination' })).not.toBeInTheDocument();
    for (const p of demo.arrived) {
      expect(screen.queryByText(patientName(p))).not.toBeInTheDocument();
    }
    // The route did not make coordination this device's profile.
    expect(useUiStore.getState().profile).not.toBe('coordination');
    expect(screen.queryByRole('link', { name: 'Changer de profil' })).not.toBeInTheDocument();
  });

  it('keeps supervision, which reads notes, to room and coordination devices', async () => {
    await enrol({ profile: 'reception', roomId: null, name: 'Tablette accueil' });
    renderAt('/supervision', db);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cet appareil est enrôlé pour l’accueil',
    );
  });

  it('keeps a room device to its own room', async () => {
    await enrol({ profile: 'room', roomId: demo.roomId('Box 1'), name: 'Portable Box 1' });
    renderAt(`/salle/${demo.roomId('Box 2')}`, db);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cet appareil est enrôlé pour la salle « Box 1 »',
    );
    expect(
      screen.getByRole('link', { name: 'Aller à l’écran de cet appareil : Salle : Box 1' }),
    ).toHaveAttribute('href', `/salle/${demo.roomId('Box 1')}`);
    expect(screen.queryByRole('heading', { name: 'Box 2' })).not.toBeInTheDocument();
  });

  it('offers only its own room on its home screen, behind the sign-in', async () => {
    await enrol({ profile: 'room', roomId: demo.roomId('Box 1'), name: 'Portable Box 1' });
    const benali = demo.day.staff.find((s) => s.lastName === 'Benali')!.id;
    await setPin(db, benali, '4826', 1000);
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code personnel'), '4826');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Cet appareil : Portable Box 1' }),
    ).toBeInTheDocument();
    const open = await screen.findByRole('link', { name: 'Ouvrir : Salle : Box 1' });
    expect(open).toHaveAttribute('href', `/salle/${demo.roomId('Box 1')}`);
    expect(screen.queryByRole('link', { name: /^Accueil/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Salle/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^État de l’appareil Stockage/ })).toBeInTheDocument();
    await user.click(open);
    expect(await screen.findByRole('heading', { level: 1, name: 'Box 1' })).toBeInTheDocument();
    expect(useUiStore.getState()).toMatchObject({ profile: 'room', roomId: demo.roomId('Box 1') });
  });

  it('lets the waiting-room screen play its own route without sign-in, and nothing else', async () => {
    await enrol({ profile: 'display', roomId: null, name: 'Écran salle d’attente' });
    const { unmount } = renderAt('/affichage', db);
    expect(await screen.findByRole('region', { name: 'Appelés' })).toBeInTheDocument();
    await waitFor(() => expect(useUiStore.getState().profile).toBe('display'));
    unmount();
    renderAt('/accueil', db);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cet appareil est enrôlé pour l’écran de la salle d’attente',
    );
    expect(screen.queryByText(/MG-002/)).not.toBeInTheDocument();
  });

  it('forgets the profile the device played before its enrolment', async () => {
    useUiStore.setState({ profile: 'coordination', roomId: null });
    await enrol({ profile: 'reception', roomId: null, name: 'Tablette accueil' });
    renderAt('/appareil', db);
    await waitFor(() => expect(useUiStore.getState().profile).toBe('reception'));
    expect(screen.getByText('Profil : Accueil')).toBeInTheDocument();
  });

  it('leaves a device without a credential free to play any profile', async () => {
    renderAt('/coordination', db);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Coordination' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Cet appareil est enrôlé/)).not.toBeInTheDocument();
  });
});
