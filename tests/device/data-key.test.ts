// The device's data key (decision 0003): held in memory only, stored wrapped under a PIN or the
// server's escrow secret; a wrong secret opens nothing.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCipher } from '../../src/device/cipher';
import {
  bytesToBase64,
  currentDataKey,
  DATA_KEYS_META,
  dataKeySlots,
  dataKeyState,
  declareNoDataKey,
  hasDataKey,
  initDataKey,
  onDataKeyChange,
  setDataKey,
  type WrappedDataKey,
} from '../../src/device/data-key';
import {
  escrowSecret,
  generateDataKey,
  openDataKey,
  unwrapDataKey,
  wrapDataKey,
} from '../../src/device/data-key-wrap';
import { getMeta } from '../../src/device/db';
import { hashPin } from '../../src/device/pin';
import { openTestDb } from './support';

// The app loads the cipher in openDataKey; these tests also put keys in memory directly.
beforeAll(loadCipher);

/** Few iterations: these tests check behaviour, not the cost of PBKDF2. */
const FAST = 1_000;
const pinSecret = (pin: string) => ({ pin, iterations: FAST });

/** Leaves the ring locked (a key forgotten), whatever the previous test did. */
function lockRing(): void {
  setDataKey(null);
}

beforeEach(lockRing);

describe('wrapping the data key', () => {
  it('a PIN-wrapped key opens with that PIN only', async () => {
    const key = generateDataKey();
    const wrapped = await wrapDataKey(key, pinSecret('482915'));
    expect(wrapped).toMatchObject({ v: 1, kdf: 'pbkdf2-sha256', iterations: FAST });
    expect(JSON.stringify(wrapped)).not.toContain(bytesToBase64(key));
    expect(await unwrapDataKey(wrapped, { pin: '482915' })).toEqual(key);
    expect(await unwrapDataKey(wrapped, { pin: '482916' })).toBeNull();
    expect(await unwrapDataKey(wrapped, { pin: '' })).toBeNull();
  });

  it('honours an explicit salt and iteration count, and needs the same ones to open', async () => {
    const key = generateDataKey();
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const wrapped = await wrapDataKey(key, { pin: '1397', salt, iterations: FAST });
    expect(await unwrapDataKey(wrapped, { pin: '1397', salt, iterations: FAST })).toEqual(key);
    const otherSalt = crypto.getRandomValues(new Uint8Array(16));
    expect(await unwrapDataKey(wrapped, { pin: '1397', salt: otherSalt })).toBeNull();
    expect(await unwrapDataKey(wrapped, { pin: '1397', iterations: FAST + 1 })).toBeNull();
  });

  it('a raw escrow secret wraps and opens; another secret or a PIN does not', async () => {
    const key = generateDataKey();
    const escrow = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await wrapDataKey(key, { raw: escrow });
    expect(wrapped.kdf).toBe('hkdf-sha256');
    expect(await unwrapDataKey(wrapped, { raw: escrow })).toEqual(key);
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect(await unwrapDataKey(wrapped, { raw: other })).toBeNull();
    expect(await unwrapDataKey(wrapped, { pin: '1234' })).toBeNull();
    await expect(wrapDataKey(key, { raw: new Uint8Array(16) })).rejects.toThrow(/32 octets/);
  });

  it('takes the escrow secret in the base64 form the server sends at login', async () => {
    const key = generateDataKey();
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const fromServer = Buffer.from(bytes).toString('base64');
    expect(escrowSecret(fromServer).raw).toEqual(bytes);
    const wrapped = await wrapDataKey(key, escrowSecret(fromServer));
    expect(await unwrapDataKey(wrapped, { raw: bytes })).toEqual(key);
  });

  it('an altered wrapped key opens to nothing rather than to another key', async () => {
    const key = generateDataKey();
    const wrapped = await wrapDataKey(key, pinSecret('2580'));
    const bytes = Uint8Array.from(atob(wrapped.data), (c) => c.charCodeAt(0));
    bytes[0] = bytes[0]! ^ 1;
    const altered: WrappedDataKey = { ...wrapped, data: bytesToBase64(bytes) };
    expect(await unwrapDataKey(altered, { pin: '2580' })).toBeNull();
  });

  it('the PIN hash stored by pin.ts (same PIN, salt and iterations) does not open the key', async () => {
    const key = generateDataKey();
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const wrapped = await wrapDataKey(key, { pin: '7315', salt, iterations: FAST });
    if (wrapped.kdf !== 'pbkdf2-sha256') throw new Error('PBKDF2 attendu');
    const storedHash = await hashPin('7315', salt, FAST);
    const asKey = await crypto.subtle.importKey(
      'raw',
      Uint8Array.from(storedHash.match(/../g)!, (h) => Number.parseInt(h, 16)),
      'AES-GCM',
      false,
      ['decrypt'],
    );
    const iv = Uint8Array.from(atob(wrapped.iv), (c) => c.charCodeAt(0));
    const data = Uint8Array.from(atob(wrapped.data), (c) => c.charCodeAt(0));
    // Started one at a time: a second rejection would otherwise go unhandled while the first
    // is awaited.
    const attempts = [
      () => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, asKey, data),
      () =>
        crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv,
            additionalData: new TextEncoder().encode('escale/data-key/v1/pbkdf2-sha256'),
          },
          asKey,
          data,
        ),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow();
  });
});

