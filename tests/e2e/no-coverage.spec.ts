// Scenario c: the truck with no coverage. Reception and the waiting-room screen are enrolled at
// the depot and sync through the truck's relay; central is unreachable the whole day; the check-in
// reaches the waiting-room screen through the relay alone; back in coverage, the relay hands the
// day over to central.
import { expect, test } from './support/fixtures';
import type { E2EServer } from './support/server';
import { checkInWalkIn, go, rendered, synced } from './support/steps';

test.use({ scenario: 'c' });

async function digestOf(server: E2EServer, org: string) {
  return { digest: await server.store.digest(org), lastSeq: await server.store.lastSeq(org) };
}

test('c — no coverage: the devices work through the relay alone', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const { org } = demo;
  // Morning at the depot: the relay fills up from central.
  const relay = await site.startRelay();
  const before = await digestOf(site.requireCentral(), org);
  await expect
    .poll(() => relay.store.digest(org), {
      message: 'the relay holds the organisation',
      timeout: 60_000,
    })
    .toBe(before.digest);
  // The tablets are enrolled at the depot and sync through the truck's relay; the person at
  // reception signs in through the relay (it holds the password hashes central gave it).
  const reception = await devices.enrol('reception', { relay: relay.url });
  const display = await devices.enrol('display', { relay: relay.url });

  // On the road: central is unreachable for the whole day.
  await site.stopCentral();
  await go(display, `${origin}/affichage`);
  await rendered(display, 'affichage (relay only)');
  await shot(display, 'display-relay-only');
  const ticket = await checkInWalkIn(reception, origin, demo, shot);
  // The waiting-room screen shows the ticket, carried by the relay alone.
  await expect(display.getByText(ticket, { exact: true })).toBeVisible();
  // The relay holds the check-in; central does not yet: the device says both, and keeps the ops.
  await synced(reception);
  await expect(reception.locator('.sync-indicator')).toContainText(
    'Synchronisé avec le relais du camion',
  );
  await expect(reception.locator('.sync-indicator')).toContainText('en attente du serveur central');
  await shot(reception, 'reception-synced-with-relay');
  await shot(display, 'display-ticket');

  await test.step('back in coverage: the relay hands the day over to central', async () => {
    const central = await site.startCentral();
    await expect
      .poll(
        async () => {
          const [c, r] = await Promise.all([digestOf(central, org), digestOf(relay, org)]);
          return { sameDigest: c.digest === r.digest, centralAdvanced: c.lastSeq > before.lastSeq };
        },
        { message: 'central holds what the truck did', timeout: 60_000 },
      )
      .toEqual({ sameDigest: true, centralAdvanced: true });
    // Central holds them now: the relay says so at the device's next sync, which lets them go.
    await expect
      .poll(
        async () => {
          await go(reception, `${origin}/appareil`);
          return reception.locator('.sync-indicator').textContent();
        },
        { message: 'the reception tablet no longer waits for central', timeout: 60_000 },
      )
      .not.toMatch(/relais|attente/);
    await shot(reception, 'reception-synced-after-central');
  });
  console.log(`c: ${ticket} checked in through the relay alone; central digest matches`);
});
