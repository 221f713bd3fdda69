// The device's side of pruning (docs/decisions/0027-pruning.md). Central announces the
// organisation's horizon `{ hlc, seq }` with every answer: every op with a clock ≤ hlc is in its
// log at a number ≤ seq. Once this device's checkpoint from that server reaches seq it has
// applied every such op of its cut, so it adopts hlc — below the least clock of an op it holds
// parked (not applied) — in the transaction that moves the checkpoint, moves its clock past it,
// and prunes its row states there: when the write path rewrites a row, and in a background pass
// over the rest. The truck's relay announces central's horizon once it adopted it, with its own
// log's head as `seq` (src/server/horizon.ts): the same rule then holds against its checkpoint.

import { ENTITY_NAMES, entitySpec } from '../domain/entities';
import { HLC_PATTERN, type Hlc } from '../sync/hlc';
import type { RowState } from '../sync/merge';
import { adoptable, type Horizon, pruneRow } from '../sync/prune';
import { type EscaleDb, getMeta, META } from './db';
import { DataLockedError } from './encryption';

/** The horizon this device pruned at (null: none yet). What it tells a server asking it for a
 * digest or a day's proof, so the server compares the same form. */
export async function prunedAt(db: EscaleDb): Promise<Hlc | null> {
  return (await getMeta<Hlc>(db, META.horizon)) ?? null;
}

/**
 * Inside the transaction that moved the checkpoint to `checkpoint` (it must include `meta` and
 * `parked`): adopts the announced horizon if the checkpoint reached its `seq`, capped below the
 * parked ops, never going back. Returns the horizon now held (null: none).
 */
export async function adoptAnnounced(
  db: EscaleDb,
  announced: Horizon,
  checkpoint: number,
): Promise<Hlc | null> {
  const current = await prunedAt(db);
  if (announced.seq > checkpoint || (current !== null && announced.hlc <= current)) return current;
  if (!(await holdsWholeOrganisation(db))) return current;
  // Parked ops are few (an op of a newer schema, one this replica refused): read only if any.
  const parked =
    (await db.parked.count()) === 0 ? [] : (await db.parked.toArray()).map((p) => p.op.hlc);
  const next = adoptable([announced], checkpoint, { current, parked });
  if (next !== null && next !== current) await db.meta.put({ key: META.horizon, value: next });
  return next;
}

/**
 * Inside the transaction that stores a snapshot's checkpoint `seq` (src/device/snapshot.ts, it
 * must include `meta` and `parked`): adopts `hz`, the horizon the snapshot's rows were pruned at,
 * as if announced with the snapshot's S — the snapshot holds every op ≤ hz of the device's cut —
 * capped below the parked ops, never going back (`adoptable`). Whatever the credential's
 * profile: the server prunes only the whole organisation's cut (src/server/snapshots.ts,
 * `prunesCut`), its view of the device maybe ahead of the credential it holds, and rows pruned at
 * hz with no horizon held would be compared with a server's at none. The caller moves the clock
 * past the result. Returns the horizon now held (null: none).
 */
export async function adoptLoaded(db: EscaleDb, hz: Hlc, seq: number): Promise<Hlc | null> {
  const current = await prunedAt(db);
  if (current !== null && hz <= current) return current;
  const parked =
    (await db.parked.count()) === 0 ? [] : (await db.parked.toArray()).map((p) => p.op.hlc);
  const next = adoptable([{ hlc: hz, seq }], seq, { current, parked });
  if (next !== null && next !== current) await db.meta.put({ key: META.horizon, value: next });
  return next;
}

/**
 * Whether this device holds parked an op stamped at or below `hz`. A snapshot pruned at `hz` is
 * then not loaded (src/device/snapshot.ts): `adoptLoaded` would cap its horizon below that op,
 * leaving rows pruned with no horizon held — digests and day proofs taken at none, unlike
 * central's — and the op, applied after an upgrade, would be ignored on them as a duplicate.
 */
export async function parkedAtOrBelow(db: EscaleDb, hz: Hlc): Promise<boolean> {
  if ((await db.parked.count()) === 0) return false;
  return (await db.parked.toArray()).some((p) => p.op.hlc <= hz);
}

/** A stamp at or above horizon `h`, for the clock to move past (a horizon may be the lowest
 * stamp of a time, `hlcOfTime`: then that time's first stamp). */
export const stampPast = (h: Hlc): Hlc => (HLC_PATTERN.test(h) ? h : `${h}0000:0`);

/**
 * Only a device whose pull is the whole organisation adopts a horizon (the coordination's). A
 * room device's pages are cut by who reads on it, and what it received and may no longer read
 * stays on it: a row out of its cut for a while misses ops that a later reset brings again, and
 * pruned meanwhile it would take those below the horizon for duplicates. A reception or display
 * device's cut changes with its assignment the same way. A horizon adopted before the device was
 * assigned elsewhere stays valid: every op ≤ it of every row had been applied.
 */
async function holdsWholeOrganisation(db: EscaleDb): Promise<boolean> {
  const credential = await getMeta<{ profile?: unknown }>(db, META.credential);
  return credential?.profile === 'coordination';
}

/** A changed row state pruned at `hz` (the write path: the state is already in hand). */
export const pruneAt = (st: RowState, hz: Hlc | null): RowState => (hz ? pruneRow(st, hz) : st);

/**
 * The background pass: every held row state of a mutable entity pruned at the adopted horizon
 * (inserts — the audit log, receipts — keep no superseded clock: never read), `batch` rows per
 * transaction (the screens' writes interleave), once per horizon (META.prunedPass). Rows the
 * write path pruned meanwhile are left as they are. Returns the rows it pruned.
 */
export async function pruneHeld(db: EscaleDb, batch = 500): Promise<number> {
  const hz = await prunedAt(db);
  if (hz === null || (await getMeta<Hlc>(db, META.prunedPass)) === hz) return 0;
  let pruned = 0;
  try {
    for (const e of ENTITY_NAMES) {
      if (entitySpec(e)?.immutable) continue;
      let after = '';
      for (;;) {
        const done: boolean = await db.transaction('rw', db.states, db.meta, async () => {
          // The horizon read again in each batch: it only moves forward, and a row pruned at an
          // older one is pruned again at the newer one by the next pass.
          const at = (await prunedAt(db)) ?? hz;
          const page = await db.states
            .where(':id')
            .between([e, after], [e, '\uffff'], false, true)
            .limit(batch)
            .toArray();
          const changed: RowState[] = [];
          for (const st of page) {
            const next = pruneRow(st, at);
            if (next !== st) changed.push(next);
          }
          if (changed.length > 0) await db.states.bulkPut(changed);
          pruned += changed.length;
          const last = page[page.length - 1];
          if (last) after = last.id;
          return page.length < batch;
        });
        if (done) break;
      }
    }
  } catch (error) {
    // Locked meanwhile (sealed states cannot be opened): the next pass takes it up.
    if (error instanceof DataLockedError) return pruned;
    throw error;
  }
  await db.meta.put({ key: META.prunedPass, value: hz });
  return pruned;
}
