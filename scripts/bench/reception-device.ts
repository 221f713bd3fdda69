// An enrolled reception device of the built app, as startup.ts and bundle.ts need it: the app's
// first start creates the device id; the bench exchanges a reception code for it at /api/enrol
// (a code over the server's store) and writes the credential where the app keeps it
// (joinOrganisation, bundled into the app's page: the enrolment screen's form is not what is
// measured); the person at the desk then signs in with a password and chooses a PIN through the
// app's own forms, and the app syncs until today's stop shows on the reception screen.
import type { BrowserContext, Page } from 'playwright-core';
import type { Connection } from '../../src/device/connection';
import { Accounts } from '../../src/server/auth';
import type { SyncStore } from '../../src/server/store/types';
import { bundlePage, sleep } from './lib';
import { appCredential, createCodes, enrol } from './server-proc';

export const PASSWORD = 'banc-de-mesure-2026';
export const PIN = '2580';

type Startup = {
  startupDeviceId(): Promise<string | null>;
  startupJoin(connection: Connection): Promise<void>;
};

export const stopText = (page: Page) => page.getByText(/^Escale du jour/).first();
export const lockTitle = (page: Page) => page.getByRole('heading', { name: /verrouillé/i });

/** The app's first start has created this device's id. */
async function deviceIdOf(page: Page): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const id = await page.evaluate(() => (globalThis as unknown as Startup).startupDeviceId());
    if (id) return id;
    await sleep(50);
  }
  throw new Error('the app never created its device id');
}

/** The demo organisation's person at the desk, given a password as the coordination sets it. */
export async function deskPerson(store: SyncStore, org: string): Promise<string> {
  const desk = (await store.rows(org, 'staff')).find(
    (s) => s.active === true && Array.isArray(s.roles) && s.roles.includes('accueil'),
  );
  if (!desk) throw new Error('no reception staff in the demo organisation');
  const deskId = String(desk.id);
  await new Accounts(store).setPassword(org, deskId, PASSWORD);
  return deskId;
}

/**
 * Enrols the app in `context` as a reception device of `org` at `origin`, signs the desk person
 * in and sets the PIN; resolves once today's stop shows and the service worker is ready. The
 * page is left open (`page`) for the caller to close.
 */
export async function enrolReception(
  context: BrowserContext,
  origin: string,
  store: SyncStore,
  org: string,
  deskId: string,
  stopTimeoutMs = 30_000,
): Promise<Page> {
  const script = await bundlePage('scripts/bench/pages/startup.page.ts');
  const page = await context.newPage();
  await page.goto(origin);
  await page.locator('main').first().waitFor({ timeout: 30_000 });
  await page.addScriptTag({ content: script });
  const deviceId = await deviceIdOf(page);
  const [code] = await createCodes(store, [{ deviceId, org, profile: 'reception' }]);
  const enrolled = await enrol(origin, code!, deviceId);
  await page.evaluate((c) => (globalThis as unknown as Startup).startupJoin(c), {
    org: enrolled.org,
    servers: [origin],
    credential: appCredential(enrolled),
  } satisfies Connection);
  // The app starts again enrolled, syncs, and asks the person at the desk to sign in.
  await page.goto(`${origin}/accueil`);
  await page.getByLabel(/Qui êtes-vous/).selectOption(deskId, { timeout: 30_000 });
  await page.getByLabel(/Mot de passe/).fill(PASSWORD);
  await page.getByRole('button', { name: /Se connecter/ }).click();
  await page.getByLabel(/Nouveau code/).fill(PIN, { timeout: 30_000 });
  await page.getByLabel(/Confirmez/).fill(PIN);
  await page.getByRole('button', { name: /Enregistrer le code/ }).click();
  // Today's stop on the reception screen: the day's data is on the device.
  await stopText(page).waitFor({ timeout: stopTimeoutMs });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  return page;
}

/** Opens /accueil on `page` and unlocks with the PIN if asked; resolves at today's stop. */
export async function openReception(
  page: Page,
  origin: string,
): Promise<{ lockMs: number | null; stopMs: number; start: number }> {
  const start = Date.now();
  await page.goto(`${origin}/accueil`);
  await lockTitle(page).or(stopText(page)).first().waitFor({ timeout: 60_000 });
  let lockMs: number | null = null;
  if (await lockTitle(page).isVisible()) {
    lockMs = Date.now() - start;
    await page.getByLabel(/Code personnel/).fill(PIN);
    await page.getByRole('button', { name: /Déverrouiller/ }).click();
  }
  await stopText(page).waitFor({ timeout: 60_000 });
  return { lockMs, stopMs: Date.now() - start, start };
}
