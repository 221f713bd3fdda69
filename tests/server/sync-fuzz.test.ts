// Fuzzing the sync endpoint over real HTTP (issue 8): random malformed payloads — arbitrary JSON,
// valid requests with one part broken, ops with random fields, garbage bodies — never get a 5xx,
// never store part of a batch, and never stop the server from serving the next request.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const RUNS = 150;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`fuzzing POST /api/sync (${kind})`, () => {
    let server: TestServer;
    const device = new TestDevice('fuzz-good');

    beforeAll(async () => {
      server = await startTestServer({ store: kind, bodyLimit: 64 * 1024 });
      // Some state to protect: a few valid ops first.
      const res = await post(JSON.stringify(request(device.batch(3, 'base'))));
      expect(res.status).toBe(200);
    });
    afterAll(() => server.close());

    function request(ops: unknown[], extra: Record<string, unknown> = {}) {
      return {
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org: ORG,
        deviceId: 'fuzz-good',
        since: 0,
        ops,
        ...extra,
      };
    }

    async function post(body: string, type = 'application/json', deviceId = 'fuzz-good') {
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': type, ...(await authHeader(server, deviceId)) },
        body,
      });
      const text = await res.text();
      return { status: res.status, text };
    }

    /** Runs `body`, then checks the server answered without a 5xx and stored nothing new. */
    async function refusedCleanly(body: string, type?: string, deviceId?: string) {
      const before = await server.store.lastSeq(ORG);
      const res = await post(body, type, deviceId);
      expect(res.status, res.text).toBeLessThan(500);
      if (res.status !== 200) {
        expect(await server.store.lastSeq(ORG)).toBe(before);
        // Every refusal is a JSON error with a French message for the user.
        const parsed = JSON.parse(res.text) as { error?: string; message?: string };
        expect(typeof parsed.error).toBe('string');
        expect(typeof parsed.message).toBe('string');
      }
      return res.status;
    }

    const anyValue = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.array(fc.jsonValue(), { maxLength: 4 }),
    );

    it('answers arbitrary JSON with a 4xx, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const status = await refusedCleanly(JSON.stringify(value));
          return status >= 400;
        }),
        { numRuns: RUNS },
      );
    });

    it('refuses a request with one top-level field broken', async () => {
      const fields = [
        'protocol',
        'schema',
        'org',
        'deviceId',
        'since',
        'ops',
        'maxBytes',
        'status',
      ];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), anyValue, async (field, value) => {
          await refusedCleanly(JSON.stringify(request([], { [field]: value })));
          return true;
        }),
        { numRuns: RUNS },
      );
    });

    it('stores nothing of a batch where one op has a random field, value or kind', async () => {
      const opFields = [
        'v',
        'org',
        'dev',
        'seq',
        'hlc',
        'e',
        'id',
        'f',
        'k',
        'val',
        'base',
        'tags',
        'user',
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.constantFrom(...opFields),
          anyValue,
          async (n, field, value) => {
            const writer = new TestDevice(`fuzz-${Math.random().toString(36).slice(2, 10)}`);
            const ops: Op[] = writer.batch(n, 'fz');
            const broken = { ...ops[n - 1], [field]: value } as Record<string, unknown>;
            const status = await refusedCleanly(
              JSON.stringify(request([...ops.slice(0, n - 1), broken], { deviceId: writer.dev })),
              'application/json',
              writer.dev,
            );
            if (status !== 200) {
              // Nothing of the batch is in the log; the refused op alone may be quarantined
              // (counted as held), so only a batch of one can show as held.
              expect(await server.store.contiguous(ORG, writer.dev)).toBeLessThanOrEqual(
                n === 1 ? 1 : 0,
              );
            }
            return true;
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('refuses garbage bodies and wrong content types without failing', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 300 }),
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          async (body, type) => {
            await refusedCleanly(body, type);
            return true;
          },
        ),
        { numRuns: RUNS },
      );
      // Too large: a 413 with a clear message, nothing stored.
      const huge = JSON.stringify(request([{ pad: 'x'.repeat(70 * 1024) }]));
      expect(await refusedCleanly(huge)).toBe(413);
    });

    it('still serves a valid sync after all that', async () => {
      const res = await post(
        JSON.stringify(request(device.batch(2, 'after'), { deviceId: device.dev })),
      );
      expect(res.status).toBe(200);
      expect(await server.store.contiguous(ORG, device.dev)).toBe(5);
    });
  });
}

