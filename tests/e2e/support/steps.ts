// What people do on the truck's devices, shared by the scenarios: enrol a device, sign in, unlock,
// check a walk-in in, call and take them in. Each is a Playwright step (named in the trace) and
// waits the web-first way: a locator assertion or expect.poll, never a sleep.
import { createRequire } from 'node:module';
import { expect, type Page, test } from '@playwright/test';
import { DEMO_PASSWORD } from '../../../src/server/seed/demo-access';
import type { Demo, Site } from './fixtures';
import { enrolmentCode } from './server';

const require = createRequire(import.meta.url);

export type Profile = 'reception' | 'room' | 'coordination' | 'display';

/** Saves a full-page screenshot of `page` under tests/e2e/screenshots/, named after the screen. */
export type Shot = (page: Page, name: string) => Promise<void>;

/** Who works on each kind of device in the scenarios (demo accounts, password DEMO_PASSWORD). */
export const PERSON: Record<Exclude<Profile, 'display'>, string> = {
  reception: 'Sophie Leroy',
  room: 'Thomas Garnier',
  coordination: 'Hélène Morvan',
};
const PIN = '4826';

/** The names the coordination gives the truck's devices (a room's: « Ordinateur Box 1 »). */
const DEVICE_NAME: Record<Exclude<Profile, 'room'>, string> = {
  reception: 'Tablette de l’accueil',
  coordination: 'Poste de coordination',
  display: 'Écran de la salle d’attente',
};

/** Each profile's own screen, where the device is taken to after its enrolment. */
export function home(profile: Profile, demo: Demo): string {
  return {
    reception: '/accueil',
    room: `/salle/${demo.roomId}`,
    coordination: '/coordination',
    display: '/affichage',
  }[profile];
}

/** Every screen, with the profile of the device that shows it (an enrolled device plays one). */
export function routes(roomId: string): [string, string, Profile][] {
  return [
    ['home', '/', 'reception'],
    ['accueil', '/accueil', 'reception'],
    ['accueil-arrivee', '/accueil/arrivee', 'reception'],
    ['accueil-rendez-vous', '/accueil/rendez-vous', 'reception'],
    ['accueil-journee', '/accueil/journee', 'reception'],
    ['accueil-doublons', '/accueil/doublons', 'reception'],
    ['appareil', '/appareil', 'reception'],
    ['salle', `/salle/${roomId}`, 'room'],
    ['coordination', '/coordination', 'coordination'],
    ['coordination-supervision', '/coordination/supervision', 'coordination'],
    ['coordination-cloture', '/coordination/cloture', 'coordination'],
    ['coordination-conflits', '/coordination/conflits', 'coordination'],
    ['coordination-appareils', '/coordination/appareils', 'coordination'],
    ['coordination-planning', '/coordination/planning', 'coordination'],
    ['coordination-indicateurs', '/coordination/indicateurs', 'coordination'],
    ['coordination-doublons', '/coordination/doublons', 'coordination'],
    ['coordination-modeles', '/coordination/modeles', 'coordination'],
    ['coordination-rapport', '/coordination/rapport', 'coordination'],
    ['coordination-journal', '/coordination/journal', 'coordination'],
    ['coordination-equipe', '/coordination/equipe', 'coordination'],
    ['supervision', '/supervision', 'coordination'],
    ['affichage', '/affichage', 'display'],
  ];
}

/**
 * Enrols a device as the coordination would (a code for `profile`), signs its person in with the
 * password and creates their PIN, waits until the data is on the device and the service worker
 * controls the page, and leaves it unlocked on its own screen.
 */
export interface EnrolOptions {
  /** The truck's relay the device syncs through. */
  relay?: string;
  /** A room device's room and the person who works there (Box 1 and its intern by default). */
  room?: { id: string; name: string; person: string };
}

