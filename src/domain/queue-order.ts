// Order of the queue and who a room may call next (docs/design.md §4.2).
//
// Sort keys, most significant first:
//  1. urgent override (set by reception with a reason);
//  2. priority class: ALD without médecin traitant 0, without MT 1, everyone else 2;
//  3. the patient's "due" time: for a booked patient, their appointment time for *this* service;
//     for a walk-in, their arrival. Booked patients are therefore ordered among themselves by
//     appointment time and interleaved with walk-ins on one time line, rather than all placed
//     before walk-ins: a patient booked at 11:00 who comes at 08:40 does not jump the walk-ins who
//     came at 08:45, and walk-ins are never starved by a full appointment book. A booked patient
//     who arrives late keeps their appointment place (scheduled care first); reception can
//     re-prioritise by hand;
//  4. arrival; 5. ticket number; 6. entry id — so the order is total and deterministic.
// The appointment only counts for the service it was booked for: a patient booked for the GP who
// also asked for the social worker is a walk-in for the social worker.
import type { Appointment, QueueEntry, RosterSlot, Visit } from './entities';
import { isActive, isOpen } from './queue';
import { servicesOfferedNow } from './roster';
import { parseTicket } from './tickets';
import { DEFAULT_TIME_ZONE, localDate, zonedIso } from './time';

export interface QueueContext {
  visits: ReadonlyMap<string, Visit>;
  appointments: ReadonlyMap<string, Appointment>;
  /** Wall clock of appointment times (default Europe/Paris). */
  timeZone?: string;
}

export type PriorityClass = 0 | 1 | 2;

export function priorityClass(visit: Pick<Visit, 'ald' | 'noMt'>): PriorityClass {
  if (visit.noMt) return visit.ald ? 0 : 1;
  return 2;
}

interface SortKey {
  urgent: 0 | 1;
  cls: number;
  due: number;
  arrival: number;
  ticket: number;
  ticketText: string;
  id: string;
}

function safeMs(iso: string | undefined): number {
  if (iso === undefined) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** The appointment time (as an instant) that counts for this entry, or null for a walk-in. */
export function bookedTime(entry: QueueEntry, ctx: QueueContext): number | null {
  const visit = ctx.visits.get(entry.visitId);
  if (!visit?.appointmentId) return null;
  const appt = ctx.appointments.get(visit.appointmentId);
  if (!appt || appt._deleted || appt.serviceId !== entry.serviceId) return null;
  const arrival = safeMs(visit.arrivedAt);
  if (!Number.isFinite(arrival)) return null;
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    return Date.parse(zonedIso(localDate(visit.arrivedAt, tz), appt.time, tz));
  } catch {
    return null;
  }
}

function sortKey(entry: QueueEntry, ctx: QueueContext): SortKey {
  const visit = ctx.visits.get(entry.visitId);
  const arrival = safeMs(visit?.arrivedAt);
  const parsed = parseTicket(entry.ticket);
  return {
    // An entry whose visit is unknown (not replicated yet) sorts last among the non-urgent.
    urgent: visit?.urgent ? 0 : 1,
    cls: visit ? priorityClass(visit) : 3,
    due: bookedTime(entry, ctx) ?? arrival,
    arrival,
    ticket: parsed ? parsed.number : Number.POSITIVE_INFINITY,
    ticketText: entry.ticket,
    id: entry.id,
  };
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: SortKey, b: SortKey): number {
  return (
    cmp(a.urgent, b.urgent) ||
    cmp(a.cls, b.cls) ||
    cmp(a.due, b.due) ||
    cmp(a.arrival, b.arrival) ||
    cmp(a.ticket, b.ticket) ||
    cmpText(a.ticketText, b.ticketText) ||
    cmpText(a.id, b.id)
  );
}

/** Comparator of two entries under the queue order. */
export function compareEntries(a: QueueEntry, b: QueueEntry, ctx: QueueContext): number {
  return compareKeys(sortKey(a, ctx), sortKey(b, ctx));
}

/** The entries in queue order (a new array; the input is not modified, nothing is filtered). */
export function orderQueue(entries: readonly QueueEntry[], ctx: QueueContext): QueueEntry[] {
  const keyed = entries.map((e) => ({ e, k: sortKey(e, ctx) }));
  keyed.sort((x, y) => compareKeys(x.k, y.k));
  return keyed.map((x) => x.e);
}

/** The patient of an entry: via its visit, or the visit itself when not replicated yet. */
function patientKey(entry: QueueEntry, ctx: QueueContext): string {
  const visit = ctx.visits.get(entry.visitId);
  return visit ? `p:${visit.patientId}` : `v:${entry.visitId}`;
}

