// The anchor: PouchDB replicating whole documents with a CouchDB-protocol server in process
// (express-pouchdb over PouchDB's memory adapter). A row of the app is one document
// `entity:id`; a change rewrites the whole document (new revision).
import { createServer, type Server } from 'node:http';
import express from 'express';
import expressPouchDB from 'express-pouchdb';
import http from 'pouchdb-adapter-http';
import memory from 'pouchdb-adapter-memory';
import PouchDB, { type Doc } from 'pouchdb-core';
import mapreduce from 'pouchdb-mapreduce';
import replication from 'pouchdb-replication';
import type { Change } from '../../src/device/write';
import { tempDir } from './lib';

PouchDB.plugin(memory).plugin(http).plugin(replication).plugin(mapreduce);

export { PouchDB };

export interface PouchServer {
  url: string;
  /** The server's own database object, for seeding and checks without the link. */
  db(name: string): PouchDB;
  close(): Promise<void>;
}

export async function startPouchServer(): Promise<PouchServer> {
  const ServerPouch = PouchDB.defaults({ adapter: 'memory' });
  const logs = tempDir('pouch-log');
  const app = express();
  app.use(
    '/',
    expressPouchDB(ServerPouch, {
      mode: 'minimumForPouchDB',
      inMemoryConfig: true,
      logPath: `${logs.dir}/log.txt`,
    }),
  );
  const server: Server = createServer(app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dbs = new Map<string, PouchDB>();
  return {
    url: `http://127.0.0.1:${port}`,
    db(name) {
      let db = dbs.get(name);
      if (!db) {
        db = new ServerPouch(name);
        dbs.set(name, db);
      }
      return db;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          logs.remove();
          r();
        });
      }),
  };
}

export const docId = (entity: string, id: string) => `${entity}:${id}`;

/** A whole row as a document. */
export function rowDoc(entity: string, row: { id: string }): Doc {
  const { id, ...fields } = row as { id: string } & Record<string, unknown>;
  return { _id: docId(entity, id), type: entity, ...fields };
}

/** Applies the app's changes to a local database the document way: read, merge, put whole. */
export async function applyChanges(db: PouchDB, changes: readonly Change[]): Promise<void> {
  const ids = [...new Set(changes.map((c) => docId(c.entity, c.id)))];
  const found = await db.allDocs({ keys: ids, include_docs: true });
  const docs = new Map<string, Doc>();
  for (const r of found.rows) if (r.doc) docs.set(r.id, r.doc);
  for (const c of changes) {
    const key = docId(c.entity, c.id);
    const doc: Doc = docs.get(key) ?? { _id: key, type: c.entity };
    if ('insert' in c) Object.assign(doc, c.insert);
    else if ('delete' in c) doc._deleted = true;
    else {
      Object.assign(doc, c.set ?? {});
      for (const [f, xs] of Object.entries(c.add ?? {})) {
        doc[f] = [...((doc[f] as unknown[]) ?? []), ...(xs as unknown[])];
      }
    }
    docs.set(key, doc);
  }
  const result = await db.bulkDocs([...docs.values()]);
  const failed = result.find((x) => x.error);
  if (failed) throw new Error(`PouchDB: ${failed.id}: ${failed.error}`);
}

/**
 * CouchDB's session cookie, as a signed-in PouchDB app sends it on every request:
 * `AuthSession=` base64url of `name:hex-timestamp:` and a 20-byte HMAC-SHA1.
 */
export function AUTH_COOKIE(user: string): string {
  const hmac = Buffer.alloc(20, 0xa7);
  const token = Buffer.concat([Buffer.from(`${user}:6751A2F0:`), hmac]).toString('base64url');
  return `AuthSession=${token}`;
}
