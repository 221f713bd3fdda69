import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatNir,
  isValidNir,
  NIR_KEY_MESSAGE,
  nirKey,
  nirMatchesIdentity,
  normaliseNir,
  parseNir,
} from '../../src/domain/nir';

/**
 * The key computed independently of the code under test: BigInt over the whole 13-digit number,
 * with Corsica's 2A and 2B read as 19 and 18.
 */
function referenceKey(body13: string): string {
  const dep = body13.slice(5, 7);
  const digits =
    dep === '2A'
      ? `${body13.slice(0, 5)}19${body13.slice(7)}`
      : dep === '2B'
        ? `${body13.slice(0, 5)}18${body13.slice(7)}`
        : body13;
  return String(97n - (BigInt(digits) % 97n)).padStart(2, '0');
}

const withKey = (body13: string) => body13 + referenceKey(body13);

function expectError(input: string, code: string) {
  const r = parseNir(input);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.code).toBe(code);
  return r.message;
}

describe('parseNir on real-looking numbers', () => {
  it('reads a man born in May 1985 in the Yvelines', () => {
    // 1 85 05 78 006 084: 1850578006084 mod 97 = 6, so the key is 91
    expect(referenceKey('1850578006084')).toBe('91');
    const r = parseNir('1 85 05 78 006 084 91');
    expect(r).toMatchObject({
      ok: true,
      nir: '185057800608491',
      body: '1850578006084',
      key: 91,
      kind: 'nir',
      sex: 'M',
      birthYear2: '85',
      birthMonth: '05',
      monthKnown: true,
      department: '78',
      commune: '006',
      birthPlace: '78006',
      bornAbroad: false,
      order: '084',
    });
  });

  it('reads a woman born in the Sarthe', () => {
    const nir = withKey('2620372181123');
    const r = parseNir(nir);
    expect(r).toMatchObject({ ok: true, sex: 'F', department: '72', birthPlace: '72181' });
  });

  it('ignores spaces, including non-breaking ones, and gives back the 15 characters', () => {
    expect(normaliseNir('1\u00a085 05 78 006 084  91 ')).toBe('185057800608491');
    expect(isValidNir('185057800608491')).toBe(true);
  });

  it('reads overseas departments on 3 digits and the commune on 2', () => {
    const r = parseNir(withKey('2751197105123'));
    expect(r).toMatchObject({ ok: true, department: '971', commune: '05', birthPlace: '97105' });
  });

  it('reads a birth abroad: 99 and the country code', () => {
    const r = parseNir(withKey('1800199352045'));
    expect(r).toMatchObject({ ok: true, department: '99', bornAbroad: true, countryCode: '352' });
    if (r.ok) expect(r.commune).toBeUndefined();
  });

  it('accepts a NIA (temporary number, 7 for men and 8 for women)', () => {
    expect(parseNir(withKey('7900199352045'))).toMatchObject({ ok: true, kind: 'nia', sex: 'M' });
    expect(parseNir(withKey('8900199352045'))).toMatchObject({ ok: true, kind: 'nia', sex: 'F' });
  });

  it('accepts the key 97 when the body is a multiple of 97, and never the key 00', () => {
    // 1850578006084 − 6 is a multiple of 97
    expect(BigInt('1850578006078') % 97n).toBe(0n);
    expect(referenceKey('1850578006078')).toBe('97');
    expect(isValidNir('185057800607897')).toBe(true);
    expect(expectError('185057800607800', 'key')).toBe(NIR_KEY_MESSAGE);
  });
});

describe('Corsica', () => {
  it('computes the key of 2A as if it were 19', () => {
    expect(referenceKey('290032A004012')).toBe('34');
    expect(nirKey('290032A004012')).toBe(34);
    expect(parseNir('2 90 03 2A 004 012 34')).toMatchObject({
      ok: true,
      nir: '290032A00401234',
      department: '2A',
      commune: '004',
    });
  });

  it('computes the key of 2B as if it were 18', () => {
    expect(referenceKey('290032B004012')).toBe('61');
    expect(parseNir('2 90 03 2B 004 012 61')).toMatchObject({ ok: true, department: '2B' });
  });

  it('refuses the key of 2B on a 2A number and the other way round', () => {
    // 2A's key is 34 and 2B's 61: each refused on the other.
    expect(expectError('2 90 03 2A 004 012 61', 'key')).toBe(NIR_KEY_MESSAGE);
    expect(expectError('2 90 03 2B 004 012 34', 'key')).toBe(NIR_KEY_MESSAGE);
  });

  it('reads a lower-case 2a as 2A', () => {
    expect(normaliseNir('2 90 03 2a 004 012 34')).toBe('290032A00401234');
  });

  it('accepts 20, the Corsican department before 1976, with its own key', () => {
    expect(parseNir(withKey('1600320004012'))).toMatchObject({ ok: true, department: '20' });
  });
});

