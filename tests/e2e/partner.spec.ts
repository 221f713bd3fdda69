// Scenario s: a certified partner component (issue #16 item 4). Box 1's intern signs a note
// orienting the patient to a specialist and prints the orientation letter, marked to go by
// MSSanté; the coordinating doctor validates the note. The coordination enrols a billing and
// MSSanté component from its devices page; the component — here the test itself, with node's
// fetch — exchanges the code for its credential, fetches its tasks over HTTP and answers them.
// The answers show in the room, on the note (« Facturation : Facturé »), and in the coordination's
// list of partner tasks.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { axe, call, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 's' });

const LETTER = 'Lettre d’orientation (spécialiste, MSP / CPTS, service social, urgences)';

interface Task {
  id: string;
  service: string;
  payload: Record<string, unknown>;
}

/** The partner component's HTTP calls: JSON with its bearer token. */
async function partnerCall(origin: string, token: string, path: string, body?: unknown) {
  const res = await fetch(`${origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The newest task of `service` for the walk-in patient: the tasks come oldest first, and the
 * patient's notes of earlier stops (the demo's) were validated, hence billed, too. */
async function fetchTask(origin: string, token: string, service: string, birthName: string) {
  const res = await partnerCall(origin, token, `/api/partner/tasks?service=${service}&limit=100`);
  expect(res.status).toBe(200);
  return (res.body.tasks as Task[])
    .filter((t) => JSON.stringify(t.payload).includes(`"birthName":"${birthName}"`))
    .at(-1);
}

async function notesRegion(box: Page) {
  return box.getByRole('region', { name: 'Documents' });
}

test('s — a partner component fetches and answers the tasks of a validated note; the room sees « Facturé »', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  const box = await devices.enrol('room');
  const coordinator = await devices.enrol('coordination');
  const birthName = demo.walkIn.birthName.toUpperCase();

  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  await call(box, origin, demo, ticket, shot);
  await takeIn(box, shot);

  await test.step('the intern writes the note, orients to a specialist and signs', async () => {
    await box.getByRole('textbox', { name: /^S — Subjectif/ }).fill('Toux depuis trois semaines');
    await box.getByRole('textbox', { name: /^O — Objectif/ }).fill('Sibilants diffus');
    await box.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Asthme probable');
    await box.getByRole('textbox', { name: /^P — Plan/ }).fill('Épreuves fonctionnelles');
    await box.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
    await box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
    await box.getByLabel('Orientation du patient').selectOption({ label: 'Spécialiste' });
    const specialist = box.getByRole('textbox', { name: /^Spécialiste \(spécialité, nom\)/ });
    await specialist.fill('Pneumologue, CH du Mans');
    await specialist.press('Tab');
    const sign = box.getByRole('button', { name: 'Signer la note' });
    await expect(sign).not.toHaveAttribute('aria-disabled', 'true');
    await sign.click();
    await expect(sign).toHaveCount(0);
  });

  const docs = await notesRegion(box);
  await test.step('the room prints the orientation letter, marked to go by MSSanté', async () => {
    await box
      .getByRole('region', { name: /^Mes notes signées/ })
      .getByRole('link', { name: new RegExp(`^${demo.walkIn.birthName}`, 'i') })
      .first()
      .click();
    await docs.getByLabel('Document', { exact: true }).selectOption({ label: LETTER });
    await docs.getByLabel('Envoyer aussi par messagerie sécurisée (MSSanté)').check();
    await box.evaluate(() => {
      window.print = () => undefined;
    });
    await docs.getByRole('button', { name: 'Imprimer' }).click();
    await expect(docs.getByText(/— à envoyer par messagerie sécurisée$/).first()).toBeVisible();
    // Nothing goes to a partner before the supervisor validates the note.
    await expect(docs.getByText('Aucune démarche transmise pour cette note.')).toBeVisible();
    await shot(box, 'letter-to-send');
  });

  await test.step('the coordinating doctor validates the note', async () => {
    await go(coordinator, `${origin}/coordination/supervision`);
    await rendered(coordinator, 'coordination supervision');
    await coordinator
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Hélène Morvan (médecin)' });
    await coordinator.getByRole('link', { name: /^Ouvrir la note de Thomas Garnier/ }).click();
    const validate = coordinator.getByRole('button', { name: 'Valider (contre-signer)' });
    await validate.click();
    await expect(validate).toHaveCount(0);
  });

  let token = '';
  await test.step('the coordination enrols a billing and MSSanté component', async () => {
    await go(coordinator, `${origin}/coordination/appareils`);
    await rendered(coordinator, 'coordination appareils');
    await coordinator
      .getByLabel('Profil de l’appareil')
      .selectOption({ label: 'Composant partenaire certifié' });
    const services = coordinator.getByRole('group', {
      name: 'Services rendus par ce composant partenaire',
    });
    await services.getByLabel('Facturation').check();
    await services.getByLabel('Envoi par messagerie sécurisée').check();
    await coordinator
      .getByRole('textbox', { name: /^Nom/ })
      .fill('Module SESAM-Vitale et MSSanté du centre de santé');
    await shot(coordinator, 'partner-enrolment');
    expect(await axe(coordinator, 'partner-enrolment')).toEqual([]);
    await coordinator.getByRole('button', { name: /^Créer le code/ }).click();
    const code = (await coordinator.locator('.enrol-code').textContent())!.replace(/\s/g, '');
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    await shot(coordinator, 'partner-code');
    // The component, on the partner's side, exchanges the code for its credential.
    const res = await fetch(`${origin}/api/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceId: 'partenaire-facturation' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; profile: string; services: string[] };
    expect(body).toMatchObject({ profile: 'partner', services: ['billing', 'mssante'] });
    token = body.token;
  });

  await test.step('the component fetches the note’s billing task and answers « facturé »', async () => {
    const task = await fetchTask(origin, token, 'billing', birthName);
    expect(task).toBeDefined();
    expect(task!.payload).toMatchObject({
      author: { name: 'Thomas Garnier', profession: 'interne' },
      supervisor: { name: 'Hélène Morvan', profession: 'medecin' },
      patient: { birthName },
    });
    // Minimum necessary: the act, not the note.
    expect(JSON.stringify(task!.payload)).not.toContain('Asthme');
    // A wrong shape is refused, in French, with nothing stored.
    const bad = await partnerCall(origin, token, `/api/partner/tasks/${task!.id}/answer`, {
      outcome: 'done',
      result: { billed: true },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/^Réponse invalide pour Facturation/);
    const done = await partnerCall(origin, token, `/api/partner/tasks/${task!.id}/answer`, {
      outcome: 'done',
      result: { billed: true, invoiceId: 'FSE-0042' },
    });
    expect(done).toMatchObject({ status: 200, body: { state: 'done' } });
  });

  await test.step('the component sends the letter by MSSanté and says so', async () => {
    const task = await fetchTask(origin, token, 'mssante', birthName);
    expect(task).toBeDefined();
    const document = task!.payload.document as { title: string; addressee: string };
    expect(document.title).toBe('Lettre d’orientation');
    expect(document.addressee).toBe('Au spécialiste : Pneumologue, CH du Mans');
    const sent = await partnerCall(origin, token, `/api/partner/tasks/${task!.id}/answer`, {
      outcome: 'done',
      result: { sent: true, messageId: 'MSS-7781' },
    });
    expect(sent.status).toBe(200);
  });

  await test.step('the room sees the answers on the note', async () => {
    const outcomes = docs.getByRole('region', { name: 'Services partenaires' });
    await expect(outcomes.getByText('Facturation : Facturé')).toBeVisible({ timeout: 60_000 });
    await expect(
      outcomes.getByText('Envoi par messagerie sécurisée : Envoyé par messagerie sécurisée'),
    ).toBeVisible({ timeout: 60_000 });
    await outcomes.scrollIntoViewIfNeeded();
    await shot(box, 'note-partner-outcomes');
    expect(await axe(box, 'note-partner-outcomes')).toEqual([]);
  });

  await test.step('the coordination lists the tasks per service', async () => {
    await go(coordinator, `${origin}/coordination/partenaires`);
    await rendered(coordinator, 'coordination partenaires');
    const billing = coordinator.getByRole('region', { name: /^Facturation/ });
    await expect(billing.getByRole('row', { name: /Facturé/ }).first()).toBeVisible({
      timeout: 60_000,
    });
    // French for people: no raw key, id or ISO date on the page.
    const text = (await coordinator.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T|pt\.[0-9a-f]{8}|\btodo\b|\bleased\b/);
    await shot(coordinator, 'partner-tasks');
    expect(await axe(coordinator, 'partner-tasks')).toEqual([]);
  });
});
