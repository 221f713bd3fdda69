// The screens' only way to change data: the device's one write path (row + outbox in one
// transaction), stamped with this device, its organisation and the staff member at work.
import { useCallback } from 'react';
import { type AuditNote, auditChange } from '../../device/audit-change';
import { getMeta, META } from '../../device/db';
import { type Stamp, stampNow } from '../../device/stamp';
import { writeRefusal } from '../../domain/access';
import { type Change, writeChanges } from '../../device/write';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { useDb } from './device-data';

export type { AuditNote };

/** A command: the changes (and audit) of one action, built with the device's stamp (ids, time). */
export type Command = (stamp: Stamp) => Change[] | { changes: Change[]; audit?: AuditNote };

export type Write = (changes: Change[] | Command, audit?: AuditNote) => Promise<void>;

/**
 * Returns a function that records changes; it rejects with a French message on bad input. With
 * `audit`, an audit event is written in the same transaction, so the change and its trace land
 * (and replicate) together or not at all.
 */
export function useWriter(): Write {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  return useCallback(
    async (input: Change[] | Command, given?: AuditNote) => {
      if (!db) throw new Error(t('errors.noDatabase'));
      // A command that throws (a rule refused it) writes nothing.
      const built = typeof input === 'function' ? input(stampNow()) : input;
      const [changes, audit] = Array.isArray(built)
        ? [built, given]
        : [built.changes, built.audit ?? given];
      const [deviceId, org] = await Promise.all([
        getMeta<string>(db, META.deviceId),
        getMeta<string>(db, META.org),
      ]);
      if (!deviceId || !org) throw new Error(t('errors.deviceNotConnected'));
      const all: Change[] = audit
        ? [...changes, auditChange({ org, deviceId, actorId: staffId }, audit)]
        : changes;
      // The device refuses what its profile may not write (the server will refuse it too).
      for (const c of all) {
        const refusal = profile ? writeRefusal(profile, c.entity) : null;
        if (refusal) throw new Error(refusal);
      }
      await writeChanges(db, { deviceId, org, userId: staffId ?? undefined }, all);
    },
    [db, staffId, profile],
  );
}