describe('parseNir errors, each with its own French message', () => {
  it('empty', () => {
    expect(expectError('', 'empty')).toBe('Le NIR est vide.');
    expect(expectError('   ', 'empty')).toBe('Le NIR est vide.');
  });

  it('13 characters: the key is missing', () => {
    expect(expectError('1 85 05 78 006 084', 'length')).toBe(
      'Il manque la clé du NIR : 13 caractères saisis, 15 attendus (les 2 derniers chiffres de la carte Vitale).',
    );
  });

  it('any other wrong length says how many were typed', () => {
    expect(expectError('18505780060849', 'length')).toContain('14 saisis');
    expect(expectError('1850578006084911', 'length')).toContain('16 saisis');
    expect(expectError('185', 'length')).toContain('15 caractères');
  });

  it('illegal characters, with their position; the letter O is named', () => {
    expect(expectError('185O5780060849 1', 'characters')).toBe(
      'Le NIR contient un caractère non autorisé en position 4 : « O » (la lettre O, pas le chiffre 0). ' +
        'Seuls les chiffres sont admis (et 2A ou 2B pour un département de Corse).',
    );
    expect(expectError('1850578006084-91', 'characters')).toContain('position 14 : « - »');
    expect(expectError('290032C00401234', 'characters')).toContain('position 7');
    // A and B are only Corsican after a 2
    expect(expectError('29003 3A00401234', 'characters')).toContain('position 7');
  });

  it('bad first digit: 3 and 4 are old registration numbers, others are impossible', () => {
    expect(expectError(withKey('3850578006084'), 'sex')).toContain("n'est pas un matricule INS");
    expect(expectError(withKey('4850578006084'), 'sex')).toContain(
      'Le premier chiffre du NIR est 4',
    );
    for (const first of ['0', '5', '6', '9']) {
      expect(expectError(withKey(`${first}850578006084`), 'sex')).toBe(
        `Le premier chiffre du NIR est ${first} : il doit être 1 (homme) ou 2 (femme), ou 7 ou 8 pour un NIA (numéro provisoire).`,
      );
    }
  });

  it('impossible month; pseudo-months of an incomplete civil status are accepted', () => {
    for (const month of ['00', '13', '19', '43', '49']) {
      expect(expectError(withKey(`185${month}78006084`), 'month')).toBe(
        `Le mois de naissance du NIR (${month}) est impossible : 01 à 12, ou 20 à 42 et 50 à 99 quand l'état civil ne précise pas le mois.`,
      );
    }
    for (const month of ['01', '12']) {
      expect(parseNir(withKey(`185${month}78006084`))).toMatchObject({
        ok: true,
        monthKnown: true,
      });
    }
    for (const month of ['20', '30', '42', '50', '99']) {
      expect(parseNir(withKey(`185${month}78006084`))).toMatchObject({
        ok: true,
        monthKnown: false,
      });
    }
  });

  it('department 00 does not exist', () => {
    expect(expectError(withKey('1850500006084'), 'place')).toBe(
      'Le département de naissance du NIR (00) est impossible.',
    );
  });

  it('a bad key is reported without the key that would match, never fixed', () => {
    // The right key is 91: the message must not offer it, or reception fixes the key instead of
    // the mistyped digit.
    expect(expectError('1 85 05 78 006 084 17', 'key')).not.toContain('91');
    expect(expectError('1 85 05 78 006 084 17', 'key')).toBe(
      'Ce NIR n’est pas valide : ses 13 premiers chiffres et sa clé ne vont pas ensemble. Relire chaque chiffre sur la carte Vitale ou l’attestation (sexe, année et mois de naissance, département, commune, rang, puis la clé).',
    );
    expect(normaliseNir('1 85 05 78 006 084 17')).toBeNull();
  });
});

