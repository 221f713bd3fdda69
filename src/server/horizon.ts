// Central's side of pruning (docs/decisions/0027-pruning.md, « How the horizon is computed and
// travels »): it records, per writer, a clock below every op that writer has not yet delivered
// (its position), and computes the organisation's horizon from them with `horizonOf`
// (src/sync/prune.ts). Central itself never prunes its stored rows: the horizon is for the
// replicas it answers, and for the guard that refuses an op written below it. A relay adopts
// central's horizon and announces it to its devices (`adoptUpstreamHorizon`, `relayHorizon`).
import { type Hlc, hlcOfTime } from '../sync/hlc';
import type { Op } from '../sync/op';
import type { SentPosition } from '../sync/protocol';
import {
  adoptable,
  type Horizon,
  horizonOf,
  pendingPosition,
  type WriterPosition,
} from '../sync/prune';
import type { DeviceCredential } from './auth';
import { pendingClocks } from './partner-tasks';
import type { SyncStore } from './store/types';

interface StoredPosition extends SentPosition {
  /** The log's epoch it was recorded in: a restored backup drops what it cannot prove. */
  epoch: string;
}

interface StoredHorizon extends Horizon {
  epoch: string;
}

export const positionPrefix = (org: string) => `position:${org}:`;
export const positionKey = (org: string, dev: string) => `${positionPrefix(org)}${dev}`;
export const horizonKey = (org: string) => `horizon:${org}`;

/**
 * The server's own ops (closures, partner answers, audit) are stored as they are stamped, so its
 * position is its clock; a minute behind, for a write stamped but not yet committed when the
 * horizon is read.
 */
export const SERVER_POSITION_LAG_MS = 60_000;

/**
 * Records `dev`'s position when this store holds its ops 1..seq (a relay forwarding a position
 * before the ops it covers would otherwise let the horizon pass ops still on their way). Never
 * moves a position back within an epoch. True when recorded.
 */
export async function recordPosition(
  store: SyncStore,
  org: string,
  dev: string,
  sent: SentPosition,
): Promise<boolean> {
  if ((await store.contiguous(org, dev)) < sent.seq) return false;
  const epoch = await store.epoch();
  const before = await readPosition(store, org, dev, epoch);
  if (before && before.hlc >= sent.hlc) return true;
  const value: StoredPosition = { hlc: sent.hlc, seq: sent.seq, epoch };
  await store.setMeta(positionKey(org, dev), JSON.stringify(value));
  return true;
}

async function readPosition(
  store: SyncStore,
  org: string,
  dev: string,
  epoch: string,
): Promise<StoredPosition | null> {
  const raw = await store.getMeta(positionKey(org, dev));
  const p = raw ? (JSON.parse(raw) as StoredPosition) : null;
  return p && p.epoch === epoch ? p : null;
}

/** Who can still deliver ops: enrolled devices that sync (not partners, which never push ops of
 * their own, nor relays, counted through their devices' positions), revoked ones left out. */
export function deliveringDevices(
  credentials: readonly DeviceCredential[],
  revoked: ReadonlySet<string>,
): string[] {
  return credentials
    .filter((c) => c.profile !== 'partner' && c.profile !== 'relay' && !revoked.has(c.deviceId))
    .map((c) => c.deviceId);
}

/**
 * The organisation's horizon now, stored so it never goes back within the log's epoch (a replica
 * that adopted it already dropped clocks below it); a new epoch (a restored backup) drops the
 * stored one. `blockedBy`: the writer holding it back (null: none).
 */
export async function orgHorizon(
  store: SyncStore,
  org: string,
  devices: readonly string[],
  now: number,
): Promise<{ horizon: Horizon | null; blockedBy: string | null }> {
  const epoch = await store.epoch();
  const raw = await store.getMeta(horizonKey(org));
  const stored = raw ? (JSON.parse(raw) as StoredHorizon) : null;
  const previous = stored && stored.epoch === epoch ? { hlc: stored.hlc, seq: stored.seq } : null;
  const known = new Map<string, Hlc>();
  for (const { key, value } of await store.metaWithPrefix(positionPrefix(org))) {
    const p = JSON.parse(value) as StoredPosition;
    if (p.epoch === epoch) known.set(key.slice(positionPrefix(org).length), p.hlc);
  }
  const writers: WriterPosition[] = devices.map((node) => ({
    node,
    sent: known.get(node) ?? null,
  }));
  writers.push({ node: 'central', sent: hlcOfTime(now - SERVER_POSITION_LAG_MS) });
  // The partner-task cursor's pending work: a task those ops produce is stamped above the least
  // of them, so the horizon waits below it (decision 0027, « Partner tasks »). Read after the
  // positions and before the log's head: an op stored later is above its writer's position.
  const pending = pendingPosition(await pendingClocks(store, org));
  if (pending) writers.push(pending);
  // Positions are read before the log's head: every op ≤ the horizon is at a number ≤ it.
  const result = horizonOf(writers, await store.lastSeq(org), previous);
  const h = result.horizon;
  if (h && (!previous || h.hlc !== previous.hlc)) {
    const value: StoredHorizon = { hlc: h.hlc, seq: h.seq, epoch };
    await store.setMeta(horizonKey(org), JSON.stringify(value));
  }
  return result;
}

