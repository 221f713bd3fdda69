// Pruning superseded clocks (issue 18 §3, docs/decisions/0027-pruning.md). A register keeps every
// clock a received op's base names (`dom`) and a set every removed add-tag (`rm`), so that a late
// or duplicate op carrying one of them never comes back as a head or a live element. Once every
// op of a row with a clock ≤ H is known to be applied, an op ≤ H can only arrive again as a
// duplicate: the row records H (`hz`), drops those clocks, and applyOp ignores register and set
// ops ≤ hz (src/sync/merge.ts). What a person sees — heads, live elements, inserts, conflicts —
// is unchanged, and the state no longer grows with the history of edits.
import { digestRows } from './digest';
import { decodeHlc, encodeHlc, type Hlc, MAX_COUNTER } from './hlc';
import type { FieldState, RowState } from './merge';
import type { Fold } from './snapshot';

/**
 * The row pruned at horizon `h`. Precondition (the caller's, see `horizonOf`): every register or
 * set op of this row with a clock ≤ h has been applied to `row`. A row with no superseded or
 * removed clock ≤ h and no horizon is returned as it is, without one: an op ≤ h arriving again then finds
 * every clock it names already recorded and changes nothing, so no rule is needed — and a row
 * never superseded (most rows) does not grow by a stamp. So is an immutable row (inserts keep no
 * superseded clocks).
 */
export function pruneRow(row: RowState, h: Hlc): RowState {
  if (row.hz !== undefined && row.hz >= h) return row;
  let drops = false;
  for (const st of Object.values(row.f)) {
    const kept = st.t === 'r' ? st.dom : st.t === 's' ? st.rm : undefined;
    if (kept && kept.length > 0 && kept[0]! <= h) drops = true;
  }
  // A row already pruned takes the later horizon (same size), so pruning stays monotone.
  if (!drops) return row.hz === undefined ? row : { e: row.e, id: row.id, f: row.f, hz: h };
  const f: Record<string, FieldState> = {};
  // Keys are copied in their (sorted) order, so the pruned state's JSON stays canonical.
  for (const [name, st] of Object.entries(row.f)) {
    if (st.t === 'r') f[name] = { t: 'r', heads: st.heads, dom: above(st.dom, h) };
    else if (st.t === 's') f[name] = { t: 's', el: st.el, rm: above(st.rm, h) };
    else f[name] = st;
  }
  return { e: row.e, id: row.id, f, hz: h };
}

/**
 * A snapshot's fold pruned at `h` (src/sync/snapshot.ts), kept below the least clock of the ops
 * it parked: a device applies those after an upgrade, they must not be taken for duplicates.
 * Precondition: every op ≤ h of the device's cut is in the fold (h is the organisation's horizon
 * and the fold reaches its `seq`). Returns the horizon used (null: none) and mutates `fold`.
 */
export function pruneFold(fold: Fold, h: Hlc): Hlc | null {
  let cap: Hlc | null = null;
  for (const p of fold.parked) if (cap === null || p.op.hlc < cap) cap = p.op.hlc;
  if (cap !== null && cap <= h) return null;
  for (const [key, st] of fold.states) {
    const pruned = pruneRow(st, h);
    if (pruned !== st) fold.states.set(key, pruned);
  }
  return h;
}

/** The clocks of a sorted array above `h` (a suffix, found by binary search). */
function above(sorted: readonly Hlc[], h: Hlc): Hlc[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= h) lo = mid + 1;
    else hi = mid;
  }
  return sorted.slice(lo);
}

/**
 * The form two replicas compare (digests, row hashes) when they may have pruned at different
 * horizons, each ≤ `h`: the row pruned at `h`, without its horizon. Equal ops applied give equal
 * forms whatever each replica pruned before.
 */
export function comparableRow(row: RowState, h: Hlc): RowState {
  const pruned = pruneRow(row, h);
  if (pruned.hz === undefined) return pruned;
  return { e: pruned.e, id: pruned.id, f: pruned.f };
}

/** digestRows over the comparable forms at `h` (src/sync/digest.ts). */
export const digestAt = (rows: readonly RowState[], h: Hlc): string =>
  digestRows(rows.map((r) => comparableRow(r, h)));

