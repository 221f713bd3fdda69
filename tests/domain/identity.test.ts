import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Patient } from '../../src/domain/entities';
import {
  allowedStatuses,
  allowedStatusesOffline,
  birthDateRelation,
  buildSearchIndex,
  canSetStatus,
  DEFAULT_DUPLICATE_THRESHOLD,
  duplicateScore,
  findLikelyDuplicates,
  type IdentityRecord,
  type IdentityStatus,
  identityTraitsErrors,
  isIsoDate,
  parseSearchQuery,
  removeFromIndex,
  searchIndex,
  searchPatients,
  updateIndex,
} from '../../src/domain/identity';

const TODAY = '2025-06-15';

const jean: IdentityRecord = {
  id: 'p-jean',
  birthName: 'Dupont',
  usedName: null,
  firstNames: 'Jean Marc',
  usedFirstName: null,
  sex: 'M',
  birthDate: '1960-03-12',
  birthPlaceCode: '72181',
  nir: null,
};

const person = (id: string, over: Partial<IdentityRecord> = {}): IdentityRecord => ({
  ...jean,
  id,
  ...over,
});

const ids = (xs: readonly { record: IdentityRecord }[]) => xs.map((x) => x.record.id);

describe('identity records', () => {
  it('are what a patient row already is', () => {
    expectTypeOf<Patient>().toExtend<IdentityRecord>();
    const row: Patient = {
      id: 'row',
      orgId: 'org',
      birthName: 'Dupont',
      usedName: null,
      firstNames: 'Jean',
      usedFirstName: null,
      sex: 'M',
      birthDate: '1960-03-12',
      birthPlaceCode: '72181',
      identityStatus: 'provisoire',
      nir: null,
      phone: null,
      email: null,
      address: null,
      communeInsee: null,
      coverage: 'inconnue',
      mtStatus: 'none',
      mtName: null,
      ald: false,
      allergies: [],
      createdAt: '2025-06-15T08:00:00Z',
      duplicateDecision: null,
    };
    const hits = searchPatients('dupont', [row]);
    expectTypeOf(hits[0]!.record).toEqualTypeOf<Patient>();
    expect(hits[0]?.record).toBe(row);
  });
});

