// End-to-end run: the built PWA (run `npm run build` first; built here if dist/ is missing) served
// by the real server on loopback, driven in Debian's Chromium through playwright-core.
// Scenarios: a (a whole day across four devices, closed with a sync receipt), b (offline after a
// first visit, then convergence), c (the truck with no coverage: devices work through the relay
// alone, then the relay reaches central), d (an update applied without losing a half-typed note)
// and e (axe on every screen).
import { execSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { zonedIso } from '../../src/domain/time';
import { DEMO_PASSWORD } from '../../src/server/seed/demo-access';
import { launch } from './support/browser';
import {
  type E2EServer,
  enrolmentCode,
  makeDataDir,
  seedDemo,
  startRelay,
  startServer,
  todayInParis,
} from './support/server';

const require = createRequire(import.meta.url);
const SHOTS = 'tests/e2e/screenshots';
const TIMEOUT = 20_000;

if (!existsSync('dist/index.html')) execSync('npm run build', { stdio: 'inherit' });
mkdirSync(SHOTS, { recursive: true });

interface Demo {
  org: string;
  roomId: string;
  roomName: string;
  walkIn: { birthName: string; firstName: string };
}

type Profile = 'reception' | 'room' | 'coordination' | 'display';

/** Who works on each kind of device in the scenarios (demo accounts, password DEMO_PASSWORD). */
const PERSON: Record<Exclude<Profile, 'display'>, string> = {
  reception: 'Sophie Leroy',
  room: 'Thomas Garnier',
  coordination: 'Hélène Morvan',
};
const PIN = '4826';

/** Each profile's own screen, where the device is taken to after its enrolment. */
function home(profile: Profile, demo: Demo): string {
  return {
    reception: '/accueil',
    room: `/salle/${demo.roomId}`,
    coordination: '/coordination',
    display: '/affichage',
  }[profile];
}

/**
 * Enrols a device as the coordination would (a code for `profile`), signs its person in with the
 * password and creates their PIN, waits until the data is on the device and the service worker
 * controls the page, and leaves it unlocked on its own screen.
 */
async function enrol(
  page: Page,
  central: E2EServer,
  demo: Demo,
  profile: Profile,
  relay?: string,
): Promise<void> {
  const origin = central.url;
  const code = await enrolmentCode(
    central,
    demo.org,
    profile,
    profile === 'room' ? demo.roomId : null,
  );
  await page.goto(origin);
  await page.getByLabel('Code d’enrôlement').fill(code);
  if (relay) await page.getByLabel('Relais du camion (facultatif)').fill(relay);
  await page.getByRole('button', { name: 'Enrôler cet appareil' }).click();
  // Enrolled: the home screen names the device, or asks who works on it; then the first sync.
  await enrolled(page);
  await synced(page);
  await page.goto(`${origin}${home(profile, demo)}`);
  if (profile !== 'display') await signIn(page, PERSON[profile]);
  await rendered(page, `${profile} after enrolment`);
  if (profile === 'room') {
    await page.getByRole('heading', { name: demo.roomName }).first().waitFor({ timeout: TIMEOUT });
  }
  // The service worker must control the page before the server can go away. With `prompt`
  // updates it does not claim the page that installed it: the next load is controlled.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: TIMEOUT,
  });
  // A device whose person has a PIN opens locked.
  if (profile !== 'display') await unlock(page);
}

/** The home screen of an enrolled device: its name, or the sign-in in front of it. */
async function enrolled(page: Page): Promise<void> {
  await page
    .getByText(/^Cet appareil : /)
    .or(page.getByRole('heading', { name: 'Connexion à cet appareil' }))
    .first()
    .waitFor({ timeout: TIMEOUT });
}

/** First use of an enrolled device: the person chooses themselves, types the password, makes a PIN. */
async function signIn(page: Page, name: string): Promise<void> {
  const who = page.getByLabel('Qui êtes-vous ?');
  // The team arrives with the first sync: wait for the person's name in the list.
  await page
    .locator('option', { hasText: name })
    .first()
    .waitFor({ state: 'attached', timeout: TIMEOUT });
  await who.selectOption({ label: name });
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByLabel('Nouveau code (4 à 8 chiffres)').fill(PIN, { timeout: TIMEOUT });
  await page.getByLabel('Confirmez le code').fill(PIN);
  await page.getByRole('button', { name: 'Enregistrer le code' }).click();
  await page
    .getByRole('button', { name: 'Enregistrer le code' })
    .waitFor({ state: 'detached', timeout: TIMEOUT });
}

