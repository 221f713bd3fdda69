// The truck's relay between devices and central, over real HTTP on loopback: devices sync with the
// relay with no coverage; the relay replicates with central whenever it can, resumes after a cut,
// and every replica converges to the same digest.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { authHeader, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

let central: TestServer;
let relay: TestServer;

/** A device enrolled at central syncs with `target` (central, or the relay once it knows it). */
async function sync(target: TestServer, device: TestDevice, ops = device.batch(0), since = 0) {
  const headers = await authHeader(central, device.dev);
  const res = await fetch(`${target.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId: device.dev,
      since,
      ops,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as SyncResponse;
}

/** Waits for `check` to hold, trying every 50 ms for up to 15_000 ms. */
function until(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: ms, interval: 50 },
  );
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`devices ↔ relay ↔ central (${kind})`, () => {
    let link: Link;

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      link = await startLink(central.url);
      relay = await startTestServer({
        store: 'sqlite',
        upstream: link.url,
        relayCredential: await relayCredential(central),
        relayIntervalMs: 100,
        relayPageBytes: 4096,
      });
      // Enrolled at the depot, while the relay could still reach central.
      await authHeader(central, 'reception');
      await authHeader(central, 'box-1');
      await relay.relay!.refreshCredentials();
      link.cut(); // the truck starts the day with no coverage
    });
    afterAll(async () => {
      await relay.close();
      await link.close();
      await central.close();
    });

    it('lets devices work together through the relay with central unreachable, then converges', async () => {
      const tablet = new TestDevice('reception');
      const laptop = new TestDevice('box-1');
      await sync(relay, tablet, tablet.batch(20, 'day'));
      const seen = await sync(relay, laptop, laptop.batch(5, 'day'));
      expect(seen.ops.filter((x) => x.op.dev === 'reception')).toHaveLength(20);
      expect(await central.store.lastSeq(ORG)).toBe(0);
      await until(async () => relay.relay!.status.lastError !== null, 'a failed attempt');
      expect(relay.relay!.status.reachable).toBe(false);
      expect(relay.relay!.status.lastError).toMatch(/Central injoignable/);
      expect(await central.store.lastSeq(ORG)).toBe(0);

      link.restore();
      await until(async () => (await central.store.lastSeq(ORG)) === 25, 'central to hold 25 ops');
      expect(await central.store.digest(ORG)).toBe(await relay.store.digest(ORG));
      // The status is set when the pass ends, just after central has committed the last page.
      await until(
        async () => relay.relay!.status.reachable,
        'the relay to report central reachable',
      );
      expect(relay.relay!.status.lastError).toBeNull();
    });

    it('brings central’s ops to the truck, and a device reaching central directly is harmless', async () => {
      const office = new TestDevice('office');
      await sync(central, office, office.batch(4, 'office'));
      const laptop = new TestDevice('box-2');
      const ops = laptop.batch(3, 'both');
      await sync(relay, laptop, ops);
      await sync(central, laptop, ops); // the same ops by the second path
      await until(
        async () => (await central.store.digest(ORG)) === (await relay.store.digest(ORG)),
        'relay and central to converge',
      );
      expect(await central.store.contiguous(ORG, 'box-2')).toBe(3);
      const total = await central.store.lastSeq(ORG);
      expect(total).toBe(25 + 4 + 3);
    });

    it('resumes after losing its upstream in the middle of a sync', async () => {
      const tablet = new TestDevice('reception-2');
      await sync(relay, tablet); // enrolled at central, recognised by the relay at once
      // The link drops after three pages of the relay's forwarding (about 16 ops a page).
      link.cutAfter(3);
      await sync(relay, tablet, tablet.batch(300, 'bulk'));
      await until(async () => !link.up, 'the link to drop mid-sync');
      await sync(relay, tablet, tablet.batch(10, 'more'));
      await until(async () => !relay.relay!.status.reachable, 'the relay to notice the cut');
      const midway = await central.store.contiguous(ORG, 'reception-2');
      expect(midway).toBeGreaterThan(0);
      expect(midway).toBeLessThan(300);
      link.restore();
      await until(
        async () => (await central.store.contiguous(ORG, 'reception-2')) === 310,
        'central to hold every op of the tablet',
      );
      await until(
        async () => (await central.store.digest(ORG)) === (await relay.store.digest(ORG)),
        'digests to match',
      );
    });
  });
}
