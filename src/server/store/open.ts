// Opens the store named by the configuration: PostgreSQL when a database URL is given, otherwise
// an embedded SQLite file under the data directory (storeConfig says which, from the environment).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

export function openStore(config: StoreConfig): Promise<SyncStore> {
  return config.databaseUrl
    ? openPostgresStore(config.databaseUrl)
    : openSqliteStore(join(config.dataDir, 'escale.sqlite'));
}

export interface StoreConfig {
  /** PostgreSQL; absent: SQLite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

/**
 * The store a server of this role uses. Central: `DATABASE_URL`, else SQLite under `DATA_DIR`. A
 * relay keeps its embedded SQLite even when `DATABASE_URL` is set (a box provisioned like central,
 * or a shell that exported it, must not write central's database); it uses PostgreSQL only when
 * asked by name with `RELAY_DATABASE_URL` (docs/operations.md).
 */
export function storeConfig(env: NodeJS.ProcessEnv, role: 'central' | 'relay'): StoreConfig {
  const databaseUrl = role === 'relay' ? env.RELAY_DATABASE_URL : env.DATABASE_URL;
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: resolve(env.DATA_DIR ?? './data'),
  };
}
