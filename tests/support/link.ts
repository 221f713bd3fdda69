// A cuttable network link for tests: an HTTP proxy on loopback in front of a server. When cut,
// it destroys every open connection and refuses new ones, as a lost 4G link would.
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Link {
  url: string;
  up: boolean;
  /** Requests that went through. */
  passed: number;
  cut(): void;
  restore(): void;
  /** Cuts the link by itself once `n` more requests went through. */
  cutAfter(n: number): void;
  close(): Promise<void>;
}

export async function startLink(target: string): Promise<Link> {
  const sockets = new Set<Socket>();
  const state = { up: true, passed: 0, cutAt: Number.POSITIVE_INFINITY };
  const cut = () => {
    state.up = false;
    for (const s of sockets) s.destroy();
  };
  const server: Server = createServer((req, res) => {
    if (!state.up) return req.socket.destroy();
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (r) => {
        state.passed++;
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        if (state.passed >= state.cutAt) r.on('end', () => setImmediate(cut));
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    if (!state.up) return s.destroy();
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get up() {
      return state.up;
    },
    set up(v: boolean) {
      state.up = v;
    },
    get passed() {
      return state.passed;
    },
    set passed(v: number) {
      state.passed = v;
    },
    cut,
    restore() {
      state.up = true;
      state.cutAt = Number.POSITIVE_INFINITY;
    },
    cutAfter(n: number) {
      state.cutAt = state.passed + n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
