// PINs on the device: a slow salted hash only, checked offline; failures counted across people
// and reloads, with a lockout after repeated failures.
import { describe, expect, it } from 'vitest';
import { getMeta } from '../../src/device/db';
import { failures, setPin, staffWithPin, unlock } from '../../src/device/pin';
import { openTestDb } from './support';

const FAST = 1000; // iterations for tests; the app uses PIN_ITERATIONS

describe('PINs on the device', () => {
  it('keeps a salted hash, never the PIN, and unlocks with the right one', async () => {
    const db = openTestDb();
    await setPin(db, 'garnier', '2580', FAST);
    await setPin(db, 'morvan', '2580', FAST);
    const stored = JSON.stringify(await getMeta(db, 'pins'));
    expect(stored).not.toContain('2580');
    const pins = (await getMeta<Record<string, { hash: string; salt: string }>>(db, 'pins'))!;
    expect(pins.garnier!.hash).not.toBe(pins.morvan!.hash); // distinct salts
    expect(await staffWithPin(db)).toEqual(['garnier', 'morvan']);
    expect(await unlock(db, 'garnier', '2580')).toEqual({ ok: true });
    expect(await unlock(db, 'benali', '2580')).toEqual({ ok: false, reason: 'no_pin' });
  });

  it('locks out after five failures, across people, and the lockout survives a reload', async () => {
    const db = openTestDb();
    await setPin(db, 'garnier', '2580', FAST);
    await setPin(db, 'morvan', '7391', FAST);
    const t0 = Date.parse('2026-11-30T10:00:00Z');
    for (let i = 1; i <= 4; i++) {
      const who = i % 2 ? 'garnier' : 'morvan';
      expect(await unlock(db, who, '0000', t0)).toEqual({
        ok: false,
        reason: 'wrong',
        remaining: 5 - i,
        until: 0,
      });
    }
    expect(await unlock(db, 'garnier', '0000', t0)).toEqual({
      ok: false,
      reason: 'wrong',
      remaining: 0,
      until: t0 + 30_000,
    });
    // Even the right PIN is refused during the lockout.
    expect(await unlock(db, 'garnier', '2580', t0 + 10_000)).toEqual({
      ok: false,
      reason: 'locked_out',
      until: t0 + 30_000,
    });
    expect(await failures(db)).toEqual({ count: 5, until: t0 + 30_000 });
    // A further failure after the wait doubles it.
    expect(await unlock(db, 'garnier', '1111', t0 + 31_000)).toMatchObject({
      until: t0 + 31_000 + 60_000,
    });
    // The right PIN after the lockout clears the count.
    expect(await unlock(db, 'morvan', '7391', t0 + 100_000)).toEqual({ ok: true });
    expect(await failures(db)).toEqual({ count: 0, until: 0 });
  });
});
