// Central restored from a backup taken before some of its own ops (decision 0029): the partner
// tasks it wrote after the backup are on the coordination's device, not in the restored log, and
// no relay holds them. Central writes them again from their cause (the device sends the cause
// back: gap recovery), and the device must end up holding exactly what central holds — the same
// tasks, one version each, no sequence of central's handed out twice with other content. Over
// real HTTP on loopback with the real device sync client; central on SQLite and on PostgreSQL.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { META, setMeta } from '../../src/device/db';
import { localDigest } from '../../src/device/queries';
import { createSyncClient } from '../../src/device/sync-client';
import { type Change, writeChanges } from '../../src/device/write';
import { taskId } from '../../src/domain/partner-tasks';
import { PARTNER_ORIGIN, partnerOrigin } from '../../src/server/partner-tasks';
import type { Op } from '../../src/sync/op';
import { isOriginOf } from '../../src/sync/origins';
import { patientFields } from '../device/fixtures';
import { openTestDb } from '../device/support';
import { credentialFor, relayCredential } from '../support/auth';
import { freshPostgresDatabase, startTestServer, type TestServer } from '../support/server';

const ORG = 'org-1';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'escale-origins-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const portOf = (url: string) => Number(new URL(url).port);

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

function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: ms, interval: 50 },
  );
}

/** A patient with a NIR: central produces an INSi task for it (decision 0022). */
const withNir = (id: string, n: number): Change => ({
  entity: 'patient',
  id,
  set: { ...patientFields(n), nir: `2500372181${String(n).padStart(5, '0')}` },
});

