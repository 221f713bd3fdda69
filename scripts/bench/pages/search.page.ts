// Runs in Chromium: the reception search of the app (src/domain/identity/search.ts, what
// PatientSearch.tsx calls on every keystroke) over a generated registry.
import { buildSearchIndex, searchIndex } from '../../../src/domain/identity';
import { frenchPatients, receptionQueries } from '../identities';

export interface SearchRun {
  generateMs: number;
  buildMs: number;
  /** Per measured query, in ms. */
  times: number[];
  queries: string[];
  /** Measured queries that found at least one identity. */
  found: number;
}

function benchSearch(identities: number, count: number): SearchRun {
  const t0 = performance.now();
  const patients = frenchPatients(identities, 'org-bench');
  const t1 = performance.now();
  const index = buildSearchIndex(patients);
  const t2 = performance.now();
  // A first pass with other queries lets the JIT settle, as after a few minutes at the desk.
  for (const q of receptionQueries(patients, count, 1)) searchIndex(index, q, 20);
  const queries = receptionQueries(patients, count, 2);
  const times: number[] = [];
  let found = 0;
  for (const q of queries) {
    const start = performance.now();
    const hits = searchIndex(index, q, 20); // 20: the limit PatientSearch asks for
    times.push(performance.now() - start);
    if (hits.length > 0) found++;
  }
  return { generateMs: t1 - t0, buildMs: t2 - t1, times, queries, found };
}

(globalThis as unknown as { benchSearch: typeof benchSearch }).benchSearch = benchSearch;
