// The screens' reads: what they return for data written through the write path.
import { liveQuery } from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import { META, setMeta } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import {
  appointmentsOfStop,
  conflicts,
  consultationsOfPatient,
  localDigest,
  patientById,
  patientsByNamePrefix,
  queueOfStop,
  rooms,
  rosterOfStop,
  services,
  staffList,
  stopOfDay,
  syncStatus,
} from '../../src/device/queries';
import { applyRemote, type WriteContext, writeChanges } from '../../src/device/write';
import type { QueueStatus } from '../../src/domain/entities';
import { newPatient, ORG } from './fixtures';
import { enableLiveQueries, openTestDb } from './support';

const ctx = (deviceId: string): WriteContext => ({ deviceId, org: ORG, userId: 's1' });
const status = (status: QueueStatus, rank: number, epoch = 0) => ({ status, rank, epoch });

async function seededDb() {
  const db = openTestDb();
  await writeChanges(db, ctx('dev-a'), [
    { entity: 'stop', id: 'stop-old', set: { orgId: ORG, date: '2026-11-22', status: 'closed' } },
    { entity: 'stop', id: 'stop-x', set: { orgId: ORG, date: '2026-11-23', status: 'cancelled' } },
    { entity: 'stop', id: 'stop-1', set: { orgId: ORG, date: '2026-11-23', status: 'open' } },
    { entity: 'room', id: 'r2', set: { orgId: ORG, name: 'Box 2', kind: 'gp_box', order: 2 } },
    { entity: 'room', id: 'r1', set: { orgId: ORG, name: 'Box 1', kind: 'gp_box', order: 1 } },
    { entity: 'service', id: 'sv-sf', set: { orgId: ORG, code: 'SF', label: 'Sage-femme' } },
    { entity: 'service', id: 'sv-mg', set: { orgId: ORG, code: 'MG', label: 'Médecine générale' } },
    {
      entity: 'staff',
      id: 's2',
      set: { orgId: ORG, firstName: 'Zoé', lastName: 'Bernard', active: false },
    },
    {
      entity: 'staff',
      id: 's1',
      set: { orgId: ORG, firstName: 'Anne', lastName: 'Bernard', active: true },
    },
    {
      entity: 'rosterSlot',
      id: 'rs2',
      set: { orgId: ORG, stopId: 'stop-1', roomId: 'r1', start: '13:30', end: '17:00' },
    },
    {
      entity: 'rosterSlot',
      id: 'rs1',
      set: { orgId: ORG, stopId: 'stop-1', roomId: 'r1', start: '08:30', end: '12:00' },
    },
    {
      entity: 'rosterSlot',
      id: 'rs-old',
      set: { orgId: ORG, stopId: 'stop-old', roomId: 'r1', start: '08:30', end: '12:00' },
    },
    newPatient('p1', 1),
    newPatient('p2', 2),
    {
      entity: 'appointment',
      id: 'a2',
      set: { orgId: ORG, stopId: 'stop-1', patientId: 'p2', time: '10:00', status: 'booked' },
    },
    {
      entity: 'appointment',
      id: 'a1',
      set: { orgId: ORG, stopId: 'stop-1', patientId: 'p1', time: '09:00', status: 'booked' },
    },
    { entity: 'visit', id: 'v1', set: { orgId: ORG, stopId: 'stop-1', patientId: 'p1' } },
    {
      entity: 'queueEntry',
      id: 'q1',
      set: { orgId: ORG, stopId: 'stop-1', visitId: 'v1', status: status('waiting', 0) },
    },
    {
      entity: 'queueEntry',
      id: 'q-old',
      set: { orgId: ORG, stopId: 'stop-old', visitId: 'v-gone', status: status('done', 3) },
    },
    {
      entity: 'consultation',
      id: 'c1',
      set: { orgId: ORG, patientId: 'p1', createdAt: '2026-10-01T09:00:00.000Z' },
    },
    {
      entity: 'consultation',
      id: 'c2',
      set: { orgId: ORG, patientId: 'p1', createdAt: '2026-11-23T09:00:00.000Z' },
    },
  ]);
  return db;
}

