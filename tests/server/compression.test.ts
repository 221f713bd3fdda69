// Compression both ways over real HTTP on loopback (docs/protocol.md, Compression): answers by
// the client's Accept-Encoding, request bodies read by their Content-Encoding with the body limit
// counted after decompression — a compression bomb is a 413 and a corrupt body a 400, nothing
// stored either way.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const LIMIT = 64 * 1024;

describe.each(['sqlite', 'postgres'] as const)('compression on the wire (%s)', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: kind, bodyLimit: LIMIT });
  });
  afterAll(() => server.close());

  const request = (dev: TestDevice, ops = dev.batch(3), extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      deviceId: dev.dev,
      org: ORG,
      since: 0,
      ops,
      ...extra,
    });

  async function post(dev: TestDevice, body: string | Buffer, headers: Record<string, string>) {
    return fetch(`${server.url}/api/sync`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await authHeader(server, dev.dev)),
        ...headers,
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  }

  it('reads a gzip and a brotli request body like a raw one', async () => {
    const gz = new TestDevice('cmp-gzip');
    const res = await post(gz, gzipSync(request(gz, gz.batch(40))), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(40);
    const br = new TestDevice('cmp-br');
    const res2 = await post(br, brotliCompressSync(request(br, br.batch(5))), {
      'content-encoding': 'br',
    });
    expect(res2.status).toBe(200);
    expect(((await res2.json()) as { accepted: number }).accepted).toBe(5);
  });

  it('says in its answers that it reads compressed bodies (RFC 7694 Accept-Encoding)', async () => {
    const d = new TestDevice('cmp-says');
    const res = await post(d, request(d, []), {});
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-encoding')).toMatch(/gzip/);
    expect(res.headers.get('accept-encoding')).toMatch(/br/);
  });

  it('answers in brotli or gzip as the client accepts, the same content as raw', async () => {
    const d = new TestDevice('cmp-answer');
    expect((await post(d, request(d, d.batch(30)), {})).status).toBe(200);
    const reader = new TestDevice('cmp-reader');
    const answers: Record<string, { encoding: string | null; body: unknown }> = {};
    for (const accept of ['br, gzip', 'gzip', 'identity']) {
      const res = await post(reader, request(reader, []), { 'accept-encoding': accept });
      answers[accept] = {
        encoding: res.headers.get('content-encoding'),
        body: ((await res.json()) as { ops: unknown[] }).ops,
      };
    }
    expect(answers['br, gzip']!.encoding).toBe('br');
    expect(answers.gzip!.encoding).toBe('gzip');
    expect(answers.identity!.encoding).toBeNull();
    expect((answers.identity!.body as unknown[]).length).toBeGreaterThanOrEqual(30);
    expect(answers['br, gzip']!.body).toEqual(answers.identity!.body);
    expect(answers.gzip!.body).toEqual(answers.identity!.body);
  });

  it('refuses with 413 a body that inflates past the limit, storing none of its ops', async () => {
    const d = new TestDevice('cmp-bomb');
    const before = await server.store.lastSeq(ORG);
    // Valid ops padded with 8 MB of one letter: ≈ 8 kB once gzipped, far under the limit.
    const bomb = gzipSync(request(d, d.batch(3), { pad: 'a'.repeat(8 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(LIMIT);
    const res = await post(d, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('too_large');
    expect(await server.store.lastSeq(ORG)).toBe(before);
    expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
  });

  it('refuses with 400 a corrupt compressed body, and 415 an unknown encoding, storing nothing', async () => {
    const d = new TestDevice('cmp-corrupt');
    const before = await server.store.lastSeq(ORG);
    const good = gzipSync(request(d));
    const corrupt = Buffer.from(good);
    corrupt.fill(0x5a, 20, 60); // the deflate stream broken in its middle
    const res = await post(d, corrupt, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.message).toMatch(/compressé illisible/);
    const truncated = await post(d, good.subarray(0, good.length - 12), {
      'content-encoding': 'gzip',
    });
    expect(truncated.status).toBe(400);
    const unknown = await post(d, request(d), { 'content-encoding': 'x-escale' });
    expect(unknown.status).toBe(415);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/non pris en charge/);
    expect(await server.store.lastSeq(ORG)).toBe(before);
    expect(await server.store.contiguous(ORG, d.dev)).toBe(0);
  });
});
