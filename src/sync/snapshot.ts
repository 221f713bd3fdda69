// Snapshots instead of replay (issue 18 §3, docs/decisions/0026-snapshots.md): the merge states a
// device would hold after pulling everything up to a server sequence S, folded from exactly the
// ops its pull gives it, encoded by columns so a fresh device loads them instead of replaying the
// log. Pure: the server folds and encodes (src/server/snapshots.ts), the device decodes
// (src/device/snapshot.ts); both read this one format (docs/protocol.md, Snapshot).
//
// Encoding (format 1), JSON: per entity the row ids once, one clock and one writer per row, then
// per field a column of cells. A cell states the field's merge state in full — heads, superseded
// clocks, set tags, other inserts — with each clock written as a small number when it shares the
// row clock's millisecond and device (its counter's distance), as the full stamp otherwise. So
// decode(encode(x)) is x exactly: a device merging later ops onto it reaches the same states, and
// the same digest, as one that replayed the log.
import { canonicalJson } from './digest';
import type { Registry } from './fields';
import { encodeHlc, type Hlc } from './hlc';
import {
  applyOp,
  type FieldState,
  type Head,
  type InsertState,
  type RowState,
  type SetState,
  validateOp,
} from './merge';
import type { Op } from './op';
import type { SeqOp } from './protocol';
import { Sha256, sha256Hex } from './sha256';

/** Format 2: the text in parts, the first one what a device needs to work (src/sync/usable.ts). */
export const SNAPSHOT_FORMAT = 2;

/** An op the fold set aside, as a replaying device would park it (newer schema, or refused). */
export interface SnapshotParked {
  op: Op;
  error?: string;
}

/** The fold of a device's pull up to `seq`. */
export interface Fold {
  /** Row states by `${e}\u0000${id}`. */
  states: Map<string, RowState>;
  parked: SnapshotParked[];
  /** S: every op of the log numbered ≤ seq that the pull gives this device is in the fold. */
  seq: number;
  /** The greatest clock folded (a device's clock moves past it, as after a pull). */
  maxHlc: Hlc | null;
}

export const emptyFold = (): Fold => ({ states: new Map(), parked: [], seq: 0, maxHlc: null });

const keyOf = (e: string, id: string) => `${e}\u0000${id}`;

/**
 * Folds a page of pulled ops (already cut for the device) into `fold`, as applyRemote applies
 * them: ops of a newer schema than `schemaVersion` and ops the device's validation or the merge
 * refuses are parked; `upTo`
 * is the page's bound (the log's numbers it covers, visible to the device or not). Mutates and
 * returns `fold`.
 */
export function foldOps(
  fold: Fold,
  page: readonly SeqOp[],
  upTo: number,
  registry: Registry,
  schemaVersion: number,
): Fold {
  for (const { op } of page) {
    if (fold.maxHlc === null || op.hlc > fold.maxHlc) fold.maxHlc = op.hlc;
    if (op.v > schemaVersion) {
      fold.parked.push({ op });
      continue;
    }
    const key = keyOf(op.e, op.id);
    try {
      // Validated as the device validates what it pulls (src/device/write.ts, applyBatch).
      validateOp(op, registry);
      fold.states.set(key, applyOp(fold.states.get(key), op, registry));
    } catch (err) {
      fold.parked.push({ op, error: err instanceof Error ? err.message : String(err) });
    }
  }
  let top = upTo;
  for (const x of page) if (x.s > top) top = x.s;
  if (top > fold.seq) fold.seq = top;
  return fold;
}

// ---------------------------------------------------------------------------------------------
// encoding

/** A clock relative to the row clock: its counter's distance, or the full stamp. */
type ClockRef = number | string;
/** A writer relative to the row's: absent = the row's, null = none, a string = that one. */
type Version =
  | [value: unknown, clock: ClockRef]
  | [value: unknown, clock: ClockRef, user: string | null];
/** Register cell: one head and nothing superseded, or every head with the superseded clocks. */
type RegisterCell = Version | { h: Version[]; d: ClockRef[] };
type SetCell = { el: [value: unknown, tags: ClockRef[]][]; rm: ClockRef[] };
type InsertCell = Version | { i: Version; o: Version[] };
type Cell = RegisterCell | SetCell | InsertCell | 0;

export interface SnapshotColumn {
  field: string;
  /** The field state's kind: register, set, insert. */
  k: 'r' | 's' | 'i';
  cells: Cell[];
}