describe('strict traits', () => {
  const complete = {
    birthName: 'Lefèvre-Durand',
    firstNames: 'Marie Thérèse',
    sex: 'F',
    birthDate: '1948-11-02',
    birthPlaceCode: '72181',
  };

  it('accepts a complete identity', () => {
    expect(identityTraitsErrors(complete, TODAY)).toEqual([]);
    expect(
      identityTraitsErrors(
        { ...complete, birthPlaceCode: '2A004', birthDate: '1990-01-01' },
        TODAY,
      ),
    ).toEqual([]);
    expect(identityTraitsErrors({ ...complete, birthPlaceCode: '99352' }, TODAY)).toEqual([]);
    expect(identityTraitsErrors({ ...complete, birthName: "N'Diaye" }, TODAY)).toEqual([]);
  });

  it('names every missing trait, in French', () => {
    expect(identityTraitsErrors({}, TODAY)).toEqual([
      { trait: 'birthName', message: 'Le nom de naissance est obligatoire.' },
      { trait: 'firstNames', message: 'Le ou les prénoms de naissance sont obligatoires.' },
      { trait: 'sex', message: 'Le sexe est obligatoire (F, M ou I pour indéterminé).' },
      { trait: 'birthDate', message: 'La date de naissance est obligatoire.' },
      {
        trait: 'birthPlaceCode',
        message:
          'Le code du lieu de naissance est obligatoire (code INSEE de la commune, ou 99 + code du pays).',
      },
    ]);
    expect(identityTraitsErrors({ ...complete, birthName: '   ' }, TODAY)).toEqual([
      { trait: 'birthName', message: 'Le nom de naissance est obligatoire.' },
    ]);
  });

  const only = (input: Record<string, string>) =>
    identityTraitsErrors({ ...complete, ...input }, TODAY);

  it('refuses digits and stray characters in names', () => {
    expect(only({ birthName: 'Dupont2' })).toEqual([
      { trait: 'birthName', message: 'Le nom de naissance ne doit pas contenir de chiffres.' },
    ]);
    expect(only({ firstNames: 'Jean.' })[0]?.message).toBe(
      'Le ou les prénoms de naissance contient un caractère non autorisé : « . » (lettres, espaces, tirets et apostrophes seulement).',
    );
  });

  it('refuses a sex other than F, M or I', () => {
    expect(only({ sex: 'X' })).toEqual([
      { trait: 'sex', message: "Le sexe « X » n'est pas reconnu : F, M ou I (indéterminé)." },
    ]);
    expect(only({ sex: 'I' })).toEqual([]);
  });

  it('refuses an impossible, future or pre-1900 birth date', () => {
    expect(only({ birthDate: '1960-02-30' })).toEqual([
      {
        trait: 'birthDate',
        message: "La date de naissance « 1960-02-30 » n'est pas une date valide.",
      },
    ]);
    expect(only({ birthDate: '12/03/1960' })[0]?.trait).toBe('birthDate');
    expect(only({ birthDate: '2025-06-16' })).toEqual([
      { trait: 'birthDate', message: 'La date de naissance est dans le futur.' },
    ]);
    expect(only({ birthDate: TODAY })).toEqual([]);
    expect(only({ birthDate: '1899-12-31' })).toEqual([
      {
        trait: 'birthDate',
        message: 'La date de naissance est antérieure à 1900 : vérifier l’année.',
      },
    ]);
    expect(only({ birthDate: '1900-01-01' })).toEqual([]);
  });

  it('refuses a birth place code of the wrong shape', () => {
    expect(only({ birthPlaceCode: '7218' })).toEqual([
      {
        trait: 'birthPlaceCode',
        message:
          'Le code du lieu de naissance doit comporter 5 caractères (code INSEE) : 4 saisis.',
      },
    ]);
    expect(only({ birthPlaceCode: '7218A' })[0]?.message).toBe(
      'Le code du lieu de naissance doit être composé de 5 chiffres, ou de 2A/2B suivi de 3 chiffres pour la Corse.',
    );
    expect(only({ birthPlaceCode: '2a004' })[0]?.message).toBe(
      'Le code du lieu de naissance doit écrire la Corse en majuscules : 2A ou 2B.',
    );
    expect(only({ birthPlaceCode: '00123' })[0]?.message).toBe(
      'Le code du lieu de naissance ne peut pas commencer par 00.',
    );
  });

  it('refuses France (99100) as a birth place and takes a foreign country or « inconnu »', () => {
    expect(only({ birthPlaceCode: '99100' })).toEqual([
      {
        trait: 'birthPlaceCode',
        message:
          'Le code 99100 (France) ne sert pas de lieu de naissance : indiquer le code INSEE de la commune de naissance.',
      },
    ]);
    expect(only({ birthPlaceCode: '99352' })).toEqual([]);
    expect(only({ birthPlaceCode: '99999' })).toEqual([]);
  });

  it('wants 2A/2B for Corsica from 1976 on, and accepts 20 before', () => {
    expect(only({ birthPlaceCode: '20004', birthDate: '1980-05-05' })[0]?.message).toBe(
      'Pour une naissance en Corse depuis 1976, le code du lieu de naissance commence par 2A ou 2B, pas 20.',
    );
    expect(only({ birthPlaceCode: '20004', birthDate: '1960-05-05' })).toEqual([]);
  });

  it('knows real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate('2023-1-01')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2023-04-31')).toBe(false);
  });
});

