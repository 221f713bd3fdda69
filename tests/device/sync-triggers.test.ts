// When the sync loop runs (docs/design.md §8: the page drives sync): at start, after local writes
// (debounced), on `online` and on becoming visible, on a backoff timer after failures, on a
// live-channel poke; one leader among tabs. The server is a stub answering the protocol here;
// tests/device/sync-client.test.ts runs the loop against the real server.
// The client's timers and clock are vitest's fake ones: time passes only when a test advances
// it, so "20 ms after the last write" and "40, then 80 ms after a failure" are exact.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EscaleDb, getMeta, META, setMeta } from '../../src/device/db';
import {
  createSyncClient,
  type EventSourceLike,
  retryDelay,
  type SyncClient,
  type SyncClientOptions,
} from '../../src/device/sync-client';
import type { SyncStatus } from '../../src/device/sync-status';
import { writeChanges } from '../../src/device/write';
import type { SyncRequest } from '../../src/sync/protocol';
import { ORG } from './fixtures';
import { openTestDb } from './support';

const SERVER = 'http://server.test';
const TOKEN = 'dev-a.c2VjcmV0LWRlLWxhcHBhcmVpbA';

/** A stub sync endpoint: acknowledges every push, never has anything to pull. */
function stubServer(behaviour: { fail?: () => boolean; status?: () => number } = {}) {
  const requests: SyncRequest[] = [];
  /** When each answered request arrived, on the fake clock. */
  const times: number[] = [];
  const credentials: (string | undefined)[] = [];
  let accepted = 0;
  const answer = (async (_url: string, init?: RequestInit): Promise<Response> => {
    if (behaviour.fail?.()) throw new TypeError('fetch failed');
    const body = JSON.parse(String(init?.body)) as SyncRequest;
    requests.push(body);
    times.push(Date.now());
    credentials.push((init?.headers as Record<string, string> | undefined)?.authorization);
    const status = behaviour.status?.() ?? 200;
    if (status !== 200) return new Response(JSON.stringify({ message: 'non' }), { status });
    for (const op of body.ops) accepted = Math.max(accepted, op.seq);
    return Response.json({
      accepted,
      ops: [],
      lastSeq: body.since,
      hasMore: false,
      serverTime: Date.now(),
    });
  }) as typeof globalThis.fetch;
  return { fetch: answer, requests, times, credentials };
}

class FakeEvents {
  private listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, fn: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: () => void) {
    this.listeners.get(type)?.delete(fn);
  }
  fire(type: string) {
    for (const fn of this.listeners.get(type) ?? []) fn();
  }
  count(type: string) {
    return this.listeners.get(type)?.size ?? 0;
  }
}

async function enrolledDb(): Promise<EscaleDb> {
  const db = openTestDb();
  await setMeta(db, META.deviceId, 'dev-a');
  await setMeta(db, META.org, ORG);
  await setMeta(db, 'credential', {
    token: TOKEN,
    profile: 'reception',
    roomId: null,
    name: 'Tablette',
    orgName: ORG,
  });
  return db;
}

const write = (db: EscaleDb, id: string) =>
  writeChanges(db, { deviceId: 'dev-a', org: ORG }, [
    { entity: 'patient', id, set: { birthName: 'NOM' } },
  ]);

const clients: SyncClient[] = [];
function client(options: SyncClientOptions): SyncClient {
  const c = createSyncClient({
    locks: null,
    events: null,
    eventSource: null,
    // The fake server answers POST /api/sync only: these are the triggers of the round trip
    // (a fresh device's snapshot: tests/device/snapshot.test.ts).
    snapshots: false,
    debounceMs: 20,
    pollMs: 60_000,
    ...options,
  });
  clients.push(c);
  return c;
}

// Only the timers and the clock are faked: fake-indexeddb and Dexie run on real setImmediate
// and microtasks, so the client's database work goes on while the fake clock stands still.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
  vi.useRealTimers();
});

/**
 * Waits in real time for `check` to pass without moving the fake clock: under fake timers
 * vi.waitFor advances them by its interval at each try, and an interval of 0 only fires what is
 * due now (a 0 ms timer, as a poke sets).
 */
function eventually(check: () => unknown): Promise<void> {
  return vi.waitFor(async () => void (await check()), { interval: 0, timeout: 20_000 });
}

/** Waits until no sync run is under way: a run writes « syncing » before its first request. */
function idle(db: EscaleDb): Promise<void> {
  return eventually(async () =>
    expect((await getMeta<SyncStatus>(db, META.syncStatus))?.state).not.toBe('syncing'),
  );
}

/** Lets `ms` pass on the fake clock, then waits for any sync that started meanwhile to end: its
 *  requests reach the server at the fake time it started. */
async function elapse(db: EscaleDb, ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await idle(db);
}

/** Waits until `count()` requests reached the server and the sync run of the last one ended
 *  (its status is written, its next attempt planned). */
async function runEnded(db: EscaleDb, count: () => number, n: number): Promise<void> {
  await eventually(() => expect(count()).toBe(n));
  await idle(db);
}

