// Enrolment for tests: every request to a server carries a device credential, obtained as a real
// device does (a code from the server's accounts, exchanged over HTTP at /api/enrol).
import type { Audience } from '../../src/domain/access';
import { Accounts } from '../../src/server/auth';
import type { RelayCredential } from '../../src/server/relay';
import { rowsToOps } from '../../src/server/seed/ops';
import type { SyncStore } from '../../src/server/store/types';

interface Reachable {
  url: string;
  store: SyncStore;
}

export interface Enrolled {
  deviceId: string;
  org: string;
  token: string;
  profile: Audience;
  headers: { authorization: string };
}

const cache = new WeakMap<Reachable, Map<string, Enrolled>>();

/** Creates a code at `server` and exchanges it, as the coordination and a new device would. */
export async function enrol(
  server: Reachable,
  deviceId: string,
  options: { org?: string; profile?: Audience; roomId?: string | null } = {},
): Promise<Enrolled> {
  const org = options.org ?? 'org-test';
  const profile = options.profile ?? 'coordination';
  const { code } = await new Accounts(server.store).createCode({
    org,
    profile,
    roomId: options.roomId ?? null,
    name: `Test ${deviceId}`,
    createdBy: null,
  });
  const res = await fetch(`${server.url}/api/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceId }),
  });
  if (!res.ok) throw new Error(`enrolment refused: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string };
  return {
    deviceId,
    org,
    token: body.token,
    profile,
    headers: { authorization: `Bearer ${body.token}` },
  };
}

/** The same device's credential on every call (enrolled at the first). */
export async function credentialFor(
  server: Reachable,
  deviceId: string,
  options: { org?: string; profile?: Audience; roomId?: string | null } = {},
): Promise<Enrolled> {
  const known = cache.get(server) ?? new Map<string, Enrolled>();
  cache.set(server, known);
  const key = `${options.org ?? 'org-test'}|${deviceId}`;
  const held = known.get(key);
  if (held) return held;
  const fresh = await enrol(server, deviceId, options);
  known.set(key, fresh);
  return fresh;
}

/** Authorization header of `deviceId` (coordination of org-test unless told otherwise). */
export async function authHeader(
  server: Reachable,
  deviceId: string,
  options: { org?: string; profile?: Audience; roomId?: string | null } = {},
): Promise<{ authorization: string }> {
  return (await credentialFor(server, deviceId, options)).headers;
}

/** A relay's credential at `central` for `org`. */
export async function relayCredential(
  central: Reachable,
  org = 'org-test',
  relayId = `relay-${Math.random().toString(36).slice(2, 10)}`,
): Promise<RelayCredential> {
  const e = await enrol(central, relayId, { org, profile: 'relay' });
  return { org, token: e.token, relayId };
}

/** Active staff of `org` on the server, so ops stamped with their ids are accepted. */
export async function seedStaff(store: SyncStore, org: string, ids: readonly string[]) {
  const staff = ids.map((id) => ({
    id,
    orgId: org,
    firstName: 'Test',
    lastName: id,
    profession: 'medecin' as const,
    roles: ['clinicien' as const],
    supervisorId: null,
    active: true,
  }));
  await store.push(org, rowsToOps(org, `seed-${org}`, { staff }));
}

const passwordsSet = new WeakMap<SyncStore, Set<string>>();
/** The password the test helpers give every person they sign in. */
export const TEST_PASSWORD = 'mot-de-passe-de-test';

/**
 * Signs people in on an enrolled device over HTTP, as its sign-in screen does (a password set
 * for them first when the helper has not yet): each then holds a session on that device, so ops
 * stamped with them are accepted from it (docs/decisions/0006-person-sessions.md). Returns the
 * login answers. The people must be active staff of the device's organisation on `server`.
 */
export async function signIn(
  server: Reachable,
  device: Enrolled,
  ...staffIds: string[]
): Promise<Record<string, unknown>[]> {
  const set = passwordsSet.get(server.store) ?? new Set<string>();
  passwordsSet.set(server.store, set);
  const answers: Record<string, unknown>[] = [];
  for (const staffId of staffIds) {
    if (!set.has(`${device.org}|${staffId}`)) {
      await new Accounts(server.store).setPassword(device.org, staffId, TEST_PASSWORD);
      set.add(`${device.org}|${staffId}`);
    }
    const res = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...device.headers },
      body: JSON.stringify({ staffId, password: TEST_PASSWORD }),
    });
    if (!res.ok) throw new Error(`sign-in refused: ${res.status} ${await res.text()}`);
    answers.push((await res.json()) as Record<string, unknown>);
  }
  return answers;
}
