// The place picker's index (src/domain/communes.ts) over the shipped file built from
// @etalab/decoupage-administratif and INSEE's list of countries: a commune found by its name
// without accents or hyphens, a former commune (déléguée) under its own code, arrondissements,
// overseas departments, a department number that narrows; a foreign country by its name, its
// official name or its code, for the birth place only, and never France.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isCountry,
  loadCommunes,
  normaliseName,
  placeByCode,
  searchCommunes,
  searchPlaces,
} from '../../src/domain/communes';

const index = loadCommunes(JSON.parse(readFileSync('public/geo/communes.json', 'utf8')));
const codes = (q: string, limit?: number) => searchCommunes(index, q, limit).map((c) => c.code);

describe('the commune index', () => {
  it('holds the communes of the package with their kind', () => {
    expect(index.source).toMatch(/^@etalab\/decoupage-administratif \d/);
    expect(index.communes.length).toBeGreaterThan(34_000);
    expect(index.communes.some((c) => c.kind === 'd')).toBe(true);
    expect(index.communes.some((c) => c.kind === 'a')).toBe(true);
  });

  it('normalises accents, hyphens, apostrophes and « St »', () => {
    expect(normaliseName('St-Étienne-de-l’Olm')).toBe('saint etienne de l olm');
  });

  it('finds a commune by name, the exact one first', () => {
    expect(searchCommunes(index, 'le mans')[0]).toMatchObject({
      code: '72181',
      name: 'Le Mans',
      department: '72',
    });
    expect(codes('saint etienne')).toContain('42218');
    expect(searchCommunes(index, 'st etienne 42')[0]?.code).toBe('42218');
  });

  it('finds municipal arrondissements and overseas communes', () => {
    expect(codes('marseille 13', 20)).toContain('13201');
    expect(searchCommunes(index, 'pointe a pitre')[0]).toMatchObject({
      code: '97120',
      department: '971',
    });
  });

  it('finds a former commune under its own code', () => {
    const former = index.communes.find((c) => c.kind === 'd' && c.name === 'Arbignieu');
    expect(former?.code).toBe('01015');
    expect(codes('arbignieu')).toContain('01015');
  });

  it('asks for two characters at least and caps the list', () => {
    expect(searchCommunes(index, 'a')).toEqual([]);
    expect(searchCommunes(index, 'saint', 8)).toHaveLength(8);
  });

  it('holds INSEE’s countries and territories, France excepted', () => {
    expect(index.countriesSource).toMatch(/^INSEE, pays et territoires étrangers/);
    expect(index.countries.length).toBeGreaterThan(200);
    expect(index.countries.every((c) => /^99\d{3}$/.test(c.code))).toBe(true);
    expect(index.countries.find((c) => c.code === '99100')).toBeUndefined();
    expect(index.countries.find((c) => c.code === '99352')).toMatchObject({
      name: 'Algérie',
      kind: 'p',
    });
    expect(index.countries.find((c) => c.code === '99230')).toMatchObject({
      name: 'Hong Kong',
      kind: 't',
    });
  });

  it('finds a country by name without accents, by official name or by code', () => {
    const places = (q: string) => searchPlaces(index, q, { countries: true });
    expect(places('algerie')[0]).toMatchObject({ code: '99352', name: 'Algérie' });
    expect(places('ALGÉRIE')[0]?.code).toBe('99352');
    expect(places('republique tcheque')[0]).toMatchObject({ code: '99116', name: 'Tchéquie' });
    expect(places('etats unis')[0]?.code).toBe('99404');
    expect(places('99352').map((p) => p.code)).toEqual(['99352']);
    expect(places('cote d ivoire')[0]?.code).toBe('99326');
    expect(isCountry(places('maroc')[0]!)).toBe(true);
  });

  it('keeps communes and countries together, each ranked by its name', () => {
    const places = searchPlaces(index, 'le mans', { countries: true });
    expect(places[0]?.code).toBe('72181');
    expect(searchPlaces(index, 'france', { countries: true }).some(isCountry)).toBe(false);
  });

  it('offers no country for the commune of residence', () => {
    expect(searchPlaces(index, 'algerie', { countries: false })).toEqual([]);
    expect(searchCommunes(index, 'maroc').some((p) => isCountry(p))).toBe(false);
  });

  it('reads a file without countries (an older index) as communes only', () => {
    const old = loadCommunes({ source: 'x', communes: [['72181', 'Le Mans', 'c']] });
    expect(old.countries).toEqual([]);
    expect(searchPlaces(old, 'le mans', { countries: true })[0]?.code).toBe('72181');
  });

  it('names a recorded code: a country, or the current commune rather than a former one', () => {
    expect(placeByCode(index, '99352')?.name).toBe('Algérie');
    expect(placeByCode(index, '72181')?.name).toBe('Le Mans');
    // 01015 is both Arboys en Bugey and its commune déléguée Arbignieu: the current one names it.
    expect(placeByCode(index, '01015')).toMatchObject({ name: 'Arboys en Bugey', kind: 'c' });
    expect(placeByCode(index, '01039')).toMatchObject({ name: 'Béon', kind: 'd' });
    expect(placeByCode(index, '99100')).toBeUndefined();
    expect(placeByCode(index, '00000')).toBeUndefined();
  });
});
