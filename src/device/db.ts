// The device database (Dexie 4 over IndexedDB): one table per entity holding the materialised
// rows the screens read, the merge state behind them, the outbox of local ops, the ops parked
// until this client understands their schema, and a small key/value `meta` table.
// Versions are append-only (docs/design.md §8): never edit a published version, add the next one.
import { Dexie, type DexieOptions, type Table, type Transaction } from 'dexie';
import type { EntityName, EntityRows } from '../domain/entities';
import { foldName } from '../domain/text';
import type { HlcClock } from '../sync/hlc';
import type { RowState } from '../sync/merge';
import type { Op } from '../sync/op';
import type { OutboxTable } from './outbox';
import { rowChangesMiddleware } from './row-changes';

type SummaryEntity = 'problem' | 'treatment' | 'allergy' | 'vaccination';
type DocumentEntity = 'documentTemplate' | 'printedDocument';
/** Entities of schema 6 (secret médical, version 9 of this database). */
type ReadingEntity = 'transmission' | 'breakGlass' | 'sharingObjection';

/** An op pulled from a newer client, kept verbatim until this client understands it. */
export interface ParkedOp {
  dev: string;
  seq: number;
  v: number;
  op: Op;
  /** Why this replica refused it, when it was parked for another reason than its version. */
  error?: string;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

/** Fields the device adds to a materialised row for its own indexes (never replicated). */
export interface DerivedFields {
  patient: { searchKey: string };
}

export type StoredRow<K extends EntityName> = EntityRows[K] &
  (K extends keyof DerivedFields ? DerivedFields[K] : unknown);

/**
 * Version 1, frozen. Indexes are those the screens query (see queries.ts).
 * Null values (e.g. a patient without NIR) are simply absent from an index.
 */
const ENTITY_STORES_V1: Record<
  Exclude<
    EntityName,
    | 'syncReceipt'
    | 'contradictionAck'
    | 'identityChange'
    | 'orientation'
    | 'researchObjection'
    | 'partnerTask'
    | SummaryEntity
    | DocumentEntity
    | ReadingEntity
  >,
  string
> = {
  organisation: 'id',
  unit: 'id',
  room: 'id, unitId, order',
  staff: 'id, lastName',
  service: 'id, code',
  stop: 'id, date',
  rosterSlot: 'id, stopId, roomId',
  patient: 'id, birthName, birthDate, nir',
  appointment: 'id, stopId, [stopId+serviceId], patientId',
  visit: 'id, stopId, patientId',
  queueEntry: 'id, stopId, visitId, [stopId+serviceId], roomId',
  consultation: 'id, patientId, queueEntryId, stopId, status, authorId',
  vitals: 'id, consultationId',
  signature: 'id, consultationId',
  addendum: 'id, consultationId',
  audit: 'id, at',
  conflictResolution: 'id, [entity+rowId]',
  device: 'id',
};

export const STORES_V1: Record<string, string> = {
  ...ENTITY_STORES_V1,
  states: '[e+id], e',
  outbox: 'seq',
  parked: '[dev+seq], v',
  meta: 'key',
};

/** Version 2: patients get a folded search key (birth name + first names). */
export const STORES_V2: Record<string, string> = {
  patient: 'id, birthName, birthDate, nir, searchKey',
};

/** Version 3: the sync receipt, and the keys of rows purged after one (pulled ops for them are
 * ignored, so a purged row never comes back half-filled). */
export const STORES_V3: Record<string, string> = {
  syncReceipt: 'id, stopId',
  purged: '[e+id]',
};

/** Version 4: acknowledgements of the day's contradictions (docs/decisions/0004). */
export const STORES_V4: Record<string, string> = {
  contradictionAck: 'id, stopId, contradictionId',
};

/** Version 5: the identity lifecycle (src/domain/identity-lifecycle.ts): patients indexed by the
 * identity they were merged into (reads follow it), and each identity's history of changes. */
export const STORES_V5: Record<string, string> = {
  patient: 'id, birthName, birthDate, nir, searchKey, mergedInto',
  identityChange: 'id, patientId, otherPatientId',
};

/** Version 6: the device's own ops once durable at central, kept until the purge after the
 * day's receipt, so that a central restored from an older backup can ask for them again
 * (`missing` in docs/protocol.md, Gap recovery). */
export const STORES_V6: Record<string, string> = {
  sent: 'seq, hlc',
};

/** Version 7: the clinical summary (src/domain/clinical-summary.ts), each row indexed by its
 * patient; sealed at rest like the notes (src/device/encryption.ts). */
export const STORES_V7: Record<string, string> = {
  problem: 'id, patientId',
  treatment: 'id, patientId',
  allergy: 'id, patientId',
  vaccination: 'id, patientId',
};

/** Version 9: who reads what (src/domain/reading.ts): the transmission
 * written from a note for the social roles, the bris de glace, the patient's objection to
 * sharing, each indexed by its patient; sealed at rest like the notes. */
export const STORES_V9: Record<string, string> = {
  transmission: 'id, consultationId, patientId',
  breakGlass: 'id, patientId, staffId, at',
  sharingObjection: 'id, patientId',
};

/** Version 10: orientations followed to their outcome (src/domain/orientation.ts), indexed by
 * patient and consultation; sealed at rest like the notes. */
export const STORES_V10: Record<string, string> = {
  orientation: 'id, patientId, consultationId',
};

/** Version 11: the documents of a consultation (src/domain/documents.ts): certificate templates,
 * and the record of each document printed, indexed by its note and its patient (sealed at rest). */
export const STORES_V11: Record<string, string> = {
  documentTemplate: 'id',
  printedDocument: 'id, consultationId, patientId',
};

/** Version 12: the patient's objection to research (src/domain/research.ts), indexed by its
 * patient. Not sealed: it says nothing clinical, and reception shows it without a key. */
export const STORES_V12: Record<string, string> = {
  researchObjection: 'id, patientId',
};

/** Version 13: the tasks handed to certified partner components (src/domain/partner-tasks.ts),
 * indexed by their note and their patient; sealed at rest (a prescription issued is clinical). */
export const STORES_V13: Record<string, string> = {
  partnerTask: 'id, consultationId, patientId',
};

/** Version 14: no store changes. The writer's meta — its clock, last sequence, the highest
 * sequence offered to a push and the fold barrier, four `meta` records until then — becomes ONE
 * record, `META.writer` (decision 0028, fourth pass); the upgrade moves the four into it. A
 * version, not a read of both forms: a tab still running the older code would go on writing the
 * former keys beside the new record and issue a sequence twice; the version change closes it
 * (« rechargez cette page »). */
export const STORES_V14: Record<string, string> = {};

/** The newest version this code declares. */
export const DB_VERSION = 14;

export function patientSearchKey(p: { birthName?: unknown; firstNames?: unknown }): string {
  const parts = [p.birthName, p.firstNames].filter((x): x is string => typeof x === 'string');
  return foldName(parts.join(' '));
}

/**
 * Adds the device-only derived fields to a materialised row before it is stored.
 * Every path that stores rows (write path, pulled ops, upgrades) goes through here.
 */
export function deriveRow(entity: string, row: Record<string, unknown>): Record<string, unknown> {
  if (entity === 'patient') return { ...row, searchKey: patientSearchKey(row) };
  return row;
}

function declareVersions(db: Dexie, upTo: number): void {
  db.version(1).stores(STORES_V1);
  if (upTo >= 2) {
    db.version(2)
      .stores(STORES_V2)
      .upgrade(async (tx: Transaction) => {
        await tx
          .table('patient')
          .toCollection()
          .modify((p: Record<string, unknown>) => {
            p.searchKey = patientSearchKey(p);
          });
      });
  }
  if (upTo >= 3) db.version(3).stores(STORES_V3);
  if (upTo >= 4) db.version(4).stores(STORES_V4);
  if (upTo >= 5) db.version(5).stores(STORES_V5);
  if (upTo >= 6) db.version(6).stores(STORES_V6);
  if (upTo >= 7) db.version(7).stores(STORES_V7);
  if (upTo >= 9) db.version(9).stores(STORES_V9);
  if (upTo >= 10) db.version(10).stores(STORES_V10);
  if (upTo >= 11) db.version(11).stores(STORES_V11);
  if (upTo >= 12) db.version(12).stores(STORES_V12);
  if (upTo >= 13) db.version(13).stores(STORES_V13);
  if (upTo >= 14) db.version(14).stores(STORES_V14).upgrade(foldWriterMeta);
}

/** The `meta` keys of the writer's meta before version 14, one record each. */
export const LEGACY_WRITER_KEYS = ['clock', 'lastSeq', 'offered', 'foldBarrier'] as const;

/** The upgrade to version 14: the writer's four former records moved into `META.writer`. */
async function foldWriterMeta(tx: Transaction): Promise<void> {
  const meta = tx.table<MetaRecord, string>('meta');
  const old = await meta.bulkGet([...LEGACY_WRITER_KEYS]);
  const writer: Record<string, unknown> = {};
  LEGACY_WRITER_KEYS.forEach((k, i) => {
    const rec = old[i];
    if (rec !== undefined && rec.value !== undefined) writer[k] = rec.value;
  });
  if (Object.keys(writer).length === 0) return;
  await meta.put({ key: META.writer, value: writer });
  await meta.bulkDelete([...LEGACY_WRITER_KEYS]);
}

export interface EscaleDbOptions {
  /** IndexedDB implementation (fake-indexeddb in Node tests). */
  indexedDB?: DexieOptions['indexedDB'];
  IDBKeyRange?: DexieOptions['IDBKeyRange'];
  /** Declare only the versions up to this one: lets migration tests build old databases. */
  upToVersion?: number;
}

export type DbHealth =
  /** Opening waits for other windows still holding an older version open. */
  | 'blocked'
  /** Another window opened a newer version: this one closed its connection and must reload. */
  | 'outdated'
  | 'open';

export class EscaleDb extends Dexie {
  /** Merge state of each row (causal heads, set tags, events), keyed by [e+id]. */
  declare states: Table<RowState, [string, string]>;
  /** The device's ops not yet durable at central, one record per user action (outbox.ts). */
  declare outbox: OutboxTable;
  /** The device's own ops durable at central, kept until the purge after the day's receipt. */
  declare sent: Table<Op, number>;
  declare parked: Table<ParkedOp, [string, number]>;
  declare meta: Table<MetaRecord, string>;
  /** Rows removed by a purge after a sync receipt (never replicated: a purge is local). */
  declare purged: Table<{ e: string; id: string }, [string, string]>;
  /** Latest health of the connection, for the "fermez les autres fenêtres" message. */
  health: DbHealth = 'open';
  private healthListeners = new Set<(h: DbHealth) => void>();

