// The reception's search index kept on the device (src/device/patient-index.ts, issue 18 §7):
// a patient written through the write path, one pulled and applied by applyRemote, a page of
// many pulled at once, a deletion and a merge all reach the index, never by a read of the whole
// registry (counted where IndexedDB hands rows out: a DBCore layer under the app's). A change
// committed in this tab that leaves the merge graph alone is patched from the rows it wrote,
// reading nothing; a merge, or another tab's change (through a BroadcastChannel), reads the
// changed rows by id. Only committed writes reach it.
import type { DBCore, DBCoreTable } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { outboxOps } from '../../src/device/outbox';
import { keepPatientIndex } from '../../src/device/patient-index';
import { applyRemote, type WriteContext, writeChanges } from '../../src/device/write';
import type { Patient } from '../../src/domain/entities';
import { type SearchIndex, searchIndex } from '../../src/domain/identity';
import { rowsToOps } from '../../src/server/seed/ops';
import { newPatient, ORG, patientFields } from './fixtures';
import { openTestDb } from './support';

const ctx: WriteContext = { deviceId: 'dev-desk', org: ORG, userId: 's1' };
const REGISTRY = 300;

/** Letters for a number (a search reads a word holding digits as nothing). */
const letters = (n: number): string =>
  (n >= 26 ? letters(Math.floor(n / 26) - 1) : '') + String.fromCharCode(97 + (n % 26));

/** A patient of the registry: a name of its own, so that one search finds exactly it. */
const named = (n: number, name = `Nom${letters(n)}`) => ({
  ...patientFields(n),
  birthName: name.toUpperCase(),
  firstNames: `Prénom ${letters(n)}`,
});

/** Counts the patient rows IndexedDB hands out (every read path Dexie has). */
function countPatientReads(db: EscaleDb): { rows: number } {
  const counter = { rows: 0 };
  db.use({
    stack: 'dbcore',
    name: 'test-count-reads',
    level: 100, // under every other layer: what IndexedDB itself returns
    create(down: DBCore): Partial<DBCore> {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const table = down.table(name);
          if (name !== 'patient') return table;
          return {
            ...table,
            get: (req) =>
              table.get(req).then((v) => {
                if (v !== undefined) counter.rows += 1;
                return v;
              }),
            getMany: (req) =>
              table.getMany(req).then((vs) => {
                counter.rows += vs.filter((v) => v !== undefined).length;
                return vs;
              }),
            query: (req) =>
              table.query(req).then((res) => {
                counter.rows += res.result.length;
                return res;
              }),
            openCursor: () => {
              throw new Error('the index reads no cursor');
            },
          };
        },
      };
    },
  });
  return counter;
}

