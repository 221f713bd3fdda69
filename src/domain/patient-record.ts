// A returning patient's past record, fetched on demand by a room that no longer holds it (issue
// #15 item 3; the wire is docs/protocol.md, « Dossier antérieur à la demande »). Pure: the server
// passes the rows its viewer may hold (visibleStates: profile cut, restricted notes of other rooms
// left out) and the person signed in; this decides what of the patient reaches them. The device
// shows it read-only and keeps it in memory for the day only.
import { canRead } from './consultation';
import type {
  Addendum,
  Allergy,
  Consultation,
  Patient,
  Problem,
  Signature,
  Staff,
  Treatment,
  Vaccination,
  Visit,
  Vitals,
} from './entities';
import { mergeGroup, resolveIdentity, survivorMap } from './identity-lifecycle';
import type { ReadingFacts } from './reading';

/** Entities a past record is made of, the patient's identity first. */
export const RECORD_ENTITIES = [
  'patient',
  'visit',
  'consultation',
  'vitals',
  'signature',
  'addendum',
  'problem',
  'treatment',
  'allergy',
  'vaccination',
] as const;

export type RecordEntity = (typeof RECORD_ENTITIES)[number];

/** What the server answers: the surviving identity and its history across merged identities. */
export interface PastRecord {
  /** The identity asked for, resolved through merges. */
  patientId: string;
  patient: Patient | null;
  visits: Visit[];
  /** Only the notes the signed-in person may read, newest first. */
  consultations: Consultation[];
  vitals: Vitals[];
  signatures: Signature[];
  addenda: Addendum[];
  problems: Problem[];
  treatments: Treatment[];
  allergies: Allergy[];
  vaccinations: Vaccination[];
}

/** Rows the viewer's device may hold, by entity (materialised, deleted rows included or not). */
export type HeldRows = { [E in RecordEntity]?: readonly Record<string, unknown>[] };

/**
 * Why this person may not receive a past record, or null. Clinical data: a person whose roles
 * are neither care, social work nor coordination (reception staff signed in on a room laptop)
 * receives none of it.
 */
export function recordRefusal(person: Pick<Staff, 'active' | 'roles'> | undefined): string | null {
  if (!person) return 'Personne inconnue dans cette organisation.';
  if (!person.active) return 'Cette personne n’est plus active dans l’équipe.';
  if (!person.roles.some((r) => r === 'clinicien' || r === 'social' || r === 'coordinateur')) {
    return 'Le dossier antérieur est réservé aux soignants, au travail social et à la coordination.';
  }
  return null;
}

const live = <T>(rows: readonly Record<string, unknown>[] | undefined): T[] =>
  (rows ?? []).filter((r) => r._deleted !== true) as T[];

const byDesc =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/**
 * The patient's past record as `person` may read it, out of the rows the viewer's device may
 * hold: every identity merged into the patient's survivor, their visits, the notes the person
 * may read (canRead: restricted classes only for the service's professions, the author and the
 * coordination) with their vitals, signatures and addenda, and the clinical summary. Vitals,
 * signatures and addenda of a note the person may not read are left out with it.
 */
export function pastRecord(
  patientId: string,
  rows: HeldRows,
  person: Pick<Staff, 'id' | 'profession' | 'roles'>,
  facts: ReadingFacts,
): PastRecord {
  const patients = live<Patient>(rows.patient);
  const survivors = survivorMap(patients);
  const survivor = resolveIdentity(patientId, survivors);
  const group = new Set(mergeGroup(survivor, survivors));
  const ofGroup = <T extends { patientId: string }>(list: T[]) =>
    list.filter((r) => group.has(r.patientId));
  const consultations = ofGroup(live<Consultation>(rows.consultation))
    .filter((c) => canRead(c, person, facts))
    .sort(byDesc((c) => c.createdAt));
  const notes = new Set(consultations.map((c) => c.id));
  const ofNotes = <T extends { consultationId: string }>(list: T[]) =>
    list.filter((r) => notes.has(r.consultationId));
  return {
    patientId: survivor,
    patient: patients.find((p) => p.id === survivor) ?? null,
    visits: ofGroup(live<Visit>(rows.visit)).sort(byDesc((v) => v.arrivedAt)),
    consultations,
    vitals: ofNotes(live<Vitals>(rows.vitals)),
    signatures: ofNotes(live<Signature>(rows.signature)),
    addenda: ofNotes(live<Addendum>(rows.addendum)),
    problems: ofGroup(live<Problem>(rows.problem)),
    treatments: ofGroup(live<Treatment>(rows.treatment)),
    allergies: ofGroup(live<Allergy>(rows.allergy)),
    vaccinations: ofGroup(live<Vaccination>(rows.vaccination)),
  };
}

/** Whether the record holds anything about the patient (an unknown id yields an empty one). */
export function recordFound(record: PastRecord): boolean {
  return record.patient !== null || record.visits.length > 0 || record.consultations.length > 0;
}

/**
 * What the audit keeps of a read: references and counts, never the text read
 * (docs/design.md §6).
 */
export function recordAuditDetail(record: PastRecord, source: 'relay' | 'central'): string {
  const summary =
    record.problems.length +
    record.treatments.length +
    record.allergies.length +
    record.vaccinations.length;
  return `dossier antérieur (${source === 'relay' ? 'relais' : 'central'}) : ${record.visits.length} passage(s), ${record.consultations.length} note(s), ${summary} élément(s) du résumé`;
}
