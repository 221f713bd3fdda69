// Live reads of the reception screen that reach beyond today's rows: the whole registry (as the
// domain's search index), the stops ahead and a stop's booking data.
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import { keepPatientIndex } from '../../device/patient-index';
import { type StopBooking, stopBooking, stopsFrom } from '../../device/reception-queries';
import type { Patient, Stop } from '../../domain/entities';
import { buildSearchIndex, type SearchIndex } from '../../domain/identity';
import { useDb } from '../data/device-data';

/**
 * The registry as a search index (undefined while loading), built once and then updated for
 * each patient written or pulled, here or in another tab (keepPatientIndex reads the changed
 * rows only): a new index object each time, over the same entries, so the screen searches again.
 */
export function usePatientIndex(): SearchIndex<Patient> | undefined {
  const db = useDb();
  const [kept, setKept] = useState<{ db: unknown; index: SearchIndex<Patient> } | null>(null);
  const empty = useMemo(() => buildSearchIndex<Patient>([]), []);
  useEffect(() => {
    if (!db) return;
    return keepPatientIndex(db, (index) => setKept({ db, index }), {
      onError: (error) => console.error(error),
    });
  }, [db]);
  if (!db) return empty;
  return kept?.db === db ? kept.index : undefined;
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
