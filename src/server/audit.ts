// Audit events the server itself records (the coordination's actions on credentials, which no
// device's write path sees): ordinary `audit` rows, replicated like any other, written under an
// origin id no device can hold — enrolment refuses ids with a dot (docs/protocol.md).
import { SCHEMA_VERSION } from '../domain/entities';
import { createClock, type HlcClock, tick } from '../sync/hlc';
import type { Op } from '../sync/op';
import type { SyncStore } from './store/types';

export const SERVER_AUDIT_DEVICE = 'server.audit';

let clock: HlcClock = createClock(SERVER_AUDIT_DEVICE);

export interface ServerAuditEvent {
  /** The coordination device that acted. */
  deviceId: string;
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
): Promise<string> {
  const id = `audit.${now.toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  // The next sequence of this origin; a concurrent event (another instance) taking it first
  // makes this push a no-op, so try the next one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const seq = (await store.contiguous(org, SERVER_AUDIT_DEVICE)) + 1;
    const t = tick(clock, now);
    clock = t.clock;
    const op: Op = {
      v: SCHEMA_VERSION,
      org,
      dev: SERVER_AUDIT_DEVICE,
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
        actorId: null,
        ...event,
      },
    };
    if ((await store.push(org, [op])).stored === 1) return id;
  }
  throw new Error('Événement du journal non enregistré : réessayez.');
}
