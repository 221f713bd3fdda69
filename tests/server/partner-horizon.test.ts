// Partner tasks and the horizon (decisions 0027 and 0029): central stamps a task's creation from
// its cause, and the cause can be old while the op that completes the task's condition is new —
// a treatment added at 15:00 to a note validated at 09:00, or a tablet offline for hours whose
// position is recorded in the same request as its late push. Every op central writes for a task
// must still be above every horizon announced before it was written: a replica that adopted one
// would otherwise ignore it. Over real SQLite and PostgreSQL stores, with central's own horizon
// and partner-task cursor.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consultation, SCHEMA_VERSION } from '../../src/domain/entities';
import { taskId } from '../../src/domain/partner-tasks';
import { orgHorizon, recordPosition } from '../../src/server/horizon';
import { PARTNER_ORIGIN, produceTasks, startCursors } from '../../src/server/partner-tasks';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import type { SyncStore } from '../../src/server/store/types';
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { isOriginOf } from '../../src/sync/origins';
import type { Horizon } from '../../src/sync/prune';
import { openTestStore } from '../support/server';

const TODAY = '2026-12-04';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const template = demo.data.consultation.find((c) => c.confidentiality === 'standard')!;
const author = demo.data.staff.find((s) => s.id === template.authorId)!;

/** `h:m` on the test's day (UTC), in ms. */
const time = (h: number, m = 0) => Date.parse(`${TODAY}T00:00:00.000Z`) + (h * 60 + m) * 60_000;

/** A device's position at `ms`: above every op it wrote at that time (their counters are small). */
const position = (ms: number, dev: string) => encodeHlc(ms, 1000, dev);

/** A device whose ops carry the clocks the scenario gives them. */
class Writer {
  seq = 0;
  /** The last of its sequences it pushed. */
  pushed = 0;
  constructor(readonly dev: string) {}
  op(ms: number, o: Pick<Op, 'e' | 'id' | 'f' | 'k' | 'val'> & { base?: string[] }): Op {
    return {
      v: SCHEMA_VERSION,
      org,
      dev: this.dev,
      seq: ++this.seq,
      hlc: encodeHlc(ms, this.seq, this.dev),
      user: author.id,
      base: [],
      ...o,
    };
  }
  /** A note validated at `ms` (its fields written just before). */
  note(id: string, ms: number): Op[] {
    const note: Consultation = { ...template, id, status: 'validated' };
    return Object.entries(note)
      .filter(([f]) => f !== 'id' && f !== 'codes')
      .map(([f, val]) =>
        this.op(f === 'status' ? ms : ms - 60_000, { e: 'consultation', id, f, k: 'set', val }),
      );
  }
  treatment(noteId: string, ms: number): Op[] {
    const id = uuidv7();
    const row = {
      orgId: org,
      patientId: template.patientId,
      recordedAt: new Date(ms).toISOString(),
      recordedBy: author.id,
      consultationId: noteId,
      name: 'Amoxicilline 1 g',
      dose: '1 comprimé matin et soir pendant 6 jours',
      startDate: TODAY,
      stopDate: null,
      stopReason: null,
    };
    return Object.entries(row).map(([f, val]) =>
      this.op(ms, { e: 'treatment', id, f, k: 'set', val }),
    );
  }
}

