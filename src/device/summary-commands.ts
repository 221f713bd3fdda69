// The clinical summary's acts (src/domain/clinical-summary.ts) as changes for the one write path:
// a new row gets its id, the person at work and the moment here, and each act carries its audit
// event, so the row and its trace land in one transaction (docs/design.md §6). Signing a note can
// add rows in the same write as the signature (src/ui/consultation/consultation-actions.ts).
import { v7 as uuidv7 } from 'uuid';
import type {
  AllergyFields,
  ProblemFields,
  TreatmentFields,
  VaccinationFields,
} from '../domain/clinical-summary';
import type { Problem, Treatment } from '../domain/entities';
import type { AuditNote } from './audit-change';
import type { Change } from './write';

export interface SummaryAct {
  changes: Change[];
  audit: AuditNote;
}

export interface Recorder {
  org: string;
  patientId: string;
  staffId: string;
  /** The note the act belongs to, if any. */
  consultationId?: string | null;
  /** ISO instant (default: now). */
  at?: string;
}

type New = 'problem' | 'treatment' | 'allergy' | 'vaccination';
type FieldsOf = {
  problem: ProblemFields;
  treatment: TreatmentFields & Partial<Pick<Treatment, 'stopReason'>>;
  allergy: AllergyFields;
  vaccination: VaccinationFields;
};

/** The journal's action codes (labelled in src/ui/i18n/fr/coordination.ts). */
const ADDED: Readonly<Record<New, string>> = {
  problem: 'summary.problem_added',
  treatment: 'summary.treatment_added',
  allergy: 'summary.allergy_added',
  vaccination: 'summary.vaccination_added',
};

function created<E extends New>(entity: E, who: Recorder, fields: FieldsOf[E]): SummaryAct {
  const id = uuidv7();
  const extra = entity === 'treatment' ? { stopReason: null } : {};
  return {
    changes: [
      {
        entity,
        id,
        set: {
          orgId: who.org,
          patientId: who.patientId,
          recordedAt: who.at ?? new Date().toISOString(),
          recordedBy: who.staffId,
          consultationId: who.consultationId ?? null,
          ...extra,
          ...fields,
        },
      } as Change,
    ],
    audit: { action: ADDED[entity], entity, entityId: id },
  };
}

export const addProblem = (who: Recorder, f: ProblemFields) => created('problem', who, f);
export const addTreatment = (who: Recorder, f: TreatmentFields) => created('treatment', who, f);
export const addAllergy = (who: Recorder, f: AllergyFields) => created('allergy', who, f);
export const addVaccination = (who: Recorder, f: VaccinationFields) =>
  created('vaccination', who, f);

export function resolveProblemAct(
  problem: Problem,
  set: Pick<Problem, 'status' | 'resolvedDate'>,
): SummaryAct {
  return {
    changes: [{ entity: 'problem', id: problem.id, set }],
    audit: { action: 'summary.problem_resolved', entity: 'problem', entityId: problem.id },
  };
}

export function stopTreatmentAct(
  treatment: Treatment,
  set: Pick<Treatment, 'stopDate' | 'stopReason'>,
): SummaryAct {
  return {
    changes: [{ entity: 'treatment', id: treatment.id, set }],
    audit: { action: 'summary.treatment_stopped', entity: 'treatment', entityId: treatment.id },
  };
}
