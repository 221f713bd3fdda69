// Runs in Chromium (scripts/bench/profile-write.ts): the reference day's first user actions
// written by the write path alone on a sealed database (as src/main.tsx opens it, a data key in
// memory), so a CPU profile taken around it shows where a write action's time goes.
import { Dexie } from 'dexie';
import { loadCipher } from '../../../src/device/cipher';
import { currentDataKey, DATA_KEY_BYTES, setDataKey } from '../../../src/device/data-key';
import { EscaleDb, META } from '../../../src/device/db';
import { ENCRYPTED_ENTITIES, enableEncryption } from '../../../src/device/encryption';
import { writeChanges } from '../../../src/device/write';
import { referenceDay } from '../day';

let run = 0;

/** IndexedDB requests seen below the sealing middleware (what reaches IndexedDB), per kind. */
const counts = { reads: 0, writes: 0, readRecords: 0, writtenRecords: 0, sealedRecords: 0 };

/** Counts requests and records under the sealing middleware (level 1.5): sealed ones have `_enc`. */
function countRequests(db: Dexie): void {
  db.use({
    stack: 'dbcore',
    name: 'bench-count',
    level: 1,
    create(down) {
      return {
        ...down,
        table(name) {
          const t = down.table(name);
          return {
            ...t,
            mutate(req) {
              counts.writes++;
              const values = 'values' in req ? (req.values as unknown[]) : [];
              counts.writtenRecords += 'values' in req ? values.length : 1;
              for (const v of values) {
                if (typeof (v as { _enc?: unknown } | null)?._enc === 'string')
                  counts.sealedRecords++;
              }
              return t.mutate(req);
            },
            get(req) {
              counts.reads++;
              counts.readRecords++;
              return t.get(req);
            },
            getMany(req) {
              counts.reads++;
              counts.readRecords += req.keys.length;
              return t.getMany(req);
            },
            query(req) {
              counts.reads++;
              return t.query(req).then((r) => {
                counts.readRecords += r.result.length;
                return r;
              });
            },
            openCursor(req) {
              counts.reads++;
              return t.openCursor(req);
            },
            count(req) {
              counts.reads++;
              return t.count(req);
            },
          };
        },
      };
    },
  });
}

/** What the anchor (one bulkPut per table touched, one outbox record) would send, per action. */
function anchorCounts(count: number) {
  const clinical = new Set<string>(ENCRYPTED_ENTITIES);
  let writes = 0;
  let records = 0;
  let sealed = 0;
  for (const action of referenceDay().actions.slice(0, count)) {
    const rows = new Set(action.changes.map((c) => `${c.entity}\u0000${c.id}`));
    writes += new Set(action.changes.map((c) => c.entity)).size + 1;
    records += rows.size + 1;
    sealed += [...rows].filter((r) => clinical.has(r.split('\u0000')[0]!)).length;
    if (action.changes.some((c) => clinical.has(c.entity))) sealed++;
  }
  return { writes, writtenRecords: records, sealedRecords: sealed };
}

/** Writes the day's first `count` actions on a fresh sealed database; ms per action. */
async function profileWrite(count: number): Promise<{
  ms: number[];
  ops: number;
  counts: typeof counts;
  anchor: ReturnType<typeof anchorCounts>;
}> {
  await loadCipher();
  if (!currentDataKey()) setDataKey(crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES)));
  const day = referenceDay();
  const name = `profile-write-${run++}`;
  await Dexie.delete(name);
  const db = new EscaleDb(name);
  enableEncryption(db);
  countRequests(db);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: day.devices[0]! },
    { key: META.org, value: day.org },
  ]);
  const ms: number[] = [];
  let ops = 0;
  for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] = 0;
  for (const action of day.actions.slice(0, count)) {
    const ctx = { deviceId: day.devices[0]!, org: day.org, userId: action.staffId };
    const t = performance.now();
    ops += (await writeChanges(db, ctx, action.changes)).length;
    ms.push(performance.now() - t);
  }
  db.close();
  return { ms, ops, counts: { ...counts }, anchor: anchorCounts(count) };
}

Object.assign(globalThis, { profileWrite });
