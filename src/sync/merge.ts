// The pure merge of decision 0001. A row's state is a function of the *set* of ops applied to
// it — applyOp is commutative, associative and idempotent — so replicas holding the same ops hold
// deep-equal, JSON-identical states (arrays sorted, object keys inserted in sorted order).
// Conflicts are read from the state, never stored beside it, so they cannot diverge either.
// Hot path (≥ 10,000 pulled ops/s on a phone): applyOp copies only the touched field, inserts
// into sorted arrays by binary search, and returns the same row object when an op changes nothing.
import { z } from 'zod';
import { canonicalJson } from './digest';
import { SyncValidationError } from './errors';
import {
  DELETED_FIELD,
  type EntitySpec,
  type FieldKind,
  INSERT_FIELD,
  type Registry,
  type StatusValue,
} from './fields';
import type { Hlc } from './hlc';
import { isStorableValue, type Op, opSchema } from './op';

/** One surviving write of a register: an op no received op's base names. */
export interface Head {
  v: unknown;
  h: Hlc;
  /** The writer's staff id, to show who wrote each version of a conflict. */
  u?: string;
}

/** lww and status fields, and the `_deleted` tombstone. */
export interface RegisterState {
  t: 'r';
  /** Causal heads, sorted by hlc. */
  heads: Head[];
  /** Every hlc named in a received op's base (sorted): those ops are superseded. */
  dom: Hlc[];
}

export interface SetElement {
  v: unknown;
  /** Live add-tags (hlcs of the adds), sorted. */
  tags: Hlc[];
}

/** Add-wins observed-remove set. */
export interface SetState {
  t: 's';
  /** Live elements by canonical JSON key; an element without a live tag is absent. */
  el: Record<string, SetElement>;
  /** Removed add-tags, and the hlcs of the removes themselves so no op leaves without a trace. */
  rm: Hlc[];
}

export interface InsertVersion {
  v: unknown;
  h: Hlc;
  u?: string;
}

/** Immutable row (field '*'): the insert with the smallest hlc wins; later inserts are kept. */
export interface InsertState {
  t: 'i';
  v: unknown;
  h: Hlc;
  u?: string;
  /** Other inserts for the same id, sorted by hlc. */
  others: InsertVersion[];
}

export type FieldState = RegisterState | SetState | InsertState;

export interface RowState {
  e: string;
  id: string;
  /** Field states, keys in sorted order. */
  f: Record<string, FieldState>;
  /**
   * Pruning horizon (src/sync/prune.ts, decision 0027): every register or set op of this row with
   * a clock ≤ hz was already applied here, so superseded and removed clocks ≤ hz are dropped and
   * such an op arriving again is a duplicate. Absent: never pruned.
   */
  hz?: Hlc;
}

export type ConflictKind = 'concurrent_edit' | 'reversal_vs_progress' | 'duplicate_insert';

export interface FieldConflict {
  entity: string;
  id: string;
  field: string;
  kind: ConflictKind;
  versions: { value: unknown; hlc: Hlc; user?: string }[];
}

// ---------------------------------------------------------------------------------------------
// apply

type StateKind = 'r' | 's' | 'i';

/** Apply one op to a row (undefined: the row does not exist yet). Throws on unknown entity/field. */
export function applyOp(row: RowState | undefined, op: Op, registry: Registry): RowState {
  const spec = registry(op.e);
  if (!spec) throw unknownEntity(op.e);
  if (row && (row.e !== op.e || row.id !== op.id)) {
    throw new SyncValidationError(
      'invalid_op',
      `Opération appliquée à la mauvaise ligne (${op.e}/${op.id} sur ${row.e}/${row.id})`,
      op.e,
    );
  }
  const [name, kind] = target(op, spec);
  const prev = row?.f[name];
  if (prev && prev.t !== kind) {
    throw new SyncValidationError('wrong_kind', `État incohérent pour ${op.e}.${name}`, op.e, name);
  }
  // Below the row's horizon a register or set op can only be a duplicate (decision 0027). Inserts
  // keep no superseded clocks, so nothing of theirs is pruned and they need no such rule.
  const hz = row?.hz ?? '';
  if (kind !== 'i' && op.hlc <= hz) return row!;
  let next: FieldState;
  if (kind === 'r') {
    next = applyRegister(prev as RegisterState | undefined, op, op.k === 'del' ? true : op.val, hz);
  } else if (kind === 's') {
    next =
      op.k === 'add'
        ? applyAdd(prev as SetState | undefined, op)
        : applyRem(prev as SetState | undefined, op, hz);
  } else {
    next = applyInsert(prev as InsertState | undefined, op);
  }
  if (row && next === prev) return row;
  return withField(row, op, name, next);
}

