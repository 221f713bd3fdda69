// Scenario t: central restored from a backup older than a tablet's enrolment. Central no longer
// knows the tablet's credential (here deleted as the restore loses it: `admin forget`); the
// tablet goes on working, says on every screen that it must be enrolled again, takes the
// coordination's new code on the spot under the same id, and what it did meanwhile reaches
// central.
import { Accounts } from '../../src/server/auth';
import { expect, test } from './support/fixtures';
import { enrolmentCode } from './support/server';
import { checkInWalkIn, go, synced } from './support/steps';

test.use({ scenario: 't' });

test('t — a tablet central no longer knows enrols again and sends its work', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const { org } = demo;
  const reception = await devices.enrol('reception');
  const central = site.requireCentral();
  const accounts = new Accounts(central.store);
  const tablet = (await accounts.credentials(org)).find((c) => c.profile === 'reception');
  expect(tablet, 'the tablet’s credential at central').toBeDefined();
  // What a restore from an older backup does to it.
  expect(await central.store.deleteMeta(`cred:${tablet!.deviceId}`)).toBe(true);

  // Its next sync (each page load starts one) finds no server that knows it — once central's
  // cache of credentials (10 s) has let it go; a restarted central has none.
  const banner = reception.getByRole('alert', { name: 'Cet appareil doit être enrôlé à nouveau' });
  await expect
    .poll(
      async () => {
        await go(reception, `${origin}/appareil`);
        return banner.isVisible({ timeout: 3_000 }).catch(() => false);
      },
      { message: 'the tablet asks to be enrolled again', timeout: 60_000, intervals: [2_000] },
    )
    .toBe(true);
  await shot(reception, 'rejoin-asked');
  // The tablet goes on working; the check-in waits on it meanwhile.
  const entries = async () => (await central.store.rows(org, 'queueEntry')).length;
  const before = await entries();
  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  await expect(banner).toBeVisible();
  expect(await entries(), 'central does not hold the check-in yet').toBe(before);

  const code = await enrolmentCode(central, org, 'reception', null, 'Tablette de l’accueil');
  await banner.getByLabel('Code d’enrôlement').fill(code);
  await banner.getByRole('button', { name: 'Enrôler à nouveau' }).click();
  await expect(banner).toHaveCount(0);
  // Unlocked (its sealed audit records leave with the key), the tablet sends what waited.
  await go(reception, `${origin}/accueil`);
  await synced(reception);
  await shot(reception, 'rejoin-done');
  expect((await accounts.credentials(org)).map((c) => c.deviceId)).toContain(tablet!.deviceId);
  await expect
    .poll(entries, {
      message: 'the check-in typed while unrecognised reaches central',
      timeout: 30_000,
    })
    .toBe(before + 1);
  console.log(`t: ${ticket} reached central after ${tablet!.deviceId} enrolled again`);
});