/** Milliseconds from the first of `times` to each of them. */
const since = (times: number[]) => times.map((t) => t - times[0]!);

describe('sync triggers', () => {
  it('syncs at start, then once 20 ms after the last of a burst of local writes', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    client({ db, servers: [SERVER], fetch: server.fetch }).start();
    await runEnded(db, () => server.requests.length, 1);
    await write(db, 'p1');
    await elapse(db, 15);
    await write(db, 'p2');
    await elapse(db, 15);
    await write(db, 'p3'); // 30 ms after the first write: each write restarted the wait
    await elapse(db, 19);
    expect(server.requests).toHaveLength(1);
    await elapse(db, 1);
    expect(await db.outbox.count()).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.ops.map((o) => o.seq)).toEqual([1, 2, 3]);
    expect(since(server.times)).toEqual([0, 50]);
  });

  it('syncs when the browser comes back online and when the page becomes visible', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    const events = new FakeEvents();
    let visible = false;
    client({
      db,
      servers: [SERVER],
      fetch: server.fetch,
      events,
      isVisible: () => visible,
    }).start();
    await runEnded(db, () => server.requests.length, 1);
    events.fire('online');
    await elapse(db, 20);
    expect(server.requests).toHaveLength(2);
    events.fire('visibilitychange'); // hidden: nothing
    await elapse(db, 20);
    expect(server.requests).toHaveLength(2);
    visible = true;
    events.fire('visibilitychange');
    await elapse(db, 20);
    expect(server.requests).toHaveLength(3);
    expect(since(server.times)).toEqual([0, 20, 60]);
  });

  it('retries after a failure with a growing, jittered, capped delay, and resets on success', async () => {
    const db = await enrolledDb();
    let down = 3;
    const attempts: number[] = [];
    const server = stubServer({
      fail: () => {
        attempts.push(Date.now());
        return down-- > 0;
      },
    });
    client({
      db,
      servers: [SERVER],
      fetch: server.fetch,
      backoffBaseMs: 40,
      backoffCapMs: 100,
      random: () => 1, // no jitter: the delays are exactly base·2ⁿ capped
      pollMs: 10_000,
    }).start();
    for (let n = 1; n <= 3; n++) {
      await runEnded(db, () => attempts.length, n); // failed
      vi.advanceTimersToNextTimer();
    }
    await runEnded(db, () => attempts.length, 4);
    expect(server.requests).toHaveLength(1);
    expect(since(attempts)).toEqual([0, 40, 40 + 80, 40 + 80 + 100]);
    // Success resets: the next attempt is the slow poll, not another backoff step.
    vi.advanceTimersToNextTimer();
    await runEnded(db, () => attempts.length, 5);
    expect(since(attempts).at(-1)).toBe(40 + 80 + 100 + 10_000);
    expect(server.requests).toHaveLength(2);
  });

  it('stops retrying once the server says the client is too old (426)', async () => {
    const db = await enrolledDb();
    const server = stubServer({ status: () => 426 });
    const c = client({ db, servers: [SERVER], fetch: server.fetch, backoffBaseMs: 10 });
    c.start();
    await runEnded(db, () => server.requests.length, 1);
    await write(db, 'p1');
    await elapse(db, 10 * 60_000); // past the debounce, any backoff and the poll
    expect(server.requests).toHaveLength(1);
    expect((await c.syncNow()).state).toBe('update_required');
    expect(server.requests).toHaveLength(1);
  });

  it('a poke on the live channel of the reached server triggers a sync at once', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    const opened: { url: string; listeners: Map<string, (ev: MessageEvent) => void> }[] = [];
    const eventSource = (url: string): EventSourceLike => {
      const listeners = new Map<string, (ev: MessageEvent) => void>();
      opened.push({ url, listeners });
      return { addEventListener: (type, fn) => listeners.set(type, fn), close: () => {} };
    };
    client({ db, servers: [SERVER], fetch: server.fetch, eventSource }).start();
    await eventually(() => expect(opened).toHaveLength(1));
    // EventSource sends no headers: the credential goes in the query string.
    expect(opened[0]?.url).toBe(`${SERVER}/api/events?token=${TOKEN}`);
    opened[0]?.listeners.get('poke')?.(new MessageEvent('poke', { data: '{"lastSeq":9}' }));
    // No debounce: the fake clock does not move (a 20 ms wait would never end).
    await runEnded(db, () => server.requests.length, 2);
    expect(since(server.times)).toEqual([0, 0]);
    // Every sync carries the device's credential.
    expect(server.credentials).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('syncs when the live channel opens or reopens: a poke sent while it was down is not lost', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    const opened: Map<string, (ev: MessageEvent) => void>[] = [];
    const eventSource = (): EventSourceLike => {
      const listeners = new Map<string, (ev: MessageEvent) => void>();
      opened.push(listeners);
      return { addEventListener: (type, fn) => listeners.set(type, fn), close: () => {} };
    };
    client({ db, servers: [SERVER], fetch: server.fetch, eventSource }).start();
    await eventually(() => expect(opened).toHaveLength(1));
    await runEnded(db, () => server.requests.length, 1);
    opened[0]?.get('open')?.(new MessageEvent('open'));
    await runEnded(db, () => server.requests.length, 2);
  });

  it('stops and hands over to the page when the server says the device was withdrawn', async () => {
    const db = await enrolledDb();
    const requests: string[] = [];
    const fetch = (async (url: string) => {
      requests.push(url);
      return new Response(JSON.stringify({ error: 'revoked', message: 'Appareil retiré.' }), {
        status: 403,
      });
    }) as typeof globalThis.fetch;
    const revoked: string[] = [];
    const c = client({ db, servers: [SERVER], fetch, onRevoked: (m) => revoked.push(m) });
    c.start();
    await eventually(() => expect(revoked).toEqual(['Appareil retiré.']));
    await write(db, 'p1'); // a later write no longer triggers anything
    await elapse(db, 10 * 60_000); // past the debounce, any backoff and the poll
    expect(requests).toHaveLength(1);
    expect(c.isLeader).toBe(false);
  });

  it('treats any other 403 as an error to show, not a withdrawal', async () => {
    const db = await enrolledDb();
    const fetch = (async () =>
      new Response(JSON.stringify({ error: 'forbidden', message: 'Interdit.' }), {
        status: 403,
      })) as typeof globalThis.fetch;
    const revoked: string[] = [];
    const c = client({ db, servers: [SERVER], fetch, onRevoked: (m) => revoked.push(m) });
    const status = await c.syncNow();
    expect(status.state).toBe('error');
    expect(status.lastError).toMatch(/HTTP 403.*Interdit/);
    expect(revoked).toEqual([]);
  });

  it('only the tab holding the lock syncs; the next one takes over when it stops', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    const locks = fakeLocks();
    const first = client({ db, servers: [SERVER], fetch: server.fetch, locks });
    const second = client({ db, servers: [SERVER], fetch: server.fetch, locks });
    first.start();
    second.start();
    await runEnded(db, () => server.requests.length, 1);
    expect(first.isLeader).toBe(true);
    expect(second.isLeader).toBe(false);
    await write(db, 'p1');
    await elapse(db, 20);
    expect(await db.outbox.count()).toBe(0);
    expect(server.requests).toHaveLength(2); // one leader answered the write, not two
    first.stop();
    await eventually(() => expect(second.isLeader).toBe(true));
    await runEnded(db, () => server.requests.length, 3);
  });

  it('without Web Locks the tab leads by itself', async () => {
    const db = await enrolledDb();
    const server = stubServer();
    const c = client({ db, servers: [SERVER], fetch: server.fetch, locks: null });
    c.start();
    await runEnded(db, () => server.requests.length, 1);
    expect(c.isLeader).toBe(true);
  });
});