export interface SnapshotEntity {
  e: string;
  ids: string[];
  /** One clock per row (its smallest), the reference of its cells' clocks. */
  clock: string[];
  /** One writer per row (its most frequent), null when none. */
  user: (string | null)[];
  columns: SnapshotColumn[];
  /**
   * The rows' pruning horizons (src/sync/prune.ts): one stamp when every row shares it, else one
   * per row (null: not pruned). Absent: no row pruned.
   */
  hz?: string | (string | null)[];
}

export interface SnapshotBody {
  format: number;
  org: string;
  /** The server's log identity (an epoch change means pull from 0 again). */
  epoch: string;
  seq: number;
  /** The schema version of the server that folded it: a device below it replays instead. */
  schema: number;
  maxHlc: string | null;
  entities: SnapshotEntity[];
  parked: SnapshotParked[];
}

const HLC_PARTS = /^([0-9a-z]{9}):([0-9a-z]{4}):(.+)$/;

interface RowClock {
  ms: number;
  counter: number;
  node: string;
  hlc: string;
}

function parseClock(hlc: string): RowClock | null {
  const m = HLC_PARTS.exec(hlc);
  if (!m) return null;
  return { ms: Number.parseInt(m[1]!, 36), counter: Number.parseInt(m[2]!, 36), node: m[3]!, hlc };
}

function clockRef(row: RowClock | null, hlc: string): ClockRef {
  if (!row) return hlc;
  const c = parseClock(hlc);
  if (!c || c.ms !== row.ms || c.node !== row.node) return hlc;
  return c.counter - row.counter;
}

function clockOf(row: RowClock | null, ref: ClockRef): string {
  if (typeof ref === 'string') return ref;
  if (!row) throw new Error('Instantané illisible : horloge relative sans horloge de ligne');
  return encodeHlc(row.ms, row.counter + ref, row.node);
}

/** Every clock of a row's states (heads, inserts, tags, superseded), for its reference clock. */
function rowClocks(st: RowState): { hlcs: string[]; users: (string | undefined)[] } {
  const hlcs: string[] = [];
  const users: (string | undefined)[] = [];
  for (const fs of Object.values(st.f)) {
    if (fs.t === 'r') {
      for (const h of fs.heads) {
        hlcs.push(h.h);
        users.push(h.u);
      }
    } else if (fs.t === 'i') {
      hlcs.push(fs.h);
      users.push(fs.u);
      for (const o of fs.others) users.push(o.u);
    } else {
      for (const el of Object.values(fs.el)) hlcs.push(...el.tags);
    }
  }
  return { hlcs, users };
}

function mostFrequent(users: (string | undefined)[]): string | null {
  const counts = new Map<string, number>();
  let best: string | null = null;
  let bestN = 0;
  for (const u of users) {
    if (u === undefined) continue;
    const n = (counts.get(u) ?? 0) + 1;
    counts.set(u, n);
    if (n > bestN) {
      best = u;
      bestN = n;
    }
  }
  return best;
}

function version(row: RowClock | null, rowUser: string | null, v: unknown, h: string, u?: string) {
  const ref = clockRef(row, h);
  const user = u ?? null;
  return (user === rowUser ? [v, ref] : [v, ref, user]) as Version;
}

function encodeCell(fs: FieldState, row: RowClock | null, rowUser: string | null): Cell {
  if (fs.t === 'r') {
    const heads = fs.heads.map((x) => version(row, rowUser, x.v, x.h, x.u));
    if (heads.length === 1 && fs.dom.length === 0) return heads[0]!;
    return { h: heads, d: fs.dom.map((h) => clockRef(row, h)) };
  }
  if (fs.t === 'i') {
    const first = version(row, rowUser, fs.v, fs.h, fs.u);
    if (fs.others.length === 0) return first;
    return { i: first, o: fs.others.map((x) => version(row, rowUser, x.v, x.h, x.u)) };
  }
  return {
    el: Object.values(fs.el).map((x) => [x.v, x.tags.map((h) => clockRef(row, h))]),
    rm: fs.rm.map((h) => clockRef(row, h)),
  };
}

function decodeVersion(
  cell: Version,
  row: RowClock | null,
  rowUser: string | null,
): { v: unknown; h: string; u?: string } {
  const user = cell.length === 3 ? cell[2] : rowUser;
  const h = clockOf(row, cell[1]);
  return user === null ? { v: cell[0], h } : { v: cell[0], h, u: user };
}

