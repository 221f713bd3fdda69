// The device's side of person sessions (docs/decisions/0006-person-sessions.md), against a real
// server on loopback: when the server refuses ops stamped with a person who holds no session on
// this device (403 session_required), the device keeps every op, goes on pulling the others'
// work, and remembers who must sign in; once that person signs in again with their password the
// kept ops go through. Sign-out ends the session at the server.
import { afterEach, describe, expect, it } from 'vitest';
import { login, logout } from '../../src/device/accounts';
import { joinOrganisation } from '../../src/device/connection';
import { getMeta, META } from '../../src/device/db';
import { resumePersonSession } from '../../src/device/session';
import { createSyncClient, type SessionRequiredNotice } from '../../src/device/sync-client';
import { writeChanges } from '../../src/device/write';
import { credentialFor, seedStaff } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';

const PASSWORD = 'mot-de-passe-doc';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function device(server: TestServer, deviceId: string) {
  const db = openTestDb();
  const { token } = await credentialFor(server, deviceId, { org: ORG });
  await joinOrganisation(db, {
    org: ORG,
    servers: [server.url],
    credential: { token, profile: 'coordination', roomId: null, name: deviceId, orgName: ORG },
  });
  await db.meta.put({ key: META.deviceId, value: deviceId });
  const client = createSyncClient({
    db,
    servers: [server.url],
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 3_000,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  return { db, client, deviceId };
}

describe('a person asked to sign in again by the server', () => {
  it('keeps their work, keeps pulling, and sends it once they sign in with their password', async () => {
    const server = await startTestServer({ store: 'sqlite' });
    cleanups.push(() => server.close());
    await seedStaff(server.store, ORG, ['doc-1']);
    await server.accounts.setPassword(ORG, 'doc-1', PASSWORD);
    const other = await device(server, 'laptop-other');
    const laptop = await device(server, 'laptop-held');

    // Work stamped with doc-1 on a laptop where she never signed in.
    await writeChanges(laptop.db, { deviceId: laptop.deviceId, org: ORG, userId: 'doc-1' }, [
      newPatient('p-held', 1),
    ]);
    const typed = await laptop.db.outbox.count();
    // Meanwhile another device's work reaches the server.
    await writeChanges(other.db, { deviceId: other.deviceId, org: ORG }, [
      newPatient('p-other', 2),
    ]);
    expect((await other.client.syncNow()).state).toBe('ok');

    const held = await laptop.client.syncNow();
    expect(held.state).toBe('error');
    expect(held.lastError).toBe(
      'Test doc-1 doit se reconnecter avec son mot de passe sur cet appareil : les modifications faites à son nom y restent en attente jusque-là.',
    );
    expect(await getMeta<SessionRequiredNotice>(laptop.db, META.sessionRequired)).toEqual({
      staffId: 'doc-1',
      message: held.lastError,
    });
    expect(await laptop.db.outbox.count()).toBe(typed); // nothing typed is lost
    expect(await laptop.db.rows('patient').get('p-other')).toBeDefined(); // still pulling
    expect(await server.store.rowsByIds(ORG, 'patient', ['p-held'])).toEqual([]);

    // She signs in with her password (she already has a PIN here: no new one).
    const answer = await login(laptop.db, 'doc-1', PASSWORD);
    expect(answer.session?.expiresAt).toBeGreaterThan(Date.now());
    expect(await getMeta(laptop.db, META.sessionRequired)).toBeUndefined();
    await resumePersonSession(laptop.db, 'doc-1', answer.escrow);
    const sent = await laptop.client.syncNow();
    expect(sent).toMatchObject({ state: 'ok', lastError: null, pending: 0 });
    expect(await server.store.rowsByIds(ORG, 'patient', ['p-held'])).toHaveLength(1);
    // Her sign-in is in the audit trail, stamped with her.
    const audit = await server.store.rows(ORG, 'audit');
    expect(audit.some((a) => a.action === 'session.login' && a.actorId === 'doc-1')).toBe(true);

    // Signed out: her later work on this laptop is held again, and she is named again.
    await logout(laptop.db, 'doc-1');
    await writeChanges(
      laptop.db,
      { deviceId: laptop.deviceId, org: ORG, userId: 'doc-1', now: () => Date.now() + 3_600_000 },
      [newPatient('p-after', 3)],
    );
    expect((await laptop.client.syncNow()).state).toBe('error');
    expect((await getMeta<SessionRequiredNotice>(laptop.db, META.sessionRequired))?.staffId).toBe(
      'doc-1',
    );
    expect(await laptop.db.outbox.count()).toBe(typed);
  });
});