/** Which field state an op writes, and its shape; rejects ops the field's kind does not allow. */
function target(op: Op, spec: EntitySpec): [string, StateKind] {
  if (spec.immutable) {
    if (op.k === 'ins' && op.f === INSERT_FIELD) return [INSERT_FIELD, 'i'];
    throw wrongKind(
      op,
      `les ${op.e} sont des évènements : seule l’insertion (ins sur « * ») est permise`,
    );
  }
  switch (op.k) {
    case 'del':
      return [DELETED_FIELD, 'r'];
    case 'ins':
      throw wrongKind(op, `insertion impossible : ${op.e} n’est pas une entité d’évènements`);
    case 'set': {
      if (op.f === DELETED_FIELD) return [DELETED_FIELD, 'r'];
      const kind = fieldKind(op, spec);
      if (kind === 'lww' || kind === 'status') return [op.f, 'r'];
      throw wrongKind(op, `le champ ${op.e}.${op.f} ne s’écrit pas par « set »`);
    }
    default: {
      if (fieldKind(op, spec) === 'set') return [op.f, 's'];
      throw wrongKind(op, `le champ ${op.e}.${op.f} n’est pas un ensemble`);
    }
  }
}

function fieldKind(op: Op, spec: EntitySpec): FieldKind {
  const fs = Object.hasOwn(spec.fields, op.f) ? spec.fields[op.f] : undefined;
  if (!fs) {
    throw new SyncValidationError('unknown_field', `Champ inconnu : ${op.e}.${op.f}`, op.e, op.f);
  }
  return fs.kind;
}

/** `hz`: the row's horizon ('' for none); a superseded clock ≤ hz is not recorded. */
function applyRegister(
  prev: RegisterState | undefined,
  op: Op,
  value: unknown,
  hz: Hlc,
): RegisterState {
  let heads: Head[] = prev ? prev.heads : [];
  let dom: Hlc[] = prev ? prev.dom : [];
  if (op.base) {
    for (const b of op.base) {
      const i = search(dom, b);
      if (i >= 0) continue; // already superseded, hence not a head (heads ∩ dom = ∅)
      if (b > hz) dom = insertAt(dom, ~i, b);
      const j = searchHead(heads, b);
      if (j >= 0) heads = removeAt(heads, j);
    }
  }
  if (search(dom, op.hlc) < 0) {
    const j = searchHead(heads, op.hlc);
    if (j < 0) {
      const head: Head =
        op.user === undefined ? { v: value, h: op.hlc } : { v: value, h: op.hlc, u: op.user };
      heads = insertAt(heads, ~j, head);
    }
  }
  if (prev && heads === prev.heads && dom === prev.dom) return prev;
  return { t: 'r', heads, dom };
}

function applyAdd(prev: SetState | undefined, op: Op): SetState {
  const rm: Hlc[] = prev ? prev.rm : [];
  if (search(rm, op.hlc) >= 0) return prev!; // this add was already removed
  const el = prev ? prev.el : {};
  const key = canonicalJson(op.val);
  const cur = Object.hasOwn(el, key) ? el[key] : undefined;
  if (cur) {
    const i = search(cur.tags, op.hlc);
    if (i >= 0) return prev!;
    const nextEl = { ...el, [key]: { v: cur.v, tags: insertAt(cur.tags, ~i, op.hlc) } };
    return { t: 's', el: nextEl, rm };
  }
  // The stored value is the canonical one, so whichever writer's key order arrived first the
  // state is the same.
  const v = typeof op.val === 'object' && op.val !== null ? JSON.parse(key) : op.val;
  return { t: 's', el: withKey(el, key, { v, tags: [op.hlc] }), rm };
}

