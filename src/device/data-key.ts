// The device's data key (decision 0003): 32 random bytes that encrypt the clinical records at
// rest (src/device/encryption.ts). The key lives only in this page's memory (the key ring
// below); on disk it exists only wrapped, once per person's PIN and once per server escrow
// secret, in the `meta` table. Derivation and wrapping use WebCrypto, which is asynchronous:
// they run outside IndexedDB transactions, before the key is put in the ring.
import { type EscaleDb, getMeta } from './db';
import { PIN_ITERATIONS } from './pin';

/** Length of the data key and of a raw escrow secret, in bytes (AES-256). */
export const DATA_KEY_BYTES = 32;

/** Domain separation: a KEK derived here never equals a stored PIN hash (pin.ts), even if the
 * caller passes the PIN hash's salt and iteration count. */
const KDF_LABEL = 'escale/data-key/v1';

const encoder = new TextEncoder();

// ---- base64 (shared with encryption.ts) ----

/** Standard base64 of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Bytes of a standard base64 string; throws on malformed input. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's typings want. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

// ---- the key ring (this page's memory only) ----

/** `open`: a key is in memory; `locked`: data is encrypted but no key is in memory; `none`: no
 * data key exists on this device yet (nobody set a PIN), clinical data is written in clear. */
export type DataKeyState = 'open' | 'locked' | 'none';

let ring: Uint8Array | null = null;
let noKeyYet = false;
const listeners = new Set<(state: DataKeyState) => void>();

function changed(): void {
  const state = dataKeyState();
  for (const l of listeners) l(state);
}

/** Puts the data key in memory (a copy), or forgets it (`null`: the old copy is zeroed and the
 * state becomes `locked`). */
export function setDataKey(key: Uint8Array | null): void {
  if (key !== null && key.length !== DATA_KEY_BYTES) {
    throw new Error(`Clé de données invalide : ${DATA_KEY_BYTES} octets attendus.`);
  }
  ring?.fill(0);
  ring = key === null ? null : new Uint8Array(key);
  // A key was made or forgotten: either way the device has one from now on.
  noKeyYet = false;
  changed();
}

export function hasDataKey(): boolean {
  return ring !== null;
}

/** The key in memory (do not modify it), or null when locked. */
export function currentDataKey(): Uint8Array | null {
  return ring;
}

export function dataKeyState(): DataKeyState {
  if (ring) return 'open';
  return noKeyYet ? 'none' : 'locked';
}

/**
 * Declares that no data key exists on this device yet: until one is put in the ring, the
 * encryption middleware writes clinical records in clear instead of refusing them (they are
 * sealed by sealExisting once a key exists). Called by initDataKey; never needed otherwise.
 */
export function declareNoDataKey(): void {
  if (ring) return;
  noKeyYet = true;
  changed();
}

/** Listen to changes of the key ring (unlock, lock, first key). Returns the unsubscribe. */
export function onDataKeyChange(listener: (state: DataKeyState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A fresh random data key. */
export function generateDataKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES));
}

// ---- wrapping (WebCrypto, outside transactions) ----

export interface PinSecret {
  pin: string;
  /** PBKDF2 salt: random 16 bytes by default when wrapping; read from the wrapped key when
   * unwrapping unless given. */
  salt?: Uint8Array;
  /** PBKDF2-SHA-256 iterations (default PIN_ITERATIONS when wrapping; read from the wrapped key
   * when unwrapping unless given). */
  iterations?: number;
}

/** The server's per-device escrow secret (32 bytes), given at a person's online login. */
export interface RawSecret {
  raw: Uint8Array;
}

export type DataKeySecret = PinSecret | RawSecret;

/** The escrow secret as the server's login answer carries it (base64 of 32 bytes). */
export function escrowSecret(base64: string): RawSecret {
  return { raw: base64ToBytes(base64) };
}

/** A data key encrypted under a key derived from a PIN or a raw secret; safe to store. */
export type WrappedDataKey =
  | {
      v: 1;
      kdf: 'pbkdf2-sha256';
      salt: string;
      iterations: number;
      /** AES-GCM nonce (base64). */
      iv: string;
      /** AES-GCM ciphertext and tag of the data key (base64). */
      data: string;
    }
  | { v: 1; kdf: 'hkdf-sha256'; salt: string; iv: string; data: string };

function labelled(salt: Uint8Array): Uint8Array<ArrayBuffer> {
  const label = encoder.encode(KDF_LABEL);
  const out = new Uint8Array(label.length + salt.length);
  out.set(label);
  out.set(salt, label.length);
  return out;
}

