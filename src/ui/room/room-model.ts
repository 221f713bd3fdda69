// What a consultation room shows (read-only for now): its roster slot now, who is called or in
// consultation there, and the patients it may call next, in queue order with estimated waits.

import { entriesWithOpenContradiction } from '../../domain/day-invariants';
import type { Patient, QueueStatus } from '../../domain/entities';
import { elapsedMinutes, estimateWaits, type WaitColour, waitColour } from '../../domain/estimates';
import { visitMt } from '../../domain/priority';
import { eligibleForRoom, roomOccupant } from '../../domain/queue-order';
import { slotsAt } from '../../domain/roster';
import { localTime } from '../../domain/time';
import {
  byId,
  type DayData,
  live,
  patientName,
  queueContext,
  serviceLabels,
  staffNames,
} from '../day/day-data';

export interface SlotNow {
  start: string;
  end: string;
  services: string[];
  staff: string[];
}

export interface RoomQueueLine {
  id: string;
  ticket: string;
  patient: string | null;
  service: string | null;
  arrivedAt: string | null;
  waitedMinutes: number | null;
  waitColour: WaitColour | null;
  estimateMinutes: number | null;
  urgent: boolean;
  noMt: boolean;
  ald: boolean;
  comingFrom: string | null;
  /** An open contradiction of the day names this entry (docs/decisions/0004). */
  contradiction: boolean;
}

export interface RoomOccupant {
  entryId: string;
  patientId: string | null;
  ticket: string;
  status: QueueStatus;
  patient: string | null;
  service: string | null;
  contradiction: boolean;
}

export interface RoomModel {
  /** Null when the room is not known on this device. */
  roomName: string | null;
  slotNow: SlotNow | null;
  occupant: RoomOccupant | null;
  queue: RoomQueueLine[];
}

export function roomModel(
  day: DayData,
  patients: readonly Patient[],
  roomId: string,
  now: string,
): RoomModel {
  const room = live(day.rooms).find((r) => r.id === roomId) ?? null;
  const services = byId(live(day.services));
  const staff = byId(live(day.staff));
  const rooms = byId(live(day.rooms));
  const people = byId(live(patients));
  const ctx = queueContext(day);
  const stopId = day.stop?.id;
  const time = localTime(now);
  const entries = live(day.entries).filter((e) => e.stopId === stopId);
  const slots = live(day.slots);

  const slot = stopId ? slotsAt(slots, stopId, roomId, time)[0] : undefined;
  const slotNow = slot
    ? {
        start: slot.start,
        end: slot.end,
        services: serviceLabels(slot.serviceIds, services),
        staff: staffNames(slot.staffIds, staff),
      }
    : null;

  const patientOf = (visitId: string) => {
    const visit = ctx.visits.get(visitId);
    const p = visit ? people.get(visit.patientId) : undefined;
    return p ? patientName(p) : null;
  };

  const flagged = entriesWithOpenContradiction(day.contradictions ?? []);
  const occ = roomOccupant(entries, roomId);
  const occupant = occ
    ? {
        entryId: occ.id,
        patientId: ctx.visits.get(occ.visitId)?.patientId ?? null,
        ticket: occ.ticket,
        status: occ.status.status,
        patient: patientOf(occ.visitId),
        service: services.get(occ.serviceId)?.label ?? null,
        contradiction: flagged.has(occ.id),
      }
    : null;

  const eligible = stopId ? eligibleForRoom(entries, roomId, slots, time, ctx) : [];
  const estimates = estimateWaits(eligible, { entries, services: day.services, slots }, now);
  const queue = eligible.map((e) => {
    const visit = ctx.visits.get(e.visitId);
    const waited = visit ? elapsedMinutes(visit.arrivedAt, now) : null;
    return {
      id: e.id,
      ticket: e.ticket,
      patient: patientOf(e.visitId),
      service: services.get(e.serviceId)?.label ?? null,
      arrivedAt: visit?.arrivedAt ?? null,
      waitedMinutes: waited,
      waitColour: waited === null ? null : waitColour(waited),
      estimateMinutes: estimates.get(e.id) ?? null,
      urgent: visit?.urgent ?? false,
      noMt: visit ? visitMt(visit) === 'none' : false,
      ald: visit?.ald ?? false,
      comingFrom: e.comingFromRoomId ? (rooms.get(e.comingFromRoomId)?.name ?? null) : null,
      contradiction: flagged.has(e.id),
    };
  });

  return { roomName: room?.name ?? null, slotNow, occupant, queue };
}
