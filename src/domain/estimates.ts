// Estimated wait per patient (docs/design.md §4.2): the day's own observed durations per service,
// falling back to the catalogue's typical duration, spread over the rooms serving the service.
import type { QueueEntry, RosterSlot, Service } from './entities';
import { isActive } from './queue';
import { roomsOfferingService } from './roster';
import { DEFAULT_TIME_ZONE, isHHMM, localDate, localTime, toMinutes, zonedIso } from './time';

/**
 * Below this many finished consultations of a service today, the median of so few is noise (one
 * long first consultation would inflate every estimate), so the catalogue's typical duration is
 * used instead.
 */
export const MIN_OBSERVATIONS = 3;

// ---- small statistics, shared with the indicators ----

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Percentile by linear interpolation between closest ranks (the "type 7" definition of R and
 * NumPy): p in [0, 100]; always between the minimum and the maximum. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Percentile hors de [0, 100] : ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (h - lo);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

// ---- durations ----

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const v = Date.parse(iso);
  return Number.isNaN(v) ? null : v;
}

/** Minutes in consultation of each finished entry (startedAt → endedAt), per service. */
export function observedDurations(entries: readonly QueueEntry[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of entries) {
    if (e._deleted || e.status.status !== 'done') continue;
    const start = ms(e.startedAt);
    const end = ms(e.endedAt);
    if (start === null || end === null || end <= start) continue;
    const list = out.get(e.serviceId);
    const minutes = (end - start) / 60_000;
    if (list) list.push(minutes);
    else out.set(e.serviceId, [minutes]);
  }
  return out;
}

/** Expected minutes of one consultation of a service. */
export function serviceDuration(
  serviceId: string,
  observed: ReadonlyMap<string, readonly number[]>,
  services: readonly Service[],
  minObservations = MIN_OBSERVATIONS,
): number {
  const seen = observed.get(serviceId) ?? [];
  if (seen.length >= minObservations) return median(seen)!;
  const service = services.find((s) => s.id === serviceId && !s._deleted);
  // An unknown service (catalogue not replicated yet) gets a common consultation length.
  return service?.typicalMinutes ?? 20;
}

// ---- waits ----

export interface EstimateContext {
  /** All of today's queue entries (observed durations and room occupants come from them). */
  entries: readonly QueueEntry[];
  services: readonly Service[];
  slots: readonly RosterSlot[];
  timeZone?: string;
  minObservations?: number;
}

interface Server {
  roomId: string;
  freeAt: number;
}

/**
 * Estimated minutes before each waiting entry is called, for the entries in queue order (as from
 * `orderQueue`; entries that are not waiting are skipped). Model, per stop and service:
 * - each room whose roster offers the service now is a server; it is free now, or when its
 *   occupant is expected to finish (a patient in consultation: started + duration; a patient
 *   called but not started: now + duration);
 * - when no room offers the service now, the rooms whose slot offering it starts later today
 *   are servers from that start;
 * - walking down the queue, each patient goes to the server free first, which is then busy for
 *   one service duration.
 * Approximations: a room offering several services is counted fully for each of them; slot ends
 *   and a visit's earlier services are not modelled. A service no room offers for the rest of the
 *   day has no estimate (the entry is absent from the map: the screen shows "—").
 */
