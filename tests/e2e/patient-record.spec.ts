// Scenario r: the patient record across rooms and beyond a laptop's purge (issue #15). Box 1
// records a severe allergy and a vaccination for a walk-in; the patient comes back and Box 2 sees
// them in the summary when calling; then Box 1's laptop no longer holds the patient (as its purge
// after a receipted day leaves it: the identity removed, its key remembered) and, when the
// patient comes back a third time, Box 1 fetches the past record from the server on demand,
// read-only; reception then corrects the patient's birth name, kept in the identity's history;
// registers the same person again « malgré les doublons », born in Algeria (found by the
// country's name), checks that duplicate in, and merges it from « Doublons »: the record kept
// lists both sides' visits.
import { expect, test } from './support/fixtures';
import { axe, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'r' });

test('r — the record: recorded in Box 1, seen in Box 2, fetched back after a purge, a duplicate merged', async ({
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

  await test.step('Box 1 records a severe allergy and a vaccination, then ends the consultation', async () => {
    await go(box1, `${origin}/salle/${demo.roomId}`);
    await rendered(box1, 'salle Box 1');
    await box1
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Thomas Garnier (interne)' });
    await box1.getByRole('button', { name: `Appeler ${ticket}` }).click();
    await takeIn(box1, shot);
    const summary = box1.getByRole('region', { name: 'Résumé clinique', exact: true });
    await summary.getByText('Ajouter une allergie ou une intolérance').click();
    const allergy = summary.getByRole('form', { name: 'Ajouter une allergie ou une intolérance' });
    await allergy.getByRole('textbox', { name: 'Substance' }).fill('Pénicilline');
    await allergy
      .getByRole('combobox', { name: 'Réaction' })
      .selectOption({ label: 'anaphylaxie' });
    await allergy.getByRole('combobox', { name: 'Sévérité' }).selectOption({ label: 'sévère' });
    await allergy.getByRole('button', { name: 'Enregistrer l’allergie' }).click();
    await expect(summary.getByRole('note')).toContainText('Pénicilline');
    await summary.getByText('Enregistrer une vaccination').click();
    const vaccine = summary.getByRole('form', { name: 'Enregistrer une vaccination' });
    await vaccine.getByRole('textbox', { name: 'Vaccin' }).fill('DTCaPolio (Repevax)');
    await vaccine.getByRole('textbox', { name: 'Numéro de lot' }).fill('X4521');
    await vaccine.getByRole('button', { name: 'Enregistrer la vaccination' }).click();
    await expect(summary.getByRole('list', { name: 'Vaccinations' })).toContainText(
      'DTCaPolio (Repevax)',
    );
    await box1.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Toux virale');
    await shot(box1, 'box1-summary-recorded');
    await box1.getByRole('button', { name: 'Terminer la consultation' }).click();
    await expect(
      box1.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
  });

  await reception.getByRole('button', { name: 'Patient suivant' }).click();
  const again = await checkInWalkIn(reception, origin, demo, shot);

  await test.step('Box 2 calls the patient back and sees the allergy and the vaccination', async () => {
    await go(box2, `${origin}/salle/${box2Room.id}`);
    await rendered(box2, 'salle Box 2');
    await box2.getByLabel('Qui travaille ici ?').selectOption({ label: 'Inès Benali (interne)' });
    await box2.getByRole('button', { name: `Appeler ${again}` }).click();
    const summary = box2.getByRole('region', { name: /^Résumé clinique — / });
    await expect(summary.getByRole('note')).toContainText('Pénicilline', { timeout: 60_000 });
    await expect(summary.getByRole('list', { name: 'Vaccinations' })).toContainText(
      'DTCaPolio (Repevax)',
    );
    await shot(box2, 'box2-sees-summary');
    // The patient leaves before coming in: Box 2 puts the ticket back.
    await box2.getByRole('button', { name: 'Faire entrer', exact: true }).click();
    await box2.getByRole('button', { name: 'Terminer la consultation' }).click();
    await expect(
      box2.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
  });

  await test.step('Box 1’s laptop no longer holds the patient (as its purge leaves it)', async () => {
    const name = demo.walkIn.birthName;
    await box1.evaluate(async (birthName) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('escale');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction(['patient', 'purged'], 'readwrite');
      const all = await new Promise<{ id: string; birthName: string }[]>((resolve) => {
        const req = tx.objectStore('patient').getAll();
        req.onsuccess = () => resolve(req.result as { id: string; birthName: string }[]);
      });
      for (const p of all.filter((row) => row.birthName === birthName)) {
        tx.objectStore('patient').delete(p.id);
        tx.objectStore('purged').put({ e: 'patient', id: p.id });
      }
      await new Promise((resolve) => {
        tx.oncomplete = resolve;
      });
      db.close();
    }, name);
  });

  await reception.getByRole('button', { name: 'Patient suivant' }).click();
  const third = await checkInWalkIn(reception, origin, demo, shot);

  await test.step('Box 1 takes the patient in: the past record comes from the server, read-only', async () => {
    await go(box1, `${origin}/salle/${demo.roomId}`);
    await rendered(box1, 'salle Box 1');
    await box1
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Thomas Garnier (interne)' });
    await box1.getByRole('button', { name: `Appeler ${third}` }).click();
    await box1.getByRole('button', { name: 'Faire entrer', exact: true }).click();
    await expect(box1.getByRole('textbox', { name: /^S — Subjectif/ })).toBeVisible();
    await expect(box1.getByText(/Cet appareil ne garde plus ce patient/)).toBeVisible();
    const past = box1.getByRole('region', { name: 'Dossier antérieur (serveur)' });
    await expect(past.getByText(/Reçu du serveur central — lecture seule/)).toBeVisible({
      timeout: 30_000,
    });
    await expect(past).toContainText(demo.walkIn.birthName.toUpperCase());
    const summary = past.getByRole('region', { name: 'Résumé clinique (dossier antérieur)' });
    await expect(summary.getByRole('note')).toContainText('Pénicilline');
    await expect(summary.getByRole('list', { name: 'Vaccinations' })).toContainText(
      'DTCaPolio (Repevax)',
    );
    await expect(past.getByRole('list', { name: 'Consultations antérieures' })).toContainText(
      'Appréciation : Toux virale',
    );
    // Read-only: nothing to add to it here.
    await expect(summary.getByText('Ajouter une allergie ou une intolérance')).toHaveCount(0);
    await past.scrollIntoViewIfNeeded();
    await shot(box1, 'box1-past-record');
    expect(await axe(box1, 'past-record')).toEqual([]);
    const text = (await box1.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  await test.step('the laptop kept nothing of it in its database', async () => {
    const held = await box1.evaluate(async (birthName) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('escale');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const rows = await new Promise<{ birthName?: string }[]>((resolve) => {
        const req = db.transaction('patient').objectStore('patient').getAll();
        req.onsuccess = () => resolve(req.result as { birthName?: string }[]);
      });
      db.close();
      return rows.filter((r) => r.birthName === birthName).length;
    }, demo.walkIn.birthName);
    expect(held).toBe(0);
  });

  await test.step('reception corrects the birth name: kept in the identity’s history', async () => {
    const old = demo.walkIn.birthName;
    const corrected = `${old}-MARTIN`;
    await reception.getByRole('button', { name: 'Patient suivant' }).click();
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil arrivée');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(`${old} ${demo.walkIn.firstName}`);
    await reception
      .getByRole('button', { name: /^Enregistrer l’arrivée de/ })
      .first()
      .click();
    await reception.getByRole('link', { name: /^Corriger ou qualifier l’identité de/ }).click();
    const birthName = reception.getByRole('textbox', { name: 'Nom de naissance' });
    await expect(birthName).toHaveValue(old);
    await birthName.fill(corrected);
    await reception.getByRole('button', { name: 'Enregistrer la correction' }).click();
    await expect(reception.getByText(/^Correction enregistrée/)).toBeVisible();
    await expect(reception.getByText(`Nom de naissance : ${old} → ${corrected}`)).toBeVisible();
    await shot(reception, 'reception-birth-name-corrected');
  });

  const corrected = `${demo.walkIn.birthName}-MARTIN`;
  // What the identity page says of the person, to register them again as a duplicate would be.
  const birthDate = await reception.getByLabel('Date de naissance', { exact: true }).inputValue();
  const sex = await reception.getByRole('combobox', { name: 'Sexe', exact: true }).inputValue();

  const duplicateTicket =
    await test.step('reception registers the same person again « malgré les doublons », born in Algeria', async () => {
      await go(reception, `${origin}/accueil/arrivee`);
      await rendered(reception, 'accueil arrivée');
      // The arrival opened for the correction is still there: back to the search.
      await reception.getByRole('button', { name: 'Retour à la recherche', exact: true }).click();
      await reception
        .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
        .fill('Personne introuvable');
      await reception.getByRole('button', { name: 'Nouveau patient : créer l’identité' }).click();
      const form = reception.getByRole('form', { name: 'Nouveau patient' });
      await form.getByLabel(/^Nom de naissance/).fill(corrected);
      await form.getByLabel(/^Prénom\(s\) de naissance/).fill(demo.walkIn.firstName);
      await form.getByRole('combobox', { name: /^Sexe/ }).selectOption(sex);
      await form.getByLabel(/^Date de naissance/).fill(birthDate);
      await form
        .getByRole('searchbox', {
          name: 'Chercher le lieu de naissance par son nom (commune ou pays)',
        })
        .fill('algerie');
      await form
        .getByRole('list', { name: 'Lieux trouvés' })
        .getByRole('button', { name: 'Algérie (pays) — 99352' })
        .click();
      await expect(form.getByLabel(/^Code INSEE du lieu de naissance/)).toHaveValue('99352');
      await shot(reception, 'reception-birth-country-picked');
      expect(await axe(reception, 'registration-country-picked')).toEqual([]);
      await form.getByRole('button', { name: 'Créer le patient' }).click();
      await expect(
        reception.getByRole('heading', { name: 'Ce patient existe peut-être déjà' }),
      ).toBeVisible();
      await shot(reception, 'reception-duplicate-warning');
      await reception
        .getByRole('button', { name: 'Créer quand même une nouvelle identité' })
        .click();
      await reception.getByLabel(/^Motif de la venue/).fill('Renouvellement d’ordonnance');
      await reception.getByLabel('Médecine générale').check();
      await reception
        .getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' })
        .click();
      const ticketShown = reception.locator('.ticket--large').first();
      await expect(ticketShown).toHaveText(/^[A-Z]+-\d+$/);
      return (await ticketShown.textContent())!;
    });

  await test.step('reception merges the duplicate from « Doublons »: the record kept has both sides’ visits', async () => {
    await reception.getByRole('button', { name: 'Patient suivant' }).click();
    await reception.getByRole('link', { name: 'Doublons' }).click();
    await rendered(reception, 'accueil doublons');
    const pair = reception
      .getByRole('region', { name: 'Doublon possible' })
      .filter({ hasText: corrected });
    await expect(pair).toHaveCount(1);
    await pair.getByRole('button', { name: 'Fusionner ces deux dossiers' }).click();
    await expect(pair.getByRole('alert')).toContainText(
      'Ces identités diffèrent sur un trait strict',
    );
    await expect(pair).toContainText('« Algérie (pays) — 99352 » (fusionné)');
    await shot(reception, 'reception-merge-differences');
    expect(await axe(reception, 'merge-differences')).toEqual([]);
    await pair.getByRole('button', { name: 'Confirmer la fusion malgré ces différences' }).click();
    const today = reception.getByRole('region', { name: 'Fusions du jour' });
    await expect(today).toContainText(`${corrected} ${demo.walkIn.firstName} fusionné dans`);
    await expect(pair).toHaveCount(0);
    await shot(reception, 'reception-merged');

    // The record kept, found as before: one identity, every visit of both sides.
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil arrivée');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(`${corrected} ${demo.walkIn.firstName}`);
    await expect(reception.getByRole('button', { name: /^Enregistrer l’arrivée de/ })).toHaveCount(
      1,
    );
    await reception.getByRole('button', { name: /^Enregistrer l’arrivée de/ }).click();
    await reception.getByRole('link', { name: /^Corriger ou qualifier l’identité de/ }).click();
    const visits = reception.getByRole('region', { name: /^Passages de ce dossier/ });
    await expect(visits).toHaveAccessibleName('Passages de ce dossier (4)');
    for (const t of [ticket, again, third, duplicateTicket]) await expect(visits).toContainText(t);
    await expect(visits).toContainText('Enregistré sous le dossier fusionné dans celui-ci');
    await expect(reception.getByRole('region', { name: 'Historique de l’identité' })).toContainText(
      'Fusion',
    );
    await visits.scrollIntoViewIfNeeded();
    await shot(reception, 'reception-merged-record-visits');
    expect(await axe(reception, 'merged-record')).toEqual([]);
    const text = (await reception.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