/** Clocks a row's state holds only to recognise superseded or removed ops (what pruning drops). */
export function prunableClocks(row: RowState): number {
  let n = 0;
  for (const st of Object.values(row.f)) {
    if (st.t === 'r') n += st.dom.length;
    else if (st.t === 's') n += st.rm.length;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// the horizon

/** What central knows of one replica that can still deliver ops to it. */
export interface WriterPosition {
  /** Device (or relay, or the server itself) id, for the answer's `blockedBy`. */
  node: string;
  /**
   * A clock below every op this writer has not yet delivered to central: the clock it reported
   * with a push that left nothing of its own unsent (its clock only moves forward, so every op it
   * writes later is above it). Null: unknown (enrolled but never synced) — no horizon.
   */
  sent: Hlc | null;
}

export interface Horizon {
  /** Every op with a clock ≤ hlc is in central's log… */
  hlc: Hlc;
  /** …at a number ≤ seq: a replica adopts the horizon once it has pulled up to seq. */
  seq: number;
}

/**
 * The organisation's horizon: the least `sent` clock of every writer that can still deliver ops
 * (every active enrolled device, every relay, the server's own), with central's log head. Revoked
 * devices are left out by the caller (central refuses their pushes). Null when one writer's
 * position is unknown or there is none. Never below `previous` (a horizon only moves forward: a
 * replica that adopted it already dropped clocks below it).
 */
export function horizonOf(
  writers: readonly WriterPosition[],
  logHead: number,
  previous?: Horizon | null,
): { horizon: Horizon | null; blockedBy: string | null } {
  let least: Hlc | null = null;
  let blockedBy: string | null = null;
  for (const w of writers) {
    if (w.sent === null) return { horizon: previous ?? null, blockedBy: w.node };
    if (least === null || w.sent < least) {
      least = w.sent;
      blockedBy = w.node;
    }
  }
  if (least === null) return { horizon: previous ?? null, blockedBy: null };
  if (previous && previous.hlc >= least) return { horizon: previous, blockedBy };
  return { horizon: { hlc: least, seq: logHead }, blockedBy };
}

/**
 * The horizon a replica may prune at: the newest announced one whose `seq` its checkpoint has
 * reached (announced horizons in any order), kept below the least clock of an op it holds without
 * having applied it (parked for a newer schema: applied after an upgrade, it must not be taken
 * for a duplicate). `current`, what it already adopted, never goes back.
 */
export function adoptable(
  announced: readonly Horizon[],
  checkpoint: number,
  opts: { current?: Hlc | null; parked?: readonly Hlc[] } = {},
): Hlc | null {
  let best = opts.current ?? null;
  let cap: Hlc | null = null;
  for (const p of opts.parked ?? []) if (cap === null || p < cap) cap = p;
  for (const h of announced) {
    if (h.seq > checkpoint || (cap !== null && h.hlc >= cap)) continue;
    if (best === null || h.hlc > best) best = h.hlc;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// ops stamped from their cause (partner tasks, decision 0029), kept above every horizon

/**
 * The clocks of `count` ops central writes from a cause (a partner task's creation: its fields
 * then its audit row), and their time `at` (ms). Each is strictly above both `cause` — the
 * newest clock among the writes the task's condition reads, a function of the ops alone, so a
 * central restored from an older backup writes the very same clocks again — and `trigger`, the
 * least clock of the ops, still unprocessed by the partner-task cursor, that named the task's
 * rows. While the cursor has not processed those ops, the horizon is held at or below the least
 * of their clocks (`pendingPosition`), so every horizon announced before these ops are written is
 * below them. When the cause is not older than the trigger (the normal case: the op that
 * completed the condition is one of its inputs), `trigger` changes nothing and the clocks are the
 * cause's alone. `node` names the task (clocks stay unique across tasks); `now` only when there
 * is neither. Strictly increasing, in order.
 */
export function creationStamps(
  cause: Hlc | null,
  trigger: Hlc | null,
  count: number,
  node: string,
  now: number,
): { at: number; clocks: Hlc[] } {
  const base = cause !== null && (trigger === null || cause >= trigger) ? cause : trigger;
  if (base === null) {
    return { at: now, clocks: Array.from({ length: count }, (_, i) => encodeHlc(now, i, node)) };
  }
  const { ms, counter } = decodeHlc(base);
  // Received past the base, as an HLC does (the counter moves on); on the counter's last values,
  // the next millisecond.
  if (counter + count <= MAX_COUNTER) {
    return {
      at: ms,
      clocks: Array.from({ length: count }, (_, i) => encodeHlc(ms, counter + 1 + i, node)),
    };
  }
  return {
    at: ms + 1,
    clocks: Array.from({ length: count }, (_, i) => encodeHlc(ms + 1, i, node)),
  };
}

/**
 * The partner-task cursor as a writer of the horizon (decision 0027, « Partner tasks »): the ops it
 * has not yet processed may still make central write a task, stamped above the least of their
 * clocks (`creationStamps`); so the horizon stays at or below that least clock until the cursor
 * has passed them. Null: nothing pending, no bound (ops not yet in the log are bounded by their
 * writers' positions).
 */
export function pendingPosition(pending: Iterable<Hlc>): WriterPosition | null {
  let least: Hlc | null = null;
  for (const h of pending) if (least === null || h < least) least = h;
  return least === null ? null : { node: PARTNER_CURSOR_NODE, sent: least };
}

/** The name `blockedBy` gives the partner-task cursor when it holds the horizon back. */
export const PARTNER_CURSOR_NODE = 'partner-tasks';
