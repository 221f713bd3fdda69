// What pruning superseded clocks saves (docs/decisions/0027-pruning.md): the state of one row
// edited N times, and the states and snapshot of the history store (scripts/bench/history.ts)
// before and after pruning at the horizon every replica has passed once all synced (the log's
// greatest clock). Prints JSON lines; docs/benchmarks.md quotes them.
//   BENCH_HISTORY_DAYS=4 npx tsx scripts/bench/prune.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import Database from 'better-sqlite3';
import { entitySpec } from '../../src/domain/entities';
import { encodeHlc } from '../../src/sync/hlc';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { prunableClocks, pruneRow } from '../../src/sync/prune';
import { type Fold, snapshotBody } from '../../src/sync/snapshot';
import { HISTORY_DAYS, historyStoreCopy } from './history';

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
const brotli = (text: string) =>
  brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).length;

/** A patient's phone number rewritten N times by two devices in turn, each seeing the last. */
function editedRow(n: number): { row: RowState; last: string } {
  let row: RowState | undefined;
  let base: string[] = [];
  let last = '';
  for (let i = 0; i < n; i++) {
    const dev = i % 2 ? 'tab-1' : 'tab-2';
    last = encodeHlc(1_800_000_000_000 + i * 60_000, 0, dev);
    const op: Op = {
      v: 1,
      org: 'o',
      dev,
      seq: i + 1,
      hlc: last,
      e: 'patient',
      id: 'p1',
      f: 'phone',
      k: 'set',
      val: `06 12 34 ${String(i % 100).padStart(2, '0')} 00`,
      base,
      user: 'staff-1',
    };
    row = applyOp(row, op, entitySpec);
    base = [last];
  }
  return { row: row!, last };
}

for (const n of [1, 10, 100, 1000]) {
  const { row, last } = editedRow(n);
  const pruned = pruneRow(row, last);
  console.log(
    JSON.stringify({
      line: 'prune.row_state_bytes',
      edits: n,
      before: bytes(row),
      after: bytes(pruned),
      clocksBefore: prunableClocks(row),
      clocksAfter: prunableClocks(pruned),
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'escale-prune-'));
try {
  const t0 = Date.now();
  const info = await historyStoreCopy(join(dir, 'store.sqlite'), HISTORY_DAYS);
  const db = new Database(info.file, { readonly: true });
  const org = (db.prepare('select org from rows limit 1').get() as { org: string }).org;
  const states = (
    db.prepare('select state from rows where org = ?').all(org) as { state: string }[]
  ).map((r) => JSON.parse(r.state) as RowState);
  // Once every replica synced, every op of the log is everywhere: its greatest clock is a horizon.
  const h = (
    db
      .prepare("select max(json_extract(payload, '$.hlc')) as h from ops where org = ?")
      .get(org) as { h: string }
  ).h;
  db.close();
  const pruned = states.map((s) => pruneRow(s, h));
  const sum = (rows: RowState[], f: (r: RowState) => number) => rows.reduce((n, r) => n + f(r), 0);
  const stateBytes = { before: sum(states, bytes), after: sum(pruned, bytes) };
  const changed = pruned.filter((p, i) => p !== states[i]).length;
  const body = (rows: RowState[]) => {
    const fold: Fold = {
      states: new Map(rows.map((r) => [`${r.e}\u0000${r.id}`, r])),
      parked: [],
      seq: info.ops,
      maxHlc: h,
    };
    return JSON.stringify(snapshotBody(fold, { org, epoch: 'e', schema: 1 }));
  };
  const [sBefore, sAfter] = [body(states), body(pruned)];
  const [bBefore, bAfter] = [brotli(sBefore), brotli(sAfter)];
  console.log(
    JSON.stringify({
      line: 'prune.history_store',
      days: info.days,
      ops: info.ops,
      rows: states.length,
      rowsPruned: changed,
      stateBytes,
      prunableClocks: { before: sum(states, prunableClocks), after: sum(pruned, prunableClocks) },
      snapshotBytes: { before: Buffer.byteLength(sBefore), after: Buffer.byteLength(sAfter) },
      snapshotBrotli9: { before: bBefore, after: bAfter },
      'snapshot.pruned_bytes_ratio': Number((bAfter / bBefore).toFixed(3)),
      seconds: Math.round((Date.now() - t0) / 1000),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
