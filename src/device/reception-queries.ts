// Reads the reception screen needs beyond the day: the stops ahead (booking by phone) and a
// stop's roster and appointments (free slots of a future stop).
import type { Appointment, RosterSlot, Stop } from '../domain/entities';
import type { EscaleDb } from './db';

/** Stops from `date` on (today included), not cancelled, by date then opening time. */
export async function stopsFrom(db: EscaleDb, date: string): Promise<Stop[]> {
  const stops = await db.rows('stop').where('date').aboveOrEqual(date).toArray();
  return stops
    .filter((s) => !s._deleted && s.status !== 'cancelled')
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) ||
        a.opensAt.localeCompare(b.opensAt) ||
        (a.id < b.id ? -1 : 1),
    );
}

export interface StopBooking {
  slots: RosterSlot[];
  appointments: Appointment[];
}

/** What free slots are computed from: the stop's roster and its appointments. */
export async function stopBooking(db: EscaleDb, stopId: string): Promise<StopBooking> {
  const [slots, appointments] = await Promise.all([
    db.rows('rosterSlot').where('stopId').equals(stopId).toArray(),
    db.rows('appointment').where('stopId').equals(stopId).toArray(),
  ]);
  return { slots, appointments };
}
