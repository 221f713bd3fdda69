// The reception's search index over the registry, kept up to date on the device (issue 18 §7,
// decision 0023): built once from every patient (allPatients), then, for each committed change
// of patient rows (row-changes.ts: this tab's writes, pulls, and the other tabs'), only the
// changed rows' entries are replaced or removed: taken from the committed write itself when this
// tab made it and it leaves the merge graph alone, read by id otherwise. A merge changes who is
// listed without every merged row changing, so the survivor map (a read of the merged rows only)
// is compared before and after such a change.
import type { Patient } from '../domain/entities';
import {
  buildSearchIndex,
  indexDelta,
  mergeFlips,
  patchIndex,
  refreshIndex,
  type SearchIndex,
  survivorsStay,
  type WrittenIdentity,
} from '../domain/identity';
import type { EscaleDb } from './db';
import { allPatients, mergeGraph } from './queries';
import { onRowChanges } from './row-changes';

export interface PatientIndexOptions {
  /** A read failed (the index stays as it was; the next change tries again). */
  onError?: (error: unknown) => void;
}

/** The whole registry and the merge graph it was read under, in one read transaction. */
async function readAll(db: EscaleDb) {
  return db.transaction('r', db.rows('patient'), async () => {
    const graph = await mergeGraph(db);
    const patients = (await allPatients(db)).filter((p) => p._deleted !== true);
    return { ...graph, patients };
  });
}

/** The rows of `ids` (and of the ids a merge change touched) and the merge graph now. */
async function readChanged(db: EscaleDb, ids: Set<string>, before: ReadonlyMap<string, string>) {
  return db.transaction('r', db.rows('patient'), async () => {
    const graph = await mergeGraph(db);
    const all = [...new Set([...ids, ...mergeFlips(before, graph.survivors)])];
    const rows = await db.rows('patient').bulkGet(all);
    return { ...graph, delta: indexDelta(all, rows, graph.survivors) };
  });
}

/** A changed id whose row must be read (another tab's change, a failed request, an add). */
const UNREAD = Symbol('unread');

/**
 * Keeps the registry's search index for `db`, calling `onIndex` with a new index object (over
 * the same entries) after the first build and after each change, so React renders again.
 * A change committed in this tab tells the rows it left (row-changes.ts): when none of them
 * touches the merge graph (a registration, a corrected name, a pulled newcomer) they are patched
 * in without a read; otherwise the changed rows are read by id. Announced after the commit only:
 * a write that failed never reaches the index. Returns the function that stops it.
 */
export function keepPatientIndex(
  db: EscaleDb,
  onIndex: (index: SearchIndex<Patient>) => void,
  options: PatientIndexOptions = {},
): () => void {
  let index: SearchIndex<Patient> | null = null;
  let survivors: ReadonlyMap<string, string> = new Map();
  let targets: ReadonlySet<string> = new Set();
  /** Changed ids, in the order announced, with the row each change left when this tab knows it. */
  const pending = new Map<string, WrittenIdentity | typeof UNREAD>();
  let pendingAll = true; // the first build
  let running = false;
  let stopped = false;

  const run = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    let batch = new Map<string, WrittenIdentity | typeof UNREAD>();
    try {
      while (!stopped && (pendingAll || pending.size > 0)) {
        if (pendingAll) {
          // Changes announced during this read are read again after it: nothing is missed.
          pendingAll = false;
          pending.clear();
          const read = await readAll(db);
          if (stopped) return;
          ({ survivors, targets } = read);
          if (index) refreshIndex(index, read.patients);
          else index = buildSearchIndex(read.patients);
        } else {
          if (!index) return; // unreachable: the first build comes first
          batch = new Map(pending);
          pending.clear();
          const written = known(batch);
          if (written && survivorsStay(written, survivors, targets)) {
            // The rows as the committed write left them; the merge graph is as it was.
            const ids = [...written.keys()];
            const rows = ids.map((id) => written.get(id) ?? undefined) as (Patient | undefined)[];
            const delta = indexDelta(ids, rows, survivors);
            patchIndex(index, delta.upserts, delta.removedIds);
          } else {
            const read = await readChanged(db, new Set(batch.keys()), survivors);
            if (stopped) return;
            ({ survivors, targets } = read);
            patchIndex(index, read.delta.upserts, read.delta.removedIds);
          }
          batch = new Map();
        }
        onIndex({ ...index });
      }
    } catch (error) {
      // Tried again on the next change (read, not taken from a write); a failed first build is
      // tried again in full.
      if (!index) pendingAll = true;
      for (const id of batch.keys()) if (!pending.has(id)) pending.set(id, UNREAD);
      options.onError?.(error);
    } finally {
      running = false;
    }
  };

  const stopListening = onRowChanges(db.name, 'patient', (ids, written) => {
    if (ids === 'all') pendingAll = true;
    else {
      for (const id of ids) {
        // Re-inserted so the map keeps the order of the latest changes.
        pending.delete(id);
        const row = written?.get(id);
        pending.set(id, row === undefined ? UNREAD : (row as WrittenIdentity));
      }
    }
    void run();
  });
  void run();
  return () => {
    stopped = true;
    stopListening();
  };
}

/** The batch's rows when this tab knows every one of them, or null when one must be read. */
function known(
  batch: ReadonlyMap<string, WrittenIdentity | typeof UNREAD>,
): Map<string, WrittenIdentity> | null {
  const out = new Map<string, WrittenIdentity>();
  for (const [id, row] of batch) {
    if (row === UNREAD) return null;
    out.set(id, row);
  }
  return out;
}
