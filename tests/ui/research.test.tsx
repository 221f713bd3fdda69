// Research (issue #17 item 4) on screen: reception records a patient's objection to research on
// the identity page (and lifts it); the coordination's research extract shows the study key's
// fingerprint as it is typed, records it on the first export, refuses a key of another
// fingerprint (nothing downloaded) unless a new study is adopted, and leaves objecting patients
// out.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { keyFingerprint, pseudonym } from '../../src/domain/research';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const KEY = 'clé-de-l-étude-2026';
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a patient’s objection to research', () => {
  it('is recorded at reception on the identity page, then lifted; each is journalled', async () => {
    const patient = demo.patients[0]!;
    useUiStore.setState({ profile: 'reception', staffId: staffId('Leroy') });
    const user = userEvent.setup();
    renderAt(`/accueil/patient/${patient.id}`, db);
    expect(
      await screen.findByText(
        'Le patient ne s’oppose pas à l’utilisation de ses données, pseudonymisées, pour la recherche.',
      ),
    ).toBeInTheDocument();
    await user.click(
      screen.getByRole('button', { name: 'Enregistrer son opposition à la recherche' }),
    );
    expect(
      await screen.findByText(
        /^Le patient s’oppose à l’utilisation de ses données pour la recherche/,
      ),
    ).toBeInTheDocument();
    const [record] = await db.rows('researchObjection').toArray();
    expect(record).toMatchObject({
      patientId: patient.id,
      staffId: staffId('Leroy'),
      objects: true,
    });
    await user.click(screen.getByRole('button', { name: 'Lever son opposition à la recherche' }));
    await waitFor(async () => expect(await db.rows('researchObjection').count()).toBe(2));
    const actions = (await db.rows('audit').toArray()).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['research.objection', 'research.objection_lifted']),
    );
  });
});

describe('the research extract', () => {
  let blobs: Blob[];
  const text = (b: Blob) =>
    new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(b);
    });

  beforeEach(() => {
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
    // The static commune → EPCI index the app ships (public/geo/epci.json), here one EPCI
    // holding every commune of the demonstration's stops.
    const communes = [...new Set(demo.stops.map((s) => s.communeInsee))].join(' ');
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        String(url).endsWith('/geo/epci.json')
          ? Response.json({
              source: 'test',
              epci: [['200000001', 'CC test', communes]],
              within: [],
            })
          : new Response(null, { status: 404 }),
      ),
    );
    useUiStore.setState({ profile: 'coordination', staffId: staffId('Morvan') });
  });

  it('records the study key’s fingerprint on the first export, and refuses another key after', async () => {
    const user = userEvent.setup();
    renderAt('/coordination/indicateurs', db);
    expect(await screen.findByText(/^Aucune clé d’étude enregistrée/)).toBeInTheDocument();
    const field = screen.getByLabelText(/^Clé de pseudonymisation de l’étude/);
    await user.type(field, KEY);
    expect(screen.getByText(`Empreinte de cette clé : ${keyFingerprint(KEY)}`)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Exporter le jeu pseudonymisé (CSV)' }));
    expect(await screen.findByText(/^Export prêt : escale-recherche-/)).toBeInTheDocument();
    expect(blobs).toHaveLength(1);
    const csv = await text(blobs[0]!);
    expect(csv).toMatch(
      /^\uFEFF?pseudonyme;periode;epci_lieu;epci_residence;service;tranche_age;sexe;sans_mt;ald;orientation;codes\r\n/,
    );
    const [org] = await db.rows('organisation').toArray();
    expect(org?.researchKeyFingerprint).toBe(keyFingerprint(KEY));
    expect(
      await screen.findByText(
        `Clé de l’étude : empreinte ${keyFingerprint(KEY)}. Une autre clé est refusée.`,
      ),
    ).toBeInTheDocument();

    // A typo: the fingerprint differs, the export is refused and nothing is downloaded.
    await user.type(field, 'x');
    expect(
      screen.getByText(
        `Empreinte de cette clé : ${keyFingerprint(`${KEY}x`)}. Ce n’est pas celle de l’étude : vérifiez la saisie.`,
      ),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Exporter le jeu pseudonymisé (CSV)' }));
    expect(await screen.findByText(/pas celle de l’étude \(/)).toBeInTheDocument();
    expect(blobs).toHaveLength(1);

    // A new study adopts the new key, deliberately.
    await user.click(
      screen.getByRole('button', { name: 'Adopter cette clé pour une nouvelle étude' }),
    );
    expect(
      await screen.findByText(
        `Nouvelle clé d’étude enregistrée : empreinte ${keyFingerprint(`${KEY}x`)}.`,
      ),
    ).toBeInTheDocument();
    const actions = (await db.rows('audit').toArray()).map((a) => a.action);
    expect(actions.filter((a) => a === 'research.key_recorded')).toHaveLength(2);
    expect(actions).toContain('export.research');
  });

  it('leaves out a patient who objects, and says how many lines that removed', async () => {
    const org = demo.day.stop!.orgId;
    const six = demo.patients.slice(0, 6);
    // Six patients seen this morning in general practice; the first objects to research.
    await writeChanges(
      db,
      { deviceId: 'box-1', org, userId: staffId('Garnier') },
      six.map((p, i) => ({
        entity: 'consultation' as const,
        id: `note-${i}`,
        set: {
          orgId: org,
          queueEntryId: `entry-${i}`,
          visitId: `visit-${i}`,
          patientId: p.id,
          stopId: demo.day.stop!.id,
          serviceId: demo.serviceId('MG'),
          authorId: staffId('Garnier'),
          supervisorId: staffId('Morvan'),
          motif: 'Toux',
          subjective: 'Toux depuis trois jours',
          objective: 'Auscultation normale',
          assessment: 'Rhinopharyngite',
          plan: 'Repos',
          codes: [],
          orientation: { kind: 'none' as const },
          confidentiality: 'standard' as const,
          status: 'validated' as const,
          returnComment: null,
          createdAt: NOW,
        },
      })),
    );
    await writeChanges(db, { deviceId: 'reception', org, userId: staffId('Leroy') }, [
      {
        entity: 'researchObjection',
        id: 'ro-1',
        insert: {
          orgId: org,
          patientId: six[0]!.id,
          staffId: staffId('Leroy'),
          at: NOW,
          objects: true,
        },
      },
    ]);
    const user = userEvent.setup();
    renderAt('/coordination/indicateurs', db);
    await user.type(await screen.findByLabelText(/^Clé de pseudonymisation de l’étude/), KEY);
    await user.click(screen.getByRole('button', { name: 'Exporter le jeu pseudonymisé (CSV)' }));
    expect(
      await screen.findByText(
        /^Export prêt : escale-recherche-.*Retirées : 1 pour opposition, 0 de classe restreinte/,
      ),
    ).toBeInTheDocument();
    const csv = await text(blobs[0]!);
    expect(csv).not.toContain(pseudonym(KEY, six[0]!.id));
  });
});
