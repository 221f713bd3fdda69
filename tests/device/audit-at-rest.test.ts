// The audit log on a device (issue #21 item 4): sealed at rest like the clinical data — on disk
// only its id and time stay in clear (the table's indexes), its merge states and outbox ops are
// sealed too — read back whole through the write path, sealed when it was written in clear
// before, and removed after a receipt once past its retention (one year by default), and only
// then: never while its op waits in the outbox, never without a receipt made after it.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCipher } from '../../src/device/cipher';
import { localDayProof, purgeAfterReceipts } from '../../src/device/closure';
import { declareNoDataKey, setDataKey } from '../../src/device/data-key';
import { generateDataKey } from '../../src/device/data-key-wrap';
import { type EscaleDb, META, setMeta } from '../../src/device/db';
import { ENCRYPTED_TABLES, enableEncryption, sealedOpsPending } from '../../src/device/encryption';
import { actionRecord, opsOf } from '../../src/device/outbox';
import { sealExisting } from '../../src/device/seal-existing';
import { type Change, writeChanges } from '../../src/device/write';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../../src/domain/audit-retention';
import { ORG } from './fixtures';
import { freshIdb, type Idb, openTestDb } from './support';

beforeAll(loadCipher);

const KEY = generateDataKey();
const DEVICE = 'box-1';
/** What an audit record says that must never be readable on disk. */
const ACTION = 'breakGlass.declared';
const DETAIL = 'continuite_soins';
const PATIENT = '0190f1a2-3b4c-7d5e-8f90-a1b2c3d4e5f6';

let counter = 0;
function encryptedDb(idb: Idb = freshIdb()) {
  const name = `audit-${++counter}`;
  const db = openTestDb(idb, name);
  enableEncryption(db);
  return { db, idb, name };
}

function rawAll(idb: Idb, name: string, store: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const open = idb.indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const conn = open.result;
      const req = conn.transaction(store, 'readonly').objectStore(store).getAll();
      req.onsuccess = () => {
        conn.close();
        resolve(req.result as Record<string, unknown>[]);
      };
      req.onerror = () => {
        conn.close();
        reject(req.error);
      };
    };
  });
}

function auditRecord(id: string, at: string): Change {
  return {
    entity: 'audit',
    id,
    insert: {
      orgId: ORG,
      at,
      actorId: 's1',
      deviceId: DEVICE,
      action: ACTION,
      entity: 'patient',
      entityId: PATIENT,
      detail: DETAIL,
    },
  };
}

const write = (db: EscaleDb, changes: Change[]) =>
  writeChanges(db, { deviceId: DEVICE, org: ORG, userId: 's1' }, changes);

/** Central holds these records: their ops leave the outbox (the sync client's acknowledgement). */
async function sent(db: EscaleDb, ids: readonly string[]): Promise<void> {
  // One record per action (src/device/outbox.ts): the acknowledged ops leave their record.
  for (const rec of await db.outbox.toArray()) {
    const left = opsOf(rec).filter((o) => !ids.includes(o.id));
    await db.outbox.delete(rec.seq);
    if (left.length > 0) await db.outbox.put(actionRecord(left));
  }
}

async function receipt(db: EscaleDb, id: string, at: string, excused?: string): Promise<void> {
  await write(db, [
    {
      entity: 'syncReceipt',
      id,
      insert: {
        orgId: ORG,
        stopId: 'stop-1',
        at,
        staffId: 'coord',
        digest: 'a'.repeat(64),
        via: 'central',
        devices: [{ dev: DEVICE, seq: 1 }],
        rows: [],
        ...(excused
          ? { excused: [{ dev: excused, name: 'Ordinateur Box 1', reason: 'lost' }] }
          : {}),
      },
    },
  ]);
}

function expectNothingReadable(records: Record<string, unknown>[]): void {
  const clear = JSON.stringify(records.map(({ _enc, ...rest }) => rest));
  for (const secret of [ACTION, DETAIL, PATIENT, 'breakGlass.declared']) {
    expect(clear).not.toContain(secret);
  }
}

beforeEach(() => setDataKey(KEY));
afterEach(() => setDataKey(null));