function decodeCell(
  k: SnapshotColumn['k'],
  cell: Exclude<Cell, 0>,
  row: RowClock | null,
  rowUser: string | null,
): FieldState {
  if (k === 'r') {
    if (Array.isArray(cell)) {
      return { t: 'r', heads: [decodeVersion(cell as Version, row, rowUser) as Head], dom: [] };
    }
    const c = cell as { h: Version[]; d: ClockRef[] };
    return {
      t: 'r',
      heads: c.h.map((x) => decodeVersion(x, row, rowUser) as Head),
      dom: c.d.map((x) => clockOf(row, x)),
    };
  }
  if (k === 'i') {
    const c = Array.isArray(cell)
      ? { i: cell as Version, o: [] as Version[] }
      : (cell as { i: Version; o: Version[] });
    const first = decodeVersion(c.i, row, rowUser);
    const others = c.o.map((x) => decodeVersion(x, row, rowUser));
    return first.u === undefined
      ? ({ t: 'i', v: first.v, h: first.h, others } satisfies InsertState)
      : ({ t: 'i', v: first.v, h: first.h, u: first.u, others } satisfies InsertState);
  }
  const c = cell as SetCell;
  // Keys inserted in sorted order, as the merge keeps them (src/sync/merge.ts, withKey).
  const entries = c.el
    .map(([v, tags]) => [canonicalJson(v), { v, tags: tags.map((x) => clockOf(row, x)) }] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const el: SetState['el'] = {};
  for (const [key, value] of entries) el[key] = value;
  return { t: 's', el, rm: c.rm.map((x) => clockOf(row, x)) } satisfies SetState;
}

/** The snapshot body of a fold: entities and rows sorted, fields sorted (deterministic). */
export function snapshotBody(
  fold: Fold,
  meta: { org: string; epoch: string; schema: number },
): SnapshotBody {
  return bodyOf(fold.states.values(), fold.parked, fold, meta);
}

/**
 * The fold in bodies (format 2): the rows of `first` (what a device needs to work), then every
 * other row and the parked ops, cut in runs of about `partBytes` of text each (in the bodies'
 * order: entity, then id; the parked ops in the last). Each is a whole body (same seq, epoch,
 * greatest clock), so a device writes the first before it has received the rest, and writes each
 * next part while the one after it is on the way (src/device/snapshot.ts).
 */
export function snapshotParts(
  fold: Fold,
  meta: { org: string; epoch: string; schema: number },
  first: ReadonlySet<RowState>,
  partBytes = Number.POSITIVE_INFINITY,
): [SnapshotBody, SnapshotBody, ...SnapshotBody[]] {
  const rest: RowState[] = [];
  for (const st of fold.states.values()) if (!first.has(st)) rest.push(st);
  const runs = restRuns(rest, fold, meta, partBytes);
  const bodies = runs.map((run, i) =>
    bodyOf(run, i === runs.length - 1 ? fold.parked : [], fold, meta),
  );
  return [bodyOf(first, [], fold, meta), bodies[0]!, ...bodies.slice(1)];
}

/** The rows after the first part in runs of about `partBytes` of text each (at least one run),
 * each row's size taken as its entity's average once encoded alone. */
function restRuns(
  rest: RowState[],
  fold: Fold,
  meta: { org: string; epoch: string; schema: number },
  partBytes: number,
): RowState[][] {
  if (!Number.isFinite(partBytes) || rest.length === 0) return [rest];
  const byEntity = new Map<string, RowState[]>();
  for (const st of rest) {
    const list = byEntity.get(st.e) ?? [];
    list.push(st);
    byEntity.set(st.e, list);
  }
  const runs: RowState[][] = [];
  let run: RowState[] = [];
  let size = 0;
  for (const e of [...byEntity.keys()].sort()) {
    const rows = byEntity.get(e)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const perRow = JSON.stringify(bodyOf(rows, [], fold, meta)).length / rows.length;
    for (const st of rows) {
      if (size > 0 && size + perRow > partBytes) {
        runs.push(run);
        run = [];
        size = 0;
      }
      run.push(st);
      size += perRow;
    }
  }
  runs.push(run);
  return runs;
}

function bodyOf(
  states: Iterable<RowState>,
  parked: SnapshotParked[],
  fold: Fold,
  meta: { org: string; epoch: string; schema: number },
): SnapshotBody {
  const byEntity = new Map<string, RowState[]>();
  for (const st of states) {
    const list = byEntity.get(st.e) ?? [];
    list.push(st);
    byEntity.set(st.e, list);
  }
  const entities: SnapshotEntity[] = [];
  for (const e of [...byEntity.keys()].sort()) {
    const rows = byEntity.get(e)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const fields = [...new Set(rows.flatMap((r) => Object.keys(r.f)))].sort();
    const clocks: (RowClock | null)[] = [];
    const clock: string[] = [];
    const user: (string | null)[] = [];
    for (const r of rows) {
      const { hlcs, users } = rowClocks(r);
      let min = hlcs[0] ?? '';
      for (const h of hlcs) if (h < min) min = h;
      clock.push(min);
      clocks.push(min ? parseClock(min) : null);
      user.push(mostFrequent(users));
    }
    const columns: SnapshotColumn[] = fields.map((field) => {
      const kinds = new Set(rows.map((r) => r.f[field]?.t).filter((t) => t !== undefined));
      if (kinds.size !== 1) throw new Error(`Instantané : état incohérent pour ${e}.${field}`);
      const [k] = [...kinds] as SnapshotColumn['k'][];
      return {
        field,
        k: k!,
        cells: rows.map((r, i) => {
          const fs = Object.hasOwn(r.f, field) ? r.f[field] : undefined;
          return fs ? encodeCell(fs, clocks[i]!, user[i]!) : 0;
        }),
      };
    });
    const hz = horizons(rows);
    entities.push({ e, ids: rows.map((r) => r.id), clock, user, columns, ...(hz ? { hz } : {}) });
  }
  return {
    format: SNAPSHOT_FORMAT,
    org: meta.org,
    epoch: meta.epoch,
    seq: fold.seq,
    schema: meta.schema,
    maxHlc: fold.maxHlc,
    entities,
    parked,
  };
}

/** An entity's `hz`: absent when no row is pruned, one stamp when all share it. */
function horizons(rows: readonly RowState[]): SnapshotEntity['hz'] {
  const all = rows.map((r) => r.hz ?? null);
  const first = all[0];
  if (all.every((h) => h === null)) return undefined;
  return all.every((h) => h === first) ? (first as string) : all;
}

/** The row states of one entity of a snapshot, rows `from` ≤ i < `to`. */
export function entityStates(entity: SnapshotEntity, from = 0, to = entity.ids.length): RowState[] {
  const out: RowState[] = [];
  for (let i = from; i < Math.min(to, entity.ids.length); i++) {
    const row = entity.clock[i] ? parseClock(entity.clock[i]!) : null;
    const rowUser = entity.user[i] ?? null;
    const f: Record<string, FieldState> = {};
    // Columns are in sorted field order: the merge's key order (withKey keeps keys sorted).
    for (const col of entity.columns) {
      const cell = col.cells[i];
      if (cell === undefined || cell === 0) continue;
      f[col.field] = decodeCell(col.k, cell, row, rowUser);
    }
    const hz = typeof entity.hz === 'string' ? entity.hz : entity.hz?.[i];
    out.push(
      hz ? { e: entity.e, id: entity.ids[i]!, f, hz } : { e: entity.e, id: entity.ids[i]!, f },
    );
  }
  return out;
}

/** Back to a fold (the server refreshes a cached snapshot from it with the ops after S); the
 * parts of one snapshot are read together. */
export function foldOf(...bodies: [SnapshotBody, ...SnapshotBody[]]): Fold {
  const states = new Map<string, RowState>();
  const parked: SnapshotParked[] = [];
  for (const body of bodies) {
    for (const entity of body.entities) {
      for (const st of entityStates(entity)) states.set(keyOf(st.e, st.id), st);
    }
    parked.push(...body.parked);
  }
  return { states, parked, seq: bodies[0].seq, maxHlc: bodies[0].maxHlc };
}

/** Rows of a body (every entity's). */
export const bodyRows = (body: SnapshotBody): number =>
  body.entities.reduce((n, e) => n + e.ids.length, 0);

// ---------------------------------------------------------------------------------------------
// chunks and checksums

export interface SnapshotChunkInfo {
  /** Bytes of this chunk's text (UTF-8). */
  bytes: number;
  sha256: string;
}

/** A part of the snapshot's text: its chunks follow the previous part's, and together they are
 * one body (JSON). The first is what a device needs to work. */
export interface SnapshotPart {
  /** Chunks of this part. */
  chunks: number;
  /** Rows of this part's body. */
  rows: number;
  bytes: number;
  sha256: string;
}

export interface SnapshotManifest {
  /** Names this snapshot among the server's (its chunks are fetched by it). */
  id: string;
  format: number;
  seq: number;
  epoch: string;
  schema: number;
  /** Bytes of the whole text (UTF-8), and its SHA-256 (hex). */
  bytes: number;
  sha256: string;
  chunks: SnapshotChunkInfo[];
  /** The parts, in order (format 2): the first one is what a device needs on `day`. */
  parts: SnapshotPart[];
  /** The day the first part was chosen for ('YYYY-MM-DD'). */
  day: string;
  /** A room's reading view token (docs/protocol.md, The reading view), kept with S. */
  view?: string;
  /**
   * The horizon the rows were pruned at (decision 0027): every op of the cut with a clock ≤ hz is
   * in the snapshot. The device adopts it with S, in the transaction that stores the checkpoint.
   * Absent: not pruned (a cut that changes, a relay, no horizon yet).
   */
  hz?: string;
  /** The server's retractions (decision 0033) the snapshot was folded after: none of their ops
   * is in it. The device takes it as the last retraction it took into account. Absent: none. */
  retracted?: number;
}

const encoder = new TextEncoder();

/**
 * The snapshot's text cut into chunks of at most `chunkBytes` bytes of UTF-8, each with its
 * checksum, and the checksum of the whole. Cut on character boundaries (never inside one).
 */
export function chunkText(
  text: string,
  chunkBytes: number,
): { chunks: string[]; info: SnapshotChunkInfo[]; bytes: number; sha256: string } {
  const chunks: string[] = [];
  // Characters are at most 4 bytes: a cut every chunkBytes/4 characters, extended while it fits.
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + Math.max(1, Math.floor(chunkBytes / 4)));
    while (end < text.length && encoder.encode(text.slice(start, end)).length < chunkBytes) {
      end = Math.min(text.length, end + Math.max(1, Math.floor(chunkBytes / 8)));
    }
    // Never split a surrogate pair.
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  const whole = new Sha256();
  const info = chunks.map((c) => {
    const b = encoder.encode(c);
    whole.update(b);
    return { bytes: b.length, sha256: sha256Hex(b) };
  });
  return { chunks, info, bytes: info.reduce((n, c) => n + c.bytes, 0), sha256: whole.hex() };
}

