// The device's side of the day's closure: asking the sync server for its proof of a stop's day,
// the list of devices the server has heard from, and the purge after a sync receipt.

import { auditPurgePlan, DEFAULT_AUDIT_RETENTION_DAYS } from '../domain/audit-retention';
import {
  type ClosureRecord,
  type DayProof,
  DEFAULT_RETENTION_DAYS,
  dayProof,
  type PurgePlan,
  purgePlan,
  type ServerProof,
} from '../domain/closure';
import { type DeviceProfile, ENTITY_NAMES } from '../domain/entities';
import { hlcOfTime } from '../sync/hlc';
import type { DeviceSeen, EnrolledDevice, QuarantinedView } from '../sync/protocol';
import { auditChange } from './audit-change';
import { statesOutsideAudit } from './closure-report';
import { authHeaders, type Connection } from './connection';
import { type EscaleDb, getMeta, META } from './db';
import { prunedAt } from './horizon';
import { outboxOps } from './outbox';
import { registry, writeChanges } from './write';

/**
 * This device's proof of a stop's day, at the horizon it pruned at (decision 0027), or at `at`
 * (a receipt's or a proof's: a row this device pruned past it then differs, and is kept).
 */
export async function localDayProof(
  db: EscaleDb,
  stopId: string,
  at?: string | null,
): Promise<DayProof> {
  const hz = at === undefined ? await prunedAt(db) : at;
  return dayProof(await statesOutsideAudit(db), stopId, registry, hz);
}

export type ProofResult =
  | { ok: true; proof: ServerProof; via: 'relay' | 'central'; server: string }
  | { ok: false; message: string };

const UNREACHABLE = 'Aucun serveur de synchronisation joignable : le reçu attendra le réseau.';

async function messageOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: fall through
  }
  return `Le serveur a répondu ${res.status}.`;
}

/**
 * Asks the servers in order (the truck's relay first) for central's proof of a stop's day. A
 * relay answers with central's proof and its own digest; it refuses (503) when central is out of
 * reach, and then central itself is tried directly.
 */
