// THE write path (docs/design.md §5 "One write path"). A local change becomes field ops that are
// validated, applied to the merge state, materialised into the row the screens read, and
// appended to the outbox — all in one IndexedDB transaction, so a closed tab or a bad value
// never leaves a row without its ops or ops without their row.
// Pulled ops go through applyRemote, which uses the same merge (src/sync) in bulk.
import type { Table } from 'dexie';
import { heldView } from '../domain/access';
import {
  ENTITY_NAMES,
  type EntityName,
  type EntityRows,
  entitySpec,
  SCHEMA_VERSION,
} from '../domain/entities';
import { COALESCE_BARRIERS, coalesced, coalescible } from '../sync/coalesce';
import { canonicalJson } from '../sync/digest';
import { SyncValidationError } from '../sync/errors';
import { DELETED_FIELD, INSERT_FIELD, type Registry } from '../sync/fields';
import { createClock, type HlcClock, receive, tick } from '../sync/hlc';
import { joinStates } from '../sync/join';
import {
  applyOp,
  baseOf,
  checkOpValue,
  materialise,
  partitionBySchema,
  type RowState,
  tagsOf,
  validateOp,
  withoutHead,
} from '../sync/merge';
import { isStorableName, MAX_NAME, type Op } from '../sync/op';
import type { SeqOp } from '../sync/protocol';
import type { Horizon } from '../sync/prune';
import { heldProfile } from './assignment';
import {
  deriveRow,
  type EscaleDb,
  getMeta,
  getWriter,
  META,
  type ParkedOp,
  type WriterMeta,
} from './db';
import { adoptAnnounced, pruneAt, prunedAt, stampPast } from './horizon';
import { notifyLocalWrite } from './local-writes';
import { actionRecord, firstOf, type OutboxRecord, opsOf, withOp } from './outbox';
import { requestPersistence } from './persistence';
import { setAsideSeqs } from './set-aside';

/** The domain's registry, as replication reads it. */
export const registry: Registry = entitySpec;

type Fields<K extends EntityName> = Omit<EntityRows[K], 'id' | '_deleted'>;
type ArrayFields<K extends EntityName> = {
  [F in keyof Fields<K>]-?: Fields<K>[F] extends readonly unknown[] ? F : never;
}[keyof Fields<K>];
type Elements<K extends EntityName> = {
  [F in ArrayFields<K>]?: Fields<K>[F];
};

/** One change to one row. Several kinds may be combined on a mutable row (set + add + remove). */
export type Change = {
  [K in EntityName]:
    | {
        entity: K;
        id: string;
        /** New values of registers; an array on a set field replaces the set (adds and removes). */
        set?: Partial<Fields<K>>;
        add?: Elements<K>;
        remove?: Elements<K>;
      }
    /** The whole row of an immutable entity (vitals, signatures, addenda, audit…). */
    | { entity: K; id: string; insert: Fields<K> }
    | { entity: K; id: string; delete: true };
}[EntityName];

export interface WriteContext {
  deviceId: string;
  org: string;
  /** Staff id of the signed-in user, recorded on each op. */
  userId?: string;
  /** Wall clock (ms), injectable for tests. */
  now?: () => number;
}

type StateKey = `${string}\u0000${string}`;
const stateKey = (e: string, id: string): StateKey => `${e}\u0000${id}`;

/** The clock of this device; a clock saved for another device id (after a wipe) starts anew. */
function clockOf(saved: HlcClock | undefined, deviceId: string): HlcClock {
  return saved && saved.node === deviceId ? saved : createClock(deviceId);
}

/** Writes the materialised rows of the touched states: put live rows, remove deleted ones. */
async function storeRows(db: EscaleDb, states: Iterable<RowState>): Promise<void> {
  const puts = new Map<string, Record<string, unknown>[]>();
  const dels = new Map<string, string[]>();
  for (const st of states) {
    const row = materialise(st, registry);
    if (row._deleted === true) {
      const list = dels.get(st.e) ?? [];
      list.push(st.id);
      dels.set(st.e, list);
    } else {
      const list = puts.get(st.e) ?? [];
      list.push(deriveRow(st.e, row));
      puts.set(st.e, list);
    }
  }
  const work: Promise<unknown>[] = [];
  for (const [e, rows] of puts) work.push(db.table(e).bulkPut(rows));
  for (const [e, ids] of dels) work.push(db.table(e).bulkDelete(ids));
  await Promise.all(work);
}

