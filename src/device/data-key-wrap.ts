// Wrapping and opening the device's data key (decision 0003), at a sign-in or an unlock: WebCrypto
// (PBKDF2 from a PIN, HKDF from the server's escrow secret, AES-GCM wrapping), outside IndexedDB
// transactions. Kept apart from the key ring (data-key.ts) so it loads with the lock screens.
import { loadCipher } from './cipher';
import {
  base64ToBytes,
  bytesToBase64,
  currentDataKey,
  DATA_KEY_BYTES,
  DATA_KEYS_META,
  setDataKey,
  storedDataKeys,
  type WrappedDataKey,
} from './data-key';
import type { EscaleDb } from './db';
import { PIN_ITERATIONS } from './pin';

/** Domain separation: a KEK derived here never equals a stored PIN hash (pin.ts), even if the
 * caller passes the PIN hash's salt and iteration count. */
const KDF_LABEL = 'escale/data-key/v1';

const encoder = new TextEncoder();

/** A copy backed by a plain ArrayBuffer (what WebCrypto's typings ask for). */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

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
  await loadCipher(); // the key is of no use without it (kept out of the first bundle)
  const stored = await storedDataKeys(db);
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
      await db.meta.put({
        key: DATA_KEYS_META,
        value: { ...(await storedDataKeys(db)), [slot]: wrapped },
      });
    });
    return 'opened';
  }
  if (Object.keys(stored).length > 0) return 'locked';
  const fresh = generateDataKey();
  const wrapped = await wrapDataKey(fresh, secret);
  const won = await db.transaction('rw', db.meta, async () => {
    const now = await storedDataKeys(db);
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
    const { [slot]: _gone, ...rest } = await storedDataKeys(db);
    await db.meta.put({ key: DATA_KEYS_META, value: rest });
  });
}
