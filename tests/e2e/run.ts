// End-to-end run: the built PWA (run `npm run build` first; built here if dist/ is missing) served
// by the real server on loopback, driven in Debian's Chromium through playwright-core.
// Scenarios: b (offline after a first visit, then convergence), c (the truck with no coverage:
// devices work through the relay alone, then the relay reaches central) and e (axe on every screen).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from './support/browser';
import { type E2EServer, makeDataDir, seedDemo, startRelay, startServer } from './support/server';

const require = createRequire(import.meta.url);
const SHOTS = 'tests/e2e/screenshots';
const TIMEOUT = 20_000;

if (!existsSync('dist/index.html')) execSync('npm run build', { stdio: 'inherit' });
mkdirSync(SHOTS, { recursive: true });

interface Demo {
  roomId: string;
  roomName: string;
}

/** Joins the demo organisation and waits until its data is on the device and the SW is in charge. */
async function join(page: Page, url: string, demo: Demo, relay?: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Organisation', { exact: true }).waitFor({ timeout: TIMEOUT });
  if (relay) await page.getByLabel('Relais du camion (facultatif)').fill(relay);
  await page.getByRole('button', { name: 'Relier cet appareil' }).click();
  await synced(page);
  // "Synchronisé" can show before the first pull is applied: wait for data a user sees.
  await page.goto(`${url}/salle/${demo.roomId}`);
  await page.getByRole('heading', { name: demo.roomName }).first().waitFor({ timeout: TIMEOUT });
  // The service worker must control the page before the server can go away. With `prompt`
  // updates it does not claim the page that installed it: the next load is controlled.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: TIMEOUT,
  });
}

function synced(page: Page): Promise<void> {
  return page
    .locator('.sync-indicator', { hasText: 'Synchronisé' })
    .first()
    .waitFor({ timeout: TIMEOUT });
}

function routes(roomId: string): [string, string][] {
  return [
    ['home', '/'],
    ['accueil', '/accueil'],
    ['accueil-arrivee', '/accueil/arrivee'],
    ['accueil-rendez-vous', '/accueil/rendez-vous'],
    ['accueil-journee', '/accueil/journee'],
    ['salle', `/salle/${roomId}`],
    ['coordination', '/coordination'],
    ['affichage', '/affichage'],
    ['appareil', '/appareil'],
  ];
}

/** A route rendered its screen (not the error boundary, not the not-found page). */
async function rendered(page: Page, name: string): Promise<void> {
  await page.locator('main, [role="main"]').first().waitFor({ timeout: TIMEOUT });
  // Screens read IndexedDB through live queries: wait until they stop loading.
  await page
    .locator('main')
    .getByRole('status')
    .filter({ hasText: 'Chargement' })
    .waitFor({ state: 'detached', timeout: TIMEOUT });
  const body = (await page.locator('body').textContent()) ?? '';
  for (const bad of ['Cet écran n’a pas pu s’afficher', 'Page introuvable']) {
    if (body.includes(bad)) throw new Error(`${name}: « ${bad} »`);
  }
}

/** Screens that read the demo data show it (not their empty state). */
async function dataShown(page: Page, name: string, demo: Demo): Promise<void> {
  const main = (await page.locator('main').textContent()) ?? '';
  if (name === 'salle' && !main.includes(demo.roomName)) {
    throw new Error(`salle: « ${demo.roomName} » absent: ${main.slice(0, 200)}`);
  }
  for (const empty of ['Aucune escale prévue', 'n’est pas connue']) {
    if (main.includes(empty)) throw new Error(`${name}: « ${empty} » with the demo on the device`);
  }
}

interface Violation {
  screen: string;
  id: string;
  impact: string;
  targets: string[];
}

async function axe(page: Page, screen: string): Promise<Violation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const found = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script
    const result = await (window as any).axe.run(document);
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
      targets: v.nodes.map((n: any) => String(n.target)),
    }));
  });
  return (found as Omit<Violation, 'screen'>[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ ...v, screen }));
}

async function scenarioOffline(browser: Browser): Promise<void> {
  const data = makeDataDir();
  let server: E2EServer | null = null;
  let context: BrowserContext | null = null;
  try {
    const demo = await seedDemo(data.dir);
    const { org, roomId } = demo;
    server = await startServer(data.dir);
    const port = server.port;
    context = await browser.newContext();
    const page = await context.newPage();
    await join(page, server.url, demo);

    await server.stop();
    server = null;
    await context.setOffline(true);
    await page.reload();
    await rendered(page, 'home (offline reload)');
    for (const [name, path] of routes(roomId)) {
      await page.goto(`http://127.0.0.1:${port}${path}`);
      await rendered(page, `${name} (offline)`);
      await dataShown(page, name, demo);
      await page.screenshot({ path: `${SHOTS}/offline-${name}.png`, fullPage: true });
    }

    server = await startServer(data.dir, port);
    await context.setOffline(false);
    await page.goto(`http://127.0.0.1:${port}/appareil`);
    await synced(page);
    const digest = await fetch(`${server.url}/api/digest?org=${org}`);
    if (!digest.ok) throw new Error(`digest: HTTP ${digest.status}`);
    console.log('ok b: offline boot, every route, back online synced');
  } finally {
    await context?.close();
    await server?.stop();
    data.remove();
  }
}

