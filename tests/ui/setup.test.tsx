// A new centre's first start on the coordination device (docs/guide/coordination.md, Démarrage and
// Import de patients): the checklist the coordination opens on, its steps done through the write
// path, the first stop of a centre without stops, and the patient list imported from a CSV file.
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinOrganisation } from '../../src/device/connection';
import { type EscaleDb, META, setMeta } from '../../src/device/db';
import { applyRemote, type Change, writeChanges } from '../../src/device/write';
import { newOrganisation } from '../../src/server/seed/organisation';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay, TEST_DEVICE_ID } from './support';

configure({ asyncUtilTimeout: 10_000 });

let db: EscaleDb;
let org: ReturnType<typeof newOrganisation>;
let n = 0;

/** The organisation as `npm run admin -- org create` makes it, pulled by its first device. */
async function seedNewCentre(db: EscaleDb, options: { services?: boolean } = {}) {
  org = newOrganisation({
    name: 'Médicobus du Val',
    coordinator: { firstName: 'Anne', lastName: 'Le Clerc' },
    id: () => `id-${String(++n).padStart(4, '0')}`,
  });
  const orgId = org.organisation[0]!.id;
  const rows = { ...org, service: options.services === false ? [] : org.service };
  const changes: Change[] = Object.entries(rows).flatMap(([entity, list]) =>
    (list as { id: string }[]).map(({ id, ...fields }) => ({ entity, id, set: fields }) as Change),
  );
  const server = freshDb();
  const ops = await writeChanges(server, { deviceId: 'admin', org: orgId }, changes);
  await applyRemote(
    db,
    ops.map((op, i) => ({ s: i + 1, op })),
    'checkpoint:test',
  );
  await joinOrganisation(db, { org: orgId, servers: ['https://central.test'] });
  await setMeta(db, META.deviceId, TEST_DEVICE_ID);
  useUiStore.setState({ staffId: org.staff[0]!.id, profile: 'coordination' });
  return orgId;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  // No server in these tests: syncs fail quietly, writes stay in the outbox.
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{}', { status: 503 })),
  );
  db = freshDb();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  useUiStore.setState({ staffId: null, profile: null });
});

