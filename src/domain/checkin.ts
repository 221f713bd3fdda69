// Check-in at reception (docs/design.md §2, §4.2): a visit for today's stop, one queue entry per
// service asked for (in order), a ticket per service, and the appointment marked as honoured.
// Pure: the caller passes the stop's entries, the services, the clock and fresh ids.
import type { Appointment, MtStatus, QueueEntry, RosterSlot, Service, Visit } from './entities';
import { eligibilityRefusal } from './priority';
import { INITIAL_STATUS, isOpen, transition } from './queue';
import { nextTicket } from './tickets';
import { isHHMM, isWithin, toMinutes } from './time';

/**
 * Whether today's roster offers a service (issue 23: a patient checked in for a service no room
 * offers never reaches a room's queue): a room offers it now; none now but one from `from` later
 * today; or none for the rest of the day.
 */
export type ServiceAvailability =
  | { kind: 'now' }
  | { kind: 'later'; from: string }
  | { kind: 'not_today' };

export function serviceAvailability(
  slots: readonly RosterSlot[],
  stopId: string,
  serviceId: string,
  time: string,
): ServiceAvailability {
  let from: number | null = null;
  for (const s of slots) {
    if (s._deleted || s.stopId !== stopId || !s.serviceIds.includes(serviceId)) continue;
    if (!isHHMM(s.start) || !isHHMM(s.end) || toMinutes(s.start) >= toMinutes(s.end)) continue;
    if (isWithin(time, s.start, s.end)) return { kind: 'now' };
    const start = toMinutes(s.start);
    if (start > toMinutes(time) && (from === null || start < from)) from = start;
  }
  if (from === null) return { kind: 'not_today' };
  const hh = String(Math.floor(from / 60)).padStart(2, '0');
  return { kind: 'later', from: `${hh}:${String(from % 60).padStart(2, '0')}` };
}

/** The reason a service cannot be asked for at check-in (null when it can). */
export function serviceRefusal(service: Pick<Service, 'label'>, a: ServiceAvailability) {
  return a.kind === 'not_today'
    ? `Aucune salle ne propose ${service.label} pour le reste de la journée : choisir un autre service ou donner un rendez-vous à une prochaine escale.`
    : null;
}

/**
 * The patient's open passage at this stop (waiting, called or in consultation), if any: shown as
 * soon as the patient is picked, and a second check-in is refused.
 */
export function openEntryOf(
  patientId: string,
  stopEntries: readonly QueueEntry[],
  visits: readonly Pick<Visit, 'id' | 'patientId'>[],
): QueueEntry | undefined {
  const visitsOfPatient = new Set(visits.filter((v) => v.patientId === patientId).map((v) => v.id));
  return stopEntries.find(
    (e) => !e._deleted && visitsOfPatient.has(e.visitId) && isOpen(e.status.status),
  );
}

export interface CheckInInput {
  orgId: string;
  stopId: string;
  patientId: string;
  /** The appointment being honoured, null for a walk-in. */
  appointmentId: string | null;
  motif: string;
  /** Services wanted, in the order the patient will see them (e.g. GP then social worker). */
  serviceIds: string[];
  /** « Sans médecin traitant » as reception ticked it before the MT state was asked; with
   * `mtStatus`, it is `mtStatus === 'none'` whatever is passed here. */
  noMt: boolean;
  /** The médecin traitant state asked at check-in: declared, none, or unknown — never « sans
   * MT » by default (src/domain/priority.ts). */
  mtStatus?: MtStatus;
  ald: boolean;
  urgent: boolean;
  urgentReason: string;
}

export type CheckInField = 'motif' | 'serviceIds' | 'urgentReason' | 'patientId';
export type CheckInErrors = Partial<Record<CheckInField, string>>;

export interface CheckInContext {
  services: readonly Service[];
  /** Today's queue entries and visits of the stop, to refuse a second open check-in. */
  stopEntries: readonly QueueEntry[];
  visits: readonly Pick<Visit, 'id' | 'patientId'>[];
  /** Today's roster of the stop and the wall-clock time: services not offered are refused. */
  roster?: { slots: readonly RosterSlot[]; time: string };
  /** The stop's appointments: the honoured one gives its service's ticket its booked time. */
  appointments?: readonly Pick<Appointment, 'id' | 'serviceId' | 'time'>[];
}

