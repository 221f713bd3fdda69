// Encryption at rest of the clinical records (decision 0003): what the write path, the pulled
// ops and the sync client store in IndexedDB is read back unchanged through Dexie, while the raw
// records (read with the bare fake-indexeddb API, no middleware) hold no clinical text.
// Nothing here is timed: the cost of sealing is not measured by tests (no timers, no budgets).
import { liveQuery } from 'dexie';
import { IDBCursor } from 'fake-indexeddb';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCipher } from '../../src/device/cipher';
import {
  bytesToBase64,
  dataKeySlots,
  declareNoDataKey,
  setDataKey,
} from '../../src/device/data-key';
import { generateDataKey } from '../../src/device/data-key-wrap';
import { type EscaleDb, getMeta, getWriter, META, setMeta } from '../../src/device/db';
import {
  DataLockedError,
  DataUnreadableError,
  ENCRYPTED_ENTITIES,
  ENCRYPTED_TABLES,
  enableEncryption,
  indexedProperties,
  openRecord,
  recordAad,
  sealRecord,
} from '../../src/device/encryption';
import { actionRecord, outboxOps } from '../../src/device/outbox';
import { sealExisting, unlockClinicalData } from '../../src/device/seal-existing';
import { createSyncClient } from '../../src/device/sync-client';
import {
  applyRemote,
  type Change,
  replayParked,
  type WriteContext,
  writeChanges,
} from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { Op } from '../../src/sync/op';
import { type SeqOp, type SyncRequest, syncRequestSchema } from '../../src/sync/protocol';
import { newPatient, ORG, vitalsRow } from './fixtures';
import { enableLiveQueries, freshIdb, type Idb, openTestDb } from './support';

// The app loads the cipher in openDataKey; these tests also put keys in memory directly.
beforeAll(loadCipher);

const T0 = Date.parse('2026-11-23T08:00:00Z');
const ctx = (deviceId = 'dev-a'): WriteContext => ({
  deviceId,
  org: ORG,
  userId: 's1',
  now: () => T0,
});
const asPulled = (ops: readonly Op[], from = 1): SeqOp[] =>
  ops.map((op, i) => ({ s: from + i, op }));

/** Clinical text that must never be readable on disk. */
const NOTE = 'Douleur thoracique atypique depuis trois jours';
const PLAN = 'ECG de contrôle et avis cardiologique';
const CODE_LABEL = 'Douleur attribuée au cœur';

function consultation(id: string, patientId = 'p1', status = 'draft'): Change {
  return {
    entity: 'consultation',
    id,
    set: {
      orgId: ORG,
      queueEntryId: `q-${id}`,
      visitId: `v-${id}`,
      patientId,
      stopId: 'stop-1',
      serviceId: 'svc-mg',
      authorId: 's1',
      supervisorId: null,
      motif: NOTE,
      subjective: 'Gêne à l’effort',
      objective: 'Auscultation normale',
      assessment: 'Probablement pariétal',
      plan: PLAN,
      codes: [{ system: 'CISP-2', code: 'K01', label: CODE_LABEL, use: 'reason' }],
      orientation: { kind: 'none' },
      confidentiality: 'standard',
      status: status as 'draft',
      returnComment: null,
      createdAt: '2026-11-23T09:00:00.000Z',
    },
  };
}

const KEY_A = generateDataKey();
const KEY_B = generateDataKey();

let counter = 0;
/** A device database with the middleware installed (not opened yet). */
function encryptedDb(idb: Idb = freshIdb(), name = `enc-${++counter}`) {
  const db = openTestDb(idb, name);
  enableEncryption(db);
  return { db, idb, name };
}

// ---- raw IndexedDB access (no Dexie, no middleware) ----

function rawOpen(idb: Idb, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = idb.indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function rawAll(idb: Idb, name: string, store: string): Promise<Record<string, unknown>[]> {
  const conn = await rawOpen(idb, name);
  try {
    return await new Promise((resolve, reject) => {
      const req = conn.transaction(store, 'readonly').objectStore(store).getAll();
      req.onsuccess = () => resolve(req.result as Record<string, unknown>[]);
      req.onerror = () => reject(req.error);
    });
  } finally {
    conn.close();
  }
}

async function rawPut(idb: Idb, name: string, store: string, value: unknown): Promise<void> {
  const conn = await rawOpen(idb, name);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = conn.transaction(store, 'readwrite');
      tx.objectStore(store).put(value);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    conn.close();
  }
}

