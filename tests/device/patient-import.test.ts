// Writing an imported patient list (src/device/patient-import.ts, docs/decisions/0012): batches
// of the write path, each whole or absent, resumed after a failure, and accepted by the server.
import { afterEach, describe, expect, it } from 'vitest';
import { auditChange } from '../../src/device/audit-change';
import { META, setMeta } from '../../src/device/db';
import { IMPORT_BATCH, type ImportWrite, writeImport } from '../../src/device/patient-import';
import { createSyncClient } from '../../src/device/sync-client';
import { writeChanges } from '../../src/device/write';
import { writeRefusal } from '../../src/domain/access';
import {
  guessMapping,
  patientsToImport,
  planImport,
  readCsv,
} from '../../src/domain/patient-import';
import { MAX_PUSH_OPS } from '../../src/sync/protocol';
import { patientFixture } from '../domain/patient-import-fixture';
import { credentialFor, seedStaff, signIn } from '../support/auth';
import { startTestServer } from '../support/server';
import { ORG } from './fixtures';
import { openTestDb } from './support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function plannedPatients(size: number) {
  const fixture = patientFixture(size);
  const table = readCsv(new TextEncoder().encode(fixture.csv));
  let n = 0;
  const plan = planImport(table.rows, guessMapping(table.headers), {
    orgId: ORG,
    today: '2026-12-04',
    now: '2026-12-04T10:00:00.000Z',
    registry: fixture.registry,
    newId: () => `imp-${String(n++).padStart(5, '0')}`,
  });
  return { plan, patients: patientsToImport(plan, new Set(), 'staff-coord') };
}

async function coordinationDevice(deviceId: string) {
  const db = openTestDb(undefined, `import-${deviceId}`);
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, ORG);
  cleanups.push(() => db.close());
  const transactions: number[] = [];
  // What the screen's writer does: the profile's access check, the audit event in the same
  // transaction, the write path.
  const write: ImportWrite = async (changes, audit) => {
    const all = [...changes, auditChange({ org: ORG, deviceId, actorId: 'staff-coord' }, audit)];
    for (const c of all) {
      const refusal = writeRefusal('coordination', c.entity);
      if (refusal) throw new Error(refusal);
    }
    const ops = await writeChanges(db, { deviceId, org: ORG, userId: 'staff-coord' }, all);
    transactions.push(ops.length);
  };
  return { db, write, transactions };
}

describe('writing an imported patient list', () => {
  it('writes 5,000 records’ 4,500 accepted patients in batches the server accepts', async () => {
    const { plan, patients } = plannedPatients(5_000);
    expect(plan).toMatchObject({ accepted: 4_500, refused: 300, duplicates: 200 });
    expect(patients).toHaveLength(4_500);
    const { db, write, transactions } = await coordinationDevice('coord-import');
    const progress: number[] = [];
    const result = await writeImport(db, write, patients, {
      onProgress: (p) => progress.push(p.done),
    });
    expect(result).toEqual({ written: 4_500, skipped: 0 });
    // 4,500 / 250 = 18 batches, progress after each, every batch one transaction.
    expect(progress).toHaveLength(18);
    expect(progress.at(-1)).toBe(4_500);
    expect(transactions).toHaveLength(18);
    for (const ops of transactions) expect(ops).toBeLessThan(MAX_PUSH_OPS);
    expect(await db.rows('patient').count()).toBe(4_500);
    const audits = await db.rows('audit').toArray();
    expect(audits.map((a) => a.action)).toEqual(Array(18).fill('patient.imported'));
    expect(audits.reduce((sum, a) => sum + Number(a.detail), 0)).toBe(4_500);
  }, 300_000);

  it('sends the imported patients to the server, which accepts every op', async () => {
    const { patients } = plannedPatients(700);
    const { db, write } = await coordinationDevice('coord-push');
    await writeImport(db, write, patients, {});
    const server = await startTestServer({ store: 'sqlite' });
    cleanups.push(() => server.close());
    const enrolled = await credentialFor(server, 'coord-push', { org: ORG });
    const { token } = enrolled;
    // The ops carry the signed-in coordinator: the server takes them from a device she holds a
    // session on (docs/decisions/0006-person-sessions.md).
    await seedStaff(server.store, ORG, ['staff-coord']);
    await signIn(server, enrolled, 'staff-coord');
    await setMeta(db, 'credential', {
      token,
      profile: 'coordination',
      roomId: null,
      name: 'coord-push',
      orgName: ORG,
    });
    const client = createSyncClient({
      db,
      servers: [server.url],
      locks: null,
      events: null,
      eventSource: null,
      timeoutMs: 30_000,
    });
    cleanups.push(() => client.stop());
    // Each sync pushes one budget's worth of the outbox; as many as it takes.
    for (let i = 0; i < 200 && (await db.outbox.count()) > 0; i++) {
      expect((await client.syncNow()).state).toBe('ok');
    }
    expect(await db.outbox.count()).toBe(0);
    expect(await db.parked.count()).toBe(0);
    expect(await server.store.rows(ORG, 'patient')).toHaveLength(630);
  }, 120_000);

  it('leaves a failed batch out whole, and resumes after the batches already written', async () => {
    const { patients } = plannedPatients(700);
    expect(patients).toHaveLength(630);
    const { db, write } = await coordinationDevice('coord-resume');
    let calls = 0;
    const failing: ImportWrite = async (changes, audit) => {
      if (++calls === 2) {
        // The second batch fails inside its transaction: after its first rows were staged.
        await expect(
          write([...changes, { entity: 'patient', id: 'bad', set: { birthDate: 'x' } }], audit),
        ).rejects.toThrow();
        throw new Error('Coupure pendant l’import.');
      }
      await write(changes, audit);
    };
    await expect(writeImport(db, failing, patients, {})).rejects.toThrow(/Coupure/);
    expect(await db.rows('patient').count()).toBe(IMPORT_BATCH);
    const again = await writeImport(db, write, patients, {});
    expect(again).toEqual({ written: 630 - IMPORT_BATCH, skipped: IMPORT_BATCH });
    expect(await db.rows('patient').count()).toBe(630);
    expect(await db.rows('audit').count()).toBe(3);
  }, 120_000);
});
