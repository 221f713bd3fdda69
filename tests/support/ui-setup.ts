import 'fake-indexeddb/auto';
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, vi } from 'vitest';
import './catalogue-setup';

// Screens load lazily and read IndexedDB through live queries: on a loaded CI machine the first
// render of a lazy screen can take longer than testing-library's default 1 s (a component test
// once failed that way). findBy*/waitFor wait up to 10 s; they still return as soon as it shows.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});

// Preact runs effects after the next frame: a requestAnimationFrame raced by a 35 ms timer
// (preact/hooks). Let the last test's frame pass before the file's jsdom is torn down, else that
// timer fires without jsdom's cancelAnimationFrame (an unhandled ReferenceError once seen after
// setup.test.tsx under load). A later, longer timer fires after it, however late both are.
afterAll(async () => {
  if (vi.isFakeTimers()) return;
  await new Promise((resolve) => setTimeout(resolve, 50));
});
