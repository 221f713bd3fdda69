// The UI's only door to data: React hooks over the device layer's read functions, wrapped in
// Dexie live queries so every screen follows the database (writes from this tab, other tabs and
// sync alike). zustand never holds rows (docs/design.md §7).
import { listSetAside, type SetAsideOp } from '../../device/set-aside';
import { wallClock } from '../../device/stamp';
import { dayContradictions, withEffectiveStatus } from '../../domain/day-invariants';
import { useLiveQuery } from 'dexie-react-hooks';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { type Connection, readConnection } from '../../device/connection';
import { type DbHealth, type EscaleDb, getMeta, healthMessage, META } from '../../device/db';
import {
  appointmentsOfStop,
  identitySurvivors,
  queueOfStop,
  rooms,
  rosterOfStop,
  services,
  staffList,
  stopOfDay,
  syncStatus,
} from '../../device/queries';
import { type RegistryLoading, registryLoading } from '../../device/snapshot';
import type { SyncStatus } from '../../device/sync-status';
import type { Patient, Room } from '../../domain/entities';
import { followMerges } from '../../domain/identity-lifecycle';
import { localDate } from '../../domain/time';
import { type DayData, EMPTY_DAY } from '../day/day-data';

const DeviceContext = createContext<EscaleDb | null>(null);

/** Gives the screens the device database (null: none open, e.g. storage refused). */
export function DeviceProvider({ db, children }: { db: EscaleDb | null; children: ReactNode }) {
  return <DeviceContext.Provider value={db}>{children}</DeviceContext.Provider>;
}

export function useDb(): EscaleDb | null {
  return useContext(DeviceContext);
}

/**
 * Live result of a read on the device database: undefined while loading, null when no
 * database is open (or it failed to open), then the value, re-read whenever the rows it read
 * change. A failing read never takes the whole shell down: the screens say it instead.
 */
function useLive<T>(read: (db: EscaleDb) => Promise<T>, deps: unknown[]): T | null | undefined {
  const db = useDb();
  const value = useLiveQuery(async () => {
    if (!db) return { v: null };
    try {
      return { v: await read(db) };
    } catch (error) {
      console.error(error);
      return { v: null };
    }
  }, [db, ...deps]);
  return value?.v;
}

export function useRooms(): Room[] | null | undefined {
  return useLive(rooms, []);
}

export function useSyncStatus(): SyncStatus | null | undefined {
  return useLive(syncStatus, []);
}

/** The first bootstrap's mark while the registry is still loading (null: complete). */
export function useRegistryLoading(): RegistryLoading | null | undefined {
  return useLive(registryLoading, []);
}

/** Ops the server refused, kept aside on this device (src/device/set-aside.ts). */
export function useSetAside(): SetAsideOp[] | null | undefined {
  return useLive(listSetAside, []);
}

/** The organisation and sync servers this device is connected to (null: not connected yet). */
export function useConnection(): Connection | null | undefined {
  return useLive(readConnection, []);
}

export function useDeviceId(): string | null | undefined {
  return useLive(async (db) => (await getMeta<string>(db, META.deviceId)) ?? null, []);
}

/** French message while the local database is blocked by another window or outdated. */
export function useDatabaseProblem(): string | null {
  const db = useDb();
  const [health, setHealth] = useState<DbHealth>(db?.health ?? 'open');
  useEffect(() => {
    if (!db) return;
    setHealth(db.health);
    return db.onHealth(setHealth);
  }, [db]);
  return healthMessage(health);
}

export interface DayRows {
  day: DayData;
  /** Patients of today's queue and appointments, as far as they are on this device. */
  patients: Patient[];
}

/** Everything a profile screen reads about one date: stop, roster, queue, appointments. */
export async function readDay(db: EscaleDb, date: string): Promise<DayRows> {
  const [stop, roomList, serviceList, staff] = await Promise.all([
    stopOfDay(db, date),
    rooms(db),
    services(db),
    staffList(db),
  ]);
  if (!stop) {
    return { day: { ...EMPTY_DAY, rooms: roomList, services: serviceList, staff }, patients: [] };
  }
  const [slots, queue, appointments, stopNotes, acknowledgements, survivors] = await Promise.all([
    rosterOfStop(db, stop.id),
    queueOfStop(db, stop.id),
    appointmentsOfStop(db, stop.id),
    // Empty on devices that receive no notes (reception, display): the take-in time is then the
    // evidence (docs/decisions/0004-day-invariants.md).
    db.rows('consultation').where('stopId').equals(stop.id).toArray(),
    db.rows('contradictionAck').where('stopId').equals(stop.id).toArray(),
    identitySurvivors(db),
  ]);
  // Notes of a merged identity belong to its survivor (src/domain/identity-lifecycle.ts).
  const notes = followMerges(stopNotes, survivors);
  const patients = new Map<string, Patient>();
  for (const item of [...queue, ...appointments]) {
    if (item.patient) patients.set(item.patient.id, item.patient);
  }
  const visits = queue.flatMap((q) => (q.visit ? [q.visit] : []));
  const recorded = queue.map((q) => q.entry);
  const facts = { visits, queueEntries: recorded, consultations: notes, acknowledgements };
  return {
    day: {
      stop,
      rooms: roomList,
      services: serviceList,
      staff,
      slots,
      appointments: appointments.map((a) => a.appointment),
      visits,
      // Every screen shows the effective status: clinical evidence wins over a stale end.
      entries: withEffectiveStatus(facts),
      contradictions: dayContradictions(facts),
    },
    patients: [...patients.values()],
  };
}

export function useDay(date: string): DayRows | null | undefined {
  return useLive((db) => readDay(db, date), [date]);
}

/** The current instant, refreshed every `periodMs` (waits and "now" slots move on their own). */
export function useNow(periodMs = 30_000): string {
  const [now, setNow] = useState(() => wallClock.iso());
  useEffect(() => {
    const timer = setInterval(() => setNow(wallClock.iso()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** Today's date on the truck's wall clock. */
export function todayOf(now: string): string {
  return localDate(now);
}