describe('the key ring', () => {
  it('holds a copy of the key, forgets it on null and zeroes the forgotten copy', () => {
    const key = generateDataKey();
    const original = new Uint8Array(key);
    setDataKey(key);
    key.fill(7); // the caller's buffer is not the ring's
    expect(hasDataKey()).toBe(true);
    const held = currentDataKey()!;
    expect(held).toEqual(original);
    setDataKey(null);
    expect(hasDataKey()).toBe(false);
    expect(currentDataKey()).toBeNull();
    expect(held.every((b) => b === 0)).toBe(true);
  });

  it('refuses a key of the wrong length', () => {
    expect(() => setDataKey(new Uint8Array(16))).toThrow(/32 octets/);
    expect(hasDataKey()).toBe(false);
  });

  it('tells open, locked and none apart and announces changes', () => {
    const seen: string[] = [];
    const off = onDataKeyChange((s) => seen.push(s));
    expect(dataKeyState()).toBe('locked');
    declareNoDataKey();
    expect(dataKeyState()).toBe('none');
    setDataKey(generateDataKey());
    expect(dataKeyState()).toBe('open');
    declareNoDataKey(); // a key is in memory: nothing to declare
    expect(dataKeyState()).toBe('open');
    setDataKey(null);
    expect(dataKeyState()).toBe('locked');
    off();
    setDataKey(generateDataKey());
    expect(seen).toEqual(['none', 'open', 'locked']);
  });
});

describe('the wrapped keys of a device', () => {
  it('initDataKey: no stored key means none yet; a stored one means locked', async () => {
    const db = openTestDb();
    expect(await initDataKey(db)).toBe('none');
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'))).toBe('created');
    setDataKey(null);
    expect(await initDataKey(db)).toBe('locked');
  });

  it('the first PIN creates the key; the same PIN opens it again, a wrong one does not', async () => {
    const db = openTestDb();
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'))).toBe('created');
    const key = new Uint8Array(currentDataKey()!);
    const stored = await getMeta<Record<string, WrappedDataKey>>(db, DATA_KEYS_META);
    expect(Object.keys(stored ?? {})).toEqual(['pin:s1']);
    expect(JSON.stringify(stored)).not.toContain(bytesToBase64(key));

    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4827'))).toBe('locked');
    expect(hasDataKey()).toBe(false);
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'))).toBe('opened');
    expect(currentDataKey()).toEqual(key);
  });

  it('a second person and the escrow secret get the same key while it is in memory', async () => {
    const db = openTestDb();
    await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'));
    const key = new Uint8Array(currentDataKey()!);
    const escrow = crypto.getRandomValues(new Uint8Array(32));
    expect(await openDataKey(db, dataKeySlots.pin('s2'), pinSecret('9051'))).toBe('opened');
    expect(await openDataKey(db, dataKeySlots.escrow, { raw: escrow })).toBe('opened');

    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.pin('s2'), pinSecret('9051'))).toBe('opened');
    expect(currentDataKey()).toEqual(key);
    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.escrow, { raw: escrow })).toBe('opened');
    expect(currentDataKey()).toEqual(key);
    // Locked, a third person without a wrapped copy cannot make a new key over the data.
    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.pin('s3'), pinSecret('1357'))).toBe('locked');
    expect(hasDataKey()).toBe(false);
  });

  it('a changed PIN is wrapped anew while the key is in memory', async () => {
    const db = openTestDb();
    await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'));
    const key = new Uint8Array(currentDataKey()!);
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('7391'))).toBe('opened');
    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'))).toBe('locked');
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('7391'))).toBe('opened');
    expect(currentDataKey()).toEqual(key);
  });

  it('two first unlocks at once end with one key that the stored copy opens', async () => {
    const db = openTestDb();
    const results = await Promise.all([
      openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826')),
      openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826')),
    ]);
    expect(results).toContain('created');
    const key = new Uint8Array(currentDataKey()!);
    setDataKey(null);
    expect(await openDataKey(db, dataKeySlots.pin('s1'), pinSecret('4826'))).toBe('opened');
    expect(currentDataKey()).toEqual(key);
  });
});
