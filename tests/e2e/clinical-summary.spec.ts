// Scenario k: the clinical summary every room sees (issue #15 items 2 and 4). Box 1 calls a
// walk-in and reads their summary before they come in; in consultation it records a severe
// allergy and a vaccination, types a systolic of 185 (flagged as it is typed, and in the table
// once saved), and signs the note adding its result code to the problems in the same write. The
// patient comes back later in the day; Box 2 calls them and sees all of it in the summary.
import { expect, test } from './support/fixtures';
import { axe, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'k' });

test('k — the clinical summary: recorded in Box 1, seen in Box 2', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const box2Room = { ...demo.room2, person: 'Inès Benali' };
  const reception = await devices.enrol('reception');
  const box1 = await devices.enrol('room');
  const box2 = await devices.enrol('room', { room: box2Room });

  const ticket = await checkInWalkIn(reception, origin, demo, shot);

  await test.step('Box 1 calls the patient and reads the summary before they come in', async () => {
    await go(box1, `${origin}/salle/${demo.roomId}`);
    await rendered(box1, 'salle Box 1');
    await box1
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Thomas Garnier (interne)' });
    await box1.getByRole('button', { name: `Appeler ${ticket}` }).click();
    const summary = box1.getByRole('region', { name: /^Résumé clinique — / });
    await expect(summary).toBeVisible();
    await expect(summary.getByRole('heading', { name: 'Allergies et intolérances' })).toBeVisible();
    await shot(box1, 'box1-called-summary');
  });

  await takeIn(box1, shot);
  const summary1 = box1.getByRole('region', { name: 'Résumé clinique', exact: true });

  await test.step('Box 1 records a severe allergy', async () => {
    await summary1.getByText('Ajouter une allergie ou une intolérance').click();
    const form = summary1.getByRole('form', { name: 'Ajouter une allergie ou une intolérance' });
    await form.getByRole('textbox', { name: 'Substance' }).fill('Pénicilline');
    await form.getByRole('combobox', { name: 'Réaction' }).selectOption({ label: 'anaphylaxie' });
    await form.getByRole('combobox', { name: 'Sévérité' }).selectOption({ label: 'sévère' });
    await shot(box1, 'box1-allergy-form');
    // The summary with a form open: no serious or critical accessibility fault.
    expect(await axe(box1, 'summary-allergy-form')).toEqual([]);
    await form.getByRole('button', { name: 'Enregistrer l’allergie' }).click();
    const severe = summary1.getByRole('note');
    await expect(severe).toContainText('Allergies sévères');
    await expect(severe).toContainText('Pénicilline — allergie, médicament : anaphylaxie, sévère');
    await shot(box1, 'box1-allergy-recorded');
  });

  await test.step('Box 1 records a vaccination given here', async () => {
    await summary1.getByText('Enregistrer une vaccination').click();
    const form = summary1.getByRole('form', { name: 'Enregistrer une vaccination' });
    await form.getByRole('textbox', { name: 'Vaccin' }).fill('DTCaPolio (Repevax)');
    await form.getByRole('textbox', { name: 'Numéro de lot' }).fill('X4521');
    await form.getByRole('button', { name: 'Enregistrer la vaccination' }).click();
    const list = summary1.getByRole('list', { name: 'Vaccinations' });
    await expect(list).toContainText('DTCaPolio (Repevax)');
    await expect(list).toContainText('lot X4521, site : deltoïde gauche, par Thomas Garnier');
    await shot(box1, 'box1-vaccination-recorded');
  });

  await test.step('Box 1 types a systolic of 185: flagged as typed, and once saved', async () => {
    const systolic = box1.getByRole('textbox', { name: 'Pression systolique (mmHg)' });
    await systolic.fill('185');
    await box1.getByRole('textbox', { name: 'Pression diastolique (mmHg)' }).fill('95');
    await expect(systolic).toHaveAccessibleDescription(
      'Pression systolique élevée : 185 mmHg (seuil ≥ 180 mmHg)',
    );
    await expect(box1.locator('.field__hint--alert')).toHaveText(
      'Pression systolique élevée : 185 mmHg (seuil ≥ 180 mmHg)',
    );
    await shot(box1, 'box1-systolic-flagged');
    await box1.getByRole('button', { name: 'Enregistrer les constantes' }).click();
    const recorded = box1.getByRole('table', { name: 'Constantes relevées' });
    await expect(recorded.locator('.vital-flag')).toContainText('185 élevée');
    // The summary's last vitals flag it too.
    const last = summary1.getByRole('table', { name: 'Dernières constantes' });
    await expect(last.getByRole('row', { name: /^Pression systolique/ })).toContainText(
      '185 élevée',
    );
    await shot(box1, 'box1-vitals-recorded');
    // The page fits the laptop's width: wide tables scroll in their own box.
    expect(await box1.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      await box1.evaluate(() => window.innerWidth),
    );
  });

  await test.step('Box 1 ends the consultation, then signs the note adding its result to the problems in the same write', async () => {
    await box1.getByRole('textbox', { name: /^S — Subjectif/ }).fill('Toux sèche, céphalées');
    await box1
      .getByRole('textbox', { name: /^A — Appréciation/ })
      .fill('Toux virale, HTA à revoir');
    await box1.getByRole('textbox', { name: /^P — Plan/ }).fill('Contrôle tensionnel à l’escale');
    await box1.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
    await box1.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
    await expect(box1.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
    // The patient leaves the room; the note is signed from « Mes notes à terminer ».
    await box1.getByRole('button', { name: 'Terminer la consultation' }).click();
    await expect(
      box1.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await box1
      .getByRole('link', { name: new RegExp(`^${demo.walkIn.birthName}`, 'i') })
      .first()
      .click();
    const add = box1.getByRole('checkbox', { name: /^Ajouter « R05 .+ » aux problèmes actifs$/ });
    await add.check();
    await shot(box1, 'box1-sign-additions');
    const sign = box1.getByRole('button', { name: 'Signer la note' });
    await sign.click();
    await expect(sign).toHaveCount(0);
    await expect(
      box1
        .getByRole('region', { name: 'Résumé clinique', exact: true })
        .getByRole('list', { name: 'Problèmes actifs' }),
    ).toContainText('R05');
    await shot(box1, 'box1-signed-summary');
  });

  // The patient comes back later in the day: reception starts a new arrival.
  await reception.getByRole('button', { name: 'Patient suivant' }).click();
  const again = await checkInWalkIn(reception, origin, demo, shot);

  await test.step('Box 2 calls the patient back and sees the summary Box 1 recorded', async () => {
    await go(box2, `${origin}/salle/${box2Room.id}`);
    await rendered(box2, 'salle Box 2');
    await box2.getByLabel('Qui travaille ici ?').selectOption({ label: 'Inès Benali (interne)' });
    await box2.getByRole('button', { name: `Appeler ${again}` }).click();
    const summary = box2.getByRole('region', { name: /^Résumé clinique — / });
    await expect(summary.getByRole('note')).toContainText('Pénicilline', { timeout: 60_000 });
    await expect(summary.getByRole('list', { name: 'Vaccinations' })).toContainText(
      'DTCaPolio (Repevax)',
    );
    await expect(summary.getByRole('list', { name: 'Problèmes actifs' })).toContainText('R05');
    await expect(
      summary
        .getByRole('table', { name: 'Dernières constantes' })
        .getByRole('row', { name: /^Pression systolique/ }),
    ).toContainText('185 élevée');
    await shot(box2, 'box2-called-summary');
    expect(await axe(box2, 'summary-called')).toEqual([]);
    // Never a key, a UUID or an ISO date on screen.
    const text = (await box2.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  await test.step('Box 2 takes the patient in: the summary is beside the note', async () => {
    await box2.getByRole('button', { name: 'Faire entrer', exact: true }).click();
    await expect(box2.getByRole('textbox', { name: /^S — Subjectif/ })).toBeVisible();
    const summary = box2.getByRole('region', { name: 'Résumé clinique', exact: true });
    await expect(summary.getByRole('note')).toContainText('Pénicilline');
    await shot(box2, 'box2-note-summary');
  });

  await test.step('reception never sees the clinical summary', async () => {
    await go(reception, `${origin}/accueil`);
    await rendered(reception, 'accueil');
    const text = (await reception.locator('main').textContent()) ?? '';
    expect(text).not.toContain('Pénicilline');
    expect(text).not.toContain('Repevax');
  });
});
