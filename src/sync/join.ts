// The join of two merge states of one row (docs/decisions/0026-snapshots.md, « Devices holding
// states »): the state that holds the ops of both, as if every op of either had been applied —
// so a device reloading a snapshot that knows less than it holds (a relay behind, a restored
// central) never shows an older value than it showed. Commutative, associative, idempotent.
// A side pruned at a horizon (`hz`, src/sync/prune.ts) holds every op of the row with a clock
// ≤ hz but no longer the clocks those ops superseded: a head or a tag of the other side at or
// below its hz that it does not hold was superseded or removed there, and goes (decision 0027,
// « Snapshots pruned »: a pruned snapshot joined with a row a device holds).
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

/** The horizons of both sides ('' for none: no clock is at or below it). */
interface Horizons {
  a: string;
  b: string;
}

/** Whether a clock one side holds is one the other, pruned at `hz`, holds too or superseded. */
const passed = (h: string, hz: string, other: ReadonlySet<string>) => h <= hz && !other.has(h);

function joinRegister(
  a: RegisterState,
  b: RegisterState,
  hz: string,
  sides: Horizons,
): RegisterState {
  const dom = union(a.dom, b.dom, hz);
  const gone = new Set([...a.dom, ...b.dom]);
  const inA = new Set(a.heads.map((x) => x.h));
  const inB = new Set(b.heads.map((x) => x.h));
  const heads = new Map<string, Head>();
  for (const head of a.heads) {
    if (!gone.has(head.h) && !passed(head.h, sides.b, inB)) heads.set(head.h, head);
  }
  for (const head of b.heads) {
    if (!gone.has(head.h) && !heads.has(head.h) && !passed(head.h, sides.a, inA)) {
      heads.set(head.h, head);
    }
  }
  return { t: 'r', heads: [...heads.values()].sort(byH), dom };
}

function joinSet(a: SetState, b: SetState, hz: string, sides: Horizons): SetState {
  const removed = new Set([...a.rm, ...b.rm]);
  const el: SetState['el'] = {};
  for (const key of [...new Set([...Object.keys(a.el), ...Object.keys(b.el)])].sort()) {
    const x = Object.hasOwn(a.el, key) ? a.el[key] : undefined;
    const y = Object.hasOwn(b.el, key) ? b.el[key] : undefined;
    const inA = new Set(x?.tags ?? []);
    const inB = new Set(y?.tags ?? []);
    const tags = union(
      (x?.tags ?? []).filter((t) => !passed(t, sides.b, inB)),
      (y?.tags ?? []).filter((t) => !passed(t, sides.a, inA)),
      '',
    ).filter((t) => !removed.has(t));
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

function joinField(a: FieldState, b: FieldState, hz: string, sides: Horizons): FieldState {
  if (a.t !== b.t) throw new Error('États de champ de natures différentes');
  if (a.t === 'r') return joinRegister(a, b as RegisterState, hz, sides);
  if (a.t === 's') return joinSet(a, b as SetState, hz, sides);
  return joinInsert(a, b as InsertState);
}

/** The state holding the ops of both `a` and `b` (the same row). */
export function joinStates(a: RowState, b: RowState): RowState {
  if (a.e !== b.e || a.id !== b.id) throw new Error(`Lignes différentes : ${a.e}/${a.id}`);
  const sides = { a: a.hz ?? '', b: b.hz ?? '' };
  const hz = [sides.a, sides.b].sort()[1]!;
  const f: Record<string, FieldState> = {};
  for (const name of [...new Set([...Object.keys(a.f), ...Object.keys(b.f)])].sort()) {
    const x = Object.hasOwn(a.f, name) ? a.f[name] : undefined;
    const y = Object.hasOwn(b.f, name) ? b.f[name] : undefined;
    f[name] = x && y ? joinField(x, y, hz, sides) : (x ?? y)!;
  }
  return hz === '' ? { e: a.e, id: a.id, f } : { e: a.e, id: a.id, f, hz };
}
