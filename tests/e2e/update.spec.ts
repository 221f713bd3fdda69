// Scenario d: a new version is deployed while a note is half typed; the user keeps typing and
// accepts the update at once: the reload waits for the save and the note is intact.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './support/fixtures';
import { call, checkInWalkIn, takeIn, unlock } from './support/steps';

test.use({ scenario: 'd' });

test('d — an update applied over a half-typed note', async ({ site, devices, shot }) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  const page = await devices.enrol('room');
  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  await call(page, origin, demo, ticket, shot);
  await takeIn(page, shot);
  const subjective = page.getByRole('textbox', { name: /^S — Subjectif/ });
  await subjective.pressSequentially('Toux depuis tr', { delay: 20 });
  await shot(page, 'room-note-half-typed');

  const next = mkdtempSync(join(tmpdir(), 'escale-next-'));
  try {
    await test.step('a new version is deployed: same app, a new service worker', async () => {
      cpSync('dist', next, { recursive: true });
      appendFileSync(join(next, 'sw.js'), `\n// déploiement ${Date.now()}\n`);
      await site.stopCentral();
      await site.startCentral(next);
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
      await expect(page.getByText('Nouvelle version disponible')).toBeVisible({ timeout: 60_000 });
      await shot(page, 'room-update-offered');
    });

    await test.step('the user keeps typing and accepts the update at once', async () => {
      await subjective.pressSequentially('ois jours', { delay: 20 });
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await page.getByRole('button', { name: 'Mettre à jour' }).click();
      await reloaded;
      await unlock(page); // a reloaded page opens locked
      // The reload waited for the save: the whole sentence is in the note.
      await expect(page.getByRole('textbox', { name: /^S — Subjectif/ })).toHaveValue(
        'Toux depuis trois jours',
      );
      await expect(page.getByText('Nouvelle version disponible')).toHaveCount(0);
      await shot(page, 'room-note-after-update');
    });
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
});