/** `hz`: the row's horizon ('' for none); a removed tag ≤ hz is not recorded. */
function applyRem(prev: SetState | undefined, op: Op, hz: Hlc): SetState {
  let rm: Hlc[] = prev ? prev.rm : [];
  const kill: readonly Hlc[] = op.tags ?? [];
  for (const h of kill) if (h > hz) rm = insertSorted(rm, h);
  rm = insertSorted(rm, op.hlc);
  let el = prev ? prev.el : {};
  if (kill.length > 0) {
    const key = canonicalJson(op.val);
    // A tag names one add, hence one element: normally the rem's own element, but look
    // everywhere so a rem naming another element's tag gives the same state in any order.
    const own = Object.hasOwn(el, key) ? el[key] : undefined;
    const found = own ? countTags(own.tags, kill) : 0;
    const keys = found === kill.length ? [key] : Object.keys(el);
    for (const k of keys) {
      const cur = el[k];
      if (!cur) continue;
      const tags = cur.tags.filter((t) => !kill.includes(t));
      if (tags.length === cur.tags.length) continue;
      if (el === prev?.el) el = { ...el };
      if (tags.length === 0) delete el[k];
      else el[k] = { v: cur.v, tags };
    }
  }
  if (prev && rm === prev.rm && el === prev.el) return prev;
  return { t: 's', el, rm };
}

function applyInsert(prev: InsertState | undefined, op: Op): InsertState {
  const mine: InsertVersion =
    op.user === undefined ? { v: op.val, h: op.hlc } : { v: op.val, h: op.hlc, u: op.user };
  if (!prev) return insertState(mine, []);
  if (prev.h === op.hlc) return prev;
  if (searchHead(prev.others, op.hlc) >= 0) return prev;
  if (op.hlc < prev.h) {
    const old: InsertVersion =
      prev.u === undefined ? { v: prev.v, h: prev.h } : { v: prev.v, h: prev.h, u: prev.u };
    return insertState(mine, insertAt(prev.others, ~searchHead(prev.others, old.h), old));
  }
  return insertState(prev, insertAt(prev.others, ~searchHead(prev.others, op.hlc), mine));
}

function insertState(first: InsertVersion, others: InsertVersion[]): InsertState {
  return first.u === undefined
    ? { t: 'i', v: first.v, h: first.h, others }
    : { t: 'i', v: first.v, h: first.h, u: first.u, others };
}

function withField(row: RowState | undefined, op: Op, name: string, next: FieldState): RowState {
  if (!row) return { e: op.e, id: op.id, f: { [name]: next } };
  const f = Object.hasOwn(row.f, name) ? { ...row.f, [name]: next } : withKey(row.f, name, next);
  return row.hz === undefined
    ? { e: row.e, id: row.id, f }
    : { e: row.e, id: row.id, f, hz: row.hz };
}

// ---------------------------------------------------------------------------------------------
// validation

/** zod's French messages, per parse (no global configuration from a shared module). */
const fr = z.locales.fr();
const parseOpts = { error: fr.localeError };
const rowSchemas = new WeakMap<EntitySpec, z.ZodType>();
const deletedSchema = z.boolean();

/**
 * Check an op's structure and its value against the domain's schema for that field (for `ins`,
 * the whole-row schema of the entity). Returns the op unchanged, or throws SyncValidationError
 * with a French message naming the entity and field.
 */
export function validateOp(op: unknown, registry: Registry): Op {
  const parsed = opSchema.safeParse(op, parseOpts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    throw new SyncValidationError('invalid_op', `Opération mal formée${where} : ${issue?.message}`);
  }
  return checkOpValue(op as Op, registry);
}

