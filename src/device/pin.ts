// PINs on the device (docs/design.md §6): each person's PIN is kept only as a slow salted hash
// (PBKDF2-SHA-256 through WebCrypto) in the device database, checked offline. Failures are
// counted in the database too, so reloading the page does not reset a lockout.
import { FREE_ATTEMPTS, lockoutMs } from '../domain/lock';
import { type EscaleDb, getMeta, setMeta } from './db';

/** Tuned so one check takes a noticeable fraction of a second on a tablet. */
export const PIN_ITERATIONS = 210_000;

const PINS = 'pins';
const FAILURES = 'pinFailures';

interface StoredPin {
  salt: string;
  hash: string;
  iterations: number;
}

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text: string) =>
  Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

export async function hashPin(
  pin: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<string> {
  const data = new TextEncoder().encode(pin) as Uint8Array<ArrayBuffer>;
  const key = await crypto.subtle.importKey('raw', data, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  );
  return hex(bits);
}

async function pins(db: EscaleDb): Promise<Record<string, StoredPin>> {
  return (await getMeta<Record<string, StoredPin>>(db, PINS)) ?? {};
}

/** Staff ids with a PIN on this device. */
export async function staffWithPin(db: EscaleDb): Promise<string[]> {
  return Object.keys(await pins(db));
}

export async function setPin(
  db: EscaleDb,
  staffId: string,
  pin: string,
  iterations = PIN_ITERATIONS,
): Promise<void> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await hashPin(pin, salt, iterations);
  await db.transaction('rw', db.meta, async () => {
    await setMeta(db, PINS, {
      ...(await pins(db)),
      [staffId]: { salt: hex(salt), hash, iterations },
    });
  });
}

export interface Failures {
  count: number;
  /** Epoch ms until which PINs are refused (0: none). */
  until: number;
}

export async function failures(db: EscaleDb): Promise<Failures> {
  return (await getMeta<Failures>(db, FAILURES)) ?? { count: 0, until: 0 };
}

export type UnlockResult =
  | { ok: true }
  | { ok: false; reason: 'locked_out'; until: number }
  | { ok: false; reason: 'wrong'; remaining: number; until: number }
  | { ok: false; reason: 'no_pin' };

/** Checks a PIN, counting failures across people (one thief, many names) and reloads. */
export async function unlock(
  db: EscaleDb,
  staffId: string,
  pin: string,
  now = Date.now(),
): Promise<UnlockResult> {
  const current = await failures(db);
  if (current.until > now) return { ok: false, reason: 'locked_out', until: current.until };
  const stored = (await pins(db))[staffId];
  if (!stored) return { ok: false, reason: 'no_pin' };
  const hash = await hashPin(pin, unhex(stored.salt), stored.iterations);
  if (hash === stored.hash) {
    await setMeta(db, FAILURES, { count: 0, until: 0 });
    return { ok: true };
  }
  const count = current.count + 1;
  const wait = lockoutMs(count);
  const until = wait > 0 ? now + wait : 0;
  await setMeta(db, FAILURES, { count, until });
  return { ok: false, reason: 'wrong', remaining: Math.max(0, FREE_ATTEMPTS - count), until };
}
