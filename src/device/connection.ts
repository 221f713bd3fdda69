// Which organisation this device belongs to and which sync servers it uses (the truck's relay
// first, central second), kept in the device database; and the one sync loop of this page.
// Enrolment with a code replaces the open organisation list (issue 8).
import { type EscaleDb, getMeta, META, setMeta } from './db';
import { forgetMarker, type MarkerStorage } from './marker';
import { createSyncClient, type SyncClient, type SyncClientOptions } from './sync-client';

const SERVERS = 'servers';

export interface Connection {
  org: string;
  servers: string[];
}

export interface Organisation {
  id: string;
  name: string;
}

export async function readConnection(db: EscaleDb): Promise<Connection | null> {
  const [org, servers] = await Promise.all([
    getMeta<string>(db, META.org),
    getMeta<string[]>(db, SERVERS),
  ]);
  return org && servers?.length ? { org, servers } : null;
}

/** Normalises the server list: trimmed absolute URLs without trailing slash, no duplicates. */
export function serverList(relay: string | null | undefined, central: string): string[] {
  const clean = (u: string) => new URL(u.trim()).toString().replace(/\/$/, '');
  const list = [relay?.trim() ? clean(relay) : null, clean(central)].filter(
    (u): u is string => u !== null,
  );
  return [...new Set(list)];
}

export async function joinOrganisation(db: EscaleDb, connection: Connection): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    await setMeta(db, META.org, connection.org);
    await setMeta(db, SERVERS, connection.servers);
  });
}

/** The organisations a server holds, for the joining screen. */
export async function listOrganisations(
  server: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Organisation[]> {
  const res = await fetchImpl(new URL('/api/orgs', server));
  if (!res.ok) throw new Error(`Le serveur a répondu ${res.status}`);
  return ((await res.json()) as { orgs: Organisation[] }).orgs;
}

let running: { db: EscaleDb; client: SyncClient } | null = null;
let reporter: SyncClientOptions['describe'];

let onRevoked: SyncClientOptions['onRevoked'];

/** What the page does when the coordination has withdrawn this device (wipe it, say why). */
export function setRevocationHandler(handler: SyncClientOptions['onRevoked']): void {
  onRevoked = handler;
}

/** Deletes everything this device holds: the coordination withdrew it (a lost tablet). */
export async function wipeDevice(db: EscaleDb, storage?: MarkerStorage | null): Promise<void> {
  running?.client.stop();
  running = null;
  forgetMarker(db, storage);
  db.close();
  await db.delete();
}

/** What this page tells the server about the device at each sync (version and profile). */
export function setDeviceReporter(describe: SyncClientOptions['describe']): void {
  reporter = describe;
}

/** Starts (once per page) the sync loop of a connected device; returns null when not connected. */
export async function startSync(db: EscaleDb): Promise<SyncClient | null> {
  if (running?.db === db) return running.client;
  const connection = await readConnection(db);
  if (!connection) return null;
  running?.client.stop();
  const client = createSyncClient({
    db,
    servers: connection.servers,
    describe: reporter,
    onRevoked,
  });
  client.start();
  running = { db, client };
  return client;
}
