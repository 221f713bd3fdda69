// search.p95_ms_50k: the reception search (src/domain/identity/search.ts searchIndex, as
// src/ui/reception/PatientSearch.tsx calls it) over 50,000 generated French identities, run in
// Chromium: the module is bundled with esbuild, the registry generated and indexed in the page,
// then ~200 queries (prefixes, name + first name, typos, birth dates, NIRs) timed one by one.

import { launch } from '../../tests/e2e/support/browser';
import { type BenchLine, bundlePage, line, machine, median, percentile, round } from './lib';
import type { SearchRun } from './pages/search.page';

const IDENTITIES = 50_000;
const QUERIES = 200;

export async function run(): Promise<BenchLine[]> {
  const script = await bundlePage('scripts/bench/pages/search.page.ts');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: script });
    const result = await page.evaluate(
      ([n, count]) =>
        (globalThis as unknown as { benchSearch(n: number, c: number): SearchRun }).benchSearch(
          n,
          count,
        ),
      [IDENTITIES, QUERIES] as const,
    );
    return [
      line('search.p95_ms_50k', round(percentile(result.times, 95), 2), 'ms', {
        goal: '< 30',
        runs: result.times.length,
        median_ms: round(median(result.times), 2),
        max_ms: round(Math.max(...result.times), 2),
        found: result.found,
        index_build_ms: Math.round(result.buildMs),
        identities: IDENTITIES,
        machine: machine(),
      }),
    ];
  } finally {
    await browser.close();
  }
}
