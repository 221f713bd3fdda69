// Settling a sync conflict (docs/design.md §5 "nothing is silently lost"): the coordinator picks one
// version or writes a merge; the chosen value is written as an ordinary op over every head (so
// it supersedes them all) and a conflictResolution event keeps who, when and both versions.
import type { FieldConflict } from '../sync/merge';
import type { ConflictResolution, StatusValue } from './entities';
import { STATUS_RANK } from './queue';

/** The value to write for the chosen version. A queue status is re-issued in a new epoch so it
 * outranks the reversal and the progress it settles. */
export function resolutionValue(conflict: FieldConflict, chosen: unknown): unknown {
  if (conflict.kind !== 'reversal_vs_progress') return chosen;
  const status = chosen as StatusValue;
  const epoch = Math.max(...conflict.versions.map((v) => (v.value as StatusValue).epoch)) + 1;
  return { status: status.status, epoch, rank: STATUS_RANK[status.status] };
}

/** Whether a field can take a merged text (free-text clinical fields), not just a pick. */
export function canMerge(conflict: FieldConflict): boolean {
  return (
    conflict.kind === 'concurrent_edit' &&
    conflict.versions.every((v) => typeof v.value === 'string')
  );
}

/** A merged text proposal: each version once, in the order written, separated by a blank line. */
export function mergedText(conflict: FieldConflict): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const v of [...conflict.versions].sort((a, b) => (a.hlc < b.hlc ? -1 : 1))) {
    const text = String(v.value).trim();
    if (text && !seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
  }
  return parts.join('\n\n');
}

/**
 * Conflicts still to settle. A duplicate insert cannot be overwritten (immutable rows); once a
 * resolution records every one of its versions it is settled and leaves the list.
 */
export function openConflicts(
  conflicts: readonly FieldConflict[],
  resolutions: readonly Pick<ConflictResolution, 'entity' | 'rowId' | 'field' | 'versions'>[],
): FieldConflict[] {
  return conflicts.filter((c) => {
    if (c.kind !== 'duplicate_insert') return true;
    return !resolutions.some(
      (r) =>
        r.entity === c.entity &&
        r.rowId === c.id &&
        r.field === c.field &&
        c.versions.every((v) => r.versions.some((x) => x.hlc === v.hlc)),
    );
  });
}
