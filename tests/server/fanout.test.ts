// Central scales out as stateless instances over one PostgreSQL: a push received by one instance
// pokes the devices listening on another, through PostgreSQL notifications.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildApp } from '../../src/server/app';
import { Pokes } from '../../src/server/live';
import { openPostgresStore } from '../../src/server/store/open';
import { type Fanout, startPgFanout } from '../../src/server/store/pg-fanout';
import type { SyncStore } from '../../src/server/store/types';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { freshPostgresDatabase } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

interface Instance {
  app: FastifyInstance;
  url: string;
  store: SyncStore;
  fanout: Fanout;
}

async function instance(dbUrl: string): Promise<Instance> {
  const store = await openPostgresStore(dbUrl, 5);
  const pokes = new Pokes();
  const fanout = await startPgFanout(dbUrl, (org, seq) => pokes.poke(org, seq));
  const app = await buildApp({ store, pokes, fanout });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, store, fanout };
}

describe('two central instances over one PostgreSQL', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    const dbUrl = await freshPostgresDatabase();
    a = await instance(dbUrl);
    b = await instance(dbUrl);
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i.app.close();
      await i.fanout.close();
      await i.store.close();
    }
  });

  it('pokes a device listening on B after a push on A, and B serves the ops', async () => {
    const controller = new AbortController();
    // One enrolment at A; B shares its database, hence its credentials.
    const { authorization } = await authHeader(a, 'fanout-dev');
    const res = await fetch(`${b.url}/api/events`, {
      signal: controller.signal,
      headers: { authorization },
    });
    const reader = res.body!.getReader();
    await reader.read(); // the stream is open (retry line)
    const d = new TestDevice('fanout-dev');
    const push = await fetch(`${a.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org: ORG,
        deviceId: d.dev,
        since: 0,
        ops: d.batch(3, 'fan'),
      }),
    });
    expect(push.status).toBe(200);
    let text = '';
    while (!text.includes('event: poke'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"lastSeq":3');
    controller.abort();
    expect(await b.store.lastSeq(ORG)).toBe(3);
    expect(await b.store.digest(ORG)).toBe(await a.store.digest(ORG));
  });
});
