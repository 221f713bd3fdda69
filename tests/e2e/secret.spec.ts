// Scenario l: the secret médical within the care team (issue #21 item 1, decision 0015). In the
// afternoon Salle 3 is the social worker's. Box 1 (an intern in general practice) writes a note
// and, from it, a transmission for the social worker; she takes the same patient in: she reads
// the transmission, never the note. She writes her social note, which the intern may not read;
// he declares a bris de glace (a reason from the list, four hours) and the note opens on his
// device, marked as opened that way. The coordination finds it on its bris-de-glace review.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { axe, call, checkInWalkIn, go, rendered, type Shot, synced, takeIn } from './support/steps';

test.use({ scenario: 'l', truckTime: '15:00' });

const SUBJECTIVE = 'Toux sèche depuis trois jours, fièvre à 38,5';
const ASSESSMENT = 'Bronchite aiguë probable';
const PLAN = 'Paracétamol, revoir si la fièvre persiste';
const TRANSMISSION = 'Pas de complémentaire santé : aide à l’ouverture des droits souhaitée.';
const SOCIAL_SUBJECTIVE = 'Hébergé chez un tiers depuis deux mois';
const SOCIAL_ASSESSMENT = 'Droits à la complémentaire santé solidaire à ouvrir';
const PRECISION = 'Reprise du suivi avant l’orientation';

/** What a person reads on screen: French sentences, never an id, a key or an ISO date. */
async function frenchOnly(page: Page, name: string): Promise<void> {
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text, `${name}: a UUID`).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  expect(text, `${name}: an ISO date`).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  expect(text, `${name}: a catalogue key`).not.toMatch(/\b[a-z]+\.[a-z]+[A-Za-z]*\.[a-zA-Z]+\b/);
  expect(text, `${name}: a code`).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
}

/** Reception checks the same walk-in in again, for the social worker. */
async function checkInForSocialWorker(
  reception: Page,
  origin: string,
  name: string,
  shot: Shot,
): Promise<string> {
  return test.step('reception checks the patient in for the social worker', async () => {
    await reception.getByRole('button', { name: 'Patient suivant' }).click();
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil arrivée');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(name);
    await reception
      .getByRole('button', { name: /^Enregistrer l’arrivée de/ })
      .first()
      .click();
    await reception.getByLabel(/^Motif de la venue/).fill('Rendez-vous avec l’assistante sociale');
    await reception.getByLabel('Assistante sociale').check();
    await shot(reception, 'reception-arrival-social');
    await reception
      .getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' })
      .click();
    const ticket = reception.locator('.ticket--large').first();
    await expect(ticket).toHaveText(/^AS-\d+$/);
    return (await ticket.textContent())!;
  });
}

