// Encryption at rest of the clinical records in IndexedDB (decision 0003, docs/design.md §6).
// A Dexie DBCore middleware seals, on their way to IndexedDB, the records of the clinical tables
// (and the merge states, outbox ops and parked ops of clinical entities): every property but the
// primary key and the indexed ones is replaced by `_enc`, the base64 of nonce‖AES-256-GCM
// ciphertext of their JSON. Reads open them again. The cipher is synchronous (@noble/ciphers):
// WebCrypto's promises would let the write path's and applyRemote's transactions auto-commit.
// Records without `_enc` (written before encryption) pass through, until sealExisting.
import type {
  DBCore,
  DBCoreCursor,
  DBCoreMutateRequest,
  DBCoreTable,
  Dexie,
  Middleware,
} from 'dexie';
import { gcm } from './cipher';
import { base64ToBytes, bytesToBase64, currentDataKey, dataKeyState } from './data-key';
import {
  STORES_V1,
  STORES_V2,
  STORES_V3,
  STORES_V4,
  STORES_V5,
  STORES_V6,
  STORES_V7,
  STORES_V9,
  STORES_V10,
  STORES_V11,
  STORES_V13,
} from './db';

export class DataLockedError extends Error {
  constructor() {
    super(
      'Les données cliniques de cet appareil sont verrouillées : déverrouillez avec votre code PIN.',
    );
    this.name = 'DataLockedError';
  }
}

/** A sealed record that the key in memory does not open: another key, or altered on disk. */
export class DataUnreadableError extends Error {
  constructor(table: string, cause?: unknown) {
    super(
      `Données cliniques illisibles (${table}) : elles ont été chiffrées avec une autre clé ou ont été altérées.`,
      { cause },
    );
    this.name = 'DataUnreadableError';
  }
}

// ---- what is encrypted ----

/** Entities whose rows, merge states and ops are encrypted. */
export const ENCRYPTED_ENTITIES = [
  'consultation',
  'vitals',
  'signature',
  'addendum',
  'conflictResolution',
  // The clinical summary (schema 5): sealed like the notes; only the patient index stays clear.
  'problem',
  'treatment',
  'allergy',
  'vaccination',
  // Which documents a patient was given (schema 6): sealed like the note they come from.
  'printedDocument',
  // Orientations (schema 6): whom a patient was sent to is clinical.
  'orientation',
  // Schema 6 (src/domain/reading.ts): what is written for the social roles, the bris de glace
  // with its reason, the patient's objection to sharing.
  'transmission',
  'breakGlass',
  'sharingObjection',
  // Schema 8: what central's partners did for a note or an identity (an e-prescription issued).
  'partnerTask',
  // The audit log (issue #21 item 4): who opened which note, when, is itself health data. Its
  // id and time stay clear (the table's indexes): the purge finds what is past the retention
  // without opening a record.
  'audit',
] as const;

const CLINICAL = new Set<string>(ENCRYPTED_ENTITIES);

/** The current store string of each table: later versions replace a table's string. */
const CURRENT_STORES: Readonly<Record<string, string>> = {
  ...STORES_V1,
  ...STORES_V2,
  ...STORES_V3,
  ...STORES_V4,
  ...STORES_V5,
  ...STORES_V6,
  ...STORES_V7,
  ...STORES_V11,
  ...STORES_V10,
  ...STORES_V9,
  ...STORES_V13,
};

/** Top-level properties of the primary key and indexes of a Dexie store string, e.g.
 * `'[e+id], e'` → `['e', 'id']`, `'++id, &code, *tags'` → `['id', 'code', 'tags']`. */
export function indexedProperties(stores: string): string[] {
  const out = new Set<string>();
  for (const part of stores.split(',')) {
    const spec = part.trim().replace(/^(\+\+|&|\*)/, '');
    if (!spec) continue;
    const paths = spec.startsWith('[') ? spec.slice(1, -1).split('+') : [spec];
    for (const path of paths) {
      const top = path.trim().split('.')[0];
      if (top) out.add(top);
    }
  }
  return [...out];
}

export interface EncryptedTable {
  /** Properties kept in clear: the primary key and indexes (from db.ts), plus `extra`. */
  keep: readonly string[];
  /** Where the record names its entity (`null`: every record of the table is clinical). */
  entityPath: null | 'e' | 'op.e';
}

function encrypted(
  table: string,
  entityPath: EncryptedTable['entityPath'],
  extra: string[] = [],
): EncryptedTable {
  const stores = CURRENT_STORES[table];
  if (stores === undefined) throw new Error(`Table inconnue : ${table}`);
  return { keep: [...new Set([...indexedProperties(stores), ...extra])], entityPath };
}

/**
 * The encrypted tables and the properties each keeps in clear, derived from db.ts's store
 * strings so that a new index cannot be forgotten. The outbox also keeps `e`, so a reader can
 * tell a clinical op without opening it, and `first`, so the sequences an action's record holds
 * are known without it (outbox.ts).
 */
