// The device's data key (decision 0003): 32 random bytes that encrypt the clinical records at
// rest (src/device/encryption.ts). The key lives only in this page's memory (the key ring
// below); on disk it exists only wrapped, once per person's PIN and once per server escrow
// secret, in the `meta` table. Derivation and wrapping use WebCrypto, which is asynchronous:
// they run outside IndexedDB transactions, before the key is put in the ring.
import { type EscaleDb, getMeta } from './db';

/** Length of the data key and of a raw escrow secret, in bytes (AES-256). */
export const DATA_KEY_BYTES = 32;

// ---- base64 (shared with encryption.ts) ----

/** Standard base64 of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  // The browser's own encoder where it has one (Chromium 140, Safari 18.2, Firefox 133): every
  // sealed record goes through here, and the string-building loop below was 3 % of a write.
  const native = (bytes as { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Bytes of a standard base64 string; throws on malformed input. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (typeof native === 'function') return native(text);
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

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

// ---- the wrapped keys of this device (meta) ----

/** Meta key holding the wrapped copies of the data key, by slot. */
export const DATA_KEYS_META = 'dataKeys';

/** Slot names: one per person's PIN, one for the server's escrow secret. */
export const dataKeySlots = {
  pin: (staffId: string) => `pin:${staffId}`,
  escrow: 'escrow',
} as const;

export type Slots = Record<string, WrappedDataKey>;

/** The wrapped copies of the data key stored on this device, by slot. */
export async function storedDataKeys(db: EscaleDb): Promise<Slots> {
  return (await getMeta<Slots>(db, DATA_KEYS_META)) ?? {};
}

/**
 * At start-up, after opening the database: when no wrapped data key is stored, the device has
 * no data key yet (declareNoDataKey); otherwise clinical data stays locked until openDataKey.
 */
export async function initDataKey(db: EscaleDb): Promise<DataKeyState> {
  if (!hasDataKey() && Object.keys(await storedDataKeys(db)).length === 0) declareNoDataKey();
  return dataKeyState();
}