test('l — the social worker reads the transmission, not the note; a bris de glace is recorded and reviewed', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const patient = `${demo.walkIn.birthName} ${demo.walkIn.firstName}`;
  const salle3 = { ...demo.room3, person: 'Nadia Perrin' };
  const reception = await devices.enrol('reception');
  const box1 = await devices.enrol('room');
  const social = await devices.enrol('room', { room: salle3 });

  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  await call(box1, origin, demo, ticket, shot);
  await takeIn(box1, shot);

  await test.step('Box 1 writes the note, and a transmission for the social worker', async () => {
    await box1.getByRole('textbox', { name: /^S — Subjectif/ }).fill(SUBJECTIVE);
    await box1.getByRole('textbox', { name: /^A — Appréciation/ }).fill(ASSESSMENT);
    await box1.getByRole('textbox', { name: /^P — Plan/ }).fill(PLAN);
    const transmission = box1.getByRole('group', {
      name: 'Transmission à l’assistante sociale et au médiateur',
    });
    await transmission.getByRole('textbox', { name: 'Transmission' }).fill(TRANSMISSION);
    await shot(box1, 'box1-transmission-typed');
    await transmission.getByRole('button', { name: 'Transmettre' }).click();
    await expect(
      transmission.getByRole('list', {
        name: 'Transmission à l’assistante sociale et au médiateur',
      }),
    ).toContainText(TRANSMISSION);
    await expect(transmission).toContainText(/Transmission de Thomas Garnier, le \d/);
    await shot(box1, 'box1-transmission-written');
    await frenchOnly(box1, 'box1 transmission');
    await box1.getByRole('button', { name: 'Terminer la consultation' }).click();
    await expect(
      box1.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await synced(box1);
  });

  const socialTicket = await checkInForSocialWorker(reception, origin, patient, shot);

  await test.step('Salle 3: the social worker takes the patient in and reads the transmission, not the note', async () => {
    await go(social, `${origin}/salle/${salle3.id}`);
    await rendered(social, 'salle 3');
    const who = social.getByLabel('Qui travaille ici ?');
    const nadia = (await social
      .locator('option', { hasText: 'Nadia Perrin' })
      .first()
      .textContent())!;
    await who.selectOption({ label: nadia });
    const callButton = social.getByRole('button', { name: `Appeler ${socialTicket}` });
    await expect(callButton).toBeVisible({ timeout: 60_000 });
    await shot(social, 'salle3-queue');
    await callButton.click();
    await social.getByRole('button', { name: 'Faire entrer', exact: true }).click();
    await expect(social.getByRole('textbox', { name: /^S — Subjectif/ })).toBeVisible();
    const panel = social.locator('.consultation-workspace');
    await expect(
      panel.getByRole('heading', {
        name: 'Transmissions écrites pour vous par l’équipe de soins',
      }),
    ).toBeVisible({ timeout: 60_000 });
    await expect(panel).toContainText(TRANSMISSION);
    await expect(panel).toContainText(/Transmission de Thomas Garnier, le \d/);
    const text = (await social.locator('main').textContent()) ?? '';
    for (const clinical of [SUBJECTIVE, ASSESSMENT, PLAN]) {
      expect(text, 'the GP’s note stays off the social worker’s screen').not.toContain(clinical);
    }
    await shot(social, 'salle3-transmission-not-note');
    expect(await axe(social, 'salle3-transmission')).toEqual([]);
    await frenchOnly(social, 'salle 3 consultation');
  });

  await test.step('the social worker writes her note and ends the consultation', async () => {
    await social.getByRole('textbox', { name: /^S — Subjectif/ }).fill(SOCIAL_SUBJECTIVE);
    await social.getByRole('textbox', { name: /^A — Appréciation/ }).fill(SOCIAL_ASSESSMENT);
    await shot(social, 'salle3-social-note');
    await social.getByRole('button', { name: 'Terminer la consultation' }).click();
    await expect(
      social.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await synced(social);
  });

  await test.step('Box 1 opens the patient again: the social note is not there', async () => {
    await box1
      .getByRole('link', { name: new RegExp(`^${demo.walkIn.birthName}`, 'i') })
      .first()
      .click();
    await expect(box1.getByRole('textbox', { name: /^S — Subjectif/ })).toBeVisible();
    const text = (await box1.locator('main').textContent()) ?? '';
    expect(text).not.toContain(SOCIAL_ASSESSMENT);
    await shot(box1, 'box1-before-break-glass');
  });

  await test.step('Box 1 declares a bris de glace: a reason, four hours, and the social note opens', async () => {
    await box1.getByText('Accès exceptionnel (bris de glace)', { exact: true }).click();
    const open = box1.getByRole('button', { name: 'Ouvrir le dossier (bris de glace)' });
    // No reason, no opening: the reason is said beside the button.
    await expect(open).toHaveAccessibleDescription('Choisissez d’abord la raison de cet accès.');
    await box1.getByRole('combobox', { name: 'Raison' }).selectOption({
      label: 'Continuité des soins',
    });
    await box1
      .getByRole('textbox', {
        name: 'Précision (facultative, gardée avec l’accès, hors du journal)',
      })
      .fill(PRECISION);
    await shot(box1, 'box1-break-glass-form');
    // The patient panel with the bris de glace open: no serious or critical accessibility fault.
    expect(await axe(box1, 'break-glass-form')).toEqual([]);
    await open.click();
    await expect(box1.getByText(/^Accès exceptionnel ouvert jusqu’à \d{2}:\d{2}\.$/)).toBeVisible();
    // The server now sends this device the patient's notes for him: the social note arrives,
    // marked as opened by bris de glace.
    const history = box1.getByRole('list', { name: 'Consultations précédentes' });
    await expect(history).toContainText(SOCIAL_ASSESSMENT, { timeout: 90_000 });
    await expect(history).toContainText('Note ouverte par bris de glace');
    await shot(box1, 'box1-break-glass-opened');
    await frenchOnly(box1, 'box1 after the bris de glace');
  });

  const coordinator = await devices.enrol('coordination');

  await test.step('the coordination lists the bris de glace for review', async () => {
    await go(coordinator, `${origin}/coordination/bris-de-glace`);
    await rendered(coordinator, 'coordination bris de glace');
    const table = coordinator.getByRole('table');
    const row = table.getByRole('row', { name: /Thomas Garnier/ });
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row).toContainText(demo.walkIn.firstName);
    await expect(row).toContainText('Continuité des soins');
    await expect(row).toContainText(PRECISION);
    await shot(coordinator, 'coordination-break-glass-review');
    expect(await axe(coordinator, 'break-glass-review')).toEqual([]);
    await frenchOnly(coordinator, 'coordination bris de glace');
  });

  await test.step('the journal records it by its code, without the precision', async () => {
    await go(coordinator, `${origin}/coordination/journal`);
    await rendered(coordinator, 'coordination journal');
    const main = coordinator.locator('main');
    await expect(main).toContainText('Bris de glace : dossier ouvert exceptionnellement');
    await expect(main).not.toContainText(PRECISION);
    // Its reason in words, never its code.
    const row = main.getByRole('row', { name: /Bris de glace : dossier ouvert/ });
    await expect(row).toContainText('Continuité des soins');
    await expect(main).not.toContainText('continuite_soins');
    await shot(coordinator, 'coordination-journal');
    await frenchOnly(coordinator, 'coordination journal');
  });
});
