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

/** A patient row as written (null: deleted), with the merge pointer the survivor map follows. */
export type WrittenIdentity = (HeldIdentity & { mergedInto?: string | null }) | null;

/**
 * Whether rows written as `written` says leave the survivor map as it was, so the index can be
 * patched from those rows without reading the merge graph again (a registration, a corrected
 * name, a pulled newcomer). The map is built from the merged rows and their held targets
 * (identity-lifecycle's survivorMap): it stays when no written row is merged after the write,
 * none was in the map before (a merged row or a held target), and none is the target of a merged
 * row (`targets`, held or not: a target arriving late changes who survives).
 */
export function survivorsStay(
  written: ReadonlyMap<string, WrittenIdentity>,
  survivors: ReadonlyMap<string, string>,
  targets: ReadonlySet<string>,
): boolean {
  for (const [id, row] of written) {
    if (survivors.has(id) || targets.has(id)) return false;
    if (row && row.mergedInto !== null && row.mergedInto !== undefined) return false;
  }
  return true;
}