/**
 * validateOp without the structural check of `opSchema`: for ops this device builds itself
 * (src/device/write.ts), whose envelope (device, sequence, clock, names) comes from its own
 * state, not from outside. The value, which a person typed, is still checked against the
 * field's schema, with the same French errors. Servers and pulls use validateOp.
 */
export function checkOpValue(o: Op, registry: Registry): Op {
  // Every store keeps the value as it came (PostgreSQL refuses NUL in text): one rule everywhere.
  if (!isStorableValue(o.val)) {
    throw new SyncValidationError(
      'invalid_value',
      `Valeur non enregistrable pour ${o.e}.${o.f} : caractère nul, caractère isolé invalide ou nombre infini`,
      o.e,
      o.f,
    );
  }
  const spec = registry(o.e);
  if (!spec) throw unknownEntity(o.e);
  const [name, kind] = target(o, spec);
  if (kind === 'i') {
    checkValue(o, INSERT_FIELD, rowSchema(spec), o.val);
    const id = (o.val as { id?: unknown }).id;
    if (id !== undefined && id !== o.id) {
      throw invalidValue(
        o,
        INSERT_FIELD,
        `l’identifiant de la ligne (${String(id)}) diffère de celui de l’opération`,
      );
    }
    return o;
  }
  if (o.k === 'del') {
    if (o.f !== DELETED_FIELD)
      throw wrongKind(o, `une suppression s’écrit sur le champ « ${DELETED_FIELD} »`);
    if (o.val !== undefined && o.val !== true)
      throw invalidValue(o, name, 'une suppression vaut « true »');
    return o;
  }
  if (o.k === 'rem' && !o.tags)
    throw invalidValue(o, name, 'un retrait doit lister les marques vues (tags)');
  const schema = name === DELETED_FIELD ? deletedSchema : spec.fields[name]!.schema;
  if (o.val === undefined) throw invalidValue(o, name, 'valeur absente');
  checkValue(o, name, schema, o.val);
  return o;
}

/** The whole-row schema of an immutable entity: every field required, `id` optional. */
function rowSchema(spec: EntitySpec): z.ZodType {
  let schema = rowSchemas.get(spec);
  if (!schema) {
    const shape: Record<string, z.ZodType> = { id: z.string().min(1).optional() };
    for (const [field, fs] of Object.entries(spec.fields)) {
      shape[field] = fs.kind === 'set' ? z.array(fs.schema) : fs.schema;
    }
    schema = z.strictObject(shape);
    rowSchemas.set(spec, schema);
  }
  return schema;
}

function checkValue(op: Op, field: string, schema: z.ZodType, value: unknown): void {
  const r = schema.safeParse(value, parseOpts);
  if (r.success) return;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? ` (${issue.path.join('.')})` : '';
  throw invalidValue(op, field, `${issue?.message ?? 'valeur refusée'}${path}`);
}

function invalidValue(op: Op, field: string, why: string): SyncValidationError {
  return new SyncValidationError(
    'invalid_value',
    `Valeur invalide pour ${op.e}.${field} : ${why}`,
    op.e,
    field,
  );
}

function wrongKind(op: Op, why: string): SyncValidationError {
  return new SyncValidationError(
    'wrong_kind',
    `Opération « ${op.k} » refusée sur ${op.e}.${op.f} : ${why}`,
    op.e,
    op.f,
  );
}

function unknownEntity(e: string): SyncValidationError {
  return new SyncValidationError('unknown_entity', `Entité inconnue : ${e}`, e);
}

// ---------------------------------------------------------------------------------------------
// reading the state

/**
 * Plain values: lww → greatest head; status → greatest (epoch, rank, hlc); set → live elements
 * sorted by canonical JSON; immutable → the winning insert. Plus `id` and `_deleted`.
 */
