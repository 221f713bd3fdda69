// A device the coordination withdrew (a lost tablet) is refused at its next contact with a
// clear reason, and nothing it sends is stored; the other devices go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

async function sync(server: TestServer, deviceId: string, ops: Op[]) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeader(server, deviceId)) },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId,
      since: 0,
      ops,
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
}

/** The coordinator's ops withdrawing `target`: a device row with revoked = true. */
function withdrawal(target: string): Op[] {
  let clock = createClock('coordination');
  const fields: Record<string, unknown> = {
    orgId: ORG,
    name: 'Tablette accueil',
    profile: 'reception',
    roomId: null,
    enrolledAt: '2026-11-01T08:00:00.000Z',
    revoked: true,
  };
  return Object.entries(fields).map(([f, val], i) => {
    const t = tick(clock, Date.now());
    clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org: ORG,
      dev: 'coordination',
      seq: i + 1,
      hlc: t.hlc,
      e: 'device',
      id: target,
      f,
      k: 'set',
      val,
      base: [],
    };
  });
}

describe('a withdrawn device', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('syncs until withdrawn, then gets 403 revoked and nothing it sends is stored', async () => {
    const lost = new TestDevice('lost-tablet');
    expect((await sync(server, 'lost-tablet', lost.batch(2, 'before'))).status).toBe(200);
    expect((await sync(server, 'coordination', withdrawal('lost-tablet'))).status).toBe(200);
    const before = await server.store.lastSeq(ORG);
    const refused = await sync(server, 'lost-tablet', lost.batch(3, 'after'));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: 'revoked',
      message: 'Cet appareil a été retiré par la coordination : ses données locales sont effacées.',
    });
    expect(await server.store.lastSeq(ORG)).toBe(before);
    expect(await server.store.contiguous(ORG, 'lost-tablet')).toBe(2);
    // Every other route refuses it too (its live channel, its digest).
    const events = await fetch(`${server.url}/api/digest`, {
      headers: await authHeader(server, 'lost-tablet'),
    });
    expect(events.status).toBe(403);
  });

  it('leaves the other devices alone', async () => {
    const other = new TestDevice('box-1');
    expect((await sync(server, 'box-1', other.batch(1, 'ok'))).status).toBe(200);
  });
});