/** Patients (by patient id, or visit id when unknown) currently called or in consultation. */
function busyPatients(entries: readonly QueueEntry[], ctx: QueueContext): Set<string> {
  const busy = new Set<string>();
  for (const e of entries) {
    if (!e._deleted && isActive(e.status.status)) busy.add(patientKey(e, ctx));
  }
  return busy;
}

/**
 * Waiting entries a room may call now, in queue order:
 * - the room's roster slot at that stop offers the entry's service at `time`;
 * - every earlier service of the same visit (lower position) is ended (services are taken in the
 *   order the patient asked for);
 * - the patient is not already called or in consultation anywhere.
 * A waiting entry's roomId is ignored: the room is chosen at call time.
 */
export function eligibleForRoom(
  entries: readonly QueueEntry[],
  roomId: string,
  slots: readonly RosterSlot[],
  time: string,
  ctx: QueueContext,
): QueueEntry[] {
  const current = entries.filter((e) => !e._deleted);
  const offered = new Map<string, Set<string>>();
  const offeredAt = (stopId: string) => {
    let s = offered.get(stopId);
    if (!s) {
      s = new Set(servicesOfferedNow(slots, roomId, time, stopId));
      offered.set(stopId, s);
    }
    return s;
  };
  const busy = busyPatients(current, ctx);
  const blockedAt = new Map<string, number>();
  for (const e of current) {
    if (!isOpen(e.status.status)) continue;
    const lowest = blockedAt.get(e.visitId);
    if (lowest === undefined || e.position < lowest) blockedAt.set(e.visitId, e.position);
  }
  const eligible = current.filter((e) => {
    if (e.status.status !== 'waiting') return false;
    if (!offeredAt(e.stopId).has(e.serviceId)) return false;
    const firstOpen = blockedAt.get(e.visitId);
    if (firstOpen !== undefined && firstOpen < e.position) return false;
    return !busy.has(patientKey(e, ctx));
  });
  return orderQueue(eligible, ctx);
}

export type CallCheck = { ok: true } | { ok: false; reason: string };

/** The entry called or in consultation in a room (the earliest called if several: a conflict). */
export function roomOccupant(entries: readonly QueueEntry[], roomId: string): QueueEntry | null {
  const active = entries.filter(
    (e) => !e._deleted && e.roomId === roomId && isActive(e.status.status),
  );
  active.sort(
    (a, b) =>
      cmp(safeMs(a.calledAt ?? undefined), safeMs(b.calledAt ?? undefined)) || cmpText(a.id, b.id),
  );
  return active[0] ?? null;
}

/**
 * May this room call (or take in) a patient? Refused while the room already has someone called
 * or in consultation. With a candidate: it must be waiting, and its patient must not be called or
 * in consultation in another room.
 */
export function canCall(
  roomId: string,
  entries: readonly QueueEntry[],
  candidate?: QueueEntry,
  ctx?: QueueContext,
): CallCheck {
  const occupant = roomOccupant(entries, roomId);
  if (occupant) {
    return {
      ok: false,
      reason: `La salle est occupée : ${occupant.ticket} est ${occupant.status.status === 'called' ? 'appelé' : 'en consultation'}`,
    };
  }
  if (!candidate) return { ok: true };
  if (candidate.status.status !== 'waiting') {
    return { ok: false, reason: `${candidate.ticket} n’est pas en attente` };
  }
  const key = ctx ? patientKey(candidate, ctx) : `v:${candidate.visitId}`;
  const elsewhere = entries.find(
    (e) =>
      !e._deleted &&
      e.id !== candidate.id &&
      isActive(e.status.status) &&
      (ctx ? patientKey(e, ctx) : `v:${e.visitId}`) === key,
  );
  if (elsewhere) {
    return {
      ok: false,
      reason: `Ce patient est déjà ${elsewhere.status.status === 'called' ? 'appelé' : 'en consultation'} (${elsewhere.ticket})`,
    };
  }
  return { ok: true };
}

/**
 * The next patient for a room, or why there is none: the room is occupied, has no roster slot
 * at that time, or no waiting patient it may call.
 */
export function nextToCall(
  entries: readonly QueueEntry[],
  roomId: string,
  slots: readonly RosterSlot[],
  time: string,
  ctx: QueueContext,
): { ok: true; entry: QueueEntry } | { ok: false; reason: string } {
  const room = canCall(roomId, entries);
  if (!room.ok) return room;
  if (servicesOfferedNow(slots, roomId, time).length === 0) {
    return { ok: false, reason: 'Aucun créneau au planning pour cette salle en ce moment' };
  }
  const [first] = eligibleForRoom(entries, roomId, slots, time, ctx);
  if (!first) return { ok: false, reason: 'Aucun patient en attente pour cette salle' };
  return { ok: true, entry: first };
}
