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

// ---- pictures of the day (pure: the charts and their data tables read these) ----

export interface TimelineBar {
  roomId: string;
  roomName: string;
  ticket: string;
  /** Minutes since midnight, local time. */
  start: number;
  end: number;
}

/** Consultations of the day per room, as minute ranges (an ongoing one ends now). */
export function occupancyTimeline(day: DayData, now: string): TimelineBar[] {
  const rooms = byId(live(day.rooms));
  const minutes = (iso: string) => {
    const [h, m] = localTime(iso).split(':').map(Number) as [number, number];
    return h * 60 + m;
  };
  return live(day.entries)
    .filter((e) => e.stopId === day.stop?.id && e.roomId && e.startedAt)
    .filter((e) => e.status.status === 'done' || e.status.status === 'in_consultation')
    .map((e) => ({
      roomId: e.roomId!,
      roomName: rooms.get(e.roomId!)?.name ?? e.roomId!,
      ticket: e.ticket,
      start: minutes(e.startedAt!),
      end: Math.max(minutes(e.startedAt!) + 1, minutes(e.endedAt ?? now)),
    }))
    .sort((a, b) => a.roomName.localeCompare(b.roomName, 'fr') || a.start - b.start);
}

export const WAIT_BUCKETS = [0, 10, 20, 30, 45, 60] as const;

/** Patients per waiting-time bucket (arrival → first call), the last bucket open-ended. */
export function waitBuckets(day: DayData): { from: number; to: number | null; count: number }[] {
  const visits = byId(live(day.visits));
  const first = new Map<string, string>();
  for (const e of live(day.entries)) {
    const at = e.calledAt ?? e.startedAt;
    if (e.stopId !== day.stop?.id || !at) continue;
    const prev = first.get(e.visitId);
    if (!prev || at < prev) first.set(e.visitId, at);
  }
  const counts: number[] = WAIT_BUCKETS.map(() => 0);
  for (const [visitId, at] of first) {
    const arrived = visits.get(visitId)?.arrivedAt;
    if (!arrived) continue;
    const wait = Math.max(0, (Date.parse(at) - Date.parse(arrived)) / 60_000);
    let i = WAIT_BUCKETS.length - 1;
    while (i > 0 && wait < WAIT_BUCKETS[i]!) i--;
    counts[i]!++;
  }
  return WAIT_BUCKETS.map((from, i) => ({
    from,
    to: i + 1 < WAIT_BUCKETS.length ? WAIT_BUCKETS[i + 1]! : null,
    count: counts[i]!,
  }));
}
