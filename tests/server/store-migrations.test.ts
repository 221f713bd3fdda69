// The server schema's history (src/server/store/migrations.ts) on SQLite and PostgreSQL: from an
// empty database, and from a database made before the history existed (today's schema, no
// `kysely_migration` table), whose data and acknowledgements are kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/server/store/migrations';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import { freshPostgresDatabase } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: raw access to a database of any schema
type Raw = Kysely<any>;

async function target(kind: 'sqlite' | 'postgres'): Promise<{
  raw: () => Raw;
  open: () => Promise<SyncStore>;
}> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'escale-migr-'));
    dirs.push(dir);
    const file = join(dir, 'escale.sqlite');
    return {
      raw: () => new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) }),
      open: () => openSqliteStore(file),
    };
  }
  const url = await freshPostgresDatabase();
  return {
    raw: () =>
      new Kysely({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
      }),
    open: () => openPostgresStore(url, 4),
  };
}

const applied = async (raw: Raw) =>
  (await raw.selectFrom('kysely_migration').select('name').orderBy('name').execute()).map(
    (r) => r.name as string,
  );

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`server schema migrations (${kind})`, () => {
    it('builds the whole schema in an empty database and records each migration once', async () => {
      const t = await target(kind);
      const store = await t.open();
      const d = new TestDevice('mig-empty');
      await store.push(ORG, d.batch(3, 'm'));
      expect(await store.contiguous(ORG, 'mig-empty')).toBe(3);
      const epoch = await store.epoch();
      await store.close();
      const again = await t.open(); // opening again runs nothing twice
      expect(await again.epoch()).toBe(epoch);
      await again.close();
      const raw = t.raw();
      expect(await applied(raw)).toEqual(Object.keys(migrations));
      await raw.destroy();
    });

    it('adopts a database made before the history, keeping its ops and acknowledgements', async () => {
      const t = await target(kind);
      let raw = t.raw();
      // The database as the previous version left it: today's tables, no history, a device's
      // four ops stored and acknowledged.
      await migrations['001_initial']!.up(raw);
      const d = new TestDevice('mig-old');
      const ops = d.batch(4, 'o');
      await raw
        .insertInto('ops')
        .values(
          ops.map((op, i) => ({
            org: ORG,
            s: i + 1,
            dev: op.dev,
            dseq: op.seq,
            e: op.e,
            rid: op.id,
            payload: JSON.stringify(op),
            bytes: JSON.stringify(op).length,
            upstream: 0,
            applied: 1,
          })),
        )
        .execute();
      await raw.insertInto('org_seq').values({ org: ORG, seq: 4 }).execute();
      await raw.insertInto('device_seq').values({ org: ORG, dev: 'mig-old', contig: 4 }).execute();
      await raw.destroy();

      const store = await t.open();
      expect(await store.contiguous(ORG, 'mig-old')).toBe(4);
      expect(await store.gaps(ORG)).toEqual([]); // `own` starts from what was acknowledged
      expect(await store.epoch()).toMatch(/^[0-9a-f-]{36}$/);
      await store.push(ORG, d.batch(2, 'n'));
      expect(await store.contiguous(ORG, 'mig-old')).toBe(6);
      expect((await store.pull(ORG, 0, 1 << 20)).ops).toHaveLength(6);
      await store.close();
      raw = t.raw();
      expect(await applied(raw)).toEqual(Object.keys(migrations));
      await raw.destroy();
    });
  });
}
