// The coordinator's live picture (read-only for now): each room now — its services and staff,
// who is called or in consultation — and how many patients wait, per room and per service.
import type { QueueStatus } from '../../domain/entities';
import { eligibleForRoom, roomOccupant } from '../../domain/queue-order';
import { servicesOfferedNow, slotsAt } from '../../domain/roster';
import { localTime } from '../../domain/time';
import {
  byId,
  type DayData,
  live,
  queueContext,
  serviceLabels,
  sortedRooms,
  staffNames,
} from '../day/day-data';

export interface RoomNow {
  roomId: string;
  roomName: string;
  services: string[];
  staff: string[];
  occupant: { ticket: string; status: QueueStatus } | null;
  /** Patients this room may call now. */
  waiting: number;
}

export interface ServiceWaiting {
  serviceId: string;
  label: string;
  waiting: number;
  /** Rooms offering it now; 0 means these patients wait for a later slot. */
  roomsNow: number;
}

export interface CoordinationModel {
  rooms: RoomNow[];
  services: ServiceWaiting[];
  totalWaiting: number;
}

export function coordinationModel(day: DayData, now: string): CoordinationModel {
  const services = byId(live(day.services));
  const staff = byId(live(day.staff));
  const ctx = queueContext(day);
  const stopId = day.stop?.id;
  const time = localTime(now);
  const slots = live(day.slots);
  const entries = live(day.entries).filter((e) => e.stopId === stopId);

  const rooms = stopId
    ? sortedRooms(day.rooms).map((room) => {
        const current = slotsAt(slots, stopId, room.id, time);
        const occ = roomOccupant(entries, room.id);
        return {
          roomId: room.id,
          roomName: room.name,
          services: serviceLabels(servicesOfferedNow(slots, room.id, time, stopId), services),
          staff: [...new Set(current.flatMap((s) => staffNames(s.staffIds, staff)))],
          occupant: occ ? { ticket: occ.ticket, status: occ.status.status } : null,
          waiting: eligibleForRoom(entries, room.id, slots, time, ctx).length,
        };
      })
    : [];

  const waitingByService = new Map<string, number>();
  for (const e of entries) {
    if (e.status.status !== 'waiting') continue;
    waitingByService.set(e.serviceId, (waitingByService.get(e.serviceId) ?? 0) + 1);
  }
  const serviceLines = [...waitingByService]
    .map(([serviceId, waiting]) => ({
      serviceId,
      label: services.get(serviceId)?.label ?? serviceId,
      waiting,
      roomsNow: rooms.filter((r) =>
        servicesOfferedNow(slots, r.roomId, time, stopId).includes(serviceId),
      ).length,
    }))
    .sort((a, b) => a.label.localeCompare(b.label, 'fr'));

  return {
    rooms,
    services: serviceLines,
    totalWaiting: serviceLines.reduce((n, s) => n + s.waiting, 0),
  };
}
