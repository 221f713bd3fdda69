// Byte models of `npm run bench` (issue 19 §1): the same HTTP exchanges counted five ways.
// - as_shipped: what the two ends send today. HTTP/1.1 headers as they are; for Escale each body
//   as it really crossed the link (measured by link.ts: the request body as the client encoded
//   it, the answer as the server encoded it for the client's Accept-Encoding); for an anchor
//   whose server the bench does not run with its compression (express-pouchdb's `compression`
//   middleware), modelled: gzipped where its sender compresses it (responses of 1 kB and more
//   when asked, as a browser asks; no browser compresses a request body by itself).
// - raw: HTTP/1.1 headers and every body as sent uncompressed.
// - gzip: HTTP/1.1 headers and every body gzipped (level 6) both ways: the bench's former model.
// - h2: bodies as shipped, headers as HTTP/2 would send them (HPACK estimate below, 9-byte frame
//   headers for the HEADERS frame and each DATA frame of up to 16 KiB).
// - h2_gzip: HTTP/2 headers and gzip-6 bodies both ways: the best a deployment could get without
//   changing the protocol.
// HPACK estimate (RFC 7541), per connection and direction: a header field found whole in the
// static or dynamic table costs its index; otherwise a literal with incremental indexing (name
// by index when the name is known), strings Huffman-coded with the code lengths of RFC 7541
// Appendix B grouped by character class (the shorter of Huffman and raw, as encoders choose);
// the dynamic table holds 4,096 bytes (entry: name + value + 32), oldest evicted first.
// Connection-specific fields (connection, keep-alive, transfer-encoding, host → :authority) are
// dropped as HTTP/2 requires.

import { brotliCompressSync, constants } from 'node:zlib';

export const MODELS = ['as_shipped', 'raw', 'gzip', 'h2', 'h2_gzip'] as const;
export type ModelName = (typeof MODELS)[number];
export type ModelBytes = Record<ModelName, number>;

export const zeroBytes = (): ModelBytes => ({
  as_shipped: 0,
  raw: 0,
  gzip: 0,
  h2: 0,
  h2_gzip: 0,
});

export function addBytes(into: ModelBytes, more: ModelBytes): ModelBytes {
  for (const m of MODELS) into[m] += more[m];
  return into;
}

export type HeaderList = readonly (readonly [string, string])[];

/** One side of an exchange. */
export interface Message {
  /** `GET /path HTTP/1.1` or `HTTP/1.1 200 OK`. */
  firstLine: string;
  headers: HeaderList;
  /** Body length as sent uncompressed. */
  body: number;
  /** Body length gzipped at level 6 (0 for an empty body). */
  bodyGzip: number;
  /** Whether the sender, as shipped, compresses this body (the model, when not measured). */
  compressedAsShipped: boolean;
  /** The body's length as it really crossed the link, when measured (overrides the model). */
  bodyAsShipped?: number;
}

/** HTTP/1.1 header block: first line, `name: value` lines, each with CRLF, and the blank line. */
export function http1HeaderBytes(firstLine: string, headers: HeaderList): number {
  let n = firstLine.length + 2 + 2;
  for (const [name, value] of headers) n += name.length + 2 + value.length + 2;
  return n;
}

// RFC 7541 Appendix A.
const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** Huffman code length in bits of one character (RFC 7541 Appendix B, by class). */
export function huffmanBits(code: number): number {
  const c = String.fromCharCode(code);
  if (code > 126 || code < 32) return 22; // non-ASCII bytes: 20–30 bits in the table
  if ('012aceiost'.includes(c)) return 5;
  if (' %-./3456789=A_bdfghlmnpru'.includes(c)) return 6;
  if (':BCDEFGHIJKLMNOPQRSTUVWYjkqvwxyz'.includes(c)) return 7;
  if ('&*,;XZ'.includes(c)) return 8;
  if ('!"()?'.includes(c)) return 10;
  if ("'+|".includes(c)) return 11;
  if ('#>'.includes(c)) return 12;
  if ('$@[]~'.includes(c)) return 13;
  if ('^}'.includes(c)) return 14;
  if ('<`{'.includes(c)) return 15;
  return 19; // backslash
}

