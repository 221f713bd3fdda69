// An audit event as a change for the write path (docs/design.md §6: who did what, when, where), so it
// lands with the change it traces, in the same transaction.
import { v7 as uuidv7 } from 'uuid';
import type { Change } from './write';

/** What an audited change records besides itself. */
export interface AuditNote {
  action: string;
  entity: string | null;
  entityId: string | null;
  detail?: string | null;
}

export function auditChange(
  who: { org: string; deviceId: string; actorId: string | null },
  note: AuditNote,
): Change {
  return {
    entity: 'audit',
    id: uuidv7(),
    insert: {
      orgId: who.org,
      at: new Date().toISOString(),
      actorId: who.actorId,
      deviceId: who.deviceId,
      action: note.action,
      entity: note.entity,
      entityId: note.entityId,
      detail: note.detail ?? null,
    },
  };
}
