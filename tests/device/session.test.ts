// A person taking the device (issue 8): the PIN created after an online sign-in opens (or makes)
// the device's data key; a later unlock opens it offline; both are audited; a PIN from before the
// device sealed its data does not open it; sync waits while the clinical data is locked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSync, wipeDevice } from '../../src/device/connection';
import { dataKeyState, declareNoDataKey, setDataKey } from '../../src/device/data-key';
import { type EscaleDb, META, setMeta } from '../../src/device/db';
import { enableEncryption } from '../../src/device/encryption';
import { setPin } from '../../src/device/pin';
import { syncStatus } from '../../src/device/queries';
import { createPersonPin, unlockPerson } from '../../src/device/session';
import { writeChanges } from '../../src/device/write';
import type { Op } from '../../src/sync/op';
import { syncTone } from '../../src/ui/shell/sync-tone';
import { ORG } from './fixtures';
import { openTestDb } from './support';

const ESCROW = Buffer.alloc(32, 7).toString('base64');
const ITER = 1000; // setPin's own cost is not under test here

async function encryptedDevice(): Promise<EscaleDb> {
  const db = openTestDb();
  enableEncryption(db);
  await setMeta(db, META.deviceId, 'tab-1');
  await setMeta(db, META.org, ORG);
  declareNoDataKey();
  return db;
}

async function auditActions(db: EscaleDb): Promise<string[]> {
  return (await db.rows('audit').toArray()).map((a) => `${a.action}:${a.actorId}`);
}

const note = (id: string) => ({
  entity: 'consultation' as const,
  id,
  set: { orgId: ORG, plan: 'Revoir dans huit jours' },
});

afterEach(() => setDataKey(null));

describe('a person taking the device', () => {
  it('creates the data key at the first sign-in, audits the login, and reads notes back', async () => {
    const db = await encryptedDevice();
    expect(dataKeyState()).toBe('none');
    expect(await createPersonPin(db, 's1', '4821', ESCROW)).toBe('opened');
    expect(dataKeyState()).toBe('open');
    expect(await auditActions(db)).toEqual(['session.login:s1']);
    await writeChanges(db, { deviceId: 'tab-1', org: ORG, userId: 's1' }, [note('c1')]);
    expect((await db.rows('consultation').get('c1'))?.plan).toBe('Revoir dans huit jours');
  });

  it('opens the key again offline with the PIN after a reload, and audits the unlock', async () => {
    const db = await encryptedDevice();
    await createPersonPin(db, 's1', '4821', ESCROW);
    await writeChanges(db, { deviceId: 'tab-1', org: ORG, userId: 's1' }, [note('c1')]);
    setDataKey(null); // the page was reloaded: nothing in memory
    await expect(db.rows('consultation').get('c1')).rejects.toThrow(/verrouillées/);
    const wrong = await unlockPerson(db, 's1', '0000');
    expect(wrong.ok).toBe(false);
    expect(dataKeyState()).toBe('locked');
    const right = await unlockPerson(db, 's1', '4821');
    expect(right).toMatchObject({ ok: true, data: 'opened' });
    expect((await db.rows('consultation').get('c1'))?.plan).toBe('Revoir dans huit jours');
    expect(await auditActions(db)).toContain('session.unlock:s1');
  });

  it('lets a second person in through the escrow of their sign-in, not through a bare PIN', async () => {
    const db = await encryptedDevice();
    await createPersonPin(db, 's1', '4821', ESCROW);
    setDataKey(null);
    // A PIN set without signing in (as before accounts existed) opens nothing.
    await setPin(db, 's2', '7777', ITER);
    const bare = await unlockPerson(db, 's2', '7777');
    expect(bare).toMatchObject({ ok: true, data: 'locked' });
    // Signed in online: the server's escrow opens the key, wrapped for the new PIN from now on.
    expect(await createPersonPin(db, 's2', '5555', ESCROW)).toBe('opened');
    // The audit log is sealed like the clinical data: read with the key open. The bare PIN's
    // unlock was never audited; the sign-in was.
    const actions = await auditActions(db);
    expect(actions).not.toContain('session.unlock:s2');
    expect(actions).toContain('session.login:s2');
    setDataKey(null);
    expect(await unlockPerson(db, 's2', '5555')).toMatchObject({ ok: true, data: 'opened' });
  });

  it('keeps sync waiting while the clinical data is locked, and resumes at the unlock', async () => {
    const db = await encryptedDevice();
    await createPersonPin(db, 's1', '4821', ESCROW);
    await setMeta(db, 'servers', ['http://127.0.0.1:9']);
    setDataKey(null);
    const client = await startSync(db);
    const status = await client!.syncNow();
    expect(status.lastAttemptAt ?? null).toBeNull(); // no attempt made while locked
    await unlockPerson(db, 's1', '4821');
    const after = await client!.syncNow();
    expect(after.state).toBe('offline'); // it tried: nothing listens on that port
    await wipeDevice(db, null);
    expect(dataKeyState()).toBe('locked');
  });

  it('syncs a locked reception on; its sealed ops (its audit records) wait in the outbox for the key', async () => {
    const db = await encryptedDevice();
    await createPersonPin(db, 's1', '4821', ESCROW); // audits the login: a sealed op
    await setMeta(db, 'servers', ['http://127.0.0.1:9']);
    await setMeta(db, 'credential', { token: 'tab-1.x', profile: 'reception', roomId: null });
    const waiting = await db.outbox.count();
    expect(waiting).toBeGreaterThan(0);
    setDataKey(null); // reloaded, nobody unlocked yet
    const client = await startSync(db);
    // It tries (a waiting-room screen nobody unlocks must go on pulling the calls): nothing
    // listens on that port; the sealed login is neither opened nor lost.
    const after = await client!.syncNow();
    expect(after.lastAttemptAt ?? null).not.toBeNull();
    expect(after.state).toBe('offline');
    expect(await db.outbox.count()).toBe(waiting);
    await wipeDevice(db, null);
  });

  it('says its sealed work waits for an unlock, and sends it once someone unlocks', async () => {
    const db = await encryptedDevice();
    await createPersonPin(db, 's1', '4821', ESCROW); // audits the login: sealed ops
    const sealed = await db.outbox.count();
    await setMeta(db, 'servers', ['http://central.test']);
    await setMeta(db, 'credential', { token: 'tab-1.x', profile: 'reception', roomId: null });
    // A server that holds every op it is sent (this test is about what the device sends).
    const pushed: number[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as { ops: Op[] };
      pushed.push(...body.ops.map((op) => op.seq));
      const accepted = Math.max(0, ...pushed);
      const answer = { accepted, durable: accepted, ops: [], lastSeq: 0, hasMore: false };
      return new Response(JSON.stringify({ ...answer, serverTime: Date.now() }), {
        headers: { 'content-type': 'application/json' },
      });
    });
    try {
      setDataKey(null); // reloaded, nobody unlocked yet
      const client = await startSync(db);
      const locked = await client!.syncNow();
      expect(locked).toMatchObject({ state: 'ok', awaitingUnlock: true, pending: sealed });
      expect(pushed).toEqual([]); // the sealed login is neither opened nor sent
      expect(syncTone(await syncStatus(db))).toBe('locked');

      await unlockPerson(db, 's1', '4821');
      const after = await client!.syncNow();
      expect(after).toMatchObject({ state: 'ok', awaitingUnlock: false, pending: 0 });
      expect(pushed.length).toBeGreaterThanOrEqual(sealed);
      expect(syncTone(await syncStatus(db))).toBe('ok');
      await wipeDevice(db, null);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