export function estimateWaits(
  orderedEntries: readonly QueueEntry[],
  ctx: EstimateContext,
  now: string,
): Map<string, number> {
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new RangeError(`Horodatage invalide : « ${now} »`);
  const nowTime = localTime(now, tz);
  const today = localDate(now, tz);
  const observed = observedDurations(ctx.entries);
  const duration = (serviceId: string) =>
    serviceDuration(serviceId, observed, ctx.services, ctx.minObservations) * 60_000;

  const groups = new Map<string, QueueEntry[]>();
  for (const e of orderedEntries) {
    if (e._deleted || e.status.status !== 'waiting') continue;
    const key = `${e.stopId}\u0000${e.serviceId}`;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }

  const out = new Map<string, number>();
  for (const group of groups.values()) {
    const { stopId, serviceId } = group[0]!;
    const servers = serversFor(stopId, serviceId);
    if (servers.length === 0) continue;
    const d = duration(serviceId);
    for (const e of group) {
      servers.sort((a, b) => a.freeAt - b.freeAt || (a.roomId < b.roomId ? -1 : 1));
      const server = servers[0]!;
      out.set(e.id, Math.max(0, Math.round((server.freeAt - nowMs) / 60_000)));
      server.freeAt += d;
    }
  }
  return out;

  function serversFor(stopId: string, serviceId: string): Server[] {
    const rooms = roomsOfferingService(ctx.slots, serviceId, nowTime, stopId);
    if (rooms.length > 0) {
      return rooms.map((roomId) => ({ roomId, freeAt: freeAtOf(stopId, roomId) }));
    }
    // Nobody offers it now: the rooms that will, from the start of their slot.
    const later = new Map<string, number>();
    for (const s of ctx.slots) {
      if (s._deleted || s.stopId !== stopId || !s.serviceIds.includes(serviceId)) continue;
      if (!isHHMM(s.start) || toMinutes(s.start) <= toMinutes(nowTime)) continue;
      const at = Date.parse(zonedIso(today, s.start, tz));
      const seen = later.get(s.roomId);
      if (seen === undefined || at < seen) later.set(s.roomId, at);
    }
    return [...later].map(([roomId, freeAt]) => ({ roomId, freeAt }));
  }

  function freeAtOf(stopId: string, roomId: string): number {
    let freeAt = nowMs;
    for (const o of ctx.entries) {
      if (o._deleted || o.stopId !== stopId || o.roomId !== roomId) continue;
      if (!isActive(o.status.status)) continue;
      const d = duration(o.serviceId);
      const started = o.status.status === 'in_consultation' ? ms(o.startedAt) : null;
      freeAt = Math.max(freeAt, (started ?? nowMs) + d);
    }
    return freeAt;
  }
}

/**
 * The wait of a patient checked in now for a service, without priority: behind every patient
 * already waiting for it (a priority patient would go ahead; the board shows the real place once
 * checked in). Absent when no room offers the service for the rest of the day.
 */
export function newcomerWait(
  serviceId: string,
  stopId: string,
  orderedEntries: readonly QueueEntry[],
  ctx: EstimateContext,
  now: string,
): number | undefined {
  const id = '\u0000newcomer';
  const newcomer: QueueEntry = {
    id,
    orgId: '',
    visitId: id,
    stopId,
    serviceId,
    position: 0,
    ticket: '',
    status: { status: 'waiting', epoch: 0, rank: 0 },
    roomId: null,
    practitionerId: null,
    calledAt: null,
    startedAt: null,
    endedAt: null,
    comingFromRoomId: null,
    endReason: null,
  };
  return estimateWaits([...orderedEntries, newcomer], ctx, now).get(id);
}

/**
 * What an estimate may honestly say (issue 23): no room offers the service for the rest of the
 * day (no number at all); a room is free for the patient now (never « environ 0 min »); or about
 * so many minutes. `minutes` is an entry of `estimateWaits` (absent: no room).
 */
export type WaitEstimate =
  | { kind: 'no_slot_today' }
  | { kind: 'next' }
  | { kind: 'minutes'; minutes: number };

export function waitEstimate(minutes: number | null | undefined): WaitEstimate {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) {
    return { kind: 'no_slot_today' };
  }
  if (minutes < 1) return { kind: 'next' };
  return { kind: 'minutes', minutes: Math.round(minutes) };
}

/** Whole minutes since arrival (never negative: device clocks can be a little ahead). */
export function elapsedMinutes(arrivedAt: string, now: string): number {
  const from = Date.parse(arrivedAt);
  const to = Date.parse(now);
  if (Number.isNaN(from) || Number.isNaN(to)) {
    throw new RangeError(`Horodatage invalide : « ${Number.isNaN(from) ? arrivedAt : now} »`);
  }
  return Math.max(0, Math.floor((to - from) / 60_000));
}

export type WaitColour = 'green' | 'amber' | 'red';

/** Colour of a wait: amber from `amber` minutes, red from `red` minutes (thresholds included). */
export function waitColour(
  minutes: number,
  thresholds: { amber: number; red: number } = { amber: 30, red: 60 },
): WaitColour {
  if (minutes >= thresholds.red) return 'red';
  if (minutes >= thresholds.amber) return 'amber';
  return 'green';
}
