// Runs in Chromium (search.after_write_p95_ms_50k): a reception device holding the registry, its
// search kept as the reception screen keeps it — usePatientIndex (src/ui/reception/
// reception-data.ts) is keepPatientIndex (src/device/patient-index.ts), called here as the hook
// calls it: the index built once from allPatients, then, for each committed change of patient
// rows, the changed rows read by id and patched in — and PatientSearch's searchIndex(index,
// query, 20) run on each new index. Timed from a patient written here (useWriter's writeAs, with
// its audit event, as reception registers one) or pulled (its ops applied by applyRemote, as a pull
// applies a page) until the search finds it. React's render of the list is not in it.
import { type DBCore, type DBCoreTable, Dexie } from 'dexie';
import { loadCipher } from '../../../src/device/cipher';
import { currentDataKey, DATA_KEY_BYTES, setDataKey } from '../../../src/device/data-key';
import { EscaleDb, META } from '../../../src/device/db';
import { enableEncryption } from '../../../src/device/encryption';
import { keepPatientIndex } from '../../../src/device/patient-index';
import { applyRemote } from '../../../src/device/write';
import type { Patient } from '../../../src/domain/entities';
import { type SearchIndex, searchIndex } from '../../../src/domain/identity';
import { rowsToOps } from '../../../src/server/seed/ops';
import type { Op } from '../../../src/sync/op';
import type { SeqOp } from '../../../src/sync/protocol';
import { writeAs } from '../../../src/ui/data/writer';
import { frenchPatients } from '../identities';

const ORG = 'org-bench';
const DEVICE = 'device-reception';
const CHECKPOINT = META.checkpoint('bench');

let db: EscaleDb | null = null;
let emissions = 0;
/** Called on each new index (as React renders PatientSearch with it). */
let onIndex: ((index: SearchIndex<Patient>) => void) | null = null;
let nextSeq = 1;
/** The patient table's reads as IndexedDB answers them (for the breakdown; not the keeper's
 * code): when each started and ended, and the rows it handed out. */
const reads: { start: number; end: number; rows: number }[] = [];

/** A registration's write transaction, traced by `traceWrites` (bench code, not the app's). */
interface TxTrace {
  /** Its first request issued (after the write path's own preparation). */
  firstStart: number;
  /** Its reads (the meta records and the merge states) answered. */
  readsEnd: number;
  /** Its first write issued (the ops built, checked, merged, materialised and sealed). */
  firstWrite: number;
  /** Its last request answered. */
  lastEnd: number;
  /** Its `complete` event (committed). */
  complete: number;
}

/** Set while a registration is written: its read-write transaction is traced. */
let tracing: { trans: object | null; trace: TxTrace } | null = null;

/** A DBCore layer next to IndexedDB (below the sealing middleware): the phases of the traced
 * write's transaction, from its requests as IndexedDB receives and answers them. */
function traceWrites(db: EscaleDb): void {
  db.use({
    stack: 'dbcore',
    name: 'bench-trace-write',
    level: 0,
    create(down: DBCore): Partial<DBCore> {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const table = down.table(name);
          const traced = <R>(trans: unknown, write: boolean, p: () => Promise<R>): Promise<R> => {
            const t = tracing;
            const tx = trans as IDBTransaction;
            if (!t || tx.mode !== 'readwrite' || (t.trans !== null && t.trans !== tx)) return p();
            const start = performance.now();
            if (t.trans === null) {
              t.trans = tx;
              t.trace.firstStart = start;
              tx.addEventListener('complete', () => {
                t.trace.complete = performance.now();
              });
            }
            if (write && t.trace.firstWrite === 0) t.trace.firstWrite = start;
            return p().then((r) => {
              const end = performance.now();
              if (!write && t.trace.firstWrite === 0) t.trace.readsEnd = end;
              t.trace.lastEnd = Math.max(t.trace.lastEnd, end);
              return r;
            });
          };
          return {
            ...table,
            get: (req) => traced(req.trans, false, () => table.get(req)),
            getMany: (req) => traced(req.trans, false, () => table.getMany(req)),
            query: (req) => traced(req.trans, false, () => table.query(req)),
            mutate: (req) => traced(req.trans, true, () => table.mutate(req)),
          };
        },
      };
    },
  });
}

