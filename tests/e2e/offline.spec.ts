// Scenario b: offline after a first visit. Four devices are enrolled; central goes away and the
// network is cut; every device boots from its service worker and shows every screen of its
// profile with the data it holds; back online, what they did offline reaches central.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { dataShown, go, home, type Profile, rendered, routes, synced } from './support/steps';

test.use({ scenario: 'b' });

test('b — offline after a first visit, then back online', async ({ site, devices, shot }) => {
  const { demo, origin } = site;
  const { org, roomId } = demo;
  const profiles: Profile[] = ['reception', 'room', 'coordination', 'display'];
  const pages: Page[] = [];
  for (const profile of profiles) pages.push(await devices.enrol(profile));
  const before = await site.requireCentral().store.digest(org);

  await site.stopCentral();
  for (const page of pages) await page.context().setOffline(true);
  for (const [i, profile] of profiles.entries()) {
    const page = pages[i]!;
    await test.step(`the ${profile} device, offline, on every screen of its profile`, async () => {
      await go(page, `${origin}${home(profile, demo)}`);
      await rendered(page, `${profile} (offline reload)`);
      for (const [name, path] of routes(roomId).filter(([, , p]) => p === profile)) {
        await go(page, `${origin}${path}`);
        await rendered(page, `${name} (offline)`);
        await dataShown(page, name, demo);
        await shot(page, `offline-${name}`);
      }
    });
  }

  await test.step('back online, what the devices did offline reaches central', async () => {
    const central = await site.startCentral();
    for (const page of pages) await page.context().setOffline(false);
    const reception = pages[0]!;
    await reception.goto(`${origin}/appareil`);
    // Locked, the tablet sends what it can; its sealed work (the offline unlocks' audit) waits,
    // and the header says what would send it.
    await expect(
      reception.locator('.sync-indicator', { hasText: 'déverrouillez l’appareil' }).first(),
    ).toBeVisible();
    await shot(reception, 'online-appareil-locked');
    await go(reception, `${origin}${home('reception', demo)}`);
    await synced(reception);
    await reception.goto(`${origin}/appareil`);
    await synced(reception);
    await shot(reception, 'online-appareil');
    // Each unlock is audited: the offline ones reach central and change its digest.
    await expect
      .poll(
        async () =>
          (await central.store.rows(org, 'audit')).some((a) => a.action === 'session.unlock'),
        { message: 'an unlock audited at central', timeout: 60_000 },
      )
      .toBe(true);
    await expect
      .poll(() => central.store.digest(org), { message: 'central’s digest moved', timeout: 60_000 })
      .not.toBe(before);
  });
});
