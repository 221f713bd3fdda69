// The document title names the screen shown (what a screen reader announces on a new page and
// what the browser's tabs and history list). The components run on Preact (decision 0032), which
// does not hoist a rendered <title> into <head> as React 19 does.
import { act, cleanup, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, expect, it } from 'vitest';
import { PageTitle } from '../../src/ui/shell/PageTitle';

afterEach(() => cleanup());

let show: (page: string) => void = () => undefined;

function Screen() {
  const [page, setPage] = useState('Accueil');
  show = setPage;
  return <PageTitle page={page} />;
}

it('sets the document title from the screen shown, and follows it when the screen changes', () => {
  const { container } = render(<Screen />);
  expect(document.title).toBe('Accueil — Escale');
  expect(container.querySelector('title')).toBeNull();
  expect(document.body.querySelector('title')).toBeNull();
  act(() => show('Salle d’attente'));
  expect(document.title).toBe('Salle d’attente — Escale');
});
