// The compact envelope of protocol 3 (docs/protocol.md, « The compact envelope (protocol 3) »;
// decision 0024).
// A batch of ops says once what repeats: the organisation, the writers' schema version, the
// devices (a table, ops name an index), the persons, a clock base; each op's stamp is a delta in
// ms from the previous op's, its device sequence a delta from that device's previous one, its
// server sequence (pull) a delta from the previous one; consecutive ops of one row are grouped
// under the row's entity and id once. Lossless: decode(encode(ops)) gives the same ops in the same
// order, so the server validates and stores exactly what it would have from protocol 2 (zod runs
// on the decoded ops, as before). Pure: no I/O, no clock.
import { z } from 'zod';
import { HLC_PATTERN } from './hlc';
import { MAX_BASE, MAX_HLC, MAX_NAME, MAX_TAGS, type Op, type OpKind } from './op';
import type { SeqOp } from './protocol';

/** A clock in another op's `base` or `tags`: [ms − this op's ms, counter, device index], or the
 * stamp as it is when it does not parse. */
export type CompactRef = [number, number, number] | string;

export interface CompactOp {
  /** Device index in the batch's table; absent: the previous op's device (the first: 0). */
  d?: number;
  /** seq − (this device's previous seq in the batch + 1), the first of a device counting from 0;
   * absent: 0. */
  q?: number;
  /** The op's stamp, its node being the op's device: ms − the previous op's ms (the first: the
   * batch's `t`) when the counter is 0, else [that delta, counter]; the stamp as it is when it
   * does not parse or names another node. */
  h: number | [number, number] | string;
  /** Pull pages: server seq − (the previous op's + 1), the first counting from the batch's `s`;
   * absent: 0. */
  n?: number;
  /** Field; absent: "*" for ins, "_deleted" for del (required for the other kinds). */
  f?: string;
  /** Kind; absent: set. */
  k?: OpKind;
  /** The value, when the op has one (present, even null, means present). */
  v?: unknown;
  b?: CompactRef[];
  g?: CompactRef[];
  /** Person index in the batch's `u`; null: none; absent: the previous op's (the first: none). */
  u?: number | null;
  /** Writer's schema version; absent: the batch's `w`. */
  w?: number;
  /** Organisation; absent: the batch's `o`. */
  o?: string;
  /** Keys of a newer writer this version does not know, kept verbatim (decision 0001). */
  x?: Record<string, unknown>;
}

export interface CompactRow {
  /** Entity. */
  e: string;
  /** Row id. */
  i: string;
  o: CompactOp[];
}

export interface CompactBatch {
  /** Organisation of the ops. */
  o: string;
  /** Writers' schema version of most ops. */
  w: number;
  /** Devices: origin devices, then nodes of clocks in `base`/`tags`. */
  d: string[];
  /** Persons named by the ops. */
  u?: string[];
  /** Clock base: the physical part (ms) the first op's delta counts from. */
  t: number;
  /** Pull pages: the server sequence before the first op. */
  s?: number;
  /** Runs of consecutive ops on one row, in the batch's order. */
  r: CompactRow[];
}

const KNOWN = new Set([
  'v',
  'org',
  'dev',
  'seq',
  'hlc',
  'user',
  'e',
  'id',
  'f',
  'k',
  'val',
  'base',
  'tags',
]);
const DEFAULT_FIELD: Partial<Record<OpKind, string>> = { ins: '*', del: '_deleted' };

function parseStamp(h: string): { ms: number; counter: number; node: string } | null {
  const m = HLC_PATTERN.exec(h);
  if (!m) return null;
  return { ms: Number.parseInt(m[1]!, 36), counter: Number.parseInt(m[2]!, 36), node: m[3]! };
}

function stamp(ms: number, counter: number, node: string): string {
  return `${ms.toString(36).padStart(9, '0')}:${counter.toString(36).padStart(4, '0')}:${node}`;
}

