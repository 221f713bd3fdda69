// Scenario p: the documents of a consultation (issue #16 item 1). Box 1's intern writes a note
// orienting the patient to a specialist and signs it; from « Mes notes signées » the room composes
// the orientation letter, saves it as a PDF (jsPDF, loaded on demand), saves the note as a FHIR
// R4 document (valid against the R4 schema, preliminary until validated) and prints it: Chromium's
// own print of the page (page.pdf) holds the letter alone, marked « À valider », with the truck,
// the intern and her supervisor, the patient's traits and the stop. The coordinating doctor sees
// the print recorded on the note, validates it, and the mark goes from the letter on both devices.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { Bundle, Composition, Practitioner } from 'fhir/r4';
import { fhirErrors } from '../support/fhir-schema';
import { pdfText } from '../support/pdf-text';
import { expect, test } from './support/fixtures';
import { axe, call, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'q' });

const MARK =
  'À valider — document rédigé par un interne, en attente de validation par son superviseur';
const LETTER = 'Lettre d’orientation (spécialiste, MSP / CPTS, service social, urgences)';

/** The page as Chromium prints it, A4 as the print stylesheet asks: its text. */
async function printed(page: Page): Promise<string> {
  const bytes = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  return pdfText(new Uint8Array(bytes));
}

