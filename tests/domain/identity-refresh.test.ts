// The reception's search index updated in place (refreshIndex): after any sequence of patients
// written, corrected, pulled or gone, it answers every query as an index built afresh would, and
// it re-indexes only the identities that changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSearchIndex,
  type IdentityRecord,
  refreshIndex,
  searchIndex,
} from '../../src/domain/identity';

const NAMES = ['Dupont', 'Martin', 'Le Goff', 'Morvan', 'Benali', 'Durand'];
const FIRSTS = ['Jean', 'Marie', 'Inès', 'Hélène', 'Yann', 'Jean Marc'];
const DATES = ['1960-03-12', '1975-11-02', '2001-07-30', '1948-01-09'];
const QUERIES = [
  'dup',
  'martin jean',
  'le goff',
  'morvan',
  'ines',
  'helene',
  '12/03/1960',
  '1975',
  'jean',
  'benali ines',
];

const record = fc.record({
  id: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'),
  birthName: fc.constantFrom(...NAMES),
  usedName: fc.option(fc.constantFrom(...NAMES), { nil: null }),
  firstNames: fc.constantFrom(...FIRSTS),
  usedFirstName: fc.constant(null),
  sex: fc.constantFrom('M' as const, 'F' as const),
  birthDate: fc.constantFrom(...DATES),
  birthPlaceCode: fc.constant('72181'),
  nir: fc.constant(null),
}) as fc.Arbitrary<IdentityRecord>;

/** A registry: one record per id (the last wins), in a shuffled order. */
const registry = fc
  .array(record, { maxLength: 12 })
  .map((rs) => [...new Map(rs.map((r) => [r.id, r])).values()]);

const answers = (index: ReturnType<typeof buildSearchIndex>) =>
  QUERIES.map((q) => searchIndex(index, q).map((h) => [h.record.id, h.score]));

describe('refreshIndex', () => {
  it('answers as a fresh index after any sequence of registries', () => {
    fc.assert(
      fc.property(registry, fc.array(registry, { minLength: 1, maxLength: 5 }), (first, later) => {
        const index = buildSearchIndex(first);
        for (const next of later) {
          refreshIndex(index, next);
          expect(answers(index)).toEqual(answers(buildSearchIndex(next)));
          expect(index.byId.size).toBe(next.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('re-indexes only what changed: nothing for the same rows read again, one for one patient', () => {
    const rows: IdentityRecord[] = Array.from({ length: 500 }, (_, i) => ({
      id: `p${i}`,
      birthName: NAMES[i % NAMES.length]!,
      usedName: null,
      firstNames: FIRSTS[i % FIRSTS.length]!,
      usedFirstName: null,
      sex: 'F',
      birthDate: DATES[i % DATES.length]!,
      birthPlaceCode: '72181',
      nir: null,
    }));
    const index = buildSearchIndex(rows);
    // The live query reads every row again: new objects, same values.
    expect(
      refreshIndex(
        index,
        rows.map((r) => ({ ...r })),
      ),
    ).toBe(0);
    const corrected = rows.map((r) => (r.id === 'p7' ? { ...r, birthName: 'Kerbrat' } : { ...r }));
    expect(refreshIndex(index, corrected)).toBe(1);
    expect(searchIndex(index, 'kerbrat').map((h) => h.record.id)).toEqual(['p7']);
    expect(refreshIndex(index, [...corrected, { ...rows[0]!, id: 'p-new' }])).toBe(1);
    expect(refreshIndex(index, corrected.slice(1))).toBe(2); // p0 and p-new gone
    expect(index.byId.has('p0')).toBe(false);
  });
});
