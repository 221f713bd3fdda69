// The clinical summary (issue #15 item 2): what a room may record (French refusals), how it is
// shown (active before resolved, current treatments, severe allergies first, free-text allergies
// kept), what a signature offers to add, and that concurrent edits of one row converge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAllergy,
  checkProblem,
  checkTreatment,
  checkVaccination,
  clinicalSummary,
  isCurrentTreatment,
  problemsFromCodes,
  resolveProblem,
  stopTreatment,
} from '../../src/domain/clinical-summary';
import {
  type Allergy,
  allergyReactionSchema,
  allergySeveritySchema,
  ENTITY_SPECS,
  entitySpec,
  type Problem,
  type Treatment,
} from '../../src/domain/entities';
import { createClock, tick } from '../../src/sync/hlc';
import { applyOp, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

const TODAY = '2026-12-04';
const base = {
  orgId: 'org',
  patientId: 'p1',
  recordedAt: '2026-12-04T09:00:00.000Z',
  recordedBy: 's1',
  consultationId: null,
};
const problem = (id: string, over: Partial<Problem> = {}): Problem => ({
  id,
  ...base,
  kind: 'personal',
  code: null,
  label: id,
  status: 'active',
  onsetDate: null,
  resolvedDate: null,
  note: null,
  ...over,
});
const treatment = (id: string, over: Partial<Treatment> = {}): Treatment => ({
  id,
  ...base,
  name: id,
  dose: '',
  startDate: null,
  stopDate: null,
  stopReason: null,
  ...over,
});
const allergy = (id: string, over: Partial<Allergy> = {}): Allergy => ({
  id,
  ...base,
  kind: 'allergy',
  substance: id,
  category: 'medication',
  reaction: 'rash',
  severity: 'mild',
  note: null,
  ...over,
});
const empty = {
  problems: [],
  treatments: [],
  allergies: [],
  vaccinations: [],
  legacyAllergies: [],
  vitals: [],
  today: TODAY,
};

/** Every field of a checked value parses with the replicated schema of its entity. */
function parsesWith(entity: keyof typeof ENTITY_SPECS, value: Record<string, unknown>) {
  for (const [f, v] of Object.entries(value)) {
    const spec = ENTITY_SPECS[entity].fields[f];
    expect(spec, `${entity}.${f}`).toBeDefined();
    expect(spec!.schema.safeParse(v).success, `${entity}.${f} = ${JSON.stringify(v)}`).toBe(true);
  }
}

describe('recording a problem', () => {
  it('takes the code’s label when no words are typed, and refuses an empty problem', () => {
    const code = { system: 'CISP-2' as const, code: 'K86', label: 'Hypertension non compliquée' };
    const ok = checkProblem({ kind: 'personal', code, label: '', status: 'active' }, TODAY);
    expect(ok).toEqual({
      ok: true,
      value: {
        kind: 'personal',
        code,
        label: 'Hypertension non compliquée',
        status: 'active',
        onsetDate: null,
        resolvedDate: null,
        note: null,
      },
    });
    const empty = checkProblem(
      { kind: 'personal', code: null, label: ' ', status: 'active' },
      TODAY,
    );
    expect(empty).toEqual({
      ok: false,
      errors: { label: 'Indiquer le problème (un code du catalogue ou des mots).' },
    });
  });

  it('refuses dates in the future, a resolution before the onset, and a resolved date on an active problem', () => {
    const input = { kind: 'personal' as const, code: null, label: 'Fracture' };
    expect(
      checkProblem({ ...input, status: 'active', onsetDate: '2027-01-01' }, TODAY),
    ).toMatchObject({ ok: false, errors: { onsetDate: expect.stringMatching(/futur/) } });
    expect(
      checkProblem(
        { ...input, status: 'resolved', onsetDate: '2020-05-01', resolvedDate: '2019-01-01' },
        TODAY,
      ),
    ).toMatchObject({ ok: false, errors: { resolvedDate: expect.stringMatching(/précède/) } });
    expect(
      checkProblem({ ...input, status: 'active', resolvedDate: '2020-01-01' }, TODAY),
    ).toMatchObject({ ok: false, errors: { resolvedDate: expect.stringMatching(/actif/) } });
  });

  it('resolves an active problem today, once, never before its onset', () => {
    expect(resolveProblem({ status: 'active', onsetDate: '2020-01-01' }, null, TODAY)).toEqual({
      ok: true,
      set: { status: 'resolved', resolvedDate: TODAY },
    });
    expect(resolveProblem({ status: 'resolved', onsetDate: null }, null, TODAY)).toMatchObject({
      ok: false,
    });
    expect(
      resolveProblem({ status: 'active', onsetDate: '2026-12-01' }, '2026-11-01', TODAY),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/précède/) });
  });

  it('property: what is accepted is what the replicated schema accepts', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 250 }),
        fc.constantFrom('active', 'resolved') as fc.Arbitrary<'active' | 'resolved'>,
        fc.option(
          fc.date({
            min: new Date('1950-01-01'),
            max: new Date('2030-01-01'),
            noInvalidDate: true,
          }),
        ),
        (label, status, onset) => {
          const r = checkProblem(
            {
              kind: 'personal',
              code: null,
              label,
              status,
              onsetDate: onset ? onset.toISOString().slice(0, 10) : null,
            },
            TODAY,
          );
          if (r.ok) parsesWith('problem', r.value);
          else expect(Object.values(r.errors).every((m) => typeof m === 'string')).toBe(true);
        },
      ),
    );
  });
});

