// Pruning superseded clocks (src/sync/prune.ts, decision 0027). For any history and any horizon H
// whose precondition holds — every op ≤ H already applied where the row is pruned — pruning then
// applying the rest gives what applying everything then pruning gives, duplicates of pruned ops
// change nothing, what a person sees is unchanged, and the state no longer grows with edits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestRows } from '../../src/sync/digest';
import { decodeHlc, encodeHlc } from '../../src/sync/hlc';
import { applyOp, conflictsOf, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import {
  adoptable,
  comparableRow,
  digestAt,
  horizonOf,
  prunableClocks,
  pruneFold,
  pruneRow,
} from '../../src/sync/prune';
import { emptyFold, foldOf, foldOps, snapshotBody } from '../../src/sync/snapshot';
import { applyAll, historyArb, statesJson } from './history';
import { toyRegistry } from './toy-registry';

const pruneAll = (rows: Map<string, RowState>, h: string) =>
  new Map([...rows].map(([k, r]) => [k, pruneRow(r, h)]));

const applyOnto = (rows: Map<string, RowState>, ops: readonly Op[]) => {
  const out = new Map(rows);
  for (const o of ops) {
    const key = `${o.e}/${o.id}`;
    out.set(key, applyOp(out.get(key), o, toyRegistry));
  }
  return out;
};

/**
 * A history, a horizon H (one of its clocks), the ops a replica held when it pruned (every op
 * ≤ H and some of the others, in any order) and the rest delivered after, in any order, with
 * duplicates of any op — pruned ones included.
 */
const scenario = historyArb.chain((ops) =>
  fc
    .record({
      hPick: fc.nat(),
      early: fc.array(fc.boolean(), { minLength: ops.length, maxLength: ops.length }),
      order: fc.shuffledSubarray(ops, { minLength: ops.length, maxLength: ops.length }),
      dups: fc.array(fc.constantFrom(...ops), { maxLength: 15 }),
    })
    .map(({ hPick, early, order, dups }) => {
      const clocks = ops.map((o) => o.hlc).sort();
      const h = clocks[hPick % clocks.length]!;
      const isEarly = (o: Op) => o.hlc <= h || early[ops.indexOf(o)]!;
      const before = order.filter(isEarly);
      const after = [...order.filter((o) => !isEarly(o)), ...dups];
      return { ops, h, before, after };
    }),
);

describe('pruning at a horizon every replica has passed', () => {
  it('prune, then apply the rest and duplicates = apply all, then prune (JSON-identical)', () => {
    fc.assert(
      fc.property(scenario, ({ ops, h, before, after }) => {
        const reference = pruneAll(applyAll(ops), h);
        const pruned = applyOnto(pruneAll(applyAll(before), h), after);
        // Rows first written after the pruning have no horizon yet: pruning them now is allowed
        // (their ops ≤ H all arrived) and makes the states identical.
        expect(statesJson(pruneAll(pruned, h))).toBe(statesJson(reference));
        for (const [key, row] of applyAll(ops)) {
          const got = pruned.get(key)!;
          expect(materialise(got, toyRegistry)).toEqual(materialise(row, toyRegistry));
          expect(conflictsOf(got, toyRegistry)).toEqual(conflictsOf(row, toyRegistry));
          expect(digestAt([got], h)).toBe(digestAt([row], h));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('ignores an op at or below the horizon: it can only be a duplicate', () => {
    fc.assert(
      fc.property(scenario, ({ ops, h }) => {
        const rows = pruneAll(applyAll(ops), h);
        for (const o of ops.filter((x) => x.hlc <= h && x.k !== 'ins')) {
          const key = `${o.e}/${o.id}`;
          expect(applyOp(rows.get(key), o, toyRegistry)).toBe(rows.get(key));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps applyOp commutative and idempotent above the horizon', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ h, before, after }, seed) => {
        const base = pruneAll(applyAll(before), h);
        const rotated = after.map((_, i) => after[(i + seed) % after.length]!);
        const twice = [...after, ...after.slice(0, seed % (after.length + 1))];
        const a = applyOnto(base, after);
        expect(statesJson(applyOnto(base, [...rotated].reverse()))).toBe(statesJson(a));
        expect(statesJson(applyOnto(base, twice))).toBe(statesJson(a));
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent and monotone: pruning at H1 then H2 ≥ H1 = pruning at H2', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.nat(), (ops, i, j) => {
        const clocks = ops.map((o) => o.hlc).sort();
        const [h1, h2] = [clocks[i % clocks.length]!, clocks[j % clocks.length]!].sort();
        for (const row of applyAll(ops).values()) {
          const once = pruneRow(row, h2!);
          expect(pruneRow(pruneRow(row, h1!), h2!)).toEqual(once);
          expect(pruneRow(once, h2!)).toBe(once);
          expect(pruneRow(once, h1!)).toBe(once); // a horizon never goes back
        }
      }),
      { numRuns: 200 },
    );
  });

  it('compares replicas that pruned at different horizons by the comparable form', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.nat(), (ops, i, j) => {
        const clocks = ops.map((o) => o.hlc).sort();
        const [h1, h2] = [clocks[i % clocks.length]!, clocks[j % clocks.length]!].sort();
        const full = [...applyAll(ops).values()];
        const at1 = full.map((r) => pruneRow(r, h1!));
        const at2 = full.map((r) => pruneRow(r, h2!));
        expect(digestAt(at1, h2!)).toBe(digestAt(full, h2!));
        expect(digestAt(at2, h2!)).toBe(digestAt(at1, h2!));
        // Unpruned, the comparable form is the state itself: today's digests are unchanged.
        const last = clocks[0]!.slice(0, 0); // '' is below every clock
        expect(digestRows(full.map((r) => comparableRow(r, last)))).toBe(digestRows(full));
      }),
      { numRuns: 200 },
    );
  });
});

describe('a pruned state', () => {
  it('keeps no clock at or below the horizon but its heads, live tags and inserts', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (ops, i) => {
        const clocks = ops.map((o) => o.hlc).sort();
        const h = clocks[i % clocks.length]!;
        for (const row of applyAll(ops).values()) {
          const p = pruneRow(row, h);
          for (const [name, st] of Object.entries(p.f)) {
            const was = row.f[name]!;
            if (st.t === 'r' && was.t === 'r') {
              expect(st.dom.every((c) => c > h)).toBe(true);
              expect(st.heads).toBe(was.heads);
            } else if (st.t === 's' && was.t === 's') {
              expect(st.rm.every((c) => c > h)).toBe(true);
              expect(st.el).toBe(was.el);
            } else {
              expect(st).toBe(was);
            }
          }
          // Pruned at the greatest clock, only what is live is left.
          expect(prunableClocks(pruneRow(row, clocks[clocks.length - 1]!))).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('a row edited many times', () => {
  /** A register edited n times in turn by two devices, each edit superseding the one before. */
  function edited(n: number): { row: RowState; last: string } {
    let row: RowState | undefined;
    let prev: string[] = [];
    let last = '';
    for (let i = 0; i < n; i++) {
      last = encodeHlc(1_800_000_000_000 + i, 0, i % 2 ? 'a' : 'b');
      const o: Op = {
        v: 1,
        org: 'o',
        dev: i % 2 ? 'a' : 'b',
        seq: i + 1,
        hlc: last,
        e: 'note',
        id: 'n1',
        f: 'title',
        k: 'set',
        val: ['a', 'b', 'c'][i % 3],
        base: prev,
      };
      row = applyOp(row, o, toyRegistry);
      // And the set: its element taken off and put back (a remove, then a new add).
      const tags = row.f.tags?.t === 's' ? (row.f.tags.el['"x"']?.tags ?? []) : [];
      const rem: Op = { ...o, hlc: encodeHlc(1_800_000_000_000 + i, 1, o.dev), f: 'tags' };
      row = applyOp(row, { ...rem, k: 'rem', val: 'x', base: undefined, tags }, toyRegistry);
      last = encodeHlc(1_800_000_000_000 + i, 2, o.dev);
      row = applyOp(row, { ...rem, hlc: last, k: 'add', val: 'x', base: undefined }, toyRegistry);
      prev = [o.hlc];
    }
    return { row: row!, last };
  }

  it('holds a bounded state once pruned, however long its history', () => {
    const bytes = (r: RowState) => JSON.stringify(r).length;
    const small = edited(10);
    const large = edited(1000);
    // Unpruned, every superseded clock stays: the state grows with the history.
    // 999 superseded values, 999 removed tags and 1,000 removes.
    expect(prunableClocks(large.row)).toBe(2998);
    expect(bytes(large.row)).toBeGreaterThan(50 * bytes(small.row));
    // Pruned at the last edit's clock: one head, one live tag, nothing superseded kept.
    const p = pruneRow(large.row, large.last);
    expect(prunableClocks(p)).toBeLessThanOrEqual(1);
    expect(bytes(p)).toBeLessThan(300);
    expect(bytes(p)).toBeLessThanOrEqual(bytes(pruneRow(small.row, small.last)) + 10);
    expect(materialise(p, toyRegistry)).toEqual(materialise(large.row, toyRegistry));
    // A row never superseded is left as it is: pruning never makes a state larger.
    const once = edited(1).row;
    const noSet: RowState = { e: once.e, id: once.id, f: { title: once.f.title! } };
    expect(pruneRow(noSet, large.last)).toBe(noSet);
  });
});

describe('a pruned snapshot', () => {
  it('decodes to the pruned states exactly, with their horizons, whole or mixed', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.boolean(), (ops, i, mixed) => {
        const clocks = ops.map((o) => o.hlc).sort();
        const h = clocks[i % clocks.length]!;
        const fold = foldOps(
          emptyFold(),
          ops.map((op, k) => ({ s: k + 1, op })),
          ops.length,
          toyRegistry,
          1,
        );
        let n = 0;
        for (const [k, st] of fold.states) {
          if (!mixed || n++ % 2 === 0) fold.states.set(k, pruneRow(st, h));
        }
        const text = JSON.stringify(snapshotBody(fold, { org: 'o', epoch: 'e', schema: 1 }));
        const back = foldOf(JSON.parse(text));
        expect([...back.states.values()].map((r) => JSON.stringify(r)).sort()).toEqual(
          [...fold.states.values()].map((r) => JSON.stringify(r)).sort(),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('a snapshot pruned at the horizon, then the ops after S', () => {
  it('holds what a replay holds, pruned: same states, same comparable digest', () => {
    fc.assert(
      fc.property(historyArb, historyArb, fc.nat(), fc.nat(), (ops, more, cut, pick) => {
        // The log: ops, then more (their clocks made later, as a horizon needs them all ≤ h).
        const later = more.map((o) => shifted(o));
        const log = [...ops, ...later];
        const s = ops.length + (cut % (later.length + 1));
        const clocks = ops.map((o) => o.hlc).sort();
        const h = clocks[pick % clocks.length]!;
        const fold = foldOps(
          emptyFold(),
          log.slice(0, s).map((op, k) => ({ s: k + 1, op })),
          s,
          toyRegistry,
          1,
        );
        expect(pruneFold(fold, h)).toBe(h);
        for (const st of fold.states.values()) {
          for (const fs of Object.values(st.f)) {
            const kept = fs.t === 'r' ? fs.dom : fs.t === 's' ? fs.rm : [];
            expect(kept.every((c) => c > h)).toBe(true);
          }
        }
        const text = JSON.stringify(snapshotBody(fold, { org: 'o', epoch: 'e', schema: 1 }));
        const loaded = new Map(
          [...foldOf(JSON.parse(text)).states.values()].map((r) => [`${r.e}/${r.id}`, r]),
        );
        const device = applyOnto(loaded, log.slice(s));
        const replay = applyAll(log);
        expect(statesJson(pruneAll(device, h))).toBe(statesJson(pruneAll(replay, h)));
        expect(digestAt([...device.values()], h)).toBe(digestAt([...replay.values()], h));
      }),
      { numRuns: 200 },
    );
  });

  it('is not pruned at or above a parked op’s clock', () => {
    const fold = foldOps(emptyFold(), [], 0, toyRegistry, 1);
    const parkedOp = { ...scenarioOp(), hlc: encodeHlc(1_800_000_000_000, 5, 'a'), v: 2 };
    fold.parked.push({ op: parkedOp });
    expect(pruneFold(fold, encodeHlc(1_800_000_000_000, 5, 'a'))).toBeNull();
    expect(pruneFold(fold, encodeHlc(1_800_000_000_000, 4, 'a'))).not.toBeNull();
  });
});

/** The op written later by another device: every clock it carries moved past the history's. */
function shifted(o: Op): Op {
  const move = (c: string) => {
    const { ms, counter, node } = decodeHlc(c);
    return encodeHlc(ms + 100_000, counter, `${node}2`);
  };
  const out: Op = { ...o, dev: `${o.dev}2`, hlc: move(o.hlc) };
  if (o.base) out.base = o.base.map(move);
  if (o.tags) out.tags = o.tags.map(move);
  return out;
}

function scenarioOp(): Op {
  return {
    v: 1,
    org: 'o',
    dev: 'a',
    seq: 1,
    hlc: '',
    e: 'note',
    id: 'n1',
    f: 'title',
    k: 'set',
    val: 'a',
  };
}

describe('the horizon', () => {
  const c = (ms: number, node = 'd') => encodeHlc(1_800_000_000_000 + ms, 0, node);

  it('is the least clock below which every writer has delivered everything', () => {
    const { horizon, blockedBy } = horizonOf(
      [
        { node: 'tab-1', sent: c(50) },
        { node: 'tab-2', sent: c(20) },
        { node: 'server', sent: c(90) },
      ],
      812,
    );
    expect(horizon).toEqual({ hlc: c(20), seq: 812 });
    expect(blockedBy).toBe('tab-2');
  });

  it('is none while one writer never reported, and never goes back', () => {
    const previous = { hlc: c(30), seq: 500 };
    expect(horizonOf([{ node: 'new', sent: null }], 900, previous)).toEqual({
      horizon: previous,
      blockedBy: 'new',
    });
    expect(horizonOf([{ node: 'new', sent: null }], 900).horizon).toBeNull();
    expect(horizonOf([{ node: 'a', sent: c(10) }], 900, previous).horizon).toBe(previous);
    expect(horizonOf([], 900).horizon).toBeNull();
  });

  it('is adopted by a replica only once it has pulled up to the horizon’s number', () => {
    const announced = [
      { hlc: c(10), seq: 100 },
      { hlc: c(40), seq: 400 },
      { hlc: c(30), seq: 300 },
    ];
    expect(adoptable(announced, 99)).toBeNull();
    expect(adoptable(announced, 350)).toBe(c(30));
    expect(adoptable(announced, 400)).toBe(c(40));
    expect(adoptable(announced, 50, { current: c(25) })).toBe(c(25));
  });

  it('stays below an op the replica holds parked (a newer schema’s, applied after upgrade)', () => {
    const announced = [
      { hlc: c(10), seq: 100 },
      { hlc: c(40), seq: 400 },
    ];
    expect(adoptable(announced, 400, { parked: [c(35), c(60)] })).toBe(c(10));
    expect(adoptable(announced, 400, { parked: [c(10)] })).toBeNull();
    expect(adoptable(announced, 400, { parked: [c(41)] })).toBe(c(40));
  });
});
