// What a server acknowledges is never lost (docs/decisions/0005-durable-acknowledgement.md), over
// real HTTP on loopback with the real device sync client: a relay's acknowledgement is not
// durability; the relay loses its disk mid-day; central is restored from an earlier copy of its
// SQLite file or an earlier PostgreSQL dump; a checkpoint beyond the log. Central on SQLite and
// on PostgreSQL, the relay on SQLite as on the truck.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getMeta, META, setMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { localDigest, syncStatus } from '../../src/device/queries';
import { checkpointKey, createSyncClient } from '../../src/device/sync-client';
import { type Change, writeChanges } from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { decodeOps, isCompact } from '../../src/sync/envelope';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { syncTone } from '../../src/ui/shell/sync-tone';
import { newPatient, ORG } from '../device/fixtures';
import { openTestDb } from '../device/support';
import { authHeader, credentialFor, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { freshPostgresDatabase, startTestServer, type TestServer } from '../support/server';
import { TestDevice } from './ops-factory';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'escale-durable-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Device sequences from..to. */
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const portOf = (url: string) => Number(new URL(url).port);

/** A server that closes at the end of the test unless closed before. */
async function serve(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(options);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= s.close();
    return closing;
  };
  cleanups.push(close);
  return { ...s, close };
}

/** Central as the truck's relay reaches it: through a link that can be cut. */
async function reach(central: TestServer): Promise<Link> {
  const link = await startLink(central.url);
  cleanups.push(() => link.close());
  return link;
}

/** Relays of the running test: they learn each device enrolled at central. */
const relays = new Set<TestServer>();

/** A relay on its own SQLite file, knowing central's devices (enrolled at the depot). */
async function relayOf(
  central: TestServer,
  link: Link,
  file: string,
  port?: number,
  credential?: Awaited<ReturnType<typeof relayCredential>>,
) {
  const relay = await serve({
    sqliteFile: file,
    upstream: link.url,
    relayCredential: credential ?? (await relayCredential(central, ORG)),
    relayIntervalMs: 100,
    relayPageBytes: 4096,
    port,
  });
  relays.add(relay);
  cleanups.push(() => relays.delete(relay));
  await relay.accounts.importFromCentral(ORG, await central.accounts.credentials(ORG), []);
  return relay;
}

let n = 0;
/** A device (coordination profile, enrolled at central) with the real sync client. */
async function device(deviceId: string, central: TestServer, servers: string[]) {
  const db = openTestDb(undefined, `durable-${deviceId}-${++n}`);
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, ORG);
  const { token } = await credentialFor(central, deviceId, { org: ORG });
  for (const relay of relays) {
    await relay.accounts.importFromCentral(ORG, await central.accounts.credentials(ORG), []);
  }
  await setMeta(db, 'credential', { token, profile: 'coordination', roomId: null, name: deviceId });
  const pushed: number[] = [];
  const client = createSyncClient({
    db,
    servers,
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 3_000,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith('/api/sync') && typeof init?.body === 'string') {
        // Compact (protocol 3) once the server said it reads it.
        const { ops } = JSON.parse(init.body) as { ops: unknown };
        pushed.push(...(isCompact(ops) ? decodeOps(ops) : (ops as Op[])).map((op) => op.seq));
      }
      return fetch(input, init);
    }) as typeof fetch,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  let written = 0;
  return {
    id: deviceId,
    db,
    client,
    /** Device sequences of every op sent, in order. */
    pushed,
    /** `count` new patients through the write path; the device sequence of the last op. */
    write: async (count: number) => {
      const ops = await writeChanges(
        db,
        { deviceId, org: ORG },
        Array.from({ length: count }, (): Change => newPatient(`${deviceId}-p${++written}`, 1)),
      );
      return ops[ops.length - 1]!.seq;
    },
    outbox: async () => (await outboxOps(db)).map((op) => op.seq),
    sync: async () => {
      const status = await client.syncNow();
      expect(status.lastError).toBeNull();
      return status;
    },
  };
}

/** Waits for `check` to hold, trying every 50 ms for up to 20_000 ms. */
function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: ms, interval: 50 },
  );
}