function entityTables(db: EscaleDb, entities: Iterable<string>): Table[] {
  const out: Table[] = [];
  for (const e of new Set(entities)) {
    if (!registry(e)) throw new Error(`Entité inconnue : ${e}`);
    out.push(db.table(e));
  }
  return out;
}

/** Entity + row + field of an op: the register it writes. */
const fieldKey = (op: Op): string => `${op.e}\u0000${op.id}\u0000${op.f}`;

/** A register's latest op in the outbox, as the fold index (META.fold) keeps it. */
interface FoldEntry {
  seq: number;
  hlc: string;
}

/** A row's fold index record: its registers' latest ops, by field. */
type FoldRecord = Record<string, FoldEntry>;

/** The fold records read for this write, by META.fold key (only rows with a state). */
type FoldRecords = Map<string, FoldRecord>;

/** A record of the fold index as stored (a record of the old per-field form is not one). */
function foldRecordOf(value: unknown): FoldRecord | undefined {
  if (typeof value !== 'object' || value === null || 'seq' in value) return undefined;
  return value as FoldRecord;
}

/**
 * The fold index's records to write after this write: per row with set ops, the row's record read
 * before (its other fields' entries kept) updated with this write's latest set op of each field.
 */
function foldRecordsAfter(
  written: readonly Op[],
  read: FoldRecords,
): { key: string; value: FoldRecord }[] {
  const out = new Map<string, FoldRecord>();
  for (const op of written) {
    if (op.k !== 'set') continue;
    const key = META.fold(op.e, op.id);
    let rec = out.get(key);
    if (!rec) {
      rec = { ...read.get(key) };
      out.set(key, rec);
    }
    rec[op.f] = { seq: op.seq, hlc: op.hlc };
  }
  return [...out].map(([key, value]) => ({ key, value }));
}

interface Unoffered {
  /** The outbox records holding the ops `foldable` may return, by key. */
  records: Map<number, OutboxRecord>;
  /** The fold index's records read (rows with a state and set fields), by key. */
  folds: FoldRecords;
  /** The op `op` may replace, if any. */
  foldable(op: Op): Op | undefined;
  /** Records an op just written (it may be replaced by a later one of the same write). */
  note(op: Op): void;
  /** The last signature or addendum written (no value is folded across it). */
  barrier(): number;
}

/**
 * The latest unoffered op of each register this write sets on a row that already has a merge
 * state (a row without one has no op anywhere to fold into: a registration costs no read), and
 * the last signature or addendum: a value is never folded across one, so what was signed reaches
 * the others as it was signed. Found through the fold index (META.fold: one small record per
 * row, its registers' latest ops' seq and hlc), so only the records holding those ops are read and
 * opened, never the whole unoffered outbox (a device offline all day holds thousands of ops).
 * Ops at or below `offered` (META.offered, which the sync client raises before it reads a slice
 * to push) may have reached a server: never folded into.
 */
async function unofferedOps(
  db: EscaleDb,
  offered: number,
  savedBarrier: number,
  changes: readonly Change[],
  hasState: (c: Change) => boolean,
  /** The fold index's records of the rows set here, read with the write's first requests. */
  foldIndex: ReadonlyMap<string, unknown>,
): Promise<Unoffered> {
  const latest = new Map<string, Op>();
  const records = new Map<number, OutboxRecord>();
  let barrier = Math.max(offered, savedBarrier);
  const note = (op: Op): void => {
    if (COALESCE_BARRIERS.has(op.e)) barrier = Math.max(barrier, op.seq);
    latest.set(fieldKey(op), op);
  };
  const folds: FoldRecords = new Map();
  /** The fields set here, by fold key of their row. */
  const rows = new Map<string, Set<string>>();
  for (const c of changes) {
    if (!('set' in c) || !hasState(c)) continue;
    const key = META.fold(c.entity, c.id);
    const fields = rows.get(key) ?? new Set<string>();
    for (const f of Object.keys(c.set ?? {})) fields.add(f);
    rows.set(key, fields);
  }
  if (rows.size > 0) {
    const seqs = new Set<number>();
    for (const [key, fields] of rows) {
      const rec = foldRecordOf(foldIndex.get(key));
      if (!rec) continue;
      folds.set(key, rec);
      for (const f of fields) {
        const seq = Object.hasOwn(rec, f) ? rec[f]!.seq : undefined;
        if (seq !== undefined && seq > barrier) seqs.add(seq);
      }
    }
    try {
      // The record holding op `s` is the first whose key (its last op's seq) is at least `s`.
      const held = await Promise.all(
        [...seqs].map((s) => db.outbox.where('seq').aboveOrEqual(s).first()),
      );
      for (const rec of held) {
        if (!rec) continue;
        records.set(rec.seq, rec);
        for (const op of opsOf(rec)) if (seqs.has(op.seq)) latest.set(fieldKey(op), op);
      }
    } catch (error) {
      // A locked device cannot open its sealed ops: nothing is folded, everything is sent.
      if ((error as Error | null)?.name !== 'DataLockedError') throw error;
    }
  }
  return {
    records,
    folds,
    foldable(op) {
      if (op.k !== 'set') return undefined;
      const prev = latest.get(fieldKey(op));
      return prev && prev.seq > barrier && coalescible(prev, op, registry) ? prev : undefined;
    },
    note,
    barrier: () => barrier,
  };
}

