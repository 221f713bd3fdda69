// The store behind the sync server: an op log numbered per organisation plus the materialised
// rows, with two implementations (SQLite embedded, PostgreSQL) over one Kysely schema.
import type { RowState } from '../../sync/merge';
import type { Op } from '../../sync/op';
import type { SeqOp } from '../../sync/protocol';

export type StoreKind = 'sqlite' | 'postgres';

export interface PushOptions {
  /** Ops brought back from the upstream server (a relay does not forward them again). */
  fromUpstream?: boolean;
  /** The device whose request brought the ops (a relay forwarding its devices' ops): its
   * pulls leave them out, as they leave out a device's own ops (migration 003). */
  via?: string;
}

export interface PullPage {
  ops: SeqOp[];
  lastSeq: number;
  hasMore: boolean;
}

/** An op a server refuses, to keep apart (migration `quarantine`). */
export interface QuarantineEntry {
  op: Op;
  /** Machine code of the refusal (invalid_op, forbidden_op, …). */
  code: string;
  /** The French reason, as the coordination reads it. */
  reason: string;
  /** The device whose request brought it (the origin device, or a relay). */
  via: string;
}

export interface QuarantinedOp {
  dev: string;
  seq: number;
  op: Op;
  code: string;
  reason: string;
  via: string;
  /** When it was set apart (ISO). */
  at: string;
}

/**
 * An op a relay held and central then refused (decision 0033): taken out of the relay's log and
 * rows, set apart with central's reason, and announced to the devices that may hold it
 * (`retracted` in the sync answer, docs/protocol.md, Retraction).
 */
export interface Retraction {
  /** Its number among this store's retractions of the organisation: 1, 2, … */
  n: number;
  dev: string;
  seq: number;
  /** Its number in this log while it was held: a device whose checkpoint reached it may hold it. */
  s: number;
  /** The row it wrote. */
  e: string;
  id: string;
  code: string;
  /** Central's French reason. */
  reason: string;
}

/** Ops a device declared it no longer holds (durable at central, said a server) that this store
 * does not hold either: ops `from`..`to` of `dev` may be lost (docs/protocol.md, Gap recovery). */
export interface DeviceGap {
  dev: string;
  from: number;
  to: number;
}

/** A row of an archived or destroyed record (migration 004_retention), by id only. */
export interface RowRef {
  e: string;
  id: string;
}

/** An archived or destroyed record: the patient it is kept under, since when, how many rows. */
export interface RetiredRecord {
  patient: string;
  status: 'archived' | 'destroyed';
  /** When it was archived, or destroyed (ISO). */
  at: string;
  rows: number;
}

/** What an archive, a restoration or a destruction moved: rows and ops, counted. */
export interface RetentionCount {
  rows: number;
  ops: number;
}

/** Machine code of an op refused because it names a destroyed record. */
export const DESTROYED_CODE = 'destroyed_record';
export const DESTROYED_REASON =
  'Ce dossier a été détruit au central à l’échéance de sa durée de conservation : cette modification n’est pas enregistrée.';