/** Machine code of an op refused for its clock below the horizon. */
export const BELOW_HORIZON_CODE = 'below_horizon';

/**
 * The guard (decision 0027): a register or set op with a clock ≤ the horizon can only come from a
 * writer that broke its promise (a device restored from an old backup, its clock set back);
 * every pruned replica would ignore it, so it is refused rather than applied here alone.
 * Inserts are never pruned and never refused for their clock.
 */
export function belowHorizon(op: Op, horizon: Horizon | null): string | null {
  if (!horizon || op.k === 'ins' || op.hlc > horizon.hlc) return null;
  return 'Modification refusée par le serveur : elle porte une horloge antérieure à l’horizon déjà atteint par tous les appareils (l’horloge de l’appareil a sans doute reculé, par exemple après la restauration d’une ancienne sauvegarde). Vérifiez la date de l’appareil puis saisissez de nouveau cette modification.';
}

/** The organisation's horizon as central computes it for a request (enrolled devices from the
 * accounts, revoked ones from the replicated `device` rows). */
export async function currentHorizon(
  store: SyncStore,
  accounts: { credentials(org: string): Promise<DeviceCredential[]> },
  org: string,
  now: number,
): Promise<{ horizon: Horizon | null; blockedBy: string | null }> {
  const revoked = new Set(
    (await store.rows(org, 'device')).filter((d) => d.revoked === true).map((d) => String(d.id)),
  );
  return orgHorizon(store, org, deliveringDevices(await accounts.credentials(org), revoked), now);
}

// ---- on a relay (decision 0027, « Through a relay ») ----

/** Central's epoch the relay's pull checkpoint belongs to (written by src/server/relay.ts). */
export const upstreamEpochKey = (org: string) => `upstream:epoch:${org}`;
/** Central's horizon as this relay adopted it. */
export const relayHorizonKey = (org: string) => `upstream:horizon:${org}`;

interface AdoptedHorizon extends Horizon {
  /** The seq central announced it with (its own log's): what the relay's checkpoint reached. */
  upstreamSeq: number;
  /** Central's epoch it was announced in: a restored central drops it, as it drops its own. */
  epoch: string;
}

async function readAdopted(store: SyncStore, org: string): Promise<AdoptedHorizon | null> {
  const raw = await store.getMeta(relayHorizonKey(org));
  return raw ? (JSON.parse(raw) as AdoptedHorizon) : null;
}

/**
 * On a relay, after a page from central was stored and the checkpoint moved to `pulled` (in
 * central's `epoch`): adopts the newest of `announced` (central's horizons, `seq` in central's
 * log) that the checkpoint reached. The relay's pull is the whole organisation (profile `relay`:
 * every field of every row, no patient scope, no reading view) but for the ops it wrote or
 * brought itself, which its own log holds already: so once its checkpoint reaches central's
 * `seq`, its log holds every op ≤ `hlc`, at a number ≤ its head now. That head is the `seq` it
 * announces to its devices (`relayHorizon`), which adopt it once they pulled its log that far.
 * Never moves back within central's epoch; a horizon of another epoch is dropped (central was
 * restored: it can only prove what its restored log shows). Returns the horizon held.
 */
export async function adoptUpstreamHorizon(
  store: SyncStore,
  org: string,
  announced: readonly Horizon[],
  pulled: number,
  epoch: string,
): Promise<Horizon | null> {
  let held = await readAdopted(store, org);
  if (held && held.epoch !== epoch) {
    await store.deleteMeta(relayHorizonKey(org));
    held = null;
  }
  const next = adoptable(announced, pulled, { current: held?.hlc ?? null });
  if (next === null || next === held?.hlc) return held ? { hlc: held.hlc, seq: held.seq } : null;
  const from = announced.find((h) => h.hlc === next)!;
  // Read after the pages that reached it were stored: every op ≤ hlc is at a number ≤ this.
  const value: AdoptedHorizon = {
    hlc: next,
    seq: await store.lastSeq(org),
    upstreamSeq: from.seq,
    epoch,
  };
  await store.setMeta(relayHorizonKey(org), JSON.stringify(value));
  return { hlc: value.hlc, seq: value.seq };
}

/** The horizon a relay announces to its devices: central's, adopted, with the relay's own log
 * head when it adopted it; none when it holds none of central's current epoch. */
export async function relayHorizon(store: SyncStore, org: string): Promise<Horizon | null> {
  const held = await readAdopted(store, org);
  if (!held || held.epoch !== (await store.getMeta(upstreamEpochKey(org)))) return null;
  return { hlc: held.hlc, seq: held.seq };
}

/** Central's epoch this relay's horizon belongs to (its checkpoint's): what a snapshot it pruned
 * at that horizon holds true for (src/server/snapshots.ts, `horizonEpoch`); null before any. */
export async function relayHorizonEpoch(store: SyncStore, org: string): Promise<string | null> {
  return (await store.getMeta(upstreamEpochKey(org))) ?? null;
}
