// Database migrations are append-only and each upgrade is tested from data written by the
// previous version (docs/design.md §8).
import { describe, expect, it, vi } from 'vitest';
import {
  DB_VERSION,
  entityTableNames,
  getWriter,
  healthMessage,
  LEGACY_WRITER_KEYS,
  META,
} from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { ENTITY_NAMES } from '../../src/domain/entities';
import { decodeHlc } from '../../src/sync/hlc';
import { freshIdb, openTestDb } from './support';

const v1Patient = (id: string, birthName: string, firstNames: string) => ({
  id,
  orgId: 'org-1',
  birthName,
  firstNames,
  birthDate: '1950-03-02',
  nir: null,
});

describe('device database versions', () => {
  it('has a table for every entity of the domain', () => {
    expect(entityTableNames().sort()).toEqual([...ENTITY_NAMES].sort());
  });

  it('upgrades a version 1 database: patients get a folded search key, other data is kept', async () => {
    const idb = freshIdb();
    const v1 = openTestDb(idb, 'migrate', { upToVersion: 1 });
    await v1.open();
    expect(v1.verno).toBe(1);
    await v1
      .table('patient')
      .bulkPut([
        v1Patient('p1', 'LEFÈVRE-DUPONT', 'Élodie Marie'),
        v1Patient('p2', "N'DIAYE", 'Œdipe'),
      ]);
    await v1.table('meta').put({ key: 'deviceId', value: 'dev-a' });
    await v1.table('outbox').put({ seq: 1, e: 'patient', id: 'p1', f: 'birthName' });
    v1.close();

    const current = openTestDb(idb, 'migrate');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    const p1 = await current.rows('patient').get('p1');
    expect(p1?.searchKey).toBe('lefevre dupont elodie marie');
    expect(p1?.birthName).toBe('LEFÈVRE-DUPONT');
    const found = await current.rows('patient').where('searchKey').startsWith('n diaye').toArray();
    expect(found.map((p) => p.id)).toEqual(['p2']);
    expect(found[0]?.searchKey).toBe('n diaye oedipe');
    expect(await current.meta.get('deviceId')).toEqual({ key: 'deviceId', value: 'dev-a' });
    expect(await current.outbox.count()).toBe(1);
    current.close();
  });

  it('upgrades a version 4 database: patients are kept and indexed by the identity they were merged into', async () => {
    const idb = freshIdb();
    const v4 = openTestDb(idb, 'migrate-5', { upToVersion: 4 });
    await v4.open();
    await v4.table('patient').bulkPut([
      { ...v1Patient('p1', 'LEBRUN', 'Noël'), searchKey: 'lebrun noel' },
      { ...v1Patient('p2', 'LEBRUN', 'Noel'), searchKey: 'lebrun noel', mergedInto: 'p1' },
    ]);
    v4.close();

    const current = openTestDb(idb, 'migrate-5');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    const merged = await current.rows('patient').orderBy('mergedInto').primaryKeys();
    expect(merged).toEqual(['p2']);
    expect(await current.rows('patient').count()).toBe(2);
    expect(await current.rows('identityChange').count()).toBe(0);
    current.close();
  });

  it('upgrades a version 5 database: its rows are kept, the clinical summary tables open empty and indexed by patient', async () => {
    const idb = freshIdb();
    const v5 = openTestDb(idb, 'migrate-6', { upToVersion: 5 });
    await v5.open();
    await v5
      .table('patient')
      .put({ ...v1Patient('p1', 'LEBRUN', 'Noël'), searchKey: 'lebrun noel', allergies: ['Iode'] });
    await v5.table('outbox').put({ seq: 1, e: 'patient', id: 'p1', f: 'allergies' });
    v5.close();

    const current = openTestDb(idb, 'migrate-6');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect((await current.rows('patient').get('p1'))?.allergies).toEqual(['Iode']);
    expect(await current.outbox.count()).toBe(1);
    expect(await current.sent.count()).toBe(0); // version 6: kept copies of durable ops
    for (const table of ['problem', 'treatment', 'allergy', 'vaccination'] as const) {
      expect(await current.rows(table).where('patientId').equals('p1').count()).toBe(0);
    }
    current.close();
  });

  it('upgrades a version 7 database: its notes are kept, the document tables open empty and indexed by note and patient', async () => {
    const idb = freshIdb();
    const v7 = openTestDb(idb, 'migrate-11', { upToVersion: 7 });
    await v7.open();
    await v7.table('problem').put({ id: 'pb1', patientId: 'p1', label: 'HTA' });
    await v7.table('outbox').put({ seq: 1, e: 'problem', id: 'pb1', f: 'label' });
    v7.close();

    const current = openTestDb(idb, 'migrate-11');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect(await current.table('problem').count()).toBe(1);
    expect(await current.outbox.count()).toBe(1);
    expect(await current.rows('printedDocument').where('consultationId').equals('c1').count()).toBe(
      0,
    );
    expect(await current.rows('printedDocument').where('patientId').equals('p1').count()).toBe(0);
    expect(await current.rows('documentTemplate').count()).toBe(0);
    current.close();
  });

  it('upgrades a version 7 database: orientations get their table, other data is kept', async () => {
    const idb = freshIdb();
    const v7 = openTestDb(idb, 'migrate-10', { upToVersion: 7 });
    await v7.open();
    expect(v7.verno).toBe(7);
    await v7
      .table('patient')
      .put({ ...v1Patient('p1', 'LEBRUN', 'Noël'), searchKey: 'lebrun noel' });
    await v7.table('allergy').put({ id: 'a1', patientId: 'p1' });
    v7.close();

    const current = openTestDb(idb, 'migrate-10');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect((await current.rows('patient').get('p1'))?.birthName).toBe('LEBRUN');
    expect(await current.table('allergy').count()).toBe(1);
    await current.table('orientation').put({ id: 'o1', patientId: 'p1', consultationId: 'c1' });
    expect(await current.rows('orientation').where('patientId').equals('p1').count()).toBe(1);
    expect(await current.rows('orientation').where('consultationId').equals('c1').count()).toBe(1);
    current.close();
  });

  it('upgrades a version 7 database: its rows are kept, who-reads-what tables open empty and indexed', async () => {
    const idb = freshIdb();
    const v7 = openTestDb(idb, 'migrate-9', { upToVersion: 7 });
    await v7.open();
    await v7
      .table('patient')
      .put({ ...v1Patient('p1', 'LEBRUN', 'Noël'), searchKey: 'lebrun noel' });
    await v7.table('allergy').put({ id: 'al1', patientId: 'p1' });
    v7.close();

    const current = openTestDb(idb, 'migrate-9');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect(await current.rows('patient').count()).toBe(1);
    expect(await current.table('allergy').count()).toBe(1);
    expect(await current.rows('transmission').where('patientId').equals('p1').count()).toBe(0);
    expect(await current.rows('breakGlass').where('staffId').equals('s1').count()).toBe(0);
    expect(await current.rows('sharingObjection').where('patientId').equals('p1').count()).toBe(0);
    current.close();
  });

  it('upgrades a version 11 database: its rows are kept, objections to research open empty and indexed', async () => {
    const idb = freshIdb();
    const v11 = openTestDb(idb, 'migrate-12', { upToVersion: 11 });
    await v11.open();
    await v11
      .table('patient')
      .put({ ...v1Patient('p1', 'LEBRUN', 'Noël'), searchKey: 'lebrun noel' });
    await v11.table('sharingObjection').put({ id: 'so1', patientId: 'p1' });
    v11.close();

    const current = openTestDb(idb, 'migrate-12');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect(await current.rows('patient').count()).toBe(1);
    expect(await current.table('sharingObjection').count()).toBe(1);
    expect(await current.rows('researchObjection').where('patientId').equals('p1').count()).toBe(0);
    await current.table('researchObjection').put({ id: 'ro1', patientId: 'p1' });
    expect(await current.rows('researchObjection').where('patientId').equals('p1').count()).toBe(1);
    current.close();
  });

  it("upgrades a version 13 database: the writer's four meta records become one, and sequences go on", async () => {
    const idb = freshIdb();
    const v13 = openTestDb(idb, 'migrate-14', { upToVersion: 13 });
    await v13.open();
    const clock = { ms: Date.parse('2026-12-05T09:00:00Z'), counter: 3, node: 'dev-a' };
    await v13.table('meta').bulkPut([
      { key: 'deviceId', value: 'dev-a' },
      { key: 'org', value: 'org-1' },
      { key: 'clock', value: clock },
      { key: 'lastSeq', value: 7 },
      { key: 'offered', value: 5 },
      { key: 'foldBarrier', value: 6 },
      { key: 'fold:patient\u0000p1', value: { birthName: { seq: 7, hlc: 'x' } } },
    ]);
    v13.close();

    const current = openTestDb(idb, 'migrate-14');
    await current.open();
    expect(current.verno).toBe(DB_VERSION);
    expect(await getWriter(current)).toEqual({ clock, lastSeq: 7, offered: 5, foldBarrier: 6 });
    for (const k of LEGACY_WRITER_KEYS) expect(await current.meta.get(k)).toBeUndefined();
    expect(await current.meta.get('fold:patient\u0000p1')).toBeDefined();
    // The next op is numbered after the last one issued, stamped after the saved clock.
    const ops = await writeChanges(current, { deviceId: 'dev-a', org: 'org-1', now: () => 0 }, [
      { entity: 'patient', id: 'p2', set: { birthName: 'MARTIN' } },
    ]);
    expect(ops.map((o) => o.seq)).toEqual([8]);
    const stamp = decodeHlc(ops[0]!.hlc);
    expect([stamp.ms, stamp.counter]).toEqual([clock.ms, clock.counter + 1]);
    expect(await getWriter(current)).toMatchObject({ lastSeq: 8, offered: 5, foldBarrier: 6 });
    current.close();
  });

  it('upgrades a version 13 database that never wrote: no writer record until its first write', async () => {
    const idb = freshIdb();
    const v13 = openTestDb(idb, 'migrate-14-fresh', { upToVersion: 13 });
    await v13.open();
    await v13.table('meta').put({ key: 'deviceId', value: 'dev-a' });
    v13.close();
    const current = openTestDb(idb, 'migrate-14-fresh');
    await current.open();
    expect(await current.meta.get(META.writer)).toBeUndefined();
    current.close();
  });

  it('reports a blocked upgrade while an old window keeps the database open, then opens', async () => {
    const idb = freshIdb();
    // An old tab that ignores version changes (older code, or a stuck connection).
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.indexedDB.open('blocked', 10); // Dexie version 1 = native version 10
      req.onupgradeneeded = () => req.result.createObjectStore('meta', { keyPath: 'key' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const db = openTestDb(idb, 'blocked');
    const seen: string[] = [];
    db.onHealth((h) => seen.push(h));
    const opening = db.open();
    await vi.waitFor(() => expect(db.health).toBe('blocked'), { timeout: 10_000 });
    expect(healthMessage(db.health)).toMatch(/fermez les autres fenêtres/);
    old.close();
    await opening;
    expect(db.health).toBe('open');
    expect(seen).toEqual(['blocked', 'open']);
    expect(healthMessage(db.health)).toBeNull();
    db.close();
  });

  it('an open window that sees a newer version elsewhere closes and says it must reload', async () => {
    const idb = freshIdb();
    const oldTab = openTestDb(idb, 'outdated', { upToVersion: 1 });
    await oldTab.open();
    const newTab = openTestDb(idb, 'outdated');
    await newTab.open();
    expect(newTab.verno).toBe(DB_VERSION);
    expect(oldTab.health).toBe('outdated');
    expect(healthMessage(oldTab.health)).toMatch(/rechargez/);
    expect(oldTab.isOpen()).toBe(false);
    newTab.close();
  });
});
