// Sealing what was written in clear, and opening the clinical data at an unlock (decision 0003).
// Loaded with the lock screens: nothing here runs before someone signs in or unlocks.
import { Dexie } from 'dexie';
import { currentDataKey } from './data-key';
import { type DataKeySecret, type OpenDataKeyResult, openDataKey } from './data-key-wrap';
import type { EscaleDb } from './db';
import {
  DataLockedError,
  ENCRYPTED_ENTITIES,
  ENCRYPTED_TABLES,
  isClinical,
  isRecord,
  isSealed,
  markRawTransaction,
  type Rec,
  recordAad,
  sealRecord,
} from './encryption';

const SEAL_CHUNK = 500;

/** Primary-key ranges of a table that may hold clinical records: the merge states are keyed by
 * [e+id], so only the clinical entities' ranges are read; other tables are read whole. */
function clinicalRanges(name: string): [unknown, unknown][] {
  if (name === 'states')
    return ENCRYPTED_ENTITIES.map((e) => [
      [e, Dexie.minKey],
      [e, Dexie.maxKey],
    ]);
  return [[Dexie.minKey, Dexie.maxKey]];
}

export interface SealOptions {
  /** The key in memory (default: the key ring). */
  key?: () => Uint8Array | null;
  /** Records read per transaction. */
  chunk?: number;
}

/**
 * Encrypts every clinical record still stored in clear (written before encryption, or while the
 * device had no data key). Idempotent; returns how many records it sealed. Needs the key in
 * memory. Works in chunks, one transaction each, reading raw records (no decryption).
 */
export async function sealExisting(db: Dexie, options: SealOptions = {}): Promise<number> {
  const key = options.key ?? currentDataKey;
  const chunk = options.chunk ?? SEAL_CHUNK;
  if (!key()) throw new DataLockedError();
  let sealed = 0;
  for (const [name, spec] of Object.entries(ENCRYPTED_TABLES)) {
    if (!db.tables.some((t) => t.name === name)) continue;
    const table = db.table(name);
    for (const [lower, upper] of clinicalRanges(name)) {
      let from = lower;
      let first = true;
      let more = true;
      while (more) {
        more = await db.transaction('rw', table, async (tx) => {
          markRawTransaction(tx.idbtrans);
          const pkOf = table.core.schema.primaryKey.extractKey!;
          const rows = (await table
            .where(':id')
            .between(from, upper, first, true)
            .limit(chunk)
            .toArray()) as unknown[];
          const k = key();
          if (!k) throw new DataLockedError();
          const clear = rows.filter(
            (r): r is Rec => isRecord(r) && !isSealed(r) && isClinical(spec, r),
          );
          if (clear.length > 0) {
            await table.bulkPut(
              clear.map((r) => sealRecord(r, spec.keep, k, recordAad(name, pkOf(r)))),
            );
            sealed += clear.length;
          }
          const last = rows.at(-1);
          if (last !== undefined) from = pkOf(last);
          first = false;
          return rows.length === chunk;
        });
      }
    }
  }
  return sealed;
}

/**
 * What the lock screen calls once a person's PIN (or the escrow secret) is accepted: puts the
 * data key in memory (openDataKey) and seals what is still in clear. Returns openDataKey's
 * result; `locked` when this secret opens no key of this device.
 */
export async function unlockClinicalData(
  db: EscaleDb,
  slot: string,
  secret: DataKeySecret,
): Promise<OpenDataKeyResult> {
  const result = await openDataKey(db, slot, secret);
  if (result !== 'locked') await sealExisting(db);
  return result;
}
