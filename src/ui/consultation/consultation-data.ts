// Live reads behind a consultation: the note with its vitals, signatures and addenda; the
// patient and their earlier notes; the coding catalogue (fetched once, kept in memory).
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import {
  type ConsultationFile,
  consultationFile,
  consultationsAwaitingValidation,
} from '../../device/consultation-queries';
import { patientPurged } from '../../device/past-record';
import {
  consultationsOfPatient,
  services as listServices,
  patientById,
  staffList,
} from '../../device/queries';
import {
  breakGlassesOf,
  readingRows,
  researchObjectionsOf,
  transmissionsOfPatient,
} from '../../device/reading-queries';
import { type SummaryRows, summaryRows } from '../../device/summary-queries';
import type {
  BreakGlass,
  Consultation,
  Patient,
  Service,
  Staff,
  Transmission,
  Visit,
} from '../../domain/entities';
import { type ReadingFacts, readingFacts } from '../../domain/reading';
import { researchObjectors } from '../../domain/research';
import { loadTerminology, type Terminology } from '../../domain/terminology';
import { useDb, useNow } from '../data/device-data';

export function useConsultationFile(id: string | null): ConsultationFile | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && id ? ((await consultationFile(db, id)) ?? null) : null),
    [db, id],
  );
}

export function usePatient(id: string | null): Patient | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && id ? ((await patientById(db, id)) ?? null) : null),
    [db, id],
  );
}

/** Whether this device purged the patient after a day's receipt (their history is elsewhere). */
export function usePatientPurged(id: string | null): boolean | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db && id ? patientPurged(db, id) : false), [db, id]);
}

export function usePatientHistory(patientId: string | null): Consultation[] | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && patientId ? consultationsOfPatient(db, patientId) : []),
    [db, patientId],
  );
}

export function useAwaitingValidation(): Consultation[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db ? consultationsAwaitingValidation(db) : []), [db]);
}

/** Where the app finds the coding catalogue (served from public/, precached for offline use). */
export const TERMINOLOGY_URL = '/terminology/catalogue.json';

let cached: Promise<Terminology> | null = null;

/** The catalogue, loaded once per page; a failed load is retried on the next use. */
export function fetchTerminology(): Promise<Terminology> {
  cached ??= fetch(TERMINOLOGY_URL)
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    })
    .then(loadTerminology)
    .catch((error: unknown) => {
      cached = null;
      throw error;
    });
  return cached;
}

export type TerminologyState =
  | { state: 'loading' }
  | { state: 'ready'; terminology: Terminology }
  | { state: 'error'; message: string };

export function useTerminology(): TerminologyState {
  const [value, setValue] = useState<TerminologyState>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    fetchTerminology().then(
      (terminology) => live && setValue({ state: 'ready', terminology }),
      (error: unknown) =>
        live &&
        setValue({
          state: 'error',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    return () => {
      live = false;
    };
  }, []);
  return value;
}

export function useVisit(id: string | null): Visit | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && id ? ((await db.rows('visit').get(id)) ?? null) : null),
    [db, id],
  );
}

/** Staff and services of the organisation, by id (for names, supervision and read rights). */
export function useDirectory():
  | { staff: Map<string, Staff>; services: Map<string, Service> }
  | undefined {
  const db = useDb();
  return useLiveQuery(async () => {
    if (!db) return { staff: new Map(), services: new Map() };
    const [staff, services] = await Promise.all([staffList(db), listServices(db)]);
    return {
      staff: new Map(staff.map((s) => [s.id, s])),
      services: new Map(services.map((s) => [s.id, s])),
    };
  }, [db]);
}

/** A patient's clinical summary rows and the vitals of their notes, live. */
export function useSummaryRows(patientId: string | null): SummaryRows | undefined {
  const db = useDb();
  return useLiveQuery(
    async () =>
      db && patientId
        ? summaryRows(db, patientId)
        : { problems: [], treatments: [], allergies: [], vaccinations: [], vitals: [], notes: [] },
    [db, patientId],
  );
}

/** Who reads what on this device now (src/domain/reading.ts): the services' professions, the
 * patients' objections, the running bris de glace. */
export function useReadingFacts(): ReadingFacts | undefined {
  const db = useDb();
  const now = useNow();
  const rows = useLiveQuery(async () => (db ? readingRows(db) : undefined), [db]);
  return useMemo(
    () =>
      rows
        ? readingFacts({
            services: rows.services,
            objections: rows.objections,
            breakGlasses: rows.breakGlasses,
            now,
          })
        : undefined,
    [rows, now],
  );
}

/** Whether the patient objects to research today (the latest record wins). */
export function useResearchObjection(patientId: string): boolean | undefined {
  const db = useDb();
  const rows = useLiveQuery(
    async () => (db ? researchObjectionsOf(db, patientId) : undefined),
    [db, patientId],
  );
  return rows ? researchObjectors(rows).has(patientId) : undefined;
}

export function useTransmissions(patientId: string | null): Transmission[] | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && patientId ? transmissionsOfPatient(db, patientId) : []),
    [db, patientId],
  );
}

/** The bris de glace this person declared for this patient, newest first. */
export function useBreakGlassesOf(staffId: string, patientId: string): BreakGlass[] | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db ? breakGlassesOf(db, staffId, patientId) : []),
    [db, staffId, patientId],
  );
}
