// The one order of the queue (docs/design.md §4.2, issue 17 item 1): the reception board, the
// waiting-room display and every room read it, and nothing else orders waiting patients.
//
// 1. Urgent overrides (set by reception with a reason) first, by arrival.
// 2. Per service, booked patients keep their time: a booked patient's place is their appointment
//    time for *this* service (`bookedTime`, fixed at check-in; else the appointment), wherever
//    they arrived. Walk-ins take the walk-in places — the arrival times of the service's
//    walk-ins — and the service's priority policy (src/domain/priority.ts) only decides *which*
//    walk-in takes which place: priority walk-ins take the earliest places, then arrival. So a
//    priority walk-in may pass other walk-ins, never a booked patient: how many patients come
//    before a booked patient does not depend on anyone's priority. An unknown médecin traitant
//    is never priority.
// 3. Every waiting entry then sorts by its place (booked before a walk-in at the same minute),
//    ties by the order within its service, arrival, ticket number and id: the order is total and
//    deterministic, and the same entries give the same order on every device.
// Entries whose visit is not replicated yet come last. A room's queue is this order filtered to
// what it may call (eligibleForRoom), never a different order.
import type { Appointment, QueueEntry, RosterSlot, Service, Visit } from './entities';
import { policyOf, walkInClass } from './priority';
import { isActive, isOpen } from './queue';
import { servicesOfferedNow } from './roster';
import { parseTicket } from './tickets';
import { DEFAULT_TIME_ZONE, isHHMM, localDate, zonedIso } from './time';

export interface QueueContext {
  visits: ReadonlyMap<string, Visit>;
  appointments: ReadonlyMap<string, Appointment>;
  /** Services by id, for their priority policy (a service not here: no priority). */
  services?: ReadonlyMap<string, Pick<Service, 'id' | 'priorityPolicy'>>;
  /** Wall clock of appointment times (default Europe/Paris). */
  timeZone?: string;
}

function safeMs(iso: string | undefined): number {
  if (iso === undefined) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** The appointment time (HH:MM) that counts for this entry, or null for a walk-in. */
export function bookedClock(entry: QueueEntry, ctx: QueueContext): string | null {
  if (entry.bookedTime !== undefined) return entry.bookedTime;
  const visit = ctx.visits.get(entry.visitId);
  if (!visit?.appointmentId) return null;
  const appt = ctx.appointments.get(visit.appointmentId);
  if (!appt || appt._deleted || appt.serviceId !== entry.serviceId) return null;
  return appt.time;
}

/** The appointment time (as an instant on the day of arrival) for this entry, or null. */
export function bookedTime(entry: QueueEntry, ctx: QueueContext): number | null {
  const visit = ctx.visits.get(entry.visitId);
  const clock = bookedClock(entry, ctx);
  if (!visit || clock === null || !isHHMM(clock)) return null;
  if (!Number.isFinite(safeMs(visit.arrivedAt))) return null;
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    return Date.parse(zonedIso(localDate(visit.arrivedAt, tz), clock, tz));
  } catch {
    return null;
  }
}

interface Placed {
  e: QueueEntry;
  group: 0 | 1 | 2; // urgent, placed, visit unknown
  place: number;
  booked: 0 | 1; // booked first at the same place
  seq: number; // order within its service
  arrival: number;
  ticket: number;
  ticketText: string;
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tieBreak(a: Placed, b: Placed): number {
  return (
    cmp(a.arrival, b.arrival) ||
    cmp(a.ticket, b.ticket) ||
    cmpText(a.ticketText, b.ticketText) ||
    cmpText(a.e.id, b.e.id)
  );
}

function comparePlaced(a: Placed, b: Placed): number {
  return (
    cmp(a.group, b.group) ||
    cmp(a.place, b.place) ||
    cmp(a.booked, b.booked) ||
    cmp(a.seq, b.seq) ||
    tieBreak(a, b)
  );
}

/** The entries in the queue's one order (a new array; the input is not modified, nothing is
 * filtered). Order all the waiting entries of a stop, then filter: never order a subset. */
export function orderQueue(entries: readonly QueueEntry[], ctx: QueueContext): QueueEntry[] {
  const placed: Placed[] = entries.map((e) => {
    const visit = ctx.visits.get(e.visitId);
    const parsed = parseTicket(e.ticket);
    const arrival = safeMs(visit?.arrivedAt);
    return {
      e,
      group: !visit ? 2 : visit.urgent ? 0 : 1,
      place: arrival,
      booked: 1,
      seq: 0,
      arrival,
      ticket: parsed ? parsed.number : Number.POSITIVE_INFINITY,
      ticketText: e.ticket,
    };
  });
  const byService = new Map<string, Placed[]>();
  for (const p of placed) {
    if (p.group !== 1) continue;
    const list = byService.get(p.e.serviceId);
    if (list) list.push(p);
    else byService.set(p.e.serviceId, [p]);
  }
  for (const [serviceId, list] of byService) {
    const policy = policyOf(ctx.services?.get(serviceId));
    const booked: Placed[] = [];
    const walkIns: Placed[] = [];
    for (const p of list) {
      const due = bookedTime(p.e, ctx);
      if (due === null) walkIns.push(p);
      else {
        p.place = due;
        p.booked = 0;
        booked.push(p);
      }
    }
    booked.sort((a, b) => cmp(a.place, b.place) || tieBreak(a, b));
    booked.forEach((p, i) => {
      p.seq = i;
    });
    // The walk-in places are the walk-ins' arrivals; the policy decides who takes which.
    const places = walkIns.map((p) => p.arrival).sort(cmp);
    const cls = new Map(
      walkIns.map((p) => [p, walkInClass(ctx.visits.get(p.e.visitId)!, policy)] as const),
    );
    walkIns.sort((a, b) => cmp(cls.get(a)!, cls.get(b)!) || tieBreak(a, b));
    walkIns.forEach((p, i) => {
      p.place = places[i]!;
      p.seq = i;
    });
  }
  placed.sort(comparePlaced);
  return placed.map((p) => p.e);
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
  // The stop's one order, then filtered: a room never orders a subset its own way.
  const eligible = orderQueue(
    current.filter((e) => e.status.status === 'waiting'),
    ctx,
  ).filter((e) => {
    if (e.status.status !== 'waiting') return false;
    if (!offeredAt(e.stopId).has(e.serviceId)) return false;
    const firstOpen = blockedAt.get(e.visitId);
    if (firstOpen !== undefined && firstOpen < e.position) return false;
    return !busy.has(patientKey(e, ctx));
  });
  return eligible;
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

/** Why a room cannot call: nobody it may call is waiting (the room's screen says it once). */
export const NO_WAITING_PATIENT = 'Aucun patient en attente pour cette salle';

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
  if (!first) return { ok: false, reason: NO_WAITING_PATIENT };
  return { ok: true, entry: first };
}
