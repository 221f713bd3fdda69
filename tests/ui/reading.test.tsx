// Who reads what on screen (src/domain/reading.ts, issue #21): the social worker opening a
// note reads the transmission written for her, never the note; a clinician who may not read a
// note opens it by a bris de glace (reason from the list, precision kept out of the journal),
// listed for the coordination; an intern's addendum awaits the supervisor, who validates it.
import { screen, waitFor } from '@testing-library/react';
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

describe('the social worker', () => {
  it('reads the transmission written for her, not the note', async () => {
    const org = demo.day.stop!.orgId;
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    await writeChanges(db, { deviceId: 'box-1', org, userId: staffId('Garnier') }, [
      {
        entity: 'transmission',
        id: 'tr-1',
        insert: {
          orgId: org,
          consultationId: NOTE,
          patientId: visit.patientId,
          authorId: staffId('Garnier'),
          at: NOW,
          text: 'Droits à la complémentaire santé à ouvrir.',
        },
      },
    ]);
    useUiStore.setState({ staffId: staffId('Perrin') });
    renderAt(`/supervision/${NOTE}`, db);
    expect(
      await screen.findByText('Droits à la complémentaire santé à ouvrir.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Vous lisez la transmission écrite pour vous, pas la note de consultation.'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Lombalgie commune')).toBeNull();
    expect(screen.queryByRole('textbox', { name: /^O — Objectif/ })).toBeNull();
    // No bris de glace for the social roles.
    expect(screen.queryByRole('button', { name: 'Ouvrir le dossier (bris de glace)' })).toBeNull();
  });
});

describe('the bris de glace', () => {
  it('opens a note a clinician may not read, audited without its precision, listed for review', async () => {
    // The patient objects to sharing: the dentist may not read the intern's note.
    const org = demo.day.stop!.orgId;
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    await writeChanges(db, { deviceId: 'reception', org, userId: staffId('Leroy') }, [
      {
        entity: 'sharingObjection',
        id: 'obj-1',
        insert: {
          orgId: org,
          patientId: visit.patientId,
          staffId: staffId('Leroy'),
          at: NOW,
          objects: true,
        },
      },
    ]);
    useUiStore.setState({ staffId: staffId('Delaunay') });
    const user = userEvent.setup();
    const { unmount } = renderAt(`/supervision/${NOTE}`, db);
    const open = await screen.findByRole('button', { name: 'Ouvrir le dossier (bris de glace)' });
    expect(screen.queryByText('Lombalgie commune')).toBeNull();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Raison' }), 'Urgence vitale');
    await user.type(
      screen.getByRole('textbox', { name: /^Précision/ }),
      'Malaise en salle d’attente',
    );
    await user.click(open);
    expect(await screen.findByText('Lombalgie commune')).toBeInTheDocument();
    const [glass] = await db.rows('breakGlass').toArray();
    expect(glass).toMatchObject({
      staffId: staffId('Delaunay'),
      reason: 'urgence_vitale',
      comment: 'Malaise en salle d’attente',
    });
    expect(Date.parse(glass!.until) - Date.parse(glass!.at)).toBe(4 * 60 * 60_000);
    const audit = (await db.rows('audit').toArray()).find(
      (a) => a.action === 'breakGlass.declared',
    );
    expect(audit).toMatchObject({ entityId: glass!.id, detail: 'urgence_vitale' });
    expect(JSON.stringify(await db.rows('audit').toArray())).not.toContain('Malaise');
    unmount();
    // The coordination reviews it.
    useUiStore.setState({ staffId: staffId('Morvan') });
    renderAt('/coordination/bris-de-glace', db);
    const table = await screen.findByRole('table');
    expect(table).toHaveTextContent('Marc Delaunay');
    expect(table).toHaveTextContent('Urgence vitale');
    expect(table).toHaveTextContent('Malaise en salle d’attente');
  });
});

describe('beside the patient', () => {
  it('shows the social worker the transmissions whose note never reached her device, once', async () => {
    const org = demo.day.stop!.orgId;
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    const transmission = (id: string, consultationId: string, text: string) => ({
      entity: 'transmission' as const,
      id,
      insert: {
        orgId: org,
        consultationId,
        patientId: visit.patientId,
        authorId: staffId('Garnier'),
        at: NOW,
        text,
      },
    });
    await writeChanges(db, { deviceId: 'salle-3', org, userId: staffId('Perrin') }, [
      {
        entity: 'consultation',
        id: 'her-note',
        set: {
          orgId: org,
          queueEntryId: demo.entries.waiting1.id,
          visitId: visit.id,
          patientId: visit.patientId,
          stopId: demo.day.stop!.id,
          serviceId: demo.serviceId('AS'),
          authorId: staffId('Perrin'),
          supervisorId: null,
          motif: 'Accès aux droits',
          subjective: '',
          objective: '',
          assessment: '',
          plan: '',
          codes: [],
          orientation: { kind: 'none' },
          confidentiality: 'social',
          status: 'draft',
          returnComment: null,
          createdAt: NOW,
        },
      },
      // From a note this device never received (none of its people reads it as a note)…
      transmission('tr-away', 'note-elsewhere', 'Hébergement à trouver avant l’hiver.'),
      // …and from the note it holds, shown in the history under that note.
      transmission('tr-here', NOTE, 'Droits à la complémentaire santé à ouvrir.'),
    ]);
    useUiStore.setState({ profile: 'room', staffId: staffId('Perrin') });
    renderAt('/supervision/her-note', db);
    expect(
      await screen.findByRole('heading', {
        name: 'Transmissions écrites pour vous par l’équipe de soins',
      }),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Hébergement à trouver avant l’hiver.')).toHaveLength(1);
    expect(screen.getAllByText('Droits à la complémentaire santé à ouvrir.')).toHaveLength(1);
    expect(screen.queryByText('Lombalgie commune')).toBeNull();
    // A social role declares no bris de glace.
    expect(screen.queryByText('Accès exceptionnel (bris de glace)')).toBeNull();
  });

  it('lets a clinician declare a bris de glace for the patient, then shows it running', async () => {
    useUiStore.setState({ profile: 'room', staffId: staffId('Garnier') });
    const user = userEvent.setup();
    renderAt(`/supervision/${NOTE}`, db);
    await user.click(await screen.findByText('Accès exceptionnel (bris de glace)'));
    const open = screen.getByRole('button', { name: 'Ouvrir le dossier (bris de glace)' });
    // No reason, no opening: the reason is said beside the button.
    expect(open).toHaveAccessibleDescription('Choisissez d’abord la raison de cet accès.');
    await user.selectOptions(
      screen.getByRole('combobox', { name: 'Raison' }),
      'Continuité des soins',
    );
    await user.click(open);
    expect(
      await screen.findByText(/^Accès exceptionnel ouvert jusqu’à \d{2}:\d{2}\.$/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Ouvrir le dossier (bris de glace)' })).toBeNull();
    const [glass] = await db.rows('breakGlass').toArray();
    expect(glass).toMatchObject({
      staffId: staffId('Garnier'),
      reason: 'continuite_soins',
      comment: null,
    });
  });

  it('offers one bris de glace only beside a closed note', async () => {
    const org = demo.day.stop!.orgId;
    const visit = demo.day.visits.find((v) => v.id === demo.entries.waiting1.visitId)!;
    await writeChanges(db, { deviceId: 'reception', org, userId: staffId('Leroy') }, [
      {
        entity: 'sharingObjection',
        id: 'obj-1',
        insert: {
          orgId: org,
          patientId: visit.patientId,
          staffId: staffId('Leroy'),
          at: NOW,
          objects: true,
        },
      },
    ]);
    useUiStore.setState({ profile: 'room', staffId: staffId('Delaunay') });
    renderAt(`/supervision/${NOTE}`, db);
    await screen.findByRole('button', { name: 'Ouvrir le dossier (bris de glace)' });
    expect(screen.getAllByText('Accès exceptionnel (bris de glace)')).toHaveLength(1);
  });
});

describe('an intern’s addendum', () => {
  it('awaits the supervisor, who validates it; it shows with its author in the history', async () => {
    // The note is validated; the intern adds an addendum.
    const org = demo.day.stop!.orgId;
    await writeChanges(db, { deviceId: 'box-1', org, userId: staffId('Morvan') }, [
      { entity: 'consultation', id: NOTE, set: { status: 'validated' } },
    ]);
    useUiStore.setState({ staffId: staffId('Garnier') });
    const user = userEvent.setup();
    const first = renderAt(`/supervision/${NOTE}`, db);
    await user.type(
      await screen.findByRole('textbox', { name: 'Nouvel addendum' }),
      'Radiographie normale.',
    );
    await user.click(screen.getByRole('button', { name: 'Ajouter l’addendum' }));
    await waitFor(async () => expect(await db.rows('addendum').count()).toBe(1));
    const [added] = await db.rows('addendum').toArray();
    expect(added).toMatchObject({ supervisorId: staffId('Morvan'), text: 'Radiographie normale.' });
    expect(added!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await screen.findByText('à valider')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Valider l’addendum' })).toBeNull();
    first.unmount();
    useUiStore.setState({ staffId: staffId('Morvan') });
    renderAt(`/supervision/${NOTE}`, db);
    await user.click(await screen.findByRole('button', { name: 'Valider l’addendum' }));
    await waitFor(async () =>
      expect(
        (await db.rows('signature').toArray()).filter((s) => s.addendumId === added!.id),
      ).toEqual([
        expect.objectContaining({
          kind: 'supervisor',
          staffId: staffId('Morvan'),
          contentHash: added!.contentHash,
        }),
      ]),
    );
    expect(await screen.findByText(/^Validé par Hélène Morvan/)).toBeInTheDocument();
  });
});
