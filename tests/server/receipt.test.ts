// The server's side of the day's closure over real HTTP: central's proof of a stop's day, a relay
// that vouches only once central holds the same day, and the devices a server has heard from.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dayProof, type ServerProof } from '../../src/domain/closure';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { PARTNER_ORIGIN } from '../../src/server/partner-tasks';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { isOriginOf } from '../../src/sync/origins';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-11-30';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const ops = rowsToOps(org, 'tablette-accueil', demo.data);
const stopId = demo.todayStopId;

function statesOf(list: readonly Op[]): RowState[] {
  const map = new Map<string, RowState>();
  for (const op of list)
    map.set(`${op.e}/${op.id}`, applyOp(map.get(`${op.e}/${op.id}`), op, entitySpec));
  return [...map.values()];
}

/** The demo day is pushed whole, as a relay forwards it (every entity, no per-op check). */
const TABLET = { org, profile: 'relay' } as const;

async function post(url: string, path: string, body: unknown, auth: { authorization: string }) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
}

async function push(url: string, auth: { authorization: string }, list: Op[], status?: unknown) {
  for (let i = 0; i < list.length; i += 2000) {
    const left = list.length - i;
    const res = await post(
      url,
      '/api/sync',
      {
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org,
        deviceId: 'tablette-accueil',
        since: 0,
        ops: list.slice(i, i + 2000),
        maxBytes: 1024,
        ...(status ? { status: { ...(status as object), pending: left } } : {}),
      },
      auth,
    );
    expect(res.status).toBe(200);
  }
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

describe('central’s proof of a day', () => {
  let central: TestServer;
  let tablet: { authorization: string };
  beforeAll(async () => {
    central = await startTestServer();
    tablet = await authHeader(central, 'tablette-accueil', TABLET);
    await push(central.url, tablet, ops, {
      pending: 0,
      appVersion: '0.1.0',
      profile: 'reception',
      lastError: null,
    });
  });
  afterAll(() => central.close());

  it('gives the day digest and row hashes a device computes from the same ops', async () => {
    const res = await post(central.url, '/api/receipt', { org, stopId }, tablet);
    expect(res.status).toBe(200);
    const proof = (await res.json()) as ServerProof;
    const local = dayProof(statesOf(ops), stopId, entitySpec);
    expect(proof.digest).toBe(local.digest);
    expect(proof.rows).toEqual(local.rows);
    expect(proof.relayDigest).toBeUndefined();
    // Besides the truck's devices, central names its own writer of the partners' tasks (the
    // day's validated notes produce some, in the background): never one of the truck's.
    expect(proof.devices.filter((d) => !isOriginOf(d.dev, PARTNER_ORIGIN))).toEqual([
      { dev: 'tablette-accueil', seq: ops.length, name: 'Test tablette-accueil' },
    ]);
  });

  it('refuses a malformed request and an unknown stop, in French', async () => {
    const bad = await post(central.url, '/api/receipt', { org }, tablet);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/reçu invalide/);
    const unknown = await post(central.url, '/api/receipt', { org, stopId: 'nulle-part' }, tablet);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/Escale inconnue/);
  });

  it('lists the devices it has heard from, with their report and the ops it holds', async () => {
    const coordination = await authHeader(central, 'coordination', { org });
    const res = await fetch(`${central.url}/api/devices`, { headers: coordination });
    const body = (await res.json()) as {
      devices: Record<string, unknown>[];
      enrolled: Record<string, unknown>[];
    };
    expect(body.devices).toEqual([
      expect.objectContaining({
        deviceId: 'tablette-accueil',
        pending: 0,
        appVersion: '0.1.0',
        profile: 'reception',
        lastError: null,
        accepted: ops.length,
        lastSyncAt: expect.any(Number),
      }),
    ]);
    expect(body.enrolled.map((d) => [d.deviceId, d.profile, d.revoked])).toEqual([
      ['tablette-accueil', 'relay', false],
      ['coordination', 'coordination', false],
    ]);
    // Only the coordination sees the device list.
    expect((await fetch(`${central.url}/api/devices`, { headers: tablet })).status).toBe(403);
    expect((await fetch(`${central.url}/api/devices`)).status).toBe(401);
  });
});

describe('a receipt asked of the truck’s relay', () => {
  let central: TestServer;
  let relay: TestServer;
  let link: Link;
  let tablet: { authorization: string };
  beforeAll(async () => {
    central = await startTestServer();
    link = await startLink(central.url);
    relay = await startTestServer({
      upstream: link.url,
      relayCredential: await relayCredential(central, org),
      relayIntervalMs: 100,
    });
    tablet = await authHeader(central, 'tablette-accueil', TABLET);
    await relay.relay!.refreshCredentials(); // the relay learns the tablet's credential
    link.cut();
    await push(relay.url, tablet, ops);
  });
  afterAll(async () => {
    await relay.close();
    await link.close();
    await central.close();
  });

  it('is refused with a clear reason while central is out of reach', async () => {
    const res = await post(relay.url, '/api/receipt', { org, stopId }, tablet);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /serveur central est injoignable/,
    );
  });

  it('once the link is back, forwards the day and answers with central’s proof and its own digest', async () => {
    link.restore();
    await until(
      async () => (await central.store.contiguous(org, 'tablette-accueil')) === ops.length,
      'central to hold the day',
    );
    const res = await post(relay.url, '/api/receipt', { org, stopId }, tablet);
    expect(res.status).toBe(200);
    const proof = (await res.json()) as ServerProof;
    expect(proof.relayDigest).toBe(proof.digest);
    expect(proof.digest).toBe(dayProof(statesOf(ops), stopId, entitySpec).digest);
    // Besides the truck's devices, central names its own writer of the partners' tasks (the
    // day's validated notes produce some, in the background): never one of the truck's.
    expect(proof.devices.filter((d) => !isOriginOf(d.dev, PARTNER_ORIGIN))).toEqual([
      { dev: 'tablette-accueil', seq: ops.length, name: 'Test tablette-accueil' },
    ]);
  });
});
