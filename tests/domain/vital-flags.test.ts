// Abnormal vital values (issue #15 item 2): the thresholds of docs/guide/salle.md, flagged in
// words with the threshold crossed, and the last three values of each measure with a direction.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ABNORMAL,
  abnormalDirection,
  FLAGGED_VITALS,
  typedVitalFlag,
  VITALS,
  vitalFlag,
  vitalFlags,
  vitalTrends,
} from '../../src/domain/vitals';

describe('abnormal vital values', () => {
  it('flags the values of the day walk: systolic 185 and SpO₂ 88 %', () => {
    const flags = vitalFlags({ systolic: 185, diastolic: 95, spo2: 88, heartRate: 80 });
    expect(flags.map((f) => [f.field, f.direction])).toEqual([
      ['systolic', 'high'],
      ['spo2', 'low'],
    ]);
    expect(flags[0]!.message).toBe('Pression systolique élevée : 185 mmHg (seuil ≥ 180 mmHg)');
    expect(flags[1]!.message).toBe('Saturation en oxygène basse : 88 % (seuil < 92 %)');
  });

  it('puts each threshold where the table says', () => {
    const cases: [keyof typeof ABNORMAL, number, 'high' | 'low' | null][] = [
      ['systolic', 180, 'high'],
      ['systolic', 179, null],
      ['systolic', 90, null],
      ['systolic', 89, 'low'],
      ['diastolic', 110, 'high'],
      ['diastolic', 109, null],
      ['diastolic', 45, null],
      ['heartRate', 120, null],
      ['heartRate', 121, 'high'],
      ['heartRate', 40, null],
      ['heartRate', 39, 'low'],
      ['temperature', 39, 'high'],
      ['temperature', 38.9, null],
      ['temperature', 35.5, null],
      ['temperature', 35.4, 'low'],
      ['spo2', 92, null],
      ['spo2', 91, 'low'],
      ['glycaemia', 0.7, null],
      ['glycaemia', 0.69, 'low'],
      ['glycaemia', 2.49, null],
      ['glycaemia', 2.5, 'high'],
    ];
    for (const [field, value, direction] of cases) {
      expect(abnormalDirection(field, value), `${field} ${value}`).toBe(direction);
    }
  });

  it('never flags weight or height, nor an absent value', () => {
    expect(vitalFlag('weightKg', 250)).toBeNull();
    expect(vitalFlag('heightCm', 30)).toBeNull();
    expect(vitalFlag('systolic', null)).toBeNull();
    expect(vitalFlags({})).toEqual([]);
  });

  it('flags what is being typed, French decimals included, and nothing that is not a number', () => {
    expect(typedVitalFlag('temperature', '39,2')?.message).toBe(
      'Température élevée : 39,2 °C (seuil ≥ 39 °C)',
    );
    expect(typedVitalFlag('systolic', '18')).toBeNull(); // impossible: refused, not flagged
    expect(typedVitalFlag('systolic', 'abc')).toBeNull();
    expect(typedVitalFlag('systolic', '')).toBeNull();
  });

  it('property: a flag is monotonic — anything past a flagged value is flagged the same way', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FLAGGED_VITALS),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (field, a, b) => {
          const { min, max } = VITALS[field];
          const x = min + a * (max - min);
          const y = min + b * (max - min);
          const dx = abnormalDirection(field, x);
          if (dx === 'high' && y >= x) expect(abnormalDirection(field, y)).toBe('high');
          if (dx === 'low' && y <= x) expect(abnormalDirection(field, y)).toBe('low');
          if (dx === null) {
            // Between two unflagged values nothing is flagged (the normal range is one interval).
            const lo = Math.min(x, y);
            const hi = Math.max(x, y);
            if (abnormalDirection(field, y) === null) {
              expect(abnormalDirection(field, (lo + hi) / 2)).toBeNull();
            }
          }
        },
      ),
    );
  });

  it('property: every flag names its value, unit and the side of the threshold it crossed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FLAGGED_VITALS),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (field, a) => {
          const spec = VITALS[field];
          const value = Math.round((spec.min + a * (spec.max - spec.min)) * 10) / 10;
          const flag = vitalFlag(field, value);
          const rule = ABNORMAL[field];
          const low = rule.below !== undefined && value < rule.below;
          const high =
            (rule.atLeast !== undefined && value >= rule.atLeast) ||
            (rule.above !== undefined && value > rule.above);
          expect(flag?.direction ?? null).toBe(low ? 'low' : high ? 'high' : null);
          if (flag) {
            expect(flag.message).toContain(String(value).replace('.', ','));
            expect(flag.message).toContain(spec.unit);
            expect(flag.message).toMatch(low ? /basse.*< / : /élevée.*[≥>] /);
          }
        },
      ),
    );
  });
});

describe('vital trends', () => {
  const at = (h: number) => `2026-12-04T${String(h).padStart(2, '0')}:00:00.000Z`;

  it('keeps the last three values of each measure, oldest first, with the direction', () => {
    const trends = vitalTrends([
      { takenAt: at(12), systolic: 185, spo2: 96 },
      { takenAt: at(9), systolic: 150, spo2: null },
      { takenAt: at(10), systolic: 160 },
      { takenAt: at(8), systolic: 140 },
    ]);
    const systolic = trends.find((x) => x.field === 'systolic')!;
    expect(systolic.values.map((v) => v.value)).toEqual([150, 160, 185]);
    expect(systolic.direction).toBe('up');
    expect(systolic.values[2]!.flag?.direction).toBe('high');
    const spo2 = trends.find((x) => x.field === 'spo2')!;
    expect(spo2.values).toHaveLength(1);
    expect(spo2.direction).toBeNull();
    expect(trends.find((x) => x.field === 'heartRate')).toBeUndefined();
  });

  it('property: at most three values, sorted by time, direction from the last two', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            h: fc.integer({ min: 0, max: 23 }),
            systolic: fc.option(fc.integer({ min: 60, max: 220 }), { nil: null }),
          }),
          { maxLength: 10 },
        ),
        (rows) => {
          const trends = vitalTrends(rows.map((r) => ({ takenAt: at(r.h), systolic: r.systolic })));
          const s = trends.find((x) => x.field === 'systolic');
          const measured = rows.filter((r) => r.systolic !== null);
          if (measured.length === 0) {
            expect(s).toBeUndefined();
            return;
          }
          expect(s!.values.length).toBe(Math.min(3, measured.length));
          const times = s!.values.map((v) => v.takenAt);
          expect([...times].sort()).toEqual(times);
          const n = s!.values.length;
          if (n === 1) expect(s!.direction).toBeNull();
          else {
            const [a, b] = [s!.values[n - 2]!.value, s!.values[n - 1]!.value];
            expect(s!.direction).toBe(b > a ? 'up' : b < a ? 'down' : 'stable');
          }
        },
      ),
    );
  });
});
