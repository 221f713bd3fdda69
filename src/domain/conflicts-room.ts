// Cross-row invariants of the queue that replication can break: each device checks `canCall`
// against what it sees, but two offline devices can each call a patient into the same room, or
// call the same patient into two rooms. The merge keeps both (nothing is lost); these functions
// derive the breach from the merged state so it is shown as a conflict a person resolves.
// Screens and the coordination read the same checks on *effective* statuses, with the other
// invariants of the day, from src/domain/day-invariants.ts (docs/decisions/0004); these raw
// versions stay for the queue rules' own tests and the simulation.
import type { QueueEntry } from './entities';
import { isActive } from './queue';

export interface RoomDoubleBooking {
  stopId: string;
  roomId: string;
  /** The entries called or in consultation in that room, sorted by id. */
  entryIds: string[];
}

export interface PatientDoubleCall {
  stopId: string;
  visitId: string;
  entryIds: string[];
  roomIds: string[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupActive(
  entries: readonly QueueEntry[],
  key: (e: QueueEntry) => string | null,
): Map<string, QueueEntry[]> {
  const groups = new Map<string, QueueEntry[]>();
  for (const e of entries) {
    if (e._deleted || !isActive(e.status.status)) continue;
    const k = key(e);
    if (k === null) continue;
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  return groups;
}

/** Rooms (per stop) with more than one patient called or in consultation. */
export function roomDoubleBookings(entries: readonly QueueEntry[]): RoomDoubleBooking[] {
  const out: RoomDoubleBooking[] = [];
  for (const g of groupActive(entries, (e) =>
    e.roomId ? `${e.stopId}\u0000${e.roomId}` : null,
  ).values()) {
    if (g.length < 2) continue;
    out.push({
      stopId: g[0]!.stopId,
      roomId: g[0]!.roomId!,
      entryIds: g.map((e) => e.id).sort(),
    });
  }
  return out.sort((a, b) => cmp(a.stopId, b.stopId) || cmp(a.roomId, b.roomId));
}

/** Visits with more than one entry called or in consultation (one patient in two rooms). */
export function patientDoubleCalls(entries: readonly QueueEntry[]): PatientDoubleCall[] {
  const out: PatientDoubleCall[] = [];
  for (const g of groupActive(entries, (e) => e.visitId).values()) {
    if (g.length < 2) continue;
    out.push({
      stopId: g[0]!.stopId,
      visitId: g[0]!.visitId,
      entryIds: g.map((e) => e.id).sort(),
      roomIds: [...new Set(g.map((e) => e.roomId).filter((r): r is string => r !== null))].sort(),
    });
  }
  return out.sort((a, b) => cmp(a.stopId, b.stopId) || cmp(a.visitId, b.visitId));
}
