// The place picker of the registration (issue #15 item 1): the commune index is loaded only once
// someone types (never with the first screen), a commune is found by its name without accents,
// a former commune says so, and choosing one fills the INSEE code field; a missing index says to
// type the code.
import { readFileSync } from 'node:fs';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMUNES_URL, PlacePicker } from '../../src/ui/reception/PlacePicker';

const FILE = readFileSync('public/geo/communes.json', 'utf8');

function Harness() {
  const [code, setCode] = useState('');
  return (
    <>
      <label>
        Code INSEE
        <input value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <PlacePicker label="Chercher la commune de naissance par son nom" onPick={setCode} />
    </>
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
});
