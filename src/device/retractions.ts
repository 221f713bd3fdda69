// Retractions (decision 0033, docs/protocol.md, Retraction): an op the truck's relay held and
// central then refused is taken out of the relay's log and rows; the relay's answers list it
// until the device says it took it into account. The device may hold its value when it holds the
// row — pulled from the relay (perhaps before a reset of its checkpoint since), or written by it —
// so the rows held decide, not the checkpoint. It takes those rows
// back from the server at its next run (the reload that replaces rows, snapshot.ts), and its
// writer sets the op aside with central's reason, as after a refusal it received itself.
import type { Retracted } from '../sync/protocol';
import { type EscaleDb, getMeta, META } from './db';
import { DataLockedError } from './encryption';
import { actionRecord, opsOf } from './outbox';
import { setAside } from './set-aside';
import { markReplace } from './snapshot';

/** The last retraction of a server's log this device took into account, in that log's epoch. */
export interface RetractedMark {
  epoch: string;
  n: number;
}

/** What to echo as `retracted` to `server` whose log the checkpoint was read in (`epoch`). */
export async function retractedAfter(
  db: EscaleDb,
  server: string,
  epoch: string | undefined,
): Promise<number | undefined> {
  const mark = await getMeta<RetractedMark>(db, META.retracted(server));
  return mark && epoch !== undefined && mark.epoch === epoch ? mark.n : undefined;
}

/**
 * Takes the retractions of an answer into account: the device's own ops among them set aside
 * (moved back to the outbox from the kept copies if they had become durable: nothing typed is
 * lost), the rows it may hold marked to be taken back, and the mark moved on. When the data is
 * locked (an op to move is sealed), nothing is marked: the next answer lists them again.
 */
export async function takeRetractions(
  db: EscaleDb,
  server: string,
  retracted: readonly Retracted[],
  at: {
    /** The answer's epoch. */
    epoch: string;
    deviceId: string;
    /** ISO time of the refusal as the device learns it. */
    now: string;
    /** Whether the device takes rows back by reloading (snapshots on). */
    takeBack: boolean;
  },
): Promise<void> {
  if (retracted.length === 0) return;
  const mine = retracted.flatMap((r) =>
    r.dev === at.deviceId && r.seq !== undefined
      ? [{ seq: r.seq, reason: r.reason ?? 'Refusée par le serveur.' }]
      : [],
  );
  // The rows it holds (by primary key: states are sealed at rest): it may have pulled the op
  // before any reset of its checkpoint since, so the checkpoint alone does not say.
  const keys = retracted.map((r) => [r.e, r.id] as [string, string]);
  const holds = new Set(
    (await db.states.where(':id').anyOf(keys).primaryKeys()).map(([e, id]) => `${e}\u0000${id}`),
  );
  const held = retracted.filter((r) => r.dev === at.deviceId || holds.has(`${r.e}\u0000${r.id}`));
  const last = Math.max(...retracted.map((r) => r.n));
  const before = await getMeta<RetractedMark>(db, META.retracted(server));
  const n = before?.epoch === at.epoch ? Math.max(before.n, last) : last;
  try {
    await db.transaction('rw', db.meta, db.outbox, db.sent, async () => {
      // Set aside only what the outbox then keeps (every set-aside op is there: set-aside.ts
      // `unsentCounts` relies on it). A copy already gone holds nothing more to keep.
      const kept: typeof mine = [];
      for (const r of mine) {
        if (await db.outbox.get(r.seq)) {
          kept.push(r);
          continue;
        }
        // An action record holding it (keyed by its last op) keeps it already.
        const inRecord = (await db.outbox.where('seq').above(r.seq).toArray()).some((rec) =>
          opsOf(rec).some((op) => op.seq === r.seq),
        );
        const op = inRecord ? undefined : await db.sent.get(r.seq);
        if (op) {
          await db.outbox.put(actionRecord([op]));
          await db.sent.delete(r.seq);
        }
        if (inRecord || op) kept.push(r);
      }
      await setAside(
        db,
        kept.map((r) => ({ ...r, at: at.now })),
      );
      if (at.takeBack) {
        await markReplace(
          db,
          server,
          held.map((r) => [r.e, r.id] as const),
        );
      }
      await db.meta.put({ key: META.retracted(server), value: { epoch: at.epoch, n } });
    });
  } catch (err) {
    if (err instanceof DataLockedError) return;
    throw err;
  }
}