/** Databases whose storage persistence this page has asked for and recorded (persistence.ts). */
const persistenceAsked = new WeakSet<EscaleDb>();

/** Row ids as every store keeps them (the server refuses others): checked once per change. */
function checkRowId(c: Change): void {
  if (
    typeof c.id !== 'string' ||
    c.id.length === 0 ||
    c.id.length > MAX_NAME ||
    !isStorableName(c.id)
  ) {
    throw new SyncValidationError(
      'invalid_value',
      `Identifiant de ligne invalide pour ${c.entity} : vide, trop long ou caractère de contrôle`,
      c.entity,
      'id',
    );
  }
}

/**
 * Records one user action's changes: one op per field (per element for sets), their values
 * checked against the domain's schemas (French error on a bad one, then nothing is stored),
 * applied to the merge state and the rows, and queued in the outbox as ONE record holding the
 * action's ops (outbox.ts), all in one transaction. An op folded into an unoffered earlier
 * value (src/sync/coalesce.ts) takes that value's place in its own record. Returns the ops
 * written. The ops' envelope is built here from the device's own state: it is not parsed again
 * (checkOpValue, not validateOp); servers validate every op they receive.
 */
export async function writeChanges(
  db: EscaleDb,
  ctx: WriteContext,
  changes: readonly Change[],
): Promise<Op[]> {
  if (changes.length === 0) return [];
  const now = ctx.now ?? Date.now;
  const tables = [
    ...entityTables(
      db,
      changes.map((c) => c.entity),
    ),
    db.states,
    db.outbox,
    db.meta,
  ];
  for (const c of changes) checkRowId(c);
  const ops = await db.transaction('rw', tables, async () => {
    const keys = [...new Set(changes.map((c) => stateKey(c.entity, c.id)))];
    // One read of the meta records and one of the states: the fewer requests, the less a
    // phone waits on IndexedDB. The writer's meta is ONE record (clock, last sequence, offered,
    // fold barrier: META.writer); the fold index's records of the rows this write sets come in
    // the same request (a new row has none: a miss costs less than a second round trip).
    const foldKeys = [
      ...new Set(changes.filter((c) => 'set' in c).map((c) => META.fold(c.entity, c.id))),
    ];
    const [metas, loaded] = await Promise.all([
      // The adopted horizon comes in the same request: the rows this write rewrites are pruned
      // there (decision 0027) at no extra read.
      db.meta.bulkGet([META.writer, META.horizon, ...foldKeys]),
      db.states.bulkGet(keys.map((k) => k.split('\u0000') as [string, string])),
    ]);
    const saved = (metas[0]?.value as WriterMeta | undefined) ?? {};
    let clock = clockOf(saved.clock, ctx.deviceId);
    const startSeq = saved.lastSeq ?? 0;
    // A device that never synced since it learnt to fold values starts from here.
    const offered = saved.offered ?? startSeq;
    let seq = startSeq;
    const states = new Map<StateKey, RowState | undefined>();
    keys.forEach((k, i) => {
      states.set(k, loaded[i]);
    });
    /** Every op this write returns, folded ones included; `fresh`: those of its own record. */
    const written: Op[] = [];
    const fresh: Op[] = [];
    /** Earlier outbox records an op of this write was folded into, by key. */
    const rewritten = new Map<number, OutboxRecord>();
    const savedBarrier = saved.foldBarrier ?? 0;
    const horizon = (metas[1]?.value as string | undefined) ?? null;
    const foldIndex = new Map(foldKeys.map((k, i) => [k, metas[2 + i]?.value]));
    const pending = await unofferedOps(
      db,
      offered,
      savedBarrier,
      changes,
      (c) => Boolean(states.get(stateKey(c.entity, c.id))),
      foldIndex,
    );

    const emit = (c: Change, f: string, k: Op['k'], extra: Partial<Op>): void => {
      const key = stateKey(c.entity, c.id);
      const t = tick(clock, now());
      clock = t.clock;
      let op: Op = {
        v: SCHEMA_VERSION,
        org: ctx.org,
        dev: ctx.deviceId,
        seq: seq + 1,
        hlc: t.hlc,
        ...(ctx.userId === undefined ? {} : { user: ctx.userId }),
        e: c.entity,
        id: c.id,
        f,
        k,
        ...extra,
      };
      checkOpValue(op, registry);
      const prev = pending.foldable(op);
      if (prev) {
        // The earlier value never left: the new one takes its place (src/sync/coalesce.ts).
        op = coalesced(prev, op);
        states.set(key, applyOp(withoutHead(states.get(key)!, f, prev.hlc), op, registry));
        const i = written.findIndex((w) => w.seq === op.seq);
        if (i >= 0) written[i] = op;
        else written.push(op);
        if (op.seq > startSeq) {
          const j = fresh.findIndex((w) => w.seq === op.seq);
          fresh[j] = op;
        } else {
          const recKey = [...pending.records.keys()].find(
            (r) => r >= op.seq && firstOf(pending.records.get(r)!) <= op.seq,
          )!;
          const rec = withOp(rewritten.get(recKey) ?? pending.records.get(recKey)!, op);
          rewritten.set(recKey, rec);
        }
      } else {
        seq = op.seq;
        states.set(key, applyOp(states.get(key), op, registry));
        written.push(op);
        fresh.push(op);
      }
      pending.note(op);
    };

    for (const c of changes) {
      const spec = registry(c.entity)!;
      const state = () => states.get(stateKey(c.entity, c.id));
      if ('insert' in c) {
        const { id: _ignored, ...val } = c.insert as Record<string, unknown>;
        emit(c, INSERT_FIELD, 'ins', { val });
        continue;
      }
      if ('delete' in c) {
        emit(c, DELETED_FIELD, 'del', { val: true, base: baseOf(state(), DELETED_FIELD) });
        continue;
      }
      for (const [f, val] of Object.entries(c.set ?? {})) {
        if (spec.fields[f]?.kind === 'set' && Array.isArray(val)) {
          // Replacing a set: remove what is no longer there, add what is new (add-wins).
          const current = new Map(
            (
              (materialise(state() ?? { e: c.entity, id: c.id, f: {} }, registry)[f] ??
                []) as unknown[]
            ).map((x) => [canonicalJson(x), x]),
          );
          const wanted = new Map(val.map((x) => [canonicalJson(x), x as unknown]));
          for (const [k, x] of current) {
            if (!wanted.has(k)) emit(c, f, 'rem', { val: x, tags: tagsOf(state(), f, x) });
          }
          for (const [k, x] of wanted) if (!current.has(k)) emit(c, f, 'add', { val: x });
          continue;
        }
        emit(c, f, 'set', { val, base: baseOf(state(), f) });
      }
      for (const [f, elems] of Object.entries(c.add ?? {})) {
        for (const x of elems as unknown[]) emit(c, f, 'add', { val: x });
      }
      for (const [f, elems] of Object.entries(c.remove ?? {})) {
        for (const x of elems as unknown[]) {
          emit(c, f, 'rem', { val: x, tags: tagsOf(state(), f, x) });
        }
      }
    }

    const touched = [...states.values()]
      .filter((s): s is RowState => s !== undefined)
      .map((s) => pruneAt(s, horizon));
    const records = [...rewritten.values()];
    if (fresh.length > 0) records.push(actionRecord(fresh));
    await Promise.all([
      db.states.bulkPut(touched),
      storeRows(db, touched),
      records.length > 0 ? db.outbox.bulkPut(records) : undefined,
      db.meta.bulkPut([
        {
          key: META.writer,
          value: {
            ...saved,
            clock,
            lastSeq: seq,
            offered,
            foldBarrier: Math.max(savedBarrier, pending.barrier()),
          } satisfies WriterMeta,
        },
        // The fold index: where the next value of each register set here may fold into.
        ...foldRecordsAfter(written, pending.folds),
      ]),
    ]);
    return written;
  });
  if (ops.length > 0) {
    notifyLocalWrite(db.name);
    // Asked once per database and page (it is asked once anyway): not a meta read per save.
    if (!persistenceAsked.has(db)) {
      void requestPersistence(db).then((info) => {
        if (info) persistenceAsked.add(db);
      });
    }
  }
  return ops;
}