export async function enrol(
  page: Page,
  site: Site,
  profile: Profile,
  shot: Shot,
  { relay, room: chosen }: EnrolOptions = {},
): Promise<void> {
  await test.step(`enrol a ${profile} device${relay ? ' through the relay' : ''}`, async () => {
    const { demo, origin } = site;
    const room = chosen ?? { id: demo.roomId, name: demo.roomName, person: PERSON.room };
    const code = await enrolmentCode(
      site.requireCentral(),
      demo.org,
      profile,
      profile === 'room' ? room.id : null,
      profile === 'room' ? `Ordinateur ${room.name}` : DEVICE_NAME[profile],
    );
    await page.goto(origin);
    await page.getByLabel('Code d’enrôlement').fill(code);
    if (relay) await page.getByLabel('Relais du camion (facultatif)').fill(relay);
    await shot(page, `${profile}-enrolment`);
    await page.getByRole('button', { name: 'Enrôler cet appareil' }).click();
    // Enrolled: the home screen names the device, or asks who works on it; then the first sync.
    await enrolled(page);
    await synced(page);
    await shot(page, `${profile}-enrolled`);
    const own = profile === 'room' ? `/salle/${room.id}` : home(profile, demo);
    await page.goto(`${origin}${own}`);
    const person =
      profile === 'room' ? room.person : profile === 'display' ? null : PERSON[profile];
    if (person) await signIn(page, person, shot, profile);
    await rendered(page, `${profile} after enrolment`);
    if (profile === 'room') {
      await expect(page.getByRole('heading', { name: room.name }).first()).toBeVisible();
    }
    await shot(page, `${profile}-home`);
    // The service worker must control the page before the server can go away. With `prompt`
    // updates it does not claim the page that installed it: the next load is controlled.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), {
        message: 'the service worker controls the page',
      })
      .toBe(true);
    // A device whose person has a PIN opens locked.
    if (profile !== 'display') {
      await expect(page.getByLabel('Code personnel')).toBeVisible();
      await shot(page, `${profile}-lock`);
      await unlock(page);
    }
  });
}

/** The home screen of an enrolled device: its name, or the sign-in in front of it. */
export async function enrolled(page: Page): Promise<void> {
  await expect(
    page
      .getByText(/^Cet appareil : /)
      .or(page.getByRole('heading', { name: 'Connexion à cet appareil' }))
      .first(),
  ).toBeVisible();
}

/**
 * First use of an enrolled device: the person chooses themselves, types the password, makes a
 * PIN. Screenshots of the sign-in and of the PIN creation, named after `device`.
 */
export async function signIn(page: Page, name: string, shot: Shot, device: string): Promise<void> {
  await test.step(`${name} signs in and makes a PIN`, async () => {
    // The team arrives with the first sync: wait for the person's name in the list.
    await waitForPerson(page, name);
    await page.getByLabel('Qui êtes-vous ?').selectOption({ label: name });
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await shot(page, `${device}-sign-in`);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByLabel('Nouveau code (4 à 8 chiffres)').fill(PIN);
    await page.getByLabel('Confirmez le code').fill(PIN);
    await shot(page, `${device}-pin`);
    const save = page.getByRole('button', { name: 'Enregistrer le code' });
    await save.click();
    await expect(save).toHaveCount(0);
  });
}

/** The sign-in lists the person (the team arrives with the first sync). */
export async function waitForPerson(page: Page, name: string): Promise<void> {
  await expect(page.locator('option', { hasText: name }).first()).toBeAttached();
}

/** The lock screen: the person at work types their PIN. */
export async function unlock(page: Page): Promise<void> {
  const pin = page.getByLabel('Code personnel');
  await pin.fill(PIN);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await expect(pin).toHaveCount(0);
}

/** The device's sync indicator reads « Synchronisé… ». */
export async function synced(page: Page): Promise<void> {
  // A case-sensitive regex: a string would match « Jamais synchronisé » too.
  await expect(page.locator('.sync-indicator', { hasText: /Synchronisé/ }).first()).toBeVisible();
}

/**
 * Opens `url` in a full page load. The page opens locked (the person at work has a PIN), except
 * the waiting-room screen and device health: the PIN unlocks it.
 */
