// Accounts on the server (docs/decisions/0002-device-authentication.md): enrolment codes, device
// credentials and staff passwords, kept in the store's meta table so SQLite and PostgreSQL hold
// them alike. Only hashes are stored: SHA-256 of a device's 256-bit random secret (a random secret
// needs no slow hash), scrypt of a person's password.
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Audience } from '../domain/access';
import type { SyncStore } from './store/types';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** Unambiguous to read aloud and type: no 0/O, 1/I/L. 32 symbols, 8 of them: 40 bits. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;
export const CODE_TTL_MS = 15 * 60_000;
export const MIN_PASSWORD = 8;
/** How long a credential read from the store is trusted without reading it again. */
const CACHE_MS = 10_000;
/** scrypt cost: about 0.1 s and 32 MiB per check on the server. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A device as the server knows it (never its secret). */
export interface DeviceCredential {
  deviceId: string;
  org: string;
  /** SHA-256 (hex) of the secret half of the token. */
  hash: string;
  profile: Audience;
  roomId: string | null;
  name: string;
  enrolledAt: number;
  /** 32 random bytes (base64) handed to a person who signs in on this device with a password:
   * it unwraps the device's data key (encryption at rest), so a new person can get a PIN. */
  escrow: string;
}

export interface EnrolmentCode {
  org: string;
  profile: Audience;
  roomId: string | null;
  name: string;
  expiresAt: number;
  createdBy: string | null;
}

export interface StaffPassword {
  staffId: string;
  /** `scrypt$N$r$p$salt$hash`, base64 parts. */
  hash: string;
}

const credKey = (deviceId: string) => `cred:${deviceId}`;
const codeKey = (code: string) => `enrol:${sha256(code)}`;
const passwordPrefix = (org: string) => `pwd:${org}:`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(got, expected);
}

export class Accounts {
  /** Credentials read in the last CACHE_MS (an operator may delete one: `npm run admin forget`). */
  private readonly known = new Map<string, { credential: DeviceCredential; at: number }>();

