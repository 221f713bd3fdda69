// What the server does not take on trust, over real HTTP on loopback: a device token only in the
// Authorization header (the live channel alone takes it in the address), security headers on every
// answer, client addresses from X-Forwarded-For only behind a proxy it was told to trust, and a
// too large body read to its end so the client receives its 413 — on a SQLite and a PostgreSQL
// server alike (issue #20, item 8).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`where a device token is accepted (${kind})`, () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      ({ token } = await enrol(server, 'tok-1'));
    });
    afterAll(() => server.close());

    it('takes the token in the Authorization header on every route', async () => {
      const res = await fetch(`${server.url}/api/digest`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    });

    it('refuses a token in the address on any route but the live channel, header or not', async () => {
      for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<
        string,
        string
      >[]) {
        const res = await fetch(`${server.url}/api/digest?token=${token}`, { headers });
        expect(res.status).toBe(401);
        const body = (await res.json()) as { error: string; message: string };
        expect(body.error).toBe('token_in_query');
        expect(body.message).toMatch(/en-tête Authorization/);
      }
      const unknown = await fetch(`${server.url}/api/nothing?token=${token}`);
      expect(unknown.status).toBe(401);
    });

    it('takes it in the address on the live channel, which EventSource opens without headers', async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/events?token=${encodeURIComponent(token)}`, {
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      // The hijacked stream carries the security headers too.
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      controller.abort();
      const wrong = await fetch(`${server.url}/api/events?token=nobody.secret`);
      expect(wrong.status).toBe(401);
    });
  });

  describe(`security headers (${kind})`, () => {
    let direct: TestServer;
    let proxied: TestServer;
    beforeAll(async () => {
      direct = await startTestServer({ store: kind, allowedOrigins: ['https://escale.example'] });
      proxied = await startTestServer({ store: kind, trustProxy: ['127.0.0.1'] });
    });
    afterAll(async () => {
      await direct.close();
      await proxied.close();
    });

    it('sends the policy, nosniff and no-referrer on every kind of answer', async () => {
      const answers = [
        await fetch(`${direct.url}/api/health`),
        await fetch(`${direct.url}/api/sync`, { method: 'POST' }), // 401
        await fetch(`${direct.url}/nothing`), // 404
        await fetch(`${direct.url}/api/sync`, {
          method: 'OPTIONS',
          headers: { Origin: 'https://escale.example', 'Access-Control-Request-Method': 'POST' },
        }), // 204 preflight
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 204]);
      for (const res of answers) {
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      }
      // A page of the app: its own scripts and styles only, no plugin.
      const page = answers[2]!.headers.get('content-security-policy') ?? '';
      expect(page).toMatch(/default-src 'self'/);
      expect(page).toMatch(/object-src 'none'/);
      // An API answer is data: nothing may load from it at all.
      for (const res of [answers[0]!, answers[1]!, answers[3]!]) {
        expect(res.headers.get('content-security-policy')).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        );
      }
    });

    it('asks for HTTPS (HSTS) only for a request that came over TLS through a trusted proxy', async () => {
      const plain = await fetch(`${direct.url}/nothing`);
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      // Plain HTTP (development, tests): the app may reach a relay over plain HTTP too.
      expect(plain.headers.get('content-security-policy')).toMatch(
        /connect-src 'self' https: http:/,
      );
      // An untrusted client claiming TLS changes nothing.
      const claimed = await fetch(`${direct.url}/api/health`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(claimed.headers.get('strict-transport-security')).toBeNull();
      const tls = await fetch(`${proxied.url}/nothing`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(tls.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(tls.headers.get('content-security-policy')).toMatch(/connect-src 'self' https:;/);
      const tlsApi = await fetch(`${proxied.url}/api/health`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(tlsApi.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    });
  });

  describe(`rate limits behind a reverse proxy (${kind})`, () => {
    const wrongCodes = async (server: TestServer, client: string, n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${server.url}/api/enrol`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ code: 'ZZZZZZZZ', deviceId: `guess-${i}` }),
        });
        statuses.push(res.status);
      }
      return statuses;
    };

    it('counts each client apart when the proxy is trusted', async () => {
      const server = await startTestServer({ store: kind, trustProxy: ['127.0.0.1'] });
      try {
        expect(await wrongCodes(server, '203.0.113.1', 11)).toEqual([...Array(10).fill(404), 429]);
        expect(await wrongCodes(server, '203.0.113.2', 1)).toEqual([404]);
      } finally {
        await server.close();
      }
    });

    it('counts every client as the proxy’s address when it is not (the default)', async () => {
      const server = await startTestServer({ store: kind });
      try {
        expect(await wrongCodes(server, '203.0.113.1', 10)).toEqual(Array(10).fill(404));
        // Another X-Forwarded-For is no way around the limit.
        expect(await wrongCodes(server, '203.0.113.2', 1)).toEqual([429]);
      } finally {
        await server.close();
      }
    });
  });

  describe(`a body over the limit (${kind})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: kind, bodyLimit: 64 * 1024 });
    });
    afterAll(() => server.close());

    /** Streams `total` bytes as a client on a slow link would, chunk by chunk, and reports what it
     * saw: the answer, and whether its upload failed on the way. */
    function streamBody(total: number, chunked: boolean) {
      return new Promise<{ status?: number; body: string; uploadError?: string }>((resolve) => {
        const seen: { status?: number; body: string; uploadError?: string } = { body: '' };
        let pending = 2; // the upload, the answer
        const settle = () => {
          if (--pending === 0) resolve(seen);
        };
        const req = request(
          `${server.url}/api/sync`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(chunked ? {} : { 'content-length': String(total) }),
            },
          },
          (res) => {
            seen.status = res.statusCode;
            res.on('data', (c: Buffer) => {
              seen.body += c.toString();
            });
            res.on('end', settle);
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => {
          seen.uploadError = e.code ?? e.message;
          // A failed request never gives its answer.
          if (seen.status === undefined) pending = 1;
          settle();
        });
        req.on('finish', settle);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const write = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', write);
          }
          req.end();
        };
        write();
      });
    }

    it('is read to its end, so the client receives the 413 that tells it to halve its batch', async () => {
      for (const chunked of [false, true]) {
        const seen = await streamBody(16 * 1024 * 1024, chunked);
        expect(seen.uploadError, chunked ? 'chunked' : 'content-length').toBeUndefined();
        expect(seen.status).toBe(413);
        expect(JSON.parse(seen.body)).toMatchObject({ error: 'too_large' });
      }
    });
  });

  describe(`the live channel when the server stops (${kind})`, () => {
    it('is ended by the server, so closing it does not wait for the devices to hang up', async () => {
      const server = await startTestServer({ store: kind });
      const { token } = await enrol(server, 'tok-stop');
      const res = await fetch(`${server.url}/api/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const reader = res.body!.getReader();
      await reader.read(); // `retry:` — the stream is open
      await server.close();
      let ended = false;
      while (!ended) ended = (await reader.read()).done;
      expect(ended).toBe(true);
    });
  });
}
