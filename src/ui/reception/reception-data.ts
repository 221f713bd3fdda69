// Live reads of the reception screen that reach beyond today's rows: the whole registry (as the
// domain's search index), the stops ahead and a stop's booking data.
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo } from 'react';
import { allPatients } from '../../device/queries';
import { type StopBooking, stopBooking, stopsFrom } from '../../device/reception-queries';
import type { Patient, Stop } from '../../domain/entities';
import { buildSearchIndex, type SearchIndex } from '../../domain/identity';
import { useDb } from '../data/device-data';
import { live } from '../day/day-data';

/** The registry as a search index, rebuilt when a patient row changes (undefined while loading). */
export function usePatientIndex(): SearchIndex<Patient> | undefined {
  const db = useDb();
  const patients = useLiveQuery(async () => (db ? live(await allPatients(db)) : []), [db]);
  return useMemo(() => (patients ? buildSearchIndex(patients) : undefined), [patients]);
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