/** The clock of a treatment's link to its note (the op that calls for an e-prescription). */
const linkOf = (ops: readonly Op[]) => ops.find((o) => o.f === 'consultationId')!.hlc;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`partner tasks above the horizon (${kind} store)`, () => {
    let store: SyncStore;
    let cleanup: () => void;
    const room = new Writer('room-a');
    const tablet = new Writer('tablet-b');
    const devices = [room.dev, tablet.dev];
    /** Every horizon central announced, with its log's head at that moment. */
    const announced: { horizon: Horizon; head: number }[] = [];
    const announce = async (now: number) => {
      const { horizon } = await orgHorizon(store, org, devices, now);
      if (horizon) announced.push({ horizon, head: await store.lastSeq(org) });
      return horizon;
    };
    /** A device's push with its position (the clock it had then), as the sync route records it. */
    const push = async (w: Writer, ops: Op[], at: number) => {
      if (ops.length) await store.push(org, ops);
      for (const op of ops) w.pushed = Math.max(w.pushed, op.seq);
      expect(
        await recordPosition(store, org, w.dev, { hlc: position(at, w.dev), seq: w.pushed }),
      ).toBe(true);
    };
    /** Central's ops for partner tasks, with their sequence in the log. */
    const taskOps = async () =>
      (await store.pull(org, 0, 100_000_000)).ops.filter(({ op }) =>
        isOriginOf(op.dev, PARTNER_ORIGIN),
      );

    const n1 = uuidv7();
    const n2 = uuidv7();
    const n3 = uuidv7();
    const late2: Op[] = [];
    const late3: Op[] = [];

    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      // The organisation as it was the day before; its validated notes were billed by hand.
      await store.push(org, rowsToOps(org, 'seed', demo.data, time(0) - 86_400_000));
      await startCursors(store);
    }, 60_000);
    afterAll(async () => {
      await store.close();
      cleanup();
    });

    it('a note validated long ago, a late trigger: the task is stamped above every horizon announced before', async () => {
      // 08:50 the tablet syncs; 09:00–09:20 the room validates three notes.
      await push(
        tablet,
        [
          tablet.op(time(8, 50), {
            e: 'room',
            id: demo.data.room[0]!.id,
            f: 'name',
            k: 'set',
            val: 'Box 1',
          }),
        ],
        time(8, 50),
      );
      await push(
        room,
        [...room.note(n1, time(9)), ...room.note(n2, time(9, 10)), ...room.note(n3, time(9, 20))],
        time(9, 21),
      );
      expect(await produceTasks(store, org, time(9, 22))).toBe(3); // billing for each
      // 09:30 the tablet syncs again, then goes offline for the day: at 10:00 it adds a treatment
      // to the note validated at 09:10.
      await push(tablet, [], time(9, 30));
      late2.push(...tablet.treatment(n2, time(10)));
      await push(room, [], time(14));
      expect((await announce(time(14, 5)))?.hlc).toBe(position(time(9, 30), tablet.dev));

      // 15:00 the room adds a treatment to the note validated at 09:00. Central answers the push
      // (with a horizon) before the cursor runs in the background.
      const added = room.treatment(n1, time(15));
      await push(room, added, time(15));
      await announce(time(15, 1));
      expect(await produceTasks(store, org, time(15, 1))).toBe(1);
      // 16:00 the tablet is back: its late treatment and its position in one request.
      await push(tablet, late2, time(16));
      const held = await announce(time(16, 1));
      // The cursor's pending work holds the horizon below the late treatment.
      expect(held!.hlc <= linkOf(late2)).toBe(true);
      expect(await produceTasks(store, org, time(16, 1))).toBe(1);
      // Once the cursor has passed it, the horizon moves on to the least position (the room's).
      expect((await announce(time(16, 2)))?.hlc).toBe(position(time(15), room.dev));

      const ops = await taskOps();
      for (const [note, trigger] of [
        [n1, linkOf(added)],
        [n2, linkOf(late2)],
      ] as const) {
        const id = taskId('eprescription', note, '');
        const own = ops.filter(({ op }) => op.id === id || op.id === `audit.${id}`);
        expect(own).toHaveLength(10);
        // Stamped by the op that completed the condition, not by the validation before it.
        for (const { op } of own) expect(op.hlc > trigger).toBe(true);
      }
      // The invariant: every op central wrote for a task is above every horizon announced
      // before it was written.
      for (const { s, op } of ops)
        for (const { horizon, head } of announced)
          if (head < s)
            expect(op.hlc > horizon.hlc, `${op.id}.${op.f} ≤ ${horizon.hlc}`).toBe(true);
    });

    it('after a restored backup (a new epoch), the cursor holds the recomputed horizon too', async () => {
      // 16:30 the tablet, offline again, adds a treatment to the note validated at 09:20. Central
      // is restored (a new epoch: positions and horizon dropped, recomputed from what it can
      // prove); the room reports at 17:00, the tablet pushes at 17:05.
      late3.push(...tablet.treatment(n3, time(16, 30)));
      await store.newEpoch();
      await push(room, [], time(17));
      await push(tablet, late3, time(17, 5));
      const held = await announce(time(17, 6));
      expect(held!.hlc <= linkOf(late3)).toBe(true);
      expect(await produceTasks(store, org, time(17, 6))).toBe(1);
      expect((await announce(time(17, 7)))?.hlc).toBe(position(time(17), room.dev));
      const ops = await taskOps();
      const id = taskId('eprescription', n3, '');
      expect(ops.filter(({ op }) => op.id === id)).toHaveLength(9);
      for (const { s, op } of ops)
        for (const { horizon, head } of announced)
          if (head < s)
            expect(op.hlc > horizon.hlc, `${op.id}.${op.f} ≤ ${horizon.hlc}`).toBe(true);
    });
  });
}