/** The MT state a check-in records (older callers pass only `noMt`). */
export function checkInMt(input: Pick<CheckInInput, 'noMt' | 'mtStatus'>): MtStatus {
  return input.mtStatus ?? (input.noMt ? 'none' : 'unknown');
}

/** One French message per field at fault (empty when the check-in can be recorded). */
export function checkInErrors(input: CheckInInput, ctx: CheckInContext): CheckInErrors {
  const errors: CheckInErrors = {};
  if (input.motif.trim() === '') errors.motif = 'Indiquer le motif de la venue.';
  else if (input.motif.length > 200) errors.motif = 'Le motif dépasse 200 caractères.';
  const known = new Set(ctx.services.filter((s) => !s._deleted).map((s) => s.id));
  if (input.serviceIds.length === 0) errors.serviceIds = 'Choisir au moins un service.';
  else if (new Set(input.serviceIds).size !== input.serviceIds.length) {
    errors.serviceIds = 'Un même service est demandé deux fois.';
  } else if (input.serviceIds.some((id) => !known.has(id))) {
    errors.serviceIds = 'Un service demandé n’existe pas sur cet appareil.';
  } else if (ctx.roster) {
    const { slots, time } = ctx.roster;
    for (const id of input.serviceIds) {
      const service = ctx.services.find((s) => s.id === id)!;
      const refusal = serviceRefusal(service, serviceAvailability(slots, input.stopId, id, time));
      if (refusal) {
        errors.serviceIds = refusal;
        break;
      }
    }
  }
  if (!errors.serviceIds) {
    // A service the coordination keeps for patients without MT (src/domain/priority.ts).
    for (const id of input.serviceIds) {
      const service = ctx.services.find((s) => s.id === id);
      const refusal = service ? eligibilityRefusal(service, checkInMt(input)) : null;
      if (refusal) {
        errors.serviceIds = refusal;
        break;
      }
    }
  }
  if (input.urgent && input.urgentReason.trim() === '') {
    errors.urgentReason = 'Une priorité urgente exige un motif.';
  }
  const open = openEntryOf(input.patientId, ctx.stopEntries, ctx.visits);
  if (open) {
    errors.patientId = `Ce patient est déjà dans la file (ticket ${open.ticket}).`;
  }
  return errors;
}

export interface CheckInIds {
  visit: string;
  /** One id per service, same order as `serviceIds`. */
  entries: readonly string[];
}

export interface CheckInPlan {
  visit: Visit;
  entries: QueueEntry[];
  /** The appointment honoured, now checked in (absent for a walk-in). */
  appointment: Pick<Appointment, 'id' | 'status'> | null;
}

/**
 * The rows a valid check-in creates (call `checkInErrors` first). Each service gets the next
 * ticket of its prefix at this stop, counting the tickets this check-in already took.
 */
export function planCheckIn(
  input: CheckInInput,
  ctx: Pick<CheckInContext, 'services' | 'stopEntries' | 'appointments'>,
  now: string,
  ids: CheckInIds,
): CheckInPlan {
  const mt = checkInMt(input);
  const honoured = input.appointmentId
    ? ctx.appointments?.find((a) => a.id === input.appointmentId)
    : undefined;
  if (ids.entries.length !== input.serviceIds.length) {
    throw new RangeError('Un identifiant de file par service demandé');
  }
  const visit: Visit = {
    id: ids.visit,
    orgId: input.orgId,
    patientId: input.patientId,
    stopId: input.stopId,
    appointmentId: input.appointmentId,
    arrivedAt: now,
    motif: input.motif.trim(),
    noMt: mt === 'none',
    ald: input.ald,
    urgent: input.urgent,
    urgentReason: input.urgent ? input.urgentReason.trim() : null,
    mtStatus: mt,
  };
  const taken: Pick<QueueEntry, 'ticket'>[] = ctx.stopEntries.filter(
    (e) => e.stopId === input.stopId,
  );
  const entries = input.serviceIds.map((serviceId, position) => {
    const service = ctx.services.find((s) => s.id === serviceId);
    if (!service) throw new RangeError(`Service inconnu : ${serviceId}`);
    const ticket = nextTicket(service.ticketPrefix, taken);
    taken.push({ ticket });
    const entry: QueueEntry = {
      id: ids.entries[position]!,
      orgId: input.orgId,
      visitId: visit.id,
      stopId: input.stopId,
      serviceId,
      position,
      ticket,
      status: { ...INITIAL_STATUS },
      roomId: null,
      practitionerId: null,
      calledAt: null,
      startedAt: null,
      endedAt: null,
      comingFromRoomId: null,
      endReason: null,
      // The booked patient keeps their time for the service booked (src/domain/queue-order.ts).
      bookedTime: honoured && honoured.serviceId === serviceId ? honoured.time : null,
    };
    return entry;
  });
  return {
    visit,
    entries,
    appointment: input.appointmentId ? { id: input.appointmentId, status: 'checked_in' } : null,
  };
}