describe('identity status', () => {
  const ctx = (online: boolean, idDocumentChecked: boolean, insiQualified: boolean) => ({
    online,
    idDocumentChecked,
    insiQualified,
  });

  it('always allows provisoire', () => {
    expect(canSetStatus('provisoire', ctx(false, false, false))).toEqual({ ok: true });
  });

  it('allows validée only after an ID document check, online or not', () => {
    expect(canSetStatus('validee', ctx(false, true, false))).toEqual({ ok: true });
    expect(canSetStatus('validee', ctx(true, false, true))).toEqual({
      ok: false,
      reason:
        'Le statut « validée » exige le contrôle d’une pièce d’identité à haut niveau de confiance (carte d’identité, passeport ou titre de séjour).',
    });
  });

  it('refuses qualifiée offline with a clear reason, whatever else is true', () => {
    const r = canSetStatus('qualifiee', ctx(false, true, true));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain('ne peut pas être qualifiée hors ligne');
      expect(r.reason).toContain('INSi');
    }
  });

  it('qualifiée needs both the INSi answer and the ID document', () => {
    expect(canSetStatus('qualifiee', ctx(true, true, true))).toEqual({ ok: true });
    expect(canSetStatus('qualifiee', ctx(true, false, true)).ok).toBe(false);
    expect(canSetStatus('qualifiee', ctx(true, true, false)).ok).toBe(false);
  });

  it('récupérée only comes from an INSi answer', () => {
    expect(canSetStatus('recuperee', ctx(true, false, true))).toEqual({ ok: true });
    expect(canSetStatus('recuperee', ctx(true, true, false))).toEqual({
      ok: false,
      reason:
        'Le statut « récupérée » est réservé aux identités renvoyées par le téléservice INSi.',
    });
    const offline = canSetStatus('recuperee', ctx(false, true, true));
    expect(offline.ok).toBe(false);
  });

  it('offline, never allows more than provisoire and validée', () => {
    expect([...allowedStatusesOffline]).toEqual(['provisoire', 'validee']);
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (doc, insi) => {
        const allowed = allowedStatuses(ctx(false, doc, insi));
        for (const s of allowed) expect(allowedStatusesOffline).toContain(s);
        expect(allowed.includes('validee')).toBe(doc);
      }),
    );
    const all: IdentityStatus[] = ['provisoire', 'recuperee', 'validee', 'qualifiee'];
    expect(allowedStatuses(ctx(true, true, true))).toEqual(all);
  });
});

describe('birth date relation', () => {
  it('recognises the same date, swapped day and month, and one-digit slips', () => {
    expect(birthDateRelation('1960-03-12', '1960-03-12')).toBe('same');
    expect(birthDateRelation('1960-03-12', '1960-12-03')).toBe('swapped');
    expect(birthDateRelation('1960-03-12', '1960-03-13')).toBe('typo');
    expect(birthDateRelation('1960-03-12', '1906-03-12')).toBe('typo');
    expect(birthDateRelation('1960-03-12', '1961-04-12')).toBe('other');
    expect(birthDateRelation('1960-03-12', '1960-03-21')).toBe('typo');
    expect(birthDateRelation('1960-03-12', '1970-05-12')).toBe('other');
  });
});

