// The consultation note (docs/design.md §2, §4.2): typed text kept as it is typed, vitals checked,
// codes from the catalogue, signature refused while incomplete, a signed note never edited but
// amended by addenda, and earlier notes of restricted classes hidden from those not allowed.
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import type { Consultation } from '../../src/domain/entities';
import { contentHash } from '../../src/ui/consultation/consultation-actions';
import { AUTOSAVE_DELAY_MS, setAutosaveDelay } from '../../src/ui/consultation/useAutosave';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { openDraftInBox1 } from './note-fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';
import { stubTerminology } from './terminology-stub';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const NOTE = 'note-1';

/** MG-004 taken into Box 1 by Thomas Garnier (intern supervised by Hélène Morvan). */
const openNote = (over: Partial<Consultation> = {}) => openDraftInBox1(db, demo, NOTE, over);

const note = () => db.rows('consultation').get(NOTE);
const field = (name: string | RegExp) => screen.getByRole('textbox', { name });

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  stubTerminology();
  db = freshDb();
  demo = await seedDemoDay(db);
  useUiStore.setState({ profile: 'room', staffId: staffId('Garnier'), dirtyForms: [] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('abnormal vitals (issue #15, the day walk: 185 and 88 % saved with no warning)', () => {
  it('flags an abnormal value beside its field as it is typed, announces it, and flags it in the table', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const systolic = await screen.findByRole('textbox', { name: 'Pression systolique (mmHg)' });
    await user.type(systolic, '185');
    expect(systolic).toHaveAccessibleDescription(
      'Pression systolique élevée : 185 mmHg (seuil ≥ 180 mmHg)',
    );
    const spo2 = screen.getByRole('textbox', { name: 'Saturation en oxygène (%)' });
    await user.type(spo2, '88');
    expect(spo2).toHaveAccessibleDescription('Saturation en oxygène basse : 88 % (seuil < 92 %)');
    // The live region a screen reader announces.
    const live = screen
      .getAllByRole('status')
      .find((s) => s.textContent?.includes('Pression systolique élevée'));
    expect(live?.textContent).toContain('Saturation en oxygène basse');
    // A normal value is not flagged.
    const heartRate = screen.getByRole('textbox', { name: 'Fréquence cardiaque (/min)' });
    await user.type(heartRate, '80');
    expect(heartRate).not.toHaveAccessibleDescription(/élevée|basse/);
    await user.click(screen.getByRole('button', { name: 'Enregistrer les constantes' }));
    const table = await screen.findByRole('table', { name: 'Constantes relevées' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    const cells = within(table).getAllByRole('cell');
    const flagged = cells.filter((c) => c.querySelector('.vital-flag'));
    expect(flagged.map((c) => c.textContent)).toEqual([
      expect.stringMatching(/^185 élevée — Pression systolique élevée/),
      expect.stringMatching(/^88 basse — Saturation en oxygène basse/),
    ]);
  });
});

describe('typing the note', () => {
  it('saves what is typed shortly after typing stops, and it is there after the screen is reopened', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    await user.type(
      await screen.findByRole('textbox', { name: /^S — Subjectif/ }),
      'Toux sèche depuis 3 jours',
    );
    expect(useUiStore.getState().dirtyForms).toContain(`consultation:${NOTE}:subjective`);
    await waitFor(async () => expect((await note())?.subjective).toBe('Toux sèche depuis 3 jours'));
    await waitFor(() => expect(useUiStore.getState().dirtyForms).toEqual([]));
    cleanup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    expect(await screen.findByRole('textbox', { name: /^S — Subjectif/ })).toHaveValue(
      'Toux sèche depuis 3 jours',
    );
  });

  it('writes the text at once when the page is hidden (tab closed, battery dying) — nothing lost', async () => {
    // A debounce that never fires during the test: only the page-hide flush can save.
    setAutosaveDelay(60_000);
    try {
      await openNote();
      const user = userEvent.setup();
      renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
      await user.type(await screen.findByRole('textbox', { name: /^O — Objectif/ }), 'TA 13/8');
      expect((await note())?.objective).toBe('');
      await act(async () => {
        fireEvent(window, new Event('pagehide'));
      });
      await waitFor(async () => expect((await note())?.objective).toBe('TA 13/8'));
      // Leaving the screen flushes too.
      await user.type(screen.getByRole('textbox', { name: /^O — Objectif/ }), ', FC 80');
      cleanup();
      await waitFor(async () => expect((await note())?.objective).toBe('TA 13/8, FC 80'));
    } finally {
      setAutosaveDelay(AUTOSAVE_DELAY_MS);
    }
  });

  it('refuses impossible vitals and records plausible ones', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const temperature = await screen.findByRole('textbox', { name: 'Température (°C)' });
    // A tablet opens digits with a decimal comma for a temperature or a weight, digits otherwise.
    expect(temperature).toHaveAttribute('inputmode', 'decimal');
    expect(screen.getByRole('textbox', { name: 'Poids (kg)' })).toHaveAttribute(
      'inputmode',
      'decimal',
    );
    expect(screen.getByRole('textbox', { name: /^Pression systolique/ })).toHaveAttribute(
      'inputmode',
      'numeric',
    );
    await user.type(temperature, '47');
    await user.click(screen.getByRole('button', { name: 'Enregistrer les constantes' }));
    expect(temperature).toHaveAccessibleDescription(/hors des valeurs possibles/);
    expect(await db.rows('vitals').where('consultationId').equals(NOTE).count()).toBe(0);
    await user.clear(temperature);
    await user.type(temperature, '38,2');
    await user.type(screen.getByRole('textbox', { name: 'Pression systolique (mmHg)' }), '132');
    await user.click(screen.getByRole('button', { name: 'Enregistrer les constantes' }));
    await waitFor(async () => {
      const v = await db.rows('vitals').where('consultationId').equals(NOTE).toArray();
      expect(v.map((x) => [x.temperature, x.systolic, x.heartRate])).toEqual([[38.2, 132, null]]);
    });
  });
});

describe('signing', () => {
  it('refuses to sign while a required part is missing, naming each beside the button', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const sign = await screen.findByRole('button', { name: 'Signer la note' });
    // Disabled beforehand, with what is missing listed next to it (the domain's signProblems).
    expect(sign).toHaveAttribute('aria-disabled', 'true');
    const missing = document.getElementById('sign-missing')!;
    expect(sign.getAttribute('aria-describedby')).toContain('sign-missing');
    expect(missing).toHaveTextContent('Pour signer, il manque :');
    expect(missing).toHaveTextContent('L’appréciation (A) est obligatoire.');
    expect(missing).toHaveTextContent('Le plan (P) est obligatoire.');
    expect(missing).toHaveTextContent('Coder au moins un résultat de consultation en CISP-2.');
    expect(missing).not.toHaveTextContent('motif');
    // Pressed anyway: the first missing field is marked, announced and focused; nothing signed.
    await user.click(sign);
    const assessment = field(/^A — Appréciation/);
    await waitFor(() => expect(assessment).toHaveFocus());
    expect(assessment).toHaveAttribute('aria-invalid', 'true');
    expect(assessment).toHaveAccessibleDescription('L’appréciation (A) est obligatoire.');
    expect(field(/^P — Plan/)).toHaveAttribute('aria-invalid', 'true');
    expect((await note())?.status).toBe('draft');
    expect(await db.rows('signature').where('consultationId').equals(NOTE).count()).toBe(0);
    // Typing fills the list down as the user goes.
    await user.type(assessment, 'Bronchite');
    await waitFor(() => expect(missing).not.toHaveTextContent('L’appréciation (A)'));
    expect(assessment).not.toHaveAttribute('aria-invalid');
    // Each missing part is a way to its field.
    await user.click(within(missing).getByRole('button', { name: 'Le plan (P) est obligatoire.' }));
    await waitFor(() => expect(field(/^P — Plan/)).toHaveFocus());
  });

  it('names an incomplete orientation beside « Signer », not at the top of the note', async () => {
    await openNote({
      assessment: 'HTA',
      plan: 'Suivi',
      codes: [{ system: 'CISP-2', code: 'K86', label: 'HTA', use: 'result' }],
      orientation: { kind: 'msp_cpts' },
    });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const sign = await screen.findByRole('button', { name: 'Signer la note' });
    const missing = document.getElementById('sign-missing')!;
    expect(missing).toHaveTextContent('Orientation : préciser la MSP ou la CPTS.');
    expect(sign).toHaveAttribute('aria-disabled', 'true');
    // The list sits right before the button in the document, where the eye is.
    expect(missing.compareDocumentPosition(sign) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(missing.nextElementSibling).toContainElement(sign);
  });

  it('signs from the keyboard with Alt+S, shown on the button', async () => {
    await openNote({
      assessment: 'HTA',
      plan: 'Suivi',
      codes: [{ system: 'CISP-2', code: 'K86', label: 'HTA', use: 'result' }],
    });
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const sign = await screen.findByRole('button', { name: 'Signer la note' });
    expect(sign).toHaveAttribute('aria-keyshortcuts', 'Alt+S');
    expect(sign).not.toHaveAttribute('aria-disabled');
    expect(sign).toHaveTextContent('Alt+S');
    await user.keyboard('{Alt>}s{/Alt}');
    await waitFor(async () => expect((await note())?.status).toBe('to_validate'));
  });

  it('signs a complete note (coded from the catalogue); it then awaits validation and can no longer be edited, only amended', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    await user.type(
      await screen.findByRole('textbox', { name: /^A — Appréciation/ }),
      'Bronchite aiguë',
    );
    await user.type(field(/^P — Plan/), 'Repos, antitussif');
    await user.type(screen.getByRole('searchbox', { name: 'Rechercher un code' }), 'bronchite');
    await user.click(await screen.findByRole('button', { name: 'Ajouter R78 comme Résultat' }));
    const chosen = await screen.findByRole('list', { name: 'Codes de la consultation' });
    expect(within(chosen).getByText(/R78 — Bronchite aiguë, bronchiolite/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Signer la note' }));
    await waitFor(async () => expect((await note())?.status).toBe('to_validate'));
    const signed = (await note())!;
    expect(signed).toMatchObject({ assessment: 'Bronchite aiguë', plan: 'Repos, antitussif' });
    const [signature] = await db.rows('signature').where('consultationId').equals(NOTE).toArray();
    expect(signature).toMatchObject({ kind: 'author', staffId: staffId('Garnier') });
    expect(signature!.contentHash).toBe(contentHash(signed));
    // Read-only now: the SOAP text is shown, not editable.
    await waitFor(() =>
      expect(screen.queryByRole('textbox', { name: /^A — Appréciation/ })).toBeNull(),
    );
    expect(screen.queryByRole('button', { name: 'Signer la note' })).toBeNull();
    // The note's own text (the documents panel below previews it too, once signed).
    expect(screen.getByText('Bronchite aiguë', { selector: 'p.note__text' })).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Nouvel addendum' }), 'Radio demandée');
    await user.click(screen.getByRole('button', { name: 'Ajouter l’addendum' }));
    await waitFor(async () => {
      const addenda = await db.rows('addendum').where('consultationId').equals(NOTE).toArray();
      expect(addenda.map((a) => [a.text, a.authorId])).toEqual([
        ['Radio demandée', staffId('Garnier')],
      ]);
    });
    expect((await note())?.assessment).toBe('Bronchite aiguë');
  });

  it('a note someone else wrote is shown read-only', async () => {
    await openNote({ assessment: 'Angine' });
    useUiStore.setState({ staffId: staffId('Benali') });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    expect(await screen.findByText('Angine')).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: /^A — Appréciation/ })).toBeNull();
  });
});

