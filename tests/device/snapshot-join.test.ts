// A snapshot written over rows the device already holds joins them, never replaces them
// (src/device/write.ts storeSnapshotStates): a load from the relay resumed after central's load
// completed — central's snapshot older than the relay part written first — had put central's older
// states over the relay's, and the checkpoint then moved past the ops they lacked (simulation seed
// 229: a reception tablet joining mid-day kept a queue entry's « appelé » empty for good).
import { describe, expect, it } from 'vitest';
import { registry, storeSnapshotStates } from '../../src/device/write';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { at } from '../sync/ops';
import { openTestDb } from './support';

let seq = 0;
function setName(dev: string, ms: number, val: string, base: string[] = []): Op {
  return {
    v: 1,
    org: 'o',
    dev,
    seq: ++seq,
    hlc: at(dev, ms),
    e: 'patient',
    id: 'p1',
    f: 'usedName',
    k: 'set',
    val,
    base,
  };
}

describe('a snapshot over rows held', () => {
  const older: RowState = applyOp(undefined, setName('reception', 0, 'DUPONT'), registry);
  const newer: RowState = applyOp(
    older,
    setName('laptop-room-1', 1_000, 'DUPONT-MARTIN', [at('reception', 0)]),
    registry,
  );

  it('keeps what the device holds beyond the snapshot (an older server’s, or an older S)', async () => {
    const db = openTestDb();
    await storeSnapshotStates(db, [newer], [], [], [], undefined, { fresh: true });
    await storeSnapshotStates(db, [older], [], [], [], undefined, { fresh: false });
    expect(await db.states.get(['patient', 'p1'])).toEqual(newer);
    expect((await db.table('patient').get('p1'))?.usedName).toBe('DUPONT-MARTIN');
  });

  it('takes what the snapshot holds beyond the device', async () => {
    const db = openTestDb();
    await storeSnapshotStates(db, [older], [], [], [], undefined, { fresh: true });
    await storeSnapshotStates(db, [newer], [], [], [], undefined, { fresh: false });
    expect(await db.states.get(['patient', 'p1'])).toEqual(newer);
    expect((await db.table('patient').get('p1'))?.usedName).toBe('DUPONT-MARTIN');
  });
});