describe('NIR key, as properties', () => {
  const digits = (n: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const validMonth = fc.oneof(
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 20, max: 42 }),
    fc.integer({ min: 50, max: 99 }),
  );
  const place = fc.oneof(
    fc
      .integer({ min: 1, max: 95 })
      .chain((d) => digits(3).map((c) => String(d).padStart(2, '0') + c)),
    fc.constantFrom('2A', '2B').chain((d) => digits(3).map((c) => d + c)),
    fc
      .constantFrom('971', '972', '973', '974', '976', '987')
      .chain((d) => digits(2).map((c) => d + c)),
    digits(3).map((c) => `99${c}`),
  );
  const body = fc
    .tuple(fc.constantFrom('1', '2', '7', '8'), digits(2), validMonth, place, digits(3))
    .map(
      ([sex, year, month, where, order]) =>
        `${sex}${year}${String(month).padStart(2, '0')}${where}${order}`,
    );

  it('any valid body with its computed key passes', () => {
    fc.assert(
      fc.property(body, (b) => {
        const r = parseNir(b + referenceKey(b));
        expect(r.ok).toBe(true);
        expect(nirKey(b)).toBe(Number(referenceKey(b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('any other key fails with the key error', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 99 }), (b, k) => {
        const key = String(k).padStart(2, '0');
        fc.pre(key !== referenceKey(b));
        const r = parseNir(b + key);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.code).toBe('key');
          expect(r.message).toBe(NIR_KEY_MESSAGE);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a single wrong digit in the body is always caught', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 1, max: 9 }), (b, at, shift) => {
        const positions = [...b]
          .map((c, i) => (c >= '0' && c <= '9' ? i : -1))
          .filter((i) => i >= 0);
        const i = positions[at % positions.length]!;
        const changed = b.slice(0, i) + String((Number(b[i]) + shift) % 10) + b.slice(i + 1);
        expect(parseNir(changed + referenceKey(b)).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('nirKey refuses what is not a 13-character body', () => {
    expect(() => nirKey('12345')).toThrow(RangeError);
    expect(() => nirKey('185057800608X')).toThrow(RangeError);
  });
});

describe('formatNir', () => {
  it('prints the carte Vitale grouping', () => {
    expect(formatNir('185057800608491')).toBe('1 85 05 78 006 084 91');
    expect(formatNir(withKey('2751197105123'))).toBe(
      `2 75 11 971 05 123 ${referenceKey('2751197105123')}`,
    );
  });
});

describe('nirMatchesIdentity', () => {
  const nir = '1 85 05 78 006 084 91';

  it('finds nothing to say when sex, year, month and place agree', () => {
    expect(
      nirMatchesIdentity(nir, { sex: 'M', birthDate: '1985-05-17', birthPlaceCode: '78006' }),
    ).toEqual([]);
  });

  it('warns when the sex digit does not match', () => {
    expect(nirMatchesIdentity(nir, { sex: 'F', birthDate: '1985-05-17' })).toEqual([
      "Le NIR commence par 1 (sexe masculin) mais l'identité est de sexe féminin.",
    ]);
  });

  it('does not judge an indeterminate sex', () => {
    expect(nirMatchesIdentity(nir, { sex: 'I', birthDate: '1985-05-17' })).toEqual([]);
  });

  it('warns when the year or the month differ from the birth date', () => {
    expect(nirMatchesIdentity(nir, { sex: 'M', birthDate: '1958-05-17' })).toEqual([
      "L'année de naissance du NIR (85) ne correspond pas à la date de naissance (1958).",
    ]);
    expect(nirMatchesIdentity(nir, { sex: 'M', birthDate: '1985-06-17' })).toEqual([
      'Le mois de naissance du NIR (05, mai) ne correspond pas à la date de naissance (juin).',
    ]);
  });

  it('does not compare a pseudo-month', () => {
    expect(
      nirMatchesIdentity(withKey('1852578006084'), { sex: 'M', birthDate: '1985-06-17' }),
    ).toEqual([]);
  });

  it('warns when the department of birth differs from the birth place code', () => {
    expect(
      nirMatchesIdentity(nir, { sex: 'M', birthDate: '1985-05-17', birthPlaceCode: '72181' }),
    ).toEqual([
      'Le département de naissance du NIR (78) ne correspond pas au lieu de naissance saisi (72181).',
    ]);
    const abroad = withKey('1850599352045');
    expect(
      nirMatchesIdentity(abroad, { sex: 'M', birthDate: '1985-05-17', birthPlaceCode: '72181' }),
    ).toHaveLength(1);
  });

  it('tolerates the places that legitimately differ: Corsica before 1976, Seine-et-Oise before 1968', () => {
    const corsica = withKey('1600320004012');
    expect(
      nirMatchesIdentity(corsica, { sex: 'M', birthDate: '1960-03-01', birthPlaceCode: '2A004' }),
    ).toEqual([]);
    const seineEtOise = withKey('1600378006012');
    expect(
      nirMatchesIdentity(seineEtOise, {
        sex: 'M',
        birthDate: '1960-03-01',
        birthPlaceCode: '91228',
      }),
    ).toEqual([]);
    const later = withKey('1850378006012');
    expect(
      nirMatchesIdentity(later, { sex: 'M', birthDate: '1985-03-01', birthPlaceCode: '91228' }),
    ).toHaveLength(1);
  });

  it('reports the parse error of an invalid NIR', () => {
    expect(
      nirMatchesIdentity('1 85 05 78 006 084 17', { sex: 'M', birthDate: '1985-05-17' }),
    ).toEqual([NIR_KEY_MESSAGE]);
  });
});
