// Orientations and the patient's médecin traitant status as commands for the one write path
// (src/domain/orientation.ts, src/domain/worklist.ts): each takes the device's stamp (ids, the
// instant) and returns the changes with their audit, or throws the domain's French refusal —
// then nothing is written.
import type { FollowedOrientation, MtSource, Patient } from '../domain/entities';
import {
  type NewOrientationInput,
  newOrientationErrors,
  type OrientationAction,
  orientationTransition,
  proposedState,
} from '../domain/orientation';
import type { AuditNote } from './audit-change';
import type { Stamp } from './stamp';
import type { Change } from './write';

export interface Act {
  changes: Change[];
  audit: AuditNote;
}

/** A refused act: the domain's French reasons, one per field. */
export class OrientationInputError extends Error {
  constructor(readonly errors: Partial<Record<string, string>>) {
    super(Object.values(errors)[0] ?? 'Orientation refusée.');
    this.name = 'OrientationInputError';
  }
}

/** The changes that set a patient's médecin traitant status, with its date and source. */
export function mtStatusChange(
  patient: Pick<Patient, 'id'>,
  status: Patient['mtStatus'],
  mtName: string | null,
  source: MtSource,
  at: string,
): Change {
  return {
    entity: 'patient',
    id: patient.id,
    set: {
      mtStatus: status,
      mtName: status === 'declared' ? (mtName?.trim() ?? null) || null : null,
      mtStatusAt: at,
      mtSource: source,
    },
  };
}

/** A room (or the coordination) proposes an orientation for a patient, in a consultation. */
export function proposeOrientation(
  who: { org: string; patientId: string; consultationId: string | null; staffId: string },
  input: NewOrientationInput,
) {
  return (stamp: Stamp): Act => {
    const errors = newOrientationErrors(input);
    if (Object.keys(errors).length > 0) throw new OrientationInputError(errors);
    const id = stamp.newId();
    const state = proposedState(stamp.now, who.staffId);
    return {
      changes: [
        {
          entity: 'orientation',
          id,
          set: {
            orgId: who.org,
            patientId: who.patientId,
            consultationId: who.consultationId,
            createdAt: stamp.now,
            createdBy: who.staffId,
            purpose: input.purpose as FollowedOrientation['purpose'],
            target: input.target as FollowedOrientation['target'],
            targetName: input.targetName.trim(),
            note: input.note.trim() === '' ? null : input.note.trim(),
            state,
          },
          add: { steps: [{ state: 'proposed', at: stamp.now, by: who.staffId, reason: null }] },
        },
      ],
      audit: { action: 'orientation.proposed', entity: 'orientation', entityId: id },
    };
  };
}

/**
 * One step of an orientation. « MT déclaré » also records the patient's médecin traitant (the
 * orientation's doctor), dated and sourced « orientation ».
 */
export function followOrientation(
  o: FollowedOrientation,
  action: OrientationAction,
  who: { staffId: string; reason?: string },
) {
  return (stamp: Stamp): Act => {
    const moved = orientationTransition(o, action, {
      at: stamp.now,
      by: who.staffId,
      reason: who.reason,
    });
    if (!moved.ok) throw new Error(moved.reason);
    const changes: Change[] = [
      {
        entity: 'orientation',
        id: o.id,
        set: { state: moved.state },
        add: { steps: [moved.step] },
      },
    ];
    if (action === 'declare_mt') {
      changes.push(
        mtStatusChange({ id: o.patientId }, 'declared', o.targetName, 'orientation', stamp.now),
      );
    }
    return {
      changes,
      audit: { action: `orientation.${action}`, entity: 'orientation', entityId: o.id },
    };
  };
}

/** A recall of a patient without MT: they now have one (named), or still have none. */
export function recordRecall(
  patient: Pick<Patient, 'id'>,
  outcome: { kind: 'declared'; mtName: string } | { kind: 'still_none' },
) {
  return (stamp: Stamp): Act => {
    if (outcome.kind === 'declared' && outcome.mtName.trim() === '') {
      throw new OrientationInputError({ mtName: 'Indiquer le nom du médecin traitant déclaré.' });
    }
    if (outcome.kind === 'declared' && outcome.mtName.trim().length > 200) {
      throw new OrientationInputError({ mtName: 'Le nom dépasse 200 caractères.' });
    }
    const change =
      outcome.kind === 'declared'
        ? mtStatusChange(patient, 'declared', outcome.mtName, 'recall', stamp.now)
        : mtStatusChange(patient, 'none', null, 'recall', stamp.now);
    return {
      changes: [change],
      audit: {
        action: outcome.kind === 'declared' ? 'recall.mt_declared' : 'recall.still_none',
        entity: 'patient',
        entityId: patient.id,
      },
    };
  };
}