describe('the setup checklist', () => {
  it('is where a new centre’s coordination opens, saying what is done and what is missing', async () => {
    await seedNewCentre(db);
    renderAt('/coordination', db);
    expect(await screen.findByRole('heading', { name: 'Démarrer le centre' })).toBeInTheDocument();
    expect(screen.getByText('3 étapes sur 6 terminées')).toBeInTheDocument();
    const step = (title: string) =>
      screen.getByRole('heading', { name: new RegExp(title) }).closest('li')!;
    expect(within(step('Le camion')).getByText('1 camion : Camion 1.')).toBeInTheDocument();
    expect(within(step('Le camion')).getByText('Fait')).toBeInTheDocument();
    expect(
      within(step('Les salles')).getByText('4 salles : Box 1, Box 2, Salle 3, Salle 4.'),
    ).toBeInTheDocument();
    expect(within(step('Les escales')).getByText('À faire')).toBeInTheDocument();
    expect(
      within(step('Les escales')).getByRole('link', { name: 'Ouvrir le planning de la tournée' }),
    ).toHaveAttribute('href', '/coordination/planning');
    expect(within(step('L’équipe')).getByText('À faire')).toBeInTheDocument();
    expect(within(step('La liste des patients')).getByText('Facultatif')).toBeInTheDocument();
    expect(
      within(step('La liste des patients')).getByRole('link', {
        name: 'Importer une liste de patients',
      }),
    ).toHaveAttribute('href', '/coordination/import');
  });

  it('does not send a running centre back to it', async () => {
    await seedDemoDay(db);
    renderAt('/coordination', db);
    expect(await screen.findByRole('region', { name: 'Indicateurs du jour' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Démarrer le centre' })).toBeNull();
  });

  it('creates the usual services when there are none, through the write path, audited', async () => {
    await seedNewCentre(db, { services: false });
    renderAt('/coordination/demarrage', db);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Créer les services habituels' }),
    );
    await waitFor(async () => expect(await db.rows('service').count()).toBe(7));
    expect((await db.rows('service').toArray()).map((s) => s.code).sort()).toEqual([
      'AS',
      'DENT',
      'DEP',
      'GYN',
      'MED',
      'MG',
      'SF',
    ]);
    const audit = await db.rows('audit').toArray();
    expect(audit.map((a) => a.action)).toEqual(['service.created']);
    expect(await db.outbox.count()).toBeGreaterThan(0);
    expect(await screen.findByText(/^7 services : Médecine générale/)).toBeInTheDocument();
  });

  it('lets a centre without any stop plan its first one, on its first truck', async () => {
    await seedNewCentre(db);
    renderAt('/coordination/planning', db);
    await userEvent.type(await screen.findByLabelText(/^Date/), TODAY);
    await userEvent.type(screen.getByLabelText(/^Commune/), 'Mamers');
    await userEvent.type(screen.getByLabelText(/^Code INSEE de la commune/), '72180');
    await userEvent.click(screen.getByRole('button', { name: 'Enregistrer l’escale' }));
    expect(await screen.findByText('Escale enregistrée.')).toBeInTheDocument();
    const [stop] = await db.rows('stop').toArray();
    expect(stop).toMatchObject({
      date: TODAY,
      communeName: 'Mamers',
      unitId: org.unit[0]!.id,
      orgId: org.organisation[0]!.id,
    });
  });
});

/** Windows-1252 bytes of Latin-1 text (œ is 0x9C). */
const cp1252 = (s: string) =>
  Uint8Array.from([...s].map((c) => (c === 'œ' ? 0x9c : c.charCodeAt(0))));

const EXPORT = [
  'Nom de naissance;Prénom(s);Date de naissance;Sexe;Lieu de naissance (INSEE);NIR;Téléphone',
  'Lefèvre;Zoé;03/02/1961;Femme;72181;;06 12 34 56 78',
  'Cœur;Anaïs;14/07/1988;F;72003;;',
  'Martin;Léon;31/02/1980;Homme;72181;;',
  ';Paul;01/01/1970;M;72181;;',
  'LEFEVRE;Zoé;03/02/1961;F;72181;;',
].join('\r\n');

describe('the patient import', () => {
  it('reads the file, guesses the columns, reports, and imports the accepted and chosen lines', async () => {
    await seedNewCentre(db);
    const user = userEvent.setup();
    renderAt('/coordination/import', db);
    const input = await screen.findByLabelText('Fichier CSV');
    await user.upload(input, new File([cp1252(EXPORT)], 'export.csv', { type: 'text/csv' }));
    expect(
      await screen.findByText('export.csv : 5 lignes, encodage Windows (1252), séparateur « ; ».'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/^Nom de naissance/)).toHaveDisplayValue('Nom de naissance');
    expect(screen.getByLabelText(/^Date de naissance/)).toHaveDisplayValue('Date de naissance');
    expect(screen.getByLabelText(/^Nom d’usage/)).toHaveDisplayValue('(aucune colonne)');
    expect(screen.getByText('Exemple : Lefèvre')).toBeInTheDocument();

    // Without a birth date column the lines cannot be checked, and the button says why.
    await user.selectOptions(screen.getByLabelText(/^Date de naissance/), '(aucune colonne)');
    const check = screen.getByRole('button', { name: 'Vérifier les lignes' });
    expect(check).toBeDisabled();
    expect(check).toHaveAccessibleDescription(/Sans colonne pour : Date de naissance/);
    await user.selectOptions(screen.getByLabelText(/^Date de naissance/), 'Date de naissance');
    await user.click(check);

    expect(await screen.findByText('2 patients seront importés.')).toBeInTheDocument();
    expect(screen.getByText('2 lignes refusées.')).toBeInTheDocument();
    expect(
      screen.getByText('1 doublon probable, non importé sauf si vous le cochez.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /^4 .*« 31\/02\/1980 »/ })).toBeInTheDocument();
    expect(
      screen.getByRole('row', { name: /^5 .*Le nom de naissance est obligatoire/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('row', { name: /^6 LEFEVRE Zoé.*La ligne 2 du fichier/ }),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Importer quand même la ligne 6' }));
    await user.click(screen.getByRole('button', { name: 'Importer 3 patients' }));
    expect(await screen.findByText('3 patients importés.')).toBeInTheDocument();
    const patients = await db.rows('patient').toArray();
    expect(patients.map((p) => p.birthName).sort()).toEqual(['Cœur', 'LEFEVRE', 'Lefèvre']);
    expect(patients.every((p) => p.identityStatus === 'provisoire')).toBe(true);
    const chosen = patients.find((p) => p.birthName === 'LEFEVRE')!;
    expect(chosen.duplicateDecision).toEqual({
      suspects: [patients.find((p) => p.birthName === 'Lefèvre')!.id],
      choice: 'created_anyway',
      by: org.staff[0]!.id,
    });
    expect((await db.rows('audit').toArray()).map((a) => [a.action, a.detail])).toEqual([
      ['patient.imported', '3'],
    ]);
  });

  it('shows its progress with a progress bar while checking a long file', async () => {
    await seedNewCentre(db);
    const user = userEvent.setup();
    renderAt('/coordination/import', db);
    const lines = Array.from(
      { length: 600 },
      (_, i) => `Nom${'abcdefghij'[i % 10]};Zoé;03/02/1961;F;72181;;`,
    );
    await user.upload(
      await screen.findByLabelText('Fichier CSV'),
      new File([[EXPORT.split('\r\n')[0], ...lines].join('\n')], 'long.csv'),
    );
    // Every state of the bar, as the screen shows it between two slices of lines.
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"]');
      if (bar)
        seen.push(`${bar.getAttribute('aria-valuenow')}/${bar.getAttribute('aria-valuemax')}`);
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    await user.click(await screen.findByRole('button', { name: 'Vérifier les lignes' }));
    expect(await screen.findByRole('heading', { name: 'Avant l’import' })).toBeInTheDocument();
    observer.disconnect();
    // 600 lines in slices of 250: the bar shows how many are done between two slices, in
    // order. Under load React may render two slices in one frame, so a state can be skipped;
    // none is ever made up, and the bar is seen at least once.
    const states = [...new Set(seen)];
    expect(states.length).toBeGreaterThan(0);
    for (const s of states) expect(['0/600', '250/600', '500/600']).toContain(s);
    const done = states.map((s) => Number(s.split('/')[0]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('says so when the file holds no line of patient', async () => {
    await seedNewCentre(db);
    const user = userEvent.setup();
    renderAt('/coordination/import', db);
    await user.upload(
      await screen.findByLabelText('Fichier CSV'),
      new File(['Nom;Prénom\r\n'], 'vide.csv'),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Ce fichier ne contient aucune ligne de patient.',
    );
  });
});
