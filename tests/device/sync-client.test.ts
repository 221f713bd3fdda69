// The sync loop against the real server (SQLite store) on loopback: devices converge through it,
// pushes survive 413s and lost responses without duplicates, servers fail over in order with a
// checkpoint each, an old client is told to update, and a poke on the live channel syncs at once.

import { createServer } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localDayProof } from '../../src/device/closure';
import { type EscaleDb, getMeta, getWriter, META, setMeta } from '../../src/device/db';
import { prunedAt } from '../../src/device/horizon';
import { outboxOps, opsOf as recordOps, withOp } from '../../src/device/outbox';
import { localDigest, syncStatus } from '../../src/device/queries';
import { listSetAside } from '../../src/device/set-aside';
import {
  checkpointKey,
  createSyncClient,
  type EventSourceLike,
  type SyncClientOptions,
} from '../../src/device/sync-client';
import type { SyncStatus } from '../../src/device/sync-status';
import { type Change, writeChanges } from '../../src/device/write';
import { dayProof } from '../../src/domain/closure';
import { entitySpec } from '../../src/domain/entities';
import { heardReports } from '../../src/server/routes/closure';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { decodeOps, isCompact } from '../../src/sync/envelope';
import { conflictsOf } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { credentialFor } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Servers of this file by URL: a device enrols at the first of its servers that is one. */
const byUrl = new Map<string, TestServer>();

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer({ store: 'sqlite', ...options });
  byUrl.set(s.url, s);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= s.close();
    return closing;
  };
  cleanups.push(close);
  return { ...s, close };
}

let n = 0;
/** The ops of a request body, in whichever form it went (protocol 3 goes compact once told). */
function opsOf(body: string): Op[] {
  const { ops } = JSON.parse(body) as { ops: unknown };
  return isCompact(ops) ? decodeOps(ops) : (ops as Op[]);
}

async function device(
  deviceId: string,
  servers: string[],
  options: Partial<SyncClientOptions> = {},
) {
  const db = openTestDb(undefined, `device-${deviceId}-${++n}`);
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, ORG);
  const home = servers.map((url) => byUrl.get(url)).find((x) => x !== undefined);
  if (home) {
    const { token } = await credentialFor(home, deviceId, { org: ORG });
    await setMeta(db, 'credential', {
      token,
      profile: 'coordination',
      roomId: null,
      name: deviceId,
      orgName: ORG,
    });
    // Its other servers know it as a relay knows central's devices.
    const issued = await home.accounts.credentials(ORG);
    for (const url of servers) {
      const other = byUrl.get(url);
      if (other && other !== home) await other.accounts.importFromCentral(ORG, issued, []);
    }
  }
  const client = createSyncClient({
    db,
    servers,
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 3_000,
    ...options,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  return { db, client, write };
}

const patients = (prefix: string, count: number): Change[] =>
  Array.from({ length: count }, (_, i) => newPatient(`${prefix}${i}`, i));

/** A loopback port nothing listens on. */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

/** fetch that records each POST /api/sync status. */
function recordingFetch(statuses: number[], inner: typeof fetch = fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await inner(input, init);
    if (String(input).endsWith('/api/sync')) statuses.push(res.status);
    return res;
  }) as typeof fetch;
}

/** Waits for `check` to pass, trying every 20 ms for up to 20 s. */
function eventually(check: () => unknown): Promise<void> {
  return vi.waitFor(async () => void (await check()), { interval: 20, timeout: 20_000 });
}

