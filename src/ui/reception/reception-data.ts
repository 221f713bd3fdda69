// Live reads of the reception screen that reach beyond today's rows: the whole registry (as the
// domain's search index), the stops ahead and a stop's booking data.
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo, useRef } from 'react';
import { allPatients } from '../../device/queries';
import { type StopBooking, stopBooking, stopsFrom } from '../../device/reception-queries';
import type { Patient, Stop } from '../../domain/entities';
import { buildSearchIndex, refreshIndex, type SearchIndex } from '../../domain/identity';
import { useDb } from '../data/device-data';
import { live } from '../day/day-data';

/**
 * The registry as a search index (undefined while loading), built once per device and then
 * updated for the patients written or pulled since (refreshIndex): a new index object each
 * time, over the same entries, so the screen searches again.
 */
export function usePatientIndex(): SearchIndex<Patient> | undefined {
  const db = useDb();
  const patients = useLiveQuery(async () => (db ? live(await allPatients(db)) : []), [db]);
  const held = useRef<{ db: unknown; index: SearchIndex<Patient> } | null>(null);
  return useMemo(() => {
    if (!patients) return undefined;
    if (!held.current || held.current.db !== db) {
      held.current = { db, index: buildSearchIndex(patients) };
      return held.current.index;
    }
    const index = held.current.index;
    refreshIndex(index, patients);
    return { ...index };
  }, [patients, db]);
}

export function useStopsFrom(date: string): Stop[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db ? stopsFrom(db, date) : []), [db, date]);
}

export function useStopBooking(stopId: string | null): StopBooking | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && stopId ? stopBooking(db, stopId) : { slots: [], appointments: [] }),
    [db, stopId],
  );
}