describe('recording a treatment', () => {
  it('needs a name, keeps the dose, and refuses a stop before the start', () => {
    expect(checkTreatment({ name: '', dose: '' }, TODAY)).toMatchObject({
      ok: false,
      errors: { name: expect.any(String) },
    });
    expect(
      checkTreatment({ name: 'Amlodipine 5 mg', dose: '1 cp le matin', startDate: TODAY }, TODAY),
    ).toEqual({
      ok: true,
      value: { name: 'Amlodipine 5 mg', dose: '1 cp le matin', startDate: TODAY, stopDate: null },
    });
    expect(
      checkTreatment(
        { name: 'Amoxicilline', dose: '', startDate: TODAY, stopDate: '2026-11-01' },
        TODAY,
      ),
    ).toMatchObject({ ok: false, errors: { stopDate: expect.stringMatching(/précède/) } });
    // A planned stop (a course of antibiotics) is allowed ahead.
    expect(
      checkTreatment(
        { name: 'Amoxicilline', dose: '', startDate: TODAY, stopDate: '2026-12-11' },
        TODAY,
      ).ok,
    ).toBe(true);
  });

  it('stops a current treatment today, with its reason; a stopped one is not current', () => {
    const t = { startDate: '2026-01-01', stopDate: null };
    const stop = stopTreatment(t, ' toux ', TODAY);
    expect(stop).toEqual({ ok: true, set: { stopDate: TODAY, stopReason: 'toux' } });
    expect(isCurrentTreatment({ stopDate: TODAY }, TODAY)).toBe(false);
    expect(isCurrentTreatment({ stopDate: '2026-12-11' }, TODAY)).toBe(true);
    expect(stopTreatment({ startDate: null, stopDate: TODAY }, '', TODAY)).toMatchObject({
      ok: false,
    });
  });
});

describe('recording an allergy and a vaccination', () => {
  it('codes an allergy (category, reaction, severity) and needs the substance', () => {
    expect(
      checkAllergy({
        kind: 'allergy',
        substance: ' Pénicilline ',
        category: 'medication',
        reaction: 'anaphylaxis',
        severity: 'severe',
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'allergy',
        substance: 'Pénicilline',
        category: 'medication',
        reaction: 'anaphylaxis',
        severity: 'severe',
        note: null,
      },
    });
    expect(
      checkAllergy({
        kind: 'intolerance',
        substance: '',
        category: 'food',
        reaction: 'digestive',
        severity: 'mild',
      }),
    ).toMatchObject({ ok: false, errors: { substance: expect.any(String) } });
  });

  it('needs a vaccine, a date not in the future and who gave it: the team or someone elsewhere', () => {
    const ok = checkVaccination(
      { vaccine: 'DTCaPolio', lot: 'AB12', date: TODAY, site: 'deltoid_left', givenBy: 's1' },
      TODAY,
    );
    expect(ok).toEqual({
      ok: true,
      value: {
        vaccine: 'DTCaPolio',
        lot: 'AB12',
        date: TODAY,
        site: 'deltoid_left',
        givenBy: 's1',
        givenElsewhere: null,
      },
    });
    if (ok.ok) parsesWith('vaccination', ok.value);
    const none = checkVaccination(
      { vaccine: '', date: '2027-01-01', site: 'unknown', givenBy: null },
      TODAY,
    );
    expect(none).toMatchObject({
      ok: false,
      errors: {
        vaccine: 'Indiquer le vaccin.',
        date: expect.stringMatching(/futur/),
        givenBy: expect.stringMatching(/qui a vacciné/),
      },
    });
    expect(
      checkVaccination(
        {
          vaccine: 'Grippe',
          date: TODAY,
          site: 'unknown',
          givenBy: 's1',
          givenElsewhere: 'Pharmacie',
        },
        TODAY,
      ),
    ).toMatchObject({ ok: false, errors: { givenBy: expect.stringMatching(/soit/) } });
  });
});