describe('device queries', () => {
  it('finds the open stop of a date, never a cancelled one', async () => {
    const db = await seededDb();
    expect((await stopOfDay(db, '2026-11-23'))?.id).toBe('stop-1');
    expect(await stopOfDay(db, '2026-12-01')).toBeUndefined();
  });

  it('lists the roster of a stop by room and start, rooms by order, services by code', async () => {
    const db = await seededDb();
    expect((await rosterOfStop(db, 'stop-1')).map((s) => s.id)).toEqual(['rs1', 'rs2']);
    expect((await rooms(db)).map((r) => r.name)).toEqual(['Box 1', 'Box 2']);
    expect((await services(db)).map((s) => s.code)).toEqual(['MG', 'SF']);
  });

  it('lists staff by name, optionally only the active ones', async () => {
    const db = await seededDb();
    expect((await staffList(db)).map((s) => s.id)).toEqual(['s1', 's2']);
    expect((await staffList(db, { activeOnly: true })).map((s) => s.id)).toEqual(['s1']);
  });

  it('joins the queue of a stop with visits and patients, tolerating rows still arriving', async () => {
    const db = await seededDb();
    const items = await queueOfStop(db, 'stop-1');
    expect(items).toHaveLength(1);
    expect(items[0]?.visit?.id).toBe('v1');
    expect(items[0]?.patient?.id).toBe('p1');
    const old = await queueOfStop(db, 'stop-old');
    expect(old[0]?.visit).toBeUndefined();
    expect(old[0]?.patient).toBeUndefined();
  });

  it('lists the appointments of a stop by time with their patient', async () => {
    const db = await seededDb();
    const list = await appointmentsOfStop(db, 'stop-1');
    expect(list.map((a) => [a.appointment.id, a.patient?.id])).toEqual([
      ['a1', 'p1'],
      ['a2', 'p2'],
    ]);
  });

  it('reads a patient, finds patients by folded name prefix, lists consultations newest first', async () => {
    const db = await seededDb();
    expect((await patientById(db, 'p2'))?.birthName).toBe('MARTIN');
    expect((await patientsByNamePrefix(db, 'lefevre élo')).map((p) => p.id)).toEqual(['p1']);
    expect(await patientsByNamePrefix(db, '  ')).toEqual([]);
    expect((await consultationsOfPatient(db, 'p1')).map((c) => c.id)).toEqual(['c2', 'c1']);
  });

  it('reports the sync status with the live number of ops waiting', async () => {
    const db = await seededDb();
    const s = await syncStatus(db);
    expect(s.state).toBe('never');
    expect(s.pending).toBe(await db.outbox.count());
    await setMeta(db, META.syncStatus, { ...s, state: 'ok', server: 'http://relay', pending: 0 });
    await db.outbox.clear();
    expect(await syncStatus(db)).toMatchObject({ state: 'ok', server: 'http://relay', pending: 0 });
  });

  it('derives conflicts from the merge state: concurrent clinical edits on two devices', async () => {
    const a = openTestDb();
    const b = openTestDb();
    await writeChanges(a, ctx('dev-a'), [newPatient('p1')]);
    await applyRemote(
      b,
      (await outboxOps(a)).map((op, i) => ({ s: i + 1, op })),
      'cp',
    );
    await a.outbox.clear();
    // Offline, each device corrects the birth date differently; phone is not clinical.
    await writeChanges(a, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', set: { birthDate: '1950-03-12', phone: '0600000001' } },
    ]);
    await writeChanges(b, ctx('dev-b'), [
      { entity: 'patient', id: 'p1', set: { birthDate: '1950-02-03', phone: '0600000002' } },
    ]);
    const fromB = (await outboxOps(b)).filter((op) => op.dev === 'dev-b');
    await applyRemote(
      b,
      (await outboxOps(a)).map((op, i) => ({ s: 100 + i, op })),
      'cp',
    );
    await applyRemote(
      a,
      fromB.map((op, i) => ({ s: 200 + i, op })),
      'cp',
    );
    const onA = await conflicts(a);
    expect(onA).toHaveLength(1);
    expect(onA[0]).toMatchObject({ entity: 'patient', id: 'p1', field: 'birthDate' });
    expect(onA[0]?.versions.map((v) => v.value).sort()).toEqual(['1950-02-03', '1950-03-12']);
    expect(await conflicts(b)).toEqual(onA);
    expect(await conflicts(a, 'stop')).toEqual([]);
    expect(await localDigest(a)).toBe(await localDigest(b));
    // Resolving: an ordinary write whose base lists every head collapses them.
    await writeChanges(a, ctx('dev-a'), [
      { entity: 'patient', id: 'p1', set: { birthDate: '1950-03-12' } },
    ]);
    expect(await conflicts(a)).toEqual([]);
  });

  it('re-runs a live query when a write changes what it read', async () => {
    enableLiveQueries();
    const db = await seededDb();
    const seen: number[] = [];
    const sub = liveQuery(() => queueOfStop(db, 'stop-1')).subscribe({
      next: (items) => seen.push(items.length),
      error: (e) => {
        throw e;
      },
    });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000 });
    await writeChanges(db, ctx('dev-a'), [
      {
        entity: 'queueEntry',
        id: 'q2',
        set: { orgId: ORG, stopId: 'stop-1', visitId: 'v1', status: status('waiting', 0) },
      },
    ]);
    await vi.waitFor(() => expect(seen.at(-1)).toBe(2), { timeout: 10_000 });
    sub.unsubscribe();
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(2);
  });
});
