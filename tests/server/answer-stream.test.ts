// Central's answers to a relay in a compression context of their own (docs/protocol.md, « A
// compression context across requests »; decision 0031): the relay offers its context on each
// sync request and long poll (`escale-answer-stream: <id>;<n>`), central continues it only if it
// is exactly where the relay says, and answers anything else without a context; the relay decodes
// only the piece it expects. An answer lost, a restart of central, an offer out of order: never a
// wrong decode, nothing lost or applied twice. Central is the real server on loopback (SQLite and
// PostgreSQL); the relay is the real Relay over its own SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import {
  ANSWER_STREAM_HEADER,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  StreamDecoder,
  StreamEncoders,
} from '../../src/server/body-stream';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { enrolledRelay } from '../support/relay';
import {
  freshPostgresDatabase,
  openTestStore,
  startTestServer,
  type TestServer,
} from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const LIMIT = 1024 * 1024;

describe('central’s answers in a context (the codec)', () => {
  const bodies = Array.from({ length: 6 }, (_, i) =>
    JSON.stringify({ page: i, ops: new TestDevice('answers').batch(30, `a${i}`) }),
  );

  it('decodes each piece exactly, and later pieces cost less than each answer alone', async () => {
    const encoders = new StreamEncoders();
    const decoder = new StreamDecoder('answer-ctx-1');
    const sizes: number[] = [];
    for (const body of bodies) {
      const piece = await encoders.encode('relay\nsync', parseOffer(decoder.offer), body);
      expect(piece).not.toBeNull();
      sizes.push(piece!.bytes.length);
      const out = await decoder.read(piece!.header, piece!.bytes, LIMIT);
      expect(out.toString('utf8')).toBe(body);
    }
    expect(decoder.offer).toBe('answer-ctx-1;6');
    const alone = bodies.map(
      (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
    );
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(sizes.slice(1))).toBeLessThan(sum(alone.slice(1)) * 0.8);
    encoders.closeAll();
    decoder.close();
  });

  it('answers an offer that is not where its context is without one, and forgets it', async () => {
    const encoders = new StreamEncoders();
    const key = 'relay\nsync';
    expect(await encoders.encode(key, { id: 'answer-ctx-2', n: 0 }, bodies[0]!)).not.toBeNull();
    // The relay did not read piece 0 whole and says 0 read (or a restart): a piece it lacks.
    expect(await encoders.encode(key, { id: 'answer-ctx-2', n: 2 }, bodies[1]!)).toBeNull();
    expect(encoders.size).toBe(0);
    // Unknown context (central restarted): without.
    expect(await encoders.encode(key, { id: 'answer-ctx-3', n: 4 }, bodies[1]!)).toBeNull();
    // A new one starts at 0, whatever came before.
    expect(await encoders.encode(key, { id: 'answer-ctx-4', n: 0 }, bodies[1]!)).not.toBeNull();
    expect(encoders.size).toBe(1);
    encoders.closeAll();
  });

  it('decodes nothing but the piece it expects, and nothing at all once broken', async () => {
    const encoders = new StreamEncoders();
    const decoder = new StreamDecoder('answer-ctx-5');
    const p0 = await encoders.encode('k', { id: 'answer-ctx-5', n: 0 }, bodies[0]!);
    const p1 = await encoders.encode('k', { id: 'answer-ctx-5', n: 1 }, bodies[1]!);
    // Piece 1 first (piece 0 lost on the way): refused, never decoded wrongly.
    await expect(decoder.read(p1!.header, p1!.bytes, LIMIT)).rejects.toThrow(/contexte/);
    // Broken: even the right piece is refused now (the relay offers a new context instead).
    await expect(decoder.read(p0!.header, p0!.bytes, LIMIT)).rejects.toThrow(/contexte/);
    // Another context's piece, or a piece without a label: refused.
    const other = new StreamDecoder('answer-ctx-6');
    await expect(other.read(p0!.header, p0!.bytes, LIMIT)).rejects.toThrow(/contexte/);
    const bare = new StreamDecoder('answer-ctx-5');
    await expect(bare.read(null, p0!.bytes, LIMIT)).rejects.toThrow(/contexte/);
    // A piece past the limit once decoded: refused.
    const big = new StreamDecoder('answer-ctx-7');
    const bomb = await encoders.encode('b', { id: 'answer-ctx-7', n: 0 }, ' '.repeat(4 * LIMIT));
    await expect(big.read(bomb!.header, bomb!.bytes, LIMIT)).rejects.toThrow();
    for (const d of [decoder, other, bare, big]) d.close();
    encoders.closeAll();
  });

  it('keeps one context per key, drops the idle ones and the oldest beyond its bound', async () => {
    let now = 0;
    const encoders = new StreamEncoders({ max: 2, idleMs: 1_000, now: () => now });
    const open = (key: string) => encoders.encode(key, { id: `answer-${key}-ctx`, n: 0 }, '{}');
    await open('a');
    now = 10;
    await open('b');
    now = 20;
    await open('c');
    expect(encoders.size).toBe(2);
    now = 2_000;
    await open('d');
    expect(encoders.size).toBe(1);
    encoders.closeAll();
  });
});

