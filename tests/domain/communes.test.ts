// The place picker's index (src/domain/communes.ts) over the shipped file built from
// @etalab/decoupage-administratif: a commune found by its name without accents or hyphens, a
// former commune (déléguée) under its own code, arrondissements, overseas departments, and a
// department number that narrows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCommunes, normaliseName, searchCommunes } from '../../src/domain/communes';

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
});
