import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConnection } from '../../src/device/connection';
import type { EscaleDb } from '../../src/device/db';
import { freshDb, renderAt } from './support';

let db: EscaleDb;

function serve(orgs: { id: string; name: string }[] | 'down') {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL) => {
      const url = String(input);
      if (orgs === 'down') throw new TypeError('Failed to fetch');
      if (url.endsWith('/api/orgs')) return new Response(JSON.stringify({ orgs }), { status: 200 });
      throw new TypeError('Failed to fetch');
    }),
  );
}

beforeEach(() => {
  db = freshDb();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a device used for the first time', () => {
  it('joins an organisation, with the truck’s relay first and central second', async () => {
    serve([{ id: 'org-1', name: 'Médicobus Perche Émeraude' }]);
    const user = userEvent.setup();
    renderAt('/', db);
    expect(
      await screen.findByRole('heading', { name: 'Relier cet appareil à une organisation' }),
    ).toBeInTheDocument();
    expect(await screen.findByLabelText('Organisation')).toHaveValue('org-1');
    await user.type(
      screen.getByLabelText('Relais du camion (facultatif)'),
      'https://relais.escale.local/',
    );
    await user.click(screen.getByRole('button', { name: 'Relier cet appareil' }));
    await waitFor(async () =>
      expect(await readConnection(db)).toEqual({
        org: 'org-1',
        servers: ['https://relais.escale.local', window.location.origin],
      }),
    );
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Quel est le rôle de cet appareil ?' }),
    ).toBeInTheDocument();
  });

  it('refuses a relay address that is not a web address, and stays unconnected', async () => {
    serve([{ id: 'org-1', name: 'Médicobus' }]);
    const user = userEvent.setup();
    renderAt('/', db);
    await screen.findByLabelText('Organisation');
    const relay = screen.getByLabelText('Relais du camion (facultatif)');
    await user.type(relay, 'pas une adresse');
    await user.click(screen.getByRole('button', { name: 'Relier cet appareil' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'L’adresse du relais n’est pas une adresse web valide.',
    );
    expect(await readConnection(db)).toBeNull();
  });

  it('says when the server cannot be reached', async () => {
    serve('down');
    renderAt('/', db);
    expect(await screen.findByRole('alert')).toHaveTextContent('Le serveur est injoignable');
  });
});