/** Polls until `check` holds (or fails with `what` after the timeout). */
async function until(what: string, check: () => Promise<boolean>, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timeout: ${what}`);
}

async function digestOf(url: string, org: string): Promise<{ digest: string; lastSeq: number }> {
  const res = await fetch(`${url}/api/digest?org=${org}`);
  if (!res.ok) throw new Error(`digest ${url}: HTTP ${res.status}`);
  return (await res.json()) as { digest: string; lastSeq: number };
}

async function scenarioNoCoverage(browser: Browser): Promise<void> {
  const data = makeDataDir();
  let central: E2EServer | null = null;
  let relay: E2EServer | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const demo = await seedDemo(data.dir);
    const { org } = demo;
    central = await startServer(data.dir);
    const port = central.port;
    const origin = central.url;
    // Morning at the depot: the relay fills up from central.
    relay = await startRelay(data.dir, origin, org);
    const before = await digestOf(origin, org);
    await until('relay holds the organisation', async () => {
      const r = await digestOf(relay!.url, org);
      return r.digest === before.digest;
    });
    // The tablets load the app once, and sync through the truck's relay.
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await join(page, origin, demo, relay.url);
      pages.push(page);
    }
    const [reception, display] = pages as [Page, Page];

    // On the road: central is unreachable for the whole day.
    await central.stop();
    central = null;
    await display.goto(`${origin}/affichage`);
    await rendered(display, 'affichage (relay only)');
    await reception.goto(`${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil (relay only)');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(`${demo.walkIn.birthName} ${demo.walkIn.firstName}`);
    await reception
      .getByRole('button', { name: /^Enregistrer l’arrivée de/ })
      .first()
      .click();
    await reception.getByLabel(/^Motif de la venue/).fill('Toux depuis trois jours');
    await reception.getByLabel('Médecine générale').check();
    await reception
      .getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' })
      .click();
    const ticket = (await reception
      .locator('.ticket--large')
      .first()
      .textContent({ timeout: TIMEOUT }))!;
    // The waiting-room screen shows the ticket, carried by the relay alone.
    await display.getByText(ticket, { exact: true }).waitFor({ timeout: TIMEOUT });
    await synced(reception);
    await reception.screenshot({ path: `${SHOTS}/relay-accueil.png`, fullPage: true });
    await display.screenshot({ path: `${SHOTS}/relay-affichage.png`, fullPage: true });

    // Back in coverage: the relay reaches central and hands over the day.
    central = await startServer(data.dir, port);
    await until('central holds what the truck did', async () => {
      const [c, r] = await Promise.all([digestOf(central!.url, org), digestOf(relay!.url, org)]);
      return c.digest === r.digest && c.lastSeq > before.lastSeq;
    });
    console.log(`ok c: ${ticket} checked in through the relay alone; central digest matches`);
  } finally {
    for (const context of contexts) await context.close();
    await relay?.stop();
    await central?.stop();
    data.remove();
  }
}

async function scenarioAxe(browser: Browser): Promise<void> {
  const data = makeDataDir();
  let server: E2EServer | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const demo = await seedDemo(data.dir);
    const { roomId } = demo;
    server = await startServer(data.dir);
    const violations: Violation[] = [];
    // Join screen, before any organisation is chosen.
    const fresh = await browser.newContext();
    contexts.push(fresh);
    const first = await fresh.newPage();
    await first.goto(server.url);
    await first.getByLabel('Organisation', { exact: true }).waitFor({ timeout: TIMEOUT });
    violations.push(...(await axe(first, 'join')));
    // One context per profile, as on the truck.
    for (const [name, path] of routes(roomId)) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await join(page, server.url, demo);
      await page.goto(`${server.url}${path}`);
      await rendered(page, name);
      await synced(page);
      await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
      violations.push(...(await axe(page, name)));
    }
    if (violations.length > 0) {
      for (const v of violations) {
        console.error(`a11y ${v.impact} ${v.id} on ${v.screen}: ${v.targets.join(', ')}`);
      }
      throw new Error(`${violations.length} serious or critical accessibility violations`);
    }
    console.log('ok e: no serious or critical axe violation on any screen');
  } finally {
    for (const context of contexts) await context.close();
    await server?.stop();
    data.remove();
  }
}

const started = Date.now();
const browser = await launch();
let failed = 0;
const scenarios = [
  ['b offline', scenarioOffline],
  ['c no coverage', scenarioNoCoverage],
  ['e accessibility', scenarioAxe],
] as const;
for (const [name, scenario] of scenarios) {
  try {
    await scenario(browser);
  } catch (error) {
    failed += 1;
    console.error(`FAIL ${name}:`, error);
  }
}
await browser.close();
console.log(`e2e: ${Date.now() - started} ms`);
console.log(`${scenarios.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
