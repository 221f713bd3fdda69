// A fresh coordination device bootstrapped from the truck relay's snapshot, pruned at the horizon
// the relay adopted from central (docs/decisions/0027-pruning.md, « Snapshots pruned », « A
// relay's snapshots »): it holds the pruned states before any pull, adopts that horizon with the
// snapshot's S — the relay's log numbering, its checkpoint from the relay — and then proves its
// digest and its day, through the relay, at that horizon. Real sync clients against a real relay
// and a real central on loopback (SQLite), IndexedDB in memory.
import { afterEach, describe, expect, it } from 'vitest';
import { fetchServerProof, localDayProof } from '../../src/device/closure';
import { getMeta, getWriter } from '../../src/device/db';
import { prunedAt } from '../../src/device/horizon';
import { localDigest } from '../../src/device/queries';
import { loadSnapshot } from '../../src/device/snapshot';
import { checkpointKey } from '../../src/device/sync-client';
import { currentHorizon, relayHorizon } from '../../src/server/horizon';
import { encodeHlc } from '../../src/sync/hlc';
import type { RegisterState, RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { credentialFor } from '../support/auth';
import { ORG, stopFields } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, testSyncClient } from './sync-support';
import { truckOfTwo } from './truck-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const STOP = 'escale-relais-snap';

const stopState = async (db: ReturnType<typeof openTestDb>): Promise<RowState> =>
  (await db.states.get(['stop', STOP]))!;
const addressOf = (st: RowState) => st.f.address as RegisterState;

describe('a fresh coordination device bootstrapped from the relay', () => {
  it('holds the states the relay pruned at its horizon, adopts it with S, and its digest and receipt match at it', async () => {
    // The truck's devices enrolled before the relay starts: its first pull has central compute a
    // horizon, which with no device enrolled would be central's clock, past these edits. The two
    // writers replay (no snapshot): one of the empty log kept for the shared cut would be served.
    const { central, relay, pass, a, b } = await truckOfTwo(['rs-a', 'rs-b'], cleanups, false);
    // b known to central from the start (a never-synced device blocks every horizon).
    expect((await b.client.syncNow()).state).toBe('ok');
    const times = 20;
    const written: Op[] = [];
    written.push(...(await a.writeAt([{ entity: 'stop', id: STOP, set: stopFields }])));
    for (let i = 1; i <= times; i++) {
      written.push(
        ...(await a.writeAt([{ entity: 'stop', id: STOP, set: { address: `Rue ${i}` } }])),
      );
    }
    const last = written.at(-1)!.hlc;
    // a pushes through the relay; b pulls from it and sends its position; both reach central.
    expect((await a.client.syncNow()).state).toBe('ok');
    await pass();
    expect((await b.client.syncNow()).state).toBe('ok');
    expect((await b.client.syncNow()).state).toBe('ok');
    await pass();
    expect((await a.client.syncNow()).state).toBe('ok');
    await pass();
    expect(
      (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon!.hlc >= last,
    ).toBe(true);
    await pass(); // the relay pulls central's answer carrying it, past its seq, and adopts it
    const held = (await relayHorizon(relay.store, ORG))!;
    expect(held.hlc >= last).toBe(true);

    // A coordination tablet enrolled now (central's horizon stays where it is: never back), its
    // one server the relay: it bootstraps from the relay's snapshot.
    const db = openTestDb(undefined, 'relay-snap-rs-fresh');
    const { credential } = await enrolDb(db, central, 'rs-fresh', ORG, 'coordination');
    await relay.relay!.refreshCredentials();
    const client = testSyncClient(db, relay, { timeoutMs: 5_000 });
    cleanups.push(() => {
      client.stop();
      db.close();
    });
    const key = checkpointKey(relay.url);
    const { token } = await credentialFor(central, 'rs-fresh', { org: ORG });
    const get = (path: string) =>
      fetch(`${relay.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const { seq } = await loadSnapshot(db, relay.url, key, { get, now: Date.now });
    // S is the relay's log's, at or past the seq the relay adopted its horizon with.
    expect(seq).toBeGreaterThanOrEqual(held.seq);
    expect(seq).toBeLessThanOrEqual(await relay.store.lastSeq(ORG));
    // Before any pull: the rows as the relay's fold pruned them, the horizon adopted with S.
    const st = await stopState(db);
    expect(st.hz).toBe(held.hlc);
    expect(addressOf(st).dom).toEqual([]);
    expect(addressOf(st).heads.map((h) => h.v)).toEqual([`Rue ${times}`]);
    expect(await getMeta(db, key)).toBe(seq);
    expect(await prunedAt(db)).toBe(held.hlc);
    const clock = (await getWriter(db)).clock!;
    expect(encodeHlc(clock.ms, clock.counter, 'rs-fresh') > held.hlc).toBe(true);
    // The writer's own rows, pruned by itself at the horizon it pulled, are the same.
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(await prunedAt(a.db)).toBe(held.hlc);
    expect(await stopState(a.db)).toEqual(st);
    // Its pull after S: the relay's digest at its horizon is its own.
    const status = await client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(db));
    // So is the day's proof central gives through the relay at that horizon, row by row.
    const connection = { org: ORG, servers: [relay.url], credential };
    const answer = await fetchServerProof(connection, STOP, fetch, held.hlc);
    if (!answer.ok) throw new Error(answer.message);
    const local = await localDayProof(db, STOP);
    expect(answer.proof.hz).toBe(held.hlc);
    expect(answer.proof.digest).toBe(local.digest);
    expect(answer.proof.rows).toEqual(local.rows);
  });
});
