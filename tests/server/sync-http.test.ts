// The sync endpoint over real HTTP on loopback, with SQLite and with PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { encodeOps, isCompact, readAnswer } from '../../src/sync/envelope';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

/** Protocol 3 in both forms: `compact` encodes the ops (src/sync/envelope.ts) and reads the
 * compact answer, as the shipped clients do once a server said it speaks 3; `plain` sends protocol
 * 2's list, as a client's first request (and any older client) does. */
type Form = 'compact' | 'plain';

const syncer = (form: Form) =>
  async function sync(server: TestServer, body: Record<string, unknown>) {
    const ops = (body.ops ?? []) as Op[];
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
        ...body,
        ops: form === 'compact' ? encodeOps(ops) : ops,
      }),
    });
    const json = await res.json();
    if (res.ok) expect(isCompact(json.ops)).toBe(form === 'compact');
    return {
      status: res.status,
      body: readAnswer(json) as SyncResponse & { error?: string; message?: string },
    };
  };

for (const [kind, form] of [
  ['sqlite', 'compact'],
  ['postgres', 'compact'],
  ['sqlite', 'plain'],
] as const) {
  describe(`POST /api/sync (${kind}, ${form})`, () => {
    const sync = syncer(form);
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
      // The compact form carries ≈ 6 times as many ops in the same bytes.
      const n = form === 'compact' ? 3000 : 400;
      const res = await sync(server, { deviceId: d.dev, ops: d.batch(n, 'big') });
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

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`protocol 3 beside protocols 1 and 2 (${kind})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: kind });
    });
    afterAll(() => server.close());

    it('a protocol 2 client and a protocol 3 client write the same rows and converge', async () => {
      const old = new TestDevice('p2-old');
      const fresh = new TestDevice('p3-new');
      const compact = syncer('compact');
      const plain = syncer('plain');
      // Both write the same two rooms, concurrently.
      const oldPush = await plain(server, {
        protocol: 2,
        deviceId: old.dev,
        ops: [old.rename('p23-a', 'Ancien A'), old.rename('p23-b', 'Ancien B')],
      });
      expect(oldPush.status).toBe(200);
      const newPush = await compact(server, {
        deviceId: fresh.dev,
        ops: [fresh.rename('p23-a', 'Nouveau A'), fresh.rename('p23-b', 'Nouveau B')],
      });
      expect(newPush.body).toMatchObject({ accepted: 2, protocol: PROTOCOL_VERSION });
      // A reader of each protocol pulls everything: the same ops, whichever the envelope.
      const oldReader = await plain(server, { protocol: 2, deviceId: 'p2-reader', digest: true });
      const newReader = await compact(server, { deviceId: 'p3-reader', digest: true });
      expect(newReader.body.ops).toEqual(oldReader.body.ops);
      expect(newReader.body.lastSeq).toBe(oldReader.body.lastSeq);
      expect(
        newReader.body.ops.filter((x) => x.op.e === 'room' && x.op.id.startsWith('p23-')),
      ).toHaveLength(4);
      // Each writer pulls the other's ops and reaches the same state as the readers.
      const oldPull = await plain(server, { protocol: 2, deviceId: old.dev, digest: true });
      const newPull = await compact(server, { deviceId: fresh.dev, digest: true });
      expect(oldPull.body.ops.filter((x) => x.op.dev === fresh.dev)).toHaveLength(2);
      expect(newPull.body.ops.filter((x) => x.op.dev === old.dev)).toHaveLength(2);
      expect(new Set([oldReader, newReader, oldPull, newPull].map((r) => r.body.digest)).size).toBe(
        1,
      );
      expect(newReader.body.digest).toMatch(/^[0-9a-f]{64}$/);
      const rooms = await server.store.rowsByIds(ORG, 'room', ['p23-a', 'p23-b']);
      expect(rooms.map((r) => r.name).sort()).toEqual(['Nouveau A', 'Nouveau B']);
    });

    it('answers 400 naming the place of a compact batch that does not decode, storing nothing', async () => {
      const d = new TestDevice('p3-broken');
      const batch = encodeOps([...d.batch(2, 'broken')]);
      batch.r[1]!.o[0]!.d = 7;
      const before = await server.store.lastSeq(ORG);
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader(server, d.dev)) },
        body: JSON.stringify({
          protocol: 3,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: d.dev,
          since: 0,
          ops: batch,
        }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; message: string; details: unknown };
      expect(body.error).toBe('invalid_request');
      expect(body.message).toBe(
        'Requête de synchronisation invalide (ops.r.1.o.0.d) : enveloppe compacte illisible, appareil n° 7 absent de la table des appareils',
      );
      expect(body.details).toEqual({ path: 'ops.r.1.o.0.d' });
      expect(await server.store.lastSeq(ORG)).toBe(before);
      expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
    });

    it('validates decoded ops as any others: an op of another device’s clock is refused whole', async () => {
      const d = new TestDevice('p3-liar');
      const [good, bad] = d.batch(2, 'liar');
      const batch = encodeOps([good!, { ...bad!, e: 'rocket' }]);
      const res = await syncer('compact')(server, { deviceId: d.dev, ops: [] });
      expect(res.status).toBe(200);
      const refused = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader(server, d.dev)) },
        body: JSON.stringify({
          protocol: 3,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: d.dev,
          since: 0,
          ops: batch,
        }),
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { message: string }).message).toMatch(/rocket/);
      expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
    });

    it('answers a compact batch in protocol 2 with 400: the compact form is protocol 3’s', async () => {
      const d = new TestDevice('p2-compact');
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader(server, d.dev)) },
        body: JSON.stringify({
          protocol: 2,
          schema: SCHEMA_VERSION,
          org: ORG,
          deviceId: d.dev,
          since: 0,
          ops: encodeOps(d.batch(1, 'p2c')),
        }),
      });
      expect(res.status).toBe(400);
      expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
    });
  });
}
