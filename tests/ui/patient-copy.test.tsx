// The patient's copy of their record on screen (right of access, issue #16 item 2): the
// coordinating doctor opens it from the identity page, reads it in French (people named, dates
// written out), downloads the machine-readable file, and each copy given is journalled; anyone
// else is told who makes it.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
  const org = demo.day.stop!.orgId;
  await writeChanges(db, { deviceId: 'box-1', org, userId: staffId('Garnier') }, [
    {
      entity: 'consultation',
      id: 'note-1',
      set: {
        orgId: org,
        queueEntryId: demo.entries.waiting1.id,
        visitId: visit.id,
        patientId: visit.patientId,
        stopId: demo.day.stop!.id,
        serviceId: demo.serviceId('MG'),
        authorId: staffId('Garnier'),
        supervisorId: staffId('Morvan'),
        motif: 'Lombalgie',
        subjective: 'Douleur lombaire depuis 5 jours',
        objective: 'Pas de déficit',
        assessment: 'Lombalgie commune',
        plan: 'Antalgiques, activité',
        codes: [],
        orientation: { kind: 'none' },
        confidentiality: 'standard',
        status: 'to_validate',
        returnComment: null,
        createdAt: NOW,
      },
    },
    {
      entity: 'signature',
      id: 'sig-1',
      insert: {
        orgId: org,
        consultationId: 'note-1',
        kind: 'author',
        staffId: staffId('Garnier'),
        at: NOW,
        contentHash: 'x',
        comment: null,
      },
    },
  ]);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the patient’s copy of their record', () => {
  it('is opened from the identity page, read in French, downloaded as a file and journalled', async () => {
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
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    useUiStore.setState({ profile: 'coordination', staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt(`/coordination/patient/${visit.patientId}`, db);
    await user.click(await screen.findByRole('link', { name: 'Copie du dossier pour le patient' }));
    expect(
      await screen.findByRole('heading', { name: /^Copie du dossier de / }),
    ).toBeInTheDocument();
    expect(screen.getByText('Lombalgie commune')).toBeInTheDocument();
    expect(screen.getByText(/^Signée par Thomas Garnier le /)).toBeInTheDocument();
    const text = document.body.textContent ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    await user.click(screen.getByRole('button', { name: 'Télécharger le fichier (JSON)' }));
    expect(
      await screen.findByText('Copie remise (fichier) et tracée dans le journal.'),
    ).toBeInTheDocument();
    const file = JSON.parse(
      await new Promise<string>((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.readAsText(blobs[0]!);
      }),
    ) as { format: string; notes: { assessment: string; author: string }[] };
    expect(file.format).toBe('escale/copie-du-dossier');
    expect(file.notes).toEqual([
      expect.objectContaining({ assessment: 'Lombalgie commune', author: 'Thomas Garnier' }),
    ]);
    const audit = (await db.rows('audit').toArray()).filter(
      (a) => a.action === 'record.copy_given',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toBe(
      'copie du dossier : 1 passage(s), 1 note(s), 0 document(s), 0 orientation(s) (fichier)',
    );
  });

  it('is made by the coordinating doctor only: anyone else is told so', async () => {
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    useUiStore.setState({ profile: 'coordination', staffId: staffId('Garnier') });
    renderAt(`/coordination/patient/${visit.patientId}/copie`, db);
    expect(
      await screen.findByText(
        'La copie du dossier est faite par le médecin coordinateur, identifié sur cet appareil.',
      ),
    ).toBeInTheDocument();
  });
});
