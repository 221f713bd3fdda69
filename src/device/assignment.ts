// A device moved to another profile or room by the coordination (`POST /api/devices/assignment`)
// learns it from its server's answer (`assigned`, docs/protocol.md): its kept credential then
// names the new profile and room, so the screens it offers follow (the shell reads the credential
// live) and a reload keeps only what the new profile may hold (src/device/write.ts). Only a later
// move than the one it holds is taken: a relay that has not brought the move home yet answers
// with the older assignment, which must not move the device back.
import type { SyncResponse } from '../sync/protocol';
import type { Credential } from './connection';
import { type EscaleDb, getMeta, META } from './db';

type Assigned = NonNullable<SyncResponse['assigned']>;

/** The servers whose next reload drops the rows its snapshot lacks: the device's cut changed. */
export const CUT_PENDING = 'cutPending';

/**
 * Keeps `assigned` in the credential if it is newer; true when the profile or room changed. A
 * move marks every server of the device (`servers`) for a cut: the next reload from each drops
 * what the new cut leaves out (src/device/snapshot.ts). Only a move does: a reload for being far
 * behind, or from a relay that lost its disk, keeps the rows its snapshot lacks — a relay still
 * refilling may not hold them yet, and a dropped row would come back older from it.
 */
export async function adoptAssignment(
  db: EscaleDb,
  assigned: Assigned,
  servers: readonly string[] = [],
): Promise<boolean> {
  return db.transaction('rw', db.meta, async () => {
    const held = await getMeta<Credential>(db, META.credential);
    if (!held || assigned.at <= (held.assignedAt ?? -1)) return false;
    const moved = held.profile !== assigned.profile || held.roomId !== assigned.roomId;
    if (moved) {
      const pending = (await getMeta<string[]>(db, CUT_PENDING)) ?? [];
      await db.meta.put({ key: CUT_PENDING, value: [...new Set([...pending, ...servers])] });
    }
    await db.meta.put({
      key: META.credential,
      value: {
        ...held,
        profile: assigned.profile,
        roomId: assigned.roomId,
        assignedAt: assigned.at,
      },
    });
    return moved;
  });
}

/** The profile this device plays now (null before enrolment). */
export async function heldProfile(db: EscaleDb): Promise<Credential['profile'] | null> {
  return (await getMeta<Credential>(db, META.credential))?.profile ?? null;
}
