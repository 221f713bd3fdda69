// Runs in Chromium (scripts/bench/profile-write.ts): the reference day's first user actions
// written by the write path alone on a sealed database (as src/main.tsx opens it, a data key in
// memory), so a CPU profile taken around it shows where a write action's time goes.
import { Dexie } from 'dexie';
import { loadCipher } from '../../../src/device/cipher';
import { currentDataKey, DATA_KEY_BYTES, setDataKey } from '../../../src/device/data-key';
import { EscaleDb, META } from '../../../src/device/db';
import { enableEncryption } from '../../../src/device/encryption';
import { writeChanges } from '../../../src/device/write';
import { referenceDay } from '../day';

let run = 0;

/** Writes the day's first `count` actions on a fresh sealed database; ms per action. */
async function profileWrite(count: number): Promise<{ ms: number[]; ops: number }> {
  await loadCipher();
  if (!currentDataKey()) setDataKey(crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES)));
  const day = referenceDay();
  const name = `profile-write-${run++}`;
  await Dexie.delete(name);
  const db = new EscaleDb(name);
  enableEncryption(db);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: day.devices[0]! },
    { key: META.org, value: day.org },
  ]);
  const ms: number[] = [];
  let ops = 0;
  for (const action of day.actions.slice(0, count)) {
    const ctx = { deviceId: day.devices[0]!, org: day.org, userId: action.staffId };
    const t = performance.now();
    ops += (await writeChanges(db, ctx, action.changes)).length;
    ms.push(performance.now() - t);
  }
  db.close();
  return { ms, ops };
}

Object.assign(globalThis, { profileWrite });
