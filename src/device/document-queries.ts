// Reads behind the documents of a consultation (src/domain/documents.ts): everything a document is
// composed from, as this device holds it (so a document prints offline), the certificate templates
// and the documents already printed from the note.
import { effectiveTemplates } from '../domain/documents';
import type {
  Addendum,
  Allergy,
  Consultation,
  DocumentTemplate,
  Patient,
  PrintedDocument,
  Service,
  Staff,
  Stop,
  Treatment,
  Unit,
  Vitals,
} from '../domain/entities';
import { type EscaleDb, getMeta, META } from './db';
import { patientById } from './queries';
import { summaryRows } from './summary-queries';

export interface DocumentMaterial {
  consultation: Consultation;
  patient: Patient | undefined;
  staff: Map<string, Staff>;
  service: Service | undefined;
  stop: Stop | undefined;
  unit: Unit | undefined;
  organisationName: string | undefined;
  vitals: Vitals[];
  addenda: Addendum[];
  allergies: Allergy[];
  treatments: Treatment[];
  /** The organisation's certificate templates (its rows and the defaults not yet written). */
  templates: DocumentTemplate[];
  /** Documents printed from this note, oldest first. */
  printed: PrintedDocument[];
}

/** What the documents of a note are made of (undefined: the note is not on this device). */
export async function documentMaterial(
  db: EscaleDb,
  consultationId: string,
): Promise<DocumentMaterial | undefined> {
  const consultation = await db.rows('consultation').get(consultationId);
  if (!consultation || consultation._deleted) return undefined;
  const [patient, staff, service, stop, vitals, addenda, templates, printed, summary] =
    await Promise.all([
      patientById(db, consultation.patientId),
      db.rows('staff').toArray(),
      db.rows('service').get(consultation.serviceId),
      db.rows('stop').get(consultation.stopId),
      db.rows('vitals').where('consultationId').equals(consultationId).toArray(),
      db.rows('addendum').where('consultationId').equals(consultationId).toArray(),
      db.rows('documentTemplate').toArray(),
      db.rows('printedDocument').where('consultationId').equals(consultationId).toArray(),
      summaryRows(db, consultation.patientId),
    ]);
  const unit = stop ? await db.rows('unit').get(stop.unitId) : undefined;
  const organisation = await db.rows('organisation').get(consultation.orgId);
  const byTime =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      key(a).localeCompare(key(b));
  return {
    consultation,
    patient,
    staff: new Map(staff.map((s) => [s.id, s])),
    service,
    stop,
    unit,
    organisationName: organisation?.name,
    vitals: vitals.sort(byTime((v) => v.takenAt)),
    addenda: addenda.sort(byTime((a) => a.at)),
    allergies: summary.allergies.filter((a) => !a._deleted),
    treatments: summary.treatments.filter((tr) => !tr._deleted),
    templates: effectiveTemplates(consultation.orgId, templates),
    printed: printed.sort(byTime((p) => p.at)),
  };
}

/** The organisation's certificate templates, for the coordination's editor (null: the device
 * has joined no organisation yet). */
export async function organisationTemplates(
  db: EscaleDb,
): Promise<{ orgId: string; templates: DocumentTemplate[] } | null> {
  const orgId = await getMeta<string>(db, META.org);
  if (!orgId) return null;
  return {
    orgId,
    templates: effectiveTemplates(orgId, await db.rows('documentTemplate').toArray()),
  };
}
