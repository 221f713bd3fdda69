// Appointment slots (rendez-vous) derived from the room roster. Appointments carry no room: the
// room is chosen when the patient is called. So capacity at a time is the number of rooms whose
// roster offers the service for the whole appointment, and a start is free while fewer
// appointments overlap it than that capacity.
import type { Appointment, RosterSlot, Service, Stop } from './entities';
import { fromMinutes, isHHMM, rangesOverlap, toMinutes } from './time';

/** Appointments that still hold their time (a no-show or cancellation frees it). */
export function holdsTime(a: Appointment): boolean {
  return !a._deleted && (a.status === 'booked' || a.status === 'checked_in');
}

interface Window {
  roomId: string;
  start: number;
  end: number;
  serviceIds: string[];
}

function windowsOf(slots: readonly RosterSlot[], stopId: string): Window[] {
  return slots
    .filter((s) => !s._deleted && s.stopId === stopId && isHHMM(s.start) && isHHMM(s.end))
    .map((s) => ({
      roomId: s.roomId,
      start: toMinutes(s.start),
      end: toMinutes(s.end),
      serviceIds: s.serviceIds,
    }))
    .filter((w) => w.start < w.end);
}

/** Rooms whose roster offers the service over the whole range [start, end). */
function roomsCovering(windows: readonly Window[], serviceId: string, start: number, end: number) {
  const rooms = new Set<string>();
  for (const w of windows) {
    if (w.serviceIds.includes(serviceId) && w.start <= start && end <= w.end) rooms.add(w.roomId);
  }
  return rooms;
}

export interface FreeSlotOptions {
  /** Minutes between candidate starts (default: the service's typical duration). */
  stepMinutes?: number;
  /** Only starts at or after this time (e.g. now, for same-day booking). */
  notBefore?: string;
}

/**
 * Free appointment starts ('HH:MM', sorted) for a service at a stop. Candidates step from each
 * roster slot offering the service by its typical duration (08:30, 08:50, … for 20 minutes) and
 * must fit in the slot and in the stop's hours. A start is free when the rooms offering the
 * service over that time outnumber the live appointments overlapping it whose service those rooms
 * also offer (approximation: no room assignment is computed).
 */
export function freeSlots(
  stop: Pick<Stop, 'id' | 'opensAt' | 'closesAt'>,
  slots: readonly RosterSlot[],
  services: readonly Service[],
  appointments: readonly Appointment[],
  serviceId: string,
  options: FreeSlotOptions = {},
): string[] {
  const service = services.find((s) => s.id === serviceId && !s._deleted);
  if (!service) return [];
  const d = service.typicalMinutes;
  const step = options.stepMinutes ?? d;
  if (!(step > 0)) throw new RangeError(`Pas de créneau invalide : ${step}`);
  const windows = windowsOf(slots, stop.id);
  const opens = isHHMM(stop.opensAt) ? toMinutes(stop.opensAt) : 0;
  const closes = isHHMM(stop.closesAt) ? toMinutes(stop.closesAt) : 24 * 60;
  const notBefore = options.notBefore ? toMinutes(options.notBefore) : 0;
  const booked = appointments
    .filter((a) => holdsTime(a) && a.stopId === stop.id && isHHMM(a.time))
    .map((a) => ({
      serviceId: a.serviceId,
      start: toMinutes(a.time),
      end: toMinutes(a.time) + a.durationMin,
    }));

  const candidates = new Set<number>();
  for (const w of windows) {
    if (!w.serviceIds.includes(serviceId)) continue;
    for (let t = w.start; t + d <= w.end; t += step) candidates.add(t);
  }
  const free: number[] = [];
  for (const t of [...candidates].sort((a, b) => a - b)) {
    if (t < opens || t + d > closes || t < notBefore) continue;
    const rooms = roomsCovering(windows, serviceId, t, t + d);
    if (rooms.size === 0) continue;
    const sharing = booked.filter(
      (b) =>
        rangesOverlap(t, t + d, b.start, b.end) &&
        windows.some(
          (w) =>
            rooms.has(w.roomId) &&
            w.serviceIds.includes(b.serviceId) &&
            rangesOverlap(w.start, w.end, b.start, b.end),
        ),
    ).length;
    if (sharing < rooms.size) free.push(t);
  }
  return free.map(fromMinutes);
}

/** Does the roster still have a room offering the appointment's service for its whole length? */
export function bookingFits(
  appointment: Pick<Appointment, 'stopId' | 'serviceId' | 'time' | 'durationMin'>,
  slots: readonly RosterSlot[],
): boolean {
  if (!isHHMM(appointment.time)) return false;
  const start = toMinutes(appointment.time);
  const windows = windowsOf(slots, appointment.stopId);
  return (
    roomsCovering(windows, appointment.serviceId, start, start + appointment.durationMin).size > 0
  );
}

export interface Misfit {
  appointment: Appointment;
  reason: string;
}

/**
 * Live appointments the roster no longer serves (a room changed function, a slot was shortened).
 * They are flagged for reception to move or confirm, never dropped.
 */
export function misfitAppointments(
  appointments: readonly Appointment[],
  slots: readonly RosterSlot[],
  services: readonly Service[] = [],
): Misfit[] {
  return appointments
    .filter((a) => holdsTime(a) && !bookingFits(a, slots))
    .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id))
    .map((a) => {
      const label = services.find((s) => s.id === a.serviceId)?.label ?? 'ce service';
      return {
        appointment: a,
        reason: `Rendez-vous de ${a.time} : plus aucune salle n’assure « ${label} » à cette heure`,
      };
    });
}
