// The identity lifecycle (src/domain/identity-lifecycle.ts): correction with its history, RNIV
// qualification, the walk-in's provisional identity, merge through a pointer read at read time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entitySpec } from '../../src/domain/entities';
import { identityTraitsErrors } from '../../src/domain/identity';
import {
  type CorrectableIdentity,
  documentRefusal,
  effectiveIdentityStatus,
  followMerges,
  mergeGroup,
  planCorrection,
  planMerge,
  planQualification,
  resolveIdentity,
  strictDifferences,
  survivorMap,
  undoMergeRefusal,
  WALK_IN_DEFAULTS,
} from '../../src/domain/identity-lifecycle';
import { localDate } from '../../src/domain/time';
import { encodeHlc } from '../../src/sync/hlc';
import { applyOp, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

const TODAY = '2026-12-03';

const odile = (over: Partial<CorrectableIdentity> = {}): CorrectableIdentity & { id: string } => ({
  id: 'p-odile',
  birthName: 'CHEVALLIER',
  firstNames: 'Odile Marie',
  sex: 'F',
  birthDate: '1937-08-22',
  birthPlaceCode: '72189',
  usedName: null,
  usedFirstName: null,
  nir: null,
  identityStatus: 'validee',
  identityDocument: 'cni',
  identityAttributes: [],
  ...over,
});

describe('correction of a trait', () => {
  it('keeps each changed trait with its previous value, and nothing else', () => {
    const r = planCorrection(
      odile(),
      { birthName: ' CHEVALIER ', firstNames: 'Odile  Marie', usedName: 'MARTIN' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.changes).toEqual([
      { field: 'birthName', before: 'CHEVALLIER', after: 'CHEVALIER' },
      { field: 'usedName', before: null, after: 'MARTIN' },
    ]);
  });

  it('a strict trait changed on a « validée » identity drops it to « provisoire »', () => {
    const r = planCorrection(
      odile(),
      { birthDate: '1937-08-23' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(r).toMatchObject({
      ok: true,
      plan: {
        statusDropped: true,
        set: { birthDate: '1937-08-23', identityStatus: 'provisoire', identityDocument: null },
      },
    });
  });

  it('…unless a document is re-checked in the same action: it stays « validée » with it', () => {
    const r = planCorrection(
      odile({ identityStatus: 'qualifiee' }),
      { birthPlaceCode: '72181' },
      { recheckedDocument: 'passeport', today: TODAY },
    );
    expect(r).toMatchObject({
      ok: true,
      plan: {
        statusDropped: false,
        set: { identityStatus: 'validee', identityDocument: 'passeport' },
      },
    });
  });

  it('a used name or the NIR changes without touching the status', () => {
    const r = planCorrection(
      odile(),
      { usedFirstName: 'Dilou' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(r.ok && 'identityStatus' in r.plan.set).toBe(false);
    expect(r.ok && r.plan.statusDropped).toBe(false);
  });

  it('refuses a bad value with the trait’s French message, and a correction that changes nothing', () => {
    const bad = planCorrection(
      odile(),
      { birthDate: '2030-01-01', birthPlaceCode: 'Le Mans' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        birthDate: 'La date de naissance est dans le futur.',
        birthPlaceCode:
          'Le code du lieu de naissance doit comporter 5 caractères (code INSEE) : 7 saisis.',
      },
    });
    const nothing = planCorrection(
      odile(),
      { birthName: 'CHEVALLIER' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(nothing.ok).toBe(false);
    expect(!nothing.ok && nothing.errors.form).toMatch(/Aucune modification/);
  });

  it('refuses a wrong NIR key and normalises a good one', () => {
    const bad = planCorrection(
      odile(),
      { nir: '2 37 08 72 189 005 06' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(!bad.ok && bad.errors.nir).toMatch(/NIR n’est pas valide/);
    const good = planCorrection(
      odile(),
      { nir: '2 37 08 72 189 005 05' },
      { recheckedDocument: null, today: TODAY },
    );
    expect(good.ok && good.plan.changes).toEqual([
      { field: 'nir', before: null, after: '237087218900505' },
    ]);
  });

  it('property: a strict change leaves a trusted identity « provisoire » or re-checked « validée »', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('provisoire', 'validee', 'qualifiee', 'recuperee' as const),
        fc.constantFrom(null, 'cni' as const, 'passeport' as const),
        fc.constantFrom('birthName', 'firstNames', 'sex', 'birthDate', 'birthPlaceCode'),
        (status, doc, trait) => {
          const values: Record<string, string> = {
            birthName: 'CHEVALIER',
            firstNames: 'Odette',
            sex: 'M',
            birthDate: '1940-01-01',
            birthPlaceCode: '72181',
          };
          const r = planCorrection(
            odile({ identityStatus: status }),
            { [trait]: values[trait] },
            { recheckedDocument: doc, today: TODAY },
          );
          if (!r.ok) return false;
          const after = r.plan.set.identityStatus ?? status;
          return doc ? after === 'validee' : after === 'provisoire';
        },
      ),
    );
  });
});

describe('qualification', () => {
  const ctx = { birthDate: '1980-05-01', today: TODAY, online: false };

  it('records the document with « validée »', () => {
    expect(
      planQualification({ status: 'validee', document: 'titre_sejour', attributes: [] }, ctx),
    ).toEqual({
      ok: true,
      plan: { identityStatus: 'validee', identityDocument: 'titre_sejour', identityAttributes: [] },
    });
  });

  it('« validée » needs a document; a family book only validates a minor', () => {
    const none = planQualification({ status: 'validee', document: null, attributes: [] }, ctx);
    expect(!none.ok && none.errors.document).toMatch(/pièce d’identité contrôlée/);
    const adult = planQualification(
      { status: 'validee', document: 'livret_famille', attributes: [] },
      ctx,
    );
    expect(!adult.ok && adult.errors.document).toMatch(/mineur/);
    expect(documentRefusal('acte_naissance', '2015-01-01', TODAY)).toBeNull();
  });

  it('douteuse and fictive only with « provisoire »; homonyme with any status', () => {
    const r = planQualification(
      { status: 'validee', document: 'cni', attributes: ['douteuse'] },
      ctx,
    );
    expect(!r.ok && r.errors.attributes).toMatch(/identité douteuse reste « provisoire »/);
    expect(
      planQualification({ status: 'validee', document: 'cni', attributes: ['homonyme'] }, ctx).ok,
    ).toBe(true);
    expect(
      planQualification(
        { status: 'provisoire', document: 'cni', attributes: ['fictive', 'douteuse'] },
        ctx,
      ),
    ).toEqual({
      ok: true,
      plan: {
        identityStatus: 'provisoire',
        identityDocument: null,
        identityAttributes: ['douteuse', 'fictive'],
      },
    });
  });

  it('« qualifiée » cannot be set offline by hand', () => {
    const r = planQualification({ status: 'qualifiee', document: 'cni', attributes: [] }, ctx);
    expect(!r.ok && r.errors.status).toMatch(/hors ligne/);
  });

  it('a doubtful identity reads « provisoire » even when a concurrent write set « validée »', () => {
    expect(
      effectiveIdentityStatus({ identityStatus: 'validee', identityAttributes: ['douteuse'] }),
    ).toBe('provisoire');
    expect(
      effectiveIdentityStatus({ identityStatus: 'validee', identityAttributes: ['homonyme'] }),
    ).toBe('validee');
    expect(effectiveIdentityStatus({ identityStatus: 'validee' })).toBe('validee');
  });

  it('a walk-in with only a name and a birth date passes the strict-trait rules', () => {
    expect(
      identityTraitsErrors(
        { birthName: 'PETIT', firstNames: 'Lucas', birthDate: '1990-02-02', ...WALK_IN_DEFAULTS },
        TODAY,
      ),
    ).toEqual([]);
  });
});

describe('merge', () => {
  const lebrun = (id: string, over: Partial<CorrectableIdentity> = {}) => ({
    ...odile({ birthName: 'LEBRUN', firstNames: 'Noël', birthDate: '1996-03-23', ...over }),
    id,
    mergedInto: null as string | null,
  });

  it('resolves chains and unknown targets', () => {
    const m = survivorMap([
      { id: 'a', mergedInto: 'b' },
      { id: 'b', mergedInto: 'c' },
      { id: 'c' },
      { id: 'd', mergedInto: 'not-here-yet' },
    ]);
    expect(Object.fromEntries(m)).toEqual({ a: 'c', b: 'c', c: 'c', d: 'd' });
    expect(mergeGroup('c', m)).toEqual(['c', 'a', 'b']);
    expect(resolveIdentity('zz', m)).toBe('zz');
  });

  it('two devices merging each identity into the other: the smallest id survives', () => {
    const m = survivorMap([
      { id: 'p2', mergedInto: 'p1' },
      { id: 'p1', mergedInto: 'p2' },
      { id: 'p3', mergedInto: 'p2' },
    ]);
    expect(Object.fromEntries(m)).toEqual({ p1: 'p1', p2: 'p1', p3: 'p1' });
  });

  it('asks for confirmation when strict traits differ, showing them', () => {
    const a = lebrun('a');
    const b = lebrun('b', { birthName: 'LE BRUN', birthPlaceCode: '72181', firstNames: 'noel' });
    const r = planMerge(a, b, [a, b], { confirmed: false });
    expect(r).toEqual({
      ok: false,
      reason:
        'Ces identités diffèrent sur 2 traits stricts : vérifier qu’il s’agit bien de la même personne, puis confirmer la fusion.',
      differences: [
        { trait: 'birthName', label: 'Nom de naissance', survivor: 'LEBRUN', absorbed: 'LE BRUN' },
        {
          trait: 'birthPlaceCode',
          label: 'Code du lieu de naissance',
          survivor: '72189',
          absorbed: '72181',
        },
      ],
    });
    expect(planMerge(a, b, [a, b], { confirmed: true })).toMatchObject({
      ok: true,
      survivorId: 'a',
      absorbedId: 'b',
    });
  });

  it('merges survivors: into a merged identity means into its survivor; twice is refused', () => {
    const a = lebrun('a');
    const b = { ...lebrun('b'), mergedInto: 'a' };
    const c = lebrun('c');
    expect(planMerge(b, c, [a, b, c], { confirmed: false })).toMatchObject({
      ok: true,
      survivorId: 'a',
      absorbedId: 'c',
    });
    expect(planMerge(a, b, [a, b, c], { confirmed: true })).toEqual({
      ok: false,
      reason: 'Ces deux dossiers sont déjà un seul dossier : rien à fusionner.',
    });
    expect(strictDifferences(a, c)).toEqual([]);
  });

  it('undo within the day only, and only the merge still in force', () => {
    const merged = { id: 'b', mergedInto: 'a' };
    const at = '2026-12-03T08:10:00Z';
    const day = (iso: string) => localDate(iso);
    expect(undoMergeRefusal(merged, { survivorId: 'a', at }, '2026-12-03T16:00:00Z', day)).toBe(
      null,
    );
    expect(undoMergeRefusal(merged, { survivorId: 'a', at }, '2026-12-04T08:00:00Z', day)).toMatch(
      /jour même/,
    );
    expect(
      undoMergeRefusal({ id: 'b', mergedInto: null }, { survivorId: 'a', at }, at, day),
    ).toMatch(/déjà été annulée/);
  });

  // ---- properties ----
  const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
  const pointers = fc.array(fc.option(fc.constantFrom(...ids), { nil: null }), {
    minLength: ids.length,
    maxLength: ids.length,
  });

  it('property: a merge never loses a visit, note or booking of either side', () => {
    fc.assert(
      fc.property(
        pointers,
        fc.array(
          fc.record({
            id: fc.uuid(),
            kind: fc.constantFrom('visit', 'consultation', 'appointment'),
            patientId: fc.constantFrom(...ids),
          }),
          { maxLength: 30 },
        ),
        (to, rows) => {
          const m = survivorMap(ids.map((id, i) => ({ id, mergedInto: to[i] })));
          const followed = followMerges(rows, m);
          // Each row stays, once, under the survivor of its own patient's group…
          expect(followed.map((r) => r.id)).toEqual(rows.map((r) => r.id));
          const survivors = new Set(m.values());
          for (const [i, r] of followed.entries()) {
            expect(survivors.has(r.patientId)).toBe(true);
            expect(mergeGroup(r.patientId, m)).toContain(rows[i]!.patientId);
          }
          // …and every survivor is a fixed point: reading twice changes nothing.
          for (const s of survivors) expect(m.get(s)).toBe(s);
          expect(followMerges(followed, m)).toEqual(followed);
        },
      ),
    );
  });

  it('property: concurrent merges on several devices converge to one survivor map', () => {
    const registry = entitySpec;
    const write = fc.record({
      dev: fc.constantFrom('dev-a', 'dev-b', 'dev-c'),
      ms: fc.integer({ min: 1, max: 50 }),
      patient: fc.constantFrom(...ids),
      to: fc.option(fc.constantFrom(...ids), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(write, { selector: (w) => `${w.dev}/${w.ms}`, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (writes, randoms) => {
          const ops: Op[] = writes.map((w, i) => ({
            v: 4,
            org: 'org',
            dev: w.dev,
            seq: i + 1,
            hlc: encodeHlc(w.ms, 0, w.dev),
            e: 'patient',
            id: w.patient,
            f: 'mergedInto',
            k: 'set',
            val: w.to === w.patient ? null : w.to,
            base: [],
          }));
          const replay = (order: Op[]) => {
            const states = new Map<string, RowState>();
            for (const o of order) states.set(o.id, applyOp(states.get(o.id), o, registry));
            const nodes = ids.map((id) => {
              const st = states.get(id);
              const row = st ? materialise(st, registry) : {};
              return { id, mergedInto: (row.mergedInto as string | null | undefined) ?? null };
            });
            return Object.fromEntries(survivorMap(nodes));
          };
          const shuffled = [...ops];
          const it = randoms[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = it.next().value % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(replay(shuffled)).toEqual(replay(ops));
          expect(replay([...ops].reverse())).toEqual(replay(ops));
        },
      ),
    );
  });
});