/** Pulled ops of rows registered on another device, as one page. */
let seq = 0;
async function pull(db: EscaleDb, rows: { id: string }[], device = 'dev-other') {
  const ops = rowsToOps(ORG, device, { patient: rows });
  await applyRemote(
    db,
    ops.map((op) => ({ s: ++seq, op })),
    'checkpoint:test',
  );
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Starts keeping the index; `next(pred)` waits for an index satisfying `pred`. */
function keep(db: EscaleDb) {
  let latest: SearchIndex<Patient> | null = null;
  let emissions = 0;
  const waiters: { pred: (i: SearchIndex<Patient>) => boolean; resolve: () => void }[] = [];
  const errors: unknown[] = [];
  stops.push(
    keepPatientIndex(
      db,
      (index) => {
        latest = index;
        emissions += 1;
        for (const w of [...waiters]) {
          if (w.pred(index)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      },
      { onError: (e) => errors.push(e) },
    ),
  );
  return {
    get index() {
      return latest;
    },
    get emissions() {
      return emissions;
    },
    errors,
    next(pred: (i: SearchIndex<Patient>) => boolean): Promise<void> {
      if (latest && pred(latest)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the index never got there')), 3000);
        waiters.push({
          pred,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const finds = (query: string, id: string) => (index: SearchIndex<Patient>) =>
  searchIndex(index, query, 20).some((h) => h.record.id === id);
const lacks = (query: string, id: string) => (index: SearchIndex<Patient>) =>
  !finds(query, id)(index);

async function registry() {
  const db = openTestDb();
  const reads = countPatientReads(db);
  await pull(
    db,
    Array.from({ length: REGISTRY }, (_, n) => ({ id: `p${n}`, ...named(n) })),
    'central-seed',
  );
  return { db, reads };
}

describe('keepPatientIndex', () => {
  it('builds once from the registry, then patches the patient written or pulled from the committed write, reading nothing', async () => {
    const { db, reads } = await registry();
    reads.rows = 0;
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);
    expect(reads.rows).toBe(REGISTRY); // the first build reads the registry once
    const first = kept.index;

    // Registered here, through the write path (with what reception writes beside it).
    reads.rows = 0;
    await writeChanges(db, ctx, [
      { entity: 'patient', id: 'new-local', set: named(9001, 'Kerouac') },
    ]);
    await kept.next(finds('kerouac prénom', 'new-local'));
    expect(reads.rows).toBe(0); // the row the committed transaction put
    expect(kept.index).not.toBe(first); // a new object: React renders again

    // Registered on another device and pulled.
    reads.rows = 0;
    await pull(db, [{ id: 'new-pulled', ...named(9002, 'Quéméneur') }]);
    await kept.next(finds('quemeneur', 'new-pulled'));
    expect(reads.rows).toBe(0);

    // A corrected name: the old one no longer finds it.
    reads.rows = 0;
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'p7', set: { birthName: 'LE BRAS' } }]);
    await kept.next(finds('le bras', 'p7'));
    expect(finds(`nom${letters(7)}`, 'p7')(kept.index!)).toBe(false);
    expect(reads.rows).toBe(0);
    expect(kept.errors).toEqual([]);
  });

  it('patches a page of many pulled patients from the page, not the registry again', async () => {
    // Dexie's own change event says « the whole table » for a put of 50 rows or more.
    const { db, reads } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);
    reads.rows = 0;
    const page = Array.from({ length: 120 }, (_, n) => ({ id: `q${n}`, ...named(5000 + n) }));
    await pull(db, page);
    await kept.next((i) => i.byId.size === REGISTRY + 120);
    expect(reads.rows).toBe(0);
    expect(searchIndex(kept.index!, `nom${letters(5119)}`)[0]?.record.id).toBe('q119');
  });

  it('takes out a deleted patient and a merged one, and brings back an unmerged one', async () => {
    const { db, reads } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);

    reads.rows = 0;
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'p3', delete: true }]);
    await kept.next(lacks(`nom${letters(3)}`, 'p3'));
    expect(kept.index!.byId.has('p3')).toBe(false);
    expect(reads.rows).toBe(0); // gone: nothing to read

    reads.rows = 0;
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'p4', set: { mergedInto: 'p5' } }]);
    await kept.next(lacks(`nom${letters(4)}`, 'p4'));
    expect(kept.index!.byId.size).toBe(REGISTRY - 2);
    // The merged row, its target (the survivor map) and the merged row by id.
    expect(reads.rows).toBeLessThanOrEqual(3);

    reads.rows = 0;
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'p4', set: { mergedInto: null } }]);
    await kept.next(finds(`nom${letters(4)}`, 'p4'));
    expect(reads.rows).toBeLessThanOrEqual(1);
  });

  it('lists a merged patient until its survivor arrives, then no more (the survivor is pulled)', async () => {
    const { db } = await registry();
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'p9', set: { mergedInto: 'late' } }]);
    const kept = keep(db);
    await kept.next(finds(`nom${letters(9)}`, 'p9')); // its survivor is not held yet: it stands for itself
    await pull(db, [{ id: 'late', ...named(9003, 'Tardif') }]);
    await kept.next((i) => finds('tardif', 'late')(i) && lacks(`nom${letters(9)}`, 'p9')(i));
  });

  it('never shows a patient whose write failed or was aborted', async () => {
    const { db } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);

    // Refused by the write path (a value the schema refuses): nothing is stored.
    await expect(
      writeChanges(db, ctx, [
        { entity: 'patient', id: 'refused', set: { ...named(9005, 'Refusé'), sex: 42 } },
      ] as never),
    ).rejects.toThrow();
    // The row put, then the transaction aborted (a later step failed): rolled back.
    await expect(
      db.transaction('rw', db.rows('patient'), async () => {
        await db.rows('patient').put({ id: 'aborted', ...named(9006, 'Annulé'), searchKey: 'x' });
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    // A later registration is listed; the two before it are not.
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'after', set: named(9007, 'Ensuite') }]);
    await kept.next(finds('ensuite', 'after'));
    expect(kept.index!.byId.has('refused')).toBe(false);
    expect(kept.index!.byId.has('aborted')).toBe(false);
    expect(searchIndex(kept.index!, 'annule')).toEqual([]);
  });

  it('reads what an add left (one key may fail while the transaction commits)', async () => {
    const { db, reads } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);
    reads.rows = 0;
    await db.transaction('rw', db.rows('patient'), async () => {
      // p2 exists: its add fails, the new one is added, and the transaction commits.
      await db
        .rows('patient')
        .bulkAdd([
          { id: 'p2', ...named(9008, 'Jamais'), searchKey: 'x' },
          { id: 'added', ...named(9009, 'Ajouté'), searchKey: 'x' },
        ])
        .catch(() => undefined);
    });
    await kept.next(finds('ajoute', 'added'));
    expect(searchIndex(kept.index!, 'jamais')).toEqual([]); // p2 kept the name it holds
    expect(finds(`nom${letters(2)}`, 'p2')(kept.index!)).toBe(true);
    expect(reads.rows).toBe(2); // both read by id
  });

  it('follows another tab: its changes arrive on the BroadcastChannel', async () => {
    const { db } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);

    // What this tab says to the others when it writes.
    const heard: unknown[] = [];
    const listener = new BroadcastChannel(`escale-row-changes:${db.name}`);
    listener.onmessage = (ev) => heard.push(ev.data);
    await writeChanges(db, ctx, [newPatient('said', 3)]);
    await expect.poll(() => heard.length).toBe(1);
    expect(heard[0]).toMatchObject({ changes: [{ table: 'patient', ids: ['said'] }] });

    // What another tab says: a row its write stored (here through a connection that announces
    // nothing) and its message.
    const raw = db.backendDB().transaction('patient', 'readwrite');
    raw.objectStore('patient').put({ id: 'from-tab', ...named(9004, 'Ailleurs'), searchKey: 'x' });
    await new Promise((resolve) => {
      raw.oncomplete = resolve;
    });
    expect(searchIndex(kept.index!, 'ailleurs')).toEqual([]); // nobody said it yet
    const sender = new BroadcastChannel(`escale-row-changes:${db.name}`);
    sender.postMessage({ from: 'another-tab', changes: [{ table: 'patient', ids: ['from-tab'] }] });
    await kept.next(finds('ailleurs', 'from-tab'));
    sender.close();
    listener.close();
  });

  it('re-reads everything when a change names no rows (a clear), and stops when asked', async () => {
    const { db } = await registry();
    const kept = keep(db);
    await kept.next((i) => i.byId.size === REGISTRY);
    await db.table('patient').clear(); // a range: no keys named
    await kept.next((i) => i.byId.size === 0);
    stops.splice(0).forEach((stop) => {
      stop();
    });
    const before = kept.emissions;
    await writeChanges(db, ctx, [newPatient('after-stop', 4)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(kept.emissions).toBe(before);
  });
});

