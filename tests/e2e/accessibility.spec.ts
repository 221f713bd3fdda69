// Scenario e: axe-core on every screen — the enrolment, the sign-in, the lock screen, then every
// route on a device of its profile — with no serious or critical violation.
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { enrolmentCode } from './support/server';
import {
  axe,
  enrolled,
  go,
  PERSON,
  type Profile,
  rendered,
  routes,
  signIn,
  synced,
  type Violation,
  waitForPerson,
} from './support/steps';

test.use({ scenario: 'e' });

test('e — no serious or critical axe violation on any screen', async ({ site, devices, shot }) => {
  const { demo, origin } = site;
  const violations: Violation[] = [];

  await test.step('enrolment, sign-in and lock screen of a reception tablet', async () => {
    // The enrolment screen, before the device belongs to anyone.
    const first = await devices.fresh();
    await first.goto(origin);
    await expect(first.getByLabel('Code d’enrôlement')).toBeVisible();
    await shot(first, 'enrolment');
    violations.push(...(await axe(first, 'enrolment')));
    const code = await enrolmentCode(site.requireCentral(), demo.org, 'reception');
    await first.getByLabel('Code d’enrôlement').fill(code);
    await first.getByRole('button', { name: 'Enrôler cet appareil' }).click();
    await enrolled(first);
    await synced(first);
    await first.goto(`${origin}/accueil`);
    await waitForPerson(first, PERSON.reception);
    await shot(first, 'sign-in');
    violations.push(...(await axe(first, 'sign-in')));
    await signIn(first, PERSON.reception, shot, 'reception');
    await first.reload();
    await expect(first.getByLabel('Code personnel')).toBeVisible();
    await shot(first, 'lock');
    violations.push(...(await axe(first, 'lock')));
  });

  // Every screen, on a device of its profile.
  const byProfile = new Map<Profile, Page>();
  for (const [name, path, profile] of routes(demo.roomId)) {
    await test.step(`${name} (${path})`, async () => {
      let page = byProfile.get(profile);
      if (!page) {
        page = await devices.enrol(profile);
        byProfile.set(profile, page);
      }
      await go(page, `${origin}${path}`);
      await rendered(page, name);
      await synced(page);
      await shot(page, name);
      violations.push(...(await axe(page, name)));
    });
  }
  expect(violations, 'serious or critical accessibility violations').toEqual([]);
});
