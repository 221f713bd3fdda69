// Request bodies gzipped by the client (src/device/compress-body.ts): only where the server said
// it reads them, the platform can, and the body is worth it; the same JSON comes out.
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptsGzip, COMPRESS_FROM, encodeBody } from '../../src/device/compress-body';

const json = JSON.stringify({
  ops: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, val: 'x' })),
});

afterEach(() => vi.unstubAllGlobals());

describe('encodeBody', () => {
  it('gzips a large body for a server that reads gzip; it inflates to the same JSON', async () => {
    expect(json.length).toBeGreaterThan(COMPRESS_FROM);
    const out = await encodeBody(json, true);
    expect(out.headers).toEqual({ 'content-encoding': 'gzip' });
    const bytes = out.body as Uint8Array;
    expect(bytes.byteLength).toBeLessThan(json.length / 3);
    expect(gunzipSync(bytes).toString()).toBe(json);
  });

  it('sends as it is a body for a server that has not said so, or one under the threshold', async () => {
    expect(await encodeBody(json, false)).toEqual({ body: json, headers: {} });
    const small = '{"ops":[]}';
    expect(await encodeBody(small, true)).toEqual({ body: small, headers: {} });
  });

  it('falls back to the raw body where the platform has no CompressionStream', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    expect(await encodeBody(json, true)).toEqual({ body: json, headers: {} });
  });

  it('reads a server’s Accept-Encoding answer header', () => {
    expect(acceptsGzip(new Response('', { headers: { 'accept-encoding': 'gzip, br' } }))).toBe(
      true,
    );
    expect(acceptsGzip(new Response(''))).toBe(false);
    expect(acceptsGzip(new Response('', { headers: { 'accept-encoding': 'br' } }))).toBe(false);
  });
});