/** The same records written by a database without the middleware. */
async function plainTwin(changes: Change[][]): Promise<EscaleDb> {
  const db = openTestDb();
  for (const batch of changes) await writeChanges(db, ctx(), batch);
  return db;
}

function expectSealed(records: Record<string, unknown>[], table: string): void {
  const keep = new Set([...ENCRYPTED_TABLES[table]!.keep, '_enc']);
  for (const r of records) {
    expect(typeof r._enc).toBe('string');
    for (const k of Object.keys(r)) expect(keep.has(k), `${table}.${k} en clair`).toBe(true);
  }
  // The clear part (the ciphertext aside: a short word like K01 can occur in base64 by chance).
  const json = JSON.stringify(records.map(({ _enc, ...clear }) => clear));
  for (const secret of [NOTE, PLAN, CODE_LABEL, 'Gêne', 'K01']) expect(json).not.toContain(secret);
}

beforeEach(() => setDataKey(KEY_A));
afterEach(() => setDataKey(null));

describe('what is kept in clear', () => {
  it('parses the primary key and indexes of a store string', () => {
    expect(indexedProperties('id, patientId, [stopId+serviceId], &code, *tags, ++n')).toEqual([
      'id',
      'patientId',
      'stopId',
      'serviceId',
      'code',
      'tags',
      'n',
    ]);
    expect(indexedProperties('[e+id], e')).toEqual(['e', 'id']);
  });

  it('keeps exactly the key and index properties of the consultation, the states and the ops', () => {
    expect([...ENCRYPTED_TABLES.consultation!.keep].sort()).toEqual(
      ['authorId', 'id', 'patientId', 'queueEntryId', 'status', 'stopId'].sort(),
    );
    expect(ENCRYPTED_TABLES.states!.keep).toEqual(['e', 'id']);
    // The outbox keeps one record per action (outbox.ts): its first op's seq stays clear too.
    expect(ENCRYPTED_TABLES.outbox!.keep).toEqual(['seq', 'e', 'first']);
    // Kept copies of ops durable at central: the stamp stays clear so the purge can cut by time.
    expect([...ENCRYPTED_TABLES.sent!.keep].sort()).toEqual(['e', 'hlc', 'seq']);
    expect([...ENCRYPTED_TABLES.parked!.keep].sort()).toEqual(['dev', 'seq', 'v']);
    expect(Object.keys(ENCRYPTED_TABLES).sort()).toEqual(
      [...ENCRYPTED_ENTITIES, 'states', 'outbox', 'sent', 'parked'].sort(),
    );
  });

  it('keeps in clear every primary key and index the opened database declares', async () => {
    const { db } = encryptedDb();
    await db.open();
    for (const [name, spec] of Object.entries(ENCRYPTED_TABLES)) {
      const schema = db.table(name).schema;
      const paths = [schema.primKey, ...schema.indexes].flatMap((i) =>
        i.keyPath === undefined ? [] : Array.isArray(i.keyPath) ? i.keyPath : [i.keyPath],
      );
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) {
        expect(spec.keep, `${name}: index ${path}`).toContain(path.split('.')[0]);
      }
    }
  });
});

