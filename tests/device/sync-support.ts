// A device's database enrolled at a test server and a sync client over it, as the app leaves
// them after `joinOrganisation` (its id, organisation and credential in `meta`), without a
// leader lock or a live channel: the tests drive `sync()` themselves.
import { type EscaleDb, getWriter, META, setMeta, updateWriter } from '../../src/device/db';
import { createSyncClient, type SyncClientOptions } from '../../src/device/sync-client';
import { type Change, writeChanges } from '../../src/device/write';
import type { DeviceProfile } from '../../src/domain/entities';
import { credentialFor, type Enrolled } from '../support/auth';
import type { TestServer } from '../support/server';

/** Writes `deviceId`'s enrolment at `s` into `db`; returns the credential as stored. */
export async function enrolDb(
  db: EscaleDb,
  s: TestServer,
  deviceId: string,
  org: string,
  profile: DeviceProfile,
  roomId: string | null = null,
) {
  await setMeta(db, META.deviceId, deviceId);
  await setMeta(db, META.org, org);
  const enrolled: Enrolled = await credentialFor(s, deviceId, {
    org,
    profile,
    ...(roomId ? { roomId } : {}),
  });
  const credential = { token: enrolled.token, profile, roomId, name: deviceId, orgName: org };
  await setMeta(db, 'credential', credential);
  return { enrolled, credential };
}

/** A sync client of `db` with `s` as its one server, asking for digests. */
export const testSyncClient = (
  db: EscaleDb,
  s: TestServer,
  options: Partial<SyncClientOptions> = {},
) =>
  createSyncClient({
    db,
    servers: [s.url],
    locks: null,
    events: null,
    eventSource: null,
    timeoutMs: 10_000,
    withDigest: true,
    ...options,
  });

/**
 * Writes as `deviceId` with a clock from `fromMs`, a second apart, each write marked offered to
 * a server before the next (a value never offered folds into the next one,
 * src/sync/coalesce.ts): every rewrite stays an op, superseded by the next — the rows the
 * pruning tests prune.
 */
export function pastWriter(db: EscaleDb, deviceId: string, org: string, fromMs: number) {
  let t = fromMs;
  return async (changes: Change[]) => {
    const ops = await writeChanges(db, { deviceId, org, now: () => t }, changes);
    t += 1000;
    await updateWriter(db, { offered: (await getWriter(db)).lastSeq });
    return ops;
  };
}