export const ENCRYPTED_TABLES: Readonly<Record<string, EncryptedTable>> = {
  ...Object.fromEntries(ENCRYPTED_ENTITIES.map((e) => [e, encrypted(e, null)])),
  states: encrypted('states', 'e'),
  outbox: encrypted('outbox', 'e', ['e', 'first']),
  sent: encrypted('sent', 'e', ['e']),
  parked: encrypted('parked', 'op.e'),
};

export type Rec = Record<string, unknown>;

export const isRecord = (x: unknown): x is Rec =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** Whether a record of `spec`'s table must be encrypted. */
export function isClinical(spec: EncryptedTable, value: Rec): boolean {
  if (spec.entityPath === null) return true;
  const e = spec.entityPath === 'e' ? value.e : isRecord(value.op) ? value.op.e : undefined;
  return typeof e === 'string' && CLINICAL.has(e);
}

// ---- seal / open ----

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NONCE_BYTES = 12;

/** Additional data binding a sealed record to its table and primary key: a sealed blob moved
 * to another record does not open. */
export function recordAad(table: string, primaryKey: unknown): Uint8Array {
  return encoder.encode(`escale/enc/v1\u0000${table}\u0000${JSON.stringify(primaryKey ?? null)}`);
}

/** Whether a stored record is sealed (has `_enc`). */
export function isSealed(value: unknown): boolean {
  return isRecord(value) && typeof value._enc === 'string';
}

/**
 * Keeps the `keep` properties of a JSON-able record and replaces the others by `_enc`
 * (base64 of a fresh 12-byte nonce ‖ AES-256-GCM ciphertext and tag of their JSON).
 */
export function sealRecord(
  record: Rec,
  keep: readonly string[],
  key: Uint8Array,
  aad?: Uint8Array,
) {
  const kept: [string, unknown][] = [];
  const hidden: [string, unknown][] = [];
  for (const [k, v] of Object.entries(record)) (keep.includes(k) ? kept : hidden).push([k, v]);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const plain = encoder.encode(JSON.stringify(Object.fromEntries(hidden)));
  const sealed = gcm(key, nonce, aad).encrypt(plain);
  const blob = new Uint8Array(NONCE_BYTES + sealed.length);
  blob.set(nonce);
  blob.set(sealed, NONCE_BYTES);
  return Object.fromEntries([...kept, ['_enc', bytesToBase64(blob)]]) as Rec;
}

/** The record sealRecord sealed (kept properties first). Throws when the key or additional data
 * do not match (no garbage is ever returned). */
export function openRecord(stored: Rec, key: Uint8Array, aad?: Uint8Array): Rec {
  const { _enc, ...kept } = stored;
  if (typeof _enc !== 'string') return stored;
  const blob = base64ToBytes(_enc);
  if (blob.length < NONCE_BYTES + 16) throw new Error('chiffré tronqué');
  const plain = gcm(key, blob.subarray(0, NONCE_BYTES), aad).decrypt(blob.subarray(NONCE_BYTES));
  const hidden = JSON.parse(decoder.decode(plain)) as unknown;
  if (!isRecord(hidden)) throw new Error('contenu chiffré inattendu');
  return Object.fromEntries([...Object.entries(kept), ...Object.entries(hidden)]) as Rec;
}

// ---- the middleware ----

/** Transactions whose reads and writes bypass the middleware (sealExisting reads raw records). */
const rawTransactions = new WeakSet<object>();

/** Lets a transaction read and write records as stored (sealExisting). */
export function markRawTransaction(idbtrans: object): void {
  rawTransactions.add(idbtrans);
}

export interface EncryptionOptions {
  /** The key in memory (default: the key ring of data-key.ts). */
  key?: () => Uint8Array | null;
  /** Whether clinical records may be written in clear when no key is in memory (default: when
   * the device has no data key yet, see declareNoDataKey). */
  plaintextWhenNoKey?: () => boolean;
}