function parseOffer(offer: string) {
  const [id, n] = offer.split(';');
  return { id: id!, n: Number(n) };
}

interface Seen {
  path: string;
  offer: string | null;
  type: string;
  piece: string | null;
}

type Sabotage = 'none' | 'cut-answer' | 'stale-offer';

describe.each(['sqlite', 'postgres'] as const)(
  'a relay reads central’s answers in a context (%s)',
  (kind) => {
    let central: TestServer;
    let where: { sqliteFile?: string; databaseUrl?: string };
    let dir: string;
    const cleanups: (() => Promise<void> | void)[] = [];
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'escale-answers-'));
      where =
        kind === 'sqlite'
          ? { sqliteFile: join(dir, 'central.sqlite') }
          : { databaseUrl: await freshPostgresDatabase() };
      central = await startTestServer({ store: kind, ...where });
    });
    afterAll(async () => {
      await central.close();
      rmSync(dir, { recursive: true, force: true });
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    /** A real Relay on its own SQLite, its requests to central watched (and broken on demand). */
    async function startRelay() {
      const { store, cleanup } = await openTestStore('sqlite');
      const seen: Seen[] = [];
      const state = { sabotage: 'none' as Sabotage };
      const relay = await enrolledRelay(central, store, {
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const path = new URL(String(input)).pathname;
          const headers = new Headers(init?.headers);
          const mode = state.sabotage;
          const offer = headers.get(ANSWER_STREAM_HEADER);
          if (mode === 'stale-offer' && offer) {
            // As if the relay said a piece central is not at (central must answer without).
            state.sabotage = 'none';
            const { id, n } = parseOffer(offer);
            headers.set(ANSWER_STREAM_HEADER, `${id};${n + 3}`);
          }
          const res = await fetch(input, { ...init, headers });
          const type = res.headers.get('content-type') ?? '';
          seen.push({
            path,
            offer: headers.get(ANSWER_STREAM_HEADER),
            type,
            piece: res.headers.get(STREAM_HEADER),
          });
          if (mode === 'cut-answer' && path === '/api/sync' && type === STREAM_BODY_TYPE) {
            // The link drops mid-answer: half the piece arrives, then the connection fails.
            state.sabotage = 'none';
            const bytes = new Uint8Array(await res.arrayBuffer());
            const body = new ReadableStream<Uint8Array>({
              start(c) {
                c.enqueue(bytes.subarray(0, bytes.length >> 1));
                c.error(new TypeError('terminated: le lien 4G est coupé'));
              },
            });
            return new Response(body, { status: res.status, headers: res.headers });
          }
          return res;
        }) as typeof fetch,
      });
      cleanups.push(async () => {
        await relay.stop();
        await store.close();
        cleanup();
      });
      return { relay, store, seen, state };
    }

    /** Ops another device gave central directly: what the relay's answers bring to the truck. */
    async function atCentral(dev: TestDevice, n: number, prefix: string) {
      await central.store.push(ORG, dev.batch(n, prefix));
    }

    const syncs = (seen: Seen[]) => seen.filter((s) => s.path === '/api/sync');

    it('decodes central’s sync answers in order and holds every op exactly once', async () => {
      const { relay, store, seen } = await startRelay();
      const clinic = new TestDevice(`answers-clinic-${kind}`);
      const truck = new TestDevice(`answers-truck-${kind}`);
      await authHeader(central, truck.dev);
      for (let i = 0; i < 4; i++) {
        await atCentral(clinic, 15, `c${i}`);
        await store.push(ORG, truck.batch(5, `t${i}`));
        await relay.syncNow(true);
        expect(relay.status.lastError).toBeNull();
      }
      const inContext = syncs(seen).filter((s) => s.type === STREAM_BODY_TYPE);
      // The first answer offers it; from the second on, one context, its pieces in order.
      expect(syncs(seen)[0]!.offer).toBeNull();
      expect(inContext.length).toBeGreaterThanOrEqual(3);
      const [id] = inContext[0]!.piece!.split(';');
      expect(inContext.map((s) => s.piece)).toEqual(inContext.map((_, i) => `${id};${i}`));
      expect(await store.contiguous(ORG, clinic.dev)).toBe(60);
      expect(await central.store.contiguous(ORG, truck.dev)).toBe(20);
      const clinicOps = (await store.pull(ORG, 0, 100_000_000)).ops.filter(
        (o) => o.op.dev === clinic.dev,
      );
      expect(clinicOps).toHaveLength(60);
    });

    it('after an answer cut mid-way, offers a new context, and loses or repeats nothing', async () => {
      const { relay, store, seen, state } = await startRelay();
      const clinic = new TestDevice(`answers-cut-clinic-${kind}`);
      const truck = new TestDevice(`answers-cut-truck-${kind}`);
      await authHeader(central, truck.dev);
      await atCentral(clinic, 10, 'a');
      await relay.syncNow(true);
      await atCentral(clinic, 10, 'b');
      await relay.syncNow(true);
      const before = syncs(seen).length;
      state.sabotage = 'cut-answer';
      await atCentral(clinic, 10, 'c');
      await store.push(ORG, truck.batch(10, 'x'));
      await relay.syncNow(true);
      // The pass failed on the cut answer: the relay's checkpoint did not move.
      expect(relay.status.lastError).toMatch(/coupé|terminated/);
      await relay.syncNow(true);
      expect(relay.status.lastError).toBeNull();
      const after = syncs(seen).slice(before);
      const cut = after[0]!;
      const next = after[1]!;
      expect(cut.type).toBe(STREAM_BODY_TYPE);
      // It said so: the cut context is not offered again; a new one starts at 0, answered in it.
      expect(parseOffer(next.offer!).id).not.toBe(parseOffer(cut.offer!).id);
      expect(parseOffer(next.offer!).n).toBe(0);
      expect(next.type).toBe(STREAM_BODY_TYPE);
      expect(next.piece).toBe(next.offer);
      // Central had stored the truck's ops of the cut exchange; sent again, stored once.
      expect(await central.store.contiguous(ORG, truck.dev)).toBe(10);
      expect(await store.contiguous(ORG, clinic.dev)).toBe(30);
      const clinicOps = (await store.pull(ORG, 0, 100_000_000)).ops.filter(
        (o) => o.op.dev === clinic.dev,
      );
      expect(clinicOps).toHaveLength(30);
    });

    it('answers an offer not where its context is without it, then resumes in a new one', async () => {
      const { relay, store, seen, state } = await startRelay();
      const clinic = new TestDevice(`answers-stale-${kind}`);
      await atCentral(clinic, 5, 'a');
      await relay.syncNow(true);
      await relay.syncNow(true);
      state.sabotage = 'stale-offer';
      await atCentral(clinic, 5, 'b');
      await relay.syncNow(true);
      await atCentral(clinic, 5, 'c');
      await relay.syncNow(true);
      expect(relay.status.lastError).toBeNull();
      const all = syncs(seen);
      const stale = all.findIndex(
        (s, i) => i > 0 && s.offer !== null && s.type !== STREAM_BODY_TYPE,
      );
      expect(stale).toBeGreaterThan(0);
      expect(all[stale]!.type).toMatch(/json/);
      // The next offer is a new context from 0, and central answers in it.
      const next = all[stale + 1]!;
      expect(parseOffer(next.offer!).n).toBe(0);
      expect(next.piece).toBe(next.offer);
      expect(await store.contiguous(ORG, clinic.dev)).toBe(15);
    });

    it('keeps the long poll’s answers in a context of their own', async () => {
      const { relay, seen } = await startRelay();
      await relay.syncNow(true); // learns that central answers in a context
      for (let i = 0; i < 3; i++) expect(await relay.watchOnce()).not.toBe('down');
      const waits = seen.filter((s) => s.path === '/api/relay/wait');
      expect(waits.every((w) => w.type === STREAM_BODY_TYPE)).toBe(true);
      const [id] = waits[0]!.piece!.split(';');
      expect(waits.map((w) => w.piece)).toEqual([`${id};0`, `${id};1`, `${id};2`]);
      // Not the sync answers' context: the two run side by side.
      const syncIds = new Set(syncs(seen).map((s) => s.piece?.split(';')[0]));
      expect(syncIds.has(id)).toBe(false);
    });

    it('after central restarted (its contexts lost), decodes nothing wrongly and resumes', async () => {
      const { relay, store, seen } = await startRelay();
      const clinic = new TestDevice(`answers-restart-${kind}`);
      await atCentral(clinic, 5, 'a');
      await relay.syncNow(true);
      await relay.syncNow(true);
      await relay.watchOnce();
      await relay.watchOnce();
      const port = Number(new URL(central.url).port);
      await central.close();
      central = await startTestServer({ store: kind, ...where, port });
      // Long enough for the relay's client to see its idle connection closed by the old central.
      await new Promise((r) => setTimeout(r, 300));
      const before = seen.length;
      await atCentral(clinic, 5, 'b');
      // The long poll offers its context's piece 2: central knows nothing of it, answers plain.
      const first = await relay.watchOnce();
      expect(first, relay.status.lastError ?? '').not.toBe('down');
      await relay.syncNow(true);
      await atCentral(clinic, 5, 'c');
      await relay.syncNow(true);
      expect(await relay.watchOnce()).not.toBe('down');
      expect(relay.status.lastError).toBeNull();
      const after = seen.slice(before);
      const waits = after.filter((s) => s.path === '/api/relay/wait');
      expect(parseOffer(waits[0]!.offer!).n).toBeGreaterThan(0);
      expect(waits[0]!.type).toMatch(/json/);
      // Then a new context, from piece 0.
      expect(waits[1]!.piece).toBe(waits[1]!.offer);
      expect(parseOffer(waits[1]!.offer!).n).toBe(0);
      expect(syncs(after).at(-1)!.type).toBe(STREAM_BODY_TYPE);
      expect(await store.contiguous(ORG, clinic.dev)).toBe(15);
    });

    it('leaves out of an answer in context only what its relay has no use for', async () => {
      const dev = new TestDevice(`answers-headers-${kind}`);
      const auth = await authHeader(central, dev.dev);
      const post = (offer?: string) =>
        fetch(`${central.url}/api/sync`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'accept-encoding': 'br',
            ...(offer ? { [ANSWER_STREAM_HEADER]: offer } : {}),
            ...auth,
          },
          body: JSON.stringify({
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            deviceId: dev.dev,
            org: ORG,
            since: 0,
            ops: dev.batch(2, 'h'),
          }),
        });
      const plain = await post();
      const inContext = await post(`answers-headers-${kind};0`);
      expect(inContext.headers.get('content-type')).toBe(STREAM_BODY_TYPE);
      // The plain answer keeps the API's policies and its offers; the one in context drops them.
      for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy']) {
        expect(plain.headers.get(name)).not.toBeNull();
        expect(inContext.headers.get(name)).toBeNull();
      }
      expect(plain.headers.get('accept-encoding')).not.toBeNull();
      expect(plain.headers.get(ANSWER_STREAM_HEADER)).toBe('br');
      for (const name of ['accept-encoding', ANSWER_STREAM_HEADER, 'escale-request-stream']) {
        expect(inContext.headers.get(name)).toBeNull();
      }
      // The rest of the API keeps them all.
      const health = await fetch(`${central.url}/api/health`);
      expect(health.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('neither offers nor answers in a context when told not to', async () => {
      for (const options of [
        { requestStreams: false },
        { requestStreams: true, answerStreams: false },
      ]) {
        const plain = await startTestServer({ store: kind, ...options });
        cleanups.push(() => plain.close());
        const dev = new TestDevice(`answers-off-${kind}`);
        const headers = await authHeader(plain, dev.dev);
        const res = await fetch(`${plain.url}/api/sync`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [ANSWER_STREAM_HEADER]: 'answers-off-ctx;0',
            ...headers,
          },
          body: JSON.stringify({
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            deviceId: dev.dev,
            org: ORG,
            since: 0,
            ops: dev.batch(2, 'o'),
          }),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/json/);
        expect(res.headers.get(ANSWER_STREAM_HEADER)).toBeNull();
        expect(res.headers.get(STREAM_HEADER)).toBeNull();
      }
    });
  },
);
