// The device-health page (/appareil): storage, versions, device id, sync, offline readiness —
// and it keeps working on browsers that lack navigator.storage or service workers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { checkMarker } from '../../src/device/marker';
import { setAside } from '../../src/device/set-aside';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { freshDb, renderAt } from './support';

const pkg = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
) as {
  version: string;
};

let db: EscaleDb;

/** Replaces navigator.<name> for one test (jsdom's navigator has no storage nor serviceWorker). */
function stubNavigator(name: 'storage' | 'serviceWorker', value: unknown) {
  Object.defineProperty(window.navigator, name, { value, configurable: true });
}

function removeNavigator(name: 'storage' | 'serviceWorker') {
  Reflect.deleteProperty(window.navigator, name);
}

beforeEach(() => {
  db = freshDb();
  // What vite.config.ts `define` injects in a real build.
  vi.stubGlobal('__APP_VERSION__', pkg.version);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  removeNavigator('storage');
  removeNavigator('serviceWorker');
});

function section(name: string) {
  return screen.getByRole('region', { name });
}

describe('device health', () => {
  it('shows the app version from package.json, the schema version and the device id', async () => {
    const { deviceId } = await checkMarker(db, { storage: null });
    renderAt('/appareil', db);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'État de l’appareil' }),
    ).toBeInTheDocument();
    const versions = section('Versions');
    expect(within(versions).getByText(pkg.version)).toBeInTheDocument();
    expect(within(versions).getByText(String(SCHEMA_VERSION))).toBeInTheDocument();
    expect(await within(section('Appareil')).findByText(deviceId)).toBeInTheDocument();
  });

  it('says the version is unknown rather than inventing one when the build did not inject it', async () => {
    vi.unstubAllGlobals();
    renderAt('/appareil', db);
    expect(await within(section('Versions')).findByText('inconnue')).toBeInTheDocument();
  });

  it('handles a browser without navigator.storage', async () => {
    removeNavigator('storage');
    renderAt('/appareil', db);
    expect(
      await screen.findByText('Ce navigateur ne donne aucune information sur le stockage.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /stockage persistant/ })).toBeNull();
  });

  it('shows persistence, usage and quota, and warns above 80 % of the quota', async () => {
    stubNavigator('storage', {
      persisted: async () => false,
      persist: async () => false,
      estimate: async () => ({ usage: 850 * 1024 ** 2, quota: 1000 * 1024 ** 2 }),
    });
    renderAt('/appareil', db);
    const storage = section('Stockage');
    expect(
      await within(storage).findByText(/^Non : le navigateur peut effacer/),
    ).toBeInTheDocument();
    expect(within(storage).getByText('850 Mo sur 1 000 Mo (85 %)')).toBeInTheDocument();
    expect(within(storage).getByRole('alert')).toHaveTextContent('plus de 80 %');
  });

  it('does not warn below 80 %', async () => {
    stubNavigator('storage', {
      persisted: async () => true,
      estimate: async () => ({ usage: 10 * 1024 ** 2, quota: 1000 * 1024 ** 2 }),
    });
    renderAt('/appareil', db);
    const storage = section('Stockage');
    expect(await within(storage).findByText(/^Oui :/)).toBeInTheDocument();
    expect(within(storage).queryByRole('alert')).toBeNull();
    // Already persisted: nothing to ask.
    expect(within(storage).queryByRole('button')).toBeNull();
  });

  it('asks the browser for persistent storage on request and reports the answer', async () => {
    let persisted = false;
    const persist = vi.fn(async () => {
      persisted = true;
      return true;
    });
    stubNavigator('storage', {
      persisted: async () => persisted,
      persist,
      estimate: async () => ({ usage: 1, quota: 100 }),
    });
    const user = userEvent.setup();
    renderAt('/appareil', db);
    await user.click(
      await screen.findByRole('button', { name: 'Demander un stockage persistant' }),
    );
    expect(persist).toHaveBeenCalledOnce();
    expect(await screen.findByText('Le stockage est désormais persistant.')).toBeInTheDocument();
    expect(await screen.findByText(/^Oui :/)).toBeInTheDocument();
  });

  it('announces "prêt hors ligne" only once the service worker is ready', async () => {
    let ready!: () => void;
    stubNavigator('serviceWorker', {
      ready: new Promise<void>((resolve) => {
        ready = resolve;
      }),
    });
    renderAt('/appareil', db);
    const offline = section('Mode hors ligne');
    expect(within(offline).getByText(/^Pas encore prêt hors ligne/)).toBeInTheDocument();
    ready();
    expect(await within(offline).findByText(/^Prêt hors ligne/)).toBeInTheDocument();
  });

  it('says offline use is impossible without service workers', async () => {
    removeNavigator('serviceWorker');
    renderAt('/appareil', db);
    expect(
      within(section('Mode hors ligne')).getByText(
        'Ce navigateur ne permet pas le fonctionnement hors ligne.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the sync status the device recorded', async () => {
    await db.meta.put({
      key: 'syncStatus',
      value: {
        state: 'offline',
        pending: 0,
        lastSuccessAt: '2026-11-23T08:05:00.000Z',
        lastAttemptAt: '2026-11-23T09:00:00.000Z',
        lastError: 'Aucun serveur joignable',
        server: 'https://central.example',
        pull: null,
      },
    });
    renderAt('/appareil', db);
    const sync = section('Synchronisation');
    expect(await within(sync).findByText('23/11/2026 09:05')).toBeInTheDocument();
    expect(within(sync).getByText('Aucun serveur joignable')).toBeInTheDocument();
    expect(within(sync).getByText('non')).toBeInTheDocument();
    expect(within(screen.getByRole('banner')).getByText('Hors ligne')).toBeInTheDocument();
  });
});

describe('ops the server refused', () => {
  it('lists them in the sync section, in French, with the server’s reason', async () => {
    await checkMarker(db, { storage: null });
    await setAside(db, [
      {
        seq: 7,
        reason: 'Note signée : son contenu ne change plus sur le serveur ; ajoutez un addendum.',
        at: '2026-12-03T09:15:00.000Z',
      },
    ]);
    renderAt('/appareil', db);
    const sync = await screen.findByRole('region', { name: 'Synchronisation' });
    const alert = await within(sync).findByRole('alert');
    expect(alert).toHaveTextContent(
      '1 modification refusée par le serveur est gardée à part sur cet appareil',
    );
    expect(within(alert).getByRole('listitem')).toHaveTextContent(
      /^Refusée le .+ : Note signée : son contenu ne change plus/,
    );
    expect(alert.textContent).not.toMatch(/2026-12-03T/);
  });
});
