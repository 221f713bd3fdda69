// Retention on central (src/domain/retention.ts): 20 years after the last consultation, a minor
// at least until their 28th birthday, first archived then destroyed on command, never without
// every day's receipt; audit entries kept a year.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addYears,
  ageOn,
  auditDue,
  DEFAULT_RETENTION,
  destroyRefusal,
  opRowRefs,
  parseRetentionPolicy,
  type RetentionContact,
  type RetentionPatient,
  type RetentionPolicy,
  recordRows,
  retentionPlan,
} from '../../src/domain/retention';

const patient = (id: string, birthDate: string, extra: Partial<RetentionPatient> = {}) => ({
  id,
  birthDate,
  registeredOn: '2000-01-10',
  archived: false,
  ...extra,
});
const seen = (patientId: string, date: string, stopId: string | null = `stop-${date}`) => ({
  patientId,
  date,
  stopId,
  consultation: true,
});

function planOne(
  p: RetentionPatient,
  contacts: RetentionContact[],
  today: string,
  receipted = new Set(contacts.flatMap((c) => (c.stopId ? [c.stopId] : []))),
) {
  const [entry] = retentionPlan({
    patients: [p],
    contacts,
    receipted,
    today,
    policy: DEFAULT_RETENTION,
  });
  return entry!;
}

describe('dates', () => {
  it('moves by whole years, a 29 February landing on 1 March of a common year', () => {
    expect(addYears('2004-05-17', 20)).toBe('2024-05-17');
    expect(addYears('2004-02-29', 1)).toBe('2005-03-01');
    expect(addYears('2004-02-29', 4)).toBe('2008-02-29');
    expect(addYears('2026-12-04T10:00:00Z', -1)).toBe('2025-12-04');
  });

  it('counts an age in whole years, the birthday included', () => {
    expect(ageOn('2000-06-15', '2018-06-14')).toBe(17);
    expect(ageOn('2000-06-15', '2018-06-15')).toBe(18);
  });
});

describe('retentionPlan', () => {
  it('keeps an adult’s record 20 years after the last consultation, then archives it', () => {
    const p = patient('p1', '1960-03-01');
    const contacts = [seen('p1', '2001-04-02'), seen('p1', '2005-09-12')];
    const kept = planOne(p, contacts, '2025-09-12');
    expect(kept).toMatchObject({
      lastConsultation: '2005-09-12',
      keepUntil: '2025-09-12',
      rule: 'record_period',
      minor: false,
      action: 'keep',
    });
    expect(planOne(p, contacts, '2025-09-13').action).toBe('archive');
  });

  it('keeps a minor’s record until the 28th birthday when that is later', () => {
    // Seen at 5: 20 years later they are 25; kept until 28.
    const child = patient('c1', '2000-06-15');
    const entry = planOne(child, [seen('c1', '2005-07-01')], '2026-01-01');
    expect(entry).toMatchObject({
      minor: true,
      keepUntil: '2028-06-15',
      rule: 'minor_until_age',
      action: 'keep',
    });
    expect(planOne(child, [seen('c1', '2005-07-01')], '2028-06-16').action).toBe('archive');
    // Seen at 17 years 11 months: 20 years later (37) is later than 28.
    const teen = planOne(patient('t1', '2000-06-15'), [seen('t1', '2018-05-01')], '2030-01-01');
    expect(teen).toMatchObject({ minor: true, keepUntil: '2038-05-01', rule: 'record_period' });
  });

  it('runs from the last day of the record when the patient was never seen in consultation', () => {
    const p = patient('p2', '1970-01-01', { registeredOn: '2003-02-01' });
    const visit = { patientId: 'p2', date: '2003-02-02', stopId: 's1', consultation: false };
    expect(planOne(p, [visit], '2024-01-01')).toMatchObject({
      lastConsultation: null,
      from: '2003-02-02',
      keepUntil: '2023-02-02',
      action: 'archive',
    });
    expect(planOne(p, [], '2024-01-01').from).toBe('2003-02-01');
  });

  it('marks an archived record past its period for destruction, refused without every receipt', () => {
    const p = patient('p3', '1950-01-01', { archived: true });
    const contacts = [seen('p3', '2001-01-01', 's-a'), seen('p3', '2002-01-01', 's-b')];
    const ok = planOne(p, contacts, '2030-01-01');
    expect(ok.action).toBe('destroy');
    expect(destroyRefusal(ok)).toBeNull();
    const blocked = planOne(p, contacts, '2030-01-01', new Set(['s-a']));
    expect(blocked.unreceipted).toEqual(['s-b']);
    expect(destroyRefusal(blocked)).toMatch(/1 escale\(s\) de ce dossier sans reçu/);
    expect(destroyRefusal(planOne({ ...p, archived: false }, contacts, '2030-01-01'))).toMatch(
      /pas archivé/,
    );
    expect(destroyRefusal(planOne(p, contacts, '2010-01-01'))).toMatch(/durée de conservation/);
  });

  it('keeps a merged identity with the one it was merged into, and its days count', () => {
    const entries = retentionPlan({
      patients: [
        patient('old', '1960-01-01'),
        patient('new', '1960-01-01'),
        patient('dup', '1960-01-01', { mergedInto: 'new' }),
      ],
      contacts: [seen('old', '2000-01-01'), seen('new', '2001-01-01'), seen('dup', '2015-01-01')],
      receipted: new Set(),
      today: '2030-01-01',
      policy: DEFAULT_RETENTION,
    });
    expect(entries.map((e) => [e.patientId, e.members, e.action])).toEqual([
      ['new', ['dup', 'new'], 'keep'],
      ['old', ['old'], 'archive'],
    ]);
  });

  it('follows the organisation’s policy', () => {
    const p = patient('p4', '1960-01-01');
    const [entry] = retentionPlan({
      patients: [p],
      contacts: [seen('p4', '2000-01-01')],
      receipted: new Set(),
      today: '2025-01-01',
      policy: { ...DEFAULT_RETENTION, recordYears: 30 },
    });
    expect(entry).toMatchObject({ keepUntil: '2030-01-01', action: 'keep' });
  });
});

