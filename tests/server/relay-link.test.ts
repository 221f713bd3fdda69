// The relay's link to central as the truck's 4G sees it (docs/protocol.md, The relay's link):
// a long poll that answers when central's log moves, credentials brought only when their version
// changes, a backoff while central is out of reach, and none of the relay's own ops sent back to
// it. Central is the real server on loopback; the relay is the real Relay over its own SQLite,
// driven by the test (watchOnce, syncNow) with an injected clock and sleep, never the wall clock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { RelayOptions } from '../../src/server/relay';
import type { SyncStore } from '../../src/server/store/types';
import { decodeOps, isCompact, readAnswer } from '../../src/sync/envelope';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import { enrolledRelay } from '../support/relay';
import { answerReader, sentBodyReader } from '../support/sent-body';
import { openTestStore, startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

/** Every request the relay makes to central, and the sync answers it read. */
interface Traffic {
  paths: string[];
  answers: SyncResponse[];
  /** Per sync request: whether its ops and its answer's were in the compact form (protocol 3). */
  forms: { push: boolean; answer: boolean }[];
  /** Answer the next sync request 400, as a central of protocol 2 answers a compact push. */
  refuseNext?: boolean;
}

function spyFetch(traffic: Traffic, down: { value: boolean }): typeof fetch {
  const read = sentBodyReader();
  const answer = answerReader();
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    traffic.paths.push(url.pathname);
    if (down.value) throw new TypeError('fetch failed: le lien 4G est coupé');
    if (url.pathname === '/api/sync' && traffic.refuseNext) {
      traffic.refuseNext = false;
      return new Response(JSON.stringify({ error: 'invalid_request', message: 'ops' }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    }
    // Read before it goes: a piece of the relay's context is read once, in order.
    const sent = url.pathname === '/api/sync' ? await read(init) : '';
    const res = await fetch(input, init);
    if (url.pathname === '/api/sync' && res.ok) {
      const json = JSON.parse(await answer(res.clone())) as { ops: unknown };
      traffic.forms.push({
        push: isCompact((JSON.parse(sent) as { ops: unknown }).ops),
        answer: isCompact(json.ops),
      });
      traffic.answers.push(readAnswer(json) as SyncResponse);
    }
    return res;
  }) as typeof fetch;
}

const count = (t: Traffic, path: string) => t.paths.filter((p) => p === path).length;

describe.each(['sqlite', 'postgres'] as const)('the relay’s link to central (%s)', (kind) => {
  let central: TestServer;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    central = await startTestServer({ store: kind });
  });
  afterAll(() => central.close());
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function relayOf(options: Partial<RelayOptions> = {}) {
    const { store, cleanup } = await openTestStore('sqlite');
    const traffic: Traffic = { paths: [], answers: [], forms: [] };
    const down = { value: false };
    const relay = await enrolledRelay(central, store, {
      fetch: spyFetch(traffic, down),
      ...options,
    });
    cleanups.push(async () => {
      await relay.stop();
      await store.close();
      cleanup();
    });
    return { relay, store: store as SyncStore, traffic, down };
  }

  it('does not receive back the ops it forwarded, yet its checkpoint passes them', async () => {
    const { relay, store, traffic } = await relayOf();
    await authHeader(central, 'echo-truck');
    await authHeader(central, 'echo-depot');
    const truck = new TestDevice('echo-truck');
    const depot = new TestDevice('echo-depot');
    // A device on the truck wrote 12 ops (stored at the relay as its sync route would).
    await store.push(ORG, truck.batch(12, 'echo'));
    // A device at the depot wrote 3 at central.
    await central.store.push(ORG, depot.batch(3, 'echo'));
    await relay.syncNow();
    expect(relay.status.lastError).toBeNull();
    expect(await central.store.contiguous(ORG, 'echo-truck')).toBe(12);
    const pulled = traffic.answers.flatMap((a) => a.ops.map((x) => x.op.dev));
    expect(pulled.filter((d) => d === 'echo-truck')).toEqual([]);
    expect(pulled.filter((d) => d === 'echo-depot')).toHaveLength(3);
    // The relay holds both, and its checkpoint is central's end: nothing is pulled again.
    expect(await store.contiguous(ORG, 'echo-depot')).toBe(3);
    expect(traffic.answers.at(-1)!.lastSeq).toBe(await central.store.lastSeq(ORG));
    traffic.answers.length = 0;
    await relay.syncNow();
    expect(traffic.answers.flatMap((a) => a.ops)).toEqual([]);
  });

  it('forwards a burst of local writes in one pass, started by the first of them', async () => {
    const { relay, store, traffic } = await relayOf({ coalesceMs: 300 });
    await authHeader(central, 'burst-truck');
    const truck = new TestDevice('burst-truck');
    // Three rooms push within the window: one pass, after the first push's wait.
    await store.push(ORG, truck.batch(4, 'burst'));
    const first = relay.syncSoon();
    await new Promise((r) => setTimeout(r, 50));
    expect(count(traffic, '/api/sync')).toBe(0); // waiting for the others
    await store.push(ORG, truck.batch(4, 'burst'));
    const second = relay.syncSoon();
    await store.push(ORG, truck.batch(4, 'burst'));
    const third = relay.syncSoon();
    await Promise.all([first, second, third]);
    expect(relay.status.lastError).toBeNull();
    expect(await central.store.contiguous(ORG, 'burst-truck')).toBe(12);
    const burst = count(traffic, '/api/sync');
    // The same burst pass by pass, as each push used to start one: more requests over the link.
    traffic.paths.length = 0;
    const passes: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      await store.push(ORG, truck.batch(4, 'burst'));
      passes.push(relay.syncNow());
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(passes);
    expect(await central.store.contiguous(ORG, 'burst-truck')).toBe(24);
    expect(burst).toBeLessThan(count(traffic, '/api/sync'));
    // Stopping the relay while a pass waits settles its promise (nothing hangs on it).
    await store.push(ORG, truck.batch(1, 'burst'));
    const pending = relay.syncSoon();
    await relay.stop();
    await expect(pending).resolves.toBeUndefined();
  });

  it('speaks protocol 3 with central: its first request in the list form, compact once told', async () => {
    const { relay, store, traffic } = await relayOf();
    await authHeader(central, 'p3-truck');
    const truck = new TestDevice('p3-truck');
    await store.push(ORG, truck.batch(5, 'p3'));
    await relay.syncNow();
    await store.push(ORG, truck.batch(5, 'p3'));
    await relay.syncNow();
    expect(relay.status.lastError).toBeNull();
    expect(traffic.forms[0]).toEqual({ push: false, answer: false });
    expect(traffic.forms.length).toBeGreaterThan(1);
    expect(traffic.forms.slice(1).every((f) => f.push && f.answer)).toBe(true);
    expect(traffic.answers.every((a) => a.protocol === PROTOCOL_VERSION)).toBe(true);
    expect(await central.store.contiguous(ORG, 'p3-truck')).toBe(10);
    // A central that refuses the compact form (an older one restored): the list form again.
    traffic.forms.length = 0;
    traffic.refuseNext = true;
    await store.push(ORG, truck.batch(2, 'p3'));
    await relay.syncNow();
    expect(relay.status.lastError).toMatch(/400/);
    await relay.syncNow(true); // at once, not after the backoff
    expect(traffic.forms[0]).toEqual({ push: false, answer: false });
    expect(await central.store.contiguous(ORG, 'p3-truck')).toBe(12);
  });

  it('brings the credentials once, then only when central announces another version', async () => {
    const { relay, traffic } = await relayOf();
    await relay.syncNow();
    expect(await relay.watchOnce()).toBe('moved'); // the first announcement of the version
    const brought = count(traffic, '/api/relay/credentials');
    for (let i = 0; i < 3; i++) await relay.syncNow();
    expect(await relay.watchOnce()).toBe('quiet');
    expect(count(traffic, '/api/relay/credentials')).toBe(brought);
    // A device enrolled at central: a new version, brought at the next wait.
    await authHeader(central, `late-${kind}`);
    expect(await relay.watchOnce()).toBe('moved');
    expect(count(traffic, '/api/relay/credentials')).toBe(brought + 1);
    expect(await relay.watchOnce()).toBe('quiet');
    expect(count(traffic, '/api/relay/credentials')).toBe(brought + 1);
  });

  it('holds its wait on central until an op is stored there, then pulls it', async () => {
    const { relay, store } = await relayOf({ holdMs: 30_000 });
    await authHeader(central, 'wake-depot');
    await relay.syncNow();
    await relay.watchOnce(); // the credentials' version, announced at once
    const waiting = relay.watchOnce();
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    await Promise.resolve();
    expect(answered).toBe(false);
    // Stored through central's sync route, which pokes the waiting relay.
    const depot = new TestDevice('wake-depot');
    const res = await fetch(`${central.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader(central, depot.dev)) },
      body: JSON.stringify({
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org: ORG,
        deviceId: depot.dev,
        since: 0,
        ops: depot.batch(2, 'wake'),
      }),
    });
    expect(res.status).toBe(200);
    expect(await waiting).toBe('moved');
    expect(await store.contiguous(ORG, 'wake-depot')).toBe(2);
  });

  it('backs off while central is out of reach, doubling to a cap, and tries no pass meanwhile', async () => {
    let clock = 1_000_000;
    const slept: number[] = [];
    const { relay, traffic, down } = await relayOf({
      now: () => clock,
      random: () => 1,
      backoffBaseMs: 2_000,
      backoffCapMs: 30_000,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    down.value = true;
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await relay.watchOnce());
    expect(outcomes).toEqual(['down', 'down', 'down', 'down', 'down', 'down']);
    expect([1, 2, 3, 4, 5, 6].map((n) => relay.backoffMs(n))).toEqual([
      2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(relay.status.reachable).toBe(false);
    // Local writes ask for passes: none reaches for the dead link before the backoff ends.
    const before = traffic.paths.length;
    await relay.syncNow();
    await relay.syncNow();
    expect(traffic.paths.length).toBe(before);
    // Once the backoff ran out and central is back, a wait succeeds and a pass runs at once.
    clock += 30_000;
    down.value = false;
    expect(await relay.watchOnce()).toBe('moved');
    expect(relay.status.reachable).toBe(true);
    expect(relay.status.lastError).toBeNull();
    // Jitter: between half and all of the delay.
    const low = await relayOf({ random: () => 0, backoffBaseMs: 2_000 });
    expect(low.relay.backoffMs(3)).toBe(4_000);
  });

  it('runs its loop on the injected sleep: a cut link waits the backoff between attempts', async () => {
    let clock = 5_000_000;
    const slept: number[] = [];
    let fifth: () => void = () => {};
    const fiveSleeps = new Promise<void>((resolve) => {
      fifth = resolve;
    });
    const { relay, down } = await relayOf({
      now: () => clock,
      random: () => 1,
      holdMs: 1,
      intervalMs: 3_600_000,
      backoffBaseMs: 1_000,
      backoffCapMs: 8_000,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
        if (slept.length === 5) fifth();
      },
    });
    down.value = true;
    relay.start();
    await fiveSleeps;
    await relay.stop();
    // The first pass and the first wait both failed (2 s); then each failed wait doubles the
    // delay, capped at 8 s.
    expect(slept.slice(0, 5)).toEqual([2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('follows central’s answer time with its page: cut pages get smaller until they go through', async () => {
    // Central as a reconnect storm leaves it: 40 ms per kB of ops pushed, against a relay
    // deadline of 1 s, so only pages under ≈ 25 kB are answered in time.
    const sent: { bytes: number; answered: boolean }[] = [];
    const read = sentBodyReader();
    const loadedCentral = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      if (url.pathname === '/api/sync' && init?.body) {
        const json = await read(init);
        // The page's size as the relay chose it: its ops as stored, whatever their form on the
        // wire (compact once central said it reads protocol 3).
        const { ops } = JSON.parse(json) as { ops: unknown };
        const bytes = JSON.stringify(isCompact(ops) ? decodeOps(ops) : ops).length;
        const entry = { bytes, answered: false };
        sent.push(entry);
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, (bytes / 1024) * 40);
          init.signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(init.signal?.reason);
          });
        });
        entry.answered = true;
      }
      return fetch(input, init);
    }) as typeof fetch;
    let clock = 9_000_000;
    const { relay, store } = await relayOf({
      fetch: loadedCentral,
      timeoutMs: 1_000,
      pageBytes: 128 * 1024,
      now: () => clock,
    });
    await authHeader(central, `storm-${kind}`);
    const truck = new TestDevice(`storm-${kind}`);
    await store.push(ORG, truck.batch(600, 'storm'));
    expect(relay.currentPageBytes).toBe(128 * 1024);
    let passes = 0;
    const through = async () =>
      (await central.store.contiguous(ORG, truck.dev)) === 600 && relay.status.lastError === null;
    while (passes < 10 && !(await through())) {
      passes++;
      await relay.syncNow(true);
      clock += 60_000;
    }
    const pushed = sent.filter((s) => s.bytes > 2);
    // The first page (all 600 ops, ≈ 110 kB), then one of 64 and one of 32 kB are cut; from
    // 16 kB on, every page is answered in time.
    const cut = pushed.filter((s) => !s.answered).map((s) => s.bytes);
    expect(cut.length).toBeGreaterThanOrEqual(3);
    expect(cut[1]).toBeLessThanOrEqual(66 * 1024); // a budget, overshot by at most one op
    expect(cut[2]).toBeLessThanOrEqual(34 * 1024);
    expect(pushed.filter((s) => s.answered).every((s) => s.bytes <= 17 * 1024)).toBe(true);
    // Everything reached central, and a pass went through clean, within the passes allowed; a
    // relay that kept its page would never get through, each pass cut again (a loaded test
    // machine may cut a 16 kB page, or the pull after the last push, hence passes of margin).
    expect(await central.store.contiguous(ORG, truck.dev)).toBe(600);
    expect(relay.status.lastError).toBeNull();
  });
});