test('p — an intern’s orientation letter, printed and saved as PDF, « à valider » until validated', async ({
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
    await expect(box.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
    await box.getByLabel('Orientation du patient').selectOption({ label: 'Spécialiste' });
    const specialist = box.getByRole('textbox', { name: /^Spécialiste \(spécialité, nom\)/ });
    await specialist.fill('Pneumologue, CH du Mans');
    await specialist.press('Tab');
    const sign = box.getByRole('button', { name: 'Signer la note' });
    await expect(sign).not.toHaveAttribute('aria-disabled', 'true');
    await shot(box, 'note-oriented');
    await sign.click();
    await expect(sign).toHaveCount(0);
  });

  const docs = box.getByRole('region', { name: 'Documents' });
  const preview = docs.getByRole('figure', { name: 'Aperçu du document' });

  await test.step('the room finds the signed note again and composes the orientation letter', async () => {
    const signed = box.getByRole('region', { name: /^Mes notes signées/ });
    await signed
      .getByRole('link', { name: new RegExp(`^${demo.walkIn.birthName}`, 'i') })
      .first()
      .click();
    await docs.getByLabel('Document', { exact: true }).selectOption({ label: LETTER });
    await expect(preview).toContainText('Lettre d’orientation');
    await expect(preview).toContainText(MARK);
    await expect(preview).toContainText('Thomas Garnier, interne en médecine');
    await expect(preview).toContainText('Sous la supervision de Dr Hélène Morvan, médecin');
    await expect(preview).toContainText('Au spécialiste : Pneumologue, CH du Mans');
    await expect(preview).toContainText('Sibilants diffus');
    // An orientation letter carries the question, not the history as the patient told it.
    await expect(preview).not.toContainText('Toux depuis trois semaines');
    await shot(box, 'letter-preview');
    expect(await axe(box, 'documents-panel')).toEqual([]);
  });

  await test.step('the letter saved as PDF in the browser says the same', async () => {
    const download = box.waitForEvent('download');
    await docs.getByRole('button', { name: 'Enregistrer en PDF' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^lettre d’orientation .+\.pdf$/);
    const text = await pdfText(new Uint8Array(readFileSync((await file.path())!)));
    expect(text).toContain("Lettre d'orientation");
    // The PDF's standard font writes typographic signs plainly (’ as ', — as -).
    expect(text).toContain('À valider - document rédigé par un interne');
    expect(text).toContain('Sous la supervision de Dr Hélène Morvan, médecin');
    expect(text).toContain(`Nom de naissance : ${birthName}`);
    expect(text).toContain('Au spécialiste : Pneumologue, CH du Mans');
    await expect(docs.getByText('PDF enregistré.')).toBeVisible();
  });

  await test.step('the note saved as a FHIR R4 document: valid, preliminary until validated', async () => {
    const download = box.waitForEvent('download');
    await docs.getByRole('button', { name: 'Télécharger en FHIR (R4)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^escale-fhir-consultation-.+\.json$/);
    const bundle = JSON.parse(readFileSync((await file.path())!, 'utf8')) as Bundle;
    expect(fhirErrors(bundle)).toEqual([]);
    expect(bundle.type).toBe('document');
    const composition = bundle.entry?.[0]?.resource as Composition;
    expect(composition.status).toBe('preliminary');
    expect(composition.attester?.map((a) => a.mode)).toEqual(['professional']);
    const names = (bundle.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is Practitioner => r?.resourceType === 'Practitioner')
      .map((p) => p.name?.[0]?.family);
    expect(names.sort()).toEqual(['Garnier', 'Morvan']);
    await expect(docs.getByText('Fichier FHIR enregistré et tracé dans le journal.')).toBeVisible();
  });

  await test.step('printed from Chromium: the letter alone on A4, marked « À valider »', async () => {
    // A headless Chromium has no print dialog: window.print() would leave the page « being
    // printed ». The button's call is counted here, and Chromium's print of the page is page.pdf.
    await box.evaluate(() => {
      const w = window as unknown as { printCalls: number };
      w.printCalls = 0;
      window.print = () => {
        w.printCalls += 1;
      };
    });
    await docs.getByRole('button', { name: 'Imprimer' }).click();
    await expect
      .poll(() => box.evaluate(() => (window as unknown as { printCalls: number }).printCalls))
      .toBe(1);
    await expect(
      docs.getByText(/^lettre d’orientation — imprimé le .+ par Thomas Garnier \(à valider\)$/),
    ).toBeVisible();
    const text = await printed(box);
    expect(text).toContain(MARK);
    expect(text).toContain('Médicobus Perche Émeraude');
    expect(text).toContain('Thomas Garnier, interne en médecine');
    expect(text).toContain('Sous la supervision de Dr Hélène Morvan, médecin');
    expect(text).toMatch(new RegExp(`Nom de naissance :? ?${birthName}`));
    expect(text).toContain('Au spécialiste : Pneumologue, CH du Mans');
    expect(text).toContain('Asthme probable');
    expect(text).toMatch(/Fait à \S+, le \S+ \d{1,2} \S+ \d{4}/);
    // Nothing of the app around it: the print stylesheet leaves the letter alone.
    expect(text).not.toContain('Qui travaille ici');
    expect(text).not.toContain('Enregistrer en PDF');
    expect(text).not.toContain('Toux depuis trois semaines');
    await box.emulateMedia({ media: 'print' });
    await shot(box, 'letter-printed');
    await box.emulateMedia({ media: 'screen' });
  });

  await test.step('the coordinating doctor sees the print on the note and validates it', async () => {
    await go(coordinator, `${origin}/coordination/supervision`);
    await rendered(coordinator, 'coordination supervision');
    await coordinator
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Hélène Morvan (médecin)' });
    await coordinator.getByRole('link', { name: /^Ouvrir la note de Thomas Garnier/ }).click();
    const cdocs = coordinator.getByRole('region', { name: 'Documents' });
    await expect(
      cdocs.getByText(/^lettre d’orientation — imprimé le .+ par Thomas Garnier \(à valider\)$/),
    ).toBeVisible({ timeout: 60_000 });
    await cdocs.getByLabel('Document', { exact: true }).selectOption({ label: LETTER });
    await expect(cdocs.getByRole('figure')).toContainText(MARK);
    await shot(coordinator, 'coordination-letter-before');
    const validate = coordinator.getByRole('button', { name: 'Valider (contre-signer)' });
    await validate.click();
    await expect(validate).toHaveCount(0);
    await expect(cdocs.getByRole('figure')).not.toContainText('À valider');
    await shot(coordinator, 'coordination-letter-validated');
    const text = await printed(coordinator);
    expect(text).not.toContain('À valider');
    expect(text).toContain('Sous la supervision de Dr Hélène Morvan, médecin');
  });

  await test.step('the room’s letter loses its mark once the validation arrives', async () => {
    await expect(preview).not.toContainText('À valider', { timeout: 60_000 });
    await expect(docs.getByText(/La note attend la validation/)).toHaveCount(0);
    const text = await printed(box);
    expect(text).not.toContain('À valider');
    expect(text).toContain('Lettre d’orientation');
    await shot(box, 'letter-validated');
  });
});
