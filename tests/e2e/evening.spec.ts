// Scenario h: the demo started in the evening (issue 23). At 21:00 in Paris — the devices' clocks
// and central's — the demo stop is open, Box 1 has a current slot, the waiting room is in motion,
// and a walk-in is checked in, called and seen, the note signed.
import type { Device } from '../../src/domain/entities';
import { zonedIso } from '../../src/domain/time';
import { rowsToOps } from '../../src/server/seed/ops';
import { expect, test } from './support/fixtures';
import { todayInParis } from './support/server';
import { call, checkInWalkIn, go, rendered, takeIn } from './support/steps';

test.use({ scenario: 'h', truckTime: '21:00' });

test('h — at 21:00 the demo is open: check-in, call and note', async ({ site, devices, shot }) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  const box = await devices.enrol('room');

  await test.step('reception finds a waiting room in motion at 21:00', async () => {
    await go(reception, `${origin}/accueil`);
    await rendered(reception, 'accueil');
    const gp = reception.getByRole('region', { name: /^Médecine générale/ });
    for (const ticket of ['MG-003', 'MG-004', 'MG-005']) {
      await expect(gp.getByText(ticket, { exact: true })).toBeVisible();
    }
    await expect(reception.locator('main')).toContainText('Box 2');
    await expect(reception.locator('main')).not.toContainText('environ 0 min');
    await shot(reception, 'reception-board-evening');
  });

  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  // Tickets MG-001 to MG-005 were taken before 21:00 by the demo's patients.
  expect(ticket).toBe('MG-006');

  await call(box, origin, demo, ticket, shot);
  await expect(box.locator('main')).not.toContainText('Aucun créneau au planning');

  await test.step('the consultation at 21:00: note, code, signature', async () => {
    await takeIn(box, shot);
    await box.getByRole('textbox', { name: /^S — Subjectif/ }).fill('Toux depuis trois jours');
    await box.getByRole('textbox', { name: /^A — Appréciation/ }).fill('Toux virale probable');
    await box.getByRole('textbox', { name: /^P — Plan/ }).fill('Hydratation, revoir si fièvre');
    await box.getByRole('searchbox', { name: 'Rechercher un code' }).fill('toux');
    await box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first().click();
    await expect(box.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
    await shot(box, 'room-note-written');
    const sign = box.getByRole('button', { name: 'Signer la note' });
    await sign.click();
    await expect(sign).toHaveCount(0);
    await expect(
      box.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await shot(box, 'room-note-signed');
  });

  // The signed note reached central, signed at 21:00 by the devices' clock.
  const central = site.requireCentral();
  const evening = zonedIso(todayInParis(), '21:00');
  await expect
    .poll(
      async () =>
        (await central.store.rows(demo.org, 'signature')).filter(
          (s) => s.kind === 'author' && s.at === evening,
        ).length,
      { message: 'the 21:00 signature on central' },
    )
    .toBe(1);
  await shot(reception, 'reception-board-after');

  await test.step('the tablet withdrawn at the end of the evening keeps nothing, drafts included', async () => {
    // Reception starts typing a new arrival: a draft kept apart from the database (idb-keyval).
    await go(reception, `${origin}/accueil/arrivee`);
    await reception.getByRole('button', { name: 'Patient suivant' }).click();
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill('DURAND Camille 12/03/1961');
    const deviceId = await reception.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('escale');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const read = open.result.transaction('meta').objectStore('meta').get('deviceId');
            read.onsuccess = () => {
              open.result.close();
              resolve((read.result as { value: string }).value);
            };
            read.onerror = () => reject(read.error);
          };
        }),
    );
    // The coordination withdraws it (the device row it would write from « Appareils »).
    const withdrawn: Device = {
      id: deviceId,
      orgId: demo.org,
      name: 'Tablette de l’accueil',
      profile: 'reception',
      roomId: null,
      enrolledAt: evening,
      revoked: true,
    };
    await central.storeAndPoke(
      demo.org,
      rowsToOps(demo.org, 'e2e-coordination', { device: [withdrawn] }),
    );
    await expect(reception.getByText(/a été retiré par la coordination/)).toBeVisible({
      timeout: 90_000,
    });
    const left = await reception.evaluate(async () => {
      const read = (name: string, store: string) =>
        new Promise<unknown[]>((resolve) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains(store)) {
              db.close();
              return resolve([]);
            }
            const req = db.transaction(store).objectStore(store).getAll();
            req.onsuccess = () => {
              db.close();
              resolve(req.result);
            };
          };
        });
      const names = (await indexedDB.databases()).map((d) => d.name ?? '');
      const found: string[] = [];
      for (const name of names) {
        for (const store of ['patient', 'outbox', 'sent', 'states', 'keyval']) {
          for (const value of await read(name, store)) {
            const text = JSON.stringify(value);
            if (store !== 'keyval' || text.includes('DURAND')) found.push(`${name}/${store}`);
          }
        }
      }
      return found;
    });
    // A first start again: nothing of the organisation, no draft of the desk.
    expect(left).toEqual([]);
    await shot(reception, 'reception-withdrawn');
  });
});
