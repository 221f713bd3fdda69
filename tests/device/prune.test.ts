// Pruning on the device (docs/decisions/0027-pruning.md): a real sync client against a real
// server on loopback (SQLite). The device adopts central's horizon once its checkpoint reaches
// the announced `seq`, below the ops it holds parked; it prunes the rows it holds (the write
// path when it rewrites one, a background pass for the rest); and it still proves its day and
// its digest to central, which never prunes, in the comparable form at its horizon.
import { afterEach, describe, expect, it } from 'vitest';
import { fetchServerProof, localDayProof } from '../../src/device/closure';
import { getWriter, META, setMeta } from '../../src/device/db';
import { prunedAt, pruneHeld } from '../../src/device/horizon';
import { localDigest } from '../../src/device/queries';
import { applyRemote, type Change, writeChanges } from '../../src/device/write';
import { currentHorizon } from '../../src/server/horizon';
import { encodeHlc } from '../../src/sync/hlc';
import type { RegisterState, RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { startTestServer, type TestServer } from '../support/server';
import { newerSchemaOp, ORG, stopFields } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, pastWriter, testSyncClient } from './sync-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Ten minutes ago: central's own position is its clock a minute behind, so a horizon can only
 * pass edits made before that. */
const PAST = Date.now() - 10 * 60_000;
const STOP = 'escale-1';

let n = 0;
async function device(
  deviceId: string,
  s: TestServer,
  profile: 'coordination' | 'reception' = 'coordination',
) {
  const db = openTestDb(undefined, `prune-${deviceId}-${++n}`);
  const { credential } = await enrolDb(db, s, deviceId, ORG, profile);
  const client = testSyncClient(db, s, { timeoutMs: 3_000 });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const write = (changes: Change[]) => writeChanges(db, { deviceId, org: ORG }, changes);
  const writeAt = pastWriter(db, deviceId, ORG, PAST);
  return { db, client, write, writeAt, connection: { org: ORG, servers: [s.url], credential } };
}

const stopState = async (db: ReturnType<typeof openTestDb>): Promise<RowState> =>
  (await db.states.get(['stop', STOP]))!;
const addressDom = (st: RowState) => (st.f.address as RegisterState).dom;

/** A stop whose address `a` rewrote `times` times, ten minutes ago, pushed to central and
 * pulled by `b`: a's next sync gets a horizon at its last stamp. */
async function edited(
  times: number,
  beforeB?: (b: Awaited<ReturnType<typeof device>>) => Promise<unknown>,
) {
  const s = await startTestServer({ store: 'sqlite' });
  cleanups.push(() => s.close());
  const a = await device('prune-a', s);
  const b = await device('prune-b', s);
  // b known to central from the start (a never-synced device blocks every horizon).
  expect((await b.client.syncNow()).state).toBe('ok');
  const written: Op[] = [];
  written.push(...(await a.writeAt([{ entity: 'stop', id: STOP, set: stopFields }])));
  for (let i = 1; i <= times; i++) {
    written.push(
      ...(await a.writeAt([{ entity: 'stop', id: STOP, set: { address: `Rue ${i}` } }])),
    );
  }
  // a pushes them; b pulls them (its clock moves past them), then sends that position.
  expect((await a.client.syncNow()).state).toBe('ok');
  await beforeB?.(b);
  expect((await b.client.syncNow()).state).toBe('ok');
  expect((await b.client.syncNow()).state).toBe('ok');
  return { s, a, b, written };
}