describe('the audit log at rest', () => {
  it('is sealed on disk with only its id and time in clear, its states and outbox ops too', async () => {
    const { db, idb, name } = encryptedDb();
    await write(db, [auditRecord('a1', '2026-12-04T09:00:00.000Z')]);
    const raw = await rawAll(idb, name, 'audit');
    expect(raw).toHaveLength(1);
    expect(Object.keys(raw[0]!).sort()).toEqual(['_enc', 'at', 'id']);
    expect(raw[0]).toMatchObject({ id: 'a1', at: '2026-12-04T09:00:00.000Z' });
    expect(ENCRYPTED_TABLES.audit!.keep).toEqual(['id', 'at']);
    expectNothingReadable(raw);
    const states = (await rawAll(idb, name, 'states')).filter((s) => s.e === 'audit');
    expect(states).toHaveLength(1);
    expect(typeof states[0]!._enc).toBe('string');
    expectNothingReadable(states);
    const outbox = (await rawAll(idb, name, 'outbox')).filter((o) => o.e === 'audit');
    expect(outbox.length).toBeGreaterThan(0);
    for (const op of outbox) expect(typeof op._enc).toBe('string');
    expectNothingReadable(outbox);
  });

  it('reads back whole through the write path', async () => {
    const { db } = encryptedDb();
    await write(db, [auditRecord('a1', '2026-12-04T09:00:00.000Z')]);
    expect(await db.table('audit').get('a1')).toEqual({
      _deleted: false,
      id: 'a1',
      orgId: ORG,
      at: '2026-12-04T09:00:00.000Z',
      actorId: 's1',
      deviceId: DEVICE,
      action: ACTION,
      entity: 'patient',
      entityId: PATIENT,
      detail: DETAIL,
    });
    // The journal reads it by time, through the clear index.
    const byTime = await db.table('audit').orderBy('at').toArray();
    expect(byTime.map((r) => r.detail)).toEqual([DETAIL]);
  });

  it('seals the records written in clear before (no data key yet) at the next unlock', async () => {
    const { db, idb, name } = encryptedDb();
    setDataKey(null);
    declareNoDataKey();
    await write(db, [auditRecord('a-before', '2026-12-01T09:00:00.000Z')]);
    expect(JSON.stringify(await rawAll(idb, name, 'audit'))).toContain(DETAIL);
    setDataKey(KEY);
    expect(await sealExisting(db)).toBeGreaterThan(0);
    const raw = await rawAll(idb, name, 'audit');
    expect(Object.keys(raw[0]!).sort()).toEqual(['_enc', 'at', 'id']);
    expectNothingReadable(raw);
    expect(await db.table('audit').get('a-before')).toMatchObject({ detail: DETAIL });
  });

  it('cannot be read while the device is locked', async () => {
    const { db } = encryptedDb();
    await write(db, [auditRecord('a1', '2026-12-04T09:00:00.000Z')]);
    setDataKey(null);
    await expect(db.table('audit').get('a1')).rejects.toThrow(/verrouillées/);
  });
});

describe('a locked device holding sealed audit records', () => {
  it('tells sealed ops waiting in its outbox without the key', async () => {
    const { db } = encryptedDb();
    expect(await sealedOpsPending(db)).toBe(false);
    await write(db, [auditRecord('a1', '2026-12-04T09:00:00.000Z')]);
    setDataKey(null);
    expect(await sealedOpsPending(db)).toBe(true);
    await db.outbox.clear();
    expect(await sealedOpsPending(db)).toBe(false);
  });

  it('still proves its day without the key (the audit is no day)', async () => {
    const { db } = encryptedDb();
    await write(db, [
      auditRecord('a1', '2026-12-04T09:00:00.000Z'),
      {
        entity: 'stop',
        id: 'stop-1',
        set: {
          orgId: ORG,
          unitId: 'unit-1',
          date: '2026-12-04',
          communeInsee: '72180',
          communeName: 'Mamers',
          address: 'Place de la République',
          opensAt: '08:30',
          closesAt: '17:30',
          status: 'open',
        },
      },
    ]);
    const unlocked = await localDayProof(db, 'stop-1');
    setDataKey(null);
    expect(await localDayProof(db, 'stop-1')).toEqual(unlocked);
    expect(unlocked.rows.map((r) => r.e)).toEqual(['stop']);
  });
});

