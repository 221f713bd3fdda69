// The reception's search index over the registry, kept up to date on the device (issue 18 §7,
// decision 0023): built once from every patient (allPatients), then, for each committed change
// of patient rows (row-changes.ts: this tab's writes, pulls, and the other tabs'), only the
// changed rows are read by id and their entries replaced or removed. A merge changes who is
// listed without every merged row changing, so the survivor map (a read of the merged rows only)
// is compared before and after each change.
import type { Patient } from '../domain/entities';
import {
  buildSearchIndex,
  indexDelta,
  mergeFlips,
  patchIndex,
  refreshIndex,
  type SearchIndex,
} from '../domain/identity';
import type { EscaleDb } from './db';
import { allPatients, identitySurvivors } from './queries';
import { onRowChanges } from './row-changes';

export interface PatientIndexOptions {
  /** A read failed (the index stays as it was; the next change tries again). */
  onError?: (error: unknown) => void;
}

/** The whole registry and the survivor map it was read under, in one read transaction. */
async function readAll(db: EscaleDb) {
  return db.transaction('r', db.rows('patient'), async () => {
    const survivors = await identitySurvivors(db);
    const patients = (await allPatients(db)).filter((p) => p._deleted !== true);
    return { survivors, patients };
  });
}

/** The rows of `ids` (and of the ids a merge change touched) and the survivor map now. */
async function readChanged(db: EscaleDb, ids: Set<string>, before: ReadonlyMap<string, string>) {
  return db.transaction('r', db.rows('patient'), async () => {
    const survivors = await identitySurvivors(db);
    const all = [...new Set([...ids, ...mergeFlips(before, survivors)])];
    const rows = await db.rows('patient').bulkGet(all);
    return { survivors, delta: indexDelta(all, rows, survivors) };
  });
}

/**
 * Keeps the registry's search index for `db`, calling `onIndex` with a new index object (over
 * the same entries) after the first build and after each change, so React renders again.
 * Returns the function that stops it.
 */
export function keepPatientIndex(
  db: EscaleDb,
  onIndex: (index: SearchIndex<Patient>) => void,
  options: PatientIndexOptions = {},
): () => void {
  let index: SearchIndex<Patient> | null = null;
  let survivors: ReadonlyMap<string, string> = new Map();
  const pending = new Set<string>();
  let pendingAll = true; // the first build
  let running = false;
  let stopped = false;

  const run = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    let ids = new Set<string>();
    try {
      while (!stopped && (pendingAll || pending.size > 0)) {
        if (pendingAll) {
          // Changes announced during this read are read again after it: nothing is missed.
          pendingAll = false;
          pending.clear();
          const read = await readAll(db);
          if (stopped) return;
          survivors = read.survivors;
          if (index) refreshIndex(index, read.patients);
          else index = buildSearchIndex(read.patients);
        } else {
          if (!index) return; // unreachable: the first build comes first
          ids = new Set(pending);
          pending.clear();
          const read = await readChanged(db, ids, survivors);
          if (stopped) return;
          survivors = read.survivors;
          patchIndex(index, read.delta.upserts, read.delta.removedIds);
          ids = new Set();
        }
        onIndex({ ...index });
      }
    } catch (error) {
      // Tried again on the next change; a failed first build is tried again in full.
      if (!index) pendingAll = true;
      for (const id of ids) pending.add(id);
      options.onError?.(error);
    } finally {
      running = false;
    }
  };

  const stopListening = onRowChanges(db.name, 'patient', (ids) => {
    if (ids === 'all') pendingAll = true;
    else for (const id of ids) pending.add(id);
    void run();
  });
  void run();
  return () => {
    stopped = true;
    stopListening();
  };
}
