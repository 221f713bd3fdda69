// What the FHIR export (src/domain/fhir.ts) is made from, read on this device: the consultations
// of a period's stops (or one consultation) with their patient, vitals, addenda and signatures,
// the team, services, stops, truck and organisation, and who reads (the device's profile and
// room, the person signed in, the reading facts). Loaded lazily with the export: no screen's
// first chunk carries it.
import type { Viewer } from '../domain/access';
import type { Consultation, Staff } from '../domain/entities';
import {
  type Bundle,
  consultationBundle,
  type FhirReader,
  type FhirSource,
  type PeriodExport,
  periodBundle,
} from '../domain/fhir';
import { readingFacts } from '../domain/reading';
import type { EscaleDb } from './db';
import { patientById } from './queries';
import { readingRows } from './reading-queries';

/** The name of a place by its INSEE code, when the device's place index is at hand. */
export type PlaceName = (code: string) => string | undefined;

async function readerOf(
  db: EscaleDb,
  viewer: Viewer,
  staffId: string | null,
  madeAt: string,
): Promise<FhirReader> {
  const person = staffId ? await db.rows('staff').get(staffId) : undefined;
  const reading = await readingRows(db);
  return { viewer, person, facts: readingFacts({ ...reading, now: madeAt }) };
}

/** The sources of these notes as the device holds them (a note whose patient is missing is left
 * for the refusal to name). */
async function sourcesOf(
  db: EscaleDb,
  notes: readonly Consultation[],
  placeName?: PlaceName,
): Promise<FhirSource[]> {
  const [staff, services, stops, units, organisations] = await Promise.all([
    db.rows('staff').toArray(),
    db.rows('service').toArray(),
    db.rows('stop').toArray(),
    db.rows('unit').toArray(),
    db.rows('organisation').toArray(),
  ]);
  const team = new Map<string, Staff>(staff.map((s) => [s.id, s]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const stopById = new Map(stops.map((s) => [s.id, s]));
  const unitById = new Map(units.map((u) => [u.id, u]));
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));
  const out: FhirSource[] = [];
  for (const c of notes) {
    const [patient, vitals, addenda, signatures, queueEntry] = await Promise.all([
      patientById(db, c.patientId),
      db.rows('vitals').where('consultationId').equals(c.id).toArray(),
      db.rows('addendum').where('consultationId').equals(c.id).toArray(),
      db.rows('signature').where('consultationId').equals(c.id).toArray(),
      db.rows('queueEntry').get(c.queueEntryId),
    ]);
    if (!patient) continue;
    const stop = stopById.get(c.stopId);
    out.push({
      consultation: c,
      patient,
      staff: team,
      service: serviceById.get(c.serviceId),
      stop,
      unit: stop ? unitById.get(stop.unitId) : undefined,
      organisationName: orgName.get(c.orgId),
      vitals: vitals.filter((v) => !v._deleted),
      addenda: addenda.filter((a) => !a._deleted),
      signatures: signatures.filter((s) => !s._deleted),
      birthPlaceName: placeName?.(patient.birthPlaceCode) ?? null,
      queueEntry,
    });
  }
  return out;
}

/**
 * The period's consultations (those of the stops dated within it) as one FHIR collection for the
 * person signed in on this device, with the counts the audit keeps.
 */
export async function periodFhirExport(
  db: EscaleDb,
  period: { from: string; to: string },
  viewer: Viewer,
  staffId: string | null,
  madeAt: string,
  placeName?: PlaceName,
): Promise<PeriodExport> {
  if (!staffId) throw new Error('Identifiez-vous pour exporter les consultations en FHIR.');
  const stops = (await db.rows('stop').toArray()).filter(
    (s) => !s._deleted && s.date >= period.from && s.date <= period.to,
  );
  const notes = (
    await db
      .rows('consultation')
      .where('stopId')
      .anyOf(stops.map((s) => s.id))
      .toArray()
  ).filter((c) => !c._deleted);
  const reader = await readerOf(db, viewer, staffId, madeAt);
  return periodBundle(await sourcesOf(db, notes, placeName), reader, period, madeAt);
}

/** One consultation's FHIR document for the person signed in here, or the French refusal. */
export async function consultationFhirExport(
  db: EscaleDb,
  consultationId: string,
  viewer: Viewer,
  staffId: string | null,
  madeAt: string,
  placeName?: PlaceName,
): Promise<Bundle> {
  if (!staffId) throw new Error('Identifiez-vous pour exporter la consultation en FHIR.');
  const note = await db.rows('consultation').get(consultationId);
  if (!note || note._deleted) throw new Error('Cette note n’est pas sur cet appareil.');
  const [source] = await sourcesOf(db, [note], placeName);
  if (!source) {
    throw new Error('Export FHIR impossible : le dossier du patient n’est pas sur cet appareil.');
  }
  const reader = await readerOf(db, viewer, staffId, madeAt);
  return consultationBundle(source, reader, madeAt);
}