export function materialise(row: RowState, registry: Registry): Record<string, unknown> {
  const spec = registry(row.e);
  if (!spec) throw unknownEntity(row.e);
  const deleted = row.f[DELETED_FIELD];
  const isDeleted = deleted?.t === 'r' ? lastHead(deleted)?.v === true : false;
  if (spec.immutable) {
    const ins = row.f[INSERT_FIELD];
    const v = ins?.t === 'i' && typeof ins.v === 'object' && ins.v !== null ? ins.v : {};
    return { ...v, id: row.id, _deleted: isDeleted };
  }
  const out: Record<string, unknown> = { id: row.id };
  for (const [name, fs] of Object.entries(spec.fields)) {
    const st = Object.hasOwn(row.f, name) ? row.f[name] : undefined;
    if (fs.kind === 'set') {
      out[name] = st?.t === 's' ? setValues(st) : [];
    } else if (st?.t === 'r') {
      const head = fs.kind === 'status' ? statusWinner(st.heads) : lastHead(st);
      if (head) out[name] = head.v;
    }
  }
  out._deleted = isDeleted;
  return out;
}

function lastHead(st: RegisterState): Head | undefined {
  return st.heads[st.heads.length - 1];
}

function setValues(st: SetState): unknown[] {
  return Object.keys(st.el)
    .sort()
    .map((k) => st.el[k]!.v);
}

function statusOf(v: unknown): { epoch: number; rank: number } {
  const s = (typeof v === 'object' && v !== null ? v : {}) as Partial<StatusValue>;
  return {
    epoch: typeof s.epoch === 'number' ? s.epoch : 0,
    rank: typeof s.rank === 'number' ? s.rank : 0,
  };
}

/** The status that wins: an explicit reversal (higher epoch) beats any stale progress. */
function statusWinner(heads: Head[]): Head | undefined {
  let best: Head | undefined;
  let be = 0;
  let br = 0;
  for (const h of heads) {
    const { epoch, rank } = statusOf(h.v);
    // heads are in hlc order, so ">=" leaves the greatest hlc among equal (epoch, rank).
    if (!best || epoch > be || (epoch === be && rank >= br)) {
      best = h;
      be = epoch;
      br = rank;
    }
  }
  return best;
}

/**
 * Conflicts a person must see, read from the state:
 * - concurrent_edit: a clinical lww field with several heads of different values;
 * - reversal_vs_progress: a status field whose heads carry different epochs. Heads are
 *   concurrent (a writer lists every head it saw in its base) and a writer keeps the epoch of
 *   what it saw or raises it by one for a reversal, so a head of higher epoch is a reversal the
 *   other heads' writers had not seen — they progressed from an older state;
 * - duplicate_insert: an immutable row inserted again with a different value.
 */
export function conflictsOf(row: RowState, registry: Registry): FieldConflict[] {
  const spec = registry(row.e);
  if (!spec) throw unknownEntity(row.e);
  const out: FieldConflict[] = [];
  for (const name of Object.keys(row.f)) {
    const st = row.f[name]!;
    if (st.t === 'i') {
      const first = canonicalJson(st.v);
      if (st.others.some((o) => canonicalJson(o.v) !== first)) {
        const all: InsertVersion[] = [st, ...st.others];
        out.push(conflict(row, name, 'duplicate_insert', all));
      }
      continue;
    }
    if (st.t !== 'r' || st.heads.length < 2) continue;
    const fs = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
    if (!fs) continue;
    if (fs.kind === 'status') {
      const e0 = statusOf(st.heads[0]!.v).epoch;
      if (st.heads.some((h) => statusOf(h.v).epoch !== e0)) {
        out.push(conflict(row, name, 'reversal_vs_progress', st.heads));
      }
    } else if (fs.kind === 'lww' && fs.clinical) {
      const v0 = canonicalJson(st.heads[0]!.v);
      if (st.heads.some((h) => canonicalJson(h.v) !== v0)) {
        out.push(conflict(row, name, 'concurrent_edit', st.heads));
      }
    }
  }
  return out;
}

function conflict(
  row: RowState,
  field: string,
  kind: ConflictKind,
  versions: InsertVersion[],
): FieldConflict {
  return {
    entity: row.e,
    id: row.id,
    field,
    kind,
    versions: versions.map((x) =>
      x.u === undefined ? { value: x.v, hlc: x.h } : { value: x.v, hlc: x.h, user: x.u },
    ),
  };
}