  constructor(
    private readonly store: SyncStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A single-use code the coordination reads out to a new device (valid CODE_TTL_MS). */
  async createCode(
    spec: Omit<EnrolmentCode, 'expiresAt'>,
    ttlMs = CODE_TTL_MS,
  ): Promise<{ code: string; expiresAt: number }> {
    const code = newCode();
    const expiresAt = this.now() + ttlMs;
    await this.store.setMeta(codeKey(code), JSON.stringify({ ...spec, expiresAt }));
    return { code, expiresAt };
  }

  /**
   * Exchanges a code for a credential: 'unknown_code' when the code is unknown, used or expired;
   * 'device_exists' when the id is already enrolled — an id stays bound to its first credential
   * (a second enrolment would take over the device: its sequence, its acknowledgements), and the
   * code is then left unused. Moving a device is the coordination's `reassign`.
   */
  async enrol(
    code: string,
    deviceId: string,
  ): Promise<{ credential: DeviceCredential; token: string } | 'unknown_code' | 'device_exists'> {
    const key = codeKey(code);
    const raw = await this.store.getMeta(key);
    if (!raw) return 'unknown_code';
    const spec = JSON.parse(raw) as EnrolmentCode;
    if (spec.expiresAt < this.now()) {
      await this.store.deleteMeta(key);
      return 'unknown_code';
    }
    if (await this.store.getMeta(credKey(deviceId))) return 'device_exists';
    // Deleting first makes the code single-use even with several server instances.
    if (!(await this.store.deleteMeta(key))) return 'unknown_code';
    const secret = randomBytes(32).toString('base64url');
    const credential: DeviceCredential = {
      deviceId,
      org: spec.org,
      hash: sha256(secret),
      profile: spec.profile,
      roomId: spec.roomId,
      name: spec.name,
      enrolledAt: this.now(),
      escrow: randomBytes(32).toString('base64'),
    };
    // Insert-if-absent: two enrolments racing for one id cannot both bind it.
    if (!(await this.store.claimMeta(credKey(deviceId), JSON.stringify(credential)))) {
      return 'device_exists';
    }
    this.known.set(deviceId, { credential, at: this.now() });
    return { credential, token: `${deviceId}.${secret}` };
  }

  /**
   * The coordination moves an enrolled device of its organisation to another profile or room
   * (same secret). Null when the device is unknown here or belongs to another organisation.
   */
  async reassign(
    org: string,
    deviceId: string,
    to: { profile: DeviceCredential['profile']; roomId: string | null },
  ): Promise<{ before: DeviceCredential; after: DeviceCredential } | null> {
    this.known.delete(deviceId);
    const before = await this.credential(deviceId);
    if (!before || before.org !== org) return null;
    const after: DeviceCredential = { ...before, profile: to.profile, roomId: to.roomId };
    await this.store.setMeta(credKey(deviceId), JSON.stringify(after));
    this.known.set(deviceId, { credential: after, at: this.now() });
    return { before, after };
  }

  /** The device a bearer token belongs to, or null. */
  async authenticate(token: string | undefined): Promise<DeviceCredential | null> {
    if (!token) return null;
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const deviceId = token.slice(0, dot);
    const credential = await this.credential(deviceId);
    if (!credential) return null;
    return sameHex(credential.hash, sha256(token.slice(dot + 1))) ? credential : null;
  }

  async credential(deviceId: string): Promise<DeviceCredential | null> {
    const cached = this.known.get(deviceId);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.credential;
    const raw = await this.store.getMeta(credKey(deviceId));
    if (!raw) {
      this.known.delete(deviceId);
      return null;
    }
    const credential = JSON.parse(raw) as DeviceCredential;
    this.known.set(deviceId, { credential, at: this.now() });
    return credential;
  }

  /** The credentials of an organisation's devices (for the coordination and for relays). */
  async credentials(org: string): Promise<DeviceCredential[]> {
    const all = await this.store.metaWithPrefix('cred:');
    return all
      .map((m) => JSON.parse(m.value) as DeviceCredential)
      .filter((c) => c.org === org)
      .sort((a, b) => a.enrolledAt - b.enrolledAt);
  }

  /** On a relay: takes central's credentials and password hashes of one organisation. */
  async importFromCentral(
    org: string,
    credentials: readonly DeviceCredential[],
    passwords: readonly StaffPassword[],
  ): Promise<void> {
    for (const c of credentials) {
      if (c.org !== org) continue;
      const held = await this.credential(c.deviceId);
      if (held && JSON.stringify(held) === JSON.stringify(c)) continue;
      await this.store.setMeta(credKey(c.deviceId), JSON.stringify(c));
      this.known.set(c.deviceId, { credential: c, at: this.now() });
    }
    // Forgotten at central (a lost relay box, an operator's clean-up): forgotten here too.
    const current = new Set(credentials.map((c) => c.deviceId));
    for (const held of await this.credentials(org)) {
      if (current.has(held.deviceId)) continue;
      await this.store.deleteMeta(credKey(held.deviceId));
      this.known.delete(held.deviceId);
    }
    for (const p of passwords) {
      const key = `${passwordPrefix(org)}${p.staffId}`;
      if ((await this.store.getMeta(key)) !== p.hash) await this.store.setMeta(key, p.hash);
    }
  }

  async setPassword(org: string, staffId: string, password: string): Promise<void> {
    await this.store.setMeta(`${passwordPrefix(org)}${staffId}`, await hashPassword(password));
  }

  /** 'ok', 'wrong', or 'none' when this person has no password yet. */
  async checkPassword(
    org: string,
    staffId: string,
    password: string,
  ): Promise<'ok' | 'wrong' | 'none'> {
    const stored = await this.store.getMeta(`${passwordPrefix(org)}${staffId}`);
    if (!stored) return 'none';
    return (await verifyPassword(password, stored)) ? 'ok' : 'wrong';
  }

  async passwords(org: string): Promise<StaffPassword[]> {
    const prefix = passwordPrefix(org);
    return (await this.store.metaWithPrefix(prefix)).map((m) => ({
      staffId: m.key.slice(prefix.length),
      hash: m.value,
    }));
  }
}
