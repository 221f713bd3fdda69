// Which patients a device holds (issue #18 item 4, docs/decisions/0025-replication-scope.md).
// A room laptop never searches the identity registry: it holds the patients of the days in
// progress and to come — those with a visit (hence a queue entry) or an appointment at a stop
// whose day is not over — and the survivors they were merged into. Reception holds the registry
// (it searches it); the coordination and relays hold everything; the display holds no patient
// (READABLE, src/domain/access.ts). What a room needs of anyone else it asks for on demand
// (POST /api/record, src/domain/patient-record.ts).
//
// The servers compute the scope from their own rows and the device's credential, never from the
// request. A patient enters the scope through an op (a visit or an appointment naming them, moved
// to a stop of the window, a stop moved into the window, an identity merged into them); the page
// that carries that op also carries every earlier op of the patient row, so the device receives
// the row whole, not only what was written after. A patient leaves the scope only when the day
// ends; what the device holds of them stays until the retention purge (decision 0011).

import type { Audience } from './access';
import { dayWindow } from './closure';

/** How a profile holds the `patient` entity: every row, the scope's rows, or none. */
export type PatientHolding = 'all' | 'scope' | 'none';

export function patientHolding(profile: Audience): PatientHolding {
  if (profile === 'room') return 'scope';
  if (profile === 'display' || profile === 'partner') return 'none';
  return 'all';
}

/** A stop is in the window while its day is not over: until noon UTC the day after its date
 * (the closure's window, dayWindow), whatever timezone the truck works in. Every later stop is in
 * it too, so the window only loses stops as time passes and never gains one without an op. */
export function stopInWindow(date: unknown, now: number): boolean {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const { to } = dayWindow(date);
  return Number.isFinite(to) && now < to;
}

interface StopFacts {
  id?: unknown;
  date?: unknown;
  _deleted?: unknown;
}

interface BookingFacts {
  patientId?: unknown;
  stopId?: unknown;
  _deleted?: unknown;
}

export interface ScopeFacts {
  now: number;
  stops: readonly StopFacts[];
  visits: readonly BookingFacts[];
  appointments: readonly BookingFacts[];
}

/** The stops of the window (not deleted, day not over). */
export function windowStops(stops: readonly StopFacts[], now: number): Set<string> {
  return new Set(
    stops
      .filter((s) => s._deleted !== true && typeof s.id === 'string' && stopInWindow(s.date, now))
      .map((s) => s.id as string),
  );
}

/**
 * The patients a room device holds, by stop: those named by a visit or an appointment (not
 * deleted) of a stop of the window. Merge survivors are added by `withSurvivors`.
 */
export function scopeByStop(facts: ScopeFacts): Map<string, Set<string>> {
  const stops = windowStops(facts.stops, facts.now);
  const byStop = new Map<string, Set<string>>();
  for (const row of [...facts.visits, ...facts.appointments]) {
    if (row._deleted === true) continue;
    if (typeof row.stopId !== 'string' || typeof row.patientId !== 'string') continue;
    if (!stops.has(row.stopId)) continue;
    const set = byStop.get(row.stopId) ?? new Set<string>();
    set.add(row.patientId);
    byStop.set(row.stopId, set);
  }
  return byStop;
}

/** The patients of the window, all stops together. */
export function roomPatientScope(facts: ScopeFacts): Set<string> {
  const out = new Set<string>();
  for (const set of scopeByStop(facts).values()) for (const p of set) out.add(p);
  return out;
}

/**
 * The scope grown by the identities these patients were merged into (a room reads a merged
 * identity through its survivor, src/device/queries.ts `patientById`): the ids among
 * `patients`' `mergedInto` not yet in the scope. The caller fetches them and calls again until
 * nothing new comes (a chain of merges).
 */
export function survivorsToAdd(
  scope: ReadonlySet<string>,
  patients: readonly { id?: unknown; mergedInto?: unknown }[],
): string[] {
  const out = new Set<string>();
  for (const p of patients) {
    if (typeof p.id !== 'string' || !scope.has(p.id)) continue;
    if (typeof p.mergedInto === 'string' && !scope.has(p.mergedInto)) out.add(p.mergedInto);
  }
  return [...out];
}

