// Scenario g: a room offline while the others work (issue 14). Box 2's laptop loses the Wi-Fi
// with a stale view of the queue; Box 1 calls, sees and signs for the walk-in; Box 2, still
// offline, calls the same ticket, takes them in and signs a note too. While Box 2 is away the
// closure refuses the receipt and names it; back online, the coordinator sees the contradiction
// named by patient, ticket and rooms, settles it, and the receipt is granted.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { call, checkInWalkIn, go, rendered, type Shot, takeIn } from './support/steps';

test.use({ scenario: 'g' });

/** The room writes a short note, codes it and signs it; the room is then free. */
async function writeAndSign(box: Page, subjective: string, shot: Shot, name: string) {
  await box.getByRole('textbox', { name: /^S — Subjectif/ }).fill(subjective);
  await box.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Toux virale probable');
  await box.getByRole('textbox', { name: /^P — Plan/ }).fill('Hydratation, revoir si fièvre');
  await box.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
  await box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
  await expect(box.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
  const sign = box.getByRole('button', { name: 'Signer la note' });
  await sign.click();
  await expect(sign).toHaveCount(0);
  await shot(box, name);
}

test('g — a room offline for a while: named contradictions, a closure that waits for it', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const box2Room = { ...demo.room2, person: 'Inès Benali' };
  const reception = await devices.enrol('reception');
  const box1 = await devices.enrol('room');
  const box2 = await devices.enrol('room', { room: box2Room });
  const coordinator = await devices.enrol('coordination');

  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  // Cards name the patient as the registry does: « HUET Élodie ».
  const patient = new RegExp(`${demo.walkIn.birthName}\\s+${demo.walkIn.firstName}`, 'i');

  await test.step('Box 2 sees the ticket waiting, then loses the Wi-Fi', async () => {
    await go(box2, `${origin}/salle/${box2Room.id}`);
    await rendered(box2, 'salle Box 2');
    await box2.getByLabel('Qui travaille ici ?').selectOption({ label: 'Inès Benali (interne)' });
    await expect(box2.getByRole('button', { name: `Appeler ${ticket}` })).toBeVisible();
    await box2.context().setOffline(true);
  });

  await test.step('Box 1 calls, takes in and signs for the patient', async () => {
    await call(box1, origin, demo, ticket, shot);
    await takeIn(box1, shot);
    await writeAndSign(box1, 'Toux sèche depuis trois jours', shot, 'box1-signed');
    await expect(
      box1.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
  });

  await test.step('Box 2, offline on its stale view, calls the same ticket and signs too', async () => {
    await box2.getByRole('button', { name: `Appeler ${ticket}` }).click();
    await takeIn(box2, shot);
    await writeAndSign(box2, 'Toux grasse, pas de fièvre', shot, 'box2-signed-offline');
    // What it did waits on the laptop, and it says so.
    await expect(box2.locator('.sync-indicator')).toContainText(/Hors ligne|en attente/);
  });

  await test.step('the closure refuses the receipt while Box 2 has not sent its day', async () => {
    await go(coordinator, `${origin}/coordination/cloture`);
    await expect(coordinator.getByRole('heading', { name: 'Clôture de journée' })).toBeVisible();
    const absent = coordinator.getByRole('button', { name: 'Marquer absents' });
    await absent.click();
    // One tap that changes patients' day: a small dialog asks first.
    await coordinator
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Oui, marquer absents' })
      .click();
    await expect(absent).toHaveAttribute('aria-disabled', 'true');
    await coordinator.getByRole('button', { name: 'Commencer la clôture' }).click();
    await expect(coordinator.getByText(/^Clôture commencée à/)).toBeVisible();
    await coordinator.getByRole('button', { name: 'Vérifier les appareils' }).click();
    // Box 2's laptop is named, by its name and room, as the device the receipt waits for.
    const coverage = coordinator.getByRole('region', { name: 'Appareils du camion' });
    await expect(coverage.getByRole('listitem').filter({ hasText: box2Room.name })).toContainText(
      'n’a rien envoyé depuis le début de la clôture',
    );
    // The receipt cannot be asked for while a device of the truck has not sent its day.
    await expect(
      coordinator.getByRole('button', { name: 'Synchroniser et demander le reçu' }),
    ).toBeDisabled();
    await expect(coordinator.getByText(/^Reçu obtenu le/)).toHaveCount(0);
    await shot(coordinator, 'closure-waits-for-box2');
  });

  await test.step('Box 2 back online: its day reaches central', async () => {
    await box2.context().setOffline(false);
    await go(box2, `${origin}/salle/${box2Room.id}`);
    await expect(
      box2.locator('.sync-indicator', { hasText: /^Synchronisation\s*Synchronisé$/ }),
    ).toBeVisible({ timeout: 60_000 });
  });

  await test.step('the coordinator sees the contradiction named, and settles it', async () => {
    await go(coordinator, `${origin}/coordination/conflits`);
    await rendered(coordinator, 'coordination conflits');
    const cards = coordinator.locator('main li.conflict', { hasText: ticket });
    await expect(cards.first()).toBeVisible({ timeout: 60_000 });
    // Named for people: the patient, the ticket and both rooms; never a key or an id.
    const first = cards.first();
    await expect(first).toContainText(patient);
    await expect(first).toContainText(ticket);
    await expect(first).toContainText(demo.roomName);
    await expect(first).toContainText(box2Room.name);
    await shot(coordinator, 'conflicts-named');
    const main = (await coordinator.locator('main').textContent()) ?? '';
    expect(main).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(main).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    // Two signed notes for one visit: keep Box 1's, Box 2's becomes an addendum. The signed
    // notes ended the visit (clinical evidence wins the status), so no other card is open.
    const who = coordinator.getByLabel('Qui travaille ici ?');
    if (await who.count()) await who.selectOption({ label: 'Hélène Morvan (médecin)' });
    await expect(cards).toHaveCount(1);
    const keep = first.getByRole('button', { name: /^Garder la note de Thomas Garnier/ });
    await keep.click();
    await expect(cards).toHaveCount(0);
    await expect(coordinator.getByText('1 contradiction déjà prise en compte.')).toBeVisible();
    await shot(coordinator, 'conflicts-settled');
  });

  await test.step('the coordinating doctor validates the interns’ notes', async () => {
    await go(coordinator, `${origin}/coordination/supervision`);
    await rendered(coordinator, 'coordination supervision');
    const who = coordinator.getByLabel('Qui travaille ici ?');
    if (await who.count()) await who.selectOption({ label: 'Hélène Morvan (médecin)' });
    const open = coordinator.getByRole('link', { name: /^Ouvrir la note de/ });
    await expect(open.first()).toBeVisible();
    await shot(coordinator, 'supervision-after-partition');
    await expect
      .poll(
        async () => {
          if ((await open.count()) === 0) return 0;
          await open.first().click();
          const validate = coordinator.getByRole('button', { name: 'Valider (contre-signer)' });
          await validate.click();
          await expect(validate).toHaveCount(0);
          await go(coordinator, `${origin}/coordination/supervision`);
          await rendered(coordinator, 'coordination supervision');
          return open.count();
        },
        { message: 'every intern note validated', timeout: 60_000 },
      )
      .toBe(0);
  });

  await test.step('the closure now covers every device and grants the receipt', async () => {
    await go(coordinator, `${origin}/coordination/cloture`);
    const ask = coordinator.getByRole('button', { name: 'Synchroniser et demander le reçu' });
    const granted = coordinator.getByText(/^Reçu obtenu le/);
    const check = coordinator.getByRole('button', { name: 'Vérifier les appareils' });
    await expect
      .poll(
        async () => {
          if (await granted.count()) return true;
          if (await ask.isEnabled()) await ask.click();
          else if (await check.isEnabled()) await check.click();
          return (await granted.count()) > 0;
        },
        { message: 'every device reported the day and the receipt is granted', timeout: 120_000 },
      )
      .toBe(true);
    await shot(coordinator, 'receipt-after-box2');
  });
});
