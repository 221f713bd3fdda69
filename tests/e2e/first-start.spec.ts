// Scenario j — a real centre's first start: the operator creates the organisation with the admin
// command over the server's data directory (as `npm run admin -- org create` does), sets the
// coordinating doctor's password, and starts the server; the doctor enrols the coordination
// device with the printed code, signs in, lands on the setup checklist, adds the first stop and
// its hours, a room slot and a receptionist, then imports the previous software's patient list (a
// small CSV in Windows-1252 with broken lines) and reads the report before importing.
import { spawnSync } from 'node:child_process';
import { expect, test } from './support/fixtures';
import { type E2EServer, makeDataDir, startServer, todayInParis } from './support/server';
import { axe, type Violation } from './support/steps';

test.use({ scenario: 'j' });

const PASSWORD = 'mot-de-passe-du-val';
const PIN = '2468';

/** `npm run admin -- …` over `dataDir`, from the sources (the built bundle runs the same code). */
function admin(dataDir: string, args: string[], input = '') {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/admin.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    input,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`admin ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** The export of the previous software: `;`, Windows-1252 (« Cœur » is byte 0x9C), CRLF. */
function previousExport(): Buffer {
  const lines = [
    'Nom de naissance;Prénom(s);Date de naissance;Sexe;Lieu de naissance (INSEE);NIR;Téléphone',
    'Lefèvre;Zoé;03/02/1961;Femme;72181;;06 12 34 56 78',
    'Cœur;Anaïs;14/07/1988;F;72003;;',
    'Martin;Léon;31/02/1980;Homme;72181;;',
    ';Paul;01/01/1970;M;72181;;',
    'Garnier;Hugo;12/12/1990;M;72181;190127218100100;',
    'LEFEVRE;Zoé;03/02/1961;F;72181;;',
    'Roussel;Inès;22/08/1937;F;72264;;02 43 00 00 00',
  ];
  const text = `${lines.join('\r\n')}\r\n`;
  return Buffer.from([...text].map((c) => (c === 'œ' ? 0x9c : c.charCodeAt(0))));
}

test('j: a new centre: org create, first coordination device, setup checklist, patient import', async ({
  browser,
  shot,
}) => {
  const data = makeDataDir();
  // axe on each new screen: serious and critical violations, all screens together.
  const violations: Violation[] = [];
  let central: E2EServer | null = null;
  try {
    // The operator, on the server.
    const out = admin(data.dir, [
      'org',
      'create',
      '--name',
      'Médicobus du Val',
      '--coordinator',
      'Anne Le Clerc',
      '--code-ttl',
      '2h',
    ]);
    const org = /Organisation créée : Médicobus du Val \((\S+)\)/.exec(out)?.[1];
    const staffId = /Médecin coordinateur : Anne Le Clerc \((\S+)\)/.exec(out)?.[1];
    const code = /premier poste de coordination : ([A-Z2-9]{8}) /.exec(out)?.[1];
    expect(org && staffId && code, out).toBeTruthy();
    admin(data.dir, ['password', '--org', org!, '--staff', staffId!], `${PASSWORD}\n`);
    // Run twice by mistake: refused, nothing made.
    const again = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/server/admin.ts',
        'org',
        'create',
        '--name',
        'Médicobus du Val',
        '--coordinator',
        'Anne Le Clerc',
      ],
      { env: { ...process.env, DATA_DIR: data.dir, DATABASE_URL: '' }, encoding: 'utf8' },
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('Une organisation porte déjà ce nom');

    central = await startServer(data.dir);
    const origin = central.url;
    const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();

    await test.step('enrol the coordination device with the printed code, sign in', async () => {
      await page.goto(origin);
      await page.getByLabel('Code d’enrôlement').fill(code!);
      await shot(page, 'enrolment');
      await page.getByRole('button', { name: 'Enrôler cet appareil' }).click();
      await expect(page.locator('option', { hasText: 'Anne Le Clerc' }).first()).toBeAttached();
      await page.getByLabel('Qui êtes-vous ?').selectOption({ label: 'Anne Le Clerc' });
      await page.getByLabel('Mot de passe').fill(PASSWORD);
      await shot(page, 'sign-in');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByLabel('Nouveau code (4 à 8 chiffres)').fill(PIN);
      await page.getByLabel('Confirmez le code').fill(PIN);
      const save = page.getByRole('button', { name: 'Enregistrer le code' });
      await save.click();
      await expect(save).toHaveCount(0);
    });

    await test.step('the coordination lands on the setup checklist', async () => {
      await page.goto(`${origin}/coordination`);
      // A full page load opens locked: the doctor's PIN unlocks it.
      const pin = page.getByLabel('Code personnel');
      await pin.fill(PIN);
      await page.getByRole('button', { name: 'Déverrouiller' }).click();
      await expect(pin).toHaveCount(0);
      await expect(page).toHaveURL(/\/coordination\/demarrage$/);
      await expect(page.getByRole('heading', { name: 'Démarrer le centre' })).toBeVisible();
      // Made by org create: truck, rooms, services. Missing: stops, roster, team.
      await expect(page.getByText('1 camion : Camion 1.')).toBeVisible();
      await expect(page.getByText(/^4 salles : Box 1, Box 2, Salle 3, Salle 4\.$/)).toBeVisible();
      await expect(page.getByText('3 étapes sur 6 terminées')).toBeVisible();
      await shot(page, 'setup-checklist');
      violations.push(...(await axe(page, 'setup-checklist')));
    });

    await test.step('the first stop and its hours, from the checklist', async () => {
      await page.getByRole('link', { name: 'Ouvrir le planning de la tournée' }).first().click();
      await page.getByRole('textbox', { name: 'Date', exact: true }).fill(todayInParis());
      await page.getByRole('textbox', { name: 'Commune', exact: true }).fill('Mamers');
      await page.getByLabel('Code INSEE de la commune').fill('72180');
      await page
        .getByRole('textbox', { name: 'Lieu de stationnement', exact: true })
        .fill('Place Carnot');
      await page.getByRole('textbox', { name: 'Ouverture', exact: true }).fill('08:30');
      await page.getByRole('textbox', { name: 'Fermeture', exact: true }).fill('17:30');
      await page.getByRole('button', { name: 'Enregistrer l’escale' }).click();
      await expect(page.getByText('Escale enregistrée.')).toBeVisible();
      await page.getByRole('button', { name: 'Planning des salles' }).click();
      await page
        .getByRole('button', { name: /^Ajouter un créneau à Box 1/ })
        .first()
        .click();
      await page.getByRole('checkbox', { name: 'Médecine générale' }).check();
      await page.getByRole('checkbox', { name: 'Anne Le Clerc' }).check();
      await shot(page, 'planning-first-stop');
      await page.getByRole('button', { name: 'Enregistrer le créneau' }).click();
      await expect(
        page.getByRole('button', { name: /^Modifier le créneau .* de Box 1$/ }),
      ).toBeVisible();
    });

    await test.step('the team: a receptionist with her password', async () => {
      await page.getByRole('link', { name: 'Démarrage' }).click();
      await page.getByRole('link', { name: 'Ouvrir l’équipe' }).click();
      await page.getByRole('button', { name: 'Ajouter un membre de l’équipe' }).click();
      await page.getByRole('textbox', { name: 'Prénom', exact: true }).fill('Sophie');
      await page.getByRole('textbox', { name: 'Nom', exact: true }).fill('Leroy');
      await page.getByLabel('Profession').selectOption({ label: 'accueil' });
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await expect(page.getByText('Membre de l’équipe ajouté.')).toBeVisible();
      await page.getByRole('button', { name: 'Définir le mot de passe de Sophie Leroy' }).click();
      await page.getByLabel('Nouveau mot de passe (8 caractères au moins)').fill('accueil-du-val');
      await page.getByLabel('Confirmez le mot de passe').fill('accueil-du-val');
      await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      await expect(page.getByText('Mot de passe de Sophie Leroy enregistré.')).toBeVisible();
      await shot(page, 'team');
      await page.getByRole('link', { name: 'Démarrage' }).click();
      await expect(
        page.getByText('Tout est prêt : le centre peut ouvrir sa première escale.'),
      ).toBeVisible();
      await shot(page, 'setup-done');
    });

    await test.step('import the previous software’s list: mapping, report, import', async () => {
      await page.getByRole('link', { name: 'Importer une liste de patients' }).click();
      await page.getByLabel('Fichier CSV').setInputFiles({
        name: 'export-ancien-logiciel.csv',
        mimeType: 'text/csv',
        buffer: previousExport(),
      });
      await expect(
        page.getByText(
          'export-ancien-logiciel.csv : 7 lignes, encodage Windows (1252), séparateur « ; ».',
        ),
      ).toBeVisible();
      await expect(page.getByLabel('Nom de naissance')).toHaveValue('0');
      await expect(page.getByLabel('Date de naissance')).toHaveValue('2');
      await shot(page, 'import-mapping');
      violations.push(...(await axe(page, 'import-mapping')));
      await page.getByRole('button', { name: 'Vérifier les lignes' }).click();
      // 7 lines: 3 refused (31/02, no name, a NIR whose key is wrong), 1 duplicate of line 2,
      // 3 to import (Lefèvre, Cœur, Roussel).
      await expect(page.getByText('3 patients seront importés.')).toBeVisible();
      await expect(page.getByText('3 lignes refusées.')).toBeVisible();
      await expect(
        page.getByText('1 doublon probable, non importé sauf si vous le cochez.'),
      ).toBeVisible();
      await expect(page.getByRole('row', { name: /^4 .*« 31\/02\/1980 »/ })).toBeVisible();
      await expect(
        page.getByRole('row', { name: /^5 .*nom de naissance est obligatoire/ }),
      ).toBeVisible();
      await expect(page.getByRole('row', { name: /^6 .*NIR/ })).toBeVisible();
      await expect(page.getByRole('row', { name: /^7 .*La ligne 2 du fichier/ })).toBeVisible();
      await shot(page, 'import-report');
      violations.push(...(await axe(page, 'import-report')));
      await page.getByRole('button', { name: 'Importer 3 patients' }).click();
      await expect(page.getByText('3 patients importés.')).toBeVisible();
      await shot(page, 'import-done');
    });

    await test.step('the server holds what the device wrote', async () => {
      const server = central!;
      await expect
        .poll(async () => (await server.store.rows(org!, 'patient')).map((p) => p.birthName).sort())
        .toEqual(['Cœur', 'Lefèvre', 'Roussel']);
      expect((await server.store.rows(org!, 'stop')).map((s) => s.communeName)).toEqual(['Mamers']);
    });
    expect(violations).toEqual([]);
    await context.close();
  } finally {
    await central?.stop();
    data.remove();
  }
});
