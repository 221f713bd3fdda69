// startup.offline_interactive_ms (DESIGN.md §8, issue 7): cold start offline to interactive in
// Chromium. Joins the demo organisation online, stops the server, then opens a fresh page
// offline and times until the reception screen shows today's stop; median of RUNS pages.
import type { Page } from 'playwright-core';
import { launch } from '../../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../../tests/e2e/support/server';
import { type BenchLine, line, machine, median } from './lib';

const RUNS = 5;

function stopShown(page: Page): Promise<void> {
  return page
    .getByText(/^Escale du jour/)
    .first()
    .waitFor({ timeout: 30_000 });
}

export async function run(): Promise<BenchLine[]> {
  const data = makeDataDir();
  const browser = await launch();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    await seedDemo(data.dir);
    server = await startServer(data.dir);
    const origin = server.url;
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(origin);
    await first.getByRole('button', { name: 'Relier cet appareil' }).click();
    // Today's stop on the reception screen: the day's data is on the device.
    await first.goto(`${origin}/accueil`);
    await stopShown(first);
    await first.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await first.close();
    await server.stop();
    server = null;
    await context.setOffline(true);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      const start = Date.now();
      await page.goto(`${origin}/accueil`);
      await stopShown(page);
      times.push(Date.now() - start);
      await page.close();
    }
    return [
      line('startup.offline_interactive_ms', median(times), 'ms', {
        goal: '< 1000',
        runs: RUNS,
        statistic: 'median',
        max_ms: Math.max(...times),
        machine: machine(),
      }),
    ];
  } finally {
    await browser.close();
    await server?.stop();
    data.remove();
  }
}