/**
 * The row as if the register's head `hlc` had never been applied: for a local value folded into
 * a later one before any server saw it (src/sync/coalesce.ts). Only a head goes; what it
 * superseded stays superseded, as the op that replaces it says again.
 */
export function withoutHead(row: RowState, field: string, hlc: Hlc): RowState {
  const st = Object.hasOwn(row.f, field) ? row.f[field] : undefined;
  if (st?.t !== 'r') return row;
  const j = searchHead(st.heads, hlc);
  if (j < 0) return row;
  const heads = removeAt(st.heads, j);
  const keep = row.hz === undefined ? {} : { hz: row.hz };
  if (heads.length === 0 && st.dom.length === 0) {
    const { [field]: _gone, ...f } = row.f;
    return { e: row.e, id: row.id, f, ...keep };
  }
  return {
    e: row.e,
    id: row.id,
    f: { ...row.f, [field]: { t: 'r', heads, dom: st.dom } },
    ...keep,
  };
}

/** The `base` of a new set/del on a register: the hlcs of its current heads. */
export function baseOf(row: RowState | undefined, field: string): Hlc[] {
  const st = row && Object.hasOwn(row.f, field) ? row.f[field] : undefined;
  return st?.t === 'r' ? st.heads.map((h) => h.h) : [];
}

/** The `tags` of a new rem: the live add-tags of that element. */
export function tagsOf(row: RowState | undefined, field: string, elem: unknown): Hlc[] {
  const st = row && Object.hasOwn(row.f, field) ? row.f[field] : undefined;
  if (st?.t !== 's') return [];
  const key = canonicalJson(elem);
  return Object.hasOwn(st.el, key) ? [...st.el[key]!.tags] : [];
}

/** Ops from a newer schema are parked (kept verbatim) until this replica upgrades. */
export function partitionBySchema(
  ops: readonly Op[],
  mySchemaVersion: number,
): { apply: Op[]; park: Op[] } {
  const apply: Op[] = [];
  const park: Op[] = [];
  for (const op of ops) (op.v > mySchemaVersion ? park : apply).push(op);
  return { apply, park };
}

// ---------------------------------------------------------------------------------------------
// sorted arrays (UTF-16 string order, as `<`)

/** Index of x, or ~(insertion point) when absent. */
function search(arr: readonly string[], x: string): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = arr[mid]!;
    if (m < x) lo = mid + 1;
    else if (m > x) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

function searchHead(arr: readonly { h: string }[], x: string): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = arr[mid]!.h;
    if (m < x) lo = mid + 1;
    else if (m > x) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

function insertSorted(arr: Hlc[], x: Hlc): Hlc[] {
  const i = search(arr, x);
  return i >= 0 ? arr : insertAt(arr, ~i, x);
}

function insertAt<T>(arr: readonly T[], i: number, x: T): T[] {
  const out = new Array<T>(arr.length + 1);
  for (let k = 0; k < i; k++) out[k] = arr[k]!;
  out[i] = x;
  for (let k = i; k < arr.length; k++) out[k + 1] = arr[k]!;
  return out;
}

function removeAt<T>(arr: readonly T[], i: number): T[] {
  const out = arr.slice(0, i);
  for (let k = i + 1; k < arr.length; k++) out.push(arr[k]!);
  return out;
}

function countTags(tags: readonly Hlc[], kill: readonly Hlc[]): number {
  let n = 0;
  for (const t of kill) if (search(tags, t) >= 0) n++;
  return n;
}

/** A copy of `obj` with `key` added, keys in sorted order (so key order is canonical). */
function withKey<T>(obj: Record<string, T>, key: string, value: T): Record<string, T> {
  const keys = Object.keys(obj);
  keys.push(key);
  keys.sort();
  const out: Record<string, T> = {};
  for (const k of keys) out[k] = k === key ? value : obj[k]!;
  return out;
}
