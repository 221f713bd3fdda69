// startup.offline_interactive_ms (docs/design.md §8, issue 19 §7): an enrolled reception device
// holding the 50,000-identity registry starts offline, its browser started afresh, until its
// search answers. The demo organisation (tests/e2e/support/server.ts) gets the registry
// (identities.ts, as an import leaves it: one op per field); a reception device enrolls
// (reception-device.ts), its desk person signs in and chooses a PIN, and the app pulls
// everything with its own sync client into IndexedDB, in a Chromium profile on disk (a
// user-data-dir, as a tablet keeps it). Then the browser is closed and the server stopped; each
// sample launches Chromium again on that profile, offline, opens /accueil/arrivee (the
// reception's search), types the PIN as soon as the lock screen asks for it, types a query for a
// registered patient as soon as the search field shows, and stops the clock when the results
// list it. Value: the median of RUNS samples, from the navigation (the browser already started:
// its own start is `browser_launch_ms`) to the results. Context: the lock screen, today's stop.
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../../tests/e2e/support/server';
import { seedRows } from './escale';
import { frenchPatients } from './identities';
import { type BenchLine, bundlePage, line, machine, median, round, sleep, tempDir } from './lib';
import { deskPerson, enrolReception, lockTitle, PIN, stopText } from './reception-device';

const RUNS = 5;
const IDENTITIES = Number(process.env.BENCH_REGISTRY ?? 50_000);
/** The app's first pull of the registry, on a loaded machine. */
const PULL_LIMIT_MS = 45 * 60_000;

type StartupPage = { startupPatients(): Promise<number> };

const searchField = (page: Page) => page.getByLabel(/Nom, prénom, date de naissance ou NIR/);
const results = (page: Page) => page.getByRole('list', { name: /Patients trouvés/ });

/** `setup`: the enrolment's script is injected into the app's page, which its CSP forbids; the
 * samples run with the CSP as shipped. */
function launchProfile(dir: string, offline: boolean, setup = false) {
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    offline,
    ...(setup ? { bypassCSP: true } : {}),
  });
}

export async function run(): Promise<BenchLine[]> {
  const data = makeDataDir();
  const profile = tempDir('startup-profile');
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const { org } = await seedDemo(data.dir);
    server = await startServer(data.dir);
    const origin = server.url;
    const registry = frenchPatients(IDENTITIES, org, 72);
    const registryOps = await seedRows(server.store, org, 'registry-import', { patient: registry });
    const expected = (await server.store.rows(org, 'patient')).length;
    const deskId = await deskPerson(server.store, org);

    // Online once: enrolment, sign-in, PIN, then the app's own pull of everything.
    const online = await launchProfile(profile.dir, false, true);
    const pullStart = Date.now();
    const page = await enrolReception(online, origin, server.store, org, deskId, 10 * 60_000);
    const script = await bundlePage('scripts/bench/pages/startup.page.ts');
    await page.addScriptTag({ content: script });
    let held = 0;
    while (held < expected) {
      if (Date.now() - pullStart > PULL_LIMIT_MS) {
        throw new Error(`the device holds ${held} of ${expected} patients after the pull limit`);
      }
      await sleep(2_000);
      held = await page.evaluate(() => (globalThis as unknown as StartupPage).startupPatients());
    }
    const pullS = (Date.now() - pullStart) / 1000;
    await page.close();
    await online.close();
    await server.stop();
    server = null;

    // A registered patient, as the desk types them: name, first name, birth date.
    const who = registry[Math.floor(IDENTITIES * 0.6173)]!;
    const [y, m, d] = who.birthDate.split('-');
    const query = `${who.birthName} ${who.firstNames.split(' ')[0]} ${d}/${m}/${y}`;

    const times: number[] = [];
    const lockTimes: number[] = [];
    const stopTimes: number[] = [];
    const launchTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const launched = Date.now();
      const context = await launchProfile(profile.dir, true);
      launchTimes.push(Date.now() - launched);
      try {
        const tab = context.pages()[0] ?? (await context.newPage());
        const start = Date.now();
        await tab.goto(`${origin}/accueil/arrivee`);
        await lockTitle(tab).or(stopText(tab)).first().waitFor({ timeout: 60_000 });
        if (await lockTitle(tab).isVisible()) {
          lockTimes.push(Date.now() - start);
          await tab.getByLabel(/Code personnel/).fill(PIN);
          await tab.getByRole('button', { name: /Déverrouiller/ }).click();
        }
        await searchField(tab).fill(query, { timeout: 60_000 });
        await stopText(tab).waitFor({ timeout: 60_000 });
        stopTimes.push(Date.now() - start);
        await results(tab).getByRole('listitem').first().waitFor({ timeout: 60_000 });
        times.push(Date.now() - start);
      } finally {
        await context.close();
      }
    }
    return [
      line('startup.offline_interactive_ms', median(times), 'ms', {
        goal: '< 1000',
        runs: RUNS,
        statistic: 'median',
        until: 'the reception search lists a registered patient',
        samples_ms: times,
        max_ms: Math.max(...times),
        lock_screen_ms: lockTimes.length ? median(lockTimes) : null,
        locked_runs: lockTimes.length,
        stop_shown_ms: median(stopTimes),
        browser_launch_ms: median(launchTimes),
        identities: IDENTITIES,
        patients_on_device: expected,
        registry_ops: registryOps,
        first_pull_s: round(pullS, 1),
        profile: 'persistent user-data-dir, Chromium restarted per sample, offline, server stopped',
        machine: machine(),
      }),
    ];
  } finally {
    await server?.stop();
    data.remove();
    profile.remove();
  }
}
