// The purge on a device after a sync receipt (docs/design.md §6): it removes what central proved it
// holds, keeps what still waits in the outbox or changed since, is audited, and a purged row is
// never rebuilt half-filled by a later pulled op.
import { describe, expect, it } from 'vitest';
import { localDayProof, purgeAfterReceipts } from '../../src/device/closure';
import { META, setMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { applyRemote, writeChanges } from '../../src/device/write';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { encodeHlc } from '../../src/sync/hlc';
import { openTestDb } from './support';

const TODAY = '2026-11-30';
const { data } = buildDemoDataset({ today: TODAY });
const org = data.organisation[0]!.id;
const past = data.stop.filter((s) => s.date < TODAY).sort((a, b) => (a.date < b.date ? -1 : 1))[0]!;
const dayConsultations = data.consultation.filter((c) => c.stopId === past.id);

async function deviceWithDemo() {
  const db = openTestDb();
  const ops = rowsToOps(org, 'seed', data, Date.parse(`${TODAY}T06:00:00Z`));
  await applyRemote(
    db,
    ops.map((op, i) => ({ s: i + 1, op })),
    'checkpoint:central',
  );
  await setMeta(db, META.deviceId, 'box-1');
  await setMeta(db, META.org, org);
  return { db, lastSeq: ops.length };
}

async function receive(
  db: Awaited<ReturnType<typeof deviceWithDemo>>['db'],
  rows: { e: string; id: string; h: string }[],
) {
  const proof = await localDayProof(db, past.id);
  await writeChanges(db, { deviceId: 'coordination', org }, [
    {
      entity: 'syncReceipt',
      id: 'receipt-1',
      insert: {
        orgId: org,
        stopId: past.id,
        at: `${TODAY}T18:00:00.000Z`,
        staffId: 'coord',
        digest: proof.digest,
        via: 'central',
        devices: [{ dev: 'seed', seq: 1 }],
        rows,
      },
    },
  ]);
}

describe('the purge after a receipt', () => {
  it('drops the kept copies of its own ops written before a due receipt, and only those', async () => {
    const { db } = await deviceWithDemo();
    const proof = await localDayProof(db, past.id);
    // Copies of ops central made durable (sync-client.ts keeps them in case central is restored
    // from an older backup): two written before the receipt, one after it.
    const at = (iso: string) => encodeHlc(Date.parse(iso), 0, 'box-1');
    const copy = (seq: number, hlc: string) => ({
      v: 1,
      org,
      dev: 'box-1',
      seq,
      hlc,
      e: 'patient',
      id: `p${seq}`,
      f: 'phone',
      k: 'set' as const,
      val: '0600000000',
    });
    await db.sent.bulkPut([
      copy(1, at(`${TODAY}T09:00:00.000Z`)),
      copy(2, at(`${TODAY}T17:59:59.999Z`)),
      copy(3, at(`${TODAY}T18:00:00.001Z`)),
    ]);
    await receive(db, proof.rows);
    await setMeta(db, META.retentionDays, 0);
    await purgeAfterReceipts(db, { profile: 'room', today: TODAY, staffId: 'coord' });
    expect(await db.sent.toCollection().primaryKeys()).toEqual([3]);
  });

  it('keeps the kept copies while no receipt is due (retention not over)', async () => {
    const { db } = await deviceWithDemo();
    const proof = await localDayProof(db, past.id);
    await db.sent.put({
      v: 1,
      org,
      dev: 'box-1',
      seq: 1,
      hlc: encodeHlc(Date.parse(`${TODAY}T09:00:00.000Z`), 0, 'box-1'),
      e: 'patient',
      id: 'p1',
      f: 'phone',
      k: 'set',
      val: '0600000000',
    });
    await receive(db, proof.rows);
    await setMeta(db, META.retentionDays, 3650);
    await purgeAfterReceipts(db, { profile: 'room', today: TODAY, staffId: 'coord' });
    expect(await db.sent.count()).toBe(1);
  });

  it('removes the receipted day a room no longer needs, audited, and keeps an unsynced note', async () => {
    const { db } = await deviceWithDemo();
    const proof = await localDayProof(db, past.id);
    const kept = dayConsultations[0]!;
    // An edit made here before the receipt but not sent yet: its op sits in the outbox.
    await writeChanges(db, { deviceId: 'box-1', org }, [
      { entity: 'consultation', id: kept.id, set: { plan: 'Complété hors ligne' } },
    ]);
    await receive(db, proof.rows);
    await setMeta(db, META.retentionDays, 0); // this room keeps nothing after the receipt

    const progress: [number, number][] = [];
    const outcome = await purgeAfterReceipts(db, {
      profile: 'room',
      today: TODAY,
      staffId: 'coord',
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(outcome.removed).toBeGreaterThan(0);
    // Progress told table after table: from nothing to everything removed, never backwards.
    expect(progress[0]).toEqual([0, outcome.removed]);
    expect(progress.at(-1)).toEqual([outcome.removed, outcome.removed]);
    expect(progress.length).toBeGreaterThan(2);
    const done = progress.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(await db.rows('consultation').get(kept.id)).toMatchObject({
      plan: 'Complété hors ligne',
    });
    for (const c of dayConsultations.slice(1)) {
      expect(await db.rows('consultation').get(c.id)).toBeUndefined();
      expect(await db.states.get(['consultation', c.id])).toBeUndefined();
    }
    expect((await outboxOps(db)).some((op) => op.id === kept.id)).toBe(true);
    const audit = (await db.rows('audit').toArray()).find((a) => a.action === 'data.purged');
    expect(audit?.detail).toMatch(/consultation: \d+/);
    expect(audit?.entityId).toBe(past.id);
    // Today's stop and the later ones are untouched.
    const todayVisits = data.visit.filter((v) => v.stopId !== past.id);
    for (const v of todayVisits.slice(0, 5)) expect(await db.rows('visit').get(v.id)).toBeDefined();
  });

  it('removes nothing while the retention runs, nor without a receipt', async () => {
    const { db } = await deviceWithDemo();
    expect((await purgeAfterReceipts(db, { profile: 'display', today: TODAY })).removed).toBe(0);
    await receive(db, (await localDayProof(db, past.id)).rows);
    await setMeta(db, META.retentionDays, 400);
    expect((await purgeAfterReceipts(db, { profile: 'display', today: TODAY })).removed).toBe(0);
    expect(await db.rows('consultation').count()).toBe(data.consultation.length);
  });

  it('ignores a pulled op for a purged row instead of rebuilding half a row', async () => {
    const { db, lastSeq } = await deviceWithDemo();
    await receive(db, (await localDayProof(db, past.id)).rows);
    await purgeAfterReceipts(db, { profile: 'display', today: TODAY });
    const gone = dayConsultations[1]!;
    expect(await db.rows('consultation').get(gone.id)).toBeUndefined();
    const op = {
      v: 2,
      org,
      dev: 'box-2',
      seq: 1,
      hlc: encodeHlc(Date.parse(`${TODAY}T19:00:00Z`), 0, 'box-2'),
      e: 'consultation',
      id: gone.id,
      f: 'plan',
      k: 'set' as const,
      val: 'Ajout tardif',
      base: [],
    };
    const applied = await applyRemote(db, [{ s: lastSeq + 1, op }], 'checkpoint:central');
    expect(applied.parked).toBe(0); // a valid op, ignored because its row was purged
    expect(applied.checkpoint).toBe(lastSeq + 1);
    expect(await db.rows('consultation').get(gone.id)).toBeUndefined();
    expect(await db.states.get(['consultation', gone.id])).toBeUndefined();
  });
});
