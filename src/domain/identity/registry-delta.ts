// What the reception's search index must do when some patient rows changed (issue 18 §7): the
// rows are read by id, never the whole registry, and classified here. A patient is in the index
// when its row is held, not deleted and not merged into another identity this replica holds
// (allPatients' rule); a merge or the arrival of a merge's target changes that for rows that did
// not change themselves, so the survivor maps before and after are compared too.

import type { IdentityRecord } from './types';

/** A patient row as the device holds it: an identity, maybe deleted or merged into another. */
export type HeldIdentity = IdentityRecord & { _deleted?: boolean };

/** Whether `id` resolves to another identity (survivor map of identity-lifecycle's survivorMap). */
const mergedAway = (id: string, survivors: ReadonlyMap<string, string>): boolean =>
  (survivors.get(id) ?? id) !== id;

/**
 * The ids whose « merged into another » status differs between two survivor maps: those newly
 * merged leave the index, those no longer merged (their target is gone, a cycle resolved the
 * other way) come back. Only ids named by either map can differ (the others resolve to
 * themselves in both).
 */
export function mergeFlips(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    if (mergedAway(id, before) !== mergedAway(id, after)) out.push(id);
  }
  return out;
}

export interface IndexDelta<T extends HeldIdentity> {
  /** Rows to add or replace in the index. */
  upserts: T[];
  /** Ids to take out of it (gone, deleted, or merged into another). */
  removedIds: string[];
}

/**
 * Classifies the rows read for the changed `ids` (`rows[i]` is the row of `ids[i]`, undefined
 * when no longer held) under the current survivor map.
 */
export function indexDelta<T extends HeldIdentity>(
  ids: readonly string[],
  rows: readonly (T | undefined)[],
  survivors: ReadonlyMap<string, string>,
): IndexDelta<T> {
  const upserts: T[] = [];
  const removedIds: string[] = [];
  ids.forEach((id, i) => {
    const row = rows[i];
    if (!row || row._deleted === true || mergedAway(id, survivors)) removedIds.push(id);
    else upserts.push(row);
  });
  return { upserts, removedIds };
}