/** The lock screen: the person at work types their PIN. */
async function unlock(page: Page): Promise<void> {
  await page.getByLabel('Code personnel').fill(PIN, { timeout: TIMEOUT });
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await page.getByLabel('Code personnel').waitFor({ state: 'detached', timeout: TIMEOUT });
}

function synced(page: Page): Promise<void> {
  return (
    page
      // A regex: a string would match « Jamais synchronisé » too (case-insensitive).
      .locator('.sync-indicator', { hasText: /Synchronisé/ })
      .first()
      .waitFor({ timeout: TIMEOUT })
  );
}

/** Every screen, with the profile of the device that shows it (an enrolled device plays one). */
function routes(roomId: string): [string, string, Profile][] {
  return [
    ['home', '/', 'reception'],
    ['accueil', '/accueil', 'reception'],
    ['accueil-arrivee', '/accueil/arrivee', 'reception'],
    ['accueil-rendez-vous', '/accueil/rendez-vous', 'reception'],
    ['accueil-journee', '/accueil/journee', 'reception'],
    ['appareil', '/appareil', 'reception'],
    ['salle', `/salle/${roomId}`, 'room'],
    ['coordination', '/coordination', 'coordination'],
    ['coordination-supervision', '/coordination/supervision', 'coordination'],
    ['coordination-cloture', '/coordination/cloture', 'coordination'],
    ['coordination-conflits', '/coordination/conflits', 'coordination'],
    ['coordination-appareils', '/coordination/appareils', 'coordination'],
    ['coordination-planning', '/coordination/planning', 'coordination'],
    ['coordination-indicateurs', '/coordination/indicateurs', 'coordination'],
    ['coordination-rapport', '/coordination/rapport', 'coordination'],
    ['coordination-journal', '/coordination/journal', 'coordination'],
    ['coordination-equipe', '/coordination/equipe', 'coordination'],
    ['supervision', '/supervision', 'coordination'],
    ['affichage', '/affichage', 'display'],
  ];
}

/**
 * Opens `url` in a full page load. The page opens locked (the person at work has a PIN), except
 * the waiting-room screen and device health: the PIN unlocks it.
 */
async function go(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const path = new URL(url).pathname;
  if (!path.startsWith('/affichage') && !path.startsWith('/appareil')) await unlock(page);
}

/** One enrolled device per profile, as on the truck. */
async function devices(
  browser: Browser,
  central: E2EServer,
  demo: Demo,
  profiles: readonly Profile[],
  options: { relay?: string; contexts: BrowserContext[] },
): Promise<Page[]> {
  const pages: Page[] = [];
  for (const profile of profiles) {
    const context = await morningContext(browser);
    options.contexts.push(context);
    const page = await context.newPage();
    await enrol(page, central, demo, profile, options.relay);
    pages.push(page);
  }
  return pages;
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

/**
 * A device whose wall clock reads 10:00 in the truck today: the rooms' roster offers their
 * services (the run may happen at night). The server keeps the real time; HLCs absorb the skew.
 */
async function morningContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.clock.setFixedTime(new Date(zonedIso(todayInParis(), '10:00')));
  return context;
}

/** Reception checks the walk-in patient in for general practice; returns the ticket. */
async function checkInWalkIn(reception: Page, origin: string, demo: Demo): Promise<string> {
  await go(reception, `${origin}/accueil/arrivee`);
  await rendered(reception, 'accueil arrivée');
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
  return (await reception.locator('.ticket--large').first().textContent({ timeout: TIMEOUT }))!;
}

/** Box 1 calls the next patient and takes them in: the note opens. */
async function callAndTakeIn(box: Page, origin: string, demo: Demo, ticket: string): Promise<void> {
  await go(box, `${origin}/salle/${demo.roomId}`);
  await rendered(box, 'salle');
  await box.getByLabel('Qui travaille ici ?').selectOption({ label: 'Thomas Garnier (interne)' });
  await box.getByRole('button', { name: `Appeler ${ticket}` }).click({ timeout: TIMEOUT });
  await box.getByRole('button', { name: 'Faire entrer', exact: true }).click({ timeout: TIMEOUT });
  await box.getByRole('textbox', { name: /^S — Subjectif/ }).waitFor({ timeout: TIMEOUT });
}