/** Exclusive locks granted in request order, released when the callback's promise settles. */
function fakeLocks(): Pick<LockManager, 'request'> {
  const queues = new Map<string, (() => void)[]>();
  const held = new Set<string>();
  const grant = (name: string) => {
    if (held.has(name)) return;
    const next = queues.get(name)?.shift();
    if (next) next();
  };
  return {
    request: ((name: string, cb: (lock: Lock | null) => Promise<unknown>) =>
      new Promise<unknown>((resolve, reject) => {
        const run = () => {
          held.add(name);
          Promise.resolve()
            .then(() => cb({ name, mode: 'exclusive' } as Lock))
            .then(resolve, reject)
            .finally(() => {
              held.delete(name);
              grant(name);
            });
        };
        if (!queues.has(name)) queues.set(name, []);
        queues.get(name)!.push(run);
        grant(name);
      })) as LockManager['request'],
  };
}

describe('start-up', () => {
  it('the leader replays parked ops this version understands before syncing', async () => {
    const db = await enrolledDb();
    const other = openTestDb();
    const [op] = await writeChanges(other, { deviceId: 'dev-z', org: ORG }, [
      { entity: 'patient', id: 'pz', set: { birthName: 'PARQUÉ' } },
    ]);
    // Parked by an older version of the app, which did not understand this schema version.
    await db.parked.put({ dev: op!.dev, seq: op!.seq, v: op!.v, op: op! });
    const server = stubServer();
    client({ db, servers: [SERVER], fetch: server.fetch }).start();
    await runEnded(db, () => server.requests.length, 1);
    expect(await db.parked.count()).toBe(0);
    expect((await db.rows('patient').get('pz'))?.birthName).toBe('PARQUÉ');
  });
});

describe('the wait before a retry', () => {
  it('doubles from the base, stops at the cap, and half of it is jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 40, 100, 1))).toEqual([40, 80, 100, 100]);
    expect(retryDelay(3, 40, 100, 0)).toBe(50);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, base, cap, draw) => {
          const exp = Math.min(cap, base * 2 ** (failures - 1));
          const wait = retryDelay(failures, base, cap, draw);
          expect(wait).toBeGreaterThanOrEqual(exp / 2);
          expect(wait).toBeLessThanOrEqual(exp);
          expect(wait).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
});
