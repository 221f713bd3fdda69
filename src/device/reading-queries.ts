// Reads behind who reads what (src/domain/reading.ts): the services' professions, the patients'
// objections to sharing, the bris de glace; the transmissions of a patient's notes.
import type {
  BreakGlass,
  ResearchObjection,
  Service,
  SharingObjection,
  Transmission,
} from '../domain/entities';
import type { EscaleDb } from './db';

export interface ReadingRows {
  services: Service[];
  objections: SharingObjection[];
  breakGlasses: BreakGlass[];
}

export async function readingRows(db: EscaleDb): Promise<ReadingRows> {
  const [services, objections, breakGlasses] = await Promise.all([
    db.rows('service').toArray(),
    db.rows('sharingObjection').toArray(),
    db.rows('breakGlass').toArray(),
  ]);
  return {
    services,
    objections: objections.filter((o) => !o._deleted),
    breakGlasses: breakGlasses.filter((b) => !b._deleted),
  };
}

/** The transmissions written from a patient's notes, oldest first. */
export async function transmissionsOfPatient(
  db: EscaleDb,
  patientId: string,
): Promise<Transmission[]> {
  const list = await db.rows('transmission').where('patientId').equals(patientId).toArray();
  return list.filter((x) => !x._deleted).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Every bris de glace of the organisation, newest first (the coordination reviews them). */
export async function breakGlassLog(db: EscaleDb): Promise<BreakGlass[]> {
  const list = await db.rows('breakGlass').toArray();
  return list.filter((b) => !b._deleted).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** The bris de glace one person declared for one patient, newest first. */
export async function breakGlassesOf(
  db: EscaleDb,
  staffId: string,
  patientId: string,
): Promise<BreakGlass[]> {
  return (await breakGlassLog(db)).filter(
    (b) => b.staffId === staffId && b.patientId === patientId,
  );
}

/** A patient's records of objection to research (src/domain/research.ts), any order. */
export async function researchObjectionsOf(
  db: EscaleDb,
  patientId: string,
): Promise<ResearchObjection[]> {
  const list = await db.rows('researchObjection').where('patientId').equals(patientId).toArray();
  return list.filter((x) => !x._deleted);
}

/** Every record of objection to research of the organisation (the research extract reads them). */
export async function researchObjections(db: EscaleDb): Promise<ResearchObjection[]> {
  return (await db.rows('researchObjection').toArray()).filter((x) => !x._deleted);
}
