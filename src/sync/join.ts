// The join of two merge states of one row (docs/decisions/0026-snapshots.md, « Devices holding
// states »): the state that holds the ops of both, as if every op of either had been applied —
// so a device reloading a snapshot that knows less than it holds (a relay behind, a restored
// central) never shows an older value than it showed. Commutative, associative, idempotent.
import type {
  FieldState,
  Head,
  InsertState,
  InsertVersion,
  RegisterState,
  RowState,
  SetState,
} from './merge';

const byH = <T extends { h: string }>(a: T, b: T) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0);

function union(a: readonly string[], b: readonly string[], above: string): string[] {
  return [...new Set([...a, ...b])].filter((h) => h > above).sort();
}

function joinRegister(a: RegisterState, b: RegisterState, hz: string): RegisterState {
  const dom = union(a.dom, b.dom, hz);
  const gone = new Set([...a.dom, ...b.dom]);
  const heads = new Map<string, Head>();
  for (const head of [...a.heads, ...b.heads]) {
    if (!gone.has(head.h) && !heads.has(head.h)) heads.set(head.h, head);
  }
  return { t: 'r', heads: [...heads.values()].sort(byH), dom };
}

function joinSet(a: SetState, b: SetState, hz: string): SetState {
  const removed = new Set([...a.rm, ...b.rm]);
  const el: SetState['el'] = {};
  for (const key of [...new Set([...Object.keys(a.el), ...Object.keys(b.el)])].sort()) {
    const x = Object.hasOwn(a.el, key) ? a.el[key] : undefined;
    const y = Object.hasOwn(b.el, key) ? b.el[key] : undefined;
    const tags = union(x?.tags ?? [], y?.tags ?? [], '').filter((t) => !removed.has(t));
    if (tags.length > 0) el[key] = { v: (x ?? y)!.v, tags };
  }
  return { t: 's', el, rm: union(a.rm, b.rm, hz) };
}

function joinInsert(a: InsertState, b: InsertState): InsertState {
  const all = new Map<string, InsertVersion>();
  for (const s of [a, b]) {
    for (const v of [{ v: s.v, h: s.h, ...(s.u === undefined ? {} : { u: s.u }) }, ...s.others]) {
      if (!all.has(v.h)) all.set(v.h, v);
    }
  }
  const [first, ...others] = [...all.values()].sort(byH);
  return first!.u === undefined
    ? { t: 'i', v: first!.v, h: first!.h, others }
    : { t: 'i', v: first!.v, h: first!.h, u: first!.u, others };
}

function joinField(a: FieldState, b: FieldState, hz: string): FieldState {
  if (a.t !== b.t) throw new Error('États de champ de natures différentes');
  if (a.t === 'r') return joinRegister(a, b as RegisterState, hz);
  if (a.t === 's') return joinSet(a, b as SetState, hz);
  return joinInsert(a, b as InsertState);
}

/** The state holding the ops of both `a` and `b` (the same row). */
export function joinStates(a: RowState, b: RowState): RowState {
  if (a.e !== b.e || a.id !== b.id) throw new Error(`Lignes différentes : ${a.e}/${a.id}`);
  const hz = [a.hz ?? '', b.hz ?? ''].sort()[1]!;
  const f: Record<string, FieldState> = {};
  for (const name of [...new Set([...Object.keys(a.f), ...Object.keys(b.f)])].sort()) {
    const x = Object.hasOwn(a.f, name) ? a.f[name] : undefined;
    const y = Object.hasOwn(b.f, name) ? b.f[name] : undefined;
    f[name] = x && y ? joinField(x, y, hz) : (x ?? y)!;
  }
  return hz === '' ? { e: a.e, id: a.id, f } : { e: a.e, id: a.id, f, hz };
}