export interface SyncStore {
  readonly kind: StoreKind;
  /** Validates every op, then stores the new ones in one transaction; all or nothing. */
  push(
    org: string,
    ops: readonly Op[],
    options?: PushOptions,
  ): Promise<{ stored: number; lastSeq: number }>;
  /** Ops after `since`, in sequence order, paged by bytes (at least one op when there is one);
   * `excludeDev`'s own ops and those it brought (`via`) are counted in the page but not sent. */
  pull(org: string, since: number, maxBytes: number, excludeDev?: string): Promise<PullPage>;
  /** The ops of these rows up to `upTo` included, in sequence order (`excludeDev`'s own and
   * those it brought left out, as `pull` does): a row entering a device's scope is sent whole
   * (src/server/replication-scope.ts). */
  rowOps(
    org: string,
    entity: string,
    ids: readonly string[],
    upTo: number,
    excludeDev?: string,
  ): Promise<SeqOp[]>;
  /** Highest N such that each op 1..N of this device is held here or at most its declared floor
   * (what the server acknowledges as `accepted`). */
  contiguous(org: string, dev: string): Promise<number>;
  /** The device no longer holds its ops 1..floor (never lowers a floor declared before);
   * acknowledgement continues from there. When the floor rose: the gap left if this store
   * lacks some of them (null otherwise). */
  declareFloor(org: string, dev: string, floor: number): Promise<DeviceGap | null>;
  /** Declared floors above 0, by device. */
  floors(org: string): Promise<Map<string, number>>;
  /** Devices whose declared floor is above the ops actually held here. */
  gaps(org: string): Promise<DeviceGap[]>;
  /** Relay: how far central holds each device's ops (1..N contiguous), as central last said. */
  upstreamHeld(org: string): Promise<Map<string, number>>;
  /** Relay: records central's word (it may go down: central restored from a backup). */
  setUpstreamHeld(org: string, held: Readonly<Record<string, number>>): Promise<void>;
  /** The log's identity, created with the store; a checkpoint is valid only within it. */
  epoch(): Promise<string>;
  /** A new identity (after restoring a backup): every client's checkpoint here is reset. */
  newEpoch(): Promise<string>;
  lastSeq(org: string): Promise<number>;
  /** Every device with ops here, and how many of its ops are held (1..N contiguous). */
  devices(org: string): Promise<{ dev: string; seq: number }[]>;
  /** Meta entries whose key starts with `prefix`, in key order. */
  metaWithPrefix(prefix: string): Promise<{ key: string; value: string }[]>;
  /** Relay: ops of the local log after `after` that did not come from upstream (those too up
   * to `upstreamUpTo`, when upstream lost what it had sent: central restored from a backup). */
  toForward(
    org: string,
    after: number,
    maxBytes: number,
    upstreamUpTo?: number,
  ): Promise<{ ops: Op[]; upTo: number }>;
  rowStates(org: string, entity?: string): Promise<RowState[]>;
  rows(org: string, entity: string): Promise<Record<string, unknown>[]>;
  digest(org: string): Promise<string>;
  orgs(): Promise<string[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Inserts a meta entry only if the key is absent; true when this call inserted it. */
  claimMeta(key: string, value: string): Promise<boolean>;
  /** Deletes a meta entry; true when this call deleted it (single-use codes across instances). */
  deleteMeta(key: string): Promise<boolean>;
  /** Materialised rows of one entity by id (missing ids are skipped). */
  rowsByIds(
    org: string,
    entity: string,
    ids: readonly string[],
  ): Promise<Record<string, unknown>[]>;
  /** Merge states of one entity's rows by id (missing ids are skipped). */
  rowStatesByIds(org: string, entity: string, ids: readonly string[]): Promise<RowState[]>;
  /** The `dev#seq` keys of these ops this server already holds (stored or quarantined). */
  heldKeys(org: string, ops: readonly Op[]): Promise<Set<string>>;
  /** Sets refused ops apart: never applied nor pulled, counted as held for contiguity; ops
   * already held are skipped. Returns how many were set apart. */
  quarantine(org: string, entries: readonly QuarantineEntry[]): Promise<number>;
  /** The organisation's quarantined ops, newest first. */
  quarantined(org: string, limit?: number): Promise<QuarantinedOp[]>;
  /** Of these ops, those set apart here (quarantined), with why. */
  quarantinedAmong(
    org: string,
    ops: readonly { dev: string; seq: number }[],
  ): Promise<QuarantinedOp[]>;
  /**
   * Relay (decision 0033): takes out of the log the ops central refused after this store held
   * them, sets them apart with central's reason, folds again the rows they wrote from the ops
   * left (a row none is left of goes), and records each as a retraction, all in one
   * transaction. Ops not in the log (already taken out, or never held) are skipped. Returns
   * the retractions recorded.
   */
  retract(
    org: string,
    refused: readonly { dev: string; seq: number; code: string; reason: string; via: string }[],
  ): Promise<Retraction[]>;
  /** The retractions numbered after `after`, in order (at most `limit`). */
  retractions(org: string, after: number, limit?: number): Promise<Retraction[]>;
  /** How many retractions the organisation's log has had. */
  retractionCount(org: string): Promise<number>;
  /**
   * Changes whenever entries leave the log (a retraction, an archived or destroyed record):
   * a snapshot folded before is neither served nor folded from after (src/server/snapshots.ts).
   * Empty while it never happened.
   */
  rewritten(org: string): Promise<string>;
  /** Retention (docs/decisions/0019-retention.md): archived and destroyed records. */
  retiredRecords(org: string): Promise<RetiredRecord[]>;
  /** Of these ops, those naming a row of a retired record (its own row, or a record reference
   * of an insert), by `dev#seq`, with the record's status. */
  retiredOps(org: string, ops: readonly Op[]): Promise<Map<string, 'archived' | 'destroyed'>>;
  /** The archived records' rows, materialised from their archived ops (`patient`: the record). */
  archivedRows(
    org: string,
  ): Promise<{ e: string; id: string; patient: string; value: Record<string, unknown> }[]>;
  /** Moves a record's rows (`rows`, the patient's ones among them) and all their ops out of the
   * log into the archive tier: no longer pulled, read or searched; later ops naming them are
   * archived too. One transaction. */
  archiveRecord(org: string, patient: string, rows: readonly RowRef[]): Promise<RetentionCount>;
  /** Puts an archived record back: its ops enter the log again as new entries (every client
   * pulls them), its rows are materialised again. */
  restoreRecord(org: string, patient: string): Promise<RetentionCount>;
  /** Destroys an archived record: its ops (archived or quarantined) are deleted, their keys kept
   * as held so a resend is never stored; its row ids stay, so a later op naming one is refused. */
  destroyRecord(org: string, patient: string): Promise<RetentionCount>;
  /** Deletes live rows and their ops (audit entries past their period), keeping the ops' keys
   * as held. */
  destroyRows(org: string, rows: readonly RowRef[]): Promise<RetentionCount>;
  /** Applies parked ops this schema version now understands. */
  replayParked(): Promise<number>;
  close(): Promise<void>;
}
