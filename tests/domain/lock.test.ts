// Locking a shared device: PIN rules, the growing lockout, the idle lock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FREE_ATTEMPTS, idleExpired, lockoutMs, pinProblem } from '../../src/domain/lock';

describe('a new PIN', () => {
  it('takes 4 to 8 digits, typed twice alike', () => {
    expect(pinProblem('2580', '2580')).toBeNull();
    expect(pinProblem('73918264', '73918264')).toBeNull();
    expect(pinProblem('258', '258')).toBe('format');
    expect(pinProblem('25a0', '25a0')).toBe('format');
    expect(pinProblem('2580', '2581')).toBe('mismatch');
  });

  it('refuses digits all alike or a plain run', () => {
    for (const pin of ['0000', '1234', '9876', '4567890'.slice(0, 6)]) {
      expect(pinProblem(pin, pin)).toBe('trivial');
    }
  });
});

describe('the lockout', () => {
  it('lets the first failures through, then waits 30 s, doubling, capped at 15 minutes', () => {
    expect(lockoutMs(FREE_ATTEMPTS - 1)).toBe(0);
    expect(lockoutMs(FREE_ATTEMPTS)).toBe(30_000);
    expect(lockoutMs(FREE_ATTEMPTS + 1)).toBe(60_000);
    expect(lockoutMs(50)).toBe(15 * 60_000);
  });

  it('never shrinks as failures grow (property)', () => {
    fc.assert(fc.property(fc.nat(100), (n) => lockoutMs(n + 1) >= lockoutMs(n)));
  });
});

describe('the idle lock', () => {
  it('locks once the idle time has passed, never on a screen set to 0', () => {
    expect(idleExpired(0, 4 * 60_000, 5)).toBe(false);
    expect(idleExpired(0, 5 * 60_000, 5)).toBe(true);
    expect(idleExpired(0, 10 ** 9, 0)).toBe(false);
  });
});
