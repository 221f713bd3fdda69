// Opens the store named by the configuration: PostgreSQL when DATABASE_URL is set, otherwise an
// embedded SQLite file under the data directory.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore, migrate, migrateQuarantine, type Tables } from './kysely-store';
import type { SyncStore } from './types';

export async function openSqliteStore(file: string): Promise<SyncStore> {
  if (file !== ':memory:') mkdirSync(join(file, '..'), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  await migrateQuarantine(db);
  return new KyselyStore('sqlite', db);
}

export async function openPostgresStore(url: string, poolSize = 10): Promise<SyncStore> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  await migrate(db);
  await migrateQuarantine(db);
  return new KyselyStore('postgres', db);
}

export function openStore(config: { databaseUrl?: string; dataDir: string }): Promise<SyncStore> {
  return config.databaseUrl
    ? openPostgresStore(config.databaseUrl)
    : openSqliteStore(join(config.dataDir, 'escale.sqlite'));
}
