// The app fetches the coding catalogue from /terminology/catalogue.json (public/); jsdom has no
// server, so UI tests answer that request with the shipped file.
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { TERMINOLOGY_URL } from '../../src/ui/consultation/consultation-data';

const CATALOGUE = readFileSync('public/terminology/catalogue.json', 'utf8');

export function stubTerminology(): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string | URL) =>
      String(url) === TERMINOLOGY_URL
        ? new Response(CATALOGUE, { status: 200, headers: { 'content-type': 'application/json' } })
        : new Response('not found', { status: 404 }),
    ),
  );
}