/** Central's store copied as an operator's backup would be, then put back in its place. */
interface Backup {
  take(): Promise<void>;
  /** Stops central, restores the copy, starts central again where devices expect it. */
  restore(central: TestServer): Promise<TestServer>;
}

function sqliteBackup(file: string, copy: string): Backup {
  return {
    async take() {
      // The online backup API: a consistent copy while central runs (WAL included).
      const db = new Database(file);
      await db.backup(copy);
      db.close();
    },
    async restore(central) {
      await central.close();
      for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      copyFileSync(copy, file);
      return serve({ sqliteFile: file, port: portOf(central.url) });
    },
  };
}

function postgresBackup(url: string, dump: string): Backup {
  return {
    async take() {
      execFileSync('pg_dump', ['--no-owner', '-f', dump, url], { stdio: 'pipe' });
    },
    async restore(central) {
      await central.close();
      const restored = await freshPostgresDatabase();
      execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', dump, restored], {
        stdio: 'pipe',
      });
      return serve({ databaseUrl: restored, port: portOf(central.url) });
    },
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`durable acknowledgement (central on ${kind})`, () => {
    async function central(): Promise<{ server: TestServer; backup: Backup }> {
      const dir = tempDir();
      if (kind === 'sqlite') {
        const file = join(dir, 'central.sqlite');
        return {
          server: await serve({ sqliteFile: file }),
          backup: sqliteBackup(file, join(dir, 'backup.sqlite')),
        };
      }
      const url = await freshPostgresDatabase();
      return {
        server: await serve({ databaseUrl: url }),
        backup: postgresBackup(url, join(dir, 'central.sql')),
      };
    }

    it('keeps ops a relay acknowledged until central holds them, through a relay that loses its disk', async () => {
      const { server: hq } = await central();
      const link = await reach(hq);
      const dir = tempDir();
      let relay = await relayOf(hq, link, join(dir, 'relay.sqlite'));
      const tablet = await device('tablet', hq, [relay.url]);
      link.cut(); // no coverage this morning

      const a = await tablet.write(5);
      await tablet.sync();
      // Held by the relay, not durable: kept, but not sent to the relay again.
      expect(await relay.store.contiguous(ORG, 'tablet')).toBe(a);
      expect(await tablet.outbox()).toEqual(range(1, a));
      const sent = tablet.pushed.length;
      await tablet.sync();
      expect(tablet.pushed.length).toBe(sent);
      // What the header reads: all of it on the relay, none of it at central yet.
      // Counted in user actions (one outbox record each, src/device/outbox.ts): one write here.
      expect(await syncStatus(tablet.db)).toMatchObject({ pending: 1, awaitingCentral: 1 });
      expect(syncTone(await syncStatus(tablet.db))).toBe('relayed');
      const a1 = await tablet.write(1); // typed since: not on any server
      expect(syncTone(await syncStatus(tablet.db))).toBe('pending');
      await tablet.sync();

      link.restore();
      await until(async () => (await hq.store.contiguous(ORG, 'tablet')) === a1, 'central: 1..a1');
      await until(async () => {
        await tablet.sync();
        return (await tablet.outbox()).length === 0;
      }, 'the tablet to learn 1..a1 are durable');
      expect(syncTone(await syncStatus(tablet.db))).toBe('ok');

      link.cut();
      const b = await tablet.write(3);
      await tablet.sync();
      expect(await tablet.outbox()).toEqual(range(a1 + 1, b));

      // The relay's disk dies; the box is reinstalled empty where the devices expect it.
      const port = portOf(relay.url);
      await relay.close();
      relay = await relayOf(hq, link, join(dir, 'relay-reinstalled.sqlite'), port);
      expect(await relay.store.lastSeq(ORG)).toBe(0);

      const c = await tablet.write(2); // the day goes on
      await tablet.sync();
      // The tablet declared 1..a1 gone (durable at central) and sent a1+1..b again.
      expect(await relay.store.contiguous(ORG, 'tablet')).toBe(c);
      expect(await tablet.outbox()).toEqual(range(a1 + 1, c));
      expect(await getMeta(tablet.db, META.acked(relay.url))).toBe(c);

      link.restore();
      await until(async () => (await hq.store.contiguous(ORG, 'tablet')) === c, 'central: 1..c');
      await until(async () => {
        await tablet.sync();
        return (await tablet.outbox()).length === 0;
      }, 'no outbox stuck');
      await until(
        async () => (await relay.store.digest(ORG)) === (await hq.store.digest(ORG)),
        'the reinstalled relay to hold central’s state again',
      );
      expect(await localDigest(tablet.db)).toBe(await hq.store.digest(ORG));
      expect(await hq.store.gaps(ORG)).toEqual([]); // nothing was lost
    });

    it('brings back to a central restored from an earlier copy everything devices and the relay still held', async () => {
      const { server: first, backup } = await central();
      let hq = first;
      const link = await reach(hq);
      const relay = await relayOf(hq, link, join(tempDir(), 'relay.sqlite'));
      const tablet = await device('tablet-r', hq, [relay.url]);
      const office = await device('office', hq, [hq.url]);
      const durableAt = async (d: typeof tablet, n: number) =>
        until(async () => {
          await d.sync();
          return (await d.outbox()).length === 0 && (await hq.store.contiguous(ORG, d.id)) >= n;
        }, `${n} ops durable`);

      const t1 = await tablet.write(3);
      const o1 = await office.write(2);
      await office.sync();
      await durableAt(tablet, t1);
      await backup.take(); // the nightly copy

      const t2 = await tablet.write(4); // through the relay
      const o2 = await office.write(2); // straight to central, which the relay pulls
      await office.sync();
      await durableAt(tablet, t2);
      await until(
        async () => (await relay.store.contiguous(ORG, 'office')) === o2,
        'the relay to pull the office’s ops',
      );
      link.cut();
      const o3 = await office.write(1); // durable at central only, then lost with it
      await office.sync();
      expect(await office.outbox()).toEqual([]);
      expect(await tablet.outbox()).toEqual([]);

      hq = await backup.restore(hq);
      if (kind === 'postgres') await hq.store.newEpoch(); // the operator ran admin new-epoch
      expect(await hq.store.contiguous(ORG, 'tablet-r')).toBe(t1);
      expect(await hq.store.contiguous(ORG, 'office')).toBe(o1);

      link.restore();
      // The relay finds central holds less than it said (new epoch, or a checkpoint beyond the
      // log, or a lower held) and forwards its whole log again, central's own ops included.
      await until(async () => (await hq.store.contiguous(ORG, 'tablet-r')) === t2, 'tablet');
      await until(async () => (await hq.store.contiguous(ORG, 'office')) >= o2, 'office');
      const o4 = await office.write(1);
      await office.sync();
      expect(await office.outbox()).toEqual([]); // acknowledged past what is gone: no stall
      expect(await hq.store.contiguous(ORG, 'office')).toBe(o4);
      // o2+1..o3 existed only on central and in the office's kept copies: central asked for them
      // (`missing`) and the office sent them again in the same run. Nothing is lost; the incident
      // stays listed for the coordination, resolved.
      expect(await hq.store.gaps(ORG)).toEqual([]);
      const back = await hq.store.pull(ORG, 0, 10_000_000);
      const officeSeqs = back.ops.filter((x) => x.op.dev === 'office').map((x) => x.op.seq);
      expect(new Set(officeSeqs)).toEqual(new Set(range(1, o4)));
      const res = await fetch(`${hq.url}/api/devices`, {
        headers: await authHeader(hq, 'coord-after-restore', { org: ORG }),
      });
      const body = (await res.json()) as { incidents: unknown[] };
      expect(body.incidents).toEqual([
        { deviceId: 'office', from: o2 + 1, to: o3, at: expect.any(Number), resolved: true },
      ]);
      // The office re-pulled the restored log from 0 (another epoch, or beyond its end).
      await office.sync();
      expect(await getMeta(office.db, checkpointKey(hq.url))).toBe(await hq.store.lastSeq(ORG));
      await until(
        async () => (await relay.store.digest(ORG)) === (await hq.store.digest(ORG)),
        'relay and central to converge',
      );
      await tablet.sync();
      expect(await tablet.outbox()).toEqual([]);
    });

    it('gets back through the relay what a restored central lacks of a device that reaches only the relay', async () => {
      const { server: first, backup } = await central();
      let hq = first;
      const link = await reach(hq);
      const file = join(tempDir(), 'relay.sqlite');
      const credential = await relayCredential(hq, ORG);
      let relay = await relayOf(hq, link, file, undefined, credential);
      const port = portOf(relay.url);
      const room = await device('room-r', hq, [relay.url, hq.url]);
      const r1 = await room.write(2);
      await until(async () => {
        await room.sync();
        return (
          (await room.outbox()).length === 0 && (await hq.store.contiguous(ORG, 'room-r')) === r1
        );
      }, 'the first ops durable');
      await backup.take(); // the nightly copy

      // The truck loses 4G and its relay stops: the room fails over to central on its own link.
      link.cut();
      await relay.close();
      const r2 = await room.write(3);
      await room.sync();
      expect(await room.outbox()).toEqual([]); // durable at central: moved to the kept copies
      expect((await room.db.sent.toArray()).map((op) => op.seq)).toEqual(range(1, r2));

      hq = await backup.restore(hq); // central loses r1+1..r2; nobody else held them
      if (kind === 'postgres') await hq.store.newEpoch();
      relay = await relayOf(hq, link, file, port, credential); // the relay back, on its own disk
      link.restore();

      // From now on the room reaches only the relay. Central, told the room's floor by the
      // relay, lacks r1+1..r2; it says so to the relay (`gaps`), the relay to the room
      // (`missing`), and the room sends its kept copies again.
      const r3 = await room.write(1);
      await until(async () => {
        await room.sync();
        return (
          (await hq.store.contiguous(ORG, 'room-r')) === r3 &&
          (await hq.store.gaps(ORG)).length === 0
        );
      }, 'central to hold every op of the room again');
      const held = (await hq.store.pull(ORG, 0, 10_000_000)).ops
        .filter((x) => x.op.dev === 'room-r')
        .map((x) => x.op.seq);
      expect(new Set(held)).toEqual(new Set(range(1, r3)));
      expect(await room.outbox()).toEqual([]);
      expect((await room.client.syncNow()).server).toBe(relay.url);
    });

    it('answers a checkpoint beyond its log or from another epoch with a page from 0', async () => {
      const { server: hq } = await central();
      const d = new TestDevice('cp', ORG);
      const headers = {
        'content-type': 'application/json',
        ...(await authHeader(hq, 'cp', { org: ORG })),
      };
      const sync = async (body: Record<string, unknown>) => {
        const res = await fetch(`${hq.url}/api/sync`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            org: ORG,
            deviceId: 'cp',
            ops: [],
            ...body,
          }),
        });
        expect(res.status).toBe(200);
        return (await res.json()) as SyncResponse;
      };
      const other = new TestDevice('cp-other', ORG);
      await hq.store.push(ORG, other.batch(3, 'cp'));
      const first = await sync({ since: 0, ops: d.batch(2, 'cp') });
      expect(first).toMatchObject({ accepted: 2, durable: 2, lastSeq: 5 });
      expect(first.reset).toBeUndefined();
      const epoch = first.epoch!;
      expect(epoch).toBe(await hq.store.epoch());

      const beyond = await sync({ since: 1_000, epoch });
      expect(beyond.reset).toBe(true);
      expect(beyond.ops.map((x) => x.s)).toEqual([1, 2, 3]);
      expect(beyond.lastSeq).toBe(5);

      const foreign = await sync({ since: 5, epoch: 'an-epoch-of-another-log' });
      expect(foreign).toMatchObject({ reset: true, epoch, lastSeq: 5 });
      expect(foreign.ops).toHaveLength(3);

      const fine = await sync({ since: 5, epoch });
      expect(fine.reset).toBeUndefined();
      expect(fine.ops).toEqual([]);
    });
  });
}
