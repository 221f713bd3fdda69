// The sync endpoint over real HTTP on loopback, with SQLite and with PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

async function sync(server: TestServer, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await authHeader(server, String(body.deviceId))),
    },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      since: 0,
      ops: [],
      ...body,
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as SyncResponse & { error?: string; message?: string },
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`POST /api/sync (${kind})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: kind, bodyLimit: 64 * 1024 });
    });
    afterAll(() => server.close());

    it('pushes and pulls in one round trip, acknowledging the device’s ops', async () => {
      const a = new TestDevice('http-a');
      const b = new TestDevice('http-b');
      const pushA = await sync(server, { deviceId: 'http-a', ops: a.batch(3, 'rt') });
      expect(pushA.status).toBe(200);
      expect(pushA.body.accepted).toBe(3);
      expect(pushA.body.ops).toEqual([]);
      expect(pushA.body.serverTime).toBeGreaterThan(0);
      expect(pushA.body.digest).toBeUndefined(); // only on demand: it reads every row
      const pullB = await sync(server, {
        deviceId: 'http-b',
        ops: b.batch(1, 'rt'),
        digest: true,
      });
      expect(pullB.body.ops.map((x) => x.op.dev)).toEqual(['http-a', 'http-a', 'http-a']);
      expect(pullB.body.lastSeq).toBe(4);
      expect(pullB.body.digest).toMatch(/^[0-9a-f]{64}$/);
    });

    it('treats a retried request as the same push', async () => {
      const d = new TestDevice('http-retry');
      const ops = d.batch(2, 'retry');
      const first = await sync(server, { deviceId: d.dev, ops });
      const second = await sync(server, { deviceId: d.dev, ops });
      expect(second.body.accepted).toBe(2);
      expect(second.body.lastSeq).toBe(first.body.lastSeq);
    });

    it('answers 426 update_required to a client below the minimum protocol', async () => {
      const res = await sync(server, { deviceId: 'old', protocol: 0 });
      expect(res.status).toBe(426);
      expect(res.body.error).toBe('update_required');
      expect(res.body.message).toMatch(/mettez l’application à jour/);
    });

    it('answers 400 and stores nothing when one op of the batch is invalid', async () => {
      const d = new TestDevice('http-bad');
      const before = await server.store.lastSeq(ORG);
      const bad: Op = { ...d.rename('x', 'x'), f: 'colour' };
      const res = await sync(server, { deviceId: d.dev, ops: [...d.batch(2, 'bad'), bad] });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_op');
      expect(res.body.message).toMatch(/colour/);
      expect(await server.store.lastSeq(ORG)).toBe(before);
    });

    it('refuses an RPPS number whose key is wrong (400, nothing stored) and stores a valid one', async () => {
      const d = new TestDevice('http-rpps');
      const before = await server.store.lastSeq(ORG);
      const rpps = (val: string): Op => ({
        ...d.rename('staff-rpps', 'x'),
        e: 'staff',
        f: 'rpps',
        val,
      });
      const bad = await sync(server, { deviceId: d.dev, ops: [rpps('10100050075')] });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_op');
      expect(bad.body.message).toMatch(/rpps.*Numéro RPPS invalide \(clé de contrôle\)/);
      expect(await server.store.lastSeq(ORG)).toBe(before);
      const good = await sync(server, { deviceId: d.dev, ops: [rpps('10100050078')] });
      expect(good.status).toBe(200);
      expect(await server.store.lastSeq(ORG)).toBe(before + 1);
    });

    it('answers 400 invalid_request to a malformed body and to unknown entities', async () => {
      expect((await sync(server, { deviceId: 'x', since: -1 })).body.error).toBe('invalid_request');
      const raw = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{not json',
      });
      expect(raw.status).toBe(400);
      const d = new TestDevice('http-unknown');
      const unknown = await sync(server, {
        deviceId: d.dev,
        ops: [{ ...d.rename('x', 'x'), e: 'rocket' }],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/rocket/);
    });

    it('answers 413 to an oversized body', async () => {
      const d = new TestDevice('http-big');
      const res = await sync(server, { deviceId: d.dev, ops: d.batch(400, 'big') });
      expect(res.status).toBe(413);
      expect(res.body.error).toBe('too_large');
      expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
    });

    it('pokes listeners of the live channel after a push', async () => {
      const controller = new AbortController();
      const { authorization } = await authHeader(server, 'http-poke');
      const res = await fetch(`${server.url}/api/events`, {
        signal: controller.signal,
        headers: { authorization },
      });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.getReader();
      const d = new TestDevice('http-poke');
      await sync(server, { deviceId: d.dev, ops: d.batch(1, 'poke') });
      let text = '';
      while (!text.includes('event: poke'))
        text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/data: \{"lastSeq":\d+\}/);
      controller.abort();
    });

    it('answers health with versions, store kind and role', async () => {
      const health = await (await fetch(`${server.url}/api/health`)).json();
      expect(health).toMatchObject({
        status: 'ok',
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        store: kind,
        role: 'central',
      });
    });
  });
}

describe('cross-origin use of a sync server (relay on the truck’s Wi-Fi)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['https://escale.example'] });
  });
  afterAll(() => server.close());

  it('answers CORS and Private Network Access preflights for the app’s origin', async () => {
    const res = await fetch(`${server.url}/api/sync`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://escale.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
        'Access-Control-Request-Private-Network': 'true',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://escale.example');
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('gives no CORS permission to another origin', async () => {
    const res = await fetch(`${server.url}/api/health`, {
      headers: { Origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
