// The push's person check (docs/decisions/0006-person-sessions.md): an op stamped with a person
// is accepted from a device only when its time falls in a session of that person on that device;
// then the validation and signature rules of pushRefusal judge an authenticated person. Kept out
// of routes/sync.ts so the sync route only calls it.
import { uncoveredPeople } from '../domain/sessions';
import { decodeHlc } from '../sync/hlc';
import type { DeviceCredential } from './auth';
import type { ServerContext } from './context';

interface Stamped {
  user?: string;
  hlc: string;
  dev: string;
  seq: number;
}

export interface SessionRefusal {
  message: string;
  details: { staffId: string; people: string[] };
}

const timeOf = (op: Stamped): number => decodeHlc(op.hlc).ms;

/** The person's name as people read it (never their id). */
function fullName(row: Record<string, unknown> | undefined): string {
  const name = [row?.firstName, row?.lastName].filter((p) => typeof p === 'string' && p).join(' ');
  return name || 'Une personne de l’équipe';
}

/** Why this push needs someone to sign in again on the device, or null. */
export async function sessionRefusal(
  ctx: Pick<ServerContext, 'accounts' | 'relay' | 'store'>,
  device: DeviceCredential,
  ops: readonly Stamped[],
): Promise<SessionRefusal | null> {
  if (device.profile === 'relay') return null; // it checked the devices it authenticated
  let own = ops.filter((op) => op.user !== undefined && op.dev === device.deviceId);
  if (own.length === 0) return null;
  // Ops this server already holds were judged when they came (a retry, a second path).
  const held = await ctx.store.contiguous(device.org, device.deviceId);
  own = own.filter((op) => op.seq > held);
  if (own.length === 0) return null;
  let people = uncoveredPeople(
    own,
    await ctx.accounts.sessionsOf(device.org, device.deviceId),
    timeOf,
  );
  if (people.length > 0 && ctx.relay) {
    // A sign-in at central since the relay's last pass: bring the sessions once, judge again.
    await ctx.relay.refreshCredentials();
    people = uncoveredPeople(
      own,
      await ctx.accounts.sessionsOf(device.org, device.deviceId),
      timeOf,
    );
  }
  const first = people[0];
  if (first === undefined) return null;
  const [row] = await ctx.store.rowsByIds(device.org, 'staff', [first]);
  const name = fullName(row);
  return {
    message: `${name} doit se reconnecter avec son mot de passe sur cet appareil : les modifications faites à son nom y restent en attente jusque-là.`,
    details: { staffId: first, people },
  };
}

/** After an accepted push: the people who worked keep their open sessions on the device. */
export async function renewWorkingSessions(
  ctx: Pick<ServerContext, 'accounts' | 'role'>,
  device: DeviceCredential,
  ops: readonly Stamped[],
): Promise<void> {
  if (device.profile === 'relay') return;
  const people = new Set<string>();
  for (const op of ops)
    if (op.user !== undefined && op.dev === device.deviceId) people.add(op.user);
  await ctx.accounts.renewSessions(device.org, device.deviceId, people, ctx.role === 'relay');
}