describe('the patient’s earlier notes', () => {
  it('hides a sexual-health note from an intern and shows it to the coordinating doctor', async () => {
    const visit = await openNote();
    const org = demo.day.stop!.orgId;
    await writeChanges(db, { deviceId: 'salle-3', org }, [
      {
        entity: 'consultation',
        id: 'earlier-sf',
        set: {
          orgId: org,
          queueEntryId: 'old-q',
          visitId: 'old-v',
          patientId: visit.patientId,
          stopId: 'old-stop',
          serviceId: demo.serviceId('SF'),
          authorId: staffId('Fontaine'),
          supervisorId: null,
          motif: 'Contraception',
          subjective: '',
          objective: '',
          assessment: 'Pose d’implant',
          plan: '',
          codes: [],
          orientation: { kind: 'none' },
          confidentiality: 'sexual_health',
          status: 'validated',
          returnComment: null,
          createdAt: '2026-10-12T09:00:00.000Z',
        },
      },
    ]);
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const history = await screen.findByRole('list', { name: 'Consultations précédentes' });
    expect(
      within(history).getByText('Consultation confidentielle : accès réservé.'),
    ).toBeInTheDocument();
    expect(history.textContent).not.toContain('Contraception');
    cleanup();
    useUiStore.setState({ staffId: staffId('Morvan') });
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const forCoordinator = await screen.findByRole('list', { name: 'Consultations précédentes' });
    expect(forCoordinator.textContent).toContain('Motif : Contraception');
  });
});