async function scenarioWholeDay(browser: Browser): Promise<void> {
  const data = makeDataDir();
  let server: E2EServer | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const demo = await seedDemo(data.dir);
    server = await startServer(data.dir);
    const origin = server.url;
    const [reception, box, coordinator, display] = (await devices(
      browser,
      server,
      demo,
      ['reception', 'room', 'coordination', 'display'],
      { contexts },
    )) as [Page, Page, Page, Page];
    await go(display, `${origin}/affichage`);
    await rendered(display, 'affichage');

    // Reception: the patient arrives and gets a ticket.
    const ticket = await checkInWalkIn(reception, origin, demo);

    // Box 1 calls: the waiting-room screen shows the ticket and the room.
    await go(box, `${origin}/salle/${demo.roomId}`);
    await rendered(box, 'salle');
    await box.getByLabel('Qui travaille ici ?').selectOption({ label: 'Thomas Garnier (interne)' });
    await box.getByRole('button', { name: `Appeler ${ticket}` }).click({ timeout: TIMEOUT });
    await display.getByText(`${ticket} → ${demo.roomName}`).waitFor({ timeout: TIMEOUT });
    await display.screenshot({ path: `${SHOTS}/day-affichage-appel.png`, fullPage: true });

    // The consultation: note, code, signature; then the room is free again.
    await box
      .getByRole('button', { name: 'Faire entrer', exact: true })
      .click({ timeout: TIMEOUT });
    await box
      .getByRole('textbox', { name: /^S — Subjectif/ })
      .fill('Toux sèche depuis trois jours');
    await box.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Toux virale probable');
    await box.getByRole('textbox', { name: /^P — Plan/ }).fill('Hydratation, revoir si fièvre');
    await box.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
    await box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
    // The code is in the note (saved, read back) before signing checks the note is complete.
    await box.getByRole('button', { name: 'Retirer le code R05' }).waitFor({ timeout: TIMEOUT });
    await box.getByRole('button', { name: 'Signer la note' }).click();
    await box
      .getByRole('button', { name: 'Signer la note' })
      .waitFor({ state: 'detached', timeout: TIMEOUT });
    await box.getByRole('button', { name: 'Terminer la consultation' }).click();
    await box.screenshot({ path: `${SHOTS}/day-salle.png`, fullPage: true });

    // The coordinating doctor validates the intern's note with a second signature.
    await go(coordinator, `${origin}/coordination/supervision`);
    await rendered(coordinator, 'coordination supervision');
    await coordinator
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Hélène Morvan (médecin)' });
    await coordinator
      .getByRole('link', { name: /^Ouvrir la note de Thomas Garnier/ })
      .click({ timeout: TIMEOUT });
    const validate = coordinator.getByRole('button', { name: 'Valider (contre-signer)' });
    await validate.click({ timeout: TIMEOUT });
    // Once validated, the note is no longer reviewable: the button goes away.
    await validate.waitFor({ state: 'detached', timeout: TIMEOUT });

    // Closure: the appointments not honoured are marked absent, then the sync receipt.
    await go(coordinator, `${origin}/coordination/cloture`);
    await coordinator
      .getByRole('heading', { name: 'Clôture de journée' })
      .waitFor({ timeout: TIMEOUT });
    const absent = coordinator.getByRole('button', { name: 'Marquer absents' });
    if (await absent.count()) await absent.click();
    // The closure begins (central's time); every device of the truck then reports its day with
    // its next sync (docs/decisions/0007-closure-coverage.md) before the receipt is granted.
    await coordinator
      .getByRole('button', { name: 'Commencer la clôture' })
      .click({ timeout: TIMEOUT });
    await coordinator.getByText(/^Clôture commencée à/).waitFor({ timeout: TIMEOUT });
    const ask = coordinator.getByRole('button', { name: 'Synchroniser et demander le reçu' });
    await until('nothing blocks the closure', () => ask.isEnabled(), TIMEOUT);
    const granted = coordinator.getByText(/^Reçu obtenu le/);
    await until(
      'every device reported the day and the receipt is granted',
      async () => {
        if (await granted.count()) return true;
        if (await ask.isEnabled()) await ask.click();
        return (await granted.count()) > 0;
      },
      60_000,
    );
    await coordinator.screenshot({ path: `${SHOTS}/day-cloture.png`, fullPage: true });
    await reception.screenshot({ path: `${SHOTS}/day-accueil.png`, fullPage: true });

    // The receipt reached the server and names the stop's day the server holds.
    const receipts = await server.store.rows((await server.store.orgs())[0]!, 'syncReceipt');
    if (receipts.length !== 1)
      throw new Error(`expected one receipt on the server, got ${receipts.length}`);
    console.log(
      `ok a: ${ticket} registered, called, consulted, signed, validated; receipt ${String(receipts[0]!.digest).slice(0, 12)}`,
    );
  } catch (error) {
    await failureShots('a', contexts);
    throw error;
  } finally {
    for (const context of contexts) await context.close();
    await server?.stop();
    data.remove();
  }
}

