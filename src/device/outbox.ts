// The outbox holds one record per user action (issue #18 item 5): the action's ops, in order,
// under one key, so an action costs one outbox write and one seal, as in any app with a mutation
// queue. The wire is unchanged: the sync client pushes ops, sliced by bytes, and may cut an
// action in two; the server acknowledges ops by device sequence as before.
//
// A record's key (`seq`) is its LAST op's sequence, so every range the sync client asks for by
// key still means what it meant when each op was a record: `above(n)` finds every record
// holding an op above n, `belowOrEqual(n)` every record whose ops are all at or below n. Its
// ops are consecutive, `first`..`seq`; a later autosave folded into one of them
// (src/sync/coalesce.ts) takes its place and its sequence, so this never breaks. Records written
// before (one op per record, no `first`) are read as actions of one op: an upgrade loses nothing
// and needs no migration of sealed records (their key, which seals them, is unchanged).
// The ops are kept in the wire's compact envelope (src/sync/envelope.ts: the organisation, the
// device, the person and the clock said once, each op's stamp a delta): an action's record is
// about a third of its ops written out, and it is what gets sealed, written and opened. Records of
// the first form (`ops`, the ops written out) are read as they are.
import type { Dexie, Table } from 'dexie';
import { type CompactBatch, decodeOwnOps, encodeOps } from '../sync/envelope';
import type { Op } from '../sync/op';
import { ENCRYPTED_ENTITIES, markRawTransaction } from './encryption';

/** One user action's ops, as the outbox keeps them. */
export interface OutboxAction {
  /** The sequence of the action's last op: the record's key. */
  seq: number;
  /** The sequence of its first op (kept in clear beside the key, encryption.ts). */
  first: number;
  /** The entity the encryption middleware looks at: a clinical one when any op touches one. */
  e: string;
  /** The ops, `first`..`seq`, in order, in the compact envelope. */
  c: CompactBatch;
}

/** An action's record as written before the compact form (5 December 2026): the ops as they are. */
export interface OutboxActionOps {
  seq: number;
  first: number;
  e: string;
  ops: Op[];
}

/** An outbox record: an action, or an op written alone by an earlier version. */
export type OutboxRecord = OutboxAction | OutboxActionOps | Op;

export type OutboxTable = Table<OutboxRecord, number>;

const CLINICAL: ReadonlySet<string> = new Set(ENCRYPTED_ENTITIES);

function isCompactAction(rec: OutboxRecord): rec is OutboxAction {
  const c = (rec as Partial<OutboxAction>).c;
  return typeof c === 'object' && c !== null && Array.isArray(c.r);
}

function isOpsAction(rec: OutboxRecord): rec is OutboxActionOps {
  return Array.isArray((rec as Partial<OutboxActionOps>).ops);
}

/** The ops a record holds, in sequence order. */
export function opsOf(rec: OutboxRecord): Op[] {
  if (isCompactAction(rec)) return decodeOwnOps(rec.c);
  return isOpsAction(rec) ? rec.ops : [rec as Op];
}

/** The first sequence a record holds; readable on a sealed record (`first` stays in clear). */
export function firstOf(rec: { seq: number; first?: unknown }): number {
  return typeof rec.first === 'number' ? rec.first : rec.seq;
}

/** The record of an action's ops (consecutive sequences, at least one op). */
export function actionRecord(ops: readonly Op[]): OutboxAction {
  const first = ops[0];
  const last = ops[ops.length - 1];
  if (!first || !last) throw new Error('Une action sans opération n’a pas de place dans l’outbox.');
  const clinical = ops.find((op) => CLINICAL.has(op.e));
  return { seq: last.seq, first: first.seq, e: (clinical ?? first).e, c: encodeOps(ops) };
}

/** The record with the op of sequence `op.seq` replaced by `op` (a folded autosave). */
export function withOp(rec: OutboxRecord, op: Op): OutboxRecord {
  if (!isCompactAction(rec) && !isOpsAction(rec)) return op;
  return actionRecord(opsOf(rec).map((o) => (o.seq === op.seq ? op : o)));
}

/** The ops of `records` with a sequence in (after, to], in order. */
export function opsBetween(
  records: readonly OutboxRecord[],
  after: number,
  to = Number.POSITIVE_INFINITY,
): Op[] {
  const out: Op[] = [];
  for (const rec of records) {
    for (const op of opsOf(rec)) if (op.seq > after && op.seq <= to) out.push(op);
  }
  return out;
}

/** Every op waiting in the outbox (above `after`), in order. Opens sealed records. */
export async function outboxOps(db: { outbox: OutboxTable }, after = 0): Promise<Op[]> {
  return opsBetween(await db.outbox.where('seq').above(after).toArray(), after);
}

/**
 * How many ops wait in the outbox, read as stored (a locked device counts its sealed records by
 * their clear sequences). The status report counts ops: the server subtracts from it the ops of
 * the request it holds (docs/protocol.md, `status.pending`). Outside any transaction.
 */
export async function pendingOpCount(db: Dexie & { outbox: OutboxTable }): Promise<number> {
  const stored = await db.transaction('r', db.outbox, (tx) => {
    markRawTransaction(tx.idbtrans);
    return db.outbox.toArray();
  });
  let n = 0;
  for (const rec of stored) {
    if (isCompactAction(rec)) n += rec.c.r.reduce((k, row) => k + row.o.length, 0);
    else if (isOpsAction(rec)) n += rec.ops.length;
    else n += rec.seq - firstOf(rec) + 1;
  }
  return n;
}

/**
 * The outbox's actions as stored, each its sequences `first`..`seq` (clear on a sealed record):
 * what counts it without opening anything, for a locked device too. Outside any transaction.
 */
export async function outboxRanges(
  db: Dexie & { outbox: OutboxTable },
): Promise<[first: number, last: number][]> {
  const stored = await db.transaction('r', db.outbox, (tx) => {
    markRawTransaction(tx.idbtrans);
    return db.outbox.toArray();
  });
  return stored.map((rec) => [firstOf(rec), rec.seq]);
}
