// The central server hosts the built PWA: the shell for app routes, files as they are, and a real
// 404 for a missing file (an old chunk after a deploy must not come back as HTML).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app';
import { openTestStore } from '../support/server';

const BIG = Array.from({ length: 200 }, (_, i) => `console.log("ligne ${i}");`).join('\n');

describe.each(['sqlite', 'postgres'] as const)('hosting the app (%s)', (kind) => {
  let app: FastifyInstance;
  let dir: string;
  let done: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escale-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Escale</title>');
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1);');
    writeFileSync(join(dir, 'assets', 'app-1234.js.map'), '{"version":3,"sources":["app.ts"]}');
    writeFileSync(join(dir, 'sw.js.map'), '{"version":3,"sources":["sw.ts"]}');
    // An asset the build precompressed (vite.config.ts, precompress).
    writeFileSync(join(dir, 'assets', 'big-5678.js'), BIG);
    writeFileSync(join(dir, 'assets', 'big-5678.js.br'), brotliCompressSync(BIG));
    writeFileSync(join(dir, 'assets', 'big-5678.js.gz'), gzipSync(BIG));
    const { store, cleanup } = await openTestStore(kind);
    app = await buildApp({ store, staticDir: dir });
    done = async () => {
      await app.close();
      await store.close();
      cleanup();
    };
  });
  afterAll(async () => {
    await done();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the shell for the app’s routes, revalidated at every load', async () => {
    for (const url of ['/', '/accueil', '/salle/0193-abc']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>Escale</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and the service worker as no-cache', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    const sw = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(sw.headers['cache-control']).toBe('no-cache');
  });

  it('sends the build’s brotli or gzip file to a browser that accepts it, the file itself otherwise', async () => {
    const url = '/assets/big-5678.js';
    const br = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toMatch(/immutable/);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(BIG);
    const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(BIG);
    const raw = await app.inject({ method: 'GET', url });
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.body).toBe(BIG);
  });

  it('answers 404, not the shell, for a missing file; a JSON error for an API route', async () => {
    expect((await app.inject({ method: 'GET', url: '/assets/app-old.js' })).statusCode).toBe(404);
    // Without a device credential, no API route is even looked up.
    const api = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(api.statusCode).toBe(401);
    expect(api.json()).toMatchObject({ error: 'unauthenticated' });
  });

  it('never serves source maps, which would publish the app’s source', async () => {
    for (const url of ['/assets/app-1234.js.map', '/sw.js.map']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found' });
    }
  });

  it('serves the shell under a policy without inline code, with everything it loads its own', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).toMatch(/worker-src 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The page the build turns into the shell: nothing inline, nothing from another origin.
    const shell = readFileSync('index.html', 'utf8');
    expect(shell).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(shell).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const [, url] of shell.matchAll(/\s(?:src|href)="([^"]+)"/g)) {
      expect(url, url).toMatch(/^\/(?!\/)/);
    }
  });
});
