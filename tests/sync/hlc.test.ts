import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  correctOffset,
  createClock,
  decodeHlc,
  encodeHlc,
  type HlcClock,
  MAX_COUNTER,
  receive,
  tick,
} from '../../src/sync/hlc';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const node = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes(':'));
const wall = fc.integer({ min: NOW - 400 * DAY, max: NOW + 400 * DAY });

describe('encodeHlc / decodeHlc', () => {
  it('round-trips and uses fixed-width parts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 36 ** 9 - 1 }),
        fc.integer({ min: 0, max: MAX_COUNTER }),
        node,
        (ms, c, n) => {
          const h = encodeHlc(ms, c, n);
          expect(decodeHlc(h)).toEqual({ ms, counter: c, node: n });
          expect(h.length).toBe(15 + n.length);
        },
      ),
    );
  });

  it('string order is clock order (ms, then counter, then node)', () => {
    const stamp = fc.tuple(
      fc.integer({ min: 0, max: 2 * NOW }),
      fc.integer({ min: 0, max: MAX_COUNTER }),
      node,
    );
    fc.assert(
      fc.property(stamp, stamp, ([m1, c1, n1], [m2, c2, n2]) => {
        const clockOrder =
          m1 !== m2
            ? Math.sign(m1 - m2)
            : c1 !== c2
              ? Math.sign(c1 - c2)
              : n1 < n2
                ? -1
                : n1 > n2
                  ? 1
                  : 0;
        const a = encodeHlc(m1, c1, n1);
        const b = encodeHlc(m2, c2, n2);
        expect(a < b ? -1 : a > b ? 1 : 0).toBe(clockOrder);
      }),
    );
  });

  it('rejects a node id containing ":" and malformed stamps', () => {
    expect(() => encodeHlc(1, 0, 'a:b')).toThrow(RangeError);
    expect(() => createClock('')).toThrow(RangeError);
    expect(() => decodeHlc('nonsense')).toThrow(/HLC invalide/);
  });
});

describe('clock', () => {
  it('ticks are strictly increasing whatever the wall clock does', () => {
    fc.assert(
      fc.property(node, fc.array(wall, { minLength: 1, maxLength: 50 }), (n, walls) => {
        let clock = createClock(n);
        let last = '';
        for (const w of walls) {
          const t = tick(clock, w);
          expect(t.hlc > last).toBe(true);
          last = t.hlc;
          clock = t.clock;
        }
      }),
    );
  });

  it('after receiving a remote stamp, the next tick is greater than it (even a day or years ahead)', () => {
    const skew = fc.integer({ min: -3 * 365 * DAY, max: 3 * 365 * DAY });
    fc.assert(
      fc.property(wall, skew, fc.integer({ min: 0, max: MAX_COUNTER }), wall, (w, s, rc, later) => {
        const remote = encodeHlc(w + s, rc, 'remote');
        let clock = tick(createClock('me'), w).clock;
        clock = receive(clock, remote, w);
        const next = tick(clock, later).hlc;
        expect(next > remote).toBe(true);
      }),
    );
  });

  it('a counter at its maximum spills into the next millisecond instead of overflowing', () => {
    const clock: HlcClock = { ms: NOW, counter: MAX_COUNTER, node: 'n', offset: 0 };
    const { hlc } = tick(clock, NOW);
    expect(decodeHlc(hlc)).toEqual({ ms: NOW + 1, counter: 0, node: 'n' });
    const remote = encodeHlc(NOW + 5, MAX_COUNTER, 'r');
    expect(tick(receive(clock, remote, NOW), NOW).hlc > remote).toBe(true);
  });

  it('ignores malformed remote stamps instead of failing', () => {
    const clock = tick(createClock('me'), NOW).clock;
    expect(receive(clock, 'garbage', NOW)).toBe(clock);
  });

  it('server time correction shifts the physical part, without ever going back', () => {
    fc.assert(
      fc.property(wall, fc.integer({ min: -10 * DAY, max: 10 * DAY }), (w, skew) => {
        // The device's wall clock is `skew` off the server's.
        const local = w + skew;
        const before = tick(createClock('me'), local);
        const corrected = correctOffset(before.clock, w, local);
        expect(corrected.offset + skew).toBe(0);
        const after = tick(corrected, local + 10);
        expect(after.hlc > before.hlc).toBe(true);
        // Once the clock has caught up, stamps follow the server's time, not the device's.
        if (skew < 0) expect(decodeHlc(after.hlc).ms).toBe(w + 10);
      }),
    );
  });

  it('non-finite inputs leave the offset unchanged', () => {
    const clock = createClock('me');
    expect(correctOffset(clock, Number.NaN, NOW)).toBe(clock);
  });
});