/** Bytes of an HPACK integer with an N-bit prefix (the prefix's byte included). */
export function hpackIntBytes(value: number, prefixBits: number): number {
  const max = 2 ** prefixBits - 1;
  if (value < max) return 1;
  let rest = value - max;
  let n = 2;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    n++;
  }
  return n;
}

/** Bytes of an HPACK string literal: the shorter of Huffman and raw, with its length prefix. */
export function hpackStringBytes(s: string): number {
  const bytes = Buffer.from(s, 'utf8');
  let bits = 0;
  for (const b of bytes) bits += huffmanBits(b);
  const len = Math.min(Math.ceil(bits / 8), bytes.length);
  return hpackIntBytes(len, 7) + len;
}

const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade']);

/** One direction of one HTTP/2 connection: its HPACK dynamic table. */
export class HpackEstimator {
  private table: [string, string][] = [];
  private size = 0;

  constructor(private readonly maxSize = 4096) {}

  /** Bytes of the header block for these fields (names lower-cased), updating the table. */
  encode(headers: HeaderList): number {
    let n = 0;
    for (const [rawName, value] of headers) {
      const name = rawName.toLowerCase();
      let full = -1;
      let named = -1;
      STATIC.forEach(([sn, sv], i) => {
        if (sn === name) {
          if (sv === value && full < 0) full = i + 1;
          if (named < 0) named = i + 1;
        }
      });
      this.table.forEach(([dn, dv], i) => {
        if (dn === name) {
          if (dv === value && full < 0) full = STATIC.length + i + 1;
          if (named < 0) named = STATIC.length + i + 1;
        }
      });
      if (full > 0) {
        n += hpackIntBytes(full, 7);
        continue;
      }
      n += named > 0 ? hpackIntBytes(named, 6) : 1 + hpackStringBytes(name);
      n += hpackStringBytes(value);
      this.insert(name, value);
    }
    return n;
  }

  private insert(name: string, value: string): void {
    const entry = name.length + value.length + 32;
    if (entry > this.maxSize) {
      this.table = [];
      this.size = 0;
      return;
    }
    this.table.unshift([name, value]);
    this.size += entry;
    while (this.size > this.maxSize) {
      const [n, v] = this.table.pop()!;
      this.size -= n.length + v.length + 32;
    }
  }
}

/** The request's fields as HTTP/2 sends them: pseudo-headers first, hop-by-hop fields dropped. */
export function h2RequestHeaders(
  method: string,
  path: string,
  authority: string,
  headers: HeaderList,
): HeaderList {
  return [
    [':method', method],
    [':scheme', 'https'],
    [':authority', authority],
    [':path', path],
    ...headers.map(([n, v]) => [n.toLowerCase(), v] as const).filter(([n]) => !DROPPED.has(n)),
  ];
}

export function h2ResponseHeaders(status: number, headers: HeaderList): HeaderList {
  return [
    [':status', String(status)],
    ...headers.map(([n, v]) => [n.toLowerCase(), v] as const).filter(([n]) => !DROPPED.has(n)),
  ];
}

const FRAME = 9;
const DATA_FRAME = 16_384;
const dataFrames = (body: number) => (body === 0 ? 0 : Math.ceil(body / DATA_FRAME) * FRAME);

/** The five models of one message, given its HTTP/2 header block size. */
export function messageBytes(m: Message, h2HeaderBlock: number): ModelBytes {
  const h1 = http1HeaderBytes(m.firstLine, m.headers);
  const shipped = m.bodyAsShipped ?? (m.compressedAsShipped ? m.bodyGzip : m.body);
  const h2Head = FRAME + h2HeaderBlock;
  return {
    as_shipped: h1 + shipped,
    raw: h1 + m.body,
    gzip: h1 + m.bodyGzip,
    h2: h2Head + shipped + dataFrames(shipped),
    h2_gzip: h2Head + m.bodyGzip + dataFrames(m.bodyGzip),
  };
}

/**
 * The information floor of a set of facts: their best measured encoding here, compact JSON
 * compressed by brotli at quality 11 (large window). No sync protocol carries less than the
 * facts; how far above it each stack stays is what its protocol costs.
 */
export function informationFloorBytes(facts: unknown): number {
  const json = Buffer.from(JSON.stringify(facts), 'utf8');
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  }).length;
}