describe('the audit log purged after a receipt', () => {
  const TODAY = '2026-12-04';
  const OLD = '2025-11-20T09:00:00.000Z'; // past one year
  const EDGE = '2025-12-04T09:00:00.000Z'; // exactly one year: kept until tomorrow
  const RECENT = '2026-11-30T09:00:00.000Z';

  async function deviceWithAudit() {
    const { db, idb, name } = encryptedDb();
    await setMeta(db, META.deviceId, DEVICE);
    await setMeta(db, META.org, ORG);
    await write(db, [
      auditRecord('old-sent', OLD),
      auditRecord('old-unsent', OLD),
      auditRecord('edge', EDGE),
      auditRecord('recent', RECENT),
    ]);
    await sent(db, ['old-sent', 'edge', 'recent']);
    return { db, idb, name };
  }

  const purge = (db: EscaleDb, today = TODAY) =>
    purgeAfterReceipts(db, { profile: 'coordination', today, staffId: 's1' });

  it('keeps everything while no receipt was made', async () => {
    const { db } = await deviceWithAudit();
    const outcome = await purge(db);
    expect(outcome.removed).toBe(0);
    expect((await db.table('audit').toArray()).map((r) => r.id).sort()).toEqual(
      ['edge', 'old-sent', 'old-unsent', 'recent'].sort(),
    );
  });

  it('removes, after a receipt, what is past one year and sent, with its state, for good', async () => {
    const { db, idb, name } = await deviceWithAudit();
    await receipt(db, 'r1', '2026-12-03T18:00:00.000Z');
    const outcome = await purge(db);
    expect(DEFAULT_AUDIT_RETENTION_DAYS).toBe(365);
    expect(outcome.remove).toContainEqual({ e: 'audit', id: 'old-sent' });
    const left = (await db.table('audit').toArray()).map((r) => r.id);
    expect(left).not.toContain('old-sent');
    // Not yet sent, or not yet past the year: kept.
    for (const id of ['old-unsent', 'edge', 'recent']) expect(left).toContain(id);
    expect(await db.states.get(['audit', 'old-sent'])).toBeUndefined();
    expect(await db.purged.get(['audit', 'old-sent'])).toBeDefined();
    // The purge audits itself, sealed like the rest.
    const purgeRecord = (await db.table('audit').toArray()).find((r) => r.action === 'data.purged');
    expect(purgeRecord?.detail).toContain('audit: 1');
    const raw = await rawAll(idb, name, 'audit');
    for (const r of raw) expect(Object.keys(r).sort()).toEqual(['_enc', 'at', 'id']);

    // A day later the record of exactly one year ago goes too; the unsent one still waits.
    await purge(db, '2026-12-05');
    const after = (await db.table('audit').toArray()).map((r) => r.id);
    expect(after).not.toContain('edge');
    expect(after).toContain('old-unsent');
    expect(after).toContain('recent');
  });

  it('removes nothing after a receipt that excused this device or came before the records', async () => {
    const { db } = await deviceWithAudit();
    await receipt(db, 'r-excused', '2026-12-03T18:00:00.000Z', DEVICE);
    await receipt(db, 'r-before', '2025-11-01T18:00:00.000Z');
    const outcome = await purge(db);
    expect(outcome.removed).toBe(0);
    expect(await db.table('audit').get('old-sent')).toBeDefined();
  });

  it('follows a shorter retention when the device is given one', async () => {
    const { db } = await deviceWithAudit();
    await receipt(db, 'r1', '2026-12-03T18:00:00.000Z');
    await purgeAfterReceipts(db, {
      profile: 'coordination',
      today: TODAY,
      staffId: 's1',
      auditRetentionDays: 2,
    });
    const left = (await db.table('audit').toArray()).map((r) => r.id);
    expect(left).not.toContain('recent');
    expect(left).not.toContain('edge');
    expect(left).toContain('old-unsent');
  });
});
