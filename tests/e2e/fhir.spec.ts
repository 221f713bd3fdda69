// Scenario fhir: the standard export (issue #16 item 3). The coordinating doctor opens the period
// page on the coordination's device, takes the last month (the demo's earlier stops hold validated
// consultations) and presses « Exporter en FHIR (R4) »: Chromium downloads one JSON file, a
// collection of FHIR document bundles computed on the device, which parses and validates against
// HL7's FHIR R4 JSON schema, with the FR Core profiles in place; the export is journalled.
import { readFileSync } from 'node:fs';
import type { Bundle, DocumentReference, Patient } from 'fhir/r4';
import { FR_CORE_EXTENSIONS, FR_CORE_PROFILES } from '../../src/domain/fhir';
import { fhirErrors } from '../support/fhir-schema';
import { expect, test } from './support/fixtures';
import { axe, go, rendered } from './support/steps';

test.use({ scenario: 'fhir' });

const minusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T12:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

test('fhir — the coordination exports a period’s consultations as FHIR R4, valid against the schema', async ({
  site,
  devices,
  shot,
}) => {
  const { origin } = site;
  const coordinator = await devices.enrol('coordination');

  await test.step('the coordinating doctor opens the period page and signs in', async () => {
    await go(coordinator, `${origin}/coordination/indicateurs`);
    await rendered(coordinator, 'coordination period');
    await coordinator
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Hélène Morvan (médecin)' });
    const to = await coordinator.getByLabel('Au', { exact: true }).inputValue();
    await coordinator.getByLabel('Du', { exact: true }).fill(minusDays(to, 30));
    await expect(coordinator.getByRole('button', { name: 'Exporter en FHIR (R4)' })).toBeVisible();
    await coordinator
      .getByRole('heading', { name: 'Dossiers au format standard (FHIR R4)' })
      .scrollIntoViewIfNeeded();
    await shot(coordinator, 'period-fhir-button');
    expect(await axe(coordinator, 'period page with the FHIR export')).toEqual([]);
  });

  await test.step('the FHIR file downloads, parses and validates against the R4 schema', async () => {
    const download = coordinator.waitForEvent('download');
    await coordinator.getByRole('button', { name: 'Exporter en FHIR (R4)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(
      /^escale-fhir-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.json$/,
    );
    const raw = readFileSync((await file.path())!, 'utf8');
    const bundle = JSON.parse(raw) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expect(fhirErrors(bundle)).toEqual([]);
    const documents = (bundle.entry ?? []).map((e) => e.resource as Bundle);
    // The demo's earlier stops hold validated consultations.
    expect(documents.length).toBeGreaterThan(3);
    for (const d of documents) {
      expect(d.type).toBe('document');
      expect(d.entry?.[0]?.resource?.resourceType).toBe('Composition');
      const patient = d.entry?.find((e) => e.resource?.resourceType === 'Patient')
        ?.resource as Patient;
      expect(patient.meta?.profile).toContain(FR_CORE_PROFILES.patient);
      expect(patient.extension?.map((x) => x.url)).toContain(
        FR_CORE_EXTENSIONS.identityReliability,
      );
      const note = d.entry?.find((e) => e.resource?.resourceType === 'DocumentReference')
        ?.resource as DocumentReference;
      expect(note.content[0]?.attachment.contentType).toBe('text/plain; charset=utf-8');
      expect(
        Buffer.from(note.content[0]?.attachment.data ?? '', 'base64').toString('utf8'),
      ).toMatch(/^Consultation du /);
    }
    const status = coordinator.getByText(/^Export FHIR prêt : escale-fhir-/);
    await expect(status).toContainText(`(${documents.length} consultation(s) signée(s))`);
    await shot(coordinator, 'period-fhir-exported');
  });

  await test.step('the export is in the journal, by counts', async () => {
    await go(coordinator, `${origin}/coordination/journal`);
    await rendered(coordinator, 'coordination journal');
    await expect(
      coordinator
        .getByRole('cell', { name: 'Export FHIR des consultations d’une période' })
        .first(),
    ).toBeVisible();
  });
});
