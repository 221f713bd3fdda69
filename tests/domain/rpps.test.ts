// The RPPS number on the team page and on the wire (src/domain/rpps.ts, staff.rpps): 11 digits
// whose last is a Luhn key; empty means not known.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowSchema } from '../../src/domain/entities';
import { isRpps, luhnValid, normaliseRpps, rppsError } from '../../src/domain/rpps';

/** The Luhn key completing ten digits, computed the schoolbook way (independent of luhnValid). */
function withKey(ten: string): string {
  let sum = 0;
  [...ten].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  });
  return `${ten}${(10 - (sum % 10)) % 10}`;
}

describe('RPPS', () => {
  it('accepts 11 digits whose last is the Luhn key of the ten before', () => {
    expect(withKey('1010005007')).toBe('10100050078');
    expect(isRpps('10100050078')).toBe(true);
    expect(rppsError('10100050078')).toBeNull();
    expect(rppsError('101 000 500 78')).toBeNull();
    expect(normaliseRpps('101 000 500 78')).toBe('10100050078');
  });

  it('refuses a wrong key, a wrong length and letters, in French', () => {
    expect(rppsError('10100050075')).toMatch(/clé de contrôle/);
    expect(rppsError('1010005007')).toBe('Le numéro RPPS compte 11 chiffres (10 saisis).');
    expect(rppsError('1010005007A')).toBe('Le numéro RPPS ne contient que des chiffres.');
    expect(rppsError('')).toBeNull();
    expect(normaliseRpps('  ')).toBeNull();
  });

  it('every keyed number passes and every other last digit fails (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), fc.integer({ min: 1, max: 9 }), (ten, shift) => {
        const good = withKey(ten);
        const bad = `${ten}${(Number(good[10]) + shift) % 10}`;
        expect(isRpps(good)).toBe(true);
        expect(luhnValid(bad)).toBe(false);
        expect(rppsError(bad)).not.toBeNull();
      }),
    );
  });

  it('the staff schema (what the servers check) refuses a bad key and accepts null or absent', () => {
    const base = {
      id: 's1',
      orgId: 'o',
      firstName: 'A',
      lastName: 'B',
      profession: 'medecin',
      roles: ['clinicien'],
      supervisorId: null,
      active: true,
    };
    const schema = rowSchema('staff');
    expect(schema.safeParse({ ...base, rpps: '10100050078' }).success).toBe(true);
    expect(schema.safeParse({ ...base, rpps: null }).success).toBe(true);
    expect(schema.safeParse(base).success).toBe(true);
    expect(schema.safeParse({ ...base, rpps: '10100050075' }).success).toBe(false);
    expect(schema.safeParse({ ...base, rpps: '1010005007' }).success).toBe(false);
  });
});