describe('prevention acts on the note (docs/indicators.md)', () => {
  it('are ticked on a draft, saved on the note, and only shown once it is signed', async () => {
    await openNote();
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    const group = await screen.findByRole('group', { name: 'Actes de prévention (facultatif)' });
    await user.click(within(group).getByRole('checkbox', { name: 'Vaccination' }));
    await waitFor(async () => expect((await note())?.prevention).toEqual(['vaccination']));
    await user.click(within(group).getByRole('checkbox', { name: 'Tabac, alcool, addictions' }));
    await waitFor(async () =>
      expect((await note())?.prevention).toEqual(['vaccination', 'addictions']),
    );
    await user.click(within(group).getByRole('checkbox', { name: 'Vaccination' }));
    await waitFor(async () => expect((await note())?.prevention).toEqual(['addictions']));
    // Signed: the acts are part of the note as it stands, no longer ticked.
    await writeChanges(db, { deviceId: 'box-1', org: demo.day.stop!.orgId }, [
      { entity: 'consultation', id: NOTE, set: { status: 'to_validate' } },
    ]);
    cleanup();
    renderAt(`/salle/${demo.roomId('Box 1')}/consultation/${NOTE}`, db);
    expect(
      await screen.findByText('Actes de prévention : Tabac, alcool, addictions'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Actes de prévention (facultatif)' })).toBeNull();
  });
});
