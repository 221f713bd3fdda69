// Scenario a: a whole day across four devices (reception, box 1, coordination, waiting-room
// screen), from a walk-in's arrival to the coordinating doctor's validation, closed with a sync
// receipt that reaches central.
import { expect, test } from './support/fixtures';
import { call, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'a' });

test('a — a whole day on four devices, closed with a sync receipt', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  const box = await devices.enrol('room');
  const coordinator = await devices.enrol('coordination');
  const display = await devices.enrol('display');
  await go(display, `${origin}/affichage`);
  await rendered(display, 'affichage');
  await shot(display, 'display-waiting');

  // Reception: the patient arrives and gets a ticket.
  const ticket = await checkInWalkIn(reception, origin, demo, shot);

  // Box 1 calls: the waiting-room screen shows the ticket and the room.
  await call(box, origin, demo, ticket, shot);
  await expect(display.getByText(`${ticket} → ${demo.roomName}`)).toBeVisible();
  await shot(display, 'display-call');

  await test.step('the consultation: note, code, signature; then the room is free', async () => {
    await takeIn(box, shot);
    await box
      .getByRole('textbox', { name: /^S — Subjectif/ })
      .fill('Toux sèche depuis trois jours');
    await box.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Toux virale probable');
    await box.getByRole('textbox', { name: /^P — Plan/ }).fill('Hydratation, revoir si fièvre');
    await box.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
    await box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
    // The code is in the note (saved, read back) before signing checks the note is complete.
    await expect(box.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
    await shot(box, 'room-note-written');
    const sign = box.getByRole('button', { name: 'Signer la note' });
    await sign.click();
    await expect(sign).toHaveCount(0);
    await shot(box, 'room-note-signed');
    // A signed note ends the consultation: clinical evidence wins the status
    // (docs/decisions/0004-day-invariants.md), so the room is free with no further click.
    await expect(box.getByRole('button', { name: 'Terminer la consultation' })).toHaveCount(0);
    await expect(
      box.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await shot(box, 'room-free');
  });

  await test.step('the coordinating doctor validates the intern’s note', async () => {
    await go(coordinator, `${origin}/coordination/supervision`);
    await rendered(coordinator, 'coordination supervision');
    await coordinator
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Hélène Morvan (médecin)' });
    const open = coordinator.getByRole('link', { name: /^Ouvrir la note de Thomas Garnier/ });
    await expect(open).toBeVisible();
    await shot(coordinator, 'coordination-supervision');
    await open.click();
    const validate = coordinator.getByRole('button', { name: 'Valider (contre-signer)' });
    await expect(validate).toBeVisible();
    await shot(coordinator, 'coordination-note');
    await validate.click();
    // Once validated, the note is no longer reviewable: the button goes away.
    await expect(validate).toHaveCount(0);
    await shot(coordinator, 'coordination-note-validated');
  });

  await test.step('closure: the absent are marked, then the sync receipt', async () => {
    await go(coordinator, `${origin}/coordination/cloture`);
    await expect(coordinator.getByRole('heading', { name: 'Clôture de journée' })).toBeVisible();
    await shot(coordinator, 'coordination-closure');
    // The demo books appointments today that nobody honoured: they are marked absent.
    const absent = coordinator.getByRole('button', { name: 'Marquer absents' });
    await absent.click();
    // One tap that changes patients' day: a small dialog asks first.
    await coordinator
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Oui, marquer absents' })
      .click();
    await expect(absent).toHaveAttribute('aria-disabled', 'true');
    // The closure begins (central's time); every device of the truck then reports its day with
    // its next sync (docs/decisions/0007-closure-coverage.md) before the receipt is granted.
    await coordinator.getByRole('button', { name: 'Commencer la clôture' }).click();
    await expect(coordinator.getByText(/^Clôture commencée à/)).toBeVisible();
    const ask = coordinator.getByRole('button', { name: 'Synchroniser et demander le reçu' });
    // Enabled once nothing blocks the closure (every device synced, every note signed).
    await expect(ask).toBeEnabled();
    const granted = coordinator.getByText(/^Reçu obtenu le/);
    await expect
      .poll(
        async () => {
          if (await granted.count()) return true;
          if (await ask.isEnabled()) await ask.click();
          return (await granted.count()) > 0;
        },
        { message: 'every device reported the day and the receipt is granted', timeout: 90_000 },
      )
      .toBe(true);
    // The device pushes the receipt it wrote, then clears « Synchronisation… en cours ».
    await expect(
      coordinator.getByText('Synchronisation et vérification en cours…'),
      'the receipt pushed',
    ).toHaveCount(0, { timeout: 60_000 });
    await shot(coordinator, 'coordination-receipt');
    await shot(reception, 'reception-end-of-day');
  });

  // The receipt reached the server (the device pushes it right after writing it), and the
  // screen shows the digest the server holds.
  const central = site.requireCentral();
  await expect
    .poll(async () => (await central.store.rows(demo.org, 'syncReceipt')).length, {
      message: 'one receipt on the server',
    })
    .toBe(1);
  const [receipt] = await central.store.rows(demo.org, 'syncReceipt');
  const digest = String(receipt!.digest).slice(0, 12);
  await expect(coordinator.getByText(/^Reçu obtenu le/)).toContainText(`empreinte ${digest}…`);
  console.log(`a: ${ticket} registered, called, consulted, signed, validated; receipt ${digest}`);
});