/** The most frequent value (ties: the first met), for what a batch says once. */
function mostFrequent<T>(values: readonly T[], fallback: T): T {
  const counts = new Map<T, number>();
  let best = fallback;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** Ops in the compact form; `seqs` (pull pages) are their server sequences. */
function encode(ops: readonly Op[], seqs?: readonly number[]): CompactBatch {
  const org = mostFrequent(
    ops.map((op) => op.org),
    '',
  );
  const w = mostFrequent(
    ops.map((op) => op.v),
    1,
  );
  const devices: string[] = [];
  const deviceIndex = new Map<string, number>();
  const dev = (name: string) => {
    let i = deviceIndex.get(name);
    if (i === undefined) {
      i = devices.length;
      devices.push(name);
      deviceIndex.set(name, i);
    }
    return i;
  };
  for (const op of ops) dev(op.dev);
  const persons: string[] = [];
  const personIndex = new Map<string, number>();
  const first = ops.map((op) => parseStamp(op.hlc)).find((p) => p !== null);
  const t = first?.ms ?? 0;
  const s = seqs?.length ? seqs[0]! - 1 : undefined;
  let prevDev = 0;
  let prevMs = t;
  let prevUser: number | null = null;
  let prevS = s ?? 0;
  const prevSeq = new Map<number, number>();
  const rows: CompactRow[] = [];
  ops.forEach((op, index) => {
    const c: CompactOp = { h: op.hlc };
    const d = dev(op.dev);
    if (d !== prevDev) c.d = d;
    prevDev = d;
    const q = op.seq - ((prevSeq.get(d) ?? 0) + 1);
    if (q !== 0) c.q = q;
    prevSeq.set(d, op.seq);
    const own = parseStamp(op.hlc);
    if (own && own.node === op.dev) {
      c.h = own.counter === 0 ? own.ms - prevMs : [own.ms - prevMs, own.counter];
      prevMs = own.ms;
    }
    if (seqs) {
      const n = seqs[index]! - (prevS + 1);
      if (n !== 0) c.n = n;
      prevS = seqs[index]!;
    }
    if (op.k !== 'set') c.k = op.k;
    if (DEFAULT_FIELD[op.k] !== op.f) c.f = op.f;
    if (Object.hasOwn(op, 'val') && op.val !== undefined) c.v = op.val;
    const ref = (h: string): CompactRef => {
      const p = parseStamp(h);
      return p ? [p.ms - prevMs, p.counter, dev(p.node)] : h;
    };
    if (op.base) c.b = op.base.map(ref);
    if (op.tags) c.g = op.tags.map(ref);
    let u: number | null = null;
    if (op.user !== undefined) {
      u = personIndex.get(op.user) ?? persons.length;
      if (u === persons.length) {
        persons.push(op.user);
        personIndex.set(op.user, u);
      }
    }
    if (u !== prevUser) c.u = u;
    prevUser = u;
    if (op.v !== w) c.w = op.v;
    if (op.org !== org) c.o = op.org;
    const extra = Object.keys(op).filter((key) => !KNOWN.has(key));
    if (extra.length) {
      const x: Record<string, unknown> = {};
      for (const key of extra) define(x, key, (op as unknown as Record<string, unknown>)[key]);
      c.x = x;
    }
    const last = rows.at(-1);
    if (last && last.e === op.e && last.i === op.id) last.o.push(c);
    else rows.push({ e: op.e, i: op.id, o: [c] });
  });
  return {
    o: org,
    w,
    d: devices,
    ...(persons.length ? { u: persons } : {}),
    t,
    ...(s !== undefined ? { s } : {}),
    r: rows,
  };
}

/** A key set as data, whatever its name (`__proto__` included). */
function define(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function encodeOps(ops: readonly Op[]): CompactBatch {
  return encode(ops);
}

export function encodeSeqOps(page: readonly SeqOp[]): CompactBatch {
  return encode(
    page.map((x) => x.op),
    page.map((x) => x.s),
  );
}

// Structure of a compact batch. Integers are safe integers; what they decode to (sequences,
// stamps, versions) is checked by the op's own schema afterwards, as for protocol 2.
const int = () => z.int();
const index = () => z.int().min(0);
const ref = z.union([z.tuple([int(), index(), index()]), z.string().max(MAX_HLC)]);
const compactOpSchema = z.strictObject({
  d: index().optional(),
  q: int().optional(),
  h: z.union([int(), z.tuple([int(), index()]), z.string().max(MAX_HLC)]),
  n: int().optional(),
  f: z.string().max(MAX_NAME).optional(),
  k: z.enum(['set', 'add', 'rem', 'ins', 'del']).optional(),
  v: z.unknown().optional(),
  b: z.array(ref).max(MAX_BASE).optional(),
  g: z.array(ref).max(MAX_TAGS).optional(),
  u: index().nullable().optional(),
  w: int().optional(),
  o: z.string().max(MAX_NAME).optional(),
  x: z.record(z.string(), z.unknown()).optional(),
});
export const compactBatchSchema = z.strictObject({
  o: z.string().max(MAX_NAME),
  w: int(),
  d: z.array(z.string().max(MAX_NAME)),
  u: z.array(z.string().max(MAX_NAME)).optional(),
  t: index(),
  s: index().optional(),
  r: z.array(
    z.strictObject({
      e: z.string().max(MAX_NAME),
      i: z.string().max(MAX_NAME),
      o: z.array(compactOpSchema).min(1),
    }),
  ),
});

/** A compact batch that does not decode; `path` names the place (as zod paths do). */
export class EnvelopeError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

function decode(raw: unknown, withSeqs: boolean, own = false): { ops: Op[]; seqs: number[] } {
  let batch: CompactBatch;
  if (own) batch = raw as CompactBatch;
  else {
    const parsed = compactBatchSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new EnvelopeError(issue.path as (string | number)[], issue.message);
    }
    batch = parsed.data;
  }
  const persons = batch.u ?? [];
  const ops: Op[] = [];
  const seqs: number[] = [];
  let prevDev = 0;
  let prevMs = batch.t;
  let prevUser: number | null = null;
  let prevS = batch.s ?? 0;
  const prevSeq = new Map<number, number>();
  batch.r.forEach((row, ri) => {
    row.o.forEach((c, oi) => {
      const at = (...rest: (string | number)[]) => ['r', ri, 'o', oi, ...rest];
      const d = c.d ?? prevDev;
      const device = batch.d[d];
      if (device === undefined) {
        throw new EnvelopeError(at('d'), `appareil n° ${d} absent de la table des appareils`);
      }
      prevDev = d;
      const seq = (prevSeq.get(d) ?? 0) + 1 + (c.q ?? 0);
      prevSeq.set(d, seq);
      let hlc: string;
      if (typeof c.h === 'string') hlc = c.h;
      else {
        const [delta, counter] = typeof c.h === 'number' ? [c.h, 0] : c.h;
        const ms = prevMs + delta;
        if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 36 ** 9 || counter >= 36 ** 4) {
          throw new EnvelopeError(at('h'), 'horodatage hors limites');
        }
        hlc = stamp(ms, counter, device);
        prevMs = ms;
      }
      const clock = (r: CompactRef, path: (string | number)[]): string => {
        if (typeof r === 'string') return r;
        const [delta, counter, node] = r;
        const name = batch.d[node];
        const ms = prevMs + delta;
        if (name === undefined) {
          throw new EnvelopeError(path, `appareil n° ${node} absent de la table des appareils`);
        }
        if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 36 ** 9 || counter >= 36 ** 4) {
          throw new EnvelopeError(path, 'horodatage hors limites');
        }
        return stamp(ms, counter, name);
      };
      const k = c.k ?? 'set';
      const f = c.f ?? DEFAULT_FIELD[k];
      if (f === undefined) throw new EnvelopeError(at('f'), `champ absent pour une opération ${k}`);
      let user: string | undefined;
      const u = c.u === undefined ? prevUser : c.u;
      if (u !== null) {
        user = persons[u];
        if (user === undefined) {
          throw new EnvelopeError(at('u'), `personne n° ${u} absente de la table des personnes`);
        }
      }
      prevUser = u;
      const op: Op = {
        v: c.w ?? batch.w,
        org: c.o ?? batch.o,
        dev: device,
        seq,
        hlc,
        ...(user !== undefined ? { user } : {}),
        e: row.e,
        id: row.i,
        f,
        k,
        ...(Object.hasOwn(c, 'v') ? { val: c.v } : {}),
        ...(c.b ? { base: c.b.map((r, i) => clock(r, at('b', i))) } : {}),
        ...(c.g ? { tags: c.g.map((r, i) => clock(r, at('g', i))) } : {}),
      };
      for (const [key, value] of Object.entries(c.x ?? {})) {
        if (KNOWN.has(key)) {
          throw new EnvelopeError(at('x', key), `clé « ${key} » connue, hors de sa place`);
        }
        define(op as unknown as Record<string, unknown>, key, value);
      }
      if (withSeqs) {
        const s = prevS + 1 + (c.n ?? 0);
        seqs.push(s);
        prevS = s;
      }
      ops.push(op);
    });
  });
  return { ops, seqs };
}