describe('the summary as shown', () => {
  it('puts active problems apart from resolved and family ones, current treatments apart from stopped', () => {
    const s = clinicalSummary({
      ...empty,
      problems: [
        problem('hta', { onsetDate: '2020-01-01' }),
        problem('diabete', { onsetDate: '2022-01-01' }),
        problem('appendicite', { status: 'resolved', resolvedDate: '2001-01-01' }),
        problem('pere-infarctus', { kind: 'family' }),
        problem('efface', { _deleted: true }),
      ],
      treatments: [
        treatment('amlodipine'),
        treatment('amoxicilline', { startDate: '2026-11-20', stopDate: '2026-11-27' }),
      ],
    });
    expect(s.activeProblems.map((p) => p.id)).toEqual(['diabete', 'hta']);
    expect(s.resolvedProblems.map((p) => p.id)).toEqual(['appendicite']);
    expect(s.familyHistory.map((p) => p.id)).toEqual(['pere-infarctus']);
    expect(s.currentTreatments.map((t) => t.id)).toEqual(['amlodipine']);
    expect(s.stoppedTreatments.map((t) => t.id)).toEqual(['amoxicilline']);
  });

  it('shows severe allergies first, and the free-text allergies typed at reception not already coded', () => {
    const s = clinicalSummary({
      ...empty,
      allergies: [
        allergy('Latex', { severity: 'mild' }),
        allergy('Pénicilline', { severity: 'moderate', reaction: 'anaphylaxis' }),
        allergy('Arachide', { severity: 'severe', category: 'food' }),
      ],
      legacyAllergies: ['PENICILLINE', 'Iode', 'iode'],
    });
    expect(s.allergies.map((a) => a.substance)).toEqual(['Arachide', 'Pénicilline', 'Latex']);
    expect(s.severeAllergies.map((a) => a.substance)).toEqual(['Arachide', 'Pénicilline']);
    expect(s.legacyAllergies).toEqual(['Iode']);
  });

  it('gives the trend of the last vitals and the flags of the latest', () => {
    const v = (id: string, takenAt: string, systolic: number, spo2: number | null) => ({
      id,
      orgId: 'org',
      consultationId: 'c',
      patientId: 'p1',
      takenAt,
      authorId: 's1',
      systolic,
      diastolic: null,
      heartRate: null,
      temperature: null,
      spo2,
      weightKg: null,
      heightCm: null,
    });
    const s = clinicalSummary({
      ...empty,
      vitals: [
        v('a', '2026-06-01T09:00:00Z', 150, 97),
        v('b', '2026-12-04T09:00:00Z', 185, 88),
        v('c', '2026-09-01T09:00:00Z', 160, null),
      ],
    });
    expect(s.trends.find((t) => t.field === 'systolic')).toMatchObject({
      direction: 'up',
      values: [{ value: 150 }, { value: 160 }, { value: 185 }],
    });
    expect(s.latestFlags.map((f) => f.field)).toEqual(['systolic', 'spo2']);
  });

  it('property: every live row is shown exactly once, deleted rows never; severe allergies lead', () => {
    const arbAllergy = fc.record({
      id: fc.uuid(),
      severity: fc.constantFrom(...allergySeveritySchema.options),
      reaction: fc.constantFrom(...allergyReactionSchema.options),
      deleted: fc.boolean(),
    });
    const arbProblem = fc.record({
      id: fc.uuid(),
      kind: fc.constantFrom('personal', 'family') as fc.Arbitrary<Problem['kind']>,
      status: fc.constantFrom('active', 'resolved') as fc.Arbitrary<Problem['status']>,
      deleted: fc.boolean(),
    });
    const arbTreatment = fc.record({
      id: fc.uuid(),
      stop: fc.option(fc.constantFrom('2026-01-01', TODAY, '2027-01-01')),
      deleted: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbAllergy, { selector: (a) => a.id, maxLength: 8 }),
        fc.uniqueArray(arbProblem, { selector: (p) => p.id, maxLength: 8 }),
        fc.uniqueArray(arbTreatment, { selector: (t) => t.id, maxLength: 8 }),
        (as, ps, ts) => {
          const s = clinicalSummary({
            ...empty,
            allergies: as.map((a) =>
              allergy(a.id, { severity: a.severity, reaction: a.reaction, _deleted: a.deleted }),
            ),
            problems: ps.map((p) =>
              problem(p.id, { kind: p.kind, status: p.status, _deleted: p.deleted }),
            ),
            treatments: ts.map((t) => treatment(t.id, { stopDate: t.stop, _deleted: t.deleted })),
          });
          const liveIds = (xs: { id: string; deleted: boolean }[]) =>
            xs
              .filter((x) => !x.deleted)
              .map((x) => x.id)
              .sort();
          expect(s.allergies.map((a) => a.id).sort()).toEqual(liveIds(as));
          const shownProblems = [...s.activeProblems, ...s.resolvedProblems, ...s.familyHistory];
          expect(shownProblems.map((p) => p.id).sort()).toEqual(liveIds(ps));
          const shownTreatments = [...s.currentTreatments, ...s.stoppedTreatments];
          expect(shownTreatments.map((t) => t.id).sort()).toEqual(liveIds(ts));
          const firstMild = s.allergies.findIndex(
            (a) => a.severity !== 'severe' && a.reaction !== 'anaphylaxis',
          );
          if (firstMild >= 0) expect(s.severeAllergies.length).toBe(firstMild);
        },
      ),
    );
  });
});

