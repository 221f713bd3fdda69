// One contract for every store (SQLite, PostgreSQL): the guarantees docs/protocol.md promises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { SyncStore } from '../../src/server/store/types';
import type { Op } from '../../src/sync/op';
import { openTestStore } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

export function storeContract(kind: 'sqlite' | 'postgres'): void {
  describe(`the ${kind} store`, () => {
    let store: SyncStore;
    let cleanup: () => void;
    const opened: { store: SyncStore; cleanup: () => void }[] = [];
    const another = async () => {
      const s = await openTestStore(kind);
      opened.push(s);
      return s.store;
    };

    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(kind));
    });
    afterAll(async () => {
      await store.close();
      cleanup();
      for (const s of opened) {
        await s.store.close();
        s.cleanup();
      }
    });

    it('lists each device with how many of its ops it holds, and meta entries by prefix', async () => {
      const s = await another();
      const a = new TestDevice('dev-list-a');
      const b = new TestDevice('dev-list-b');
      await s.push(ORG, [...a.batch(3, 'l'), ...b.batch(2, 'l')]);
      expect(await s.devices(ORG)).toEqual([
        { dev: 'dev-list-a', seq: 3 },
        { dev: 'dev-list-b', seq: 2 },
      ]);
      expect(await s.devices('another-org')).toEqual([]);
      await s.setMeta('device:o_1:x', '1');
      await s.setMeta('device:o_1:y', '2');
      await s.setMeta('device:oX1:z', '3'); // `_` is a LIKE wildcard: must not match
      await s.setMeta('device:o%1:w', '4');
      expect(await s.metaWithPrefix('device:o_1:')).toEqual([
        { key: 'device:o_1:x', value: '1' },
        { key: 'device:o_1:y', value: '2' },
      ]);
      expect(await s.metaWithPrefix('device:o%1:')).toEqual([{ key: 'device:o%1:w', value: '4' }]);
    });

    it('numbers accepted ops 1, 2, 3… per organisation and pulls them after N', async () => {
      const d = new TestDevice('dev-a');
      const ops = d.batch(5, 'seq');
      const pushed = await store.push(ORG, ops);
      expect(pushed.stored).toBe(5);
      const page = await store.pull(ORG, 0, 1 << 20);
      expect(page.ops.map((x) => x.s)).toEqual([1, 2, 3, 4, 5]);
      expect(page.ops.map((x) => x.op)).toEqual(ops);
      expect(page.hasMore).toBe(false);
      expect((await store.pull(ORG, 3, 1 << 20)).ops.map((x) => x.s)).toEqual([4, 5]);
      expect(await store.lastSeq('another-org')).toBe(0);
    });

    it('is idempotent by (device, device sequence)', async () => {
      const d = new TestDevice('dev-idem');
      const ops = d.batch(3, 'idem');
      const before = await store.lastSeq(ORG);
      await store.push(ORG, ops);
      const again = await store.push(ORG, [...ops, ...ops]);
      expect(again.stored).toBe(0);
      expect(await store.lastSeq(ORG)).toBe(before + 3);
      expect(await store.contiguous(ORG, 'dev-idem')).toBe(3);
    });

    it('acknowledges only a contiguous prefix of a device’s ops', async () => {
      const d = new TestDevice('dev-gap');
      const [a, b, c] = d.batch(3, 'gap');
      await store.push(ORG, [a!, c!]);
      expect(await store.contiguous(ORG, 'dev-gap')).toBe(1);
      await store.push(ORG, [b!]);
      expect(await store.contiguous(ORG, 'dev-gap')).toBe(3);
    });

    it('rejects a whole batch when one op breaks its schema, storing nothing', async () => {
      const d = new TestDevice('dev-bad');
      const good = d.batch(2, 'bad');
      const bad: Op = { ...d.rename('bad-x', 'x'), val: 42 };
      const unknown: Op = { ...d.rename('bad-y', 'y'), e: 'spaceship' };
      const before = await store.lastSeq(ORG);
      await expect(store.push(ORG, [...good, bad])).rejects.toThrow(/room\.name|name/);
      await expect(store.push(ORG, [...good, unknown])).rejects.toThrow(/spaceship/);
      await expect(store.push('other-org', good)).rejects.toThrow(/organisation/);
      expect(await store.lastSeq(ORG)).toBe(before);
      expect(await store.contiguous(ORG, 'dev-bad')).toBe(0);
    });

    it('pages by bytes with hasMore, never returning an empty page while ops remain', async () => {
      const s = await another();
      const d = new TestDevice('dev-page');
      await s.push(ORG, d.batch(50, 'page'));
      let since = 0;
      let pages = 0;
      const seen: number[] = [];
      for (;;) {
        const page = await s.pull(ORG, since, 1500);
        pages++;
        expect(page.ops.length).toBeGreaterThan(0);
        seen.push(...page.ops.map((x) => x.s));
        since = page.lastSeq;
        if (!page.hasMore) break;
      }
      expect(pages).toBeGreaterThan(3);
      expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      // A page smaller than one op still carries that op.
      expect((await s.pull(ORG, 0, 1)).ops).toHaveLength(1);
    });

    it('does not send a device its own ops but still moves its checkpoint past them', async () => {
      const s = await another();
      const mine = new TestDevice('dev-me');
      const theirs = new TestDevice('dev-them');
      await s.push(ORG, [mine.rename('a', 'A'), theirs.rename('b', 'B'), mine.rename('c', 'C')]);
      const page = await s.pull(ORG, 0, 1 << 20, 'dev-me');
      expect(page.ops.map((x) => x.op.dev)).toEqual(['dev-them']);
      expect(page.lastSeq).toBe(3);
    });

    it('materialises rows and reaches the same digest whatever the order of the ops', async () => {
      const s1 = await another();
      const s2 = await another();
      const a = new TestDevice('dev-x');
      const b = new TestDevice('dev-y');
      const ops = [
        a.rename('room-1', 'Box 1'),
        b.rename('room-1', 'Box un'),
        a.rename('room-2', 'Salle 3'),
      ];
      await s1.push(ORG, ops);
      for (const op of [...ops].reverse()) await s2.push(ORG, [op]);
      expect(await s1.digest(ORG)).toBe(await s2.digest(ORG));
      const rows = await s1.rows(ORG, 'room');
      expect(rows.map((r) => r.id)).toEqual(['room-1', 'room-2']);
      expect(rows[0]!.name).toBe(ops[1]!.hlc > ops[0]!.hlc ? 'Box un' : 'Box 1');
    });

    it('keeps ops from a newer schema aside, forwards them, and applies them after an upgrade', async () => {
      const s = await another();
      const d = new TestDevice('dev-new');
      const future: Op = { ...d.rename('room-f', 'Salle future'), v: SCHEMA_VERSION + 1 };
      await s.push(ORG, [future]);
      expect((await s.pull(ORG, 0, 1 << 20)).ops.map((x) => x.op)).toEqual([future]);
      expect(await s.rows(ORG, 'room')).toEqual([]);
      expect(await s.replayParked()).toBe(0);
    });

    it('never lets a pull skip an op while many devices push concurrently', async () => {
      const s = await another();
      const devices = Array.from({ length: 12 }, (_, i) => new TestDevice(`dev-c${i}`));
      const batches = 15;
      let done = false;
      const pulled: number[] = [];
      const puller = (async () => {
        let since = 0;
        for (;;) {
          const page = await s.pull(ORG, since, 4096);
          for (const x of page.ops) pulled.push(x.s);
          since = page.lastSeq;
          if (done && !page.hasMore) {
            const last = await s.pull(ORG, since, 1 << 20);
            for (const x of last.ops) pulled.push(x.s);
            if (!last.hasMore) break;
            since = last.lastSeq;
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      await Promise.all(
        devices.map(async (d) => {
          for (let b = 0; b < batches; b++) await s.push(ORG, d.batch(4, `c${b}`));
        }),
      );
      done = true;
      await puller;
      const total = devices.length * batches * 4;
      expect(await s.lastSeq(ORG)).toBe(total);
      expect(pulled).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      for (const d of devices) expect(await s.contiguous(ORG, d.dev)).toBe(batches * 4);
    });

    it('lists the ops a relay still has to forward, leaving out those from upstream', async () => {
      const s = await another();
      const local = new TestDevice('dev-local');
      const remote = new TestDevice('dev-remote');
      await s.push(ORG, local.batch(2, 'fw'));
      await s.push(ORG, remote.batch(2, 'fw'), { fromUpstream: true });
      await s.push(ORG, local.batch(1, 'fw2'));
      const out = await s.toForward(ORG, 0, 1 << 20);
      expect(out.ops.map((o) => o.dev)).toEqual(['dev-local', 'dev-local', 'dev-local']);
      expect(out.upTo).toBe(5);
      expect((await s.toForward(ORG, 5, 1 << 20)).ops).toEqual([]);
      // Central lost what it had (restored from a backup): everything up to 4 goes again.
      const refill = await s.toForward(ORG, 0, 1 << 20, 4);
      expect(refill.ops.map((o) => `${o.dev}#${o.seq}`)).toEqual([
        'dev-local#1',
        'dev-local#2',
        'dev-remote#1',
        'dev-remote#2',
        'dev-local#3',
      ]);
    });

    it('has an epoch of its own, kept across restarts, replaced by newEpoch', async () => {
      const s = await another();
      const epoch = await s.epoch();
      expect(epoch).toMatch(/^[0-9a-f-]{36}$/);
      expect(await s.epoch()).toBe(epoch);
      expect(await store.epoch()).not.toBe(epoch); // each store its own
      const next = await s.newEpoch();
      expect(next).not.toBe(epoch);
      expect(await s.epoch()).toBe(next);
    });

    it('acknowledges from a declared floor, reports the ops it lacks below it, until they arrive', async () => {
      const s = await another();
      const d = new TestDevice('dev-floor');
      const ops = d.batch(8, 'fl');
      await s.push(ORG, ops.slice(0, 2));
      // The device no longer holds 1..5 (durable at central, it was told); this store has 1..2.
      expect(await s.declareFloor(ORG, 'dev-floor', 5)).toEqual({
        dev: 'dev-floor',
        from: 3,
        to: 5,
      });
      expect(await s.contiguous(ORG, 'dev-floor')).toBe(5);
      await s.push(ORG, ops.slice(5, 7));
      expect(await s.contiguous(ORG, 'dev-floor')).toBe(7);
      expect(await s.floors(ORG)).toEqual(new Map([['dev-floor', 5]]));
      // A lower floor never lowers it.
      await s.declareFloor(ORG, 'dev-floor', 1);
      expect(await s.floors(ORG)).toEqual(new Map([['dev-floor', 5]]));
      expect(await s.gaps(ORG)).toEqual([{ dev: 'dev-floor', from: 3, to: 5 }]);
      // A replica that still held them brings them back: the gap closes, contiguity goes on.
      await s.push(ORG, ops.slice(2, 5));
      expect(await s.gaps(ORG)).toEqual([]);
      await s.push(ORG, [ops[7]!]);
      expect(await s.contiguous(ORG, 'dev-floor')).toBe(8);
      expect(await s.declareFloor(ORG, 'dev-floor', 8)).toBeNull();
    });

    it('keeps how far upstream holds each device, which may go down (upstream restored)', async () => {
      const s = await another();
      expect(await s.upstreamHeld(ORG)).toEqual(new Map());
      await s.setUpstreamHeld(ORG, { a: 4, b: 2 });
      await s.setUpstreamHeld(ORG, { a: 1 });
      expect(await s.upstreamHeld(ORG)).toEqual(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
      expect(await s.upstreamHeld('another-org')).toEqual(new Map());
    });

    it('sets a refused op apart: held for contiguity, never applied nor pulled, listed with its reason', async () => {
      const s = await another();
      const d = new TestDevice('dev-q');
      const [first, refused, third] = d.batch(3, 'q');
      await s.push(ORG, [first!]);
      const entry = {
        op: refused!,
        code: 'forbidden_op',
        reason: 'Modification refusée par le serveur : note signée.',
        via: 'relay-1',
      };
      expect(await s.quarantine(ORG, [entry])).toBe(1);
      // Set apart once: a retry, or an op already stored, is skipped.
      expect(await s.quarantine(ORG, [entry, { ...entry, op: first! }])).toBe(0);
      expect(await s.contiguous(ORG, 'dev-q')).toBe(2);
      expect(await s.heldKeys(ORG, [first!, refused!, third!])).toEqual(
        new Set(['dev-q#1', 'dev-q#2']),
      );
      // The device's next op is acknowledged past it.
      await s.push(ORG, [third!]);
      expect(await s.contiguous(ORG, 'dev-q')).toBe(3);
      const pulled = (await s.pull(ORG, 0, 1 << 20)).ops.map((x) => x.op.seq);
      expect(pulled).toEqual([1, 3]);
      expect((await s.rows(ORG, 'room')).map((r) => r.id)).not.toContain(refused!.id);
      expect(await s.quarantined(ORG)).toEqual([
        expect.objectContaining({
          dev: 'dev-q',
          seq: 2,
          code: 'forbidden_op',
          reason: entry.reason,
          via: 'relay-1',
        }),
      ]);
      expect(await s.quarantined('another-org')).toEqual([]);
    });
    it('takes a retracted op out of the log, sets it apart, folds its row again without it, and records it', async () => {
      // Decision 0033: what a relay held and central refused.
      const s = await another();
      const d = new TestDevice('dev-r');
      const e = new TestDevice('dev-r2');
      const kept = d.rename('room-r', 'Salle gardée');
      const only = d.rename('room-new', 'Salle refusée'); // the op that made its row
      const refused = e.rename('room-r', 'Salle refusée', [kept.hlc]);
      await s.push(ORG, [kept, only, refused]);
      expect((await s.rows(ORG, 'room')).find((r) => r.id === 'room-r')?.name).toBe(
        'Salle refusée',
      );
      const digestBefore = await s.digest(ORG);
      expect(await s.rewritten(ORG)).toBe('');
      const reason = 'Modification refusée par le serveur : note signée.';
      const taken = await s.retract(ORG, [
        { dev: 'dev-r2', seq: refused.seq, code: 'forbidden_op', reason, via: 'central' },
        { dev: 'dev-r', seq: only.seq, code: 'forbidden_op', reason, via: 'central' },
        // Not in the log: skipped.
        { dev: 'dev-r', seq: 99, code: 'forbidden_op', reason, via: 'central' },
      ]);
      expect(taken).toEqual([
        {
          n: 1,
          dev: 'dev-r2',
          seq: refused.seq,
          s: 3,
          e: 'room',
          id: 'room-r',
          code: 'forbidden_op',
          reason,
        },
        {
          n: 2,
          dev: 'dev-r',
          seq: only.seq,
          s: 2,
          e: 'room',
          id: 'room-new',
          code: 'forbidden_op',
          reason,
        },
      ]);
      // Out of the log and the rows; the row it made is gone; the other folded again.
      expect((await s.pull(ORG, 0, 1 << 20)).ops.map((x) => x.op.seq)).toEqual([kept.seq]);
      const rows = await s.rows(ORG, 'room');
      expect(rows.map((r) => [r.id, r.name])).toEqual([['room-r', 'Salle gardée']]);
      const alone = await another();
      await alone.push(ORG, [kept]);
      expect(await s.digest(ORG)).toBe(await alone.digest(ORG));
      expect(await s.digest(ORG)).not.toBe(digestBefore);
      // Set apart, held for contiguity: a resend is skipped, never stored again.
      expect(await s.quarantinedAmong(ORG, [{ dev: 'dev-r2', seq: refused.seq }])).toEqual([
        expect.objectContaining({ dev: 'dev-r2', seq: refused.seq, reason, via: 'central' }),
      ]);
      expect(await s.contiguous(ORG, 'dev-r2')).toBe(refused.seq);
      expect((await s.push(ORG, [refused])).stored).toBe(0);
      // Recorded, counted, listed after a number; the log marked rewritten.
      expect(await s.retractionCount(ORG)).toBe(2);
      expect((await s.retractions(ORG, 1)).map((r) => r.n)).toEqual([2]);
      expect(await s.retractions(ORG, 2)).toEqual([]);
      expect(await s.retractionCount('another-org')).toBe(0);
      // Another organisation's, even one whose id extends this one's, are its own.
      const o = new TestDevice('dev-r3', `${ORG}2`);
      const elsewhere = o.rename('room-o', 'Ailleurs');
      await s.push(`${ORG}2`, [elsewhere]);
      await s.retract(`${ORG}2`, [
        { dev: 'dev-r3', seq: elsewhere.seq, code: 'forbidden_op', reason, via: 'central' },
      ]);
      expect((await s.retractions(ORG, 0)).map((r) => r.dev)).toEqual(['dev-r2', 'dev-r']);
      expect((await s.retractions(`${ORG}2`, 0)).map((r) => [r.n, r.dev])).toEqual([[1, 'dev-r3']]);
      const marker = await s.rewritten(ORG);
      expect(marker).not.toBe('');
      // Retracting again changes nothing.
      expect(
        await s.retract(ORG, [
          { dev: 'dev-r2', seq: refused.seq, code: 'forbidden_op', reason, via: 'central' },
        ]),
      ).toEqual([]);
      expect(await s.rewritten(ORG)).toBe(marker);
      expect(await s.retractionCount(ORG)).toBe(2);
    });
  });
}
