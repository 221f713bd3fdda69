// The screens' only way to change data: the device's one write path (row + outbox in one
// transaction), stamped with this device, its organisation and the staff member at work.
import { useCallback } from 'react';
import { type AuditNote, auditChange } from '../../device/audit-change';
import { type EscaleDb, META } from '../../device/db';
import { type Stamp, stampNow } from '../../device/stamp';
import { writeRefusal } from '../../domain/access';
import { type Change, writeChanges } from '../../device/write';
import { t } from '../i18n';
import { type Profile, useUiStore } from '../state/ui-store';
import { useDb } from './device-data';

export type { AuditNote };

/** A command: the changes (and audit) of one action, built with the device's stamp (ids, time). */
export type Command = (stamp: Stamp) => Change[] | { changes: Change[]; audit?: AuditNote };

export type Write = (changes: Change[] | Command, audit?: AuditNote) => Promise<void>;

/** Who writes from the screens: the staff member at work and the device's profile. */
export interface Writer {
  staffId: string | null;
  profile: Profile | null;
}

/**
 * Records changes (and `audit`, in the same transaction) for `who` on `db`: what `useWriter`'s
 * function does, callable outside React (the search-after-write bench writes a registration
 * through it). Rejects with a French message on bad input; nothing is stored then.
 */
export async function writeAs(
  db: EscaleDb | null,
  who: Writer,
  input: Change[] | Command,
  given?: AuditNote,
): Promise<void> {
  if (!db) throw new Error(t('errors.noDatabase'));
  // A command that throws (a rule refused it) writes nothing.
  const built = typeof input === 'function' ? input(stampNow()) : input;
  const [changes, audit] = Array.isArray(built)
    ? [built, given]
    : [built.changes, built.audit ?? given];
  // The device and its organisation in one request (one read transaction before the write's).
  const [device, organisation] = await db.meta.bulkGet([META.deviceId, META.org]);
  const deviceId = device?.value as string | undefined;
  const org = organisation?.value as string | undefined;
  if (!deviceId || !org) throw new Error(t('errors.deviceNotConnected'));
  const all: Change[] = audit
    ? [...changes, auditChange({ org, deviceId, actorId: who.staffId }, audit)]
    : changes;
  // The device refuses what its profile may not write (the server will refuse it too).
  for (const c of all) {
    const refusal = who.profile ? writeRefusal(who.profile, c.entity) : null;
    if (refusal) throw new Error(refusal);
  }
  await writeChanges(db, { deviceId, org, userId: who.staffId ?? undefined }, all);
}

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
    (input: Change[] | Command, given?: AuditNote) =>
      writeAs(db, { staffId, profile }, input, given),
    [db, staffId, profile],
  );
}