  constructor(name = 'escale', options: EscaleDbOptions = {}) {
    const { upToVersion = DB_VERSION, ...dexieOptions } = options;
    super(name, dexieOptions);
    declareVersions(this, upToVersion);
    // Changed patient ids reach the reception's search index without a re-read (row-changes.ts).
    this.use(rowChangesMiddleware());
    this.on('blocked', () => this.setHealth('blocked'));
    this.on('ready', () => this.setHealth('open'));
    // Dexie's default handler closes the connection so the other window's upgrade can go on;
    // this window then holds stale code and must reload.
    this.on('versionchange', (ev) => {
      if (ev.newVersion && ev.newVersion > 0) this.setHealth('outdated');
    });
  }

  /** Typed access to the materialised rows of one entity. */
  rows<K extends EntityName>(entity: K): Table<StoredRow<K>, string> {
    return this.table(entity);
  }

  onHealth(listener: (h: DbHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  private setHealth(h: DbHealth): void {
    this.health = h;
    for (const l of this.healthListeners) l(h);
  }
}

/** French message for a connection health the UI must show, or null when all is well. */
export function healthMessage(h: DbHealth): string | null {
  if (h === 'blocked')
    return 'Mise à jour de la base locale en attente : fermez les autres fenêtres ou onglets d’Escale.';
  if (h === 'outdated')
    return 'Une version plus récente d’Escale est ouverte dans une autre fenêtre : rechargez cette page.';
  return null;
}

/** Entity tables declared by the current schema (used to check every entity has a table). */
export function entityTableNames(): string[] {
  return [
    ...Object.keys(ENTITY_STORES_V1),
    'syncReceipt',
    'contradictionAck',
    'identityChange',
    ...Object.keys(STORES_V7),
    ...Object.keys(STORES_V9),
    ...Object.keys(STORES_V10),
    ...Object.keys(STORES_V11),
    ...Object.keys(STORES_V12),
    ...Object.keys(STORES_V13),
  ];
}

// ---- meta keys ----
/** Prefix of the fold index's keys in `meta`. */
export const FOLD_PREFIX = 'fold:';

export const META = {
  deviceId: 'deviceId',
  /** What the server gave this device at enrolment (connection.ts `Credential`): its token,
   * profile and room; the one key every reader of the credential uses. */
  credential: 'credential',
  /** The sync servers, the truck's relay first (connection.ts). */
  servers: 'servers',
  org: 'org',
  profile: 'profile',
  marker: 'marker',
  /** The writer's meta, ONE record (WriterMeta): the clock, the last sequence issued, the
   * highest sequence offered to a push and the fold barrier. Read with the write path's first
   * request and written with its last, in its transaction (version 14; four records before). */
  writer: 'writer',
  /** The fold index (src/device/write.ts): per row (entity, id) ONE record giving, for each
   * field set, the seq and hlc of its latest set op in the outbox, so that a later value finds
   * the op it may fold into without opening the outbox. One record per row, not per field: an
   * action setting ten fields of a row writes one. Entries at or below `offered` are stale:
   * the sync client clears them (every key under FOLD_PREFIX, the per-field keys written before
   * included) when it raises it. Names rows and fields, never a value (meta is not sealed). */
  fold: (e: string, id: string) => `${FOLD_PREFIX}${e}\u0000${id}`,
  persistence: 'persistence',
  syncStatus: 'syncStatus',
  /** Minutes without activity before this device locks (default: by profile). */
  idleMinutes: 'idleMinutes',
  /** Days this device keeps a receipted stop's patient data (default: by profile). */
  retentionDays: 'retentionDays',
  checkpoint: (server: string) => `checkpoint:${server}`,
  /** The server's epoch (log identity) the checkpoint was read in. */
  epoch: (server: string) => `epoch:${server}`,
  /** The server's reading view token (room devices), echoed with the checkpoint. */
  view: (server: string) => `view:${server}`,
  /** How far the server last acknowledged this device's ops (`accepted`): not re-sent to it. */
  acked: (server: string) => `acked:${server}`,
  /** The last retraction of the server's log taken into account, with that log's epoch
   * (retractions.ts, decision 0033). */
  retracted: (server: string) => `retracted:${server}`,
  /** A server refused this device's ops until a person signs in again (403 session_required):
   * `{ staffId, message }`, cleared by that person's sign-in (docs/decisions/0006). */
  sessionRequired: 'sessionRequired',
  /** No server recognised this device's credential (401 unauthenticated: central restored from
   * a backup older than its enrolment, docs/operations.md): `{ message, at }`, until it enrols
   * again under the same id (connection.ts `rejoinOrganisation`) or a sync succeeds. */
  unrecognised: 'sync.unrecognised',
  /** The horizon this device adopted and prunes its row states at (an HLC, decision 0027,
   * src/device/horizon.ts): written with the checkpoint that reached it, never moved back. */
  horizon: 'horizon',
  /** The horizon the background pass last pruned every held row at (src/device/horizon.ts). */
  prunedPass: 'horizon:pass',
} as const;

/** The writer's meta (`META.writer`): what the write path reads before it issues sequences. */
export interface WriterMeta {
  /** The device's hybrid logical clock (a clock of another device id, after a wipe, is ignored). */
  clock?: HlcClock;
  /** Last device sequence issued (outbox records are deleted once acked, the counter is not). */
  lastSeq?: number;
  /** The highest seq the sync client may have sent to a server: ops above it may still be
   * folded into a later value of their field (src/sync/coalesce.ts). Never lowered. */
  offered?: number;
  /** The last signature or addendum written: no value is folded across it. */
  foldBarrier?: number;
}

/** The writer's meta as stored (empty on a device that never wrote nor received a clock). */
export function getWriter(db: EscaleDb): Promise<WriterMeta> {
  // Dexie's own promise (no async wrapper): it keeps the caller's transaction zone.
  return db.meta.get(META.writer).then((rec) => (rec?.value as WriterMeta | undefined) ?? {});
}

/** The writer's meta with `change` applied (the other fields kept); in the caller's transaction. */
export function updateWriter(db: EscaleDb, change: WriterMeta): Promise<unknown> {
  return getWriter(db).then((w) => db.meta.put({ key: META.writer, value: { ...w, ...change } }));
}

export async function getMeta<T>(db: EscaleDb, key: string): Promise<T | undefined> {
  const rec = await db.meta.get(key);
  return rec?.value as T | undefined;
}

export async function setMeta(db: EscaleDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}
