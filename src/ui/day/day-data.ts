// The rows of one day at one stop, as the screens receive them from the device's live queries,
// and the small lookups every profile screen needs. Pure: no React, no database.

import type { Contradiction } from '../../domain/day-invariants';
import type {
  Appointment,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Staff,
  Stop,
  Visit,
} from '../../domain/entities';
import { waitEstimate } from '../../domain/estimates';
import type { QueueContext } from '../../domain/queue-order';
import { t } from '../i18n';

export interface DayData {
  /** Today's stop, or null when the truck has no stop today on this device. */
  stop: Stop | null;
  rooms: Room[];
  services: Service[];
  staff: Staff[];
  /** Roster slots of today's stop. */
  slots: RosterSlot[];
  appointments: Appointment[];
  visits: Visit[];
  /** Queue entries with their *effective* status and room (src/domain/day-invariants.ts). */
  entries: QueueEntry[];
  /** The day's contradictions, open or acknowledged (docs/decisions/0004-day-invariants.md). */
  contradictions?: Contradiction[];
}

export const EMPTY_DAY: DayData = {
  stop: null,
  rooms: [],
  services: [],
  staff: [],
  slots: [],
  appointments: [],
  visits: [],
  entries: [],
  contradictions: [],
};

export function live<T extends { _deleted?: boolean }>(rows: readonly T[]): T[] {
  return rows.filter((r) => !r._deleted);
}

export function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

export function sortedRooms(rooms: readonly Room[]): Room[] {
  return live(rooms).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name, 'fr'));
}

/** What the queue's one order reads (src/domain/queue-order.ts): visits, appointments and the
 * services' priority policies. */
export function queueContext(
  day: Pick<DayData, 'visits' | 'appointments' | 'services'>,
): QueueContext {
  return {
    visits: byId(live(day.visits)),
    appointments: byId(live(day.appointments)),
    services: byId(live(day.services)),
  };
}

/** "Thomas Garnier". */
export function staffName(s: Pick<Staff, 'firstName' | 'lastName'>): string {
  return `${s.firstName} ${s.lastName}`;
}

/** "GARNIER Thomas" — used name first when there is one, as reception calls people. */
export function patientName(
  p: Pick<Patient, 'birthName' | 'usedName' | 'firstNames' | 'usedFirstName'>,
): string {
  const last = p.usedName ?? p.birthName;
  const first = p.usedFirstName ?? p.firstNames.split(/[ ,]+/)[0] ?? p.firstNames;
  return `${last.toUpperCase()} ${first}`;
}

/** Labels of service ids, in the given order; unknown ids (not replicated yet) are skipped. */
export function serviceLabels(ids: readonly string[], services: ReadonlyMap<string, Service>) {
  return ids.flatMap((id) => {
    const s = services.get(id);
    return s ? [s.label] : [];
  });
}

export function staffNames(ids: readonly string[], staff: ReadonlyMap<string, Staff>): string[] {
  return ids.flatMap((id) => {
    const s = staff.get(id);
    return s ? [staffName(s)] : [];
  });
}

/** An estimated wait as people read it (issue 23: never « environ 0 min », no number without a room). */
export function estimateText(minutes: number | null | undefined): string {
  const e = waitEstimate(minutes);
  if (e.kind === 'no_slot_today') return t('day.estimate.noSlotToday');
  if (e.kind === 'next') return t('day.estimate.next');
  return t('day.estimate.minutes', { minutes: e.minutes });
}
