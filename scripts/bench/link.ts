// A simulated network link: an HTTP proxy on loopback that counts requests and wire bytes and,
// when given a bandwidth and a round-trip time, delays every exchange as that link would.
// Wire bytes = header bytes + gzip (level 6) of each body, both ways: the servers compared do
// not compress alike (Fastify not at all, express-pouchdb when asked), so the proxy asks for
// identity bodies and counts both stacks as if the link compressed every body.
// Model: store and forward. A request crosses the uplink (one shared FIFO: the truck's 4G), then
// half the RTT; the response crosses the downlink, then the other half. Connections are kept
// alive (no handshake counted).
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { sleep } from './lib';

export interface LinkStats {
  requests: number;
  /** Header bytes plus gzipped bodies, both directions. */
  wireBytes: number;
  /** Header bytes plus bodies as sent. */
  rawBytes: number;
  /** Sum over requests of RTT + wire bytes at the link's rate: the time of a fully serial client. */
  serialLinkMs: number;
}

export interface SimLink {
  url: string;
  stats: LinkStats;
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
}

export const SIMULATED = { rttMs: 300, bitsPerSecond: 1_000_000 } as const;

function headerBytes(firstLine: string, raw: string[]): number {
  let n = firstLine.length + 2 + 2;
  for (let i = 0; i < raw.length; i += 2) n += raw[i]!.length + 2 + raw[i + 1]!.length + 2;
  return n;
}

const wire = (body: Buffer) => (body.length === 0 ? 0 : gzipSync(body).length);

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
  const stats: LinkStats = { requests: 0, wireBytes: 0, rawBytes: 0, serialLinkMs: 0 };
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
      const body = await readAll(req);
      const reqHead = headerBytes(`${req.method} ${req.url} HTTP/1.1`, req.rawHeaders);
      const reqWire = reqHead + wire(body);
      await transmit('up', reqWire);
      if (delay && rtt > 0) await sleep(rtt / 2);
      const headers = { ...req.headers, host: upstreamUrl.host, 'accept-encoding': 'identity' };
      delete headers['content-length'];
      const upstream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const r = request(
          new URL(req.url ?? '/', target),
          {
            method: req.method,
            headers: { ...headers, ...(body.length ? { 'content-length': body.length } : {}) },
          },
          resolve,
        );
        r.on('error', reject);
        r.end(body);
      });
      const resBody = await readAll(upstream);
      const resHead = headerBytes(
        `HTTP/1.1 ${upstream.statusCode} ${upstream.statusMessage}`,
        upstream.rawHeaders,
      );
      const resWire = resHead + wire(resBody);
      stats.requests++;
      stats.wireBytes += reqWire + resWire;
      stats.rawBytes += reqHead + body.length + resHead + resBody.length;
      stats.serialLinkMs += rtt + (bps > 0 ? ((reqWire + resWire) * 8 * 1000) / bps : 0);
      await transmit('down', resWire);
      if (delay && rtt > 0) await sleep(rtt / 2);
      const out = { ...upstream.headers };
      delete out['transfer-encoding'];
      delete out['content-encoding'];
      delete out['content-length'];
      res.writeHead(upstream.statusCode ?? 502, { ...out, 'content-length': resBody.length });
      res.end(resBody);
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
    reset() {
      Object.assign(stats, { requests: 0, wireBytes: 0, rawBytes: 0, serialLinkMs: 0 });
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
