// Which store a server opens, from its environment: central follows DATABASE_URL; a relay keeps
// its embedded SQLite unless RELAY_DATABASE_URL names a database for it (docs/operations.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, storeConfig } from '../../src/server/store/open';
import { freshPostgresDatabase } from '../support/server';

const dataDir = mkdtempSync(join(tmpdir(), 'escale-store-choice-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the store a server chooses', () => {
  it('central: PostgreSQL when DATABASE_URL is set, SQLite under DATA_DIR otherwise', () => {
    const url = 'postgres://escale@db/escale';
    expect(storeConfig({ DATABASE_URL: url, DATA_DIR: dataDir }, 'central')).toEqual({
      databaseUrl: url,
      dataDir,
    });
    expect(storeConfig({ DATA_DIR: dataDir }, 'central')).toEqual({ dataDir });
    expect(storeConfig({ DATABASE_URL: '' }, 'central')).toEqual({ dataDir: resolve('data') });
  });

  it('a relay ignores DATABASE_URL and keeps its own SQLite file', async () => {
    const config = storeConfig(
      { DATABASE_URL: await freshPostgresDatabase(), DATA_DIR: dataDir },
      'relay',
    );
    expect(config).toEqual({ dataDir });
    const store = await openStore(config);
    try {
      expect(store.kind).toBe('sqlite');
    } finally {
      await store.close();
    }
  });

  it('a relay uses PostgreSQL only when RELAY_DATABASE_URL asks for it', async () => {
    const url = await freshPostgresDatabase();
    const config = storeConfig(
      { DATABASE_URL: 'postgres://central@elsewhere/escale', RELAY_DATABASE_URL: url },
      'relay',
    );
    expect(config.databaseUrl).toBe(url);
    const store = await openStore(config);
    try {
      expect(store.kind).toBe('postgres');
    } finally {
      await store.close();
    }
  });
});