export interface MovePlan {
  /** The entry left behind: cancelled, with the reason saying where the patient went. */
  ended: Pick<QueueEntry, 'id' | 'status' | 'endedAt' | 'endReason'>;
  /** The new entry in the target service: a ticket of that service, same visit and arrival. */
  entry: QueueEntry;
}

export type MoveResult = { ok: true; plan: MovePlan } | { ok: false; reason: string };

/**
 * Reception moves a waiting patient to another service (wrong service chosen, a room changed
 * function). The visit keeps its arrival time, so the patient keeps their place by arrival in the
 * new queue; the new ticket has the new service's prefix.
 */
export function planServiceMove(
  entry: QueueEntry,
  target: Service,
  stopEntries: readonly QueueEntry[],
  newId: string,
  now: string,
): MoveResult {
  if (entry.status.status !== 'waiting') {
    return { ok: false, reason: 'Seul un patient en attente peut changer de service.' };
  }
  if (target.id === entry.serviceId) {
    return { ok: false, reason: 'Le patient attend déjà pour ce service.' };
  }
  const cancelled = transition(entry.status, 'cancel');
  if (!cancelled.ok) return { ok: false, reason: cancelled.reason };
  const ticket = nextTicket(
    target.ticketPrefix,
    stopEntries.filter((e) => e.stopId === entry.stopId),
  );
  return {
    ok: true,
    plan: {
      ended: {
        id: entry.id,
        status: cancelled.value,
        endedAt: now,
        endReason: `Orienté vers ${target.label} (${ticket})`,
      },
      entry: {
        ...entry,
        id: newId,
        serviceId: target.id,
        ticket,
        status: { ...INITIAL_STATUS },
        roomId: null,
        practitionerId: null,
        calledAt: null,
        startedAt: null,
        endedAt: null,
        endReason: null,
        // An appointment is for the service booked: in another service the patient is a walk-in.
        bookedTime: null,
      },
    },
  };
}

/**
 * A room sends its patient on to another in-truck service at the end of a consultation
 * (« venant de Box 2 »): the consultation's entry is finished, and a new waiting entry of the
 * target service takes its place in the visit's order, with a ticket of that service.
 */
export function planTransfer(
  entry: QueueEntry,
  target: Service,
  fromRoomId: string,
  stopEntries: readonly QueueEntry[],
  newId: string,
  now: string,
): MoveResult {
  if (target.id === entry.serviceId) {
    return { ok: false, reason: 'Le patient est déjà dans ce service.' };
  }
  const finished = transition(entry.status, 'finish');
  if (!finished.ok) {
    return {
      ok: false,
      reason: 'Seul un patient en consultation peut être orienté vers un autre service.',
    };
  }
  const ticket = nextTicket(
    target.ticketPrefix,
    stopEntries.filter((e) => e.stopId === entry.stopId),
  );
  return {
    ok: true,
    plan: {
      ended: { id: entry.id, status: finished.value, endedAt: now, endReason: null },
      entry: {
        ...entry,
        id: newId,
        serviceId: target.id,
        ticket,
        status: { ...INITIAL_STATUS },
        roomId: null,
        practitionerId: null,
        calledAt: null,
        startedAt: null,
        endedAt: null,
        comingFromRoomId: fromRoomId,
        endReason: null,
        bookedTime: null,
      },
    },
  };
}