let n = 0;
/** The coordination's device, reaching `servers` with the real sync client. */
async function coordination(deviceId: string, central: TestServer, servers: string[]) {
  const db = openTestDb(undefined, `origins-${deviceId}-${++n}`);
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, ORG);
  const { token } = await credentialFor(central, deviceId, { org: ORG });
  await setMeta(db, 'credential', { token, profile: 'coordination', roomId: null, name: deviceId });
  const client = createSyncClient({
    db,
    servers,
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 3_000,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  return {
    db,
    write: (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes),
    sync: async () => {
      const status = await client.syncNow();
      expect(status.lastError).toBeNull();
    },
    /** The partner tasks this device holds, by id. */
    taskIds: async () => (await db.rows('partnerTask').toArray()).map((t) => t.id).sort(),
  };
}

/** Every op central holds. */
async function logOf(server: TestServer): Promise<Op[]> {
  return (await server.store.pull(ORG, 0, 100_000_000)).ops.map((x) => x.op);
}

interface Backup {
  take(): Promise<void>;
  restore(central: TestServer): Promise<TestServer>;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`central restored before its own ops (central on ${kind})`, () => {
    async function central(): Promise<{ server: TestServer; backup: Backup }> {
      const dir = tempDir();
      if (kind === 'sqlite') {
        const file = join(dir, 'central.sqlite');
        const copy = join(dir, 'backup.sqlite');
        return {
          server: await serve({ sqliteFile: file }),
          backup: {
            async take() {
              const db = new Database(file);
              await db.backup(copy);
              db.close();
            },
            async restore(hq) {
              await hq.close();
              for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
              copyFileSync(copy, file);
              return serve({ sqliteFile: file, port: portOf(hq.url) });
            },
          },
        };
      }
      const url = await freshPostgresDatabase();
      const dump = join(dir, 'central.sql');
      return {
        server: await serve({ databaseUrl: url }),
        backup: {
          async take() {
            execFileSync('pg_dump', ['--no-owner', '-f', dump, url], { stdio: 'pipe' });
          },
          async restore(hq) {
            await hq.close();
            const restored = await freshPostgresDatabase();
            execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', dump, restored], {
              stdio: 'pipe',
            });
            return serve({ databaseUrl: restored, port: portOf(hq.url) });
          },
        },
      };
    }

    it('writes again, identical, the partner tasks a device saw and the restore lost; never reuses a sequence', async () => {
      const { server: first, backup } = await central();
      let hq = first;
      const office = await coordination('office', hq, [hq.url]);
      const tasksAt = async (count: number) =>
        until(async () => {
          await office.sync();
          return (await office.taskIds()).length === count;
        }, `${count} partner tasks on the office`);

      await office.write([withNir('p-before', 1)]);
      await tasksAt(1);
      await backup.take(); // the nightly copy: one task in it
      const epochBefore = await hq.store.epoch();
      const originBefore = partnerOrigin(epochBefore);
      const seqsBefore = await hq.store.contiguous(ORG, originBefore);

      await office.write([withNir('p-after-1', 2), withNir('p-after-2', 3)]);
      await tasksAt(3); // written by central after the backup, pulled by the office
      const lost = (await logOf(hq)).filter((op) => op.dev === originBefore);
      expect(lost.length).toBeGreaterThan(seqsBefore);

      hq = await backup.restore(hq);
      await hq.store.newEpoch(); // docs/operations.md, Restoring central, step 2
      expect(await hq.store.contiguous(ORG, originBefore)).toBe(seqsBefore);

      // The office sends back its patients (kept copies, `missing`), central produces their
      // tasks again; the office pulls the restored log from 0.
      await until(async () => {
        await office.sync();
        return (await localDigest(office.db)) === (await hq.store.digest(ORG));
      }, 'the office and the restored central to hold the same state');
      const want = ['p-before', 'p-after-1', 'p-after-2']
        .map((id, i) => taskId('insi', id, `2500372181${String(i + 1).padStart(5, '0')}`))
        .sort();
      expect(await office.taskIds()).toEqual(want);
      const log = await logOf(hq);
      expect(new Set(log.filter((op) => op.e === 'partnerTask').map((op) => op.id))).toEqual(
        new Set(want),
      );
      // No sequence of the old name was written again: the new writes are under the new epoch.
      const originAfter = partnerOrigin(await hq.store.epoch());
      expect(originAfter).not.toBe(originBefore);
      expect(isOriginOf(originAfter, PARTNER_ORIGIN)).toBe(true);
      expect(await hq.store.contiguous(ORG, originBefore)).toBe(seqsBefore);
      // The re-written creation is the lost one, op for op: same row, field, value and clock.
      const content = (op: Op) => JSON.stringify([op.e, op.id, op.f, op.k, op.val, op.hlc]);
      const gone = lost
        .filter((op) => op.seq > seqsBefore)
        .map(content)
        .sort();
      const rewritten = log
        .filter((op) => op.dev === originAfter)
        .map(content)
        .sort();
      expect(gone.length).toBeGreaterThan(0);
      expect(rewritten).toEqual(gone);
    });

    it('takes back from a relay the ops of its previous name, which it no longer writes', async () => {
      const { server: first, backup } = await central();
      let hq = first;
      const dir = tempDir();
      const relay = await serve({
        sqliteFile: join(dir, 'relay.sqlite'),
        upstream: hq.url,
        relayCredential: await relayCredential(hq, ORG),
        relayIntervalMs: 100,
        relayPageBytes: 4096,
      });
      const office = await coordination('office-r', hq, [hq.url]);
      await relay.accounts.importFromCentral(ORG, await hq.accounts.credentials(ORG), []);
      await backup.take(); // before any task

      await office.write([withNir('p-r-1', 11), withNir('p-r-2', 12)]);
      await until(async () => {
        await office.sync();
        return (await office.taskIds()).length === 2;
      }, 'two tasks on the office');
      const originBefore = partnerOrigin(await hq.store.epoch());
      const written = await hq.store.contiguous(ORG, originBefore);
      expect(written).toBeGreaterThan(0);
      await until(
        async () => (await relay.store.contiguous(ORG, originBefore)) === written,
        'the relay to pull central’s partner ops',
      );

      hq = await backup.restore(hq);
      await hq.store.newEpoch();
      expect(await hq.store.contiguous(ORG, originBefore)).toBe(0);
      // The relay sees the new epoch and forwards its whole log again: central's ops of the
      // old name are taken (nobody writes that name now), not ignored as already held.
      await until(
        async () => (await hq.store.contiguous(ORG, originBefore)) === written,
        'central to hold its old partner ops again',
      );
      await until(async () => {
        await office.sync();
        return (
          (await relay.store.digest(ORG)) === (await hq.store.digest(ORG)) &&
          (await localDigest(office.db)) === (await hq.store.digest(ORG))
        );
      }, 'relay, office and central to converge');
      expect((await office.taskIds()).length).toBe(2);
    });
  });
}
