// First use of a device (issue 8): the home screen asks for the enrolment code the coordination
// created (tolerant of spaces, dashes and lowercase) and the optional relay; the server the app
// came from exchanges it for the device's credential, and the device then plays only that
// profile.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConnection } from '../../src/device/connection';
import { type EscaleDb, META, setMeta } from '../../src/device/db';
import { freshDb, renderAt } from './support';

let db: EscaleDb;
const DEVICE = 'tablette-neuve';

interface Enrolment {
  profile: 'reception' | 'room' | 'coordination' | 'display';
  name: string;
}

/** A fake central: /api/enrol answers with `answer`; everything else is out of reach. */
function serve(answer: Enrolment | { status: number; error: string; message: string } | 'down') {
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = String(input);
    if (answer === 'down' || !url.endsWith('/api/enrol')) throw new TypeError('Failed to fetch');
    if ('status' in answer) {
      return new Response(JSON.stringify({ error: answer.error, message: answer.message }), {
        status: answer.status,
      });
    }
    return new Response(
      JSON.stringify({
        org: 'org-1',
        orgName: 'Médicobus Perche Émeraude',
        deviceId: DEVICE,
        token: `${DEVICE}.secret`,
        profile: answer.profile,
        roomId: null,
        name: answer.name,
      }),
      { status: 200 },
    );
  });
  vi.stubGlobal('fetch', fetchImpl);
  return fetchImpl;
}

const enrolCalls = (fetchImpl: ReturnType<typeof serve>) =>
  fetchImpl.mock.calls.filter(([u]) => String(u).endsWith('/api/enrol'));

beforeEach(async () => {
  db = freshDb();
  // As the start-up marker check does on a real device.
  await setMeta(db, META.deviceId, DEVICE);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a device used for the first time', () => {
  it('enrols with a code typed loosely, with the truck’s relay first and central second', async () => {
    const fetchImpl = serve({ profile: 'display', name: 'Écran salle d’attente' });
    const user = userEvent.setup();
    renderAt('/', db);
    expect(
      await screen.findByRole('heading', { name: 'Enrôler cet appareil' }),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Organisation')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Code d’enrôlement'), 'k7m2-q9 xd');
    await user.type(
      screen.getByLabelText('Relais du camion (facultatif)'),
      'https://relais.escale.local/',
    );
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    await waitFor(async () =>
      expect(await readConnection(db)).toEqual({
        org: 'org-1',
        servers: ['https://relais.escale.local', window.location.origin],
        credential: {
          token: `${DEVICE}.secret`,
          profile: 'display',
          roomId: null,
          name: 'Écran salle d’attente',
          orgName: 'Médicobus Perche Émeraude',
        },
      }),
    );
    const [input, init] = enrolCalls(fetchImpl)[0]!;
    expect(String(input)).toBe(`${window.location.origin}/api/enrol`);
    expect(JSON.parse(String(init?.body))).toEqual({ code: 'K7M2Q9XD', deviceId: DEVICE });
    // The device now plays only its profile: one big button, and device health.
    expect(
      await screen.findByRole('heading', {
        level: 1,
        name: 'Cet appareil : Écran salle d’attente',
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Ouvrir : Affichage' })).toHaveAttribute(
      'href',
      '/affichage',
    );
    expect(screen.queryByRole('link', { name: /^Accueil/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^État de l’appareil Stockage/ })).toBeInTheDocument();
  });

  it('asks the person to sign in next on a reception tablet', async () => {
    serve({ profile: 'reception', name: 'Tablette accueil' });
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2Q9XD');
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    expect(
      await screen.findByRole('heading', { name: 'Connexion à cet appareil' }),
    ).toBeInTheDocument();
  });

  it('offers no « Changer de profil » on the enrolment screen, where it would lead nowhere', async () => {
    serve({ profile: 'reception', name: 'Tablette' });
    renderAt('/', db);
    expect(await screen.findByLabelText('Code d’enrôlement')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Changer de profil' })).toBeNull();
  });

  it('refuses a code that is not 8 letters or digits without asking the server', async () => {
    const fetchImpl = serve({ profile: 'reception', name: 'Tablette' });
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2 Q9');
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Le code compte 8 lettres ou chiffres',
    );
    expect(screen.getByLabelText('Code d’enrôlement')).toHaveAttribute('aria-invalid', 'true');
    expect(enrolCalls(fetchImpl)).toHaveLength(0);
    expect(await readConnection(db)).toBeNull();
  });

  it('refuses a relay address that is not a web address, and stays unconnected', async () => {
    const fetchImpl = serve({ profile: 'reception', name: 'Tablette' });
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2Q9XD');
    await user.type(screen.getByLabelText('Relais du camion (facultatif)'), 'pas une adresse');
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'L’adresse du relais n’est pas une adresse web valide.',
    );
    expect(enrolCalls(fetchImpl)).toHaveLength(0);
    expect(await readConnection(db)).toBeNull();
  });

  it('shows the server’s refusal and keeps the typed code to correct it', async () => {
    serve({ status: 404, error: 'unknown_code', message: 'Unknown code' });
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2 Q9XD');
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Code inconnu, expiré ou déjà utilisé',
    );
    expect(screen.getByLabelText('Code d’enrôlement')).toHaveValue('K7M2 Q9XD');
    expect(screen.getByRole('button', { name: 'Enrôler cet appareil' })).toBeEnabled();
    expect(await readConnection(db)).toBeNull();
  });

  it('says when the server cannot be reached', async () => {
    serve('down');
    const user = userEvent.setup();
    renderAt('/', db);
    await user.type(await screen.findByLabelText('Code d’enrôlement'), 'K7M2Q9XD');
    await user.click(screen.getByRole('button', { name: 'Enrôler cet appareil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Serveur injoignable');
    expect(await readConnection(db)).toBeNull();
  });
});
