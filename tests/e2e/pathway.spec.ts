// Scenario p: the path back to a médecin traitant (issue 17 items 1 and 2). Reception checks in
// the patient booked first today in general practice, then a walk-in with an ALD who does not
// know whether they have a médecin traitant: unknown is not « sans MT », so the walk-in does not
// jump ahead of the booked patient — on the reception board and in the room's queue alike (one
// order). Box 1 sees the walk-in and proposes an orientation to a doctor as médecin traitant; the
// coordination follows it from the worklist through « contact pris », « acceptée » to « médecin
// traitant déclaré », and the patient's médecin traitant status changes on the room's screen.
// Central's indicators then count it (issue 17 item 3): the coordination screen, online, shows
// central's figures over the whole history — the walk-in unknown at their first visit with a
// médecin traitant declared since (never counted « sans MT »), and a patient first seen « sans
// MT » at an earlier stop, followed to « MT déclaré », counted re-attached.
import { expect, test } from './support/fixtures';
import { axe, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'p' });

test('p — an unknown médecin traitant does not jump; an orientation followed to « MT déclaré »', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  const box1 = await devices.enrol('room');
  const coordination = await devices.enrol('coordination');
  const booked = demo.bookedMg;
  const walkIn = demo.walkInNoMt;

  const checkIn = async (
    who: { birthName: string; firstName: string },
    fill: () => Promise<void>,
    name: string,
  ) => {
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'accueil arrivée');
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill(`${who.birthName} ${who.firstName}`);
    await reception
      .getByRole('button', { name: /^Enregistrer l’arrivée de/ })
      .first()
      .click();
    await fill();
    await shot(reception, `${name}-checkin`);
    await reception
      .getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' })
      .click();
    const ticket = reception.locator('.ticket--large').first();
    await expect(ticket).toHaveText(/^MG-\d+$/);
    await shot(reception, `${name}-ticket`);
    const text = (await ticket.textContent())!;
    await reception.getByRole('button', { name: 'Patient suivant' }).click();
    return text;
  };

  const bookedTicket =
    await test.step('reception checks in the patient booked first in general practice', () =>
      checkIn(
        booked,
        async () => {
          await expect(reception.getByLabel('Médecine générale')).toBeChecked();
          await reception.getByLabel(/^Motif de la venue/).fill('Suivi de tension');
        },
        'booked',
      ));

  const walkInTicket =
    await test.step('reception checks in a walk-in with an ALD who does not know their médecin traitant', () =>
      checkIn(
        walkIn,
        async () => {
          await reception.getByLabel(/^Motif de la venue/).fill('Essoufflement');
          await reception.getByLabel('Médecine générale').check();
          const mt = reception.getByLabel('Le patient a-t-il un médecin traitant ?');
          await mt.selectOption({ label: 'Ne sait pas' });
          await expect(mt).toHaveAccessibleDescription(
            /Inconnu n’est pas « sans médecin traitant »/,
          );
          await reception.getByLabel('ALD').check();
        },
        'walkin-unknown-mt',
      ));

  await test.step('the reception board puts the booked patient first', async () => {
    await go(reception, `${origin}/accueil`);
    await rendered(reception, 'accueil');
    const board = reception.locator('main');
    await expect(board).toContainText(walkInTicket);
    const text = (await board.textContent()) ?? '';
    expect(text.indexOf(bookedTicket)).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(bookedTicket)).toBeLessThan(text.indexOf(walkInTicket));
    await shot(reception, 'board-booked-first');
  });

  await test.step('Box 1’s queue has the same order', async () => {
    await go(box1, `${origin}/salle/${demo.roomId}`);
    await rendered(box1, 'salle Box 1');
    await box1
      .getByLabel('Qui travaille ici ?')
      .selectOption({ label: 'Thomas Garnier (interne)' });
    const calls = box1.getByRole('button', { name: /^Appeler MG-\d+$/ });
    await expect(calls).toHaveCount(2, { timeout: 60_000 });
    const names = await calls.evaluateAll((els) =>
      els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''),
    );
    expect(names.map((n) => n.match(/MG-\d+/)?.[0])).toEqual([bookedTicket, walkInTicket]);
    await shot(box1, 'room-queue-booked-first');
  });

  await test.step('Box 1 sees the walk-in and proposes an orientation to a médecin traitant', async () => {
    await box1.getByRole('button', { name: `Appeler ${walkInTicket}` }).click();
    await takeIn(box1, shot);
    const section = box1.getByRole('region', { name: 'Orientations à suivre' });
    await section.getByLabel('But').selectOption({ label: 'Trouver un médecin traitant' });
    await section.getByLabel('Vers').selectOption({ label: 'Médecin' });
    await section
      .getByLabel('Nom du médecin, de la structure ou du service')
      .fill('Dr Lefèvre (Mamers)');
    await section.getByRole('button', { name: 'Ajouter l’orientation' }).click();
    await expect(section.getByRole('listitem').first()).toContainText(
      'Trouver un médecin traitant — Médecin : Dr Lefèvre (Mamers) — Proposée le',
    );
    await expect(section).toContainText('par Thomas Garnier');
    await shot(box1, 'room-orientation-proposed');
  });

  await test.step('the coordination follows it from the worklist to « médecin traitant déclaré »', async () => {
    await go(coordination, `${origin}/coordination/suivi`);
    await rendered(coordination, 'coordination suivi');
    // Namesakes share a birth name: the patient's name as the screens write it.
    const full = `${walkIn.birthName} ${walkIn.firstName}`;
    const button = (action: string) =>
      coordination.getByRole('button', { name: `${action} — ${full}`, exact: true });
    await expect(button('Contact pris')).toBeVisible({ timeout: 60_000 });
    await shot(coordination, 'worklist');
    expect(await axe(coordination, 'worklist')).toEqual([]);
    await button('Contact pris').click();
    await expect(button('Acceptée')).toBeVisible();
    await button('Acceptée').click();
    await expect(button('Médecin traitant déclaré')).toBeVisible();
    await shot(coordination, 'worklist-accepted');
    await button('Médecin traitant déclaré').click();
    // Settled: the orientation leaves the list of those to follow.
    await expect(button('Médecin traitant déclaré')).toHaveCount(0);
    await expect(coordination.getByRole('heading', { name: new RegExp(`^${full},`) })).toHaveCount(
      0,
    );
    await shot(coordination, 'worklist-mt-declared');
  });

  await test.step('the patient’s médecin traitant status changed, with its date and source', async () => {
    await expect(box1.getByText('Médecin traitant : Dr Lefèvre (Mamers)').first()).toBeVisible({
      timeout: 60_000,
    });
    await expect(box1.getByText(/enregistré le .+, par une orientation/).first()).toBeVisible();
    await expect(
      box1.getByRole('region', { name: 'Orientations à suivre' }).getByRole('listitem').first(),
    ).toContainText('Médecin traitant déclaré le');
    await shot(box1, 'room-mt-declared');
    const text = (await box1.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  /** Central's report from 2020 on: the figures of the first table, row by row. */
  const centralReport = async (name: string) => {
    await go(coordination, `${origin}/coordination/indicateurs`);
    await rendered(coordination, 'coordination indicateurs');
    const from = coordination.getByLabel('Du', { exact: true });
    await from.fill('2020-01-01');
    await expect(coordination.getByText(/^Chiffres du serveur central, calculés le/)).toBeVisible({
      timeout: 60_000,
    });
    const table = coordination
      .getByRole('region', { name: 'Retour vers un médecin traitant' })
      .getByRole('table')
      .first();
    const central = coordination.getByText(/^Chiffres du serveur central, calculés le/);
    /** A row's figures, once central's answer is on screen (never the device's own). */
    const cells = async (row: RegExp) => {
      await expect(central).toBeVisible();
      await expect(coordination.getByText(/partiel/)).toHaveCount(0);
      return (await table.getByRole('row', { name: row }).getByRole('cell').allTextContents()).map(
        (c) => c.trim(),
      );
    };
    await shot(coordination, name);
    return { cells, table };
  };

  const before =
    await test.step('central’s indicators count the walk-in: unknown at their first visit, a médecin traitant declared since', async () => {
      const { cells } = await centralReport('central-report-walkin');
      // The walk-in is the only patient unknown at their first visit, and never « sans MT ».
      await expect(async () => {
        await coordination.getByRole('button', { name: 'Recalculer au serveur central' }).click();
        expect((await cells(/^Inconnu/)).slice(0, 2)).toEqual(['1', '1']);
      }).toPass({ timeout: 60_000 });
      expect(await axe(coordination, 'central-report')).toEqual([]);
      const text = (await coordination.locator('main').textContent()) ?? '';
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(text).not.toMatch(/partiel/);
      return cells(/^Sans médecin traitant/);
    });

  await test.step('a patient first seen « sans MT » at an earlier stop, followed to « MT déclaré », is counted re-attached by central', async () => {
    await go(coordination, `${origin}/coordination/suivi`);
    await rendered(coordination, 'coordination suivi');
    // An orientation of the demo's earlier stops, whose contact was already taken.
    const accept = coordination.getByRole('button', { name: /^Acceptée — / }).first();
    await expect(accept).toBeVisible({ timeout: 60_000 });
    const full = ((await accept.getAttribute('aria-label')) ?? (await accept.textContent()) ?? '')
      .replace(/^Acceptée — /, '')
      .trim();
    expect(full).not.toBe('');
    await accept.click();
    const declare = coordination.getByRole('button', {
      name: `Médecin traitant déclaré — ${full}`,
      exact: true,
    });
    await declare.click();
    await expect(declare).toHaveCount(0);
    const { cells } = await centralReport('central-report-reattached');
    const [patients, back] = before.map(Number) as [number, number];
    await expect(async () => {
      await coordination.getByRole('button', { name: 'Recalculer au serveur central' }).click();
      expect((await cells(/^Sans médecin traitant/)).slice(0, 2)).toEqual([
        String(patients),
        String(back + 1),
      ]);
    }).toPass({ timeout: 60_000 });
    await shot(coordination, 'central-report-reattached');
    // Printed for the region and the DMG: the report alone, with its title, on A4.
    await coordination.emulateMedia({ media: 'print' });
    await expect(
      coordination.getByRole('heading', { name: /^Rapport d’activité du 01\/01\/2020 au / }),
    ).toBeVisible();
    await expect(coordination.getByRole('button', { name: 'Imprimer le rapport' })).toBeHidden();
    await expect(coordination.getByRole('heading', { name: 'Exports' })).toBeHidden();
    await shot(coordination, 'central-report-print');
    await coordination.emulateMedia({ media: 'screen' });
  });

  await test.step('the closure links its « Orientations à suivre » to the worklist', async () => {
    await go(coordination, `${origin}/coordination/cloture`);
    await rendered(coordination, 'coordination clôture');
    await coordination
      .getByRole('link', { name: 'Suivre les orientations dans le suivi des parcours' })
      .click();
    await expect(
      coordination.getByRole('heading', { name: 'Suivi des parcours', level: 2 }),
    ).toBeVisible();
  });

  await test.step('a policy that would make general practice unbookable is refused in French', async () => {
    await go(coordination, `${origin}/coordination/priorites`);
    await rendered(coordination, 'coordination priorités');
    const mg = coordination.getByRole('region', { name: 'Médecine générale' });
    await mg.getByLabel('Créneaux de rendez-vous réservés à chaque escale').fill('50');
    await mg.getByLabel('Réservés jusqu’à (heure du jour de l’escale)').fill('10:00');
    await mg.getByRole('button', { name: 'Enregistrer la politique de Médecine générale' }).click();
    await expect(mg.getByRole('alert').first()).toContainText(
      'Cette politique rendrait « Médecine générale » impossible à réserver',
    );
    await shot(coordination, 'policy-unbookable-refused');
    expect(await axe(coordination, 'policy')).toEqual([]);
  });
});
