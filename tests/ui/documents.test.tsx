// The documents of a note (src/ui/documents/DocumentsPanel.tsx): composed where the note is read,
// refused with the domain's French reason for an unsigned or returned note, marked « à valider »
// while an intern's note awaits validation, each print recorded on the note and audited.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Bundle, Composition } from 'fhir/r4';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { PENDING_MARK } from '../../src/domain/documents';
import { useUiStore } from '../../src/ui/state/ui-store';
import { fhirErrors } from '../support/fhir-schema';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';
import { stubTerminology } from './terminology-stub';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const NOTE = 'signed-note';

/** A note Thomas Garnier (intern, supervised by Hélène Morvan) wrote this morning. */
async function note(status: 'draft' | 'to_validate' | 'returned') {
  const e = demo.entries.inDentist;
  const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
  const org = demo.day.stop!.orgId;
  await writeChanges(db, { deviceId: 'box-1', org }, [
    {
      entity: 'consultation',
      id: NOTE,
      set: {
        orgId: org,
        queueEntryId: demo.entries.waiting1.id,
        visitId: visit.id,
        patientId: visit.patientId,
        stopId: e.stopId,
        serviceId: demo.serviceId('MG'),
        authorId: staffId('Garnier'),
        supervisorId: staffId('Morvan'),
        motif: 'Lombalgie',
        subjective: 'Douleur lombaire depuis 5 jours',
        objective: 'Pas de déficit',
        assessment: 'Lombalgie commune',
        plan: 'Antalgiques, activité',
        codes: [{ system: 'CISP-2', code: 'L84', label: 'Syndrome dorsolombaire', use: 'result' }],
        orientation: { kind: 'none' },
        confidentiality: 'standard',
        status,
        returnComment: status === 'returned' ? 'Préciser l’examen' : null,
        createdAt: NOW,
      },
    },
  ]);
}

