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
const counts = {
  reads: 0,
  writes: 0,
  readRecords: 0,
  writtenRecords: 0,
  sealedRecords: 0,
  /** Characters of the sealed records' `_enc` (base64 of nonce‖ciphertext‖tag), all tables. */
  sealedChars: 0,
  /** Of which the merge states', and the outbox's. */
  sealedStateChars: 0,
  sealedOutboxChars: 0,
};

/** Records written per table (rows' tables as `rows`). */
const writtenBy: Record<string, number> = {};

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
              const group = ['states', 'outbox', 'meta'].includes(name) ? name : 'rows';
              writtenBy[group] = (writtenBy[group] ?? 0) + ('values' in req ? values.length : 1);
              for (const v of values) {
                const enc = (v as { _enc?: unknown } | null)?._enc;
                if (typeof enc !== 'string') continue;
                counts.sealedRecords++;
                counts.sealedChars += enc.length;
                if (name === 'states') counts.sealedStateChars += enc.length;
                if (name === 'outbox') counts.sealedOutboxChars += enc.length;
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

/** What the anchor (one bulkPut per table touched, one outbox record) would send, per action;
 * `sealedChars`: its sealed records' `_enc` length, reckoned from their JSON (base64 of 12 bytes of
 * nonce, the JSON and 16 of tag, as encryption.ts seals). */
function anchorCounts(count: number) {
  const clinical = new Set<string>(ENCRYPTED_ENTITIES);
  const enc = (json: string) =>
    4 * Math.ceil((12 + new TextEncoder().encode(json).length + 16) / 3);
  const rowsNow = new Map<string, Record<string, unknown>>();
  let writes = 0;
  let records = 0;
  let sealed = 0;
  let sealedChars = 0;
  for (const action of referenceDay().actions.slice(0, count)) {
    const rows = new Set(action.changes.map((c) => `${c.entity}\u0000${c.id}`));
    writes += new Set(action.changes.map((c) => c.entity)).size + 1;
    records += rows.size + 1;
    for (const c of action.changes) {
      const key = `${c.entity}\u0000${c.id}`;
      const row = { ...(rowsNow.get(key) ?? { id: c.id }) };
      if ('insert' in c) Object.assign(row, c.insert);
      else if ('set' in c) Object.assign(row, c.set);
      rowsNow.set(key, row);
    }
    for (const r of rows) {
      if (!clinical.has(r.split('\u0000')[0]!)) continue;
      sealed++;
      const { id: _id, ...rest } = rowsNow.get(r)!;
      sealedChars += enc(JSON.stringify(rest));
    }
    if (action.changes.some((c) => clinical.has(c.entity))) {
      sealed++;
      sealedChars += enc(
        JSON.stringify({ at: action.at, user: action.staffId, changes: action.changes }),
      );
    }
  }
  return { writes, writtenRecords: records, sealedRecords: sealed, sealedChars };
}

/** Writes the day's first `count` actions on a fresh sealed database; ms per action. */
async function profileWrite(count: number): Promise<{
  ms: number[];
  ops: number;
  counts: typeof counts;
  writtenBy: Record<string, number>;
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
  for (const k of Object.keys(writtenBy)) delete writtenBy[k];
  for (const action of day.actions.slice(0, count)) {
    const ctx = { deviceId: day.devices[0]!, org: day.org, userId: action.staffId };
    const t = performance.now();
    ops += (await writeChanges(db, ctx, action.changes)).length;
    ms.push(performance.now() - t);
  }
  db.close();
  return {
    ms,
    ops,
    counts: { ...counts },
    writtenBy: { ...writtenBy },
    anchor: anchorCounts(count),
  };
}

Object.assign(globalThis, { profileWrite });
