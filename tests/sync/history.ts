// Random op histories on the toy registry for property tests. Each op's base names earlier ops
// of the same register and each remove names earlier adds (mostly of its own element), as real
// writers do after partial syncs; hlcs are unique but unrelated to causality (clocks lie).
import fc from 'fast-check';
import { canonicalJson } from '../../src/sync/digest';
import { encodeHlc } from '../../src/sync/hlc';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { toyRegistry } from './toy-registry';

const T0 = 1_800_000_000_000;
export const TITLES = ['a', 'b', 'c'];
export const DOSES = [1, 2, 3];
export const STATUSES = [
  { status: 'waiting', epoch: 0, rank: 0 },
  { status: 'called', epoch: 0, rank: 1 },
  { status: 'in_consultation', epoch: 0, rank: 2 },
  { status: 'waiting', epoch: 1, rank: 0 },
  { status: 'called', epoch: 1, rank: 1 },
];
// Two spellings of one object element: they must be one element.
export const ELEMENTS: unknown[] = [
  'x',
  'y',
  { code: 'A', label: 'l' },
  { label: 'l', code: 'A' },
  { code: 'B', label: 'm' },
];
const VITALS = [
  { value: 120, by: 'x' },
  { by: 'x', value: 120 },
  { value: 90, by: 'y' },
];

const action = fc.record({
  dev: fc.constantFrom('a', 'b', 'c-x'),
  kind: fc.constantFrom('title', 'dose', 'status', 'del', 'add', 'add', 'rem', 'ins'),
  row: fc.constantFrom('1', '2'),
  value: fc.nat(),
  base: fc.array(fc.nat(), { maxLength: 3 }),
  ms: fc.integer({ min: 0, max: 40 }),
  user: fc.option(fc.constantFrom('u1', 'u2'), { nil: undefined }),
});

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

export function buildOps(actions: Action[]): Op[] {
  const ops: Op[] = [];
  const seqs = new Map<string, number>();
  const registers = new Map<string, string[]>();
  const adds = new Map<string, { hlc: string; key: string }[]>();
  actions.forEach((a, i) => {
    const seq = (seqs.get(a.dev) ?? 0) + 1;
    seqs.set(a.dev, seq);
    const hlc = encodeHlc(T0 + a.ms, i, a.dev);
    const common = { v: 1, org: 'o', dev: a.dev, seq, hlc, ...(a.user ? { user: a.user } : {}) };
    const pickSome = (from: string[]) => [...new Set(a.base.map((n) => from[n % from.length]!))];
    if (a.kind === 'ins') {
      ops.push({
        ...common,
        e: 'vital',
        id: `v${a.row}`,
        f: '*',
        k: 'ins',
        val: VITALS[a.value % 3],
      });
      return;
    }
    const id = `n${a.row}`;
    if (a.kind === 'add' || a.kind === 'rem') {
      const val = ELEMENTS[a.value % ELEMENTS.length];
      const key = canonicalJson(val);
      const seen = adds.get(id) ?? [];
      if (a.kind === 'add') {
        seen.push({ hlc, key });
        adds.set(id, seen);
        ops.push({ ...common, e: 'note', id, f: 'tags', k: 'add', val });
      } else {
        // Mostly the element's own tags; sometimes any earlier tag (a buggy or racing writer).
        const own = seen.filter((s) => s.key === key || a.value % 7 === 0).map((s) => s.hlc);
        const tags = own.length ? pickSome(own) : [];
        ops.push({ ...common, e: 'note', id, f: 'tags', k: 'rem', val, tags });
      }
      return;
    }
    const f = a.kind === 'del' ? '_deleted' : a.kind;
    const regKey = `${id}/${f}`;
    const earlier = registers.get(regKey) ?? [];
    const base = earlier.length ? pickSome(earlier) : [];
    earlier.push(hlc);
    registers.set(regKey, earlier);
    const val =
      a.kind === 'title'
        ? TITLES[a.value % 3]
        : a.kind === 'dose'
          ? DOSES[a.value % 3]
          : a.kind === 'status'
            ? STATUSES[a.value % STATUSES.length]
            : true;
    ops.push({ ...common, e: 'note', id, f, k: a.kind === 'del' ? 'del' : 'set', val, base });
  });
  return ops;
}

export const historyArb = fc.array(action, { minLength: 1, maxLength: 60 }).map(buildOps);

/** Apply ops in the given order; rows keyed by entity/id. */
export function applyAll(ops: readonly Op[]): Map<string, RowState> {
  const rows = new Map<string, RowState>();
  for (const op of ops) {
    const key = `${op.e}/${op.id}`;
    rows.set(key, applyOp(rows.get(key), op, toyRegistry));
  }
  return rows;
}

/** Rows sorted by key, as JSON: equal text means JSON-identical states. */
export function statesJson(rows: Map<string, RowState>): string {
  return JSON.stringify([...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
