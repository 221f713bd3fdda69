// Audit events the server itself records (the coordination's actions on credentials, which no
// device's write path sees): ordinary `audit` rows, replicated like any other, written under an
// origin id no device can hold — enrolment refuses ids with a dot (docs/protocol.md).
import { SCHEMA_VERSION } from '../domain/entities';
import { createClock, type HlcClock, tick } from '../sync/hlc';
import type { Op } from '../sync/op';
import { epochOrigin } from '../sync/origins';
import type { SyncStore } from './store/types';

/** Central's own events go under this name and the log's epoch (`server.audit@1a2b3c4d`), like
 * its partner ops: a central restored from a backup never writes again a sequence a replica
 * holds (decision 0029). */
export const SERVER_AUDIT_DEVICE = 'server.audit';

/** A relay's own events (a past record it served from what it holds) go under its own origin,
 * so their sequences never meet central's when the relay forwards them. */
export const relayAuditDevice = (relayId: string) =>
  `${SERVER_AUDIT_DEVICE}.${relayId}`.slice(0, 64);

const clocks = new Map<string, HlcClock>();

export interface ServerAuditEvent {
  /** The device that acted (the coordination's, or the room that read a past record). */
  deviceId: string;
  /** The person signed in on it, when the event is theirs. */
  actorId?: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  detail: string | null;
}

/** Stores one audit row for `org`; returns its id. */
export async function recordServerAudit(
  store: SyncStore,
  org: string,
  event: ServerAuditEvent,
  now = Date.now(),
  origin = SERVER_AUDIT_DEVICE,
): Promise<string> {
  const id = `audit.${now.toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  const dev = origin === SERVER_AUDIT_DEVICE ? epochOrigin(origin, await store.epoch()) : origin;
  // The next sequence of this origin; a concurrent event (another instance) taking it first
  // makes this push a no-op, so try the next one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const seq = (await store.contiguous(org, dev)) + 1;
    const t = tick(clocks.get(dev) ?? createClock(dev), now);
    clocks.set(dev, t.clock);
    const op: Op = {
      v: SCHEMA_VERSION,
      org,
      dev,
      seq,
      hlc: t.hlc,
      e: 'audit',
      id,
      f: '*',
      k: 'ins',
      val: {
        id,
        orgId: org,
        at: new Date(now).toISOString(),
        ...event,
        actorId: event.actorId ?? null,
      },
    };
    if ((await store.push(org, [op])).stored === 1) return id;
  }
  throw new Error('Événement du journal non enregistré : réessayez.');
}
