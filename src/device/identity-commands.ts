// The identity acts (src/domain/identity-lifecycle.ts) as changes for the one write path: the
// patient's fields and the history event that keeps who, when and the previous values land in
// the same transaction, with their audit event (docs/design.md §6).
import { v7 as uuidv7 } from 'uuid';
import type { IdentityChange, Patient } from '../domain/entities';
import type {
  CorrectionPlan,
  QualificationPlan,
  TraitDifference,
} from '../domain/identity-lifecycle';
import type { AuditNote } from './audit-change';
import type { Change } from './write';

export interface IdentityAct {
  changes: Change[];
  audit: AuditNote;
}

interface Who {
  org: string;
  staffId: string;
  /** ISO instant of the act. */
  at: string;
}

function historyEvent(
  who: Who,
  patientId: string,
  kind: IdentityChange['kind'],
  changes: IdentityChange['changes'],
  otherPatientId: string | null = null,
): Change {
  return {
    entity: 'identityChange',
    id: uuidv7(),
    insert: {
      orgId: who.org,
      patientId,
      at: who.at,
      staffId: who.staffId,
      kind,
      changes,
      otherPatientId,
    },
  };
}

/** A correction planned by planCorrection, with a status dropped by it recorded as a change. */
export function correctionAct(
  patientId: string,
  current: Patient,
  plan: CorrectionPlan,
  who: Who,
): IdentityAct {
  const changes: IdentityChange['changes'] = plan.changes.map((c) => ({ ...c }));
  if (plan.set.identityStatus !== undefined && plan.set.identityStatus !== current.identityStatus) {
    changes.push({
      field: 'identityStatus',
      before: current.identityStatus,
      after: plan.set.identityStatus,
    });
  }
  if (
    plan.set.identityDocument !== undefined &&
    plan.set.identityDocument !== (current.identityDocument ?? null)
  ) {
    changes.push({
      field: 'identityDocument',
      before: current.identityDocument ?? null,
      after: plan.set.identityDocument,
    });
  }
  return {
    changes: [
      { entity: 'patient', id: patientId, set: plan.set as Partial<Patient> },
      historyEvent(who, patientId, 'correction', changes),
    ],
    audit: {
      action: plan.statusDropped ? 'patient.corrected_status_dropped' : 'patient.corrected',
      entity: 'patient',
      entityId: patientId,
      detail: plan.changes.map((c) => c.field).join(','),
    },
  };
}

const joined = (xs: readonly string[] | null | undefined) =>
  xs && xs.length > 0 ? [...xs].sort().join(',') : null;

/** A qualification planned by planQualification. */
export function qualificationAct(current: Patient, plan: QualificationPlan, who: Who): IdentityAct {
  const changes: IdentityChange['changes'] = [];
  const push = (field: string, before: string | null, after: string | null) => {
    if (before !== after) changes.push({ field, before, after });
  };
  push('identityStatus', current.identityStatus, plan.identityStatus);
  push('identityDocument', current.identityDocument ?? null, plan.identityDocument);
  push('identityAttributes', joined(current.identityAttributes), joined(plan.identityAttributes));
  return {
    changes: [
      {
        entity: 'patient',
        id: current.id,
        set: {
          identityStatus: plan.identityStatus,
          identityDocument: plan.identityDocument,
          identityAttributes: plan.identityAttributes,
        },
      },
      historyEvent(who, current.id, 'qualification', changes),
    ],
    audit: {
      action: 'patient.qualified',
      entity: 'patient',
      entityId: current.id,
      detail: [plan.identityStatus, plan.identityDocument, ...plan.identityAttributes]
        .filter((x) => x !== null)
        .join(','),
    },
  };
}

/** The merge of `absorbedId` into `survivorId` (decided by planMerge), with the strict traits
 * that differed kept (the absorbed identity's value → the survivor's). */
export function mergeAct(
  survivorId: string,
  absorbedId: string,
  differences: readonly TraitDifference[],
  who: Who,
): IdentityAct {
  return {
    changes: [
      { entity: 'patient', id: absorbedId, set: { mergedInto: survivorId } },
      historyEvent(
        who,
        absorbedId,
        'merge',
        differences.map((d) => ({ field: d.trait, before: d.absorbed, after: d.survivor })),
        survivorId,
      ),
    ],
    audit: {
      action: 'patient.merged',
      entity: 'patient',
      entityId: absorbedId,
      detail: `→ ${survivorId}`,
    },
  };
}

/** Undoing a merge the same day (undoMergeRefusal said it may). */
export function unmergeAct(survivorId: string, absorbedId: string, who: Who): IdentityAct {
  return {
    changes: [
      { entity: 'patient', id: absorbedId, set: { mergedInto: null } },
      historyEvent(who, absorbedId, 'unmerge', [], survivorId),
    ],
    audit: {
      action: 'patient.unmerged',
      entity: 'patient',
      entityId: absorbedId,
      detail: `↛ ${survivorId}`,
    },
  };
}
