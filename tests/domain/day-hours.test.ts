import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hoursCovering, USUAL_HOURS } from '../../src/domain/day-hours';
import { fromMinutes, isWithin, toMinutes } from '../../src/domain/time';

describe('hours covering a moment of the day', () => {
  it('keeps the truck’s usual day when it covers the moment with an hour to spare', () => {
    expect(hoursCovering('08:30')).toEqual(USUAL_HOURS);
    expect(hoursCovering('13:00')).toEqual({
      opensAt: '08:30',
      splitAt: '13:00',
      closesAt: '17:30',
    });
    expect(hoursCovering('16:30')).toEqual(USUAL_HOURS);
  });

  it('places a nine-hour day two hours before an early or late moment', () => {
    expect(hoursCovering('07:00')).toEqual({
      opensAt: '05:00',
      splitAt: '09:30',
      closesAt: '14:00',
    });
    expect(hoursCovering('16:31')).toEqual({
      opensAt: '14:30',
      splitAt: '19:00',
      closesAt: '23:30',
    });
    expect(hoursCovering('21:00').opensAt).toBe('19:00');
  });

  it('stays within the calendar day around midnight', () => {
    expect(hoursCovering('22:00')).toEqual({
      opensAt: '20:00',
      splitAt: '21:30',
      closesAt: '23:59',
    });
    expect(hoursCovering('00:30')).toEqual({
      opensAt: '00:00',
      splitAt: '04:30',
      closesAt: '09:00',
    });
  });

  it('property: every minute but the last is covered, by a morning or an afternoon half', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 * 60 + 58 }), (m) => {
        const time = fromMinutes(m);
        const h = hoursCovering(time);
        expect(isWithin(time, h.opensAt, h.closesAt)).toBe(true);
        expect(toMinutes(h.opensAt)).toBeLessThan(toMinutes(h.splitAt));
        expect(toMinutes(h.splitAt)).toBeLessThan(toMinutes(h.closesAt));
        // Outside the usual day, patients can have arrived before the moment (but not yesterday).
        if (h.opensAt !== USUAL_HOURS.opensAt) {
          expect(m - toMinutes(h.opensAt)).toBeGreaterThanOrEqual(Math.min(m, 60));
        }
        // A day is never longer than the usual one.
        expect(toMinutes(h.closesAt) - toMinutes(h.opensAt)).toBeLessThanOrEqual(9 * 60);
      }),
    );
  });
});
