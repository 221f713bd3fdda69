// Coordination devices on the truck for the pruning tests behind the relay: enrolled at central
// before the relay starts (a horizon central reached before a device was enrolled could be above
// the clocks these tests write with, ten minutes ago), then synced with the relay only.
import { relayCredential } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG } from './fixtures';
import { openTestDb } from './support';
import { enrolDb, pastWriter, testSyncClient } from './sync-support';

/** Ten minutes ago: central's own position is its clock a minute behind, so a horizon can only
 * pass edits made before that. */
export const PAST = Date.now() - 10 * 60_000;

let n = 0;
/** A coordination device's database enrolled at `central`. */
export async function enrolled(deviceId: string, central: TestServer) {
  const db = openTestDb(undefined, `truck-${deviceId}-${++n}`);
  const { credential } = await enrolDb(db, central, deviceId, ORG, 'coordination');
  return { deviceId, db, credential };
}

/**
 * Its sync client, whose one server is `relay` (known to it once it fetched the credentials),
 * with its status report as the app sends it (the relay passes the device's position on in it),
 * and its writer at a past clock (`pastWriter`). Stopped and closed through `cleanups`.
 */
export async function onTruck(
  d: Awaited<ReturnType<typeof enrolled>>,
  relay: TestServer,
  cleanups: (() => unknown)[],
  snapshots = true,
) {
  const { db, deviceId, credential } = d;
  await relay.relay!.refreshCredentials();
  const client = testSyncClient(db, relay, {
    ...(snapshots ? {} : { snapshots: false }),
    timeoutMs: 5_000,
    describe: () => ({ appVersion: 'test', profile: 'coordination' }),
  });
  cleanups.push(() => {
    client.stop();
    db.close();
  });
  const writeAt = pastWriter(db, deviceId, ORG, PAST);
  return { db, client, writeAt, connection: { org: ORG, servers: [relay.url], credential } };
}

/**
 * Central (SQLite), two coordination tablets `names` enrolled there, then the truck's relay
 * started, and both tablets syncing with it only; `pass` runs a relay pass at once.
 */
export async function truckOfTwo(
  names: [string, string],
  cleanups: (() => unknown)[],
  snapshots = true,
) {
  const central = await startTestServer({ store: 'sqlite' });
  cleanups.push(() => central.close());
  const enrolledA = await enrolled(names[0], central);
  const enrolledB = await enrolled(names[1], central);
  const relay = await startTestServer({
    store: 'sqlite',
    upstream: central.url,
    relayCredential: await relayCredential(central, ORG),
  });
  cleanups.push(() => relay.close());
  const pass = () => relay.relay!.syncNow(true);
  const a = await onTruck(enrolledA, relay, cleanups, snapshots);
  const b = await onTruck(enrolledB, relay, cleanups, snapshots);
  return { central, relay, pass, a, b };
}
