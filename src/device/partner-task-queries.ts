// Reads of the tasks central hands to its partner components (src/domain/partner-tasks.ts): a
// note's (billed, prescription issued…) and the organisation's, for the coordination's list.
import type { PartnerTask } from '../domain/entities';
import type { EscaleDb } from './db';

/** The tasks of a note, oldest first. */
export async function partnerTasksOf(db: EscaleDb, consultationId: string): Promise<PartnerTask[]> {
  const rows = await db
    .rows('partnerTask')
    .where('consultationId')
    .equals(consultationId)
    .toArray();
  return rows.filter((r) => !r._deleted).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Every task this device holds. */
export async function allPartnerTasks(db: EscaleDb): Promise<PartnerTask[]> {
  return (await db.rows('partnerTask').toArray()).filter((r) => !r._deleted);
}
