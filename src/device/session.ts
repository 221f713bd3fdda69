// A person taking the device: their PIN created after an online sign-in, or checked offline; the
// device's data key opened with it (clinical tables are sealed at rest, encryption.ts); and the
// audit trail of each sign-in and unlock (docs/design.md §6: logins are audited).
import { auditChange } from './audit-change';
import { dataKeySlots } from './data-key';
import { escrowSecret, type OpenDataKeyResult } from './data-key-wrap';
import { type EscaleDb, getMeta, META } from './db';
import { isEncrypted } from './encryption';
import { setPin, type UnlockResult, unlock } from './pin';
import { unlockClinicalData } from './seal-existing';
import { writeChanges } from './write';

export type SessionAction = 'session.login' | 'session.unlock';

/** Appends an audit event for a person taking the device (nothing before it is connected). */
export async function auditSession(
  db: EscaleDb,
  staffId: string,
  action: SessionAction,
): Promise<void> {
  const [deviceId, org] = await Promise.all([
    getMeta<string>(db, META.deviceId),
    getMeta<string>(db, META.org),
  ]);
  if (!deviceId || !org) return;
  await writeChanges(db, { deviceId, org, userId: staffId }, [
    auditChange(
      { org, deviceId, actorId: staffId },
      { action, entity: 'staff', entityId: staffId },
    ),
  ]);
}

/**
 * After a password sign-in: stores the person's PIN, opens the device's data key (with the
 * server's escrow secret when the device already has one, else it is created) and wraps it for
 * the PIN, so the next unlocks work offline. Audited as a login.
 */
export async function createPersonPin(
  db: EscaleDb,
  staffId: string,
  pin: string,
  escrow: string | null,
): Promise<OpenDataKeyResult> {
  let opened: OpenDataKeyResult = 'opened';
  if (isEncrypted(db)) {
    if (escrow) await unlockClinicalData(db, dataKeySlots.escrow, escrowSecret(escrow));
    opened = await unlockClinicalData(db, dataKeySlots.pin(staffId), { pin });
  }
  if (escrow) await auditSession(db, staffId, 'session.login');
  // Last: the screen takes the person as unlocked as soon as their PIN is stored.
  await setPin(db, staffId, pin);
  return opened;
}

/**
 * After a password sign-in of a person who already holds a PIN here (the server asked them to
 * sign in again: 403 session_required): their session is open again, no new PIN. Opens the data
 * key with the escrow secret when it is locked, and audits the sign-in — which also starts the
 * sync that sends their kept work.
 */
export async function resumePersonSession(
  db: EscaleDb,
  staffId: string,
  escrow: string,
): Promise<void> {
  if (isEncrypted(db)) await unlockClinicalData(db, dataKeySlots.escrow, escrowSecret(escrow));
  await auditSession(db, staffId, 'session.login');
}

/** Checks a PIN offline and, when right, opens the data key with it. Audited as an unlock. */
export async function unlockPerson(
  db: EscaleDb,
  staffId: string,
  pin: string,
): Promise<UnlockResult & { data?: OpenDataKeyResult }> {
  const result = await unlock(db, staffId, pin);
  if (!result.ok) return result;
  const data = isEncrypted(db)
    ? await unlockClinicalData(db, dataKeySlots.pin(staffId), { pin })
    : undefined;
  if (data !== 'locked') await auditSession(db, staffId, 'session.unlock');
  return data ? { ...result, data } : result;
}
