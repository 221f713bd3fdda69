// A relay's sync bodies in one compression context across its requests (docs/protocol.md, « A
// compression context across requests »; decision 0031): what a day repeats is paid once; central
// decodes a piece only as the next of its context, counts the body limit on the decoded bytes,
// and answers anything else with a refusal that stores nothing; the relay starts a new context
// at the first doubt and nothing it forwards is lost. Central is the real server on loopback;
// the relay is the real Relay over its own SQLite.
import { brotliCompressSync, constants } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import {
  parseStreamHeader,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  STREAM_OFFER_HEADER,
  StreamDecoders,
  StreamEncoder,
} from '../../src/server/body-stream';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { enrolledRelay } from '../support/relay';
import { openTestStore, startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const LIMIT = 64 * 1024;

describe('a compression context across requests (the codec)', () => {
  const bodies = Array.from({ length: 6 }, (_, i) =>
    JSON.stringify({ page: i, ops: new TestDevice('codec').batch(30, `p${i}`) }),
  );

  it('decodes each piece exactly, and later pieces cost less than the first', async () => {
    const encoder = new StreamEncoder('ctx-codec-1');
    const decoders = new StreamDecoders();
    const sizes: number[] = [];
    for (const body of bodies) {
      const piece = await encoder.piece(body);
      sizes.push(piece.bytes.length);
      const out = await decoders.decode(
        'dev',
        parseStreamHeader(piece.header)!,
        piece.bytes,
        LIMIT,
      );
      expect(out.ok && out.body.toString('utf8')).toBe(body);
    }
    // The same bodies each compressed alone, at the same quality.
    const alone = bodies.map(
      (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
    );
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(sizes.slice(1))).toBeLessThan(sum(alone.slice(1)) * 0.8);
    encoder.close();
    decoders.closeAll();
  });

  it('refuses a piece out of order and forgets the context; a new context starts over', async () => {
    const encoder = new StreamEncoder('ctx-codec-2');
    const decoders = new StreamDecoders();
    const first = await encoder.piece(bodies[0]!);
    const second = await encoder.piece(bodies[1]!);
    // The second before the first: refused (nothing decoded), no context kept.
    expect(await decoders.decode('dev', { id: 'ctx-codec-2', n: 1 }, second.bytes, LIMIT)).toEqual({
      ok: false,
      reason: 'lost',
    });
    expect((await decoders.decode('dev', { id: 'ctx-codec-2', n: 0 }, first.bytes, LIMIT)).ok).toBe(
      true,
    );
    // Piece 0 names a start: sent again, it starts the context again (the same bytes).
    expect((await decoders.decode('dev', { id: 'ctx-codec-2', n: 0 }, first.bytes, LIMIT)).ok).toBe(
      true,
    );
    const next = await decoders.decode('dev', { id: 'ctx-codec-2', n: 1 }, second.bytes, LIMIT);
    expect(next.ok && next.body.toString('utf8')).toBe(bodies[1]);
    // A piece skipped (or sent twice): refused, and the context is forgotten.
    expect(await decoders.decode('dev', { id: 'ctx-codec-2', n: 3 }, second.bytes, LIMIT)).toEqual({
      ok: false,
      reason: 'lost',
    });
    expect(decoders.size).toBe(0);
    const fresh = new StreamEncoder('ctx-codec-3');
    const again = await fresh.piece(bodies[2]!);
    const out = await decoders.decode('dev', { id: 'ctx-codec-3', n: 0 }, again.bytes, LIMIT);
    expect(out.ok && out.body.toString('utf8')).toBe(bodies[2]);
    for (const x of [encoder, fresh]) x.close();
    decoders.closeAll();
  });

  it('refuses a piece that decodes past the limit, or that is not brotli, and forgets the context', async () => {
    const decoders = new StreamDecoders();
    const bomb = new StreamEncoder('ctx-bomb');
    const piece = await bomb.piece(' '.repeat(4 * LIMIT));
    expect(piece.bytes.length).toBeLessThan(LIMIT / 100);
    expect(await decoders.decode('dev', { id: 'ctx-bomb', n: 0 }, piece.bytes, LIMIT)).toEqual({
      ok: false,
      reason: 'too_large',
    });
    expect(decoders.size).toBe(0);
    expect(
      await decoders.decode('dev', { id: 'ctx-junk', n: 0 }, Buffer.from('pas du brotli'), LIMIT),
    ).toEqual({ ok: false, reason: 'corrupt' });
    expect(decoders.size).toBe(0);
    bomb.close();
  });

  it('keeps one context per device, drops the idle ones and the oldest beyond its bound', async () => {
    let now = 0;
    const decoders = new StreamDecoders({ max: 2, idleMs: 1_000, now: () => now });
    const open = async (device: string) => {
      const e = new StreamEncoder(`ctx-dev-${device}`);
      const p = await e.piece(bodies[0]!);
      e.close();
      return decoders.decode(device, { id: `ctx-dev-${device}`, n: 0 }, p.bytes, LIMIT);
    };
    await open('a');
    now = 10;
    await open('b');
    now = 20;
    await open('c');
    expect(decoders.size).toBe(2); // a, the least recently used, went
    now = 2_000;
    await open('d'); // b and c idle past 1 s
    expect(decoders.size).toBe(1);
    decoders.closeAll();
  });

  it('reads its header strictly', () => {
    expect(parseStreamHeader('abcdefgh;0')).toEqual({ id: 'abcdefgh', n: 0 });
    for (const bad of [
      undefined,
      '',
      'abc;1',
      'abcdefgh',
      'abcdefgh;-1',
      'abc def gh;1',
      'abcdefgh;1;2',
    ]) {
      expect(parseStreamHeader(bad)).toBeNull();
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('central reads a relay’s context (%s)', (kind) => {
  let central: TestServer;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    central = await startTestServer({ store: kind, bodyLimit: LIMIT });
  });
  afterAll(() => central.close());
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const request = (dev: TestDevice, ops: unknown[]) =>
    JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      deviceId: dev.dev,
      org: ORG,
      since: 0,
      ops,
    });

  async function post(dev: TestDevice, header: string, bytes: Buffer) {
    return fetch(`${central.url}/api/sync`, {
      method: 'POST',
      headers: {
        'content-type': STREAM_BODY_TYPE,
        [STREAM_HEADER]: header,
        ...(await authHeader(central, dev.dev)),
      },
      body: new Uint8Array(bytes),
    });
  }

  it('takes the pieces of a context in order and offers it on its sync answers', async () => {
    const dev = new TestDevice(`stream-ok-${kind}`);
    const encoder = new StreamEncoder(`ctx-ok-${kind}`);
    cleanups.push(() => encoder.close());
    for (let i = 0; i < 3; i++) {
      const piece = await encoder.piece(request(dev, dev.batch(20, `s${i}`)));
      const res = await post(dev, piece.header, piece.bytes);
      expect(res.status).toBe(200);
      expect(res.headers.get(STREAM_OFFER_HEADER)).toBe('br');
      // What central holds of this device: ops 1..N.
      expect(((await res.json()) as { accepted: number }).accepted).toBe(20 * (i + 1));
    }
    expect(await central.store.contiguous(ORG, dev.dev)).toBe(60);
  });

  it('answers a piece out of order 409 stream_context_lost, a bomb 413, junk 400: nothing stored', async () => {
    const dev = new TestDevice(`stream-bad-${kind}`);
    const encoder = new StreamEncoder(`ctx-bad-${kind}`);
    cleanups.push(() => encoder.close());
    const first = await encoder.piece(request(dev, dev.batch(5, 'a')));
    const second = await encoder.piece(request(dev, dev.batch(5, 'b')));
    const late = await post(dev, second.header, second.bytes);
    expect(late.status).toBe(409);
    const body = (await late.json()) as { error: string; message: string };
    expect(body.error).toBe('stream_context_lost');
    expect(body.message).toMatch(/contexte de compression/i);
    expect(await central.store.contiguous(ORG, dev.dev)).toBe(0);
    // A bomb in a context of its own.
    const bomber = new StreamEncoder(`ctx-bomb-${kind}`);
    cleanups.push(() => bomber.close());
    const bomb = await bomber.piece(
      request(dev, [...dev.batch(1, 'c'), { pad: 'x'.repeat(4 * LIMIT) }]),
    );
    expect((await post(dev, bomb.header, bomb.bytes)).status).toBe(413);
    const junk = await post(dev, `ctx-junk-${kind};0`, Buffer.from('pas du brotli'));
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { message: string }).message).toMatch(/illisible/);
    const noHeader = await post(dev, 'pas un en-tete', first.bytes);
    expect(noHeader.status).toBe(400);
    expect(await central.store.contiguous(ORG, dev.dev)).toBe(0);
  });

  it('reads it only on the sync route of an enrolled device', async () => {
    const encoder = new StreamEncoder(`ctx-route-${kind}`);
    cleanups.push(() => encoder.close());
    const piece = await encoder.piece('{}');
    const anonymous = await fetch(`${central.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': STREAM_BODY_TYPE, [STREAM_HEADER]: piece.header },
      body: new Uint8Array(piece.bytes),
    });
    expect(anonymous.status).toBe(401);
  });

  it('lets a relay forward in a context and lose nothing when a piece or an answer is lost', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    let sabotage: 'none' | 'drop-before' | 'drop-answer' | 'reorder' = 'none';
    const seen: { type: string; status: number }[] = [];
    const relay = await enrolledRelay(central, store, {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input));
        const headers = new Headers(init?.headers);
        if (url.pathname !== '/api/sync') return fetch(input, init);
        const type = headers.get('content-type') ?? '';
        const mode = sabotage;
        if (type === STREAM_BODY_TYPE && mode !== 'none') sabotage = 'none';
        if (type === STREAM_BODY_TYPE && mode === 'drop-before') {
          throw new TypeError('fetch failed: le lien 4G est coupé');
        }
        if (type === STREAM_BODY_TYPE && mode === 'reorder') {
          // Central is told a later piece than the relay's: as after a restart of central.
          const piece = parseStreamHeader(headers.get(STREAM_HEADER) ?? undefined)!;
          headers.set(STREAM_HEADER, `${piece.id};${piece.n + 7}`);
        }
        const res = await fetch(input, { ...init, headers });
        seen.push({ type, status: res.status });
        if (type === STREAM_BODY_TYPE && mode === 'drop-answer') {
          throw new TypeError('fetch failed: réponse perdue');
        }
        return res;
      }) as typeof fetch,
    });
    cleanups.push(async () => {
      await relay.stop();
      await store.close();
      cleanup();
    });
    const truck = new TestDevice(`stream-relay-${kind}`);
    await authHeader(central, truck.dev);
    let written = 0;
    const write = async (n: number) => {
      await store.push(ORG, truck.batch(n, `w${written}`));
      written += n;
    };
    await write(10);
    await relay.syncNow(true); // the first answer offers the context
    await write(10);
    await relay.syncNow(true);
    expect(seen.some((s) => s.type === STREAM_BODY_TYPE && s.status === 200)).toBe(true);
    for (const mode of ['drop-before', 'drop-answer', 'reorder'] as const) {
      sabotage = mode;
      await write(10);
      await relay.syncNow(true);
      await relay.syncNow(true); // a failed pass is retried by the next one
    }
    await write(10);
    await relay.syncNow(true);
    expect(relay.status.lastError).toBeNull();
    expect(await central.store.contiguous(ORG, truck.dev)).toBe(written);
    // The reordered piece was refused once, then sent again at once without the context.
    expect(seen.filter((s) => s.status === 409)).toHaveLength(1);
    // And the relay went back to a context afterwards.
    expect(seen.at(-1)).toEqual({ type: STREAM_BODY_TYPE, status: 200 });
  });

  it('neither offers nor reads a context when told not to (REQUEST_STREAMS=off)', async () => {
    const plain = await startTestServer({ store: kind, requestStreams: false });
    cleanups.push(() => plain.close());
    const dev = new TestDevice(`stream-off-${kind}`);
    const headers = await authHeader(plain, dev.dev);
    const ordinary = await fetch(`${plain.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: request(dev, dev.batch(2, 'o')),
    });
    expect(ordinary.status).toBe(200);
    expect(ordinary.headers.get(STREAM_OFFER_HEADER)).toBeNull();
    const encoder = new StreamEncoder(`ctx-off-${kind}`);
    cleanups.push(() => encoder.close());
    const piece = await encoder.piece(request(dev, dev.batch(2, 'p')));
    const refused = await fetch(`${plain.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': STREAM_BODY_TYPE, [STREAM_HEADER]: piece.header, ...headers },
      body: new Uint8Array(piece.bytes),
    });
    expect(refused.status).toBe(415);
    expect(((await refused.json()) as { error: string }).error).toBe('unsupported_encoding');
    expect(await plain.store.contiguous(ORG, dev.dev)).toBe(2);
  });
});