/** Screenshots of every open page when a scenario fails, to see where it stood. */
async function failureShots(scenario: string, contexts: BrowserContext[]): Promise<void> {
  let n = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      await page
        .screenshot({ path: `${SHOTS}/FAILED-${scenario}-${++n}.png`, fullPage: true })
        .catch(() => {});
    }
  }
}

async function scenarioUpdate(browser: Browser): Promise<void> {
  const data = makeDataDir();
  const next = mkdtempSync(joinPath(tmpdir(), 'escale-next-'));
  let server: E2EServer | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const demo = await seedDemo(data.dir);
    server = await startServer(data.dir);
    const { port, url: origin } = server;
    const [reception, page] = (await devices(browser, server, demo, ['reception', 'room'], {
      contexts,
    })) as [Page, Page];
    const ticket = await checkInWalkIn(reception, origin, demo);
    await callAndTakeIn(page, origin, demo, ticket);
    const subjective = page.getByRole('textbox', { name: /^S — Subjectif/ });
    await subjective.pressSequentially('Toux depuis tr', { delay: 20 });

    // A new version is deployed: same app, a new service worker script.
    cpSync('dist', next, { recursive: true });
    appendFileSync(joinPath(next, 'sw.js'), `\n// déploiement ${Date.now()}\n`);
    await server.stop();
    server = await startServer(data.dir, port, next);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await page.getByText('Nouvelle version disponible').waitFor({ timeout: 60_000 });

    // The user keeps typing and accepts the update at once: the reload waits for the save.
    await subjective.pressSequentially('ois jours', { delay: 20 });
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Mettre à jour' }).click();
    await reloaded;
    await unlock(page); // a reloaded page opens locked
    const after = page.getByRole('textbox', { name: /^S — Subjectif/ });
    await after.waitFor({ timeout: TIMEOUT });
    const text = await after.inputValue();
    if (text !== 'Toux depuis trois jours') throw new Error(`note after the update: « ${text} »`);
    if (await page.getByText('Nouvelle version disponible').count()) {
      throw new Error('the update banner is still there after the reload');
    }
    await page.screenshot({ path: `${SHOTS}/update-note.png`, fullPage: true });
    console.log('ok d: update applied, the half-typed note is intact');
  } catch (error) {
    await failureShots('d', contexts);
    throw error;
  } finally {
    for (const context of contexts) await context.close();
    await server?.stop();
    rmSync(next, { recursive: true, force: true });
    data.remove();
  }
}

