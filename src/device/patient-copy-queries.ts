// What the patient's copy of their record is made from (src/domain/patient-copy.ts), read on the
// coordination's device: the record as the coordinating doctor reads it (the same rule as the
// past record on demand, src/domain/patient-record.ts), its identity history, orientations and
// documents given, and the stops, services and people that name them.
import { mergeGroup, resolveIdentity, survivorMap } from '../domain/identity-lifecycle';
import { type CopyInput, type PatientCopy, patientCopy } from '../domain/patient-copy';
import { type HeldRows, pastRecord, RECORD_ENTITIES } from '../domain/patient-record';
import { readingFacts } from '../domain/reading';
import type { EscaleDb } from './db';
import { readingRows } from './reading-queries';

/**
 * The copy of `patientId`'s record for `staffId` (who makes it, at `madeAt`), or the French
 * reason it cannot be made.
 */
export async function patientCopyOf(
  db: EscaleDb,
  patientId: string,
  staffId: string | null,
  madeAt: string,
): Promise<PatientCopy> {
  const person = staffId ? await db.rows('staff').get(staffId) : undefined;
  if (!person?.roles.includes('coordinateur')) {
    throw new Error(
      'La copie du dossier est faite par le médecin coordinateur, identifié sur cet appareil.',
    );
  }
  const held: HeldRows = {};
  for (const e of RECORD_ENTITIES) {
    held[e] = (await db.rows(e).toArray()) as unknown as Record<string, unknown>[];
  }
  const reading = await readingRows(db);
  const facts = readingFacts({ ...reading, now: madeAt });
  const record = pastRecord(patientId, held, person, facts);
  const patients = (held.patient ?? []) as { id: string; mergedInto?: string | null }[];
  const survivors = survivorMap(patients);
  const group = mergeGroup(resolveIdentity(patientId, survivors), survivors);
  const [identityChanges, orientations, printedDocuments, stops, services, staff] =
    await Promise.all([
      db.rows('identityChange').toArray(),
      db.rows('orientation').toArray(),
      db.rows('printedDocument').toArray(),
      db.rows('stop').toArray(),
      db.rows('service').toArray(),
      db.rows('staff').toArray(),
    ]);
  const input: CopyInput = {
    record,
    group,
    identityChanges: identityChanges.filter((h) => !h._deleted),
    orientations,
    printedDocuments,
    stops,
    services,
    staff,
    madeAt,
    madeBy: person.id,
  };
  return patientCopy(input);
}
