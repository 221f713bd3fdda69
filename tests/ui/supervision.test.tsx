// Supervision (docs/design.md §2, §4.2): the coordinating doctor validates an intern's signed note
// with a second signature, or returns it with a comment; nobody else may, and the author never.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';
import { stubTerminology } from './terminology-stub';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const NOTE = 'signed-note';

/** A note Thomas Garnier (intern) signed this morning. */
async function signedNote() {
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
        codes: [
          {
            system: 'CISP-2',
            code: 'L84',
            label: 'Syndrome dorsolombaire sans irradiation',
            use: 'result',
          },
        ],
        orientation: { kind: 'none' },
        confidentiality: 'standard',
        status: 'to_validate',
        returnComment: null,
        createdAt: NOW,
      },
    },
    {
      entity: 'signature',
      id: 'sig-author',
      insert: {
        orgId: org,
        consultationId: NOTE,
        kind: 'author',
        staffId: staffId('Garnier'),
        at: NOW,
        contentHash: 'x',
        comment: null,
      },
    },
  ]);
}

const note = () => db.rows('consultation').get(NOTE);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  stubTerminology();
  db = freshDb();
  demo = await seedDemoDay(db);
  await signedNote();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the supervision list', () => {
  it('lists the notes awaiting validation and opens one for review', async () => {
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/supervision', db);
    const list = await screen.findByRole('region', { name: /^Notes à valider/ });
    const row = within(list).getAllByRole('row')[1]!;
    expect(row).toHaveTextContent('Thomas Garnier');
    expect(row).toHaveTextContent('Lombalgie');
    await user.click(within(row).getByRole('link', { name: /^Ouvrir la note de Thomas Garnier/ }));
    expect(
      await screen.findByRole('button', { name: 'Valider (contre-signer)' }),
    ).toBeInTheDocument();
    // Every read of a consultation is audited, with who read it.
    await waitFor(async () =>
      expect(
        (await db.rows('audit').toArray()).filter((a) => a.action === 'consultation.read'),
      ).toEqual([
        expect.objectContaining({
          entityId: NOTE,
          actorId: staffId('Morvan'),
          entity: 'consultation',
        }),
      ]),
    );
  });
});

describe('validating and returning', () => {
  it('the supervisor validates with a second signature', async () => {
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    await user.click(await screen.findByRole('button', { name: 'Valider (contre-signer)' }));
    await waitFor(async () => expect((await note())?.status).toBe('validated'));
    const kinds = (await db.rows('signature').where('consultationId').equals(NOTE).toArray())
      .map((s) => [s.kind, s.staffId])
      .sort();
    expect(kinds).toEqual([
      ['author', staffId('Garnier')],
      ['supervisor', staffId('Morvan')],
    ]);
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain(
      'consultation.validated',
    );
  });

  it('neither the author nor another intern may validate', async () => {
    for (const who of ['Garnier', 'Benali']) {
      useUiStore.setState({ staffId: staffId(who) });
      const { unmount } = renderAt(`/supervision/${NOTE}`, db);
      expect(
        await screen.findByText('En attente de la validation du médecin superviseur.'),
      ).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Valider (contre-signer)' })).toBeNull();
      unmount();
    }
    expect((await note())?.status).toBe('to_validate');
  });

  it('returns a note only with a comment; the author then sees it and edits again', async () => {
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    const { unmount } = renderAt(`/supervision/${NOTE}`, db);
    await user.click(await screen.findByRole('button', { name: 'Renvoyer à l’auteur' }));
    expect(
      await screen.findByText('Indiquer ce qui est à reprendre dans la note.'),
    ).toBeInTheDocument();
    expect((await note())?.status).toBe('to_validate');
    await user.type(
      screen.getByRole('textbox', { name: 'Ce qui est à reprendre' }),
      'Préciser l’examen neurologique',
    );
    await user.click(screen.getByRole('button', { name: 'Renvoyer à l’auteur' }));
    await waitFor(async () =>
      expect(await note()).toMatchObject({
        status: 'returned',
        returnComment: 'Préciser l’examen neurologique',
      }),
    );
    // The comment stays on the note (sealed); the audit, never purged, holds no clinical text.
    const audit = (await db.rows('audit').toArray()).find(
      (a) => a.action === 'consultation.returned',
    );
    expect(audit?.detail).toBeNull();
    unmount();
    useUiStore.setState({ staffId: staffId('Garnier') });
    renderAt(`/supervision/${NOTE}`, db);
    expect(
      await screen.findByText('Note renvoyée par le superviseur : Préciser l’examen neurologique'),
    ).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /^O — Objectif/ })).toHaveValue('Pas de déficit');
    expect(screen.getByRole('button', { name: 'Signer la note' })).toBeInTheDocument();
  });
});
