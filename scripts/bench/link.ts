// A simulated network link: an HTTP proxy on loopback that counts requests and wire bytes and,
// when given a bandwidth and a round-trip time, delays every exchange as that link would.
// Every exchange is counted in the byte models of byte-models.ts (as shipped, raw, gzip both
// ways, HTTP/2 headers). As shipped is measured: the request body as the client encoded it and
// the answer as the server encoded it for the client's own Accept-Encoding (each decoded here
// for the other models); for an anchor given `compresses`, the proxy asks its server for identity
// bodies and models what that end would compress. The delays use the as-shipped bytes unless
// told otherwise (`delayModel`).
// Model: store and forward. A request crosses the uplink (one shared FIFO: the truck's 4G), then
// half the RTT; the response crosses the downlink, then the other half. Connections are kept
// alive (no handshake counted).
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  parseStreamHeader,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  StreamDecoders,
} from '../../src/server/body-stream';
import {
  addBytes,
  type HeaderList,
  HpackEstimator,
  h2RequestHeaders,
  h2ResponseHeaders,
  type ModelBytes,
  type ModelName,
  messageBytes,
  zeroBytes,
} from './byte-models';
import { sleep } from './lib';

export interface LinkStats {
  requests: number;
  /** Header bytes plus gzipped bodies, both directions (the `gzip` model). */
  wireBytes: number;
  /** Header bytes plus bodies as sent (the `raw` model). */
  rawBytes: number;
  /** Every byte model, both directions. */
  bytes: ModelBytes;
  /** `METHOD /path` (no query) → requests and as-shipped bytes. */
  byPath: Record<string, { requests: number; bytes: number }>;
  /** Sum over requests of RTT + delayed bytes at the link's rate: a fully serial client's time. */
  serialLinkMs: number;
}

/** What each end compresses as shipped. */
export interface Compresses {
  request(headers: HeaderList, body: Buffer): boolean;
  response(status: number, headers: HeaderList, body: Buffer): boolean;
}

const header = (headers: HeaderList, name: string) =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';

/**
 * Escale as shipped (docs/decisions/0016-the-wire.md): the server compresses answers of 1 kB or
 * more (JSON, text, scripts) for a client that accepts it (browsers and the relay do); the sync
 * client gzips a body of 1 kB or more and the relay brotlis it, once the server said it reads
 * them — a request that came compressed (`content-encoding`) is counted compressed.
 */
export const ESCALE_COMPRESSES: Compresses = {
  request: (headers) => /gzip|br|deflate/.test(header(headers, 'content-encoding')),
  response: (_status, headers, body) =>
    body.length >= 1024 && /json|text|javascript/.test(header(headers, 'content-type')),
};

/**
 * express-pouchdb as shipped: the `compression` middleware (threshold 1 kB, compressible types)
 * gzips responses when the client accepts it (browsers do); PouchDB sends requests raw.
 */
export const EXPRESS_POUCHDB_COMPRESSES: Compresses = {
  request: () => false,
  response: (_status, headers, body) => {
    const type = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    return body.length >= 1024 && /json|text/.test(type);
  },
};

export interface SimLink {
  url: string;
  stats: LinkStats;
  /** The sync exchanges' bodies decoded, in order (`keepSyncBodies`): what a codec is fed. */
  syncBodies: { pushes: Buffer[]; answers: Buffer[] };
  reset(): void;
  close(): Promise<void>;
}

export interface LinkOptions {
  /** Round-trip time added to each exchange (ms); 0: none. */
  rttMs?: number;
  /** Bandwidth each way (bit/s); 0: unlimited. */
  bitsPerSecond?: number;
  /** Only count: no delay even if rtt and bandwidth are given (they still feed serialLinkMs). */
  countOnly?: boolean;
  /** What the ends compress as shipped, modelled (default: measured as they really send). */
  compresses?: Compresses;
  /** The byte model that sets delays and serialLinkMs (default as_shipped). */
  delayModel?: ModelName;
  /** Keep the decoded bodies of `POST /api/sync` and of its 200 answers (SimLink.syncBodies). */
  keepSyncBodies?: boolean;
}