describe('policy', () => {
  it('defaults to 20 years, 28th birthday, one year of audit; refuses a slip', () => {
    expect(parseRetentionPolicy(undefined)).toEqual({
      recordYears: 20,
      minorUntilAge: 28,
      auditYears: 1,
    });
    expect(parseRetentionPolicy('{"recordYears":30}').recordYears).toBe(30);
    expect(() => parseRetentionPolicy('{"recordYears":2}')).toThrow(/au moins 10 ans/);
    expect(() => parseRetentionPolicy('{"auditYears":0}')).toThrow(/au moins 1 an/);
  });

  it('purges audit entries dated before the audit period', () => {
    const rows = [
      { id: 'a', at: '2025-12-03T23:00:00.000Z' },
      { id: 'b', at: '2025-12-04T08:00:00.000Z' },
      { id: 'c', at: '2026-12-01T08:00:00.000Z' },
    ];
    expect(auditDue(rows, '2026-12-04', DEFAULT_RETENTION)).toEqual(['a']);
    expect(auditDue(rows, '2026-12-04', { ...DEFAULT_RETENTION, auditYears: 2 })).toEqual([]);
  });
});

describe('recordRows', () => {
  it('takes the patient and every row tied to it, transitively, never audit or other patients', () => {
    const rows = [
      { e: 'patient', id: 'p', value: {} },
      { e: 'patient', id: 'q', value: {} },
      { e: 'visit', id: 'v', value: { patientId: 'p', stopId: 's' } },
      { e: 'queueEntry', id: 'qe', value: { visitId: 'v', stopId: 's' } },
      { e: 'consultation', id: 'c', value: { patientId: 'p', queueEntryId: 'qe' } },
      { e: 'signature', id: 'sig', value: { consultationId: 'c' } },
      { e: 'addendum', id: 'add', value: { consultationId: 'c' } },
      { e: 'consultation', id: 'c2', value: { patientId: 'q' } },
      { e: 'stop', id: 's', value: {} },
      { e: 'audit', id: 'au', value: { entity: 'patient', entityId: 'p' } },
    ];
    const keys = recordRows(['p'], rows).map((k) => `${k.e}:${k.id}`);
    expect(keys.sort()).toEqual([
      'addendum:add',
      'consultation:c',
      'patient:p',
      'queueEntry:qe',
      'signature:sig',
      'visit:v',
    ]);
  });

  it('names the rows an op ties itself to', () => {
    expect(
      opRowRefs({
        e: 'vitals',
        id: 'x',
        f: '*',
        k: 'ins',
        val: { consultationId: 'c', patientId: 'p' },
      }),
    ).toEqual([
      { e: 'vitals', id: 'x' },
      { e: 'patient', id: 'p' },
      { e: 'consultation', id: 'c' },
    ]);
    expect(opRowRefs({ e: 'visit', id: 'v', f: 'patientId', k: 'set', val: 'p' })).toEqual([
      { e: 'visit', id: 'v' },
      { e: 'patient', id: 'p' },
    ]);
  });
});

