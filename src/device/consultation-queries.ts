// Reads of the consultation rooms and of supervision: a note with its vitals, signatures and
// addenda; the note of a queue entry; the notes awaiting validation.
import type { Addendum, Consultation, Signature, Vitals } from '../domain/entities';
import type { EscaleDb } from './db';

export interface ConsultationFile {
  consultation: Consultation;
  vitals: Vitals[];
  signatures: Signature[];
  addenda: Addendum[];
}

const byAt = <T extends { at: string }>(a: T, b: T) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/** A note and everything attached to it, oldest first (undefined: not on this device). */
export async function consultationFile(
  db: EscaleDb,
  id: string,
): Promise<ConsultationFile | undefined> {
  const consultation = await db.rows('consultation').get(id);
  if (!consultation || consultation._deleted) return undefined;
  const [vitals, signatures, addenda] = await Promise.all([
    db.rows('vitals').where('consultationId').equals(id).toArray(),
    db.rows('signature').where('consultationId').equals(id).toArray(),
    db.rows('addendum').where('consultationId').equals(id).toArray(),
  ]);
  return {
    consultation,
    vitals: vitals.sort((a, b) => (a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : 0)),
    signatures: signatures.sort(byAt),
    addenda: addenda.sort(byAt),
  };
}

/** The note opened for a queue entry, if any. */
export async function consultationOfEntry(
  db: EscaleDb,
  queueEntryId: string,
): Promise<Consultation | undefined> {
  const list = await db.rows('consultation').where('queueEntryId').equals(queueEntryId).toArray();
  return list.find((c) => !c._deleted);
}

/** Notes signed by their author and awaiting validation, oldest first. */
export async function consultationsAwaitingValidation(db: EscaleDb): Promise<Consultation[]> {
  const list = await db.rows('consultation').where('status').equals('to_validate').toArray();
  return list
    .filter((c) => !c._deleted)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** An author's notes still open on their side: drafts not signed and notes returned to them. */
export async function openNotesOf(db: EscaleDb, authorId: string): Promise<Consultation[]> {
  const list = await db.rows('consultation').where('authorId').equals(authorId).toArray();
  return list
    .filter((c) => !c._deleted && (c.status === 'draft' || c.status === 'returned'))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** An author's signed notes of a stop (awaiting validation or validated), oldest first: where the
 * room finds them again to print their documents once the patient has left. */
export async function signedNotesOf(
  db: EscaleDb,
  authorId: string,
  stopId: string,
): Promise<Consultation[]> {
  const list = await db.rows('consultation').where('authorId').equals(authorId).toArray();
  return list
    .filter(
      (c) =>
        !c._deleted &&
        c.stopId === stopId &&
        (c.status === 'to_validate' || c.status === 'validated'),
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}