describe('sealing a record', () => {
  it('any JSON-able record round-trips through seal and open (property)', () => {
    const key = generateDataKey();
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.string(), { maxLength: 4 }),
        fc.string(),
        (record, keep, pk) => {
          const aad = recordAad('consultation', pk);
          const sealed = sealRecord(record, keep, key, aad);
          for (const k of Object.keys(sealed)) expect(k === '_enc' || keep.includes(k)).toBe(true);
          // Sealed properties come back as JSON gives them (-0 as 0); kept ones are not sealed
          // and come back as they were (IndexedDB keeps them by structured clone).
          const expected = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
          for (const k of keep) if (Object.hasOwn(record, k)) expected[k] = record[k];
          expect(openRecord(sealed, key, aad)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses a fresh nonce each time and refuses another key or another record', () => {
    const record = { id: 'c1', motif: NOTE };
    const aad = recordAad('consultation', 'c1');
    const one = sealRecord(record, ['id'], KEY_A, aad);
    const two = sealRecord(record, ['id'], KEY_A, aad);
    expect(one._enc).not.toBe(two._enc);
    expect(openRecord(one, KEY_A, aad)).toEqual(record);
    expect(() => openRecord(one, KEY_B, aad)).toThrow();
    expect(() => openRecord(one, KEY_A, recordAad('consultation', 'c2'))).toThrow();
    expect(() => openRecord(one, KEY_A, recordAad('vitals', 'c1'))).toThrow();
  });
});

describe('the encryption middleware', () => {
  it('a consultation written by the write path reads back identical, and is sealed on disk', async () => {
    const { db, idb, name } = encryptedDb();
    const batches = [
      [newPatient('p1'), consultation('c1')],
      [{ entity: 'vitals', id: 'vt1', insert: vitalsRow('c1') } as Change],
      [{ entity: 'consultation', id: 'c1', set: { assessment: 'Reflux probable' } } as Change],
    ];
    for (const batch of batches) await writeChanges(db, ctx(), batch);
    const plain = await plainTwin(batches);

    const c1 = await db.table('consultation').get('c1');
    expect(c1).toMatchObject({ id: 'c1', motif: NOTE, plan: PLAN, assessment: 'Reflux probable' });
    expect(c1).toEqual(await plain.table('consultation').get('c1'));
    expect(await db.table('consultation').toArray()).toEqual(
      await plain.table('consultation').toArray(),
    );
    expect(await db.table('vitals').get('vt1')).toEqual(await plain.table('vitals').get('vt1'));
    expect(await db.states.toArray()).toEqual(await plain.states.toArray());
    expect(await outboxOps(db)).toEqual(await outboxOps(plain));

    const rawConsultations = await rawAll(idb, name, 'consultation');
    expect(rawConsultations).toHaveLength(1);
    expectSealed(rawConsultations, 'consultation');
    expect(rawConsultations[0]).toMatchObject({
      id: 'c1',
      patientId: 'p1',
      stopId: 'stop-1',
      status: 'draft',
      authorId: 's1',
    });
    expectSealed(await rawAll(idb, name, 'vitals'), 'vitals');
    const rawStates = await rawAll(idb, name, 'states');
    expectSealed(
      rawStates.filter((s) => s.e !== 'patient'),
      'states',
    );
    expect(rawStates.filter((s) => s.e === 'patient').every((s) => s.f && !s._enc)).toBe(true);
  });

  it('seals the clinical summary like the notes: only the id and the patient stay in clear', async () => {
    const { db, idb, name } = encryptedDb();
    const batch = [
      newPatient('p1'),
      {
        entity: 'allergy',
        id: 'a1',
        set: {
          orgId: ORG,
          patientId: 'p1',
          recordedAt: '2026-12-04T09:00:00.000Z',
          recordedBy: 's1',
          consultationId: null,
          kind: 'allergy',
          substance: 'Pénicilline',
          category: 'medication',
          reaction: 'anaphylaxis',
          severity: 'severe',
          note: null,
        },
      } as Change,
    ];
    await writeChanges(db, ctx(), batch);
    const plain = await plainTwin([batch]);
    expect(await db.table('allergy').get('a1')).toEqual(await plain.table('allergy').get('a1'));
    const raw = await rawAll(idb, name, 'allergy');
    expectSealed(raw, 'allergy');
    expect(Object.keys(raw[0]!).sort()).toEqual(['_enc', 'id', 'patientId']);
    expect(JSON.stringify(raw)).not.toContain('Pénicilline');
    const rawStates = await rawAll(idb, name, 'states');
    expectSealed(
      rawStates.filter((s) => s.e === 'allergy'),
      'states',
    );
    expect(JSON.stringify(await rawAll(idb, name, 'outbox'))).not.toContain('Pénicilline');
  });

  it('seals the outbox ops of clinical entities and gives them back whole to the sync', async () => {
    const { db, idb, name } = encryptedDb();
    const patientOps = await writeChanges(db, ctx(), [newPatient('p1')]);
    const noteOps = await writeChanges(db, ctx(), [consultation('c1')]);
    const raw = await rawAll(idb, name, 'outbox');
    // One record per action: the note's is sealed, its sequences in clear beside it.
    const clinical = raw.filter((o) => o.e === 'consultation');
    expect(clinical).toHaveLength(1);
    expectSealed(clinical, 'outbox');
    expect(Object.keys(clinical[0]!).sort()).toEqual(['_enc', 'e', 'first', 'seq']);
    expect(clinical[0]).toMatchObject({ first: noteOps[0]!.seq, seq: noteOps.at(-1)!.seq });
    // Patient ops are not clinical: stored as written.
    expect(raw.filter((o) => o.e === 'patient')).toEqual([actionRecord(patientOps)]);
    // What the sync client reads (outboxSlice) is the ops as written.
    expect(await outboxOps(db)).toEqual([...patientOps, ...noteOps]);
  });

  it('pulled ops applied by applyRemote end sealed, and rebuild the same rows', async () => {
    const source = await plainTwin([
      [newPatient('p1'), consultation('c1'), consultation('c2', 'p2')],
      [{ entity: 'vitals', id: 'vt1', insert: vitalsRow('c1') } as Change],
    ]);
    const { db, idb, name } = encryptedDb();
    await applyRemote(db, asPulled(await outboxOps(source)), 'cp');
    for (const table of ['consultation', 'vitals', 'patient']) {
      expect(await db.table(table).toArray()).toEqual(await source.table(table).toArray());
    }
    expect(await db.states.toArray()).toEqual(await source.states.toArray());
    expectSealed(await rawAll(idb, name, 'consultation'), 'consultation');
    expectSealed(await rawAll(idb, name, 'vitals'), 'vitals');
    expect(await getMeta(db, 'cp')).toBe((await outboxOps(source)).length);
  });

  it('parks ops of a newer schema sealed, and replays them after the upgrade', async () => {
    const source = await plainTwin([[consultation('c1')]]);
    const newer = (await outboxOps(source)).map((op) => ({
      ...op,
      v: SCHEMA_VERSION + 1,
      id: 'c9',
    })) as Op[];
    const { db, idb, name } = encryptedDb();
    const res = await applyRemote(db, asPulled(newer), 'cp');
    expect(res.parked).toBe(newer.length);
    const raw = await rawAll(idb, name, 'parked');
    expectSealed(raw, 'parked');
    expect((await db.parked.toArray()).map((p) => p.op)).toEqual(
      [...newer].sort((x, y) => x.seq - y.seq),
    );
    expect(await replayParked(db, { schemaVersion: SCHEMA_VERSION + 1 })).toEqual({
      replayed: newer.length,
      kept: 0,
    });
    expect(await db.table('consultation').get('c9')).toMatchObject({ motif: NOTE, plan: PLAN });
    expectSealed(await rawAll(idb, name, 'consultation'), 'consultation');
  });

  it('the sync client pushes the ops in clear to the server and stores pulled ones sealed', async () => {
    const log: SeqOp[] = [];
    const pushed: SyncRequest[] = [];
    const fakeFetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      const body = syncRequestSchema.parse(JSON.parse(String(init?.body)));
      pushed.push(body);
      for (const op of body.ops) {
        if (!log.some((x) => x.op.dev === op.dev && x.op.seq === op.seq)) {
          log.push({ s: log.length + 1, op });
        }
      }
      const mine = log.filter((x) => x.op.dev === body.deviceId).map((x) => x.op.seq);
      const response = {
        accepted: mine.length === 0 ? 0 : Math.max(...mine),
        ops: log.filter((x) => x.s > body.since),
        lastSeq: log.length,
        hasMore: false,
        serverTime: T0,
      };
      return new Response(JSON.stringify(response), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const device = async (id: string) => {
      const { db, idb, name } = encryptedDb();
      await setMeta(db, META.deviceId, id);
      await setMeta(db, META.org, ORG);
      const client = createSyncClient({
        db,
        servers: ['http://relay.test'],
        fetch: fakeFetch,
        locks: null,
        events: null,
        eventSource: null,
        now: () => T0,
        // The fake server answers POST /api/sync only (snapshots: tests/device/snapshot.test.ts).
        snapshots: false,
      });
      return { db, idb, name, client };
    };
    const a = await device('dev-a');
    const b = await device('dev-b');
    await writeChanges(a.db, ctx('dev-a'), [consultation('c1')]);
    expect((await a.client.syncNow()).state).toBe('ok');
    expect(pushed[0]?.ops.find((o) => o.f === 'motif')?.val).toBe(NOTE);
    expect(await a.db.outbox.count()).toBe(0);
    expect((await b.client.syncNow()).state).toBe('ok');
    expect(await b.db.table('consultation').get('c1')).toEqual(
      await a.db.table('consultation').get('c1'),
    );
    expectSealed(await rawAll(b.idb, b.name, 'consultation'), 'consultation');
    expectSealed(
      (await rawAll(b.idb, b.name, 'states')).filter((s) => s.e === 'consultation'),
      'states',
    );
  });

  it('index queries, cursors, filters and modify work on sealed tables', async () => {
    const { db } = encryptedDb();
    await writeChanges(db, ctx(), [
      consultation('c1', 'p1'),
      consultation('c2', 'p2', 'to_validate'),
      consultation('c3', 'p1'),
      {
        entity: 'conflictResolution',
        id: 'cr1',
        insert: {
          orgId: ORG,
          at: '2026-11-23T10:00:00.000Z',
          staffId: 's1',
          entity: 'consultation',
          rowId: 'c1',
          field: 'plan',
          versions: [{ value: PLAN, hlc: 'x' }],
          chosen: PLAN,
        },
      } as Change,
    ]);
    const table = db.table('consultation');
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await table.where('patientId').equals('p1').toArray())).toEqual(['c1', 'c3']);
    expect(ids(await table.where('status').equals('to_validate').toArray())).toEqual(['c2']);
    expect((await table.where('patientId').equals('p2').first())?.plan).toBe(PLAN);
    expect(await table.where('patientId').equals('p1').count()).toBe(2);

    const seen: string[] = [];
    await table.orderBy('patientId').each((row: { id: string; motif: string }) => {
      expect(row.motif).toBe(NOTE);
      seen.push(row.id);
    });
    expect(seen).toEqual(['c1', 'c3', 'c2']);
    expect(ids(await table.filter((c) => c.status === 'draft').toArray())).toEqual(['c1', 'c3']);
    expect(ids(await table.orderBy('id').reverse().limit(2).toArray())).toEqual(['c3', 'c2']);

    const states = await db.states.where('e').equals('consultation').toArray();
    expect(states.map((s) => s.id)).toEqual(['c1', 'c2', 'c3']);
    expect(Object.keys(states[0]!.f)).toContain('motif');

    const [resolution] = await db
      .table('conflictResolution')
      .where('[entity+rowId]')
      .equals(['consultation', 'c1'])
      .toArray();
    expect(resolution).toMatchObject({ id: 'cr1', chosen: PLAN });
    // A prefix of a compound index (Dexie's virtual index, a layer above the middleware).
    const byEntity = await db.table('conflictResolution').where('entity').equals('consultation');
    expect(await byEntity.toArray()).toEqual([resolution]);
    expect(await byEntity.first()).toEqual(resolution);

    await table.where('id').equals('c2').modify({ returnComment: 'À compléter' });
    expect((await table.get('c2'))?.returnComment).toBe('À compléter');
    expect((await table.get('c2'))?.motif).toBe(NOTE);
  });

  it('multi-key cursors (anyOf, notEqual) work on sealed tables as a browser runs them', async () => {
    // Chromium's IDBCursor getters check their receiver (« Illegal invocation » on an object
    // merely inheriting from a cursor); fake-indexeddb's do not. Its getters are given the same
    // check for this test, so a middleware cursor that reads them off the wrong object fails here
    // as it failed in Chromium.
    const proto = IDBCursor.prototype as object;
    const saved = ['key', 'primaryKey'].map(
      (name) => [name, Object.getOwnPropertyDescriptor(proto, name)!] as const,
    );
    for (const [name, d] of saved) {
      Object.defineProperty(proto, name, {
        ...d,
        get(this: object) {
          if (!Object.hasOwn(this, '_key')) throw new TypeError('Illegal invocation');
          return d.get!.call(this);
        },
      });
    }
    try {
      const { db } = encryptedDb();
      await writeChanges(db, ctx(), [
        consultation('c1', 'p1'),
        consultation('c2', 'p2'),
        consultation('c3', 'p3'),
      ]);
      const table = db.table('consultation');
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
      expect(ids(await table.where('patientId').anyOf(['p1', 'p3']).toArray())).toEqual([
        'c1',
        'c3',
      ]);
      expect(ids(await table.where('patientId').notEqual('p2').toArray())).toEqual(['c1', 'c3']);
      const motifs: string[] = [];
      await table
        .where('patientId')
        .anyOf(['p2', 'p3'])
        .each((row: { motif: string }) => {
          motifs.push(row.motif);
        });
      expect(motifs).toEqual([NOTE, NOTE]);
      expect(ids(await db.states.where('e').notEqual('audit').toArray())).toContain('c2');
    } finally {
      for (const [name, d] of saved) Object.defineProperty(proto, name, d);
    }
  });

  it('live queries see the clear rows after each write', async () => {
    enableLiveQueries();
    const { db } = encryptedDb();
    const results: string[][] = [];
    const sub = liveQuery(() => db.table('consultation').toArray()).subscribe({
      next: (rows: { motif: string }[]) => results.push(rows.map((r) => r.motif)),
    });
    try {
      await writeChanges(db, ctx(), [consultation('c1')]);
      await expect.poll(() => results.at(-1)).toEqual([NOTE]);
      await writeChanges(db, ctx(), [
        { entity: 'consultation', id: 'c1', set: { motif: 'Toux' } } as Change,
      ]);
      await expect.poll(() => results.at(-1)).toEqual(['Toux']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('without a key, a clinical write throws DataLockedError and nothing of it is stored', async () => {
    const { db, idb, name } = encryptedDb();
    setDataKey(null);
    const write = writeChanges(db, ctx(), [newPatient('p1'), consultation('c1')]);
    await expect(write).rejects.toBeInstanceOf(DataLockedError);
    await expect(write).rejects.toThrow(
      'Les données cliniques de cet appareil sont verrouillées : déverrouillez avec votre code PIN.',
    );
    for (const store of ['patient', 'consultation', 'states', 'outbox']) {
      expect(await rawAll(idb, name, store), store).toEqual([]);
    }
    expect((await getWriter(db)).lastSeq).toBeUndefined();
    // A non-clinical write still works while locked.
    await writeChanges(db, ctx(), [newPatient('p1')]);
    expect(await db.rows('patient').get('p1')).toMatchObject({ birthName: 'LEFÈVRE' });
  });

  it('without a key, reading sealed records throws DataLockedError; counting still works', async () => {
    const { db } = encryptedDb();
    await writeChanges(db, ctx(), [consultation('c1')]);
    setDataKey(null);
    const table = db.table('consultation');
    const reads: (() => Promise<unknown>)[] = [
      () => table.get('c1'),
      () => table.toArray(),
      () => table.where('patientId').equals('p1').toArray(),
      () => table.each(() => undefined),
      () => table.bulkGet(['c1']),
      () => db.states.get(['consultation', 'c1']),
      () => db.outbox.toArray(),
    ];
    for (const read of reads) await expect(read()).rejects.toBeInstanceOf(DataLockedError);
    expect(await table.count()).toBe(1);
    expect(await table.toCollection().primaryKeys()).toEqual(['c1']);
    setDataKey(KEY_A);
    expect((await table.get('c1'))?.motif).toBe(NOTE);
  });

  it('a record sealed with key A does not open with key B: an error, never garbage', async () => {
    const { db } = encryptedDb();
    await writeChanges(db, ctx(), [consultation('c1')]);
    setDataKey(KEY_B);
    await expect(db.table('consultation').get('c1')).rejects.toBeInstanceOf(DataUnreadableError);
    await expect(db.table('consultation').toArray()).rejects.toBeInstanceOf(DataUnreadableError);
    await expect(
      writeChanges(db, ctx(), [
        { entity: 'consultation', id: 'c1', set: { plan: 'Écrit par-dessus' } } as Change,
      ]),
    ).rejects.toBeInstanceOf(DataUnreadableError);
    setDataKey(KEY_A);
    expect((await db.table('consultation').get('c1'))?.plan).toBe(PLAN);
  });

  it('a sealed blob moved onto another record does not open', async () => {
    const { db, idb, name } = encryptedDb();
    await writeChanges(db, ctx(), [consultation('c1'), consultation('c2', 'p2')]);
    const [c1] = (await rawAll(idb, name, 'consultation')).filter((r) => r.id === 'c1');
    const c2 = (await rawAll(idb, name, 'consultation')).find((r) => r.id === 'c2');
    await rawPut(idb, name, 'consultation', { ...c2, _enc: c1!._enc });
    await expect(db.table('consultation').get('c2')).rejects.toBeInstanceOf(DataUnreadableError);
    expect((await db.table('consultation').get('c1'))?.motif).toBe(NOTE);
  });

  it('reads plaintext rows written before encryption, and sealExisting seals them once', async () => {
    const idb = freshIdb();
    const name = `legacy-${++counter}`;
    const before = openTestDb(idb, name);
    await writeChanges(before, ctx(), [newPatient('p1'), consultation('c1'), consultation('c2')]);
    await writeChanges(before, ctx(), [
      { entity: 'vitals', id: 'vt1', insert: vitalsRow('c1') } as Change,
    ]);
    const expected = {
      consultation: await before.table('consultation').toArray(),
      vitals: await before.table('vitals').toArray(),
      states: await before.states.toArray(),
      outbox: await outboxOps(before),
      outboxRecords: await before.outbox.toArray(),
      patient: await before.table('patient').toArray(),
    };
    before.close();

    const { db } = encryptedDb(idb, name);
    expect(await db.table('consultation').toArray()).toEqual(expected.consultation);
    expect(JSON.stringify(await rawAll(idb, name, 'consultation'))).toContain(NOTE);

    const clinicalStates = expected.states.filter((s) => s.e !== 'patient').length;
    const clinicalOps = expected.outboxRecords.filter((o) => o.e !== 'patient').length;
    // Small chunks: the paging through each table (and each entity's states) is exercised.
    expect(await sealExisting(db, { chunk: 3 })).toBe(2 + 1 + clinicalStates + clinicalOps);
    expectSealed(await rawAll(idb, name, 'consultation'), 'consultation');
    expectSealed(await rawAll(idb, name, 'vitals'), 'vitals');
    expectSealed(
      (await rawAll(idb, name, 'outbox')).filter((o) => o.e !== 'patient'),
      'outbox',
    );
    expect(await sealExisting(db)).toBe(0);

    expect(await db.table('consultation').toArray()).toEqual(expected.consultation);
    expect(await db.table('vitals').toArray()).toEqual(expected.vitals);
    expect(await db.states.toArray()).toEqual(expected.states);
    expect(await outboxOps(db)).toEqual(expected.outbox);
    expect(await rawAll(idb, name, 'patient')).toEqual(expected.patient);
  });

  it('sealExisting needs the key', async () => {
    const { db } = encryptedDb();
    setDataKey(null);
    await expect(sealExisting(db)).rejects.toBeInstanceOf(DataLockedError);
  });

  it('a device with no key yet writes in clear; its first PIN makes the key and seals it all', async () => {
    const { db, idb, name } = encryptedDb();
    setDataKey(null);
    declareNoDataKey();
    await writeChanges(db, ctx(), [consultation('c1')]);
    expect(JSON.stringify(await rawAll(idb, name, 'consultation'))).toContain(NOTE);

    const result = await unlockClinicalData(db, dataKeySlots.pin('s1'), {
      pin: '4826',
      iterations: 1_000,
    });
    expect(result).toBe('created');
    expectSealed(await rawAll(idb, name, 'consultation'), 'consultation');
    expect((await db.table('consultation').get('c1'))?.motif).toBe(NOTE);
    expect(JSON.stringify(await rawAll(idb, name, 'meta'))).not.toContain(
      bytesToBase64(new Uint8Array(KEY_A)),
    );
  });

  it('leaves the non-clinical tables as written', async () => {
    const { db, idb, name } = encryptedDb();
    await writeChanges(db, ctx(), [
      newPatient('p1'),
      { entity: 'visit', id: 'v1', set: { orgId: ORG, stopId: 'stop-1', patientId: 'p1' } },
      {
        entity: 'queueEntry',
        id: 'q1',
        set: { orgId: ORG, stopId: 'stop-1', visitId: 'v1' },
      },
      consultation('c1'),
    ]);
    for (const table of ['patient', 'visit', 'queueEntry', 'meta']) {
      const raw = await rawAll(idb, name, table);
      expect(raw.length, table).toBeGreaterThan(0);
      expect(raw.some((r) => '_enc' in r)).toBe(false);
      expect(raw).toEqual(await db.table(table).toArray());
    }
    const rawPatient = (await rawAll(idb, name, 'patient'))[0];
    expect(rawPatient).toMatchObject({ birthName: 'LEFÈVRE', allergies: ['pénicilline'] });
  });

  it('refuses to be enabled on an open database', async () => {
    const db = openTestDb();
    await db.open();
    expect(() => enableEncryption(db)).toThrow(/avant l’ouverture/);
  });
});
