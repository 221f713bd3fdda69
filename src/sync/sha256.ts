// SHA-256 and HMAC-SHA-256 from @noble/hashes (audited, synchronous): the state digest must be
// computed the same way in the browser (where WebCrypto is async only) and on the server.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();
const bytes = (input: string | Uint8Array) =>
  typeof input === 'string' ? encoder.encode(input) : input;

/** Incremental hasher: feed strings (UTF-8) or bytes, then read the hex digest once. */
export class Sha256 {
  private readonly hash = sha256.create();
  private result: string | null = null;

  update(input: string | Uint8Array): this {
    if (this.result !== null) throw new Error('SHA-256 : empreinte déjà calculée');
    this.hash.update(bytes(input));
    return this;
  }

  hex(): string {
    this.result ??= bytesToHex(this.hash.digest());
    return this.result;
  }
}

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(input: string | Uint8Array): string {
  return bytesToHex(sha256(bytes(input)));
}

/** Hex HMAC-SHA-256 of a message under a key (both UTF-8 strings or bytes). */
export function hmacSha256Hex(key: string | Uint8Array, message: string | Uint8Array): string {
  return bytesToHex(hmac(sha256, bytes(key), bytes(message)));
}