function encryptedTable(
  table: DBCoreTable,
  spec: EncryptedTable,
  key: () => Uint8Array | null,
  plaintextWhenNoKey: () => boolean,
): DBCoreTable {
  const { name } = table;
  const pkOf = table.schema.primaryKey.extractKey;
  const keepSet = new Set(spec.keep);
  const aad = (value: Rec, fallbackKey?: unknown) =>
    recordAad(name, pkOf ? pkOf(value) : fallbackKey);

  /** Already sealed: `_enc` and nothing but kept properties. */
  const alreadySealed = (value: Rec) =>
    typeof value._enc === 'string' &&
    Object.keys(value).every((k) => k === '_enc' || keepSet.has(k));

  const seal = (value: unknown, outboundKey?: unknown): unknown => {
    if (!isRecord(value) || alreadySealed(value) || !isClinical(spec, value)) return value;
    const k = key();
    if (!k) {
      if (plaintextWhenNoKey()) return value;
      throw new DataLockedError();
    }
    return sealRecord(value, spec.keep, k, aad(value, outboundKey));
  };

  const open = (value: unknown, outboundKey?: unknown): unknown => {
    if (!isRecord(value) || typeof value._enc !== 'string') return value;
    const k = key();
    if (!k) throw new DataLockedError();
    try {
      return openRecord(value, k, aad(value, outboundKey));
    } catch (error) {
      throw new DataUnreadableError(name, error);
    }
  };

  const openCursor = (cursor: DBCoreCursor): DBCoreCursor => {
    let lastRaw: unknown;
    let lastOpened: unknown;
    // Dexie's cursor methods are closures over the real cursor: inheriting them is safe (its own
    // virtual-index middleware wraps cursors the same way). Its key and primary key are the
    // browser's IDBCursor getters, which refuse any receiver but the cursor itself (« Illegal
    // invocation » in Chromium, on the multi-key cursors of anyOf and notEqual): read them there.
    return Object.create(cursor, {
      key: { get: () => cursor.key },
      primaryKey: { get: () => cursor.primaryKey },
      value: {
        get() {
          const raw = cursor.value;
          if (raw !== lastRaw || lastRaw === undefined) {
            lastOpened = open(raw, cursor.primaryKey);
            lastRaw = raw;
          }
          return lastOpened;
        },
      },
    }) as DBCoreCursor;
  };

  return {
    ...table,
    mutate(req: DBCoreMutateRequest) {
      if (rawTransactions.has(req.trans) || (req.type !== 'add' && req.type !== 'put')) {
        return table.mutate(req);
      }
      let values: unknown[];
      try {
        values = req.values.map((v, i) => seal(v, req.keys?.[i]));
      } catch (error) {
        return Promise.reject(error);
      }
      if (values.every((v, i) => v === req.values[i])) return table.mutate(req);
      if (req.type === 'add') return table.mutate({ ...req, values });
      // changeSpec/updates repeat plaintext values for sync add-ons: never sent further down.
      const { changeSpec: _changeSpec, updates: _updates, ...rest } = req;
      return table.mutate({ ...rest, values });
    },
    get(req) {
      if (rawTransactions.has(req.trans)) return table.get(req);
      return table.get(req).then((v) => open(v, req.key));
    },
    getMany(req) {
      if (rawTransactions.has(req.trans)) return table.getMany(req);
      return table.getMany(req).then((vs) => vs.map((v, i) => open(v, req.keys[i])));
    },
    query(req) {
      if (rawTransactions.has(req.trans) || !req.values) return table.query(req);
      return table.query(req).then((res) => ({ ...res, result: res.result.map((v) => open(v)) }));
    },
    openCursor(req) {
      if (rawTransactions.has(req.trans)) return table.openCursor(req);
      return table.openCursor(req).then((cursor) => cursor && openCursor(cursor));
    },
  };
}

/**
 * The Dexie DBCore middleware sealing the clinical records. Level 1.5: above Dexie's own
 * observability and cache layers (they see sealed records, whose keys and indexes are in clear),
 * below its hooks (which see clear records).
 */
export function encryptionMiddleware(options: EncryptionOptions = {}): Middleware<DBCore> {
  const key = options.key ?? currentDataKey;
  const plaintextWhenNoKey = options.plaintextWhenNoKey ?? (() => dataKeyState() === 'none');
  return {
    stack: 'dbcore',
    name: 'escale-encryption',
    level: 1.5,
    create(down: DBCore): Partial<DBCore> {
      return {
        ...down,
        table(name: string) {
          const table = down.table(name);
          const spec = ENCRYPTED_TABLES[name];
          return spec ? encryptedTable(table, spec, key, plaintextWhenNoKey) : table;
        },
      };
    },
  };
}

const sealedDatabases = new WeakSet<Dexie>();

/** Installs the middleware on a database not opened yet (call it right after `new EscaleDb`). */
export function enableEncryption(db: Dexie, options?: EncryptionOptions): void {
  if (db.isOpen()) {
    throw new Error('Le chiffrement doit être activé avant l’ouverture de la base locale.');
  }
  db.use(encryptionMiddleware(options));
  sealedDatabases.add(db);
}

/** Whether this database seals its clinical tables (its sync waits for an unlock). */
export function isEncrypted(db: Dexie): boolean {
  return sealedDatabases.has(db);
}

/**
 * Whether ops waiting in the outbox are sealed (a clinical record, or an audit record, written
 * with the key): a device cannot send them while its data is locked. Reads the records as
 * stored, opening none.
 */
export async function sealedOpsPending(db: Dexie): Promise<boolean> {
  return db.transaction('r', 'outbox', async (tx) => {
    markRawTransaction(tx.idbtrans);
    let sealed = false;
    await db.table('outbox').each((op: unknown) => {
      if (isSealed(op)) sealed = true;
    });
    return sealed;
  });
}
