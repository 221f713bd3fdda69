// A device no server recognises any more enrols again under the same id and loses nothing
// (docs/operations.md « Credentials follow the backup », docs/protocol.md 401 unauthenticated):
// against the real server (SQLite file) on loopback, central restored from a backup taken before
// the device's enrolment answers 401; the device keeps its outbox, says so (META.unrecognised,
// a French status), takes a new code under the same id through the shell's call, and the work it
// typed meanwhile reaches the restored central. A code of another organisation changes nothing;
// a server that does not know the device while the next one does is no reason to enrol again.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Credential,
  EnrolError,
  enrolDevice,
  readConnection,
  rejoinOrganisation,
} from '../../src/device/connection';
import { getMeta, META, setMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { SYNC_MESSAGES } from '../../src/device/sync-client';
import { writeChanges } from '../../src/device/write';
import { Accounts } from '../../src/server/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient } from './fixtures';
import { openTestDb } from './support';
import { testSyncClient } from './sync-support';

const ORG = 'org-test';
const portOf = (url: string) => Number(new URL(url).port);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function codeAt(s: TestServer, org = ORG): Promise<string> {
  const { code } = await new Accounts(s.store).createCode({
    org,
    profile: 'reception',
    roomId: null,
    name: 'Tablette d’accueil',
    createdBy: null,
  });
  return code;
}

/** Central on a SQLite file, with a backup taken before anything is enrolled. */
async function centralWithBackup() {
  const dir = mkdtempSync(join(tmpdir(), 'escale-rejoin-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'central.sqlite');
  const copy = join(dir, 'backup.sqlite');
  let central = await startTestServer({ sqliteFile: file });
  const backup = new Database(file);
  await backup.backup(copy);
  backup.close();
  const restore = async () => {
    const port = portOf(central.url);
    await central.close();
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    copyFileSync(copy, file);
    central = await startTestServer({ sqliteFile: file, port });
    // docs/operations.md: a restored central gets a new epoch before it opens.
    await central.store.newEpoch();
    return central;
  };
  cleanups.push(() => central.close());
  return { central: () => central, restore };
}

async function enrolledDevice(s: TestServer, deviceId: string) {
  const db = openTestDb(undefined, `rejoin-${deviceId}`);
  cleanups.push(() => db.close());
  await setMeta(db, META.deviceId, deviceId);
  await enrolDevice(db, { server: s.url, code: await codeAt(s) });
  return db;
}

describe('a device central no longer knows (restored from an older backup)', () => {
  it('says so, keeps its work, enrols again under the same id and sends it', async () => {
    const { central, restore } = await centralWithBackup();
    const db = await enrolledDevice(central(), 'tablet-after-backup');
    const first = testSyncClient(db, central(), { withDigest: false });
    expect((await first.syncNow()).state).toBe('ok');
    const before = (await readConnection(db))!.credential!;

    const restored = await restore();
    await writeChanges(db, { deviceId: 'tablet-after-backup', org: ORG }, [
      newPatient('typed-after-restore'),
    ]);
    const sync = testSyncClient(db, restored, { withDigest: false });
    const status = await sync.syncNow();
    expect(status.state).toBe('error');
    expect(status.lastError).toBe(SYNC_MESSAGES.unrecognised);
    expect(await getMeta(db, META.unrecognised)).toMatchObject({
      message: SYNC_MESSAGES.unrecognised,
    });
    // Nothing dropped while it waits.
    expect((await outboxOps(db)).some((op) => op.id === 'typed-after-restore')).toBe(true);

    const again = await rejoinOrganisation(db, await codeAt(restored));
    expect(again.credential!.token).not.toBe(before.token);
    expect(again.credential!.token.startsWith('tablet-after-backup.')).toBe(true);
    expect(await getMeta(db, META.unrecognised)).toBeUndefined();
    expect(await getMeta<string>(db, META.deviceId)).toBe('tablet-after-backup');

    expect((await sync.syncNow()).state).toBe('ok');
    expect(await restored.store.rowsByIds(ORG, 'patient', ['typed-after-restore'])).toHaveLength(1);
    expect(await getMeta(db, META.unrecognised)).toBeUndefined();
    sync.stop();
    first.stop();
  });

  it('refuses a code of another organisation and changes nothing', async () => {
    const { central, restore } = await centralWithBackup();
    const db = await enrolledDevice(central(), 'tablet-wrong-code');
    const restored = await restore();
    const sync = testSyncClient(db, restored, { withDigest: false });
    await sync.syncNow();
    const held = await getMeta<Credential>(db, 'credential');

    const attempt = rejoinOrganisation(db, await codeAt(restored, 'org-other'));
    await expect(attempt).rejects.toBeInstanceOf(EnrolError);
    await expect(attempt).rejects.toThrow('autre organisation');
    expect(await getMeta<Credential>(db, 'credential')).toEqual(held);
    expect(await getMeta(db, META.unrecognised)).toBeDefined();
    sync.stop();
  });

  it('tries the next server before asking to enrol again', async () => {
    const known = await startTestServer();
    const stranger = await startTestServer();
    cleanups.push(
      () => known.close(),
      () => stranger.close(),
    );
    const db = await enrolledDevice(known, 'tablet-two-servers');
    // The server that does not know it comes first (as a relay reinstalled apart would).
    const sync = testSyncClient(db, known, {
      servers: [stranger.url, known.url],
      withDigest: false,
    });
    const status = await sync.syncNow();
    expect(status.state).toBe('ok');
    expect(status.server).toBe(known.url);
    expect(await getMeta(db, META.unrecognised)).toBeUndefined();
    sync.stop();
  });
});
