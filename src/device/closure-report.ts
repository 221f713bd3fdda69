// The day digest a device adds to its status report once a closure has begun
// (docs/protocol.md, Closure): the digest of its own view of the stop's day, computed with the
// same pure dayProof as central's, and the closure start it answers.
import { dayProof } from '../domain/closure';
import type { Closing, DeviceReport } from '../sync/protocol';
import { type EscaleDb, getMeta, getWriter, META, setMeta } from './db';
import { prunedAt } from './horizon';
import { registry } from './write';

/** The closures the servers announced (syncResponse.closing). */
export const CLOSING_META = 'closing';

type Day = NonNullable<DeviceReport['day']>;

/**
 * Every row state but the audit log's: what a day's proof and the purge after a receipt read.
 * The audit is no patient day (dayStates leaves it out) and its states are sealed, so a device
 * that syncs while locked (reception) still reports its day and purges without the key.
 */
export async function statesOutsideAudit(db: EscaleDb) {
  return db.states.where('e').notEqual('audit').toArray();
}

/** Keeps the closures announced; true when one is new to this device. */
export async function rememberClosings(
  db: EscaleDb,
  closings: readonly Closing[],
): Promise<boolean> {
  if (closings.length === 0) return false;
  const held = (await getMeta<Closing[]>(db, CLOSING_META)) ?? [];
  const known = new Set(held.map((c) => `${c.stopId}:${c.startedAt}`));
  const fresh = closings.filter((c) => !known.has(`${c.stopId}:${c.startedAt}`));
  if (fresh.length === 0) return false;
  const byStop = new Map(held.map((c) => [c.stopId, c]));
  for (const c of fresh) byStop.set(c.stopId, c);
  await setMeta(db, CLOSING_META, [...byStop.values()]);
  return true;
}

/**
 * The report's day part: for the latest closure announced, the digest of this device's view of
 * that day. Reading every row state is costly on a large device: the digest is kept while
 * nothing was written or pulled since (its outbox sequence and pull checkpoints unchanged).
 */
export function dayReporter(db: EscaleDb, servers: readonly string[]) {
  let cached: { key: string; day: Day } | null = null;
  return async (): Promise<Day | null> => {
    const closings = (await getMeta<Closing[]>(db, CLOSING_META)) ?? [];
    const latest = closings.reduce<Closing | null>(
      (a, c) => (a === null || c.startedAt > a.startedAt ? c : a),
      null,
    );
    if (!latest) return null;
    const marks = await Promise.all([
      getWriter(db).then((w) => w.lastSeq),
      ...servers.map((s) => getMeta<number>(db, META.checkpoint(s))),
    ]);
    // At the horizon it pruned at (decision 0027): central compares the same form.
    const hz = await prunedAt(db);
    const key = `${latest.stopId}:${latest.startedAt}:${marks.join(':')}:${hz ?? ''}`;
    if (cached?.key !== key) {
      const proof = dayProof(await statesOutsideAudit(db), latest.stopId, registry, hz);
      cached = { key, day: { ...latest, digest: proof.digest, ...(hz ? { hz } : {}) } };
    }
    return cached.day;
  };
}
