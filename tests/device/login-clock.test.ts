// A device whose clock is an hour behind the server signs a person in and writes at once, before
// any sync answer: the sign-in's answer (its session's `issuedAt`) teaches the device the
// server's time, so the ops it stamps fall inside the session the sign-in opened and the server
// accepts them (before, they were stamped an hour before the session: 403 session_required until
// the person signed in again — simulation finding, 6 December 2026). Real server on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { login } from '../../src/device/accounts';
import { enrolDevice } from '../../src/device/connection';
import { getMeta, getWriter, META, setMeta } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { Accounts } from '../../src/server/auth';
import { decodeHlc } from '../../src/sync/hlc';
import { seedStaff } from '../support/auth';
import { startTestServer } from '../support/server';
import { newPatient } from './fixtures';
import { openTestDb } from './support';
import { testSyncClient } from './sync-support';

const HOUR = 3_600_000;
const ORG = 'org-test';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a device an hour behind the server', () => {
  it('stamps its first ops after the session its sign-in opened', async () => {
    const server = await startTestServer({ now: () => Date.now() + HOUR });
    cleanups.push(() => server.close());
    await seedStaff(server.store, ORG, ['s-reception']);
    await new Accounts(server.store).setPassword(ORG, 's-reception', 'mot-de-passe-long');
    const db = openTestDb();
    cleanups.push(() => db.close());
    await setMeta(db, META.deviceId, 'tablet-behind');
    // The code is made by the server's clock, as the coordination's screen makes it.
    const { code } = await server.accounts.createCode({
      org: ORG,
      profile: 'reception',
      roomId: null,
      name: 'Tablette d’accueil',
      createdBy: null,
    });
    await enrolDevice(db, { server: server.url, code });

    const answer = await login(db, 's-reception', 'mot-de-passe-long');
    expect(answer.session?.issuedAt).toBeGreaterThan(Date.now() + HOUR / 2);
    expect((await getWriter(db)).clock?.offset).toBeGreaterThan(HOUR / 2);

    const [op] = await writeChanges(
      db,
      { deviceId: 'tablet-behind', org: ORG, userId: 's-reception' },
      [newPatient('typed-at-once')],
    );
    expect(decodeHlc(op!.hlc).ms).toBeGreaterThanOrEqual(answer.session!.from);

    const sync = testSyncClient(db, server, { withDigest: false });
    cleanups.push(() => sync.stop());
    const status = await sync.syncNow();
    expect(status.lastError).toBeNull();
    expect(status.state).toBe('ok');
    expect(await server.store.rowsByIds(ORG, 'patient', ['typed-at-once'])).toHaveLength(1);
    expect(await getMeta(db, META.sessionRequired)).toBeUndefined();
  });
});
