// The lock's screens load on demand, each in a boundary of its own (shell/LockGate.tsx): the gate
// and the screen beneath it never sit in a boundary that suspends. Under Preact (decision 0032) a
// boundary that suspends parks what is mounted in it and holds back what the gate renders next
// until the module it waited for arrives: with one boundary around the gate, the device's health
// (never locked) asked for while « Créer mon code » loaded stayed behind « Chargement… » until the
// PIN's screen — which it does not show — had loaded (a blank page that lasted was not seen in
// this case, as it was for the reception's tabs: tests/ui/lazy-screens.test.tsx). The test holds
// the lock's screens back to make the moment certain.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

/** The lock's screens' module, held until the test lets it go; `asked` once the gate asked. */
const held = vi.hoisted(() => {
  const state = { asked: false, open: () => {}, opened: Promise.resolve() };
  state.opened = new Promise<void>((resolve) => {
    state.open = resolve;
  });
  return state;
});
vi.mock('../../src/ui/shell/LockScreens', async (load) => {
  held.asked = true;
  await held.opened;
  return load();
});

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
  useUiStore.setState({ lock: 'open', staffId: null });
});

describe('the lock’s screens, loading', () => {
  it('the device’s health opened meanwhile is on screen, before and after they load', async () => {
    // A person without a PIN here opens « Créer mon code », then « État de l’appareil » (never
    // locked) before the PIN's screen has loaded.
    useUiStore.setState({ profile: 'reception', lock: 'open', staffId: demo.day.staff[0]!.id });
    const user = userEvent.setup();
    renderAt('/accueil/arrivee', db);
    await screen.findByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' });
    await user.click(screen.getByRole('button', { name: 'Créer mon code' }));
    await vi.waitFor(() => expect(held.asked).toBe(true));
    await user.click(screen.getByRole('link', { name: 'État de l’appareil' }));
    const health = { level: 1, name: 'État de l’appareil' } as const;
    expect(await screen.findByRole('heading', health)).toBeInTheDocument();
    held.open();
    // Let the held module arrive and the gate settle, then the page is still there.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await screen.findByRole('heading', health)).toBeInTheDocument();
    // Leaving the exempt screen, the PIN's screen asked for is there.
    await user.click(screen.getByRole('link', { name: 'Changer de profil' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Votre code de verrouillage' }),
    ).toBeInTheDocument();
  });
});
