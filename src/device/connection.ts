// Which organisation this device belongs to, the credential it received at enrolment and which
// sync servers it uses (the truck's relay first, central second), kept in the device database;
// and the one sync loop of this page.
import { readableFields } from '../domain/access';
import type { DeviceProfile } from '../domain/entities';
import { normaliseCode } from '../sync/protocol';
import { dataKeyState, onDataKeyChange, setDataKey } from './data-key';
import { type EscaleDb, getMeta, META, setMeta } from './db';
import { isEncrypted } from './encryption';
import { forgetMarker, type MarkerStorage } from './marker';
import { createSyncClient, type SyncClient, type SyncClientOptions } from './sync-client';

/** What the server gave this device at enrolment (docs/protocol.md, Enrolment). */
export interface Credential {
  /** `Authorization: Bearer <token>` on every request; `<deviceId>.<secret>`. */
  token: string;
  profile: DeviceProfile;
  /** The room of a room device. */
  roomId: string | null;
  /** The device's name, as the coordination gave it. */
  name: string;
  orgName: string;
  /** The time of the latest assignment its server told it of (src/device/assignment.ts). */
  assignedAt?: number;
}

export interface Connection {
  org: string;
  servers: string[];
  /** Absent only on devices joined before enrolment existed (they must enrol again). */
  credential?: Credential;
}

export async function readConnection(db: EscaleDb): Promise<Connection | null> {
  const [org, servers, credential] = await Promise.all([
    getMeta<string>(db, META.org),
    getMeta<string[]>(db, META.servers),
    getMeta<Credential>(db, META.credential),
  ]);
  if (!org || !servers?.length) return null;
  return credential ? { org, servers, credential } : { org, servers };
}

/** Headers that authenticate this device (none before enrolment). */
export function authHeaders(
  connection: Pick<Connection, 'credential'> | null,
): Record<string, string> {
  return connection?.credential ? { authorization: `Bearer ${connection.credential.token}` } : {};
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
    await setMeta(db, META.servers, connection.servers);
    if (connection.credential) await setMeta(db, META.credential, connection.credential);
  });
}

export class EnrolError extends Error {
  constructor(
    message: string,
    /** The server could not be reached or could not reach central: another server may do. */
    readonly tryNext = false,
  ) {
    super(message);
  }
}

const ENROL_MESSAGES = {
  unknown_code:
    'Code inconnu, expiré ou déjà utilisé : demandez un nouveau code à la coordination.',
  rate_limited: 'Trop d’essais : patientez quelques minutes avant de réessayer.',
  unreachable: 'Serveur injoignable : vérifiez la connexion de l’appareil et réessayez.',
  notJoined: 'Cet appareil n’a jamais été enrôlé : utilisez l’écran d’accueil.',
  otherOrganisation:
    'Ce code est celui d’une autre organisation : demandez un code à votre coordination. Rien n’a été changé.',
} as const;

/** The answer of `POST /api/enrol` at `server`: the organisation and this device's credential.
 * Throws EnrolError with a French message; `unreachable` says whether another server may do. */
async function requestCredential(
  server: string,
  code: string,
  deviceId: string,
  fetchImpl: typeof fetch,
): Promise<{ org: string; credential: Credential }> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/api/enrol', server), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: normaliseCode(code), deviceId }),
    });
  } catch {
    throw new EnrolError(ENROL_MESSAGES.unreachable, true);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const known = (ENROL_MESSAGES as Record<string, string | undefined>)[String(body.error)];
    throw new EnrolError(
      known ?? (typeof body.message === 'string' ? body.message : `Erreur ${res.status}`),
      // A relay that cannot reach central (503): central itself may answer.
      res.status >= 500,
    );
  }
  return {
    org: String(body.org),
    credential: {
      token: String(body.token),
      profile: body.profile as DeviceProfile,
      roomId: typeof body.roomId === 'string' ? body.roomId : null,
      name: String(body.name),
      orgName: String(body.orgName),
    },
  };
}

/**
 * Exchanges a code from the coordination for this device's credential at `server` (the one the
 * app was loaded from), then remembers the organisation, the credential and the servers.
 * Throws EnrolError with a French message.
 */
