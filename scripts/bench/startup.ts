// startup.offline_interactive_ms (docs/design.md §8, issue 7): cold start offline to interactive in
// Chromium. Enrols a reception device of the demo organisation online, the person at the desk
// signs in once and chooses a PIN, the server is stopped, then fresh pages open offline and are
// timed until the reception screen shows today's stop; median of RUNS pages.
// Enrolment without the enrolment screen: the app's first start creates the device id, the bench
// exchanges a reception code for it at /api/enrol (a code over the server's store) and writes
// the credential where the app keeps it (joinOrganisation, bundled into the app's page). The
// sign-in (password set as the coordination would) and the PIN go through the app's own forms.
// An enrolled reception device opens locked when its person has a PIN: the bench types the PIN as
// soon as the lock screen asks for it, so the value is the app's own time to the stop, PIN check
// included, the person's typing not; `lock_screen_ms` is the time to the lock screen.
import type { Page } from 'playwright-core';
import type { Connection } from '../../src/device/connection';
import { Accounts } from '../../src/server/auth';
import { launch } from '../../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../../tests/e2e/support/server';
import { type BenchLine, bundlePage, line, machine, median, sleep } from './lib';
import { appCredential, createCodes, enrol } from './server-proc';

const RUNS = 5;
const PASSWORD = 'banc-de-mesure-2026';
const PIN = '2580';

type Startup = {
  startupDeviceId(): Promise<string | null>;
  startupJoin(connection: Connection): Promise<void>;
};

const stopText = (page: Page) => page.getByText(/^Escale du jour/).first();
const lockTitle = (page: Page) => page.getByRole('heading', { name: /verrouillé/i });

function stopShown(page: Page): Promise<void> {
  return stopText(page).waitFor({ timeout: 30_000 });
}

/** The app's first start has created this device's id. */
async function deviceIdOf(page: Page): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const id = await page.evaluate(() => (globalThis as unknown as Startup).startupDeviceId());
    if (id) return id;
    await sleep(50);
  }
  throw new Error('the app never created its device id');
}

export async function run(): Promise<BenchLine[]> {
  const script = await bundlePage('scripts/bench/pages/startup.page.ts');
  const data = makeDataDir();
  const browser = await launch();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const { org } = await seedDemo(data.dir);
    server = await startServer(data.dir);
    const origin = server.url;
    // The person at the desk, with a password as the coordination sets it.
    const desk = (await server.store.rows(org, 'staff')).find(
      (s) => s.active === true && Array.isArray(s.roles) && s.roles.includes('accueil'),
    );
    if (!desk) throw new Error('no reception staff in the demo organisation');
    const deskId = String(desk.id);
    await new Accounts(server.store).setPassword(org, deskId, PASSWORD);

    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(origin);
    await first.locator('main').first().waitFor({ timeout: 30_000 });
    await first.addScriptTag({ content: script });
    const deviceId = await deviceIdOf(first);
    const [code] = await createCodes(server.store, [{ deviceId, org, profile: 'reception' }]);
    const enrolled = await enrol(origin, code!, deviceId);
    await first.evaluate((c) => (globalThis as unknown as Startup).startupJoin(c), {
      org: enrolled.org,
      servers: [origin],
      credential: appCredential(enrolled),
    } satisfies Connection);
    // The app starts again enrolled, syncs, and asks the person at the desk to sign in.
    await first.goto(`${origin}/accueil`);
    await first.getByLabel(/Qui êtes-vous/).selectOption(deskId, { timeout: 30_000 });
    await first.getByLabel(/Mot de passe/).fill(PASSWORD);
    await first.getByRole('button', { name: /Se connecter/ }).click();
    await first.getByLabel(/Nouveau code/).fill(PIN, { timeout: 30_000 });
    await first.getByLabel(/Confirmez/).fill(PIN);
    await first.getByRole('button', { name: /Enregistrer le code/ }).click();
    // Today's stop on the reception screen: the day's data is on the device.
    await stopShown(first);
    await first.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await first.close();
    await server.stop();
    server = null;
    await context.setOffline(true);
    const times: number[] = [];
    const lockTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      const start = Date.now();
      await page.goto(`${origin}/accueil`);
      await lockTitle(page).or(stopText(page)).first().waitFor({ timeout: 30_000 });
      if (await lockTitle(page).isVisible()) {
        lockTimes.push(Date.now() - start);
        await page.getByLabel(/Code personnel/).fill(PIN);
        await page.getByRole('button', { name: /Déverrouiller/ }).click();
      }
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
        lock_screen_ms: lockTimes.length ? median(lockTimes) : null,
        locked_runs: lockTimes.length,
        machine: machine(),
      }),
    ];
  } finally {
    await browser.close();
    await server?.stop();
    data.remove();
  }
}
