// Writing an imported patient list (docs/decisions/0012-patient-import.md): the planned patients
// in batches, each batch one transaction of the write path (rows, outbox and an audit event
// together), so a batch lands whole or not at all; a batch already on the device (a second try
// after a failure) is skipped, so the import resumes where it stopped.
import { v7 as uuidv7 } from 'uuid';
import type { Patient } from '../domain/entities';
import { importBatches } from '../domain/patient-import';
import type { AuditNote } from './audit-change';
import type { EscaleDb } from './db';
import type { Change } from './write';

/** Patients per transaction: about 20 ops each, so a batch stays well under a push's limit. */
export const IMPORT_BATCH = 250;

/** The moment stamped on the imported patients and the ids they get: the device's, not the UI's. */
export function importStamp(): { now: string; newId(): string } {
  return { now: new Date().toISOString(), newId: () => uuidv7() };
}

/** The write path as the screen holds it (access check, audit, row + outbox). */
export type ImportWrite = (changes: Change[], audit: AuditNote) => Promise<void>;

export interface ImportProgress {
  /** Patients written or found already written. */
  done: number;
  total: number;
}

export interface ImportResult {
  written: number;
  /** Already on the device (written by an earlier, interrupted try). */
  skipped: number;
}

export async function writeImport(
  db: EscaleDb,
  write: ImportWrite,
  patients: readonly Patient[],
  options: {
    batchSize?: number;
    onProgress?(progress: ImportProgress): void;
  },
): Promise<ImportResult> {
  const batches = importBatches(patients, options.batchSize ?? IMPORT_BATCH);
  let done = 0;
  let written = 0;
  let skipped = 0;
  for (const batch of batches) {
    const held = await db.rows('patient').bulkGet(batch.map((p) => p.id));
    const todo = batch.filter((_, i) => held[i] === undefined);
    skipped += batch.length - todo.length;
    if (todo.length > 0) {
      await write(
        todo.map(({ id, _deleted, ...fields }) => ({ entity: 'patient', id, set: fields })),
        {
          action: 'patient.imported',
          entity: null,
          entityId: null,
          // How many patients this batch brought in (the journal shows it as it is).
          detail: String(todo.length),
        },
      );
      written += todo.length;
    }
    done += batch.length;
    options.onProgress?.({ done, total: patients.length });
  }
  return { written, skipped };
}
