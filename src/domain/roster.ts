// The room roster (planning des salles): which room offers which services when, at one stop.
// Slot times are the stop's wall clock 'HH:MM', half-open [start, end): a morning slot 08:30–12:30
// and an afternoon slot 12:30–17:30 of the same room do not overlap.
import type { Room, RosterSlot, Service, Stop } from './entities';
import { isHHMM, isWithin, rangesOverlap, toMinutes } from './time';

const live = <T extends { _deleted?: boolean }>(rows: readonly T[]): T[] =>
  rows.filter((r) => !r._deleted);

function validSlot(s: RosterSlot): boolean {
  return isHHMM(s.start) && isHHMM(s.end) && toMinutes(s.start) < toMinutes(s.end);
}

/** Slots of a room at a stop that cover the time (malformed slots never match). */
export function slotsAt(
  slots: readonly RosterSlot[],
  stopId: string,
  roomId: string,
  time: string,
): RosterSlot[] {
  return live(slots).filter(
    (s) =>
      s.stopId === stopId && s.roomId === roomId && validSlot(s) && isWithin(time, s.start, s.end),
  );
}

/**
 * Services a room offers at a time, in roster order without repeats. `slots` are those of one
 * stop, or pass `stopId` to restrict them.
 */
export function servicesOfferedNow(
  slots: readonly RosterSlot[],
  roomId: string,
  time: string,
  stopId?: string,
): string[] {
  const out: string[] = [];
  for (const s of live(slots)) {
    if (s.roomId !== roomId || (stopId !== undefined && s.stopId !== stopId)) continue;
    if (!validSlot(s) || !isWithin(time, s.start, s.end)) continue;
    for (const id of s.serviceIds) if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** Every room's services at a time (rooms offering nothing map to an empty list). */
export function roomServicesNow(
  slots: readonly RosterSlot[],
  rooms: readonly Room[],
  time: string,
  stopId?: string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of [...live(rooms)].sort((a, b) => a.order - b.order)) {
    out.set(r.id, servicesOfferedNow(slots, r.id, time, stopId));
  }
  return out;
}

/** Rooms offering a service at a time (sorted ids, no repeats). */
export function roomsOfferingService(
  slots: readonly RosterSlot[],
  serviceId: string,
  time: string,
  stopId?: string,
): string[] {
  const ids = new Set<string>();
  for (const s of live(slots)) {
    if (stopId !== undefined && s.stopId !== stopId) continue;
    if (!validSlot(s) || !s.serviceIds.includes(serviceId)) continue;
    if (isWithin(time, s.start, s.end)) ids.add(s.roomId);
  }
  return [...ids].sort();
}

export type RosterErrorCode =
  | 'invalid_time'
  | 'end_before_start'
  | 'overlap'
  | 'unknown_room'
  | 'unknown_service'
  | 'room_kind'
  | 'unknown_stop'
  | 'outside_hours';

export interface RosterError {
  code: RosterErrorCode;
  slotId: string;
  /** The other slot of an overlap. */
  otherSlotId?: string;
  message: string;
}

/**
 * Everything wrong with a roster, with French messages for the coordinator's roster screen.
 * `stops` gives the hours a slot must fit in; a slot of a stop missing from it is reported.
 */
export function rosterErrors(
  slots: readonly RosterSlot[],
  rooms: readonly Room[],
  services: readonly Service[],
  stops: readonly Stop[],
): RosterError[] {
  const roomById = new Map(live(rooms).map((r) => [r.id, r]));
  const serviceById = new Map(live(services).map((s) => [s.id, s]));
  const stopById = new Map(live(stops).map((s) => [s.id, s]));
  const errors: RosterError[] = [];
  const ordered = [...live(slots)].sort(
    (a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id),
  );
  const roomName = (id: string) => roomById.get(id)?.name ?? id;

  for (const s of ordered) {
    const room = roomById.get(s.roomId);
    const label = `${roomName(s.roomId)} ${s.start}–${s.end}`;
    if (!isHHMM(s.start) || !isHHMM(s.end)) {
      errors.push({
        code: 'invalid_time',
        slotId: s.id,
        message: `${label} : heure invalide (format HH:MM attendu)`,
      });
      continue;
    }
    if (toMinutes(s.end) <= toMinutes(s.start)) {
      errors.push({
        code: 'end_before_start',
        slotId: s.id,
        message: `${label} : la fin doit être après le début`,
      });
    }
    if (!room) {
      errors.push({ code: 'unknown_room', slotId: s.id, message: `${label} : salle inconnue` });
    }
    for (const serviceId of s.serviceIds) {
      const service = serviceById.get(serviceId);
      if (!service) {
        errors.push({
          code: 'unknown_service',
          slotId: s.id,
          message: `${label} : service inconnu`,
        });
      } else if (room && !service.roomKinds.includes(room.kind)) {
        errors.push({
          code: 'room_kind',
          slotId: s.id,
          message: `${label} : le service « ${service.label} » ne peut pas se tenir dans ${room.name}`,
        });
      }
    }
    const stop = stopById.get(s.stopId);
    if (!stop) {
      errors.push({ code: 'unknown_stop', slotId: s.id, message: `${label} : escale inconnue` });
    } else if (
      isHHMM(stop.opensAt) &&
      isHHMM(stop.closesAt) &&
      (toMinutes(s.start) < toMinutes(stop.opensAt) || toMinutes(s.end) > toMinutes(stop.closesAt))
    ) {
      errors.push({
        code: 'outside_hours',
        slotId: s.id,
        message: `${label} : en dehors des horaires de l’escale (${stop.opensAt}–${stop.closesAt})`,
      });
    }
  }

  // Overlaps: same stop, same room, sharing at least one minute. Each pair reported once.
  const valid = ordered.filter(validSlot);
  for (let i = 0; i < valid.length; i++) {
    const a = valid[i]!;
    for (let j = i + 1; j < valid.length; j++) {
      const b = valid[j]!;
      if (a.stopId !== b.stopId || a.roomId !== b.roomId) continue;
      if (
        rangesOverlap(toMinutes(a.start), toMinutes(a.end), toMinutes(b.start), toMinutes(b.end))
      ) {
        errors.push({
          code: 'overlap',
          slotId: a.id,
          otherSlotId: b.id,
          message: `${roomName(a.roomId)} : les créneaux ${a.start}–${a.end} et ${b.start}–${b.end} se chevauchent`,
        });
      }
    }
  }
  return errors;
}

// ---- sessions (demi-journées) ----

export type Session = 'morning' | 'afternoon';

/** Morning ends and afternoon begins at 13:00 unless the organisation says otherwise. */
export const DEFAULT_SESSION_SPLIT = '13:00';

export function sessionOf(time: string, split = DEFAULT_SESSION_SPLIT): Session {
  return toMinutes(time) < toMinutes(split) ? 'morning' : 'afternoon';
}

/** The wall-clock range of a session at a stop, clipped to the stop's hours (null if empty). */
export function sessionRange(
  stop: Pick<Stop, 'opensAt' | 'closesAt'>,
  session: Session,
  split = DEFAULT_SESSION_SPLIT,
): { start: string; end: string } | null {
  const start = session === 'morning' ? stop.opensAt : maxTime(stop.opensAt, split);
  const end = session === 'morning' ? minTime(stop.closesAt, split) : stop.closesAt;
  return toMinutes(start) < toMinutes(end) ? { start, end } : null;
}

/** A slot belongs to the session in which it starts. */
export function slotsInSession(
  slots: readonly RosterSlot[],
  session: Session,
  split = DEFAULT_SESSION_SPLIT,
): RosterSlot[] {
  return live(slots).filter((s) => isHHMM(s.start) && sessionOf(s.start, split) === session);
}

function maxTime(a: string, b: string): string {
  return toMinutes(a) >= toMinutes(b) ? a : b;
}
function minTime(a: string, b: string): string {
  return toMinutes(a) <= toMinutes(b) ? a : b;
}