describe('a device that reaches central', () => {
  it('adopts the horizon once its checkpoint reaches it, moves its clock past it, and the row edited many times shrinks', async () => {
    const { s, a, written } = await edited(30);
    const before = await stopState(a.db);
    expect(addressDom(before).length).toBe(30);
    // Whatever it adopted so far is below its edits: nothing pruned.
    expect(((await prunedAt(a.db)) ?? '') < written[0]!.hlc).toBe(true);
    expect(before.hz).toBeUndefined();
    expect((await a.client.syncNow()).state).toBe('ok');
    // Every position (a's, b's, central's own a minute behind) is past a's edits now: the
    // horizon announced and adopted is past them, and not past central's.
    const hz = (await prunedAt(a.db))!;
    const last = written.at(-1)!.hlc;
    expect(hz >= last).toBe(true);
    expect(hz <= (await currentHorizon(s.store, s.accounts, ORG, Date.now())).horizon!.hlc).toBe(
      true,
    );
    // Its clock is past it: every op it writes from now on is above it.
    const clock = (await getWriter(a.db)).clock!;
    expect(encodeHlc(clock.ms, clock.counter, 'prune-a') > hz).toBe(true);
    // The background pass after the run pruned the row: no superseded clock left, same value.
    const after = await stopState(a.db);
    expect(after.hz).toBe(hz);
    expect(addressDom(after)).toEqual([]);
    expect((after.f.address as RegisterState).heads).toEqual(
      (before.f.address as RegisterState).heads,
    );
    // 30 superseded clocks of 22 characters and more each, gone.
    expect(JSON.stringify(after).length).toBeLessThan(JSON.stringify(before).length - 30 * 22);
  });

  it('still gets a matching receipt proof and digest from central after pruning', async () => {
    const { a } = await edited(10);
    await a.client.syncNow();
    // The run that adopted it asked its digest at the former one: the next run asks at this one.
    const status = await a.client.syncNow();
    const hz = await prunedAt(a.db);
    expect(hz).not.toBeNull();
    expect((await stopState(a.db)).hz).toBe(hz);
    // The pull's digest (asked at its horizon) is the device's own.
    expect(status.serverDigest).toBe(await localDigest(a.db));
    const answer = await fetchServerProof(a.connection, STOP, fetch, hz);
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.proof.hz).toBe(hz);
    const local = await localDayProof(a.db, STOP);
    expect(answer.proof.digest).toBe(local.digest);
    expect(answer.proof.rows).toEqual(local.rows);
    // Asked without its horizon, central's day is not the one this device holds.
    const plain = await fetchServerProof(a.connection, STOP, fetch, null);
    expect(plain.ok && plain.proof.digest).not.toBe(local.digest);
  });

  it('ignores a late duplicate below the horizon, and the write path prunes the row it rewrites', async () => {
    const { a, written } = await edited(5);
    await a.client.syncNow();
    const hz = (await prunedAt(a.db))!;
    const pruned = await stopState(a.db);
    expect(pruned.hz).toBe(hz);
    // An early rewrite arriving again (a relay's late copy): nothing changes.
    await applyRemote(a.db, [{ s: 1, op: written[2]! }], 'checkpoint:elsewhere', 1);
    expect(await stopState(a.db)).toEqual(pruned);
    // A new rewrite: the head it supersedes is at the horizon, so no clock is kept for it.
    await a.write([{ entity: 'stop', id: STOP, set: { address: 'Rue neuve' } }]);
    const next = await stopState(a.db);
    expect(next.hz).toBe(hz);
    expect(addressDom(next)).toEqual([]);
  });

  it('prunes at the horizon when the write path rewrites a row, before any background pass', async () => {
    const { a, written } = await edited(8);
    // The horizon set as an adoption would, and the pass marked done: only the write prunes.
    const hz = written.at(-1)!.hlc;
    await setMeta(a.db, META.horizon, hz);
    await setMeta(a.db, META.prunedPass, hz);
    expect(await pruneHeld(a.db)).toBe(0);
    expect(addressDom(await stopState(a.db)).length).toBe(8);
    await a.write([{ entity: 'stop', id: STOP, set: { communeName: 'Sillé' } }]);
    const st = await stopState(a.db);
    expect(st.hz).toBe(hz);
    expect(addressDom(st)).toEqual([]);
  });

  it('keeps the horizon below an op it holds parked for a newer schema', async () => {
    // b holds parked an op of a newer schema, stamped before a's edits, when it first pulls.
    const park = (b: Awaited<ReturnType<typeof device>>) => {
      const op: Op = newerSchemaOp('prune-x', STOP, PAST - 60_000);
      return applyRemote(b.db, [{ s: 1, op }], 'checkpoint:elsewhere', 1);
    };
    const { a, b } = await edited(4, park);
    expect(await b.db.parked.count()).toBe(1);
    await a.client.syncNow();
    const hz = await prunedAt(a.db);
    expect(hz).not.toBeNull();
    await b.client.syncNow();
    // b pulled past the horizon's seq but holds an op below it unapplied: it does not adopt it.
    expect(await prunedAt(b.db)).toBeNull();
    expect((await stopState(b.db)).hz).toBeUndefined();
    expect(addressDom(await stopState(b.db)).length).toBe(4);
  });

  it('adopts none on a device whose pull is cut (reception): a row left out a while would miss ops', async () => {
    const { s, a } = await edited(4);
    await a.client.syncNow();
    expect(await prunedAt(a.db)).not.toBeNull();
    const desk = await device('prune-desk', s, 'reception');
    expect((await desk.client.syncNow()).state).toBe('ok');
    expect((await desk.client.syncNow()).state).toBe('ok');
    expect(await prunedAt(desk.db)).toBeNull();
    expect((await desk.db.states.toArray()).some((st) => st.hz !== undefined)).toBe(false);
  });
});
