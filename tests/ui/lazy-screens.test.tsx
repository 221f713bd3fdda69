// A screen loaded on demand and left before it has loaded (a slow tablet, a quick hand): the page
// one goes to is on screen, with what was typed. Under Preact (decision 0032) a Suspense boundary
// that suspends while a screen is mounted in it parks that screen in a detached tree; a route
// change below it then rendered into the parked tree and the page stayed blank (reception-arrival's
// « keeps a half-typed check-in… » failed so under load). Each screen loaded on demand has its own
// boundary; the lock's screens share theirs with the screen beneath, checked here too. The tests
// hold the modules back to make the moment certain.
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { useArrivalStore } from '../../src/ui/reception/arrival-store';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

/** Module loads held until the test lets them go; `asked` once the screen has asked for it. */
const held = vi.hoisted(() => {
  const gate = () => {
    const state = { asked: false, open: () => {}, opened: Promise.resolve() };
    state.opened = new Promise<void>((resolve) => {
      state.open = resolve;
    });
    return state;
  };
  return { appointments: gate(), deviceHealth: gate(), lockScreens: gate() };
});
vi.mock('../../src/ui/reception/AppointmentsPage', async (load) => {
  held.appointments.asked = true;
  await held.appointments.opened;
  return load();
});
vi.mock('../../src/ui/device-health/DeviceHealthScreen', async (load) => {
  held.deviceHealth.asked = true;
  await held.deviceHealth.opened;
  return load();
});
vi.mock('../../src/ui/shell/LockScreens', async (load) => {
  held.lockScreens.asked = true;
  await held.lockScreens.opened;
  return load();
});

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: 'reception', staffId: null, lock: 'open', dirtyForms: [] });
  useArrivalStore.getState().reset();
  db = freshDb();
  demo = await seedDemoDay(db);
  // The reception's screen already loaded once (as when one comes back to it from another
  // screen): it mounts at once, without suspending.
  renderAt('/accueil', db);
  await screen.findByRole('link', { name: 'Arrivée' });
  cleanup();
});

describe('a screen left before it has loaded', () => {
  it('a reception tab: back on « Arrivée », the half-typed check-in is on screen', async () => {
    const patient = demo.patients[21]!;
    const user = userEvent.setup();
    renderAt('/accueil/arrivee', db);
    const search = await screen.findByRole('searchbox', {
      name: 'Nom, prénom, date de naissance ou NIR',
    });
    await user.type(search, `${patient.birthName} ${patient.firstNames.split(' ')[0]}`);
    await user.click(
      (await screen.findAllByRole('button', { name: /^Enregistrer l’arrivée de/ }))[0]!,
    );
    let form = await screen.findByRole('form', { name: /^Arrivée de/ });
    await user.type(within(form).getByLabelText(/^Motif de la venue/), 'Vertiges');
    // « Rendez-vous » is still loading when « Arrivée » is pressed again.
    await user.click(screen.getByRole('link', { name: 'Rendez-vous' }));
    // (React keeps the page during the load, Preact shows « Chargement… »: wait for the request.)
    await vi.waitFor(() => expect(held.appointments.asked).toBe(true));
    await user.click(screen.getByRole('link', { name: 'Arrivée' }));
    form = await screen.findByRole('form', { name: /^Arrivée de/ });
    expect(within(form).getByLabelText(/^Motif de la venue/)).toHaveValue('Vertiges');
    // Once loaded, the tab opens as usual.
    held.appointments.open();
    await user.click(screen.getByRole('link', { name: 'Rendez-vous' }));
    expect(await screen.findByRole('region', { name: 'Rendez-vous du jour' })).toBeInTheDocument();
  });

  it('a whole screen: back on the profile choice, it is on screen', async () => {
    const user = userEvent.setup();
    renderAt('/accueil/arrivee', db);
    await screen.findByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' });
    await user.click(screen.getByRole('link', { name: 'État de l’appareil' }));
    await vi.waitFor(() => expect(held.deviceHealth.asked).toBe(true));
    await user.click(screen.getByRole('link', { name: 'Changer de profil' }));
    expect(await screen.findByRole('heading', { level: 1 })).toBeInTheDocument();
    held.deviceHealth.open();
    await user.click(screen.getByRole('link', { name: 'État de l’appareil' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'État de l’appareil' }),
    ).toBeInTheDocument();
  });

  it('the lock’s screens (one boundary with the screen beneath): the page navigated to shows after', async () => {
    // A person without a PIN here opens « Créer mon code »; the lock's screens are still loading
    // when the header's « Changer de profil » is pressed.
    useUiStore.setState({ lock: 'open', staffId: demo.day.staff[0]!.id });
    const user = userEvent.setup();
    renderAt('/accueil/arrivee', db);
    await screen.findByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' });
    await user.click(screen.getByRole('button', { name: 'Créer mon code' }));
    await vi.waitFor(() => expect(held.lockScreens.asked).toBe(true));
    await user.click(screen.getByRole('link', { name: 'Changer de profil' }));
    held.lockScreens.open();
    await user.click(await screen.findByRole('button', { name: 'Annuler' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Quel est le rôle de cet appareil ?' }),
    ).toBeInTheDocument();
  });
});