/** A DBCore layer under the app's timing the patient table's reads. */
function timePatientReads(db: EscaleDb): void {
  db.use({
    stack: 'dbcore',
    name: 'bench-time-reads',
    level: 100,
    create(down: DBCore): Partial<DBCore> {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const table = down.table(name);
          if (name !== 'patient') return table;
          const timed = <R>(p: Promise<R>, count: (r: R) => number): Promise<R> => {
            const start = performance.now();
            return p.then((r) => {
              reads.push({ start, end: performance.now(), rows: count(r) });
              return r;
            });
          };
          return {
            ...table,
            getMany: (req) => timed(table.getMany(req), (vs) => vs.filter(Boolean).length),
            query: (req) => timed(table.query(req), (res) => res.result.length),
          };
        },
      };
    },
  });
}

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
  timePatientReads(db);
  traceWrites(db);
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
  await new Promise<void>((resolve, reject) => {
    // As usePatientIndex calls it: each new index goes to the screen.
    keepPatientIndex(
      open,
      (fresh) => {
        emissions++;
        onIndex?.(fresh);
        resolve();
      },
      { onError: reject },
    );
  });
  return { identities, ops: ops.length, applyMs: t1 - t0, indexMs: performance.now() - t1 };
}

export interface WriteSearchRun {
  local: number[];
  pulled: number[];
  emissions: number;
  /** Per write (ms): its transaction; commit → the index's read of the changed rows starts; that
   * read; the index patch and the search. */
  parts: { commitMs: number[]; untilQueryMs: number[]; queryMs: number[]; indexSearchMs: number[] };
  /** A registration's transaction (ms): the write path's preparation until its first request;
   * its reads; building the ops until its first write (merge, materialise, seal); its writes;
   * from its last answer until it is known committed (its `complete` event, which resumes the
   * caller); from then until the search finds the patient (the announcement, patch, search). */
  registration: {
    prepMs: number[];
    readsMs: number[];
    buildMs: number[];
    writesMs: number[];
    commitWaitMs: number[];
    untilFoundMs: number[];
  };
  /** Patient rows read per write (the changed rows by id, and the merged ones). */
  rowsRead: number[];
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
    registration: {
      prepMs: [],
      readsMs: [],
      buildMs: [],
      writesMs: [],
      commitWaitMs: [],
      untilFoundMs: [],
    },
    rowsRead: [],
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
    reads.length = 0;
    const t0 = performance.now();
    let registered: { trace: TxTrace; resumed: number } | null = null;
    if (ops === null) {
      const trace = { firstStart: 0, readsEnd: 0, firstWrite: 0, lastEnd: 0, complete: 0 };
      tracing = { trans: null, trace };
      // What reception's `register` hands to `useWriter`'s function (writeAs): the command,
      // its audit note; writeAs reads the device and organisation, then writes.
      await writeAs(open, { staffId: 'staff-desk', profile: 'reception' }, () => ({
        changes: [{ entity: 'patient', id, set: fields }],
        audit: { action: 'patient.created', entity: 'patient', entityId: id, detail: null },
      }));
      registered = { trace, resumed: performance.now() };
      tracing = null;
    } else {
      for (const page of ops) await applyRemote(open, page, CHECKPOINT);
    }
    const committed = performance.now();
    const t = await found;
    if (registered) {
      // Read once the index found it: this layer hears `complete` after Dexie's own handler,
      // whose resolution resumes the write's caller within the same event.
      const { trace, resumed } = registered;
      const known = Math.min(resumed, trace.complete || resumed);
      const r = run.registration;
      r.prepMs.push(trace.firstStart - t0);
      r.readsMs.push(trace.readsEnd - trace.firstStart);
      r.buildMs.push(trace.firstWrite - trace.readsEnd);
      r.writesMs.push(trace.lastEnd - trace.firstWrite);
      r.commitWaitMs.push(known - trace.lastEnd);
      r.untilFoundMs.push(t - known);
      registered = null;
    }
    (ops === null ? run.local : run.pulled).push(t - t0);
    // Where the time went: the write's transaction, the index's wake-up, its read of the changed
    // rows (the patient table's reads that started after the commit), the patch and the search.
    // (The keeper may start reading before the write's promise has resumed this loop.)
    // Since the second pass a change committed here is patched in from the rows it wrote: no
    // read, and the index's patch and search are timed from the write's resumption.
    const after = reads.filter((r) => r.start >= t0 && r.end <= t);
    run.parts.commitMs.push(committed - t0);
    run.rowsRead.push(after.reduce((n, r) => n + r.rows, 0));
    if (after.length > 0) {
      const q = Math.max(committed, Math.min(...after.map((r) => r.start)));
      const e = Math.max(...after.map((r) => r.end));
      run.parts.untilQueryMs.push(q - committed);
      run.parts.queryMs.push(e - q);
      run.parts.indexSearchMs.push(t - e);
    } else {
      // 0 when the index found it before the write's promise resumed this loop.
      run.parts.indexSearchMs.push(Math.max(0, t - committed));
    }
  }
  run.emissions = emissions;
  return run;
}

Object.assign(globalThis, { prepareSearchWrite, benchSearchWrite });
