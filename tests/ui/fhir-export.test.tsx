// The coordination's FHIR export of a period (issue #16 item 3) on screen: « Exporter en FHIR
// (R4) » downloads one JSON file (no BOM) holding a collection of document bundles, valid against
// HL7's R4 schema; what the person signed in may not read stays out and is counted; the export is
// journalled with counts only.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Bundle, DocumentReference } from 'fhir/r4';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { type Change, writeChanges } from '../../src/device/write';
import type { Consultation } from '../../src/domain/entities';
import { useUiStore } from '../../src/ui/state/ui-store';
import { fhirErrors } from '../support/fhir-schema';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
let blobs: Blob[];
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;

const text = (b: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(b);
  });

/** A note of today's stop, with its author's signature unless it is a draft. */
function note(
  id: string,
  over: Partial<Consultation> & Pick<Consultation, 'authorId' | 'serviceId'>,
): Change[] {
  const entry = demo.entries.waiting1;
  const visit = demo.day.visits.find((v) => v.id === entry.visitId)!;
  const org = demo.day.stop!.orgId;
  const c: Omit<Consultation, 'id'> = {
    orgId: org,
    queueEntryId: entry.id,
    visitId: visit.id,
    patientId: visit.patientId,
    stopId: demo.day.stop!.id,
    supervisorId: null,
    motif: 'Contrôle',
    subjective: 'Rien à signaler',
    objective: 'Examen normal',
    assessment: `Conclusion ${id}`,
    plan: 'Revoir dans un an',
    codes: [{ system: 'CISP-2', code: 'A97', label: 'Pas de maladie', use: 'result' }],
    orientation: { kind: 'none' },
    confidentiality: 'standard',
    status: 'validated',
    returnComment: null,
    createdAt: NOW,
    ...over,
  };
  const changes: Change[] = [{ entity: 'consultation', id, set: c }];
  if (c.status !== 'draft') {
    changes.push({
      entity: 'signature',
      id: `sig-${id}`,
      insert: {
        orgId: org,
        consultationId: id,
        kind: 'author',
        staffId: c.authorId,
        at: NOW,
        contentHash: 'x',
        comment: null,
      },
    });
  }
  return changes;
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  blobs = [];
  vi.stubGlobal(
    'URL',
    Object.assign(URL, {
      createObjectURL: (b: Blob) => {
        blobs.push(b);
        return 'blob:test';
      },
      revokeObjectURL: () => {},
    }),
  );
  const org = demo.day.stop!.orgId;
  await writeChanges(db, { deviceId: 'seed', org, userId: staffId('Garnier') }, [
    ...note('note-mg', {
      authorId: staffId('Garnier'),
      supervisorId: staffId('Morvan'),
      serviceId: demo.serviceId('MG'),
      status: 'to_validate',
      assessment: 'Lombalgie commune',
    }),
    ...note('note-sf', {
      authorId: staffId('Fontaine'),
      serviceId: demo.serviceId('SF'),
      confidentiality: 'sexual_health',
      assessment: 'Contraception discutée',
    }),
    ...note('note-draft', {
      authorId: staffId('Garnier'),
      serviceId: demo.serviceId('MG'),
      status: 'draft',
    }),
  ]);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** The note texts a collection carries (each DocumentReference's base64 attachment). */
function noteTexts(bundle: Bundle): string[] {
  return (bundle.entry ?? []).map((e) => {
    const inner = e.resource as Bundle;
    const doc = inner.entry?.find((x) => x.resource?.resourceType === 'DocumentReference')
      ?.resource as DocumentReference;
    return Buffer.from(doc.content[0]?.attachment.data ?? '', 'base64').toString('utf8');
  });
}

async function exportAs(last: string) {
  useUiStore.setState({ profile: 'coordination', staffId: staffId(last) });
  const user = userEvent.setup();
  renderAt('/coordination/indicateurs', db);
  await user.click(await screen.findByRole('button', { name: 'Exporter en FHIR (R4)' }));
  const status = await screen.findByText(/^Export FHIR prêt : escale-fhir-/);
  expect(blobs).toHaveLength(1);
  expect(blobs[0]!.type).toBe('application/fhir+json;charset=utf-8');
  const raw = await text(blobs[0]!);
  expect(raw.startsWith('{')).toBe(true);
  return { status: status.textContent ?? '', bundle: JSON.parse(raw) as Bundle, raw };
}

describe('the coordination’s FHIR export of a period', () => {
  it('downloads every signed note of the period for the coordinating doctor, valid R4, journalled by counts', async () => {
    const { status, bundle, raw } = await exportAs('Morvan');
    expect(status).toMatch(
      /\(2 consultation\(s\) signée\(s\)\)\. Non exportées : 0 que vous ne lisez pas, 1 non signée\(s\)\.$/,
    );
    expect(bundle.type).toBe('collection');
    expect(bundle.entry).toHaveLength(2);
    expect(fhirErrors(bundle)).toEqual([]);
    const inner = (bundle.entry ?? []).map((e) => e.resource as Bundle);
    expect(inner.every((b) => b.type === 'document')).toBe(true);
    // The note text travels in base64.
    const texts = noteTexts(bundle);
    expect(texts.join('\n')).toContain('Lombalgie commune');
    expect(texts.join('\n')).toContain('Contraception discutée');
    expect(raw).not.toContain('Conclusion note-draft');
    const audit = (await db.rows('audit').toArray()).filter((a) => a.action === 'export.fhir');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatch(
      /^FHIR \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} : 2 consultation\(s\) exportée\(s\), 0 non lisible\(s\) par ce profil, 1 non signée\(s\)$/,
    );
    expect(audit[0]!.detail).not.toMatch(/Lombalgie|Contraception/);
  });

  it('leaves out a restricted note the person signed in does not read', async () => {
    const { status, bundle } = await exportAs('Delaunay');
    expect(status).toMatch(/\(1 consultation\(s\) signée\(s\)\)\. Non exportées : 1 que vous/);
    expect(fhirErrors(bundle)).toEqual([]);
    const texts = noteTexts(bundle);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Lombalgie commune');
    expect(texts.join('\n')).not.toContain('Contraception');
  });

  it('asks who is there before exporting anything', async () => {
    useUiStore.setState({ profile: 'coordination', staffId: null });
    const user = userEvent.setup();
    renderAt('/coordination/indicateurs', db);
    await user.click(await screen.findByRole('button', { name: 'Exporter en FHIR (R4)' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Identifiez-vous pour exporter les consultations en FHIR.',
    );
    expect(blobs).toHaveLength(0);
    expect((await db.rows('audit').toArray()).some((a) => a.action === 'export.fhir')).toBe(false);
  });
});