describe('duplicateScore', () => {
  it('calls the same NIR a certain duplicate, whatever the rest says', () => {
    const a = person('a', { nir: '1 60 03 72 181 012 51' });
    const b = person('b', {
      birthName: 'Martin',
      firstNames: 'Paul',
      birthDate: '1970-01-01',
      nir: '160037218101251',
    });
    expect(duplicateScore(a, b)).toEqual({
      score: 1,
      reasons: [{ code: 'same_nir', message: 'Même NIR : même personne' }],
    });
  });

  it('does not see accents, case or hyphens', () => {
    const a = person('a', { birthName: 'Lefèvre-Durand', firstNames: 'Jean-Éric' });
    const b = person('b', { birthName: 'LEFEVRE DURAND', firstNames: 'jean eric' });
    expect(duplicateScore(a, b).score).toBe(1);
  });

  it('tolerates a typo in the name, with a lower score', () => {
    const r = duplicateScore(jean, person('b', { birthName: 'Dupond' }));
    expect(r.score).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
    expect(r.score).toBeLessThan(1);
    expect(r.reasons.map((x) => x.code)).toContain('birth_name_typo');
  });

  it('two typos only for names of 8 letters or more', () => {
    // (another birth place, so that only the names can make the match)
    const elsewhere = { birthPlaceCode: '72264' };
    const long = person('a', { birthName: 'Vandenberghe' });
    expect(
      duplicateScore(long, person('b', { ...elsewhere, birthName: 'Vandenbergue' })).score,
    ).toBeGreaterThan(0);
    expect(
      duplicateScore(long, person('b', { ...elsewhere, birthName: 'Vamdenbergue' })).score,
    ).toBeGreaterThan(0);
    expect(
      duplicateScore(long, person('b', { ...elsewhere, birthName: 'Vamdenbirgue' })).score,
    ).toBe(0);
    expect(
      duplicateScore(jean, person('b', { ...elsewhere, birthName: 'Dupond' })).score,
    ).toBeGreaterThan(0);
    expect(duplicateScore(jean, person('b', { ...elsewhere, birthName: 'Dubomt' })).score).toBe(0);
  });

  it('matches a birth name against the other record’s used name', () => {
    const married = person('a', {
      birthName: 'Martin',
      usedName: 'Dupont',
      firstNames: 'Claire',
      sex: 'F',
    });
    const typedAsBirth = person('b', { birthName: 'Dupont', firstNames: 'Claire', sex: 'F' });
    const r = duplicateScore(married, typedAsBirth);
    expect(r.score).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
    expect(r.reasons.map((x) => x.code)).toContain('name_cross');
  });

  it('compares first names by the first one and the full list', () => {
    expect(
      duplicateScore(jean, person('b', { firstNames: 'Jean' })).reasons.map((x) => x.code),
    ).toContain('first_name_first');
    expect(duplicateScore(jean, person('b', { firstNames: 'Jaen Marc' })).score).toBeGreaterThan(0);
    expect(duplicateScore(jean, person('b', { firstNames: 'Paul' })).score).toBe(0);
  });

  it('does not take twins (same name and date, other first names) for duplicates', () => {
    expect(duplicateScore(jean, person('b', { firstNames: 'Pierre Louis' })).score).toBe(0);
  });

  it('still suspects identical names with a swapped or mistyped birth date, less strongly', () => {
    const same = duplicateScore(jean, person('b')).score;
    const swapped = duplicateScore(jean, person('b', { birthDate: '1960-12-03' }));
    const typo = duplicateScore(jean, person('b', { birthDate: '1960-03-13' }));
    expect(swapped.score).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
    expect(swapped.score).toBeLessThan(same);
    expect(swapped.reasons.map((x) => x.code)).toContain('birth_date_swapped');
    expect(typo.score).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
    expect(typo.reasons.map((x) => x.code)).toContain('birth_date_typo');
  });

  it('does not combine a fuzzy date with fuzzy names', () => {
    expect(
      duplicateScore(jean, person('b', { birthName: 'Dupond', birthDate: '1960-12-03' })).score,
    ).toBe(0);
  });

  it('lowers the score when the sex or the birth place differ', () => {
    const same = duplicateScore(jean, person('b')).score;
    const sex = duplicateScore(jean, person('b', { sex: 'F' }));
    const place = duplicateScore(jean, person('b', { birthPlaceCode: '72264' }));
    expect(sex.score).toBeLessThan(same);
    expect(sex.reasons.map((x) => x.code)).toContain('sex_differs');
    expect(place.score).toBeLessThan(same);
    expect(place.score).toBeGreaterThanOrEqual(DEFAULT_DUPLICATE_THRESHOLD);
  });

  it('suspects a name-only difference when everything else is identical', () => {
    const r = duplicateScore(jean, person('b', { birthName: 'Bernard' }));
    expect(r.score).toBeGreaterThan(0);
    expect(r.reasons.map((x) => x.code)).toContain('names_differ');
    expect(
      duplicateScore(jean, person('b', { birthName: 'Bernard', birthPlaceCode: '72264' })).score,
    ).toBe(0);
  });

  const letters = (alphabet: string, min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
  const date = fc
    .date({
      min: new Date('1920-01-01T00:00:00Z'),
      max: new Date('2020-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it('property: one wrong letter in a long name still flags the duplicate', () => {
    const typo = fc.tuple(
      letters('abcdefghijklmnopqrstuvwxyz', 8, 16),
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'substitute', 'transpose'),
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    );
    fc.assert(
      fc.property(
        typo,
        letters('abcdefghij', 3, 8),
        date,
        ([name, n, kind, c], first, birthDate) => {
          const i = n % name.length;
          let typed: string;
          if (kind === 'insert') typed = name.slice(0, i) + c + name.slice(i);
          else if (kind === 'delete') typed = name.slice(0, i) + name.slice(i + 1);
          else if (kind === 'substitute') typed = name.slice(0, i) + c + name.slice(i + 1);
          else {
            const j = Math.min(i, name.length - 2);
            typed = name.slice(0, j) + name[j + 1] + name[j] + name.slice(j + 2);
          }
          const original = person('orig', {
            birthName: name.toUpperCase(),
            firstNames: first,
            birthDate,
          });
          const candidate = { ...original, id: 'new', birthName: typed };
          expect(duplicateScore(candidate, original).score).toBeGreaterThanOrEqual(
            DEFAULT_DUPLICATE_THRESHOLD,
          );
          expect(ids(findLikelyDuplicates(candidate, [original]))).toEqual(['orig']);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: different birth dates and different names never match', () => {
    fc.assert(
      fc.property(
        letters('abcdefghijklm', 3, 12),
        letters('abcdefghijklm', 3, 10),
        letters('nopqrstuvwxyz', 3, 12),
        letters('nopqrstuvwxyz', 3, 10),
        date,
        date,
        fc.constantFrom('F', 'M'),
        (nameA, firstA, nameB, firstB, dateA, dateB, sex) => {
          fc.pre(dateA !== dateB);
          const a = person('a', { birthName: nameA, firstNames: firstA, birthDate: dateA, sex });
          const b = person('b', { birthName: nameB, firstNames: firstB, birthDate: dateB, sex });
          expect(duplicateScore(a, b).score).toBe(0);
          expect(findLikelyDuplicates(a, [b], { threshold: 0.01 })).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('findLikelyDuplicates', () => {
  const registry = [
    person('exact'),
    person('typo', { birthName: 'Dupond' }),
    person('swapped', { birthDate: '1960-12-03' }),
    person('other', { birthName: 'Martin', firstNames: 'Paul', birthDate: '1970-01-01' }),
    person('twin', { firstNames: 'Pierre' }),
  ];

  it('returns the suspects best first, with their reasons', () => {
    const found = findLikelyDuplicates({ ...jean, id: undefined }, registry);
    expect(ids(found)).toEqual(['exact', 'typo', 'swapped']);
    expect(found[0]?.score).toBe(1);
    expect(found[0]?.reasons.map((r) => r.code)).toEqual([
      'birth_name_exact',
      'first_names_exact',
      'birth_date_same',
      'birth_place_same',
    ]);
  });

  it('honours threshold and limit, and never lists the candidate itself', () => {
    expect(ids(findLikelyDuplicates(jean, registry, { threshold: 0.8 }))).toEqual([
      'exact',
      'typo',
    ]);
    expect(ids(findLikelyDuplicates(jean, registry, { limit: 1 }))).toEqual(['exact']);
    expect(ids(findLikelyDuplicates(person('exact'), registry))).toEqual(['typo', 'swapped']);
  });

  it('gives the same answer from a search index', () => {
    const index = buildSearchIndex(registry);
    expect(findLikelyDuplicates(jean, index)).toEqual(findLikelyDuplicates(jean, registry));
  });
});

describe('parseSearchQuery', () => {
  it('reads names, dates in several spellings, years, day/month and NIRs', () => {
    expect(parseSearchQuery('DUPONT 12/03/1960')).toMatchObject({
      words: ['dupont'],
      dates: [['1960-03-12']],
    });
    expect(parseSearchQuery('12031960').dates).toEqual([['1960-03-12']]);
    expect(parseSearchQuery('1960-03-12').dates).toEqual([['1960-03-12']]);
    expect(parseSearchQuery('12 03 1960').dates).toEqual([['1960-03-12']]);
    expect(parseSearchQuery('12-3-60').dates).toEqual([['1960-03-12', '2060-03-12']]);
    expect(parseSearchQuery('Jean-Pierre 1960')).toMatchObject({
      words: ['jean', 'pierre'],
      years: [1960],
    });
    expect(parseSearchQuery('martin 12/03')).toMatchObject({
      words: ['martin'],
      dayMonths: ['03-12'],
    });
    expect(parseSearchQuery('1 85 05 78 006 084 91').nirPrefixes).toEqual(['185057800608491']);
  });

  it('reads the start of a NIR typed with the card’s spaces, unless it is also a date', () => {
    // « 2 37 08 » as printed on the card: no date has a 37th month.
    expect(parseSearchQuery('2 37 08')).toMatchObject({ nirPrefixes: ['23708'], dates: [] });
    expect(parseSearchQuery('1 84 05 2a 012').nirPrefixes).toEqual(['184052A012']);
    expect(parseSearchQuery('2  37 08 72').nirPrefixes).toEqual(['2370872']);
    // « 1 12 60 » is 1 December 1960 as much as a NIR start: a date, as reception means it.
    expect(parseSearchQuery('1 12 60')).toMatchObject({
      dates: [['1960-12-01', '2060-12-01']],
      nirPrefixes: [],
    });
  });

  it('keeps what it cannot read, so that the search finds nothing rather than too much', () => {
    expect(parseSearchQuery('dupont 31/02/1960').dates).toEqual([[]]);
    expect(parseSearchQuery('dupont 12').unread).toEqual(['12']);
    expect(searchPatients('dupont 12', [jean])).toEqual([]);
  });
});

describe('search', () => {
  it('finds a patient from the first groups of the NIR typed as on the card', () => {
    const odile = person('odile', {
      birthName: 'Chevallier',
      firstNames: 'Odile',
      sex: 'F',
      birthDate: '1937-08-22',
      nir: '237087218900505',
    });
    expect(searchPatients('2 37 08', [jean, odile]).map((h) => h.record.id)).toEqual(['odile']);
    expect(searchPatients('2 37 08 72 189', [jean, odile]).map((h) => h.record.id)).toEqual([
      'odile',
    ]);
  });

  const registry: IdentityRecord[] = [
    jean,
    person('dupontel', { birthName: 'Dupontel', firstNames: 'Jean' }),
    person('dupond', {
      birthName: 'Dupond',
      firstNames: 'Jeanne',
      sex: 'F',
      birthDate: '1971-08-30',
    }),
    person('married', {
      birthName: 'Martin',
      usedName: 'Dupont',
      firstNames: 'Claire Élodie',
      sex: 'F',
      birthDate: '1982-01-05',
      nir: '282017218100562',
    }),
    person('legall', { birthName: 'Le Gall', firstNames: 'Yann', birthDate: '1990-07-14' }),
  ];

  it('finds by name and first name, exact before prefix before typo', () => {
    const hits = searchPatients('dupont jean', registry);
    expect(ids(hits)).toEqual(['p-jean', 'dupontel', 'dupond']);
    expect(hits.map((h) => h.match)).toEqual(['exact', 'prefix', 'fuzzy']);
  });

  it('finds by the used name and ignores case and accents', () => {
    expect(ids(searchPatients('DUPONT ÉLODIE', registry))).toEqual(['married']);
    expect(ids(searchPatients('martin claire', registry))).toEqual(['married']);
  });

  it('combines name words and a date (AND)', () => {
    expect(ids(searchPatients('DUPONT 12/03/1960', registry))).toEqual(['p-jean', 'dupontel']);
    expect(ids(searchPatients('dupont 1982-01-05', registry))).toEqual(['married']);
    expect(searchPatients('dupont 01/01/2000', registry)).toEqual([]);
  });

  it('finds by birth date alone, in any spelling', () => {
    for (const q of ['12031960', '12/03/1960', '1960-03-12', '12.03.1960', '12 03 1960']) {
      expect(ids(searchPatients(q, registry)).sort()).toEqual(['dupontel', 'p-jean']);
    }
  });

  it('finds by NIR, whole or begun, spaced or not', () => {
    expect(ids(searchPatients('2 82 01 72 181 005 62', registry))).toEqual(['married']);
    expect(ids(searchPatients('282017218', registry))).toEqual(['married']);
    expect(searchPatients('182017218', registry)).toEqual([]);
  });

  it('finds compound names typed without their space, and by prefix', () => {
    expect(ids(searchPatients('legall', registry))).toEqual(['legall']);
    expect(ids(searchPatients('le gal', registry))).toEqual(['legall']);
    expect(ids(searchPatients('dup', registry, { limit: 2 }))).toHaveLength(2);
  });

  it('tolerates one typo only in words of 4 letters or more', () => {
    expect(ids(searchPatients('dupomt', registry))).toContain('p-jean');
    expect(searchPatients('lw', registry)).toEqual([]);
    // « yqn » is one edit from « yan », the start of « yann », but has only 3 letters
    expect(searchPatients('yqn', registry)).toEqual([]);
    expect(searchPatients('yzmn', registry)).toEqual([]);
    expect(ids(searchPatients('yqnn', registry))).toEqual(['legall']);
  });

  it('returns nothing for an empty query', () => {
    expect(searchPatients('   ', registry)).toEqual([]);
  });

  it('follows updates and removals of the index', () => {
    const index = buildSearchIndex(registry);
    updateIndex(index, { ...jean, birthName: 'Durand' });
    expect(ids(searchIndex(index, 'dupont jean'))).toEqual(['dupontel', 'dupond']);
    expect(ids(searchIndex(index, 'durand 12/03/1960'))).toEqual(['p-jean']);
    removeFromIndex(index, 'dupontel');
    expect(ids(searchIndex(index, '12/03/1960'))).toEqual(['p-jean']);
    updateIndex(index, person('new', { birthName: 'Zola', firstNames: 'Émile' }));
    expect(ids(searchIndex(index, 'zola'))).toEqual(['new']);
    expect(index.entries).toHaveLength(5);
    removeFromIndex(index, 'unknown');
    expect(index.entries).toHaveLength(5);
  });

  const FIRST = [
    'jean',
    'marie',
    'pierre',
    'nathalie',
    'michel',
    'isabelle',
    'andré',
    'chloé',
    'léa',
    'hugo',
  ];
  const NAMES = [
    'martin',
    'bernard',
    'thomas',
    'petit',
    'robert',
    'richard',
    'durand',
    'dubois',
    'moreau',
    'lefèvre',
  ];

  it('property: finds an identity by a folded prefix of its name and its birth date among many', () => {
    const identity = fc.record({
      birthName: fc.oneof(
        fc.constantFrom(...NAMES),
        fc.string({
          unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzéè'),
          minLength: 3,
          maxLength: 12,
        }),
      ),
      firstNames: fc.constantFrom(...FIRST),
      birthDate: fc
        .date({
          min: new Date('1930-01-01T00:00:00Z'),
          max: new Date('2020-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
      sex: fc.constantFrom('F', 'M'),
    });
    fc.assert(
      fc.property(
        fc.array(identity, { minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 3, max: 12 }),
        fc.boolean(),
        (people, pick, prefixLength, upper) => {
          const registry = people.map((p, i) => ({ ...p, id: `id-${i}`, birthPlaceCode: '72181' }));
          const target = registry[pick % registry.length]!;
          let prefix = target.birthName.slice(0, prefixLength);
          if (upper) prefix = prefix.toUpperCase();
          const [y, m, d] = target.birthDate.split('-');
          const hits = searchPatients(`${prefix} ${d}/${m}/${y}`, registry, { limit: 300 });
          expect(ids(hits)).toContain(target.id);
        },
      ),
      { numRuns: 100 },
    );
  });

  // Speed is measured by `npm run bench` (search.p95_ms_50k), never by a timed test.
  it('finds an identity among 50,000 by name, by name and birth date, and by birth date', () => {
    // Deterministic pseudo-random registry (mulberry32).
    let seed = 42;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const syllables = [
      'ber',
      'nard',
      'mo',
      'reau',
      'du',
      'pont',
      'le',
      'fè',
      'vre',
      'gar',
      'nier',
      'rou',
      'sseau',
      'ma',
      'thieu',
    ];
    const big: IdentityRecord[] = [];
    for (let i = 0; i < 50_000; i++) {
      const name = pick(syllables) + pick(syllables) + (rand() < 0.5 ? pick(syllables) : '');
      const y = 1930 + Math.floor(rand() * 90);
      const m = 1 + Math.floor(rand() * 12);
      const d = 1 + Math.floor(rand() * 28);
      big.push({
        id: `p${i}`,
        birthName: name,
        usedName: rand() < 0.2 ? pick(NAMES) : null,
        firstNames: `${pick(FIRST)} ${pick(FIRST)}`,
        sex: pick(['F', 'M']),
        birthDate: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        birthPlaceCode: '72181',
      });
    }
    const target = big[31_337]!;
    const [y, m, d] = target.birthDate.split('-');
    const index = buildSearchIndex(big);
    const queries = [
      `${target.birthName} ${target.firstNames.split(' ')[0]}`,
      `${target.birthName.toUpperCase()} ${d}/${m}/${y}`,
      `${d}${m}${y}`,
      target.birthName.slice(0, 3),
      `${target.birthName.slice(0, 2)}x${target.birthName.slice(3)}`,
      'martin jean',
      'jean',
      'zzzz',
    ];
    for (const q of queries) {
      const hits = searchIndex(index, q, 20);
      expect(hits.length).toBeLessThanOrEqual(20);
      if (q.includes(`${d}/${m}/${y}`) || q === `${d}${m}${y}`)
        expect(ids(hits)).toContain(target.id);
    }
    expect(searchIndex(index, 'zzzz', 20)).toEqual([]);
  });
});
