// A device no server recognises any more (401: central restored from a backup older than its
// enrolment) says so on every screen and takes a new code right there: it enrols again under
// the same id through its servers in order (the relay first, central when the relay is out of
// reach), keeps everything it holds, and the banner goes with the notice. A code of another
// organisation is refused in French and changes nothing.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConnection } from '../../src/device/connection';
import { type EscaleDb, getMeta, META, setMeta } from '../../src/device/db';
import { freshDb, renderAt } from './support';

let db: EscaleDb;
const DEVICE = 'tablette-accueil';
const RELAY = 'https://relais.escale.local';
const CENTRAL = 'https://central.escale.test';

/** The relay is out of reach; central answers /api/enrol for organisation `org`. */
function serve(org: string) {
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = String(input);
    if (!url.startsWith(CENTRAL) || !url.endsWith('/api/enrol')) {
      throw new TypeError('Failed to fetch');
    }
    return new Response(
      JSON.stringify({
        org,
        orgName: 'Médicobus Perche Émeraude',
        deviceId: DEVICE,
        token: `${DEVICE}.nouveau-secret`,
        profile: 'reception',
        roomId: null,
        name: 'Tablette d’accueil',
      }),
      { status: 200 },
    );
  });
  vi.stubGlobal('fetch', fetchImpl);
  return fetchImpl;
}

beforeEach(async () => {
  db = freshDb();
  await setMeta(db, META.deviceId, DEVICE);
  await setMeta(db, META.org, 'org-1');
  await setMeta(db, 'servers', [RELAY, CENTRAL]);
  await setMeta(db, 'credential', {
    token: `${DEVICE}.ancien-secret`,
    profile: 'reception',
    roomId: null,
    name: 'Tablette d’accueil',
    orgName: 'Médicobus Perche Émeraude',
  });
  await setMeta(db, META.unrecognised, { message: 'x', at: '2026-12-06T08:00:00.000Z' });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a device the servers no longer recognise', () => {
  it('takes a new code on the spot and enrols again under the same id', async () => {
    const fetchImpl = serve('org-1');
    const user = userEvent.setup();
    renderAt('/', db);
    const banner = await screen.findByRole('alert', {
      name: 'Cet appareil doit être enrôlé à nouveau',
    });
    expect(banner).toHaveTextContent('modifications non envoyées partiront');
    const field = screen.getByLabelText('Code d’enrôlement');
    await user.type(field, 'abc');
    await user.click(screen.getByRole('button', { name: 'Enrôler à nouveau' }));
    expect(
      await screen.findByText(
        'Le code compte 8 lettres ou chiffres : vérifiez-le auprès de la coordination.',
      ),
    ).toBeInTheDocument();
    expect(fetchImpl).not.toHaveBeenCalled();

    await user.clear(field);
    await user.type(field, 'k7m2-q9xd');
    await user.click(screen.getByRole('button', { name: 'Enrôler à nouveau' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('alert', { name: 'Cet appareil doit être enrôlé à nouveau' }),
      ).not.toBeInTheDocument(),
    );
    // The relay first (out of reach), then central; the same id each time.
    const calls = fetchImpl.mock.calls.map(([u, init]) => [
      String(u),
      JSON.parse(String(init?.body)),
    ]);
    expect(calls).toEqual([
      [`${RELAY}/api/enrol`, { code: 'K7M2Q9XD', deviceId: DEVICE }],
      [`${CENTRAL}/api/enrol`, { code: 'K7M2Q9XD', deviceId: DEVICE }],
    ]);
    const connection = await readConnection(db);
    expect(connection?.credential?.token).toBe(`${DEVICE}.nouveau-secret`);
    expect(connection?.servers).toEqual([RELAY, CENTRAL]);
    expect(await getMeta(db, META.unrecognised)).toBeUndefined();
  });

  it('refuses a code of another organisation and keeps the old credential', async () => {
    serve('org-2');
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2Q9XD');
    await user.click(screen.getByRole('button', { name: 'Enrôler à nouveau' }));
    expect(
      await screen.findByText(
        'Ce code est celui d’une autre organisation : demandez un code à votre coordination. Rien n’a été changé.',
      ),
    ).toBeInTheDocument();
    expect((await readConnection(db))?.credential?.token).toBe(`${DEVICE}.ancien-secret`);
    expect(
      screen.getByRole('alert', { name: 'Cet appareil doit être enrôlé à nouveau' }),
    ).toBeInTheDocument();
  });
});