// ---- properties ----

const day = fc
  .integer({ min: Date.UTC(1920, 0, 1), max: Date.UTC(2090, 11, 31) })
  .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
const policy = fc.record({
  recordYears: fc.integer({ min: 10, max: 100 }),
  minorUntilAge: fc.integer({ min: 18, max: 40 }),
  auditYears: fc.integer({ min: 1, max: 20 }),
});
const scenario = fc.record({
  birthDate: day,
  dates: fc.array(day, { minLength: 0, maxLength: 5 }),
  registeredOn: day,
  archived: fc.boolean(),
  receipted: fc.boolean(),
  today: day,
  policy,
});

function planOf(s: {
  birthDate: string;
  dates: string[];
  registeredOn: string;
  archived: boolean;
  receipted: boolean;
  today: string;
  policy: RetentionPolicy;
}) {
  const contacts = s.dates.map((d, i) => ({
    patientId: 'p',
    date: d,
    stopId: `s${i}`,
    consultation: i % 2 === 0,
  }));
  return retentionPlan({
    patients: [
      { id: 'p', birthDate: s.birthDate, registeredOn: s.registeredOn, archived: s.archived },
    ],
    contacts,
    receipted: new Set(s.receipted ? contacts.map((c) => c.stopId) : []),
    today: s.today,
    policy: s.policy,
  })[0]!;
}

describe('retention properties', () => {
  it('never retires a record within the period, nor a minor’s before the set birthday', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const e = planOf(s);
        expect(e.keepUntil >= addYears(e.from, s.policy.recordYears)).toBe(true);
        if (e.minor) {
          expect(e.keepUntil >= addYears(s.birthDate, s.policy.minorUntilAge)).toBe(true);
        }
        expect(e.action === 'keep').toBe(s.today <= e.keepUntil);
        if (e.action === 'destroy') expect(e.archived).toBe(true);
        if (e.action === 'archive') expect(e.archived).toBe(false);
      }),
    );
  });

  it('once due, stays due; a longer period never makes more due', () => {
    fc.assert(
      fc.property(scenario, day, fc.integer({ min: 0, max: 30 }), (s, later, more) => {
        const e = planOf(s);
        if (e.action !== 'keep' && later > s.today) {
          expect(planOf({ ...s, today: later }).action).toBe(e.action);
        }
        const longer = planOf({
          ...s,
          policy: { ...s.policy, recordYears: Math.min(100, s.policy.recordYears + more) },
        });
        if (longer.action !== 'keep') expect(e.action).toBe(longer.action);
      }),
    );
  });

  it('never lets a destruction through while a day of the record has no receipt', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const e = planOf(s);
        if (destroyRefusal(e) === null) {
          expect(e.action).toBe('destroy');
          expect(e.unreceipted).toEqual([]);
        }
        if (!s.receipted && s.dates.length > 0) expect(destroyRefusal(e)).not.toBeNull();
      }),
    );
  });

  it('takes a record’s rows and none of another patient’s record', () => {
    // Two patients, each with a tree of visits, consultations and signatures.
    const tree = fc.record({
      visits: fc.integer({ min: 0, max: 3 }),
      consultations: fc.integer({ min: 0, max: 3 }),
      signatures: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        const rowsOf = (p: string, t: typeof a) => [
          { e: 'patient', id: p, value: {} },
          ...Array.from({ length: t.visits }, (_, i) => ({
            e: 'visit',
            id: `${p}-v${i}`,
            value: { patientId: p },
          })),
          ...Array.from({ length: t.consultations }, (_, i) => ({
            e: 'consultation',
            id: `${p}-c${i}`,
            value: { patientId: p, visitId: t.visits > 0 ? `${p}-v0` : null },
          })),
          ...Array.from({ length: t.consultations > 0 ? t.signatures : 0 }, (_, i) => ({
            e: 'signature',
            id: `${p}-s${i}`,
            value: { consultationId: `${p}-c0` },
          })),
        ];
        const mine = rowsOf('a', a);
        const theirs = rowsOf('b', b);
        const taken = recordRows(['a'], [...theirs, ...mine].reverse());
        expect(taken.map((k) => k.id).sort()).toEqual(mine.map((r) => r.id).sort());
      }),
    );
  });
});