describe('what signing adds', () => {
  it('offers the result and diagnosis codes not already active problems, once each', () => {
    const codes = [
      { system: 'CISP-2' as const, code: 'R05', label: 'Toux', use: 'reason' as const },
      { system: 'CISP-2' as const, code: 'K86', label: 'HTA', use: 'result' as const },
      { system: 'CIM-10' as const, code: 'J45', label: 'Asthme', use: 'diagnosis' as const },
      { system: 'CIM-10' as const, code: 'J45', label: 'Asthme', use: 'result' as const },
    ];
    const known = [problem('hta', { code: { system: 'CISP-2', code: 'K86', label: 'HTA' } })];
    expect(problemsFromCodes(codes, known)).toEqual([
      { system: 'CIM-10', code: 'J45', label: 'Asthme' },
    ]);
  });
});

describe('replication of a summary row', () => {
  it('property: concurrent edits of one allergy on two rooms converge in any order, field by field', () => {
    const insertOps = (dev: string): Op[] => {
      let clock = createClock(dev);
      let seq = 0;
      return Object.entries({
        ...base,
        kind: 'allergy',
        substance: 'Pénicilline',
        category: 'medication',
        reaction: 'rash',
        severity: 'mild',
        note: null,
      }).map(([f, val]) => {
        const t = tick(clock, Date.parse('2026-12-04T09:00:00Z'));
        clock = t.clock;
        return {
          v: 5,
          org: 'org',
          dev,
          seq: ++seq,
          hlc: t.hlc,
          e: 'allergy',
          id: 'a1',
          f,
          k: 'set',
          val,
          base: [],
        } as Op;
      });
    };
    const created = insertOps('box-1');
    const edit = (dev: string, f: string, val: unknown, ms: number): Op => ({
      v: 5,
      org: 'org',
      dev,
      seq: 100,
      hlc: tick(createClock(dev), ms).hlc,
      e: 'allergy',
      id: 'a1',
      f,
      k: 'set',
      val,
      base: [],
    });
    const concurrent = [
      edit('box-1', 'severity', 'severe', Date.parse('2026-12-04T10:00:00Z')),
      edit('box-2', 'reaction', 'anaphylaxis', Date.parse('2026-12-04T10:00:01Z')),
      edit('box-2', 'note', 'choc en 2019', Date.parse('2026-12-04T10:00:02Z')),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(concurrent, { minLength: 3, maxLength: 3 }), (order) => {
        let st: RowState | undefined;
        for (const op of [...created, ...order]) st = applyOp(st, op, entitySpec);
        expect(materialise(st!, entitySpec)).toMatchObject({
          severity: 'severe',
          reaction: 'anaphylaxis',
          note: 'choc en 2019',
          substance: 'Pénicilline',
        });
      }),
    );
  });
});