const panel = async () =>
  within((await screen.findByRole('heading', { name: 'Documents' })).closest('section')!);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  stubTerminology();
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('documents of a note', () => {
  it('an intern’s compte rendu names the supervisor, is marked « à valider », and its print is recorded and audited', async () => {
    await note('to_validate');
    const print = vi.spyOn(window, 'print').mockImplementation(() => {});
    useUiStore.setState({ staffId: staffId('Garnier') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    const preview = await docs.findByRole('figure', { name: 'Aperçu du document' });
    expect(preview).toHaveTextContent('Compte rendu de consultation');
    expect(preview).toHaveTextContent('Thomas Garnier, interne en médecine');
    expect(preview).toHaveTextContent('Sous la supervision de Dr Hélène Morvan');
    expect(preview).toHaveTextContent(PENDING_MARK);
    expect(preview).toHaveTextContent('Lombalgie commune');
    // The raw notes are not the patient's compte rendu.
    expect(preview).not.toHaveTextContent('Douleur lombaire depuis 5 jours');
    // The printed copy sits alone under <body>, for the print stylesheet.
    expect(document.body.querySelector(':scope > .document-print')).toHaveTextContent(PENDING_MARK);

    await user.click(docs.getByRole('button', { name: 'Imprimer' }));
    await waitFor(() => expect(print).toHaveBeenCalledTimes(1));
    const printed = await db.rows('printedDocument').toArray();
    expect(printed).toEqual([
      expect.objectContaining({
        consultationId: NOTE,
        kind: 'compte_rendu',
        staffId: staffId('Garnier'),
        format: 'print',
        pendingValidation: true,
      }),
    ]);
    const audit = (await db.rows('audit').toArray()).filter((a) => a.action === 'document.printed');
    expect(audit).toEqual([
      expect.objectContaining({
        entity: 'consultation',
        entityId: NOTE,
        detail: 'compte_rendu',
        actorId: staffId('Garnier'),
      }),
    ]);
    expect(
      await docs.findByText(/^compte rendu — imprimé le .* par Thomas Garnier \(à valider\)$/),
    ).toBeInTheDocument();
  });

  it('the note downloads as a FHIR document (preliminary until validated), journalled', async () => {
    const blobs: Blob[] = [];
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
    await note('to_validate');
    useUiStore.setState({ profile: 'coordination', staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    await user.click(docs.getByRole('button', { name: 'Télécharger en FHIR (R4)' }));
    expect(
      await docs.findByText('Fichier FHIR enregistré et tracé dans le journal.'),
    ).toBeInTheDocument();
    expect(blobs).toHaveLength(1);
    const bundle = JSON.parse(
      await new Promise<string>((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.readAsText(blobs[0]!);
      }),
    ) as Bundle;
    expect(bundle.type).toBe('document');
    expect(fhirErrors(bundle)).toEqual([]);
    const composition = bundle.entry?.[0]?.resource as Composition;
    expect(composition.status).toBe('preliminary');
    const audit = (await db.rows('audit').toArray()).filter(
      (a) => a.action === 'export.fhir_consultation',
    );
    expect(audit).toEqual([
      expect.objectContaining({ entity: 'consultation', entityId: NOTE, detail: 'FHIR R4' }),
    ]);
  });

  it('a draft is not exported in FHIR: the documents’ reason is said beside the button', async () => {
    await note('draft');
    useUiStore.setState({ profile: 'coordination', staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    await user.click(docs.getByRole('button', { name: 'Télécharger en FHIR (R4)' }));
    expect(docs.getAllByText(/la note n’est pas encore signée/).length).toBeGreaterThan(0);
    expect((await db.rows('audit').toArray()).some((a) => a.action.startsWith('export.fhir'))).toBe(
      false,
    );
  });

  it('the mark goes once the supervisor validates the note', async () => {
    await note('to_validate');
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    expect(await docs.findByRole('figure')).toHaveTextContent(PENDING_MARK);
    await user.click(await screen.findByRole('button', { name: 'Valider (contre-signer)' }));
    await waitFor(() => expect(docs.getByRole('figure')).not.toHaveTextContent('À valider'));
    expect(docs.getByRole('figure')).toHaveTextContent('Sous la supervision de Dr Hélène Morvan');
  });

  it('a letter the note does not support is refused beside the button, with nothing written', async () => {
    await note('to_validate');
    useUiStore.setState({ staffId: staffId('Garnier') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    await user.selectOptions(docs.getByLabelText('Document'), 'orientation');
    expect(
      docs.getAllByText(/La note n’oriente pas le patient vers un spécialiste/).length,
    ).toBeGreaterThan(0);
    expect(docs.queryByRole('figure')).toBeNull();
    await user.click(docs.getByRole('button', { name: 'Imprimer' }));
    expect(await db.rows('printedDocument').count()).toBe(0);
  });

  it('a certificate is composed from the chosen template', async () => {
    await note('to_validate');
    useUiStore.setState({ staffId: staffId('Garnier') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    await user.selectOptions(docs.getByLabelText('Document'), 'certificat');
    expect(docs.getAllByText('Choisir un modèle de certificat.').length).toBeGreaterThan(0);
    await user.selectOptions(
      docs.getByLabelText('Modèle de certificat'),
      docs.getByRole('option', { name: 'Certificat de présence' }),
    );
    const sheet = await docs.findByRole('figure');
    expect(sheet).toHaveTextContent('Je soussigné(e) Thomas Garnier, interne en médecine');
    expect(sheet).not.toHaveTextContent('Lombalgie');
  });

  for (const [status, reason] of [
    ['draft', 'Document impossible : la note n’est pas encore signée. Signez-la d’abord.'],
    [
      'returned',
      'Document impossible : la note a été renvoyée par le superviseur. Reprenez-la et signez-la à nouveau.',
    ],
  ] as const) {
    it(`a ${status} note gives no document: the reason is said, nothing is recorded`, async () => {
      await note(status);
      const print = vi.spyOn(window, 'print').mockImplementation(() => {});
      useUiStore.setState({ staffId: staffId('Garnier') });
      const user = userEvent.setup();
      renderAt(`/supervision/${NOTE}`, db);
      const docs = await panel();
      expect(docs.getAllByText(reason).length).toBeGreaterThan(0);
      expect(docs.queryByRole('figure')).toBeNull();
      await user.click(docs.getByRole('button', { name: 'Imprimer' }));
      expect(print).not.toHaveBeenCalled();
      expect(await db.rows('printedDocument').count()).toBe(0);
      expect(document.body.querySelector(':scope > .document-print')).toBeNull();
    });
  }
});

describe('certificate templates', () => {
  it('the coordination edits a template; the room’s certificate then says the new text', async () => {
    await note('to_validate');
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    const { unmount } = renderAt('/coordination/modeles', db);
    const form = within(
      (await screen.findByText('Modifier « Certificat de présence »')).closest('fieldset')!,
    );
    const body = form.getByLabelText('Texte du certificat');
    await user.clear(body);
    await user.type(body, '{{patient} est venu(e) au camion le {{date}.');
    await user.click(form.getByRole('button', { name: 'Enregistrer le modèle' }));
    await waitFor(async () =>
      expect((await db.rows('documentTemplate').toArray()).map((r) => r.body)).toEqual([
        '{patient} est venu(e) au camion le {date}.',
      ]),
    );
    const audit = (await db.rows('audit').toArray()).filter(
      (a) => a.action === 'document.template_saved',
    );
    expect(audit).toEqual([expect.objectContaining({ entity: 'documentTemplate', detail: null })]);

    // An unknown field is refused beside the button, nothing saved.
    const created = within(screen.getByText('Nouveau modèle').closest('fieldset')!);
    await user.type(created.getByLabelText('Titre'), 'Crèche');
    await user.type(created.getByLabelText('Texte du certificat'), 'Pour {{enfant}');
    await user.click(created.getByRole('button', { name: 'Créer le modèle' }));
    expect(await created.findByRole('alert')).toHaveTextContent(
      /Champ inconnu dans le modèle : \{enfant\}/,
    );
    expect(await db.rows('documentTemplate').count()).toBe(1);
    unmount();

    useUiStore.setState({ staffId: staffId('Garnier') });
    renderAt(`/supervision/${NOTE}`, db);
    const docs = await panel();
    await user.selectOptions(docs.getByLabelText('Document'), 'certificat');
    await user.selectOptions(
      docs.getByLabelText('Modèle de certificat'),
      docs.getByRole('option', { name: 'Certificat de présence' }),
    );
    expect(await docs.findByRole('figure')).toHaveTextContent(/est venu\(e\) au camion le \S+ /);
  });
});
