// Snapshots (src/sync/snapshot.ts): the fold of a log up to S, encoded by columns and decoded,
// then the ops after S, give the states a full replay gives — same rows, same digest — and any
// further op merges onto both alike. Chunks carry checksums that catch a changed byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestRows } from '../../src/sync/digest';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import {
  chunkMatches,
  chunkText,
  emptyFold,
  entityStates,
  foldOf,
  foldOps,
  snapshotBody,
  wholeMatches,
} from '../../src/sync/snapshot';
import { applyAll, historyArb } from './history';
import { toyRegistry } from './toy-registry';

const seqOps = (ops: readonly Op[], from = 1) => ops.map((op, i) => ({ s: from + i, op }));

/** Encodes the fold of ops[0..s) as its text and decodes it back to row states. */
function throughSnapshot(ops: readonly Op[], s: number) {
  const fold = foldOps(emptyFold(), seqOps(ops.slice(0, s)), s, toyRegistry, 1);
  const text = JSON.stringify(snapshotBody(fold, { org: 'o', epoch: 'e1', schema: 1 }));
  return foldOf(JSON.parse(text));
}

const byKey = (rows: Iterable<RowState>) => {
  const out = new Map<string, RowState>();
  for (const r of rows) out.set(`${r.e}/${r.id}`, r);
  return out;
};

describe('a snapshot at S followed by the ops after S', () => {
  it('holds what a replay of every op holds, and merges any later op alike', () => {
    fc.assert(
      fc.property(historyArb, historyArb, fc.nat(), (ops, later, cut) => {
        const s = cut % (ops.length + 1);
        const loaded = throughSnapshot(ops, s);
        let states = byKey(loaded.states.values());
        for (const op of ops.slice(s)) {
          const key = `${op.e}/${op.id}`;
          states.set(key, applyOp(states.get(key), op, toyRegistry));
        }
        const replayed = applyAll(ops);
        expect(states).toEqual(replayed);
        expect(digestRows([...states.values()])).toBe(digestRows([...replayed.values()]));
        // Further ops (another history's, renamed to other devices so their stamps stay unique).
        const more = later.map((op) => ({
          ...op,
          dev: `z${op.dev}`,
          hlc: `${op.hlc.replace(/:[^:]+$/, '')}:z${op.dev}`,
        }));
        states = new Map(states);
        const both = new Map(replayed);
        for (const op of more) {
          const key = `${op.e}/${op.id}`;
          states.set(key, applyOp(states.get(key), op, toyRegistry));
          both.set(key, applyOp(both.get(key), op, toyRegistry));
        }
        expect(digestRows([...states.values()])).toBe(digestRows([...both.values()]));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same fold gives the same text whatever order the ops came in', () => {
    fc.assert(
      fc.property(historyArb, (ops) => {
        const a = foldOps(emptyFold(), seqOps(ops), ops.length, toyRegistry, 1);
        const b = foldOps(emptyFold(), seqOps([...ops].reverse()), ops.length, toyRegistry, 1);
        const meta = { org: 'o', epoch: 'e', schema: 1 };
        expect(JSON.stringify(snapshotBody(a, meta))).toBe(JSON.stringify(snapshotBody(b, meta)));
      }),
      { numRuns: 100 },
    );
  });

  it('says one clock per row and relative clocks for a row written at once', () => {
    const hlc = (c: number) => `0000abcde:000${c}:dev-1`;
    const ops: Op[] = ['title', 'dose'].map((f, i) => ({
      v: 1,
      org: 'o',
      dev: 'dev-1',
      seq: i + 1,
      hlc: hlc(i),
      user: 'u1',
      e: 'note',
      id: 'n1',
      f,
      k: 'set',
      val: f === 'title' ? 'a' : 2,
      base: [],
    }));
    const body = snapshotBody(foldOps(emptyFold(), seqOps(ops), 2, toyRegistry, 1), {
      org: 'o',
      epoch: 'e',
      schema: 1,
    });
    const [note] = body.entities;
    expect(note).toMatchObject({ e: 'note', ids: ['n1'], clock: [hlc(0)], user: ['u1'] });
    expect(note!.columns).toEqual([
      { field: 'dose', k: 'r', cells: [[2, 1]] },
      { field: 'title', k: 'r', cells: [['a', 0]] },
    ]);
    expect(entityStates(note!)).toEqual([...applyAll(ops).values()]);
  });

  it('parks the ops of a newer schema and the ops the merge refuses, as a device would', () => {
    const ops: Op[] = [
      {
        v: 2,
        org: 'o',
        dev: 'd',
        seq: 1,
        hlc: '0000abcde:0000:d',
        e: 'note',
        id: 'n',
        f: 'x',
        k: 'set',
        val: 1,
      },
      {
        v: 1,
        org: 'o',
        dev: 'd',
        seq: 2,
        hlc: '0000abcde:0001:d',
        e: 'nope',
        id: 'n',
        f: 'x',
        k: 'set',
        val: 1,
      },
    ];
    const fold = foldOps(emptyFold(), seqOps(ops), 7, toyRegistry, 1);
    expect(fold.seq).toBe(7);
    expect(fold.states.size).toBe(0);
    expect(fold.parked.map((p) => [p.op.seq, p.error === undefined])).toEqual([
      [1, true],
      [2, false],
    ]);
  });
});

describe('snapshot chunks', () => {
  it('cut the text into checksummed pieces that put back together give the whole', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.integer({ min: 4, max: 64 }),
        (text, size) => {
          const { chunks, info, sha256, bytes } = chunkText(text, size);
          expect(chunks.join('')).toBe(text);
          expect(bytes).toBe(new TextEncoder().encode(text).length);
          expect(chunks.every((c, i) => chunkMatches(c, info[i]!))).toBe(true);
          const manifest = {
            id: 'x',
            format: 1,
            seq: 0,
            epoch: 'e',
            schema: 1,
            bytes,
            sha256,
            chunks: info,
            parts: [{ chunks: info.length, rows: 0, bytes, sha256 }],
            day: '2026-12-05',
          };
          expect(wholeMatches(chunks, manifest)).toBe(true);
          if (chunks.length > 0) {
            const bad = [...chunks];
            bad[0] = `${bad[0]!.slice(1)}#`;
            if (bad[0] !== chunks[0]) {
              expect(chunkMatches(bad[0]!, info[0]!)).toBe(false);
              expect(wholeMatches(bad, manifest)).toBe(false);
            }
          }
        },
      ),
    );
  });
});