/** Applies ops to the merge state and rows, in bulk. Returns the ops it could not apply. */
async function applyBatch(
  db: EscaleDb,
  ops: readonly Op[],
): Promise<{ failed: { op: Op; error: string }[] }> {
  const keys = new Map<StateKey, [string, string]>();
  for (const op of ops) keys.set(stateKey(op.e, op.id), [op.e, op.id]);
  const purged = await db.purged.bulkGet([...keys.values()]);
  [...keys.keys()].forEach((k, i) => {
    // Purged after a sync receipt: central holds it; this device must not rebuild half a row.
    if (purged[i]) keys.delete(k);
  });
  const list = [...keys.values()];
  const loaded = await db.states.bulkGet(list);
  const states = new Map<StateKey, RowState | undefined>();
  list.forEach(([e, id], i) => {
    states.set(stateKey(e, id), loaded[i]);
  });
  const before = new Map(states);
  // Rows changed here are pruned at the adopted horizon (decision 0027): held in hand already.
  const horizon = await prunedAt(db);
  const failed: { op: Op; error: string }[] = [];
  for (const op of ops) {
    const key = stateKey(op.e, op.id);
    if (!keys.has(key)) continue;
    try {
      validateOp(op, registry);
      states.set(key, applyOp(states.get(key), op, registry));
    } catch (err) {
      // The server validated it; a refusal here means this replica disagrees (e.g. an entity it
      // does not know). Kept aside, never dropped: nothing is silently lost.
      failed.push({ op, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const changed: RowState[] = [];
  for (const [k, st] of states) if (st && st !== before.get(k)) changed.push(pruneAt(st, horizon));
  if (changed.length > 0) {
    await db.states.bulkPut(changed);
    await storeRows(db, changed);
  }
  return { failed };
}

function parkedOf(op: Op, error?: string): ParkedOp {
  return error === undefined
    ? { dev: op.dev, seq: op.seq, v: op.v, op }
    : { dev: op.dev, seq: op.seq, v: op.v, op, error };
}

async function receiveAll(db: EscaleDb, ops: readonly Op[], now: number): Promise<void> {
  let max: string | undefined;
  for (const op of ops) if (max === undefined || op.hlc > max) max = op.hlc;
  if (max === undefined) return;
  const deviceId = await getMeta<string>(db, META.deviceId);
  const writer = await getWriter(db);
  const saved = writer.clock;
  const clock = saved ?? (deviceId ? createClock(deviceId) : undefined);
  if (!clock) return; // no identity yet: the first tick will start from the wall clock
  const next = receive(clock, max, now);
  if (next !== clock || !saved) {
    await db.meta.put({ key: META.writer, value: { ...writer, clock: next } });
  }
}

export interface ReplicaOptions {
  /** Wall clock (ms). */
  now?: () => number;
  /** The schema version this replica understands (tests simulate an upgrade with it). */
  schemaVersion?: number;
  /** The horizon the answer announced (central's, decision 0027): adopted with the checkpoint
   * once it reaches `seq` (src/device/horizon.ts). */
  horizon?: Horizon;
}

export interface ApplyRemoteResult {
  applied: number;
  parked: number;
  checkpoint: number;
}

/**
 * Applies a page of pulled ops in one transaction: ops of a newer schema are parked, the rest
 * merged; the checkpoint `checkpointKey` advances to `lastSeq` (default: the greatest `s`) in
 * the same transaction, so a crash never skips or half-applies a page.
 */
export async function applyRemote(
  db: EscaleDb,
  seqOps: readonly SeqOp[],
  checkpointKey: string,
  lastSeq?: number,
  options: ReplicaOptions = {},
): Promise<ApplyRemoteResult> {
  const now = options.now ?? Date.now;
  const ops = seqOps.map((x) => x.op);
  const { apply, park } = partitionBySchema(ops, options.schemaVersion ?? SCHEMA_VERSION);
  const known = new Set<string>();
  for (const op of apply) if (registry(op.e)) known.add(op.e);
  const tables = [...entityTables(db, known), db.states, db.parked, db.meta, db.purged];
  return db.transaction('rw', tables, async () => {
    const { failed } = await applyBatch(db, apply);
    const parked = [
      ...park.map((op) => parkedOf(op)),
      ...failed.map((x) => parkedOf(x.op, x.error)),
    ];
    if (parked.length > 0) await db.parked.bulkPut(parked);
    const current = (await getMeta<number>(db, checkpointKey)) ?? 0;
    let top = lastSeq ?? 0;
    for (const x of seqOps) if (x.s > top) top = x.s;
    const checkpoint = Math.max(current, top);
    if (checkpoint !== current) await db.meta.put({ key: checkpointKey, value: checkpoint });
    await receiveAll(db, ops, now());
    if (options.horizon) await adoptWithCheckpoint(db, options.horizon, checkpoint, now());
    return { applied: apply.length - failed.length, parked: parked.length, checkpoint };
  });
}

/** The horizon adopted in the checkpoint's transaction, and the clock moved past it: every op
 * this device writes later is above it (decision 0027). */
async function adoptWithCheckpoint(
  db: EscaleDb,
  announced: Horizon,
  checkpoint: number,
  now: number,
): Promise<void> {
  const adopted = await adoptAnnounced(db, announced, checkpoint);
  if (adopted !== null) await receiveStamp(db, stampPast(adopted), now);
}

/**
 * After an upgrade: applies the parked ops this version now understands and removes them from
 * the parking. Ops still refused stay parked.
 */
export async function replayParked(
  db: EscaleDb,
  options: Pick<ReplicaOptions, 'schemaVersion'> = {},
): Promise<{ replayed: number; kept: number }> {
  const tables = [...entityTables(db, ENTITY_NAMES), db.states, db.parked, db.meta, db.purged];
  return db.transaction('rw', tables, async () => {
    const ready = await db.parked
      .where('v')
      .belowOrEqual(options.schemaVersion ?? SCHEMA_VERSION)
      .toArray();
    if (ready.length === 0) return { replayed: 0, kept: await db.parked.count() };
    const { failed } = await applyBatch(
      db,
      ready.map((p) => p.op),
    );
    const stillFailing = new Set(failed.map((x) => `${x.op.dev}#${x.op.seq}`));
    await db.parked.bulkDelete(
      ready.filter((p) => !stillFailing.has(`${p.dev}#${p.seq}`)).map((p) => [p.dev, p.seq]),
    );
    if (failed.length > 0) await db.parked.bulkPut(failed.map((x) => parkedOf(x.op, x.error)));
    return { replayed: ready.length - failed.length, kept: await db.parked.count() };
  });
}

/**
 * Writes row states loaded from a snapshot (src/device/snapshot.ts) and their rows, with `meta`
 * records (its progress, and at the end its checkpoint), in one transaction. A row this device
 * wrote meanwhile keeps its own ops: they are merged again onto the snapshot's state, read from
 * the outbox and the kept copies (the device's ops are never in its snapshot: the pull leaves
 * them out).
 */
export async function storeSnapshotStates(
  db: EscaleDb,
  states: readonly RowState[],
  meta: readonly { key: string; value: unknown }[],
  parked: readonly ParkedOp[] = [],
  remove: readonly string[] = [],
  /** A reload over states held (src/device/snapshot.ts): rows purged after a receipt are not
   * written again, and the rows of `drop` (not in the snapshot) go, but for those an op of the
   * outbox names — typed since, or not yet pushed. */
  reload?: {
    drop: readonly (readonly [string, string])[];
    /** Rows taken back rather than joined (`entity\u0000id`): the snapshot's state and the
     * device's own ops not set aside, applied again (a refused op's value goes). */
    replace?: ReadonlySet<string>;
  },
  /** `fresh`: the device held no state when this load began (none of another server's load). */
  options: { fresh?: boolean } = {},
): Promise<void> {
  const tables = [
    ...entityTables(db, [...states.map((s) => s.e), ...(reload?.drop ?? []).map(([e]) => e)]),
    db.states,
    db.meta,
    db.outbox,
    db.sent,
    db.parked,
    db.purged,
  ];
  await db.transaction('rw', tables, async () => {
    let out = states;
    if (reload && states.length > 0) {
      const purged = await db.purged.bulkGet(states.map((s) => [s.e, s.id] as [string, string]));
      out = out.filter((_, i) => !purged[i]);
    }
    // Holding nothing but this load's rows (each row comes once) and no op of its own, a device
    // has nothing to join: the held states are not read (a fresh device's bootstrap, nearly
    // always; 2,000 reads a transaction saved). Ops typed since it became usable are joined.
    const skip =
      options.fresh === true &&
      !reload &&
      (await db.outbox.count()) + (await db.sent.count()) === 0;
    const held = skip
      ? []
      : await db.states.bulkGet(out.map((s) => [s.e, s.id] as [string, string]));
    if (reload) {
      // A reload: the held state joined in (src/sync/join.ts) — it holds the device's own ops,
      // and whatever it pulled that this server may not hold yet (a relay behind, a restore) —
      // cut to what the device's profile reads now (moved to the waiting-room screen, a row's
      // fields it no longer reads go), but for the fields its own unpushed ops write.
      const profile = await heldProfile(db);
      const own = new Map<string, Set<string>>();
      if (profile) {
        for (const op of (await db.outbox.toArray()).flatMap(opsOf)) {
          const key = `${op.e}\u0000${op.id}`;
          own.set(key, (own.get(key) ?? new Set()).add(op.f));
        }
      }
      const none = new Set<string>();
      // The device's ops a server did not refuse, for the rows taken back.
      const mine =
        reload.replace && reload.replace.size > 0
          ? await (async () => {
              const aside = await setAsideSeqs(db);
              // `sent` too: an op a relay took and central then refused is in both.
              return [...(await db.outbox.toArray()).flatMap(opsOf), ...(await db.sent.toArray())]
                .filter((op) => !aside.has(op.seq))
                .sort((a, b) => a.seq - b.seq);
            })()
          : [];
      out = out.map((st, i) => {
        const key = `${st.e}\u0000${st.id}`;
        let joined: RowState;
        if (reload.replace?.has(key)) {
          joined = st;
          for (const op of mine) {
            if (op.e === st.e && op.id === st.id) joined = applyOp(joined, op, registry);
          }
        } else {
          joined = held[i] ? joinStates(st, held[i]) : st;
        }
        return profile
          ? heldView({ profile }, joined, own.get(`${st.e}\u0000${st.id}`) ?? none)
          : joined;
      });
    } else if (held.some((h) => h !== undefined)) {
      // Rows already held — the device's own ops, or another server's snapshot or pulls (a load
      // from the relay resumed after central's completed, older than the relay's part written
      // first: simulation seed 229) — are joined, never replaced: a snapshot at S of one server
      // may be older than what the device holds of a row, and the checkpoint then moves past the
      // ops it lacks.
      out = out.map((st, i) => (held[i] ? joinStates(st, held[i]) : st));
    }
    await db.states.bulkPut([...out]);
    await storeRows(db, out);
    if (reload && reload.drop.length > 0) {
      // Named by an op not set aside: the row stays (a set-aside op keeps no row alive).
      const aside = await setAsideSeqs(db);
      const named = new Set(
        (await db.outbox.toArray())
          .flatMap(opsOf)
          .filter((op) => !aside.has(op.seq))
          .map((op) => `${op.e}\u0000${op.id}`),
      );
      const gone = reload.drop.filter(([e, id]) => !named.has(`${e}\u0000${id}`));
      const byEntity = new Map<string, string[]>();
      for (const [e, id] of gone) {
        const ids = byEntity.get(e) ?? [];
        ids.push(id);
        byEntity.set(e, ids);
      }
      for (const [e, ids] of byEntity) await db.table(e).bulkDelete(ids);
      await db.states.bulkDelete(gone.map(([e, id]) => [e, id] as [string, string]));
    }
    if (parked.length > 0) await db.parked.bulkPut([...parked]);
    if (meta.length > 0) await db.meta.bulkPut([...meta]);
    if (remove.length > 0) await db.meta.bulkDelete([...remove]);
  });
}

/** Moves the device's clock past a stamp it received (a snapshot's greatest). */
export async function receiveStamp(db: EscaleDb, hlc: string, now: number): Promise<void> {
  await db.transaction('rw', db.meta, () => receiveAll(db, [{ hlc } as Op], now));
}