/** The ops of a compact batch, in order. Throws EnvelopeError naming what is wrong. */
export function decodeOps(raw: unknown): Op[] {
  return decode(raw, false).ops;
}

/**
 * The ops of a batch this device encoded itself and kept (the outbox, src/device/outbox.ts): its
 * structure is not parsed again (its ops were checked when written, and a sealed record cannot be
 * altered unnoticed); what it decodes to is the same as decodeOps's.
 */
export function decodeOwnOps(batch: CompactBatch): Op[] {
  return decode(batch, false, true).ops;
}

/** A compact pull page's ops with their server sequences. Throws EnvelopeError. */
export function decodeSeqOps(raw: unknown): SeqOp[] {
  const { ops, seqs } = decode(raw, true);
  return ops.map((op, i) => ({ s: seqs[i]!, op }));
}

/** Whether a body's `ops` is in the compact form (protocol 3), rather than protocol 2's list. */
export function isCompact(ops: unknown): boolean {
  return typeof ops === 'object' && ops !== null && !Array.isArray(ops);
}

/** A sync answer in protocol 2's form: a compact page decoded (protocol 3), others as they came;
 * a page that does not decode gives null, so the answer's schema refuses it as unreadable. */
export function readAnswer(json: unknown): unknown {
  const answer = json as { ops?: unknown } | null;
  if (!isCompact(answer?.ops)) return json;
  try {
    return { ...answer, ops: decodeSeqOps(answer!.ops) };
  } catch (error) {
    if (error instanceof EnvelopeError) return null;
    throw error;
  }
}