async function keyFromPin(pin: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error('Nombre d’itérations PBKDF2 invalide.');
  }
  const material = await crypto.subtle.importKey('raw', own(encoder.encode(pin)), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: labelled(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function keyFromRaw(raw: Uint8Array, salt: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== DATA_KEY_BYTES) {
    throw new Error(`Secret de séquestre invalide : ${DATA_KEY_BYTES} octets attendus.`);
  }
  const material = await crypto.subtle.importKey('raw', own(raw), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: own(salt), info: encoder.encode(KDF_LABEL) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const aadOf = (kdf: WrappedDataKey['kdf']) => encoder.encode(`${KDF_LABEL}/${kdf}`);

/** Encrypts the data key under a key derived from a PIN (PBKDF2) or a raw secret (HKDF). */
export async function wrapDataKey(
  dataKey: Uint8Array,
  secret: DataKeySecret,
): Promise<WrappedDataKey> {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new Error(`Clé de données invalide : ${DATA_KEY_BYTES} octets attendus.`);
  }
  const iv = crypto.getRandomValues(new Uint8Array(12));
  if ('raw' in secret) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const kek = await keyFromRaw(secret.raw, salt);
    const data = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aadOf('hkdf-sha256') },
      kek,
      own(dataKey),
    );
    return {
      v: 1,
      kdf: 'hkdf-sha256',
      salt: bytesToBase64(salt),
      iv: bytesToBase64(iv),
      data: bytesToBase64(new Uint8Array(data)),
    };
  }
  const salt = secret.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const iterations = secret.iterations ?? PIN_ITERATIONS;
  const kek = await keyFromPin(secret.pin, salt, iterations);
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aadOf('pbkdf2-sha256') },
    kek,
    own(dataKey),
  );
  return {
    v: 1,
    kdf: 'pbkdf2-sha256',
    salt: bytesToBase64(salt),
    iterations,
    iv: bytesToBase64(iv),
    data: bytesToBase64(new Uint8Array(data)),
  };
}

/**
 * Decrypts a wrapped data key. Returns null when the PIN or secret is wrong (the AES-GCM tag does
 * not match), or when the secret is not of the kind the key was wrapped with.
 */
export async function unwrapDataKey(
  wrapped: WrappedDataKey,
  secret: DataKeySecret,
): Promise<Uint8Array | null> {
  let kek: CryptoKey;
  if ('raw' in secret) {
    if (wrapped.kdf !== 'hkdf-sha256') return null;
    kek = await keyFromRaw(secret.raw, base64ToBytes(wrapped.salt));
  } else {
    if (wrapped.kdf !== 'pbkdf2-sha256') return null;
    kek = await keyFromPin(
      secret.pin,
      secret.salt ?? base64ToBytes(wrapped.salt),
      secret.iterations ?? wrapped.iterations,
    );
  }
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: base64ToBytes(wrapped.iv), additionalData: aadOf(wrapped.kdf) },
        kek,
        base64ToBytes(wrapped.data),
      ),
    );
    return plain.length === DATA_KEY_BYTES ? plain : null;
  } catch {
    return null;
  }
}

// ---- the wrapped keys of this device (meta) ----

/** Meta key holding the wrapped copies of the data key, by slot. */
export const DATA_KEYS_META = 'dataKeys';

/** Slot names: one per person's PIN, one for the server's escrow secret. */
export const dataKeySlots = {
  pin: (staffId: string) => `pin:${staffId}`,
  escrow: 'escrow',
} as const;

type Slots = Record<string, WrappedDataKey>;

async function slots(db: EscaleDb): Promise<Slots> {
  return (await getMeta<Slots>(db, DATA_KEYS_META)) ?? {};
}

/**
 * At start-up, after opening the database: when no wrapped data key is stored, the device has
 * no data key yet (declareNoDataKey); otherwise clinical data stays locked until openDataKey.
 */
export async function initDataKey(db: EscaleDb): Promise<DataKeyState> {
  if (!hasDataKey() && Object.keys(await slots(db)).length === 0) declareNoDataKey();
  return dataKeyState();
}

/** `opened`: the key is in memory; `created`: this device had none, a new one was made (seal the
 * existing data next); `locked`: this secret opens no stored key and none is in memory. */
export type OpenDataKeyResult = 'opened' | 'created' | 'locked';

/**
 * Puts the device's data key in memory with the secret of `slot` (a person's PIN that pin.ts has
 * just accepted, or the escrow secret):
 * - the slot's wrapped key opens with the secret: it is used;
 * - otherwise, when a key is already in memory (another person unlocked this page, or the PIN
 *   was just changed), it is wrapped for this slot, so the secret opens it from now on;
 * - otherwise, when the device has no wrapped key at all, a new data key is made and wrapped;
 * - otherwise the data stays locked.
 * Two tabs making the first key at once agree on one (the meta write is checked in a transaction).
 */
export async function openDataKey(
  db: EscaleDb,
  slot: string,
  secret: DataKeySecret,
): Promise<OpenDataKeyResult> {
  const stored = await slots(db);
  const mine = stored[slot];
  if (mine) {
    const key = await unwrapDataKey(mine, secret);
    if (key) {
      setDataKey(key);
      key.fill(0);
      return 'opened';
    }
  }
  const inMemory = currentDataKey();
  if (inMemory) {
    const wrapped = await wrapDataKey(inMemory, secret);
    await db.transaction('rw', db.meta, async () => {
      await db.meta.put({ key: DATA_KEYS_META, value: { ...(await slots(db)), [slot]: wrapped } });
    });
    return 'opened';
  }
  if (Object.keys(stored).length > 0) return 'locked';
  const fresh = generateDataKey();
  const wrapped = await wrapDataKey(fresh, secret);
  const won = await db.transaction('rw', db.meta, async () => {
    const now = await slots(db);
    if (Object.keys(now).length > 0) return false;
    await db.meta.put({ key: DATA_KEYS_META, value: { [slot]: wrapped } });
    return true;
  });
  if (!won) {
    fresh.fill(0);
    return openDataKey(db, slot, secret); // another tab made the key first: use theirs
  }
  setDataKey(fresh);
  fresh.fill(0);
  return 'created';
}

/** Removes a slot (e.g. a person's PIN removed from this device). */
export async function forgetDataKeySlot(db: EscaleDb, slot: string): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const { [slot]: _gone, ...rest } = await slots(db);
    await db.meta.put({ key: DATA_KEYS_META, value: rest });
  });
}
