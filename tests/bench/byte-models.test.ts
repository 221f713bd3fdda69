import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HpackEstimator,
  h2RequestHeaders,
  hpackIntBytes,
  hpackStringBytes,
  http1HeaderBytes,
  huffmanBits,
  informationFloorBytes,
  type Message,
  messageBytes,
} from '../../scripts/bench/byte-models';

describe('HTTP/1.1 header bytes', () => {
  it('counts the first line, each field line and the blank line with their CRLFs', () => {
    // "GET / HTTP/1.1\r\n" (16) + "a: b\r\n" (6) + "\r\n" (2)
    expect(http1HeaderBytes('GET / HTTP/1.1', [['a', 'b']])).toBe(24);
  });
});

describe('HPACK estimate', () => {
  it('encodes integers with their prefix as RFC 7541 §5.1', () => {
    expect(hpackIntBytes(10, 5)).toBe(1);
    expect(hpackIntBytes(1337, 5)).toBe(3); // the RFC's example C.1.2
    expect(hpackIntBytes(126, 7)).toBe(1);
    expect(hpackIntBytes(127, 7)).toBe(2);
  });

  it('gives the Huffman lengths of Appendix B to common characters', () => {
    expect(huffmanBits('a'.charCodeAt(0))).toBe(5);
    expect(huffmanBits('0'.charCodeAt(0))).toBe(5);
    expect(huffmanBits('/'.charCodeAt(0))).toBe(6);
    expect(huffmanBits('B'.charCodeAt(0))).toBe(7);
  });

  it('matches the RFC example C.4.1: www.example.com Huffman-coded in 12 bytes', () => {
    expect(hpackStringBytes('www.example.com')).toBe(13); // 1 length byte + 12
  });

  it('costs one byte for a field already in the static table', () => {
    expect(new HpackEstimator().encode([[':method', 'GET']])).toBe(1);
  });

  it('costs one byte the second time a field is sent on a connection', () => {
    const hpack = new HpackEstimator();
    const auth: [string, string] = ['authorization', `Bearer ${'x'.repeat(80)}`];
    const first = hpack.encode([auth]);
    expect(first).toBeGreaterThan(50);
    expect(hpack.encode([auth])).toBe(1);
  });

  it('forgets fields evicted from a full dynamic table', () => {
    const hpack = new HpackEstimator(100);
    hpack.encode([['x-a', 'a'.repeat(60)]]);
    hpack.encode([['x-b', 'b'.repeat(60)]]); // evicts x-a (64 + 35 > 100)
    expect(hpack.encode([['x-a', 'a'.repeat(60)]])).toBeGreaterThan(1);
  });

  it('never costs more than a literal of the raw strings, never less than one byte a field', () => {
    const field = fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,20}$/), fc.string({ maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 20 }), (fields) => {
        const n = new HpackEstimator().encode(fields);
        const rawLiteral = fields.reduce(
          (acc, [k, v]) =>
            acc + 1 + hpackIntBytes(k.length, 7) + k.length + 5 + Buffer.byteLength(v) + 3,
          0,
        );
        expect(n).toBeLessThanOrEqual(rawLiteral);
        expect(n).toBeGreaterThanOrEqual(fields.length);
      }),
    );
  });

  it('drops hop-by-hop fields and puts pseudo-headers first', () => {
    const h = h2RequestHeaders('POST', '/api/sync', 'central', [
      ['Host', 'central'],
      ['Connection', 'keep-alive'],
      ['Content-Type', 'application/json'],
    ]);
    expect(h.map(([n]) => n)).toEqual([
      ':method',
      ':scheme',
      ':authority',
      ':path',
      'content-type',
    ]);
  });
});

describe('models of one message', () => {
  const m: Message = {
    firstLine: 'HTTP/1.1 200 OK',
    headers: [['content-type', 'application/json']],
    body: 10_000,
    bodyGzip: 2_000,
    compressedAsShipped: false,
  };

  it('ships the body raw when its sender does not compress, gzipped when it does', () => {
    const raw = messageBytes(m, 10);
    expect(raw.as_shipped).toBe(raw.raw);
    const gz = messageBytes({ ...m, compressedAsShipped: true }, 10);
    expect(gz.as_shipped).toBe(gz.gzip);
  });

  it('counts HTTP/2 frame headers: one HEADERS frame and a DATA frame per 16 KiB', () => {
    const b = messageBytes({ ...m, body: 40_000 }, 10);
    expect(b.h2).toBe(9 + 10 + 40_000 + 3 * 9);
    expect(b.h2_gzip).toBe(9 + 10 + 2_000 + 9);
  });
});

describe('information floor', () => {
  it('is far below the JSON of repetitive facts and grows with their information', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, status: 'done', room: 'Box 1' }));
    const json = JSON.stringify(rows).length;
    const floor = informationFloorBytes(rows);
    expect(floor).toBeLessThan(json / 5);
    expect(
      informationFloorBytes([...rows, ...rows.map((r) => ({ ...r, id: r.id + 1000 }))]),
    ).toBeGreaterThan(floor);
  });
});