describe('sync client against the real server', () => {
  it('two devices converge through the server to the same rows and the same digest', async () => {
    const s = await server();
    const a = await device('dev-a', [s.url], { withDigest: true });
    const b = await device('dev-b', [s.url]);
    await a.write([
      ...patients('pa', 3),
      { entity: 'staff', id: 's1', set: { roles: ['accueil'] } },
    ]);
    await b.write(patients('pb', 2));
    expect((await a.client.syncNow()).state).toBe('ok');
    expect((await b.client.syncNow()).state).toBe('ok');
    // Concurrent edits of the same clinical field on both devices, then both sync.
    await a.write([{ entity: 'patient', id: 'pa0', set: { birthDate: '1951-01-01' } }]);
    await b.write([
      { entity: 'patient', id: 'pa0', set: { birthDate: '1952-02-02' } },
      { entity: 'staff', id: 's1', add: { roles: ['clinicien'] } },
    ]);
    await a.client.syncNow();
    await b.client.syncNow();
    const last = await a.client.syncNow();
    expect(last).toMatchObject({ state: 'ok', server: s.url, pending: 0, lastError: null });
    expect(await a.db.outbox.count()).toBe(0);
    expect(await b.db.outbox.count()).toBe(0);
    expect(await a.db.table('patient').toArray()).toEqual(await b.db.table('patient').toArray());
    expect(await a.db.rows('patient').count()).toBe(5);
    expect((await b.db.rows('staff').get('s1'))?.roles).toEqual(['accueil', 'clinicien']);
    const digest = await localDigest(a.db);
    expect(await localDigest(b.db)).toBe(digest);
    expect(last.serverDigest).toBe(digest); // device and server hold the same thing
    expect(await s.store.digest(ORG)).toBe(digest);
  });

  it('gzips its pushes once the server said it reads gzip bodies, and the server stores them', async () => {
    const s = await server();
    const sent: { encoding: string | null; bytes: number }[] = [];
    const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith('/api/sync')) {
        const body = init?.body;
        sent.push({
          encoding: new Headers(init?.headers).get('content-encoding'),
          bytes: typeof body === 'string' ? body.length : (body as Uint8Array).byteLength,
        });
      }
      return fetch(input, init);
    }) as typeof fetch;
    const a = await device('dev-gz', [s.url], { fetch: spy });
    await a.write(patients('gz', 2));
    expect((await a.client.syncNow()).state).toBe('ok');
    // The first request cannot know: raw. The server's answer says Accept-Encoding: gzip.
    expect(sent[0]!.encoding).toBeNull();
    await a.write(patients('gz2-', 20));
    expect((await a.client.syncNow()).state).toBe('ok');
    const last = sent.at(-1)!;
    expect(last.encoding).toBe('gzip');
    expect(await s.store.contiguous(ORG, 'dev-gz')).toBe((await getWriter(a.db)).lastSeq);
    expect(await a.db.outbox.count()).toBe(0);
    const b = await device('dev-gz-reader', [s.url]);
    expect((await b.client.syncNow()).state).toBe('ok');
    expect(await b.db.table('patient').count()).toBe(22);
  });

  it('a 413 halves the pushed batch until it fits, and everything is delivered once', async () => {
    const s = await server({ bodyLimit: 16 * 1024 });
    const statuses: number[] = [];
    const a = await device('dev-a', [s.url], { fetch: recordingFetch(statuses) });
    const ops = await a.write(patients('p', 44));
    expect(JSON.stringify(ops).length).toBeGreaterThan(8 * 16 * 1024); // several halvings
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(statuses).toContain(413);
    expect(statuses.at(-1)).toBe(200);
    expect(await a.db.outbox.count()).toBe(0);
    expect(await s.store.lastSeq(ORG)).toBe(ops.length);
    const b = await device('dev-b', [s.url]);
    await b.client.syncNow();
    expect(await b.db.rows('patient').count()).toBe(44);
    expect(await localDigest(b.db)).toBe(await localDigest(a.db));
  });

  it('a response lost on the way back is retried without duplicating ops on the server', async () => {
    const s = await server();
    let dropNext = true;
    const lossy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (dropNext && String(input).endsWith('/api/sync')) {
        dropNext = false;
        throw new TypeError('fetch failed'); // the server stored the push; the answer is lost
      }
      return res;
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], { fetch: lossy });
    const ops = await a.write(patients('p', 3));
    const failed = await a.client.syncNow();
    expect(failed.state).toBe('offline');
    expect(failed.lastError).toMatch(/Aucun serveur/);
    expect((await outboxOps(a.db)).length).toBe(ops.length); // not acked: kept
    expect(await s.store.lastSeq(ORG)).toBe(ops.length);
    const ok = await a.client.syncNow();
    expect(ok).toMatchObject({ state: 'ok', pending: 0 });
    expect(await s.store.lastSeq(ORG)).toBe(ops.length); // no duplicates
    expect(await s.store.contiguous(ORG, 'dev-a')).toBe(ops.length);
  });

  it('autosaves fold until a push is tried; a value the server got but never acknowledged is kept', async () => {
    const s = await server();
    let dropNext = false;
    const lossy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (dropNext && String(input).endsWith('/api/sync')) {
        dropNext = false;
        throw new TypeError('fetch failed'); // stored by the server, the answer lost
      }
      return res;
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], { fetch: lossy });
    const phone = (value: string): Change => ({
      entity: 'patient',
      id: 'p1',
      set: { phone: value },
    });
    const created = await a.write([newPatient('p1')]);
    // Three autosaves before any push fold into the record's own phone op.
    await a.write([phone('06')]);
    await a.write([phone('06 12')]);
    await a.write([phone('06 12 34 56 78')]);
    expect((await outboxOps(a.db)).length).toBe(created.length);
    dropNext = true;
    expect((await a.client.syncNow()).state).toBe('offline');
    expect(await s.store.lastSeq(ORG)).toBe(created.length);
    // The server holds that op but never said so: the next value must not replace it.
    const [next] = await a.write([phone('06 12 34 56 79')]);
    expect(next!.seq).toBe(created.length + 1);
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(await s.store.contiguous(ORG, 'dev-a')).toBe(created.length + 1);
    const [held] = await s.store.rows(ORG, 'patient');
    expect(held?.phone).toBe('06 12 34 56 79');
    const [state] = await s.store.rowStates(ORG, 'patient');
    expect(conflictsOf(state!, entitySpec)).toEqual([]);
    expect(await s.store.digest(ORG)).toBe(await localDigest(a.db));
  });

  it('while no server answers, retries offer nothing, so the autosaves typed meanwhile cross as one op', async () => {
    const s = await server();
    let down = false;
    const bodies: string[] = [];
    const flaky = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (down) throw new TypeError('fetch failed'); // no route to the truck's relay
      if (String(input).endsWith('/api/sync')) bodies.push(String(init?.body ?? ''));
      return fetch(input, init);
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], { fetch: flaky });
    const phone = (value: string): Change => ({
      entity: 'patient',
      id: 'p1',
      set: { phone: value },
    });
    const created = await a.write([newPatient('p1')]);
    expect((await a.client.syncNow()).state).toBe('ok');
    down = true;
    for (const value of ['06', '06 12', '06 12 34', '06 12 34 56 78']) {
      await a.write([phone(value)]);
      expect((await a.client.syncNow()).state).toBe('offline');
    }
    // The first value was offered by the first failed try (it might have arrived); the three
    // typed after it fold into one.
    expect(await a.db.outbox.count()).toBe(2);
    down = false;
    bodies.length = 0;
    expect((await a.client.syncNow()).state).toBe('ok');
    // The first request after the failures pushes nothing (the probe), the next one both ops.
    expect(bodies.map((b) => opsOf(b).length)).toEqual([0, 2]);
    expect(await s.store.contiguous(ORG, 'dev-a')).toBe(created.length + 2);
    expect((await s.store.rows(ORG, 'patient'))[0]?.phone).toBe('06 12 34 56 78');
    expect(await s.store.digest(ORG)).toBe(await localDigest(a.db));
  });

  it('speaks protocol 3: its first request in the list form, then compact ops and compact pages', async () => {
    const s = await server();
    const sent: string[] = [];
    const answers: unknown[] = [];
    const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/api/sync')) {
        const raw = init?.body;
        sent.push(
          typeof raw === 'string'
            ? raw
            : gunzipSync(Buffer.from(raw as Uint8Array)).toString('utf8'),
        );
        answers.push(((await res.clone().json()) as { ops: unknown }).ops);
      }
      return res;
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], { fetch: spy });
    const b = await device('dev-b', [s.url]);
    await b.write(patients('pb', 3));
    expect((await b.client.syncNow()).state).toBe('ok');
    expect((await a.client.syncNow()).state).toBe('ok');
    await a.write(patients('pa', 2));
    await b.write(patients('pc', 2));
    expect((await b.client.syncNow()).state).toBe('ok');
    expect((await a.client.syncNow()).state).toBe('ok');
    const forms = sent.map((body, i) => [
      isCompact((JSON.parse(body) as { ops: unknown }).ops),
      isCompact(answers[i]),
    ]);
    expect(forms[0]).toEqual([false, false]);
    expect(forms.length).toBeGreaterThan(1);
    expect(forms.slice(1).every(([push, answer]) => push && answer)).toBe(true);
    const pushed = sent.flatMap(opsOf).filter((op) => op.e === 'patient');
    expect([...new Set(pushed.map((op) => op.id))]).toEqual(['pa0', 'pa1']);
    expect(await s.store.digest(ORG)).toBe(await localDigest(a.db));
    expect((await b.client.syncNow()).state).toBe('ok');
    expect(await localDigest(b.db)).toBe(await localDigest(a.db));
  });

  it('fails over from an unreachable first server to the second and says which one it reached', async () => {
    const s = await server();
    const dead = await deadUrl();
    const a = await device('dev-a', [dead, s.url]);
    await a.write(patients('p', 2));
    const status = await a.client.syncNow();
    expect(status).toMatchObject({ state: 'ok', server: s.url, pending: 0 });
    expect(await getMeta(a.db, checkpointKey(dead))).toBeUndefined();
    expect(await s.store.rows(ORG, 'patient')).toHaveLength(2);
  });

  it('reports "offline" with a French message when no server answers, keeping the outbox', async () => {
    const a = await device('dev-a', [await deadUrl(), await deadUrl()]);
    await a.write(patients('p', 1));
    const status = await a.client.syncNow();
    expect(status.state).toBe('offline');
    expect(status.lastError).toMatch(/Aucun serveur de synchronisation joignable/);
    expect(status.pending).toBeGreaterThan(0);
  });

  it('keeps one checkpoint per server: a failover to another server pulls from its own start', async () => {
    const relay = await server();
    const central = await server();
    const onRelay = await device('dev-r', [relay.url]);
    const onCentral = await device('dev-c', [central.url]);
    await onRelay.write(patients('r', 2));
    await onCentral.write(patients('c', 3));
    await onRelay.client.syncNow();
    await onCentral.client.syncNow();

    const b = await device('dev-b', [relay.url, central.url]);
    const first = await b.write(patients('b', 1));
    await b.client.syncNow();
    const relayCheckpoint = await getMeta<number>(b.db, checkpointKey(relay.url));
    expect(relayCheckpoint).toBe(await relay.store.lastSeq(ORG));
    expect(await getMeta(b.db, checkpointKey(central.url))).toBeUndefined();
    expect((await b.db.rows('patient').toArray()).map((p) => p.id).sort()).toEqual([
      'b0',
      'r0',
      'r1',
    ]);

    await relay.close(); // the truck's relay goes away: central takes over
    const second = await b.write(patients('b', 2)); // b0 again (an update) and b1
    const status = await b.client.syncNow();
    expect(status.lastError).toBeNull();
    expect(status).toMatchObject({ state: 'ok', server: central.url });
    expect(await getMeta(b.db, checkpointKey(central.url))).toBe(await central.store.lastSeq(ORG));
    expect(await getMeta(b.db, checkpointKey(relay.url))).toBe(relayCheckpoint);
    expect((await b.db.rows('patient').toArray()).map((p) => p.id).sort()).toEqual([
      'b0',
      'b1',
      'c0',
      'c1',
      'c2',
      'r0',
      'r1',
    ]);
    // The first server (a central of its own here, not a relay) said b's first ops were durable,
    // so b moved them out of its outbox and declares them gone (its floor). This central lacks
    // them: it asks for them (`missing`) and b sends them again from its kept copies in the same
    // run (docs/protocol.md, Gap recovery) — no gap remains.
    expect(second[0]?.seq).toBe(first.length + 1);
    expect(await central.store.contiguous(ORG, 'dev-b')).toBe(first.length + second.length);
    expect(await central.store.gaps(ORG)).toEqual([]);
    expect(await b.db.outbox.count()).toBe(0);
    expect(await b.db.sent.count()).toBe(first.length + second.length);
    expect(await central.store.lastSeq(ORG)).toBe(3 * 21 + first.length + second.length);
    expect(status.pending).toBe(0);
  });

  it('waits, as when offline, on a relay that does not know the device yet (503), then syncs', async () => {
    const s = await server();
    const message =
      'Ce relais ne connaît pas encore cet appareil ; la synchronisation reprendra quand le relais joindra le central.';
    let relayKnowsIt = false;
    // The truck's relay before it could learn the device's credential from central.
    const relay = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!relayKnowsIt && String(input).endsWith('/api/sync')) {
        return new Response(JSON.stringify({ error: 'relay_unknown_device', message }), {
          status: 503,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(input, init);
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], { fetch: relay });
    const ops = await a.write(patients('p', 2));
    const waiting = await a.client.syncNow();
    expect(waiting).toMatchObject({ state: 'offline', lastError: message });
    expect((await outboxOps(a.db)).length).toBe(ops.length);
    relayKnowsIt = true;
    expect(await a.client.syncNow()).toMatchObject({ state: 'ok', pending: 0, lastError: null });
  });

  it('moves on to the next server when the relay does not know the device yet', async () => {
    const central = await server();
    const relayUrl = await deadUrl();
    const relay = (async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).startsWith(relayUrl)
        ? new Response(JSON.stringify({ error: 'relay_unknown_device', message: '…' }), {
            status: 503,
          })
        : fetch(input, init)) as typeof fetch;
    const a = await device('dev-a', [relayUrl, central.url], { fetch: relay });
    await a.write(patients('p', 1));
    expect(await a.client.syncNow()).toMatchObject({ state: 'ok', server: central.url });
  });

  it('reports update_required on 426 and stops retrying, keeping the outbox', async () => {
    const s = await server();
    const statuses: number[] = [];
    // An old client: the server's minimum protocol is above what this one sends.
    const oldClient = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body));
      return fetch(input, { ...init, body: JSON.stringify({ ...body, protocol: 0 }) });
    }) as typeof fetch;
    const a = await device('dev-a', [s.url], {
      fetch: recordingFetch(statuses, oldClient),
      backoffBaseMs: 10,
      debounceMs: 10,
    });
    await a.write(patients('p', 1));
    a.client.start();
    await eventually(async () => expect((await syncStatus(a.db)).state).toBe('update_required'));
    await a.write(patients('q', 1)); // a local write would normally trigger a sync
    // Neither does a manual sync, which also waits for any sync already under way.
    expect((await a.client.syncNow()).state).toBe('update_required');
    expect(statuses).toEqual([426]);
    const status = await syncStatus(a.db);
    expect(status.lastError).toMatch(/Mise à jour requise/);
    expect(status.pending).toBe(await a.db.outbox.count());
    expect(status.pending).toBeGreaterThan(0);
    expect(await s.store.lastSeq(ORG)).toBe(0);
  });

  it('a bootstrapping device pulls page after page and shows how far it is', async () => {
    const s = await server({ pullBytes: 8 * 1024 });
    const a = await device('dev-a', [s.url]);
    const ops = await a.write(patients('p', 30));
    await a.client.syncNow();
    const seen: SyncStatus['pull'][] = [];
    // Before each request, what the status bar of the device shows.
    const watching = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const pull = (await getMeta<SyncStatus>(b.db, META.syncStatus))?.pull;
      if (pull) seen.push(pull);
      return fetch(input, init);
    }) as typeof fetch;
    // The replay's pages (a snapshot's progress: tests/device/snapshot.test.ts).
    const b = await device('dev-b', [s.url], { fetch: watching, snapshots: false });
    const status = await b.client.syncNow();
    expect(status).toMatchObject({ state: 'ok', pull: null });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p) => p !== null && p.target === ops.length)).toBe(true);
    expect(seen.map((p) => p!.reached)).toEqual(
      [...seen.map((p) => p!.reached)].sort((x, y) => x - y),
    );
    // Pages and changes received so far grow page after page, and never pass what there is.
    expect(seen.map((p) => p!.pages)).toEqual(seen.map((_, i) => i + 1));
    const received = seen.map((p) => p!.received!);
    expect(received).toEqual([...received].sort((x, y) => x - y));
    expect(received[0]).toBeGreaterThan(0);
    expect(received.at(-1)).toBeLessThan(ops.length);
    expect(seen[0]!.reached).toBeLessThan(ops.length);
    expect(await getMeta(b.db, checkpointKey(s.url))).toBe(ops.length);
    expect(await b.db.rows('patient').count()).toBe(30);
  });

  it('corrects the HLC offset with the server time: a device a day behind stamps at server time', async () => {
    const s = await server();
    const dayMs = 24 * 3600_000;
    const a = await device('dev-a', [s.url], { now: () => Date.now() - dayMs });
    await a.client.syncNow();
    const clock = (await getWriter(a.db)).clock;
    expect(clock?.offset).toBeGreaterThan(dayMs - 60_000);
    expect(clock?.offset).toBeLessThan(dayMs + 60_000);
  });

  it('a poke on the live channel makes a started device pull at once', async () => {
    const s = await server();
    const a = await device('dev-a', [s.url]);
    let listening = false;
    const b = await device('dev-b', [s.url], {
      eventSource: (url) => fetchEventSource(url, () => (listening = true)),
      pollMs: 60_000,
    });
    b.client.start();
    await eventually(async () => expect((await syncStatus(b.db)).state).toBe('ok'));
    await eventually(() => expect(listening).toBe(true)); // the live channel is connected
    await a.write(patients('p', 1));
    await a.client.syncNow();
    await eventually(async () => expect(await b.db.rows('patient').count()).toBe(1));
  });
});

