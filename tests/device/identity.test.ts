// Identity acts through the one write path, and reads that follow merges (src/device/queries.ts):
// visits, notes and bookings of a merged identity show under its survivor, on the device that
// merged and on a replica, for ops that arrive after the merge too; undoing restores both.
import { describe, expect, it } from 'vitest';
import { correctionAct, mergeAct, unmergeAct } from '../../src/device/identity-commands';
import { outboxOps } from '../../src/device/outbox';
import {
  allPatients,
  appointmentsOfStop,
  consultationsOfPatient,
  identityHistory,
  patientById,
  queueOfStop,
} from '../../src/device/queries';
import { applyRemote, type WriteContext, writeChanges } from '../../src/device/write';
import type { Patient } from '../../src/domain/entities';
import { planCorrection } from '../../src/domain/identity-lifecycle';
import { newPatient, ORG, patientFields } from './fixtures';
import { openTestDb } from './support';

const ctx = (deviceId: string): WriteContext => ({ deviceId, org: ORG, userId: 's1' });
const who = { org: ORG, staffId: 's1', at: '2026-11-23T09:00:00.000Z' };

const visit = (id: string, patientId: string) => ({
  entity: 'visit' as const,
  id,
  set: { orgId: ORG, patientId, stopId: 'stop-1', arrivedAt: '2026-11-23T08:30:00.000Z' },
});
const entry = (id: string, visitId: string) => ({
  entity: 'queueEntry' as const,
  id,
  set: { orgId: ORG, visitId, stopId: 'stop-1', serviceId: 'sv', ticket: `MG-00${id.slice(-1)}` },
});
const note = (id: string, patientId: string, createdAt: string) => ({
  entity: 'consultation' as const,
  id,
  set: { orgId: ORG, patientId, stopId: 'stop-1', createdAt },
});

async function twoIdentities() {
  const db = openTestDb();
  await writeChanges(db, ctx('dev-a'), [
    newPatient('p-keep', 1),
    { entity: 'patient', id: 'p-dup', set: { ...patientFields(1), allergies: ['latex'] } },
    visit('v1', 'p-keep'),
    entry('q1', 'v1'),
    visit('v2', 'p-dup'),
    entry('q2', 'v2'),
    note('c1', 'p-keep', '2026-10-01T09:00:00.000Z'),
    note('c2', 'p-dup', '2026-11-23T09:00:00.000Z'),
    {
      entity: 'appointment',
      id: 'a1',
      set: { orgId: ORG, patientId: 'p-dup', stopId: 'stop-1', time: '10:00' },
    },
  ]);
  return db;
}

const merge = (db: ReturnType<typeof openTestDb>) => {
  const act = mergeAct('p-keep', 'p-dup', [], who);
  return writeChanges(db, ctx('dev-a'), act.changes);
};

describe('reads follow merges', () => {
  it('after a merge every visit, note and booking of both sides shows under the survivor', async () => {
    const db = await twoIdentities();
    await merge(db);

    const queue = await queueOfStop(db, 'stop-1');
    expect(queue.map((q) => [q.entry.id, q.visit?.patientId, q.patient?.id])).toEqual([
      ['q1', 'p-keep', 'p-keep'],
      ['q2', 'p-keep', 'p-keep'],
    ]);
    expect((await appointmentsOfStop(db, 'stop-1'))[0]?.patient?.id).toBe('p-keep');
    expect((await consultationsOfPatient(db, 'p-keep')).map((c) => c.id)).toEqual(['c2', 'c1']);
    expect((await consultationsOfPatient(db, 'p-dup')).map((c) => c.id)).toEqual(['c2', 'c1']);
    // The merged identity opens as its survivor, with the allergies of both.
    const opened = await patientById(db, 'p-dup');
    expect(opened?.id).toBe('p-keep');
    expect(opened?.allergies.sort()).toEqual(['latex', 'pénicilline']);
    // Search finds the survivor only.
    expect((await allPatients(db)).map((p) => p.id)).toEqual(['p-keep']);
    // The stored rows are untouched: the pointer does the work.
    expect((await db.rows('visit').get('v2'))?.patientId).toBe('p-dup');
  });

  it('a replica that receives the merge, and later ops for the merged identity, reads the same', async () => {
    const a = await twoIdentities();
    const b = openTestDb();
    await merge(a);
    await applyRemote(
      b,
      (await outboxOps(a)).map((op, i) => ({ s: i + 1, op })),
      'cp',
    );
    // A device that did not know of the merge checks the merged identity in again.
    const late = openTestDb();
    await writeChanges(late, ctx('dev-c'), [visit('v3', 'p-dup'), entry('q3', 'v3')]);
    await applyRemote(
      b,
      (await outboxOps(late)).map((op, i) => ({ s: 100 + i, op })),
      'cp',
    );
    const queue = await queueOfStop(b, 'stop-1');
    expect(queue.map((q) => q.patient?.id)).toEqual(['p-keep', 'p-keep', 'p-keep']);
  });

  it('undoing the merge gives each identity its own rows back', async () => {
    const db = await twoIdentities();
    await merge(db);
    await writeChanges(db, ctx('dev-a'), unmergeAct('p-keep', 'p-dup', who).changes);
    const queue = await queueOfStop(db, 'stop-1');
    expect(queue.map((q) => q.patient?.id)).toEqual(['p-keep', 'p-dup']);
    expect((await allPatients(db)).map((p) => p.id).sort()).toEqual(['p-dup', 'p-keep']);
    // Both identities' histories keep the merge and its undoing.
    for (const id of ['p-keep', 'p-dup']) {
      const history = await identityHistory(db, id);
      expect(history.map((h) => [h.kind, h.patientId, h.otherPatientId]).sort()).toEqual([
        ['merge', 'p-dup', 'p-keep'],
        ['unmerge', 'p-dup', 'p-keep'],
      ]);
    }
  });
});

describe('correction', () => {
  it('writes the new traits and keeps the previous ones, who and when in the history', async () => {
    const db = openTestDb();
    await writeChanges(db, ctx('dev-a'), [
      {
        entity: 'patient',
        id: 'p1',
        set: { ...patientFields(1), identityStatus: 'validee', identityDocument: 'cni' },
      },
    ]);
    const current = (await patientById(db, 'p1')) as Patient;
    const plan = planCorrection(
      current,
      { birthName: 'LEFEVRE' },
      { recheckedDocument: null, today: '2026-11-23' },
    );
    if (!plan.ok) throw new Error('plan refused');
    await writeChanges(db, ctx('dev-a'), correctionAct('p1', current, plan.plan, who).changes);
    expect(await patientById(db, 'p1')).toMatchObject({
      birthName: 'LEFEVRE',
      identityStatus: 'provisoire',
      identityDocument: null,
    });
    const [event] = await identityHistory(db, 'p1');
    expect(event).toMatchObject({
      kind: 'correction',
      staffId: 's1',
      at: who.at,
      changes: [
        { field: 'birthName', before: 'LEFÈVRE', after: 'LEFEVRE' },
        { field: 'identityStatus', before: 'validee', after: 'provisoire' },
        { field: 'identityDocument', before: 'cni', after: null },
      ],
    });
  });
});
