// What patients a device's pull carries (src/domain/replication-scope.ts, decision 0025), from
// the server's own rows and the device's credential — never from the request. Called where a
// page is cut (routes/sync.ts), so whatever is built from that cut inherits it; a relay serves its
// devices through the same route, so it serves each its view though it holds everything.
import type { Viewer } from '../domain/access';
import {
  enteringPatients,
  opInScope,
  patientHolding,
  type ScopeReference,
  scopeByStop,
  scopeReference,
  survivorsToAdd,
} from '../domain/replication-scope';
import type { SeqOp } from '../sync/protocol';
import type { SyncStore } from './store/types';

export interface PatientScope {
  /** The patients the device holds (with the survivors they were merged into). */
  patients: ReadonlySet<string>;
  /** The patients of each stop of the window (a stop moved into it brings them). */
  byStop: ReadonlyMap<string, ReadonlySet<string>>;
  /** The identity each merged patient of the scope was merged into. */
  survivors: ReadonlyMap<string, string>;
}

const HOUR = 3_600_000;
/** The last scope computed per store and organisation: valid while the log has not moved and
 * within the hour (the window only moves at noon UTC). Room devices of a truck pull together. */
const cache = new WeakMap<SyncStore, Map<string, { key: string; scope: PatientScope }>>();

/** The scope of this viewer's patient rows, or null when it holds all it may read of them. */
export async function patientScope(
  store: SyncStore,
  org: string,
  viewer: Pick<Viewer, 'profile'>,
  now: number,
): Promise<PatientScope | null> {
  if (patientHolding(viewer.profile) !== 'scope') return null;
  const key = `${await store.lastSeq(org)}:${Math.floor(now / HOUR)}`;
  const perOrg = cache.get(store) ?? new Map<string, { key: string; scope: PatientScope }>();
  cache.set(store, perOrg);
  const hit = perOrg.get(org);
  if (hit?.key === key) return hit.scope;
  const [stops, visits, appointments] = await Promise.all([
    store.rows(org, 'stop'),
    store.rows(org, 'visit'),
    store.rows(org, 'appointment'),
  ]);
  const byStop = scopeByStop({ now, stops, visits, appointments });
  const patients = new Set<string>();
  for (const set of byStop.values()) for (const p of set) patients.add(p);
  // The survivors of merged identities, through chains of merges.
  const survivors = new Map<string, string>();
  for (let frontier = [...patients]; frontier.length > 0; ) {
    const rows = await store.rowsByIds(org, 'patient', frontier);
    for (const r of rows) {
      if (typeof r.mergedInto === 'string') survivors.set(String(r.id), r.mergedInto);
    }
    const next = survivorsToAdd(patients, rows);
    for (const p of next) patients.add(p);
    frontier = next;
  }
  const scope = { patients, byStop, survivors };
  perOrg.set(org, { key, scope });
  return scope;
}

/** The viewer cut by its scope (its whole-state digest is of what it holds). */
export async function scopedViewer(
  store: SyncStore,
  org: string,
  viewer: Viewer,
  now: number,
): Promise<Viewer> {
  const scope = await patientScope(store, org, viewer, now);
  return scope ? { ...viewer, patients: scope.patients } : viewer;
}

/**
 * A pulled page cut to the scope: patient ops outside it left out, and the earlier ops (up to
 * `since`) of every patient a reference of the page brings into it added before the page's
 * ops, so the device receives those rows whole. The page's bounds are unchanged.
 */
export async function scopePage(
  store: SyncStore,
  org: string,
  scope: PatientScope,
  ops: readonly SeqOp[],
  since: number,
  excludeDev: string,
): Promise<SeqOp[]> {
  const kept = ops.filter((x) => opInScope(scope.patients, x.op));
  if (since <= 0) return kept;
  const references: ScopeReference[] = ops.flatMap((x) => scopeReference(x.op) ?? []);
  if (references.length === 0) return kept;
  const ids = (entity: 'visit' | 'appointment') =>
    references.flatMap((r) => (r.kind === 'booking' && r.entity === entity ? [r.id] : []));
  const bookings = new Map<string, string>();
  for (const entity of ['visit', 'appointment'] as const) {
    const list = ids(entity);
    if (list.length === 0) continue;
    for (const row of await store.rowsByIds(org, entity, list)) {
      if (typeof row.patientId === 'string')
        bookings.set(`${entity}:${String(row.id)}`, row.patientId);
    }
  }
  const entering = enteringPatients(references, scope.patients, {
    bookingPatient: (entity, id) => bookings.get(`${entity}:${id}`),
    stopPatients: (stopId) => scope.byStop.get(stopId) ?? new Set(),
    survivor: (id) => scope.survivors.get(id),
  });
  if (entering.size === 0) return kept;
  const earlier = await store.rowOps(org, 'patient', [...entering], since, excludeDev);
  return [...earlier, ...kept];
}