// The relay path (issue #20, item 3): fuzzed ops pushed to a SQLite relay never stop the
// forwarding of other devices' ops to a PostgreSQL central, neither server answers a 5xx, and a
// relay's own batches with a fuzzed op are refused whole or have that op set apart at central.
describe('fuzzing through a SQLite relay to a PostgreSQL central', () => {
  let central: TestServer;
  let relay: TestServer;
  let link: Link;
  const good = new TestDevice('fuzz-steady');

  beforeAll(async () => {
    central = await startTestServer({ store: 'postgres' });
    link = await startLink(central.url);
    relay = await startTestServer({
      store: 'sqlite',
      upstream: link.url,
      relayCredential: await relayCredential(central),
      relayIntervalMs: 100,
    });
    await authHeader(central, good.dev);
    await relay.relay!.refreshCredentials();
  });
  afterAll(async () => {
    await relay.close();
    await link.close();
    await central.close();
  });

  const opFields = ['v', 'seq', 'id', 'e', 'f', 'k', 'val', 'base', 'tags', 'user', 'hlc'];
  const poison = fc.oneof(
    fc.constant(2 ** 31),
    fc.constant('a\u0000b'),
    fc.constant({ k: '\u0000' }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.integer(),
    fc.double(),
    fc.jsonValue(),
  );

  it('forwards every good op to central whatever the fuzzed ones around them', async () => {
    const writers = Array.from({ length: 3 }, (_, i) => new TestDevice(`fuzz-relay-${i}`));
    for (const w of writers) await authHeader(central, w.dev);
    await relay.relay!.refreshCredentials();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(...opFields),
        poison,
        async (which, field, value) => {
          const w = writers[which]!;
          const [op] = w.batch(1, 'fz');
          const broken = { ...op, [field]: value };
          for (const target of [relay, central]) {
            const res = await fetch(`${target.url}/api/sync`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(await authHeader(central, w.dev)),
              },
              body: JSON.stringify({
                protocol: PROTOCOL_VERSION,
                schema: SCHEMA_VERSION,
                org: ORG,
                deviceId: w.dev,
                since: 0,
                ops: [broken],
              }),
            });
            expect(res.status, await res.text()).toBeLessThan(500);
          }
          // Meanwhile another device's work goes through the relay.
          const steady = await fetch(`${relay.url}/api/sync`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(await authHeader(central, good.dev)),
            },
            body: JSON.stringify({
              protocol: PROTOCOL_VERSION,
              schema: SCHEMA_VERSION,
              org: ORG,
              deviceId: good.dev,
              since: 0,
              ops: good.batch(1, 'steady'),
            }),
          });
          expect(steady.status).toBe(200);
          sent++;
          return true;
        },
      ),
      { numRuns: 60 },
    );
    // Passes at once (a slow answer under load leaves the relay in its backoff): what is asserted
    // is that every good op arrives and the relay ends without error, not how soon it retries.
    await vi.waitFor(
      async () => {
        await relay.relay!.syncNow(true);
        expect(await central.store.contiguous(ORG, good.dev)).toBe(sent);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(relay.relay!.status.lastError).toBeNull();
    // What the relay accepted of the fuzzed writers reached central too (held or set apart).
    // Central may hold more: each fuzzed op was also sent to it directly, and an op signed by a
    // person the relay does not know waits on the device (session_required: the relay may be
    // behind central's team) where central, which knows the team, sets it apart.
    // Passes at once (a slow answer under load may have left the relay in its backoff): what is
    // asserted is that nothing it accepted stays behind, not how soon it retries.
    await vi.waitFor(
      async () => {
        await relay.relay!.syncNow(true);
        const upstream = await relay.store.upstreamHeld(ORG);
        for (const w of writers) {
          expect(upstream.get(w.dev) ?? 0).toBeGreaterThanOrEqual(
            await relay.store.contiguous(ORG, w.dev),
          );
        }
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it('answers a relay’s batch with one fuzzed op by a 4xx or by setting it apart, never a 5xx', async () => {
    // What a relay of another version might forward: central on PostgreSQL refuses a malformed
    // request whole, storing nothing, and quarantines a well-formed op it refuses, keeping the
    // rest of the batch.
    const other = await relayCredential(central);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${other.token}` };
    const steady = new TestDevice('fuzz-forwarded');
    const odd = new TestDevice('fuzz-forwarded-odd');
    for (const d of [steady, odd]) await authHeader(central, d.dev, { profile: 'reception' });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...opFields), poison, async (field, value) => {
        const [good] = steady.batch(1, 'fwd');
        const [op] = odd.batch(1, 'fwd');
        const broken = { ...op, [field]: value };
        const before = await central.store.lastSeq(ORG);
        const res = await fetch(`${central.url}/api/sync`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            org: ORG,
            deviceId: other.relayId,
            since: 0,
            ops: [good, broken],
            maxBytes: 1024,
          }),
        });
        const text = await res.text();
        expect(res.status, text).toBeLessThan(500);
        const held = await central.store.heldKeys(ORG, [good!]);
        if (res.status === 200) {
          expect(held.has(`${good!.dev}#${good!.seq}`), text).toBe(true);
        } else {
          expect(JSON.parse(text)).toMatchObject({
            error: expect.any(String),
            message: expect.any(String),
          });
          expect(await central.store.lastSeq(ORG)).toBe(before);
          // A later, whole batch goes through: the refusal held nothing back.
          steady.seq--;
          odd.seq--;
        }
        return true;
      }),
      { numRuns: 60 },
    );
    // Every good op of the forwarded device is held at central.
    expect(await central.store.contiguous(ORG, steady.dev)).toBe(steady.seq);
  });
});
