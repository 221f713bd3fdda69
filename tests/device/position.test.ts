// The device's position (src/device/position.ts, docs/decisions/0027-pruning.md): its clock and
// last sequence, sent with each sync request; central records it once it holds the ops it covers
// and the organisation's horizon follows it. Against the real server (SQLite) on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { getWriter, META, setMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { devicePosition } from '../../src/device/position';
import { createSyncClient } from '../../src/device/sync-client';
import { type Change, writeChanges } from '../../src/device/write';
import { currentHorizon, positionKey } from '../../src/server/horizon';
import { encodeHlc } from '../../src/sync/hlc';
import { credentialFor } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { newPatient, ORG } from './fixtures';
import { openTestDb } from './support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let n = 0;
async function device(deviceId: string, s: TestServer) {
  const db = openTestDb(undefined, `position-${deviceId}-${++n}`);
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, ORG);
  const { token } = await credentialFor(s, deviceId, { org: ORG });
  await setMeta(db, 'credential', {
    token,
    profile: 'coordination',
    roomId: null,
    name: deviceId,
    orgName: ORG,
  });
  const client = createSyncClient({
    db,
    servers: [s.url],
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 3_000,
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  return { db, client, write };
}

const stored = async (s: TestServer, dev: string) => {
  const raw = await s.store.getMeta(positionKey(ORG, dev));
  return raw ? (JSON.parse(raw) as { hlc: string; seq: number }) : undefined;
};

describe('the position a device sends', () => {
  it('is its last stamp and sequence; central records it once it holds those ops', async () => {
    const s = await startTestServer({ store: 'sqlite' });
    cleanups.push(() => s.close());
    const a = await device('pos-a', s);
    const b = await device('pos-b', s);
    await a.write([newPatient('p1', 1), newPatient('p2', 2)]);
    const clock = (await getWriter(a.db)).clock!;
    const mine = await devicePosition(a.db);
    expect(mine).toEqual({
      hlc: encodeHlc(clock.ms, clock.counter, 'pos-a'),
      seq: (await getWriter(a.db)).lastSeq,
    });
    // Every op it wrote is at or below it.
    const ops = await outboxOps(a.db);
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) expect(op.hlc <= mine!.hlc).toBe(true);
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(await stored(s, 'pos-a')).toMatchObject(mine!);
    // pos-b never synced: it holds the horizon back.
    expect((await currentHorizon(s.store, s.accounts, ORG, Date.now())).blockedBy).toBe('pos-b');
    // A device that wrote nothing: its clock moved with what it pulled; central records it.
    expect((await b.client.syncNow()).state).toBe('ok');
    const hers = await stored(s, 'pos-b');
    expect(hers?.seq).toBe(0);
    expect(hers!.hlc.slice(0, 14) >= mine!.hlc.slice(0, 14)).toBe(true);
    const r = await currentHorizon(s.store, s.accounts, ORG, Date.now() + 120_000);
    expect(r.horizon?.hlc).toBe((await stored(s, 'pos-a'))!.hlc);
    expect(r.blockedBy).toBe('pos-a');
  });
});
