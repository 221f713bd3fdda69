// The place picker of the registration and of the identity's correction (issue #15 item 1): the
// index is loaded only once someone types (never with the first screen), a commune is found by its
// name without accents, a former commune says so, and choosing one fills the INSEE code field; for
// the birth place a foreign country is found by its name and « inconnu » (99999) is offered
// without typing; the commune of residence offers no country; a missing index says to type the
// code.
import { readFileSync } from 'node:fs';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMUNES_URL, PlacePicker } from '../../src/ui/reception/PlacePicker';

const FILE = readFileSync('public/geo/communes.json', 'utf8');

function Harness({ birthPlace = false }: { birthPlace?: boolean }) {
  const [code, setCode] = useState('');
  return (
    <>
      <label>
        Code INSEE
        <input value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <PlacePicker
        label="Chercher la commune de naissance par son nom"
        birthPlace={birthPlace}
        onPick={setCode}
      />
    </>
  );
}

function serveIndex() {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(FILE, { status: 200 })),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('the place picker', () => {
  // First: once loaded, the index stays for the page.
  it('says to type the code when the index cannot be loaded', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('absent', { status: 404 })),
    );
    const user = userEvent.setup();
    render(<Harness />);
    await user.type(screen.getByRole('searchbox'), 'zz');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(/tapez le code INSEE/));
  });
  it('loads the index on first typing, finds a commune by name and fills its code', async () => {
    const fetched: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        fetched.push(String(url));
        return new Response(FILE, { status: 200 });
      }),
    );
    const user = userEvent.setup();
    render(<Harness />);
    expect(fetched).toEqual([]);
    const search = screen.getByRole('searchbox', {
      name: 'Chercher la commune de naissance par son nom',
    });
    await user.type(search, 'le mans');
    const results = await screen.findByRole('list', { name: 'Communes trouvées' });
    expect(fetched).toEqual([COMMUNES_URL]);
    await user.click(within(results).getByRole('button', { name: 'Le Mans (72) — 72181' }));
    expect(screen.getByRole('textbox', { name: 'Code INSEE' })).toHaveValue('72181');
    expect(screen.getByRole('status')).toHaveTextContent('Code choisi : Le Mans (72) — 72181');
    await user.clear(search);
    await user.type(search, 'arbignieu');
    expect(
      await screen.findByRole('button', {
        name: 'Arbignieu (01), ancienne commune (déléguée) — 01015',
      }),
    ).toBeVisible();
  });

  it('finds a birth country by its name, accents aside, and fills its INSEE code', async () => {
    serveIndex();
    const user = userEvent.setup();
    render(<Harness birthPlace />);
    const search = screen.getByRole('searchbox');
    expect(search).toHaveAccessibleDescription(/pays et territoires étrangers/);
    await user.type(search, 'algerie');
    const results = await screen.findByRole('list', { name: 'Lieux trouvés' });
    await user.click(within(results).getByRole('button', { name: 'Algérie (pays) — 99352' }));
    expect(screen.getByRole('textbox', { name: 'Code INSEE' })).toHaveValue('99352');
    expect(screen.getByRole('status')).toHaveTextContent('Code choisi : Algérie (pays) — 99352');
    await user.clear(search);
    await user.type(search, 'hong kong');
    expect(
      await screen.findByRole('button', { name: 'Hong Kong (territoire étranger) — 99230' }),
    ).toBeVisible();
    await user.clear(search);
    await user.type(search, 'france');
    expect(
      within(await screen.findByRole('list', { name: 'Lieux trouvés' })).queryByRole('button', {
        name: /\(pays\)/,
      }),
    ).toBeNull();
  });

  it('offers « lieu de naissance inconnu » (99999) for the birth place, without typing', async () => {
    const fetched = vi.fn(async () => new Response(FILE, { status: 200 }));
    vi.stubGlobal('fetch', fetched);
    const user = userEvent.setup();
    render(<Harness birthPlace />);
    await user.click(screen.getByRole('button', { name: 'Lieu de naissance inconnu (99999)' }));
    expect(screen.getByRole('textbox', { name: 'Code INSEE' })).toHaveValue('99999');
    expect(screen.getByRole('status')).toHaveTextContent(
      'Code choisi : lieu de naissance inconnu — 99999',
    );
    expect(fetched).not.toHaveBeenCalled();
  });

  it('offers no country and no « inconnu » for the commune of residence', async () => {
    serveIndex();
    const user = userEvent.setup();
    render(<Harness />);
    expect(screen.queryByRole('button', { name: /inconnu/ })).toBeNull();
    await user.type(screen.getByRole('searchbox'), 'algerie');
    expect(await screen.findByText('Aucune commune de ce nom.')).toBeVisible();
  });

  it('Enter in the search chooses the first line and submits no form', async () => {
    serveIndex();
    const submitted = vi.fn();
    const user = userEvent.setup();
    render(
      <form
        aria-label="Formulaire"
        onSubmit={(e) => {
          e.preventDefault();
          submitted();
        }}
      >
        <Harness birthPlace />
      </form>,
    );
    const search = screen.getByRole('searchbox');
    await user.type(search, 'maroc');
    await screen.findByRole('list', { name: 'Lieux trouvés' });
    await user.keyboard('{Enter}');
    expect(screen.getByRole('textbox', { name: 'Code INSEE' })).toHaveValue('99350');
    expect(screen.getByRole('status')).toHaveTextContent('Code choisi : Maroc (pays) — 99350');
    expect(submitted).not.toHaveBeenCalled();
  });
});
