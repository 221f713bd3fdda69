import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTITY_SPECS } from '../../src/domain/entities';
import { bmi, checkVitals, VITAL_FIELDS, VITALS, vitalsReady } from '../../src/domain/vitals';

describe('vital signs', () => {
  it('reads French decimals and leaves empty fields empty', () => {
    const c = checkVitals({ temperature: '37,8', systolic: '128', diastolic: '82' });
    expect(c.values).toMatchObject({ temperature: 37.8, systolic: 128, diastolic: 82, spo2: null });
    expect(c.errors).toEqual({});
    expect(vitalsReady(c)).toBe(true);
    expect(vitalsReady(checkVitals({}))).toBe(false);
  });

  it('refuses impossible values and non-numbers, with the unit in the message', () => {
    const c = checkVitals({ temperature: '48', heartRate: 'abc', spo2: '97.5' });
    expect(c.errors.temperature).toBe(
      'Température : 48 °C est hors des valeurs possibles (30 à 45).',
    );
    expect(c.errors.heartRate).toMatch(/n’est pas un nombre/);
    expect(c.errors.spo2).toMatch(/entier/);
    expect(vitalsReady(c)).toBe(false);
  });

  it('flags unusual but possible values for a second look', () => {
    const c = checkVitals({ systolic: '195', diastolic: '100' });
    expect(c.errors).toEqual({});
    expect(c.warnings.systolic).toMatch(/à vérifier/);
  });

  it('refuses a diastolic pressure not below the systolic', () => {
    expect(checkVitals({ systolic: '80', diastolic: '90' }).errors.diastolic).toBeDefined();
  });

  it('never accepts a value the replicated schema would refuse', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VITAL_FIELDS),
        fc.double({ min: -10, max: 500, noNaN: true }),
        (field, n) => {
          const typed = String(Math.round(n * 10) / 10).replace('.', ',');
          const c = checkVitals({ [field]: typed });
          const value = c.values[field];
          if (value === null) return;
          expect(ENTITY_SPECS.vitals.fields[field]!.schema.safeParse(value).success).toBe(true);
          expect(value).toBeGreaterThanOrEqual(VITALS[field].min);
        },
      ),
    );
  });

  it('computes the body-mass index when weight and height are known', () => {
    expect(bmi({ weightKg: 70, heightCm: 175 })).toBe(22.9);
    expect(bmi({ weightKg: 70, heightCm: null })).toBeNull();
  });
});