/** The part of an op that may bring a patient into a device's scope. */
export type ScopeReference =
  /** A visit or appointment naming a patient, or moved to another stop (read its row). */
  | { kind: 'booking'; entity: 'visit' | 'appointment'; id: string; patientId: string | null }
  /** A stop whose date changed: its visits' and appointments' patients. */
  | { kind: 'stop'; stopId: string }
  /** An identity merged into another: the survivor. */
  | { kind: 'merge'; from: string; into: string };

/**
 * Whether this op can bring a patient into the scope, and how: ops on the fields the scope reads
 * (a booking's `patientId` or `stopId`, a stop's `date`, a patient's `mergedInto`), inserts and
 * undeletions included. Any other op changes nothing of who is in scope.
 */
export function scopeReference(op: {
  e: string;
  id: string;
  f: string;
  k: string;
  val?: unknown;
}): ScopeReference | null {
  if (op.e === 'visit' || op.e === 'appointment') {
    if (op.k === 'ins') {
      const val = (op.val ?? {}) as { patientId?: unknown };
      return {
        kind: 'booking',
        entity: op.e,
        id: op.id,
        patientId: typeof val.patientId === 'string' ? val.patientId : null,
      };
    }
    if (op.f === 'patientId' || op.f === 'stopId' || op.f === '_deleted') {
      return {
        kind: 'booking',
        entity: op.e,
        id: op.id,
        patientId: op.f === 'patientId' && typeof op.val === 'string' ? op.val : null,
      };
    }
    return null;
  }
  if (op.e === 'stop' && (op.f === 'date' || op.f === '_deleted' || op.k === 'ins')) {
    return { kind: 'stop', stopId: op.id };
  }
  if (op.e === 'patient' && op.f === 'mergedInto' && typeof op.val === 'string') {
    return { kind: 'merge', from: op.id, into: op.val };
  }
  return null;
}

/** Whether a device whose patients are `scope` (null: all the profile reads) receives this op:
 * every op but those of patient rows outside the scope. */
export function opInScope(scope: ReadonlySet<string> | null, op: { e: string; id: string }) {
  return scope === null || op.e !== 'patient' || scope.has(op.id);
}

/**
 * The patients a page's references bring into the scope: for each reference, the patients it
 * names that are in the scope now (the rows it reads are given as they are now). Their earlier
 * ops go with the page, so the device holds their row whole.
 */
export function enteringPatients(
  references: readonly ScopeReference[],
  scope: ReadonlySet<string>,
  now: {
    /** The patient a visit or appointment names now (undefined: the server does not hold it). */
    bookingPatient(entity: 'visit' | 'appointment', id: string): string | undefined;
    /** The patients of a stop's visits and appointments now. */
    stopPatients(stopId: string): ReadonlySet<string>;
    /** The identity a patient was merged into (its survivor travels with it). */
    survivor(patientId: string): string | undefined;
  },
): Set<string> {
  const out = new Set<string>();
  const add = (p: string | null | undefined) => {
    if (p && scope.has(p)) out.add(p);
  };
  for (const ref of references) {
    if (ref.kind === 'booking') {
      add(ref.patientId);
      add(now.bookingPatient(ref.entity, ref.id));
    } else if (ref.kind === 'stop') {
      for (const p of now.stopPatients(ref.stopId)) add(p);
    } else if (scope.has(ref.from)) add(ref.into);
  }
  // A patient entering brings the identity it was merged into (and so on down a chain).
  for (let frontier = [...out]; frontier.length > 0; ) {
    const next: string[] = [];
    for (const p of frontier) {
      const s = now.survivor(p);
      if (s && scope.has(s) && !out.has(s)) {
        out.add(s);
        next.push(s);
      }
    }
    frontier = next;
  }
  return out;
}
