// Runs in Chromium (search.after_write_p95_ms_50k): a reception device holding the registry, its
// search kept as the reception screen keeps it — usePatientIndex (src/ui/reception/
// reception-data.ts): a Dexie live query over allPatients (src/device/queries.ts), the index
// built once (buildSearchIndex) then brought up to date on each emission (refreshIndex), and
// PatientSearch's searchIndex(index, query, 20) run on the new index — timed from a patient
// written here (the write path, with its audit event, as reception registers one) or pulled (its
// ops applied by applyRemote, as a pull applies a page) until the search finds it. React's
// render of the list is not in it.
import { Dexie, liveQuery } from 'dexie';
import { auditChange } from '../../../src/device/audit-change';
import { loadCipher } from '../../../src/device/cipher';
import { currentDataKey, DATA_KEY_BYTES, setDataKey } from '../../../src/device/data-key';
import { EscaleDb, META } from '../../../src/device/db';
import { enableEncryption } from '../../../src/device/encryption';
import { allPatients } from '../../../src/device/queries';
import { applyRemote, writeChanges } from '../../../src/device/write';
import type { Patient } from '../../../src/domain/entities';
import {
  buildSearchIndex,
  refreshIndex,
  type SearchIndex,
  searchIndex,
} from '../../../src/domain/identity';
import { rowsToOps } from '../../../src/server/seed/ops';
import type { Op } from '../../../src/sync/op';
import type { SeqOp } from '../../../src/sync/protocol';
import { frenchPatients } from '../identities';

const ORG = 'org-bench';
const DEVICE = 'device-reception';
const CHECKPOINT = META.checkpoint('bench');

let db: EscaleDb | null = null;
let index: SearchIndex<Patient> | null = null;
let emissions = 0;
/** Called on each new index (as React renders PatientSearch with it). */
let onIndex: ((index: SearchIndex<Patient>) => void) | null = null;
let nextSeq = 1;
/** When the live query started reading, and when it handed rows over (for the breakdown). */
const queryStarts: number[] = [];
const emitted: number[] = [];

/** Ops in pages of at most 512 KiB of JSON (the server's page), numbered on. */
function paged(ops: readonly Op[]): SeqOp[][] {
  const pages: SeqOp[][] = [];
  let page: SeqOp[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = JSON.stringify(op).length;
    if (bytes + size > 512 * 1024 && page.length > 0) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push({ s: nextSeq++, op });
    bytes += size;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

export interface Prepared {
  identities: number;
  ops: number;
  applyMs: number;
  indexMs: number;
}

/** A sealed device (as src/main.tsx opens it, unlocked) that pulled the registry. */
async function prepareSearchWrite(identities: number): Promise<Prepared> {
  await loadCipher();
  if (!currentDataKey()) setDataKey(crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES)));
  await Dexie.delete('bench-search-write');
  db = new EscaleDb('bench-search-write');
  enableEncryption(db);
  await db.open();
  await db.meta.bulkPut([
    { key: META.deviceId, value: DEVICE },
    { key: META.org, value: ORG },
  ]);
  const ops = rowsToOps(ORG, 'central-seed', { patient: frenchPatients(identities, ORG, 72) });
  const t0 = performance.now();
  for (const page of paged(ops)) await applyRemote(db, page, CHECKPOINT);
  const t1 = performance.now();
  const open = db;
  await new Promise<void>((resolve) => {
    liveQuery(async () => {
      queryStarts.push(performance.now());
      return (await allPatients(open)).filter((p) => !p._deleted);
    }).subscribe({
      next(patients) {
        emissions++;
        emitted.push(performance.now());
        if (!index) index = buildSearchIndex(patients);
        else refreshIndex(index, patients);
        const fresh = { ...index }; // a new object over the same entries, as the hook returns
        onIndex?.(fresh);
        resolve();
      },
    });
  });
  return { identities, ops: ops.length, applyMs: t1 - t0, indexMs: performance.now() - t1 };
}

export interface WriteSearchRun {
  local: number[];
  pulled: number[];
  emissions: number;
  /** Per write (ms): its transaction; commit → live query's read starts; the read; the index
   * refresh and the search. */
  parts: { commitMs: number[]; untilQueryMs: number[]; queryMs: number[]; indexSearchMs: number[] };
}

/** Until the search for `query` finds `id` on an index the live query hands over. */
function foundAfter(query: string, id: string): Promise<number> {
  return new Promise((resolve) => {
    onIndex = (fresh) => {
      if (searchIndex(fresh, query, 20).some((hit) => hit.record.id === id)) {
        onIndex = null;
        resolve(performance.now());
      }
    };
  });
}

function queryOf(p: Patient): string {
  const [y, m, d] = (p.birthDate ?? '').split('-');
  return `${p.birthName} ${p.firstNames.split(' ')[0]} ${d}/${m}/${y}`;
}

/**
 * `count` new patients, alternately registered here and pulled from another device (each half
 * timed), `seed` choosing who they are.
 */
async function benchSearchWrite(count: number, seed: number): Promise<WriteSearchRun> {
  if (!db) throw new Error('prepareSearchWrite first');
  const open = db;
  const newcomers = frenchPatients(count, ORG, seed);
  const run: WriteSearchRun = {
    local: [],
    pulled: [],
    emissions: 0,
    parts: { commitMs: [], untilQueryMs: [], queryMs: [], indexSearchMs: [] },
  };
  let otherSeq = 0;
  for (const [i, p] of newcomers.entries()) {
    const { id, ...fields } = p;
    const found = foundAfter(queryOf(p), id);
    const ops =
      i % 2 === 0
        ? null
        : // Another device's registration, as its ops arrive in a pulled page.
          paged(
            rowsToOps(ORG, `device-other-${seed}`, { patient: [p] }).map((op) => ({
              ...op,
              seq: ++otherSeq,
            })),
          );
    const mark = queryStarts.length;
    const t0 = performance.now();
    if (ops === null) {
      await writeChanges(open, { deviceId: DEVICE, org: ORG, userId: 'staff-desk' }, [
        { entity: 'patient', id, set: fields },
        auditChange(
          { org: ORG, deviceId: DEVICE, actorId: 'staff-desk' },
          { action: 'patient.created', entity: 'patient', entityId: id, detail: null },
        ),
      ]);
    } else {
      for (const page of ops) await applyRemote(open, page, CHECKPOINT);
    }
    const committed = performance.now();
    const t = await found;
    (ops === null ? run.local : run.pulled).push(t - t0);
    // Where the time went: the write's transaction, the live query's wake-up, its read of the
    // registry, the index refresh and the search.
    const q = queryStarts[queryStarts.length - 1] ?? committed;
    const e = emitted[emitted.length - 1] ?? t;
    if (queryStarts.length > mark) {
      run.parts.commitMs.push(committed - t0);
      run.parts.untilQueryMs.push(q - committed);
      run.parts.queryMs.push(e - q);
      run.parts.indexSearchMs.push(t - e);
    }
  }
  run.emissions = emissions;
  return run;
}

Object.assign(globalThis, { prepareSearchWrite, benchSearchWrite });
