// Accounts on the server (docs/decisions/0002-device-authentication.md): enrolment codes, device
// credentials and staff passwords, kept in the store's meta table so SQLite and PostgreSQL hold
// them alike. Only hashes are stored: SHA-256 of a device's 256-bit random secret (a random secret
// needs no slow hash), scrypt of a person's password.
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Audience } from '../domain/access';
import type { PartnerService } from '../domain/entities';
import {
  endSessions,
  mergeSession,
  newSessionSpan,
  type PersonSession,
  renewed,
} from '../domain/sessions';
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
  /** When `POST /api/devices/assignment` last moved it (absent: never moved): devices keep the
   * latest move they are told of (docs/protocol.md, `assigned`). */
  assignedAt?: number;
  /** 32 random bytes (base64) handed to a person who signs in on this device with a password:
   * it unwraps the device's data key (encryption at rest), so a new person can get a PIN. */
  escrow: string;
  /** A partner component's services: the only task queues it may fetch and answer. */
  services?: PartnerService[];
}

export interface EnrolmentCode {
  org: string;
  profile: Audience;
  roomId: string | null;
  name: string;
  expiresAt: number;
  createdBy: string | null;
  /** For a partner component: the services it is enrolled for. */
  services?: PartnerService[];
}

export interface StaffPassword {
  staffId: string;
  /** `scrypt$N$r$p$salt$hash`, base64 parts. */
  hash: string;
}

const credKey = (deviceId: string) => `cred:${deviceId}`;
const codeKey = (code: string) => `enrol:${sha256(code)}`;
const passwordPrefix = (org: string) => `pwd:${org}:`;

// Person sessions (docs/decisions/0006-person-sessions.md), one entry per session; on a relay a
// second entry marks a session changed here that central has not had yet.
const sessionPrefix = (org: string, deviceId?: string) =>
  `session:${org}:${deviceId === undefined ? '' : `${deviceId}:`}`;
const sessionKey = (s: PersonSession) => `${sessionPrefix(s.org, s.deviceId)}${s.id}`;
const handOverPrefix = (org: string) => `session-out:${org}:`;

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
      ...(spec.services ? { services: spec.services } : {}),
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
    const after: DeviceCredential = {
      ...before,
      profile: to.profile,
      roomId: to.roomId,
      assignedAt: Math.max(this.now(), (before.assignedAt ?? before.enrolledAt) + 1),
    };
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

  // ---- person sessions ----

  /** Every session recorded for people on this device (open, lapsed or ended). */
  async sessionsOf(org: string, deviceId: string): Promise<PersonSession[]> {
    return (await this.store.metaWithPrefix(sessionPrefix(org, deviceId))).map(
      (m) => JSON.parse(m.value) as PersonSession,
    );
  }

  /** Every session of an organisation (what central gives its relays). */
  async sessions(org: string): Promise<PersonSession[]> {
    return (await this.store.metaWithPrefix(sessionPrefix(org))).map(
      (m) => JSON.parse(m.value) as PersonSession,
    );
  }

  /**
   * Records a session change made here. `handOver`: this server is a relay, so central must
   * have it before the device's ops it covers (Relay hands it over at its next pass).
   */
  private async save(s: PersonSession, handOver: boolean): Promise<void> {
    await this.store.setMeta(sessionKey(s), JSON.stringify(s));
    if (handOver) await this.store.setMeta(`${handOverPrefix(s.org)}${s.id}`, JSON.stringify(s));
  }

  /** A password sign-in of `staffId` on this device: a new session (newSessionSpan). */
  async openSession(
    device: Pick<DeviceCredential, 'org' | 'deviceId' | 'enrolledAt'>,
    staffId: string,
    handOver: boolean,
  ): Promise<PersonSession> {
    const previous = (await this.sessionsOf(device.org, device.deviceId)).filter(
      (s) => s.staffId === staffId,
    );
    const now = this.now();
    const session: PersonSession = {
      id: randomBytes(16).toString('hex'),
      org: device.org,
      deviceId: device.deviceId,
      staffId,
      ...newSessionSpan(previous, device.enrolledAt, now),
    };
    await this.save(session, handOver);
    return session;
  }

  /** Sign-out or forgetting of a person on this device: their open sessions end now. */
  async endSession(
    org: string,
    deviceId: string,
    staffId: string,
    handOver: boolean,
  ): Promise<number> {
    const open = (await this.sessionsOf(org, deviceId)).filter((s) => s.staffId === staffId);
    const ended = endSessions(open, this.now());
    for (const s of ended) await this.save(s, handOver);
    return ended.length;
  }

  /** The people at work in an accepted push keep their open sessions on this device alive. */
  async renewSessions(
    org: string,
    deviceId: string,
    staffIds: ReadonlySet<string>,
    handOver: boolean,
  ): Promise<void> {
    if (staffIds.size === 0) return;
    for (const s of await this.sessionsOf(org, deviceId)) {
      if (!staffIds.has(s.staffId)) continue;
      const next = renewed(s, this.now());
      if (next) await this.save(next, handOver);
    }
  }

  /** Sessions recorded elsewhere (a relay's, or central's on a relay), merged into ours. */
  async importSessions(org: string, sessions: readonly PersonSession[]): Promise<void> {
    for (const s of sessions) {
      if (s.org !== org) continue;
      const raw = await this.store.getMeta(sessionKey(s));
      const merged = raw ? mergeSession(JSON.parse(raw) as PersonSession, s) : s;
      if (raw !== JSON.stringify(merged))
        await this.store.setMeta(sessionKey(s), JSON.stringify(merged));
    }
  }

  /** On a relay: sessions changed here that central has not acknowledged yet. */
  async sessionsToHandOver(org: string): Promise<{ key: string; value: string }[]> {
    return this.store.metaWithPrefix(handOverPrefix(org));
  }

  /** On a relay: central holds these; forget the marks unless they changed meanwhile. */
  async handedOver(marks: readonly { key: string; value: string }[]): Promise<void> {
    for (const m of marks) {
      if ((await this.store.getMeta(m.key)) === m.value) await this.store.deleteMeta(m.key);
    }
  }
}
