// The reception live board (docs/design.md §2): per service, the queue in domain order with elapsed
// and estimated waits; per room, who is called or inside now. Built from the day's rows by the
// domain rules only (orderQueue, estimateWaits, waitColour, roomOccupant, allowedActions).

import { entriesWithOpenContradiction } from '../../domain/day-invariants';
import type { Patient, QueueEntry, QueueStatus } from '../../domain/entities';
import { elapsedMinutes, estimateWaits, type WaitColour, waitColour } from '../../domain/estimates';
import { visitMt } from '../../domain/priority';
import { allowedActions, isOpen, type QueueAction } from '../../domain/queue';
import { orderQueue, roomOccupant } from '../../domain/queue-order';
import { roomServicesNow } from '../../domain/roster';
import { localTime } from '../../domain/time';
import {
  byId,
  type DayData,
  live,
  patientName,
  queueContext,
  serviceLabels,
  sortedRooms,
} from '../day/day-data';

/** What reception may do to an entry (calling and consulting belong to the rooms). */
export const RECEPTION_ACTIONS = ['leave', 'cancel', 'no_show', 'reopen'] as const;
export type ReceptionAction = (typeof RECEPTION_ACTIONS)[number];

export interface BoardRow {
  entryId: string;
  visitId: string;
  ticket: string;
  patient: string | null;
  status: QueueStatus;
  serviceId: string;
  roomName: string | null;
  arrivedAt: string | null;
  waitedMinutes: number | null;
  waitColour: WaitColour | null;
  estimateMinutes: number | null;
  urgent: boolean;
  urgentReason: string | null;
  noMt: boolean;
  ald: boolean;
  comingFrom: string | null;
  actions: ReceptionAction[];
  /** Waiting entries may change service. */
  movable: boolean;
  /** An open contradiction of the day names this entry (docs/decisions/0004). */
  contradiction: boolean;
}

export interface ServiceBoard {
  serviceId: string;
  label: string;
  /** Waiting in domain order, then called and in consultation. */
  rows: BoardRow[];
  waitingCount: number;
}

export interface RoomNow {
  roomId: string;
  roomName: string;
  services: string[];
  occupant: {
    ticket: string;
    status: QueueStatus;
    patient: string | null;
    contradiction: boolean;
  } | null;
}

export interface BoardModel {
  services: ServiceBoard[];
  rooms: RoomNow[];
  /** Entries ended today (seen, gone, cancelled), most recent first, for a mistaken end. */
  ended: BoardRow[];
}

export function boardModel(day: DayData, patients: readonly Patient[], now: string): BoardModel {
  const stopId = day.stop?.id;
  const services = byId(live(day.services));
  const rooms = byId(live(day.rooms));
  const people = byId(live(patients));
  const ctx = queueContext(day);
  const entries = live(day.entries).filter((e) => e.stopId === stopId);
  const slots = live(day.slots).filter((s) => s.stopId === stopId);
  const ordered = orderQueue(
    entries.filter((e) => e.status.status === 'waiting'),
    ctx,
  );
  const estimates = estimateWaits(ordered, { entries, services: day.services, slots }, now);
  const flagged = entriesWithOpenContradiction(day.contradictions ?? []);

  const row = (e: QueueEntry): BoardRow => {
    const visit = ctx.visits.get(e.visitId);
    const person = visit ? people.get(visit.patientId) : undefined;
    const waiting = isOpen(e.status.status);
    const waited = visit && waiting ? elapsedMinutes(visit.arrivedAt, now) : null;
    const allowed = new Set<QueueAction>(allowedActions(e.status));
    return {
      entryId: e.id,
      visitId: e.visitId,
      ticket: e.ticket,
      patient: person ? patientName(person) : null,
      status: e.status.status,
      serviceId: e.serviceId,
      roomName: e.roomId ? (rooms.get(e.roomId)?.name ?? null) : null,
      arrivedAt: visit?.arrivedAt ?? null,
      waitedMinutes: waited,
      waitColour: waited === null ? null : waitColour(waited),
      estimateMinutes: estimates.get(e.id) ?? null,
      urgent: visit?.urgent ?? false,
      urgentReason: visit?.urgentReason ?? null,
      noMt: visit ? visitMt(visit) === 'none' : false,
      ald: visit?.ald ?? false,
      comingFrom: e.comingFromRoomId ? (rooms.get(e.comingFromRoomId)?.name ?? null) : null,
      // A finished consultation reopens in its room, not from the desk.
      actions: RECEPTION_ACTIONS.filter(
        (a) => allowed.has(a) && !(a === 'reopen' && e.status.status === 'done'),
      ),
      movable: e.status.status === 'waiting',
      contradiction: flagged.has(e.id),
    };
  };

  const boards = new Map<string, ServiceBoard>();
  const boardOf = (serviceId: string) => {
    let b = boards.get(serviceId);
    if (!b) {
      b = {
        serviceId,
        label: services.get(serviceId)?.label ?? serviceId,
        rows: [],
        waitingCount: 0,
      };
      boards.set(serviceId, b);
    }
    return b;
  };
  for (const e of ordered) {
    const b = boardOf(e.serviceId);
    b.rows.push(row(e));
    b.waitingCount++;
  }
  const active = entries
    .filter((e) => e.status.status === 'called' || e.status.status === 'in_consultation')
    .sort((a, b) => (a.calledAt ?? '').localeCompare(b.calledAt ?? ''));
  for (const e of active) boardOf(e.serviceId).rows.push(row(e));

  const time = localTime(now);
  const offered = roomServicesNow(slots, day.rooms, time, stopId);
  const roomsNow = sortedRooms(day.rooms).map((r) => {
    const occ = roomOccupant(entries, r.id);
    const visit = occ ? ctx.visits.get(occ.visitId) : undefined;
    const person = visit ? people.get(visit.patientId) : undefined;
    return {
      roomId: r.id,
      roomName: r.name,
      services: serviceLabels(offered.get(r.id) ?? [], services),
      occupant: occ
        ? {
            ticket: occ.ticket,
            status: occ.status.status,
            patient: person ? patientName(person) : null,
            contradiction: flagged.has(occ.id),
          }
        : null,
    };
  });

  const ended = entries
    .filter((e) => !isOpen(e.status.status))
    .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''))
    .map(row);

  return {
    services: [...boards.values()].sort((a, b) => a.label.localeCompare(b.label, 'fr')),
    rooms: roomsNow,
    ended,
  };
}