export async function enrolDevice(
  db: EscaleDb,
  { server, relay, code }: { server: string; relay?: string | null; code: string },
  fetchImpl: typeof fetch = fetch,
): Promise<Connection> {
  const deviceId = await getMeta<string>(db, META.deviceId);
  if (!deviceId) throw new EnrolError('Appareil sans identifiant : rechargez la page.');
  const servers = serverList(relay, server);
  const { org, credential } = await requestCredential(server, code, deviceId, fetchImpl);
  const connection: Connection = { org, servers, credential };
  await joinOrganisation(db, connection);
  return connection;
}

/**
 * Enrols again, under the same device id, a device no server recognises any more (401: central
 * restored from a backup older than its enrolment, docs/operations.md). The code goes to its
 * servers in order (the truck's relay passes it to central); everything the device holds stays —
 * its outbox above all, pushed under the same id once the new credential is stored. A code of
 * another organisation is refused and changes nothing. Throws EnrolError with a French message.
 */
export async function rejoinOrganisation(
  db: EscaleDb,
  code: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Connection> {
  const [connection, deviceId] = await Promise.all([
    readConnection(db),
    getMeta<string>(db, META.deviceId),
  ]);
  if (!connection || !deviceId) throw new EnrolError(ENROL_MESSAGES.notJoined);
  let answer: { org: string; credential: Credential } | null = null;
  let last: EnrolError | null = null;
  for (const server of connection.servers) {
    try {
      answer = await requestCredential(server, code, deviceId, fetchImpl);
      break;
    } catch (e) {
      if (!(e instanceof EnrolError) || !e.tryNext) throw e;
      last = e;
    }
  }
  if (!answer) throw last ?? new EnrolError(ENROL_MESSAGES.unreachable);
  if (answer.org !== connection.org) throw new EnrolError(ENROL_MESSAGES.otherOrganisation);
  const next: Connection = { ...connection, credential: answer.credential };
  await db.transaction('rw', db.meta, async () => {
    await setMeta(db, META.credential, answer.credential);
    await db.meta.delete(META.unrecognised);
  });
  if (running?.db === db) void running.client.syncNow();
  return next;
}

let running: { db: EscaleDb; client: SyncClient; unlisten(): void } | null = null;
let reporter: SyncClientOptions['describe'];

let onRevoked: SyncClientOptions['onRevoked'];

/** What the page does when the coordination has withdrawn this device (wipe it, say why). */
export function setRevocationHandler(handler: SyncClientOptions['onRevoked']): void {
  onRevoked = handler;
}

/** Deletes everything this device holds: the coordination withdrew it (a lost tablet). */
export async function wipeDevice(
  db: EscaleDb,
  storage?: MarkerStorage | null,
  idb: Pick<IDBFactory, 'databases' | 'deleteDatabase'> | null = globalThis.indexedDB ?? null,
): Promise<void> {
  running?.client.stop();
  running?.unlisten();
  running = null;
  setDataKey(null);
  forgetMarker(db, storage);
  db.close();
  await db.delete();
  // Nothing left behind: the drafts typed at the desk and the page's preferences live in other
  // databases of the origin (idb-keyval's); a withdrawn device keeps none of them.
  await deleteEveryDatabase(idb);
}

/** Deletes every IndexedDB database of the origin (where the browser can list them). */
async function deleteEveryDatabase(
  idb: Pick<IDBFactory, 'databases' | 'deleteDatabase'> | null,
): Promise<void> {
  if (!idb || typeof idb.databases !== 'function') return;
  const all = await idb.databases().catch(() => []);
  await Promise.all(
    all.map(
      ({ name }) =>
        new Promise<void>((resolve) => {
          if (!name) return resolve();
          const req = idb.deleteDatabase(name);
          req.onsuccess = () => resolve();
          req.onerror = () => resolve();
          req.onblocked = () => resolve();
        }),
    ),
  );
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
  running?.unlisten();
  const client = createSyncClient({
    db,
    servers: connection.servers,
    describe: reporter,
    onRevoked,
    // Clinical records are sealed with the data key: a device that holds them waits for someone
    // to unlock it. Reception and the display never receive them and sync on while locked; their
    // own sealed ops (audit records) wait in the outbox for the key (sync-client.ts, sliceOf) —
    // a waiting-room screen nobody unlocks must go on showing the calls.
    paused: () =>
      isEncrypted(db) &&
      dataKeyState() === 'locked' &&
      readableFields(
        { profile: connection.credential?.profile ?? 'coordination' },
        'consultation',
      ) !== null,
  });
  const unlisten = onDataKeyChange((state) => {
    if (state !== 'locked') void client.syncNow();
  });
  client.start();
  running = { db, client, unlisten };
  return client;
}
