// The reception's index kept by changes (issue 18 §7): after any sequence of patients written,
// corrected, deleted, merged or unmerged, the index patched with the changed rows only
// (patchIndex, with indexDelta and mergeFlips choosing what to patch) answers every query as an
// index built afresh over the registry allPatients would read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSearchIndex,
  type HeldIdentity,
  indexDelta,
  mergeFlips,
  patchIndex,
  type SearchIndex,
  searchIndex,
  survivorsStay,
  type WrittenIdentity,
} from '../../src/domain/identity';
import { survivorMap } from '../../src/domain/identity-lifecycle';

type Row = HeldIdentity & { mergedInto?: string | null };

const IDS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
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
  'durnd',
  '02/11',
];

const identity = fc.record({
  id: fc.constantFrom(...IDS),
  birthName: fc.constantFrom(...NAMES),
  usedName: fc.option(fc.constantFrom(...NAMES), { nil: null }),
  firstNames: fc.constantFrom(...FIRSTS),
  usedFirstName: fc.option(fc.constantFrom(...FIRSTS), { nil: null }),
  sex: fc.constantFrom('M', 'F'),
  birthDate: fc.constantFrom(...DATES),
  birthPlaceCode: fc.constant('72181'),
  nir: fc.constant(null),
});

/** One change to the stored registry, as a write, a pull or a purge leaves it. */
type Action =
  | { kind: 'put'; row: Row }
  | { kind: 'gone'; id: string }
  | { kind: 'deleted'; id: string }
  | { kind: 'merge'; id: string; into: string }
  | { kind: 'unmerge'; id: string };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: identity.map((row) => ({ kind: 'put' as const, row })) },
  fc.constantFrom(...IDS).map((id) => ({ kind: 'gone' as const, id })),
  fc.constantFrom(...IDS).map((id) => ({ kind: 'deleted' as const, id })),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...IDS), fc.constantFrom(...IDS))
      .map(([id, into]) => ({ kind: 'merge' as const, id, into })),
  },
  fc.constantFrom(...IDS).map((id) => ({ kind: 'unmerge' as const, id })),
);

/** Applies an action to the stored rows; returns the id whose row changed, if any. */
function apply(rows: Map<string, Row>, a: Action): string | null {
  if (a.kind === 'put') {
    rows.set(a.row.id, { ...a.row, mergedInto: rows.get(a.row.id)?.mergedInto ?? null });
    return a.row.id;
  }
  const row = rows.get(a.id);
  if (!row) return null;
  if (a.kind === 'gone') rows.delete(a.id);
  else if (a.kind === 'deleted') rows.set(a.id, { ...row, _deleted: true });
  else if (a.kind === 'merge') rows.set(a.id, { ...row, mergedInto: a.into });
  else rows.set(a.id, { ...row, mergedInto: null });
  return a.id;
}

/** identitySurvivors' map: the merged rows and the targets held. */
function survivorsOf(rows: Map<string, Row>): Map<string, string> {
  const merged = [...rows.values()].filter((r) => r.mergedInto);
  const targets = merged.map((r) => rows.get(r.mergedInto!)).filter((r) => r !== undefined);
  return survivorMap([...new Map([...targets, ...merged].map((r) => [r.id, r])).values()]);
}

/** The ids merged rows point to, held or not (mergeGraph's targets). */
function targetsOf(rows: Map<string, Row>): Set<string> {
  return new Set([...rows.values()].flatMap((r) => (r.mergedInto ? [r.mergedInto] : [])));
}

/** What the hook's first read indexes: live rows not merged into another (allPatients). */
function listed(rows: Map<string, Row>): Row[] {
  const s = survivorsOf(rows);
  return [...rows.values()].filter((r) => !r._deleted && (s.get(r.id) ?? r.id) === r.id);
}

const answers = (index: SearchIndex<Row>) =>
  QUERIES.map((q) => searchIndex(index, q).map((h) => [h.record.id, h.score, h.match]));

