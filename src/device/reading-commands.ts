// Who reads what (src/domain/reading.ts) as changes for the one write path: a patient's objection
// to sharing, a transmission written for the social roles, a bris de glace. Each takes its id and
// instant from the writer's stamp (src/device/stamp.ts); the audit names the record, never the
// typed text or the reason's comment.

import type { BreakGlassReason } from '../domain/entities';
import { BREAK_GLASS_MS, breakGlassRefusal } from '../domain/reading';
import type { AuditNote } from './audit-change';
import type { Change } from './write';

/** A record of the patient's objection to sharing (default) or to research (src/domain/research.ts). */
export function recordObjection(
  input: {
    id: string;
    orgId: string;
    patientId: string;
    staffId: string;
    at: string;
    objects: boolean;
  },
  entity: 'sharingObjection' | 'researchObjection' = 'sharingObjection',
): Change {
  const { id, ...insert } = input;
  return entity === 'sharingObjection'
    ? { entity, id, insert }
    : { entity: 'researchObjection', id, insert };
}

export function writeTransmission(input: {
  id: string;
  orgId: string;
  consultationId: string;
  patientId: string;
  authorId: string;
  at: string;
  text: string;
}): { changes: Change[]; audit: AuditNote } {
  const text = input.text.trim();
  if (text === '') throw new Error('Une transmission ne peut pas être vide.');
  const { id, ...rest } = input;
  return {
    changes: [{ entity: 'transmission', id, insert: { ...rest, text } }],
    audit: {
      action: 'transmission.written',
      entity: 'consultation',
      entityId: input.consultationId,
    },
  };
}

export function declareBreakGlass(
  input: {
    id: string;
    orgId: string;
    patientId: string;
    staffId: string;
    at: string;
    reason: BreakGlassReason;
    comment: string;
  },
  roles: readonly string[],
): { changes: Change[]; audit: AuditNote } {
  const until = new Date(Date.parse(input.at) + BREAK_GLASS_MS).toISOString();
  const row = {
    orgId: input.orgId,
    patientId: input.patientId,
    staffId: input.staffId,
    at: input.at,
    until,
    reason: input.reason,
    comment: input.comment.trim() === '' ? null : input.comment.trim(),
  };
  const why = breakGlassRefusal(row, input.staffId, roles);
  if (why) throw new Error(why);
  return {
    changes: [{ entity: 'breakGlass', id: input.id, insert: row }],
    // The reason's code only: the comment stays in the sealed row, out of the audit's text.
    audit: {
      action: 'breakGlass.declared',
      entity: 'breakGlass',
      entityId: input.id,
      detail: input.reason,
    },
  };
}