export const SIMULATED = { rttMs: 300, bitsPerSecond: 1_000_000 } as const;

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

const gz = (body: Buffer) => (body.length === 0 ? 0 : gzipSync(body).length);

const decode = (body: Buffer, encoding: string | string[] | undefined): Buffer =>
  encoding === 'gzip'
    ? gunzipSync(body)
    : encoding === 'br'
      ? brotliDecompressSync(body)
      : encoding === 'deflate'
        ? inflateSync(body)
        : body;

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startSimLink(target: string, options: LinkOptions = {}): Promise<SimLink> {
  const rtt = options.rttMs ?? 0;
  const bps = options.bitsPerSecond ?? 0;
  const delay = !options.countOnly;
  const compresses = options.compresses ?? ESCALE_COMPRESSES;
  const measured = options.compresses === undefined;
  const pieces = new StreamDecoders({ max: 64 });
  // Central's answers in a context (the relay's offer): one decoder per context id.
  const answerPieces = new StreamDecoders({ max: 64 });
  const delayModel = options.delayModel ?? 'as_shipped';
  const syncBodies = { pushes: [] as Buffer[], answers: [] as Buffer[] };
  const stats: LinkStats = {
    requests: 0,
    wireBytes: 0,
    rawBytes: 0,
    bytes: zeroBytes(),
    byPath: {},
    serialLinkMs: 0,
  };
  // HPACK tables per client connection and direction.
  const hpack = new WeakMap<Socket, { up: HpackEstimator; down: HpackEstimator }>();
  const free = { up: 0, down: 0 };
  const sockets = new Set<Socket>();
  const upstreamUrl = new URL(target);

  /** Waits until `bytes` crossed one direction of the link, after what is already queued. */
  async function transmit(dir: 'up' | 'down', bytes: number): Promise<void> {
    if (!delay || bps === 0) return;
    const now = performance.now();
    const start = Math.max(now, free[dir]);
    free[dir] = start + (bytes * 8 * 1000) / bps;
    await sleep(free[dir] - now);
  }

  const server: Server = createServer(async (req, res) => {
    try {
      // A compressed request body is modelled from its identity bytes (the models compress it
      // themselves) and forwarded decoded.
      const sent = await readAll(req);
      // A piece of a relay's compression context (src/server/body-stream.ts) is decoded by the
      // proxy's own decoder for the models and forwarded as it came.
      const piece =
        req.headers['content-type'] === STREAM_BODY_TYPE
          ? parseStreamHeader(req.headers[STREAM_HEADER] as string | undefined)
          : null;
      let body = decode(sent, req.headers['content-encoding']);
      if (piece) {
        const out = await pieces.decode(
          req.headers.authorization ?? '',
          piece,
          sent,
          1024 * 1024 * 1024,
        );
        if (!out.ok) throw new Error(`link: context piece not read (${out.reason})`);
        body = out.body;
      }
      let tables = hpack.get(req.socket);
      if (!tables) {
        tables = { up: new HpackEstimator(), down: new HpackEstimator() };
        hpack.set(req.socket, tables);
      }
      const reqHeaders = pairs(req.rawHeaders);
      const reqBytes = messageBytes(
        {
          firstLine: `${req.method} ${req.url} HTTP/1.1`,
          headers: reqHeaders,
          body: body.length,
          bodyGzip: gz(body),
          compressedAsShipped: compresses.request(reqHeaders, body),
          ...(measured ? { bodyAsShipped: sent.length } : {}),
        },
        tables.up.encode(
          h2RequestHeaders(req.method ?? 'GET', req.url ?? '/', req.headers.host ?? '', reqHeaders),
        ),
      );
      await transmit('up', reqBytes[delayModel]);
      if (delay && rtt > 0) await sleep(rtt / 2);
      const headers = {
        ...req.headers,
        host: upstreamUrl.host,
        'accept-encoding': measured ? (req.headers['accept-encoding'] ?? 'identity') : 'identity',
      };
      delete headers['content-length'];
      delete headers['content-encoding'];
      const forwarded = piece ? sent : body;
      const upstream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const r = request(
          new URL(req.url ?? '/', target),
          {
            method: req.method,
            headers: {
              ...headers,
              ...(forwarded.length ? { 'content-length': forwarded.length } : {}),
            },
          },
          resolve,
        );
        r.on('error', reject);
        r.end(forwarded);
      });
      const resSent = await readAll(upstream);
      let resBody = decode(resSent, upstream.headers['content-encoding']);
      const answerPiece =
        upstream.headers['content-type'] === STREAM_BODY_TYPE
          ? parseStreamHeader(upstream.headers[STREAM_HEADER] as string | undefined)
          : null;
      if (answerPiece) {
        const out = await answerPieces.decode(
          answerPiece.id,
          answerPiece,
          resSent,
          1024 * 1024 * 1024,
        );
        if (!out.ok) throw new Error(`link: answer piece not read (${out.reason})`);
        resBody = out.body;
      }
      const status = upstream.statusCode ?? 502;
      const resHeaders = pairs(upstream.rawHeaders);
      const resBytes = messageBytes(
        {
          firstLine: `HTTP/1.1 ${status} ${upstream.statusMessage}`,
          headers: resHeaders,
          body: resBody.length,
          bodyGzip: gz(resBody),
          compressedAsShipped: compresses.response(status, resHeaders, resBody),
          ...(measured ? { bodyAsShipped: resSent.length } : {}),
        },
        tables.down.encode(h2ResponseHeaders(status, resHeaders)),
      );
      if (process.env.BENCH_LINK_TRACE === 'headers') {
        const lines = (first: string, hs: [string, string][]) =>
          [first, ...hs.map(([n, v]) => `  ${n}: ${v}`)].join('\n');
        console.error(
          `${lines(`${req.method} ${req.url}`, reqHeaders)}\n${lines(`→ ${status}`, resHeaders)}`,
        );
      } else if (process.env.BENCH_LINK_TRACE) {
        console.error(
          `link: ${req.method} ${req.url} ${body.length} B → ${status} ${resBody.length} B ${process.env.BENCH_LINK_TRACE === 'bodies' ? `${body.subarray(0, 300)} → ${resBody.subarray(0, 300)}` : ''}`,
        );
      }
      if (
        options.keepSyncBodies &&
        req.method === 'POST' &&
        req.url?.split('?')[0] === '/api/sync'
      ) {
        syncBodies.pushes.push(body);
        if (status === 200) syncBodies.answers.push(resBody);
      }
      stats.requests++;
      const key = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
      const entry = stats.byPath[key] ?? { requests: 0, bytes: 0 };
      stats.byPath[key] = entry;
      entry.requests++;
      entry.bytes += reqBytes.as_shipped + resBytes.as_shipped;
      addBytes(stats.bytes, reqBytes);
      addBytes(stats.bytes, resBytes);
      stats.wireBytes = stats.bytes.gzip;
      stats.rawBytes = stats.bytes.raw;
      const delayed = reqBytes[delayModel] + resBytes[delayModel];
      stats.serialLinkMs += rtt + (bps > 0 ? (delayed * 8 * 1000) / bps : 0);
      await transmit('down', resBytes[delayModel]);
      if (delay && rtt > 0) await sleep(rtt / 2);
      const out = { ...upstream.headers };
      delete out['transfer-encoding'];
      delete out['content-encoding'];
      delete out['content-length'];
      // An answer in context goes on as it came (the relay decodes it), any other decoded.
      const passed = answerPiece ? resSent : resBody;
      res.writeHead(upstream.statusCode ?? 502, { ...out, 'content-length': passed.length });
      res.end(passed);
    } catch {
      req.socket.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    syncBodies,
    reset() {
      syncBodies.pushes.length = 0;
      syncBodies.answers.length = 0;
      Object.assign(stats, {
        requests: 0,
        wireBytes: 0,
        rawBytes: 0,
        bytes: zeroBytes(),
        byPath: {},
        serialLinkMs: 0,
      });
    },
    close: () =>
      new Promise<void>((r) => {
        pieces.closeAll();
        answerPieces.closeAll();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