describe('the write path of a registration', () => {
  it('reads no outbox, however many ops wait in it (nothing to fold into for a new row)', async () => {
    const db = openTestDb();
    const outboxReads = { n: 0 };
    db.use({
      stack: 'dbcore',
      name: 'test-count-outbox',
      level: 100,
      create: (down: DBCore): Partial<DBCore> => ({
        ...down,
        table(name: string): DBCoreTable {
          const table = down.table(name);
          if (name !== 'outbox') return table;
          return {
            ...table,
            query: (req) => {
              outboxReads.n += 1;
              return table.query(req);
            },
            openCursor: (req) => {
              outboxReads.n += 1;
              return table.openCursor(req);
            },
          };
        },
      }),
    });
    for (let n = 0; n < 5; n++) await writeChanges(db, ctx, [newPatient(`w${n}`, n)]);
    expect((await outboxOps(db)).length).toBeGreaterThan(50);
    outboxReads.n = 0;
    await writeChanges(db, ctx, [newPatient('registered', 7)]);
    expect(outboxReads.n).toBe(0);
    // A correction of a row with unsent values still looks for them (to fold an autosave).
    await writeChanges(db, ctx, [{ entity: 'patient', id: 'w1', set: { phone: '0601020304' } }]);
    expect(outboxReads.n).toBeGreaterThan(0);
  });
});
