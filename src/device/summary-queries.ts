// Reads of the clinical summary (src/domain/clinical-summary.ts): a patient's problems,
// treatments, allergies and vaccinations, and the vitals of their notes, across the identities
// merged into theirs (src/domain/identity-lifecycle.ts), as this device holds them.

import type {
  Allergy,
  Consultation,
  Problem,
  Treatment,
  Vaccination,
  Vitals,
} from '../domain/entities';
import { mergeGroup, resolveIdentity } from '../domain/identity-lifecycle';
import type { EscaleDb } from './db';
import { identitySurvivors } from './queries';

export interface SummaryRows {
  problems: Problem[];
  treatments: Treatment[];
  allergies: Allergy[];
  vaccinations: Vaccination[];
  vitals: Vitals[];
  /** The notes the vitals belong to (their confidentiality decides who reads them). */
  notes: Consultation[];
}

export async function summaryRows(db: EscaleDb, patientId: string): Promise<SummaryRows> {
  const survivors = await identitySurvivors(db);
  const group = mergeGroup(resolveIdentity(patientId, survivors), survivors);
  const [problems, treatments, allergies, vaccinations, notes] = await Promise.all([
    db.rows('problem').where('patientId').anyOf(group).toArray(),
    db.rows('treatment').where('patientId').anyOf(group).toArray(),
    db.rows('allergy').where('patientId').anyOf(group).toArray(),
    db.rows('vaccination').where('patientId').anyOf(group).toArray(),
    db.rows('consultation').where('patientId').anyOf(group).toArray(),
  ]);
  const live = notes.filter((c) => !c._deleted);
  const vitals =
    live.length > 0
      ? await db
          .rows('vitals')
          .where('consultationId')
          .anyOf(live.map((c) => c.id))
          .toArray()
      : [];
  return { problems, treatments, allergies, vaccinations, vitals, notes: live };
}
