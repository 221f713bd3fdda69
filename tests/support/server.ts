// Starts a real Escale server on loopback for a test: SQLite in a temp directory or a fresh
// PostgreSQL database, optionally as a relay of an upstream server.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '../../src/server/app';
import { Accounts } from '../../src/server/auth';
import { Pokes } from '../../src/server/live';
import { Relay, type RelayCredential } from '../../src/server/relay';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';

export interface TestServer {
  url: string;
  store: SyncStore;
  accounts: Accounts;
  relay: Relay | null;
  close(): Promise<void>;
}

/** A fresh, empty PostgreSQL database on the test cluster; returns its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const base = inject('pgUrl');
  const name = `escale_${randomUUID().replaceAll('-', '')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openTestStore(kind: 'sqlite' | 'postgres'): Promise<{
  store: SyncStore;
  cleanup: () => void;
}> {
  if (kind === 'postgres') {
    return { store: await openPostgresStore(await freshPostgresDatabase(), 30), cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'escale-test-'));
  return {
    store: await openSqliteStore(join(dir, 'escale.sqlite')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startTestServer(
  options: {
    store?: 'sqlite' | 'postgres';
    upstream?: string;
    /** The relay's enrolment at central (tests/support/auth.ts relayCredential). */
    relayCredential?: RelayCredential;
    bodyLimit?: number;
    /** Central offers a compression context across a relay's requests (default on). */
    requestStreams?: boolean;
    /** Central answers a relay in a context of its own when offered (default: as requestStreams). */
    answerStreams?: boolean;
    pullBytes?: number;
    snapshotChunkBytes?: number;
    /** Ops ahead below which a device holding states is never told to reload (src/sync/reload.ts). */
    reloadOps?: number;
    relayIntervalMs?: number;
    /** The relay's long-poll hold (0: passes at the interval only). */
    relayHoldMs?: number;
    relayPageBytes?: number;
    /** The relay's requests to central go through it (a link that fails when a test says). */
    relayFetch?: typeof fetch;
    allowedOrigins?: string[];
    trustProxy?: boolean | string[];
    /** Listen on this port (a server restarted where its devices expect it). */
    port?: number;
    /** Open this SQLite file or PostgreSQL database (kept at close) instead of a fresh one. */
    sqliteFile?: string;
    databaseUrl?: string;
    /** The server's clock (a device's clock an hour behind it, say). */
    now?: () => number;
  } = {},
): Promise<TestServer> {
  const { store, cleanup } = options.sqliteFile
    ? { store: await openSqliteStore(options.sqliteFile), cleanup: () => {} }
    : options.databaseUrl
      ? { store: await openPostgresStore(options.databaseUrl, 30), cleanup: () => {} }
      : await openTestStore(options.store ?? 'sqlite');
  const pokes = new Pokes();
  const accounts = new Accounts(store, options.now);
  if (options.upstream && !options.relayCredential) {
    throw new Error('a relay needs relayCredential (tests/support/auth.ts)');
  }
  const relay = options.upstream
    ? new Relay({
        store,
        upstream: options.upstream,
        relayId: options.relayCredential!.relayId,
        org: options.relayCredential!.org,
        token: options.relayCredential!.token,
        accounts,
        intervalMs: options.relayIntervalMs ?? 200,
        pageBytes: options.relayPageBytes,
        ...(options.relayFetch ? { fetch: options.relayFetch } : {}),
        timeoutMs: 2000,
        // Tests cut central for seconds, not hours: a short backoff and long poll.
        backoffBaseMs: 50,
        backoffCapMs: 400,
        holdMs: options.relayHoldMs ?? 2_000,
        onPulled: (org, lastSeq) => pokes.poke(org, lastSeq),
        onDurable: (org) => void store.lastSeq(org).then((seq) => pokes.poke(org, seq)),
      })
    : null;
  const app = await buildApp({
    store,
    accounts,
    role: relay ? 'relay' : 'central',
    bodyLimit: options.bodyLimit,
    requestStreams: options.requestStreams,
    answerStreams: options.answerStreams,
    pullBytes: options.pullBytes,
    snapshotChunkBytes: options.snapshotChunkBytes,
    reloadOps: options.reloadOps,
    allowedOrigins: options.allowedOrigins,
    trustProxy: options.trustProxy,
    ...(options.now ? { now: options.now } : {}),
    pokes,
    onStored: () => void relay?.syncNow(),
    relay: relay ?? undefined,
    extraHealth: () => (relay ? { upstream: relay.status } : {}),
  });
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  relay?.start();
  return {
    url,
    store,
    accounts,
    relay,
    async close() {
      await relay?.stop();
      await app.close();
      await store.close();
      cleanup();
    },
  };
}
