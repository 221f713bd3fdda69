// Pruning behind the truck's relay (docs/decisions/0027-pruning.md, « Through a relay »): a
// coordination device that syncs only with the relay adopts the horizon the relay took from
// central (announced with the relay's own log's head), prunes a row it rewrote many times, and
// still proves its day and its digest, through the relay, in the comparable form at its horizon.
// Real sync clients against a real relay and a real central on loopback (SQLite).
import { afterEach, describe, expect, it } from 'vitest';
import { fetchServerProof, localDayProof } from '../../src/device/closure';
import { prunedAt } from '../../src/device/horizon';
import { localDigest } from '../../src/device/queries';
import { currentHorizon, relayHorizon } from '../../src/server/horizon';
import type { RegisterState, RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { ORG, stopFields } from './fixtures';
import type { openTestDb } from './support';
import { truckOfTwo } from './truck-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const STOP = 'escale-relais';

const stopState = async (db: ReturnType<typeof openTestDb>): Promise<RowState> =>
  (await db.states.get(['stop', STOP]))!;
const addressDom = (st: RowState) => (st.f.address as RegisterState).dom;

describe('a coordination device that syncs only through the relay', () => {
  it('adopts the relay’s horizon, prunes a row rewritten many times, and its digest and receipt still match at its horizon', async () => {
    const { central, relay, pass, a, b } = await truckOfTwo(['rp-a', 'rp-b'], cleanups);
    // b known to central from the start (a never-synced device blocks every horizon).
    const first = await b.client.syncNow();
    expect(first.state, JSON.stringify(first)).toBe('ok');
    const times = 25;
    const written: Op[] = [];
    written.push(...(await a.writeAt([{ entity: 'stop', id: STOP, set: stopFields }])));
    for (let i = 1; i <= times; i++) {
      written.push(
        ...(await a.writeAt([{ entity: 'stop', id: STOP, set: { address: `Rue ${i}` } }])),
      );
    }
    const last = written.at(-1)!.hlc;
    const before = await stopState(a.db);
    expect(addressDom(before).length).toBe(times);
    // a pushes through the relay, which passes the ops then a's position on to central; b pulls
    // them from the relay (its clock moves past them) and sends that position the same way.
    expect((await a.client.syncNow()).state).toBe('ok');
    await pass();
    expect((await b.client.syncNow()).state).toBe('ok');
    expect((await b.client.syncNow()).state).toBe('ok');
    await pass(); // b's position goes on to central: central's horizon passes a's edits
    expect(
      (await currentHorizon(central.store, central.accounts, ORG, Date.now())).horizon!.hlc >= last,
    ).toBe(true);
    await pass(); // the relay pulls central's answer carrying it, past its seq, and adopts it
    expect((await relayHorizon(relay.store, ORG))!.hlc >= last).toBe(true);
    // a pulls the relay's log past the relay's seq: it adopts the horizon and prunes the row.
    expect((await a.client.syncNow()).state).toBe('ok');
    const hz = (await prunedAt(a.db))!;
    expect(hz >= last).toBe(true);
    expect(hz <= (await relayHorizon(relay.store, ORG))!.hlc).toBe(true);
    const after = await stopState(a.db);
    expect(after.hz).toBe(hz);
    expect(addressDom(after)).toEqual([]);
    expect((after.f.address as RegisterState).heads).toEqual(
      (before.f.address as RegisterState).heads,
    );
    // 25 superseded clocks of 19 characters and more each, gone.
    expect(JSON.stringify(after).length).toBeLessThan(JSON.stringify(before).length - times * 19);
    // The relay's pull digest, asked at a's horizon, is a's own.
    const status = await a.client.syncNow();
    expect(status.state).toBe('ok');
    expect(status.serverDigest).toBe(await localDigest(a.db));
    // So is the day's proof central gives through the relay at that horizon.
    const answer = await fetchServerProof(a.connection, STOP, fetch, hz);
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.proof.hz).toBe(hz);
    const local = await localDayProof(a.db, STOP);
    expect(answer.proof.digest).toBe(local.digest);
    expect(answer.proof.rows).toEqual(local.rows);
    // Without its horizon, the day central holds is not the one this device holds.
    const plain = await fetchServerProof(a.connection, STOP, fetch, null);
    expect(plain.ok && plain.proof.digest).not.toBe(local.digest);
  });
});