/** Whether a chunk's text is the one the manifest names. */
export const chunkMatches = (text: string, info: SnapshotChunkInfo): boolean =>
  sha256Hex(text) === info.sha256;

/** Whether the chunks put together are the snapshot the manifest names. */
export function wholeMatches(chunks: readonly string[], manifest: SnapshotManifest): boolean {
  const whole = new Sha256();
  for (const c of chunks) whole.update(c);
  return whole.hex() === manifest.sha256;
}

/**
 * The texts of the parts cut in chunks (each part starts a chunk of its own), with each part's
 * checksum and the whole's.
 */
export function chunkParts(
  texts: readonly string[],
  chunkBytes: number,
  rows: readonly number[],
): {
  chunks: string[];
  info: SnapshotChunkInfo[];
  parts: SnapshotPart[];
  bytes: number;
  sha256: string;
} {
  const chunks: string[] = [];
  const info: SnapshotChunkInfo[] = [];
  const parts: SnapshotPart[] = [];
  const whole = new Sha256();
  texts.forEach((text, i) => {
    const part = chunkText(text, chunkBytes);
    chunks.push(...part.chunks);
    info.push(...part.info);
    for (const c of part.chunks) whole.update(c);
    parts.push({
      chunks: part.chunks.length,
      rows: rows[i] ?? 0,
      bytes: part.bytes,
      sha256: part.sha256,
    });
  });
  return {
    chunks,
    info,
    parts,
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    sha256: whole.hex(),
  };
}

/** The index of the first chunk of part `k`. */
export const partStart = (manifest: SnapshotManifest, k: number): number =>
  manifest.parts.slice(0, k).reduce((n, p) => n + p.chunks, 0);

/** Whether a part's chunks put together are the part the manifest names. */
export function partMatches(chunks: readonly string[], part: SnapshotPart): boolean {
  const whole = new Sha256();
  for (const c of chunks) whole.update(c);
  return whole.hex() === part.sha256;
}

/** The bodies of a whole snapshot's chunks, part by part. */
export function bodiesOf(chunks: readonly string[], manifest: SnapshotManifest): SnapshotBody[] {
  return manifest.parts.map((p, k) => {
    const start = partStart(manifest, k);
    return JSON.parse(chunks.slice(start, start + p.chunks).join('')) as SnapshotBody;
  });
}