async function scenarioOffline(browser: Browser): Promise<void> {
  const data = makeDataDir();
  let server: E2EServer | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const demo = await seedDemo(data.dir);
    const { org, roomId } = demo;
    server = await startServer(data.dir);
    const port = server.port;
    const profiles: Profile[] = ['reception', 'room', 'coordination', 'display'];
    const pages = await devices(browser, server, demo, profiles, { contexts });
    const before = await server.store.digest(org);

    await server.stop();
    server = null;
    for (const context of contexts) await context.setOffline(true);
    for (const [i, profile] of profiles.entries()) {
      const page = pages[i]!;
      await go(page, `http://127.0.0.1:${port}${home(profile, demo)}`);
      await rendered(page, `${profile} (offline reload)`);
      for (const [name, path] of routes(roomId).filter(([, , p]) => p === profile)) {
        await go(page, `http://127.0.0.1:${port}${path}`);
        await rendered(page, `${name} (offline)`);
        await dataShown(page, name, demo);
        await page.screenshot({ path: `${SHOTS}/offline-${name}.png`, fullPage: true });
      }
    }

    server = await startServer(data.dir, port);
    for (const context of contexts) await context.setOffline(false);
    const reception = pages[0]!;
    await reception.goto(`http://127.0.0.1:${port}/appareil`);
    await synced(reception);
    // What the devices did offline (each unlock is audited) reached central once back online.
    await until('the offline unlocks reach central', async () => {
      const audits = await server!.store.rows(org, 'audit');
      return (
        audits.some((a) => a.action === 'session.unlock') &&
        (await server!.store.digest(org)) !== before
      );
    });
    console.log('ok b: offline boot of each device, every route, back online synced');
  } catch (error) {
    await failureShots('b', contexts);
    throw error;
  } finally {
    for (const context of contexts) await context.close();
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

async function digestOf(
  server: E2EServer,
  org: string,
): Promise<{ digest: string; lastSeq: number }> {
  return { digest: await server.store.digest(org), lastSeq: await server.store.lastSeq(org) };
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
    relay = await startRelay(data.dir, central, org);
    const before = await digestOf(central, org);
    await until('relay holds the organisation', async () => {
      const r = await digestOf(relay!, org);
      return r.digest === before.digest;
    });
    // The tablets are enrolled at the depot and sync through the truck's relay; the person at
    // reception signs in through the relay (it holds the password hashes central gave it).
    const [reception, display] = (await devices(browser, central, demo, ['reception', 'display'], {
      relay: relay.url,
      contexts,
    })) as [Page, Page];

    // On the road: central is unreachable for the whole day.
    await central.stop();
    central = null;
    await go(display, `${origin}/affichage`);
    await rendered(display, 'affichage (relay only)');
    const ticket = await checkInWalkIn(reception, origin, demo);
    // The waiting-room screen shows the ticket, carried by the relay alone.
    await display.getByText(ticket, { exact: true }).waitFor({ timeout: TIMEOUT });
    await synced(reception);
    await reception.screenshot({ path: `${SHOTS}/relay-accueil.png`, fullPage: true });
    await display.screenshot({ path: `${SHOTS}/relay-affichage.png`, fullPage: true });

    // Back in coverage: the relay reaches central and hands over the day.
    central = await startServer(data.dir, port);
    await until('central holds what the truck did', async () => {
      const [c, r] = await Promise.all([digestOf(central!, org), digestOf(relay!, org)]);
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
    // The enrolment screen, before the device belongs to anyone.
    const fresh = await browser.newContext();
    contexts.push(fresh);
    const first = await fresh.newPage();
    await first.goto(server.url);
    await first.getByLabel('Code d’enrôlement').waitFor({ timeout: TIMEOUT });
    violations.push(...(await axe(first, 'enrolment')));
    // Sign-in, PIN creation and the lock screen of a reception tablet.
    const code = await enrolmentCode(server, demo.org, 'reception');
    await first.getByLabel('Code d’enrôlement').fill(code);
    await first.getByRole('button', { name: 'Enrôler cet appareil' }).click();
    await enrolled(first);
    await synced(first);
    await first.goto(`${server.url}/accueil`);
    await first.locator('option', { hasText: PERSON.reception }).first().waitFor({
      state: 'attached',
      timeout: TIMEOUT,
    });
    violations.push(...(await axe(first, 'sign-in')));
    await signIn(first, PERSON.reception);
    await first.reload();
    await first.getByLabel('Code personnel').waitFor({ timeout: TIMEOUT });
    violations.push(...(await axe(first, 'lock')));
    // Every screen, on a device of its profile.
    const byProfile = new Map<Profile, Page>();
    for (const [name, path, profile] of routes(roomId)) {
      let page = byProfile.get(profile);
      if (!page) {
        [page] = await devices(browser, server, demo, [profile], { contexts });
        byProfile.set(profile, page!);
      }
      await go(page!, `${server.url}${path}`);
      await rendered(page!, name);
      await synced(page!);
      await page!.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
      violations.push(...(await axe(page!, name)));
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
const only = process.argv[2];
const scenarios = (
  [
    ['a whole day', scenarioWholeDay],
    ['b offline', scenarioOffline],
    ['c no coverage', scenarioNoCoverage],
    ['d update', scenarioUpdate],
    ['e accessibility', scenarioAxe],
  ] as const
).filter(([name]) => !only || name.startsWith(only));
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
