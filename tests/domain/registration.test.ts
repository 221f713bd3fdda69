import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowSchema } from '../../src/domain/entities';
import { nirKey } from '../../src/domain/nir';
import {
  EMPTY_REGISTRATION,
  patientFields,
  type RegistrationInput,
  registrationErrors,
  registrationWarnings,
} from '../../src/domain/registration';

const TODAY = '2026-11-23';
const offline = { today: TODAY, online: false };

/** A NIR body with its right key. */
const withKey = (body: string) => `${body}${String(nirKey(body)).padStart(2, '0')}`;

const valid: RegistrationInput = {
  ...EMPTY_REGISTRATION,
  birthName: 'Lefèvre',
  firstNames: 'Jeanne Marie',
  sex: 'F',
  birthDate: '1958-03-14',
  birthPlaceCode: '72181',
  nir: withKey('2580372181012'),
  phone: '06 12 34 56 78',
};

describe('registration form', () => {
  it('accepts the five traits with a provisional status, offline', () => {
    expect(registrationErrors(valid, offline)).toEqual({});
  });

  it('names each missing strict trait', () => {
    const errors = registrationErrors(EMPTY_REGISTRATION, offline);
    expect(Object.keys(errors).sort()).toEqual(
      ['birthDate', 'birthName', 'birthPlaceCode', 'firstNames', 'sex'].sort(),
    );
    expect(errors.birthName).toBe('Le nom de naissance est obligatoire.');
  });

  it('refuses a birth date in the future', () => {
    expect(registrationErrors({ ...valid, birthDate: '2027-01-02' }, offline).birthDate).toBe(
      'La date de naissance est dans le futur.',
    );
  });

  it('refuses a NIR whose key is wrong, with the key error', () => {
    const good = valid.nir;
    const badKey = `${good.slice(0, 13)}${String((Number(good.slice(13)) % 97) + 1).padStart(2, '0')}`;
    expect(registrationErrors({ ...valid, nir: badKey }, offline).nir).toMatch(/clé/i);
  });

  it('refuses « validée » without the document checked, and records the one checked', () => {
    const asked = { ...valid, identityStatus: 'validee' as const };
    expect(registrationErrors(asked, offline).idDocument).toMatch(/pièce d’identité contrôlée/);
    expect(
      registrationErrors({ ...asked, idDocument: 'livret_famille' }, offline).idDocument,
    ).toMatch(/mineur/);
    const checked = { ...asked, idDocument: 'passeport' as const };
    expect(registrationErrors(checked, offline)).toEqual({});
    expect(patientFields(checked, 'org', '2026-11-23T09:00:00Z').identityDocument).toBe(
      'passeport',
    );
    expect(
      patientFields({ ...checked, identityStatus: 'provisoire' }, 'org', '2026-11-23T09:00:00Z')
        .identityDocument,
    ).toBeNull();
  });

  it('never allows « qualifiée » by hand, even online', () => {
    const asked = { ...valid, identityStatus: 'qualifiee' as const, idDocument: 'cni' as const };
    expect(registrationErrors(asked, { today: TODAY, online: true }).identityStatus).toBeDefined();
  });

  it('asks for the name of a declared médecin traitant', () => {
    expect(registrationErrors({ ...valid, mtStatus: 'declared' }, offline).mtName).toBeDefined();
    expect(
      registrationErrors({ ...valid, mtStatus: 'declared', mtName: 'Dr Martin' }, offline),
    ).toEqual({});
  });

  it('checks the phone, e-mail and commune code formats', () => {
    const errors = registrationErrors(
      { ...valid, phone: '12345', email: 'jeanne@', communeInsee: '7218' },
      offline,
    );
    expect(Object.keys(errors).sort()).toEqual(['communeInsee', 'email', 'phone']);
  });

  it('warns (without blocking) when the NIR disagrees with the identity', () => {
    const male = { ...valid, sex: 'M' };
    expect(registrationErrors(male, offline)).toEqual({});
    expect(registrationWarnings(male).join(' ')).toMatch(/sexe/);
    expect(registrationWarnings(valid)).toEqual([]);
  });

  it('builds a patient row the replicated schema accepts', () => {
    const fields = patientFields(
      { ...valid, allergies: 'pénicilline, ; latex\npénicilline', usedName: '  ' },
      'org',
      '2026-11-23T09:00:00.000Z',
    );
    expect(fields.allergies).toEqual(['pénicilline', 'latex']);
    expect(fields.usedName).toBeNull();
    expect(rowSchema('patient').safeParse({ id: 'p1', ...fields }).success).toBe(true);
  });

  it('every form without errors yields a row the schema accepts', () => {
    const text = fc.string({ maxLength: 30 });
    fc.assert(
      fc.property(
        fc.record({
          birthName: fc.constantFrom('Martin', 'Le Gall', 'N’Diaye', '', 'X1'),
          firstNames: fc.constantFrom('Léa', 'Jean-Paul Marc', ''),
          sex: fc.constantFrom('F', 'M', 'I', 'X', ''),
          birthDate: fc.constantFrom('1990-02-28', '1990-02-30', '2030-01-01', '', '1850-01-01'),
          birthPlaceCode: fc.constantFrom('72181', '2A004', '2a004', '99134', '123'),
          usedName: text,
          phone: fc.constantFrom('', '0612345678', '+33 6 12 34 56 78', 'abc'),
          email: fc.constantFrom('', 'a@b.fr', 'nope'),
          allergies: text,
          mtStatus: fc.constantFrom('declared', 'none', 'unknown'),
          mtName: text,
        }),
        (partial) => {
          const input = { ...EMPTY_REGISTRATION, ...partial } as RegistrationInput;
          if (Object.keys(registrationErrors(input, offline)).length > 0) return;
          const row = { id: 'p', ...patientFields(input, 'org', '2026-11-23T09:00:00.000Z') };
          expect(rowSchema('patient').safeParse(row).success).toBe(true);
        },
      ),
    );
  });
});
