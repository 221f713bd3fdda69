import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMinutesIso,
  addMinutesToTime,
  fromMinutes,
  isHHMM,
  isIsoDate,
  isWithin,
  localDate,
  localTime,
  minutesBetween,
  rangesOverlap,
  toMinutes,
  zonedIso,
} from '../../src/domain/time';

describe('wall-clock times HH:MM', () => {
  it('converts to and from minutes since midnight', () => {
    expect(toMinutes('00:00')).toBe(0);
    expect(toMinutes('08:30')).toBe(510);
    expect(toMinutes('23:59')).toBe(1439);
    expect(fromMinutes(510)).toBe('08:30');
    expect(fromMinutes(5)).toBe('00:05');
    expect(addMinutesToTime('08:30', 20)).toBe('08:50');
  });

  it('refuses malformed times with a French message', () => {
    expect(() => toMinutes('8:30')).toThrow(/Heure invalide/);
    expect(() => toMinutes('24:00')).toThrow(/HH:MM/);
    expect(() => fromMinutes(1440)).toThrow(/hors de la journée/);
    expect(() => fromMinutes(-1)).toThrow(RangeError);
    expect(isHHMM('12:60')).toBe(false);
    expect(isHHMM('12:05')).toBe(true);
  });

  it('round-trips every minute of the day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), (m) => {
        expect(toMinutes(fromMinutes(m))).toBe(m);
        expect(isHHMM(fromMinutes(m))).toBe(true);
      }),
    );
  });

  it('treats ranges as half-open', () => {
    expect(isWithin('08:30', '08:30', '12:30')).toBe(true);
    expect(isWithin('12:29', '08:30', '12:30')).toBe(true);
    expect(isWithin('12:30', '08:30', '12:30')).toBe(false);
    expect(rangesOverlap(510, 750, 750, 1050)).toBe(false);
    expect(rangesOverlap(510, 751, 750, 1050)).toBe(true);
  });

  it('overlap is symmetric', () => {
    const r = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 300 }));
    fc.assert(
      fc.property(r, r, ([a, la], [b, lb]) => {
        expect(rangesOverlap(a, a + la, b, b + lb)).toBe(rangesOverlap(b, b + lb, a, a + la));
      }),
    );
  });
});

describe('dates and instants', () => {
  it('validates calendar dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => addDays('2026-13-01', 1)).toThrow(/Date invalide/);
  });

  it('measures minutes between instants and shifts them', () => {
    expect(minutesBetween('2026-11-23T08:00:00Z', '2026-11-23T08:45:30Z')).toBe(45.5);
    expect(minutesBetween('2026-11-23T09:00:00+01:00', '2026-11-23T08:00:00Z')).toBe(0);
    expect(addMinutesIso('2026-11-23T08:00:00.000Z', 90)).toBe('2026-11-23T09:30:00.000Z');
    expect(() => minutesBetween('hier', '2026-11-23T08:00:00Z')).toThrow(/Horodatage invalide/);
  });

  it('reads the truck clock in Paris, winter and summer', () => {
    expect(localTime('2026-11-23T07:30:00Z')).toBe('08:30');
    expect(localTime('2026-07-01T06:30:00Z')).toBe('08:30');
    expect(localDate('2026-11-23T23:30:00Z')).toBe('2026-11-24');
    expect(localTime('2026-11-23T07:30:00Z', 'UTC')).toBe('07:30');
  });

  it('turns a local wall time into an instant, across daylight saving changes', () => {
    expect(zonedIso('2026-11-23', '08:30')).toBe('2026-11-23T07:30:00.000Z');
    expect(zonedIso('2026-07-01', '08:30')).toBe('2026-07-01T06:30:00.000Z');
    // 02:30 happens twice on 25 October 2026: the earlier one is kept.
    expect(zonedIso('2026-10-25', '02:30')).toBe('2026-10-25T00:30:00.000Z');
    // 02:30 never happens on 29 March 2026: shifted forward by the gap.
    expect(localTime(zonedIso('2026-03-29', '02:30'))).toBe('03:30');
  });

  it('zonedIso and localTime/localDate are inverse for times that exist', () => {
    const date = fc.integer({ min: 0, max: 3 * 365 }).map((n) => addDays('2025-01-01', n));
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 1439 }), (d, m) => {
        const iso = zonedIso(d, fromMinutes(m));
        const back = toMinutes(localTime(iso));
        // Only the one hour a year that does not exist moves (by exactly one hour).
        if (back !== m) expect(back - m).toBe(60);
        else expect(localDate(iso)).toBe(d);
      }),
    );
  });
});