/** A minimal EventSource over fetch for Node (no reconnection). `onListening` is called once the
 *  server's headers arrive: it registers the stream in the same step as it writes them, so from
 *  then on its pokes reach this channel. */
function fetchEventSource(url: string, onListening?: () => void): EventSourceLike {
  const controller = new AbortController();
  const listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  void (async () => {
    const res = await fetch(url, { signal: controller.signal });
    onListening?.();
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trim());
        }
        if (data.length > 0) {
          const ev = new MessageEvent(type, { data: data.join('\n') });
          for (const l of listeners.get(type) ?? []) l(ev);
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return {
    addEventListener: (type, fn) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    close: () => controller.abort(),
  };
}

describe('the day digest in the status report during a closure', () => {
  it('once told the closure began, the device reports its view of the day as held after the pull', async () => {
    const s = await server();
    const stop = { ...buildDemoDataset({ today: '2026-11-23' }).data.stop[0]!, orgId: ORG };
    await s.store.push(ORG, rowsToOps(ORG, 'seed', { stop: [stop] }));
    const a = await device('dev-a', [s.url], {
      describe: () => ({ appVersion: '0.1.0', profile: 'coordination' }),
    });
    await a.write(patients('pa', 2));
    expect(await a.client.syncNow()).toMatchObject({ state: 'ok', lastError: null });
    const heard = async () => (await heardReports(s.store, ORG)).get('dev-a');
    expect((await heard())?.day).toBeUndefined();
    const coordination = await credentialFor(byUrl.get(s.url)!, 'dev-a', { org: ORG });
    const res = await fetch(`${s.url}/api/closure/begin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...coordination.headers },
      body: JSON.stringify({ org: ORG, stopId: stop.id }),
    });
    const { closure } = (await res.json()) as { closure: { startedAt: number } };
    // One sync run: told of the closure by the answer, it reports again before it ends.
    expect(await a.client.syncNow()).toMatchObject({ state: 'ok', lastError: null });
    // Its only peer is central, whose horizon it adopted (decision 0027): the report names the
    // one it held when it left (the answer may bring a later one), and central judges it there.
    const day = (await heard())?.day;
    expect(day?.hz).toBeDefined();
    expect(day!.hz! <= (await prunedAt(a.db))!).toBe(true);
    expect(day).toEqual({
      stopId: stop.id,
      startedAt: closure.startedAt,
      digest: (await localDayProof(a.db, stop.id, day?.hz)).digest,
      hz: day?.hz,
    });
    expect(day?.digest).toBe(
      dayProof(await s.store.rowStates(ORG), stop.id, entitySpec, day?.hz).digest,
    );
  });
});

// Issue #20, item 2: an op the server refuses for good is set aside on the device — kept,
// listed, reported — and never blocks the device's other ops.
describe('an op the server refuses', () => {
  it('is set aside and kept, and the rest of the outbox goes through', async () => {
    const s = await server();
    const d = await device('dev-aside', [s.url], {
      describe: () => ({ appVersion: '0.1.0', profile: 'coordination' }),
    });
    await d.write(patients('ok', 3));
    // One action, one outbox record holding its ops (src/device/outbox.ts).
    const [record, ...others] = await d.db.outbox.toArray();
    expect(others).toEqual([]);
    const outbox = recordOps(record!);
    expect(outbox.length).toBeGreaterThanOrEqual(3);
    // A value no store holds (a NUL), as a buggy or older client could have written it.
    const poisoned = { ...outbox[1]!, val: 'Du\u0000pont' };
    await d.db.outbox.put(withOp(record!, poisoned));
    const status = await d.client.syncNow();
    expect(status.state).toBe('ok');
    // Every other op reached the server; the refused one is held apart there, kept here.
    const last = outbox[outbox.length - 1]!.seq;
    expect(await s.store.contiguous(ORG, 'dev-aside')).toBe(last);
    const left = await outboxOps(d.db);
    expect(left.map((op) => op.seq)).toEqual([poisoned.seq]);
    const aside = await listSetAside(d.db);
    expect(aside).toEqual([
      {
        seq: poisoned.seq,
        reason: expect.stringMatching(/Valeur non enregistrable/),
        at: expect.any(String),
      },
    ]);
    expect((await s.store.quarantined(ORG)).map((q) => q.seq)).toEqual([poisoned.seq]);
    // Later work is not blocked, and the next sync reports the op set aside.
    await d.write(patients('later', 1));
    expect((await d.client.syncNow()).state).toBe('ok');
    expect(await s.store.contiguous(ORG, 'dev-aside')).toBeGreaterThan(last);
    expect((await outboxOps(d.db)).map((op) => op.seq)).toEqual([poisoned.seq]);
    const seen = JSON.parse((await s.store.getMeta(`device:${ORG}:dev-aside`))!) as {
      lastError: string;
      pending: number;
    };
    expect(seen.lastError).toMatch(/1 modification refusée par le serveur/);
    // Kept, never sent: not « waiting » — neither in its status nor in its report to the
    // closure (which would otherwise never see it synced).
    expect(seen.pending).toBe(0);
    expect((await syncStatus(d.db)).pending).toBe(0);
    await d.write(patients('waiting', 1));
    expect((await syncStatus(d.db)).pending).toBe(1);
  });
});

// A refused op set aside must not go on showing on its device (docs/architecture.md, the two
// laptops of one room: an edit refused after the other signed the note): the next run takes the
// row back from the server, with the device's ops not set aside applied again.
/** Patient p-back synced, then its name changed on the device in a form the server refuses (a
 * NUL, as above), queued and not sent: the op the server will set aside. */
async function refusedNameQueued(d: Awaited<ReturnType<typeof device>>) {
  await d.write([newPatient('p-back', 1)]);
  expect((await d.client.syncNow()).state).toBe('ok');
  await d.write([{ entity: 'patient', id: 'p-back', set: { usedName: 'DURAND' } }]);
  const [record] = await d.db.outbox.toArray();
  const [op] = recordOps(record!);
  await d.db.outbox.put(withOp(record!, { ...op!, val: 'DU\u0000RAND' }));
  return op!;
}

describe('a row whose op the server refused', () => {
  it('is taken back from the server: the refused value goes, later work stays', async () => {
    const s = await server();
    const d = await device('dev-back', [s.url]);
    const op = await refusedNameQueued(d);
    expect((await d.client.syncNow()).state).toBe('ok');
    expect((await listSetAside(d.db)).map((x) => x.seq)).toEqual([op.seq]);
    // Typed after, not yet sent.
    await d.write([{ entity: 'patient', id: 'p-back', set: { usedFirstName: 'Jeanne' } }]);

    expect((await d.client.syncNow()).state).toBe('ok');
    const row = await d.db.table('patient').get('p-back');
    expect(row.usedName).toBeNull();
    expect(row.usedFirstName).toBe('Jeanne');
    // The device holds what the server holds, its set-aside op kept in its outbox.
    const [central] = await s.store.rowsByIds(ORG, 'patient', ['p-back']);
    expect(central).toMatchObject({ usedName: null, usedFirstName: 'Jeanne' });
    expect((await outboxOps(d.db)).map((x) => x.seq)).toEqual([op.seq]);
    expect(await getMeta(d.db, `reload:${s.url}`)).toBeUndefined();
  });
});

describe('a row whose op the server refused, in a run that reloads', () => {
  it('is taken back by the reload the server asks for in the same run', async () => {
    // Behind by more than 5 ops, the device is told to reload (src/sync/reload.ts): the reload
    // keeps the rows marked when the op was set aside a round before (it replaced the mark).
    const s = await server({ reloadOps: 5 });
    const d = await device('dev-back-reload', [s.url]);
    const other = await device('dev-other', [s.url]);
    const op = await refusedNameQueued(d);
    await other.write(patients('elsewhere', 10));
    expect((await other.client.syncNow()).state).toBe('ok');

    expect((await d.client.syncNow()).state).toBe('ok');
    expect((await listSetAside(d.db)).map((x) => x.seq)).toEqual([op.seq]);
    expect((await d.db.table('patient').get('p-back')).usedName).toBeNull();
    expect(await d.db.table('patient').get('elsewhere9')).toBeDefined();
  });
});

// Issue #18 item 5: the outbox keeps one record per user action (src/device/outbox.ts); the wire
// still carries ops, sliced by bytes, so an action may be cut between two pushes.
describe('an outbox of one record per action', () => {
  it('cuts an action between pushes in order, and each part is acknowledged and moved once', async () => {
    const s = await server();
    const bodies: string[] = [];
    const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith('/api/sync')) {
        const raw = init?.body;
        bodies.push(
          typeof raw === 'string'
            ? raw
            : gunzipSync(Buffer.from(raw as Uint8Array)).toString('utf8'),
        );
      }
      return fetch(input, init);
    }) as typeof fetch;
    // A budget of about two ops per push: the action's record is sent in several parts.
    const a = await device('dev-cut', [s.url], { fetch: spy, maxPushBytes: 700 });
    const first = await a.write(patients('cut', 3));
    const second = await a.write(patients('next', 1));
    expect(await a.db.outbox.count()).toBe(2);
    expect((await a.client.syncNow()).state).toBe('ok');
    const pushed = bodies.map((b) => opsOf(b).map((op) => op.seq)).filter((x) => x.length > 0);
    // More than one push for the first action alone, every op once, in order.
    expect(pushed.filter((seqs) => seqs.every((q) => q <= first.length)).length).toBeGreaterThan(1);
    const all = [...first, ...second].map((op) => op.seq);
    expect(pushed.flat()).toEqual(all);
    expect(await s.store.contiguous(ORG, 'dev-cut')).toBe(all.length);
    // Durable at central: the records left the outbox, their ops kept one by one for recovery.
    expect(await a.db.outbox.count()).toBe(0);
    expect((await a.db.sent.toArray()).map((op) => op.seq)).toEqual(all);
    expect(await s.store.digest(ORG)).toBe(await localDigest(a.db));
  });

  it('after an upgrade, the ops an earlier version queued one per record are all pushed, in order', async () => {
    const s = await server();
    // An earlier version's outbox: the same ops, each its own record keyed by its seq.
    const older = openTestDb(undefined, `older-${++n}`);
    cleanups.push(() => older.close());
    const queued = await writeChanges(older, { deviceId: 'dev-old', org: ORG }, patients('o', 2));
    const a = await device('dev-old', [s.url]);
    await copyRows(older, a.db);
    await a.db.outbox.bulkAdd(queued);
    await a.db.meta.bulkPut([
      {
        key: META.writer,
        value: { lastSeq: queued.length, clock: (await getWriter(older)).clock },
      },
    ]);
    expect(await a.db.outbox.count()).toBe(queued.length);
    // This version writes on top: one record for the new action, numbered after them.
    const later = await a.write(patients('n', 1));
    expect(later[0]!.seq).toBe(queued.length + 1);
    expect(await outboxOps(a.db)).toEqual([...queued, ...later]);
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(await s.store.contiguous(ORG, 'dev-old')).toBe(queued.length + later.length);
    expect(await a.db.outbox.count()).toBe(0);
    expect((await s.store.rows(ORG, 'patient')).map((p) => p.id).sort()).toEqual([
      'n0',
      'o0',
      'o1',
    ]);
  });
});

/** Copies the rows and merge states of `from` into `to` (the device as the older version left it). */
async function copyRows(from: EscaleDb, to: EscaleDb): Promise<void> {
  await to.states.bulkPut(await from.states.toArray());
  await to.rows('patient').bulkPut(await from.rows('patient').toArray());
}
