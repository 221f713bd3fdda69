import 'fake-indexeddb/auto';
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import './catalogue-setup';

// Screens load lazily and read IndexedDB through live queries: on a loaded CI machine the first
// render of a lazy screen can take longer than testing-library's default 1 s (a component test
// once failed that way). findBy*/waitFor wait up to 10 s; they still return as soon as it shows.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