export async function go(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const path = new URL(url).pathname;
  if (!path.startsWith('/affichage') && !path.startsWith('/appareil')) await unlock(page);
}

/** A route rendered its screen (not the error boundary, not the not-found page). */
export async function rendered(page: Page, name: string): Promise<void> {
  await expect(page.locator('main, [role="main"]').first(), `${name}: a main region`).toBeVisible();
  // Screens read IndexedDB through live queries: wait until they stop loading.
  await expect(
    page.locator('main').getByRole('status').filter({ hasText: 'Chargement' }),
    `${name}: done loading`,
  ).toHaveCount(0);
  const body = (await page.locator('body').textContent()) ?? '';
  for (const bad of ['Cet écran n’a pas pu s’afficher', 'Page introuvable']) {
    expect(body, `${name}: « ${bad} »`).not.toContain(bad);
  }
}

/** Screens that read the demo data show it (not their empty state). */
export async function dataShown(page: Page, name: string, demo: Demo): Promise<void> {
  const main = page.locator('main');
  if (name === 'salle') await expect(main, 'salle names its room').toContainText(demo.roomName);
  for (const empty of ['Aucune escale prévue', 'n’est pas connue']) {
    await expect(main, `${name}: « ${empty} » with the demo on the device`).not.toContainText(
      empty,
    );
  }
}

/** Reception checks the walk-in patient in for general practice; returns the ticket. */
export async function checkInWalkIn(
  reception: Page,
  origin: string,
  demo: Demo,
  shot: Shot,
): Promise<string> {
  return test.step('reception checks the walk-in patient in', async () => {
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil arrivée');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(`${demo.walkIn.birthName} ${demo.walkIn.firstName}`);
    const arrival = reception.getByRole('button', { name: /^Enregistrer l’arrivée de/ }).first();
    await expect(arrival).toBeVisible();
    await shot(reception, 'reception-search');
    await arrival.click();
    await reception.getByLabel(/^Motif de la venue/).fill('Toux depuis trois jours');
    await reception.getByLabel('Médecine générale').check();
    await shot(reception, 'reception-arrival');
    await reception
      .getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' })
      .click();
    const ticket = reception.locator('.ticket--large').first();
    // A ticket is the service's prefix and a number (« MG-001 »), never an id.
    await expect(ticket).toHaveText(/^[A-Z]+-\d+$/);
    await shot(reception, 'reception-ticket');
    return (await ticket.textContent())!;
  });
}

/** Box 1 (Thomas Garnier, intern) calls the patient with `ticket`. */
export async function call(box: Page, origin: string, demo: Demo, ticket: string, shot: Shot) {
  await test.step(`the room calls ${ticket}`, async () => {
    await go(box, `${origin}/salle/${demo.roomId}`);
    await rendered(box, 'salle');
    await box.getByLabel('Qui travaille ici ?').selectOption({ label: 'Thomas Garnier (interne)' });
    const callButton = box.getByRole('button', { name: `Appeler ${ticket}` });
    await expect(callButton).toBeVisible();
    await shot(box, 'room-queue');
    await callButton.click();
    const takeIn = box.getByRole('button', { name: 'Faire entrer', exact: true });
    await expect(takeIn).toBeVisible();
    await shot(box, 'room-called');
  });
}

/** The room takes the called patient in: the note opens. */
export async function takeIn(box: Page, shot: Shot): Promise<void> {
  await test.step('the room takes the patient in', async () => {
    await box.getByRole('button', { name: 'Faire entrer', exact: true }).click();
    await expect(box.getByRole('textbox', { name: /^S — Subjectif/ })).toBeVisible();
    await shot(box, 'room-note');
  });
}

export interface Violation {
  screen: string;
  id: string;
  impact: string;
  targets: string[];
}

/** axe-core on the page as it stands: its serious and critical violations. */
export async function axe(page: Page, screen: string): Promise<Violation[]> {
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