export async function fetchServerProof(
  connection: Connection,
  stopId: string,
  fetchImpl: typeof fetch = fetch,
  hz: string | null = null,
): Promise<ProofResult> {
  let last = UNREACHABLE;
  for (const server of connection.servers) {
    let res: Response;
    try {
      res = await fetchImpl(`${server}/api/receipt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(connection) },
        // At this device's horizon: the proof is of the form it holds (decision 0027).
        body: JSON.stringify({ org: connection.org, stopId, ...(hz ? { hz } : {}) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch {
      continue;
    }
    if (!res.ok) {
      last = await messageOf(res);
      continue;
    }
    const proof = (await res.json()) as ServerProof;
    return { ok: true, proof, via: proof.relayDigest === undefined ? 'central' : 'relay', server };
  }
  return { ok: false, message: last };
}

export type ClosureResult = { ok: true; closure: ClosureRecord } | { ok: false; message: string };

/** Posts a closure request (begin, excuse) to the servers in order; a relay passes it to
 * central, which alone decides (docs/decisions/0007-closure-coverage.md). */
async function closureRequest(
  connection: Connection,
  path: string,
  body: Record<string, unknown>,
  fetchImpl: typeof fetch,
): Promise<ClosureResult> {
  let last = UNREACHABLE;
  for (const server of connection.servers) {
    let res: Response;
    try {
      res = await fetchImpl(`${server}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(connection) },
        body: JSON.stringify({ org: connection.org, ...body }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      continue;
    }
    if (!res.ok) {
      last = await messageOf(res);
      continue;
    }
    return { ok: true, closure: ((await res.json()) as { closure: ClosureRecord }).closure };
  }
  return { ok: false, message: last };
}

/** Begins the closure of a stop's day: central records the time; devices are told at their
 * next sync and answer with their day digest. */
export function beginClosure(
  connection: Connection,
  stopId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ClosureResult> {
  return closureRequest(connection, '/api/closure/begin', { stopId }, fetchImpl);
}

/** Excuses a device from the closure's coverage, with the coordinator's reason. */
export function excuseDevice(
  connection: Connection,
  stopId: string,
  deviceId: string,
  reason: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ClosureResult> {
  return closureRequest(connection, '/api/closure/excuse', { stopId, deviceId, reason }, fetchImpl);
}

export type DevicesResult =
  | {
      ok: true;
      server: string;
      devices: DeviceSeen[];
      enrolled: EnrolledDevice[];
      /** Ops this server refused and set apart (docs/protocol.md, Quarantine). */
      quarantined: QuarantinedView[];
    }
  | { ok: false; message: string };

/**
 * The devices the first server that agrees to answer has heard from, and those enrolled;
 * null when no server can be reached, the last refusal's French message when all refused.
 */
export async function fetchDevices(
  connection: Connection,
  fetchImpl: typeof fetch = fetch,
): Promise<DevicesResult | null> {
  let refused: string | null = null;
  for (const server of connection.servers) {
    try {
      const res = await fetchImpl(`${server}/api/devices`, {
        headers: authHeaders(connection),
        signal: AbortSignal.timeout(15_000),
      });
      if (!res.ok) {
        refused = await messageOf(res);
        continue;
      }
      const body = (await res.json()) as { devices?: DeviceSeen[]; enrolled?: EnrolledDevice[] };
      // The same server's quarantine; an older server without it lists none.
      const aside = await fetchImpl(`${server}/api/quarantine`, {
        headers: authHeaders(connection),
        signal: AbortSignal.timeout(15_000),
      }).catch(() => null);
      const quarantined = aside?.ok
        ? (((await aside.json().catch(() => ({}))) as { ops?: QuarantinedView[] }).ops ?? [])
        : [];
      return {
        ok: true,
        server,
        devices: body.devices ?? [],
        enrolled: body.enrolled ?? [],
        quarantined,
      };
    } catch {
      // try the next server
    }
  }
  return refused === null ? null : { ok: false, message: refused };
}

/** Retention of this device: its own setting, or its profile's default. */
export async function retentionDays(db: EscaleDb, profile: DeviceProfile): Promise<number> {
  const own = await getMeta<number>(db, META.retentionDays);
  return typeof own === 'number' && own >= 0 ? own : DEFAULT_RETENTION_DAYS[profile];
}

export interface PurgeOutcome extends PurgePlan {
  removed: number;
}

/** Id and time of every audit record, read from the table's clear indexes (its records are
 * sealed: none is opened). */
async function auditFacts(db: EscaleDb): Promise<{ id: string; at: string }[]> {
  const byTime = db.table('audit').orderBy('at');
  const [ats, ids] = await Promise.all([byTime.keys(), byTime.primaryKeys()]);
  return ids.map((id, i) => ({ id: String(id), at: String(ats[i]) }));
}

/**
 * Removes the patient data of receipted days this profile no longer needs, in one transaction
 * with its audit record. Rows removed are remembered so pulled ops never rebuild them.
 */
export async function purgeAfterReceipts(
  db: EscaleDb,
  options: {
    profile: DeviceProfile;
    today: string;
    staffId?: string | null;
    /** Days the audit log is kept (src/domain/audit-retention.ts; one year by default). */
    auditRetentionDays?: number;
    /** Rows erased so far out of those to erase, after each table (for a progress bar). */
    onProgress?(done: number, total: number): void;
  },
): Promise<PurgeOutcome> {
  const days = await retentionDays(db, options.profile);
  const tables = [
    ...ENTITY_NAMES.map((e) => db.table(e)),
    db.states,
    db.outbox,
    db.sent,
    db.meta,
    db.purged,
  ];
  return db.transaction('rw', tables, async () => {
    const [receipts, stops, states, outbox] = await Promise.all([
      db.rows('syncReceipt').toArray(),
      db.rows('stop').toArray(),
      statesOutsideAudit(db),
      outboxOps(db),
    ]);
    const plan = purgePlan({
      profile: options.profile,
      today: options.today,
      retentionDays: days,
      stops,
      receipts,
      states,
      outbox,
      registry,
      deviceId: (await getMeta<string>(db, META.deviceId)) ?? undefined,
    });
    // The audit log past its retention goes after a receipt too, once central holds it.
    const audit = auditPurgePlan({
      today: options.today,
      retentionDays: options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
      audit: await auditFacts(db),
      receipts,
      deviceId: (await getMeta<string>(db, META.deviceId)) ?? undefined,
      unsynced: new Set(outbox.filter((o) => o.e === 'audit').map((o) => o.id)),
    });
    const remove = [...plan.remove, ...audit.remove.map((id) => ({ e: 'audit', id }))];
    // Kept copies of this device's own ops (sync-client.ts) go once a due receipt covers them.
    if (plan.sentBefore !== null) {
      const cut = hlcOfTime(Date.parse(plan.sentBefore));
      await db.sent.bulkDelete(await db.sent.where('hlc').below(cut).primaryKeys());
    }
    if (remove.length === 0) return { ...plan, removed: 0 };
    const byEntity = new Map<string, string[]>();
    for (const { e, id } of remove) byEntity.set(e, [...(byEntity.get(e) ?? []), id]);
    let done = 0;
    options.onProgress?.(done, remove.length);
    for (const [e, ids] of byEntity) {
      await db.table(e).bulkDelete(ids);
      done += ids.length;
      options.onProgress?.(done, remove.length);
    }
    await db.states.bulkDelete(remove.map((r) => [r.e, r.id] as [string, string]));
    await db.purged.bulkPut(remove);
    const deviceId = (await getMeta<string>(db, META.deviceId)) ?? 'inconnu';
    const org = (await getMeta<string>(db, META.org)) ?? '';
    const counts = [...byEntity].map(([e, ids]) => `${e}: ${ids.length}`).join(', ');
    await writeChanges(db, { deviceId, org, userId: options.staffId ?? undefined }, [
      auditChange(
        { org, deviceId, actorId: options.staffId ?? null },
        {
          action: 'data.purged',
          entity: 'stop',
          entityId: plan.stops[0] ?? null,
          detail:
            `Purge après reçu (${options.profile}, conservation ${days} j) — ${counts}; conservées : ${plan.kept.length}`.slice(
              0,
              2000,
            ),
        },
      ),
    ]);
    return { ...plan, remove, removed: remove.length };
  });
}