describe('patchIndex with indexDelta and mergeFlips', () => {
  it('answers as an index built afresh after any sequence of batches of changes', () => {
    fc.assert(
      fc.property(
        fc.array(identity, { maxLength: 8 }),
        fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        (initial, batches) => {
          const rows = new Map<string, Row>(initial.map((r) => [r.id, { ...r, mergedInto: null }]));
          const index = buildSearchIndex(listed(rows));
          let survivors = survivorsOf(rows);
          for (const batch of batches) {
            const changed = new Set<string>();
            for (const a of batch) {
              const id = apply(rows, a);
              if (id) changed.add(id);
            }
            // What keepPatientIndex does: the survivor map again, then the changed rows by id.
            const after = survivorsOf(rows);
            const ids = [...new Set([...changed, ...mergeFlips(survivors, after)])];
            const delta = indexDelta(
              ids,
              ids.map((id) => rows.get(id)),
              after,
            );
            patchIndex(index, delta.upserts, delta.removedIds);
            survivors = after;
            const fresh = buildSearchIndex(listed(rows));
            expect(answers(index)).toEqual(answers(fresh));
            expect([...index.byId.keys()].sort()).toEqual([...fresh.byId.keys()].sort());
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('survivorsStay: patching from the rows a write left, without a read', () => {
  it('is said only when the survivor map stays, and then the patched index answers as a fresh one', () => {
    let taken = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(identity, { maxLength: 8 }),
        fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        (initial, batches) => {
          const rows = new Map<string, Row>(initial.map((r) => [r.id, { ...r, mergedInto: null }]));
          const index = buildSearchIndex(listed(rows));
          let survivors = survivorsOf(rows);
          let targets = targetsOf(rows);
          for (const batch of batches) {
            // What the committed transaction tells the keeper: each changed row as it left it.
            const written = new Map<string, WrittenIdentity>();
            for (const a of batch) {
              const id = apply(rows, a);
              if (id) written.set(id, rows.get(id) ?? null);
            }
            const after = survivorsOf(rows);
            if (survivorsStay(written, survivors, targets)) {
              taken += 1;
              expect(after).toEqual(survivors);
              const ids = [...written.keys()];
              const delta = indexDelta(
                ids,
                ids.map((id) => written.get(id) ?? undefined),
                survivors,
              );
              patchIndex(index, delta.upserts, delta.removedIds);
            } else {
              refused += 1;
              const ids = [...new Set([...written.keys(), ...mergeFlips(survivors, after)])];
              const delta = indexDelta(
                ids,
                ids.map((id) => rows.get(id)),
                after,
              );
              patchIndex(index, delta.upserts, delta.removedIds);
            }
            survivors = after;
            targets = targetsOf(rows);
            const fresh = buildSearchIndex(listed(rows));
            expect(answers(index)).toEqual(answers(fresh));
            expect([...index.byId.keys()].sort()).toEqual([...fresh.byId.keys()].sort());
          }
        },
      ),
      { numRuns: 500 },
    );
    // Both paths were exercised, the one without a read in a fair share of the batches.
    expect(taken).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });

  it('refuses when a merged row, a held target or an awaited target is written', () => {
    const row = (id: string, mergedInto: string | null = null): WrittenIdentity => ({
      id,
      birthName: 'Dupont',
      firstNames: 'Jean',
      sex: 'M',
      birthDate: '1960-03-12',
      mergedInto,
    });
    // a → b (b held), c → late (late not held yet).
    const survivors = new Map([
      ['a', 'b'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
    const targets = new Set(['b', 'late']);
    const stays = (id: string, r: WrittenIdentity) =>
      survivorsStay(new Map([[id, r]]), survivors, targets);
    expect(stays('new', row('new'))).toBe(true); // a registration
    expect(stays('new', null)).toBe(true); // a row nobody points to, gone
    expect(stays('new', row('new', 'b'))).toBe(false); // merged by this write
    expect(stays('a', row('a'))).toBe(false); // unmerged
    expect(stays('b', row('b'))).toBe(false); // a held target changed
    expect(stays('late', row('late'))).toBe(false); // the awaited target arrives
  });
});

describe('mergeFlips', () => {
  it('names the newly merged and the no longer merged, not the survivors', () => {
    const before = new Map([
      ['a', 'b'],
      ['b', 'b'],
    ]);
    const after = new Map([
      ['a', 'a'], // its target left: listed again
      ['c', 'd'], // newly merged
      ['d', 'd'],
    ]);
    expect(mergeFlips(before, after).sort()).toEqual(['a', 'c']);
    expect(mergeFlips(after, after)).toEqual([]);
  });
});

describe('indexDelta', () => {
  it('removes the gone, the deleted and the merged; keeps the others as read', () => {
    const row = (id: string, extra: Partial<Row> = {}): Row => ({
      id,
      birthName: 'Dupont',
      firstNames: 'Jean',
      sex: 'M',
      birthDate: '1960-03-12',
      ...extra,
    });
    const kept = row('a');
    const delta = indexDelta(
      ['a', 'b', 'c', 'd'],
      [kept, undefined, row('c', { _deleted: true }), row('d')],
      new Map([
        ['d', 'a'],
        ['a', 'a'],
      ]),
    );
    expect(delta.upserts).toEqual([kept]);
    expect(delta.removedIds).toEqual(['b', 'c', 'd']);
  });
});

describe('patchIndex', () => {
  it('changes only what differs and counts it', () => {
    const a = {
      id: 'a',
      birthName: 'Dupont',
      firstNames: 'Jean',
      sex: 'M',
      birthDate: '1960-03-12',
    };
    const index = buildSearchIndex([a, { ...a, id: 'b' }]);
    expect(patchIndex(index, [{ ...a }])).toBe(0); // same values read again
    expect(patchIndex(index, [{ ...a, birthName: 'Durand' }], ['b', 'unknown'])).toBe(2);
    expect(searchIndex(index, 'durand').map((h) => h.record.id)).toEqual(['a']);
    expect(searchIndex(index, 'dupont')).toEqual([]);
    expect(index.entries.length).toBe(1);
  });
});
