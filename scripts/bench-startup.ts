// Bench: cold start offline to interactive in Chromium (DESIGN.md §8, issue 7). Joins the demo
// organisation online, stops the server, then opens a fresh page offline and times until the
// reception screen shows today's stop. Prints one JSON line. Expects `npm run build` first.
import { launch } from '../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../tests/e2e/support/server';

const RUNS = 5;
const data = makeDataDir();
const browser = await launch();
let server: Awaited<ReturnType<typeof startServer>> | null = null;
try {
  const demo = await seedDemo(data.dir);
  server = await startServer(data.dir);
  const origin = server.url;
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(origin);
  await first.getByRole('button', { name: 'Relier cet appareil' }).click();
  await first.goto(`${origin}/salle/${demo.roomId}`);
  await first.getByRole('heading', { name: demo.roomName }).first().waitFor({ timeout: 30_000 });
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
    await page.getByRole('heading', { name: /Escale du jour/ }).waitFor({ timeout: 30_000 });
    times.push(Date.now() - start);
    await page.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    JSON.stringify({ name: 'startup.offline_interactive_ms', value: median, unit: 'ms' }),
  );
} finally {
  await browser.close();
  await server?.stop();
  data.remove();
}
