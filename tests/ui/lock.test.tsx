// The lock of a shared device (DESIGN.md §2, §6): locked, no patient data is on screen; a person
// unlocks with their own PIN (quick user switch); failures lead to a lockout; an idle device
// locks itself; a new PIN is refused when too simple.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { setPin, staffWithPin } from '../../src/device/pin';
import { patientName } from '../../src/ui/day/day-data';
import { setLockCheckPeriod } from '../../src/ui/shell/LockGate';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const FAST = 1000;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  await setPin(db, staffId('Leroy'), '2580', FAST);
  await setPin(db, staffId('Garnier'), '7391', FAST);
  useUiStore.setState({ lock: 'open', staffId: staffId('Leroy') });
});

afterEach(() => {
  vi.useRealTimers();
  useUiStore.setState({ lock: 'open', staffId: null });
  setLockCheckPeriod(15_000);
});

describe('the lock screen', () => {
  it('opens locked when the person at work has a PIN, with no patient on screen', async () => {
    renderAt('/accueil', db);
    expect(await screen.findByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
    for (const p of demo.arrived) {
      expect(screen.queryByText(patientName(p))).not.toBeInTheDocument();
    }
    expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);
  });

  it('unlocks with the right PIN and shows the board again', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.type(await screen.findByLabelText('Code personnel'), '2580');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    expect((await screen.findAllByText(/MG-002/)).length).toBeGreaterThan(0);
  });

  it('lets another person take over with their own PIN (quick switch), who then stamps the work', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.selectOptions(await screen.findByLabelText('Qui êtes-vous ?'), staffId('Garnier'));
    await user.type(screen.getByLabelText('Code personnel'), '7391');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    await screen.findAllByText(/MG-002/);
    expect(useUiStore.getState().staffId).toBe(staffId('Garnier'));
  });

  it('counts wrong PINs and then refuses every PIN for a while', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await screen.findByLabelText('Code personnel');
    /** One attempt, waited for: the field is emptied once the check is done. */
    const attempt = async (pin: string) => {
      await user.type(screen.getByLabelText('Code personnel'), pin);
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      await waitFor(() => expect(screen.getByLabelText('Code personnel')).toHaveValue(''));
      await waitFor(() =>
        expect(screen.getByRole('button', { name: 'Déverrouiller' })).toBeEnabled(),
      );
    };
    await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Code incorrect : encore 4 essais avant un blocage temporaire.',
    );
    for (let i = 0; i < 3; i++) await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent('encore 1 essai avant');
    await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent(
      /^Trop d’essais : les codes sont refusés jusqu’à/,
    );
    // During the lockout even the right PIN is refused.
    await attempt('2580');
    expect(screen.getByRole('alert')).toHaveTextContent(/^Trop d’essais/);
    expect(screen.getByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
    expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);
  });

  it('locks by itself once the device is left idle', async () => {
    setLockCheckPeriod(50);
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.type(await screen.findByLabelText('Code personnel'), '2580');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    await screen.findAllByText(/MG-002/);
    // Still there two minutes later; reception locks after three idle minutes.
    vi.setSystemTime(new Date(Date.parse(NOW) + 2 * 60_000));
    await new Promise((r) => setTimeout(r, 150));
    expect(screen.queryByRole('heading', { name: 'Appareil verrouillé' })).not.toBeInTheDocument();
    vi.setSystemTime(new Date(Date.parse(NOW) + 3 * 60_000));
    expect(await screen.findByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
  });
});

describe('creating a PIN', () => {
  it('refuses a trivial or mistyped PIN, then keeps the new one', async () => {
    useUiStore.setState({ staffId: staffId('Benali') });
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Créer mon code' }));
    await user.type(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'), '1234');
    await user.type(screen.getByLabelText('Confirmez le code'), '1234');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Code trop simple');
    await user.clear(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'));
    await user.clear(screen.getByLabelText('Confirmez le code'));
    await user.type(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'), '4826');
    await user.type(screen.getByLabelText('Confirmez le code'), '4862');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('ne sont pas identiques');
    expect(await staffWithPin(db)).not.toContain(staffId('Benali'));
    await user.clear(screen.getByLabelText('Confirmez le code'));
    await user.type(screen.getByLabelText('Confirmez le code'), '4826');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    await waitFor(async () => expect(await staffWithPin(db)).toContain(staffId('Benali')));
    expect(await screen.findByRole('button', { name: 'Verrouiller' })).toBeInTheDocument();
  });
});
