// Tasks for certified partner components (src/domain/partner-tasks.ts): the life of a task under
// leases, failures and crashes; which events produce which tasks; what an answer may be; what an
// INSi answer does to an identity; what a partner receives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Consultation,
  PartnerTaskState,
  Patient,
  Staff,
  Treatment,
} from '../../src/domain/entities';
import { partnerTaskStateSchema } from '../../src/domain/entities';
import {
  answerSchema,
  backoffMs,
  completeTask,
  coordinationOrder,
  effectiveState,
  failTask,
  insiEffect,
  insiTaskFor,
  LEASE_MS,
  leaseTask,
  MAX_ATTEMPTS,
  newTaskState,
  noteTasksFor,
  requeueTask,
  taskId,
  taskPayload,
} from '../../src/domain/partner-tasks';

const T0 = Date.parse('2026-12-04T08:00:00.000Z');

type Action =
  | { kind: 'lease'; by: 'A' | 'B' }
  | { kind: 'done'; by: 'A' | 'B' }
  | { kind: 'fail'; by: 'A' | 'B' }
  | { kind: 'wait'; ms: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('lease' as const),
    by: fc.constantFrom('A' as const, 'B' as const),
  }),
  fc.record({
    kind: fc.constant('done' as const),
    by: fc.constantFrom('A' as const, 'B' as const),
  }),
  fc.record({
    kind: fc.constant('fail' as const),
    by: fc.constantFrom('A' as const, 'B' as const),
  }),
  fc.record({
    kind: fc.constant('wait' as const),
    ms: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 8 * 3600_000 })),
  }),
);

/** Runs actions as the server does: a refused transition leaves the task as it was; a lease that
 * finds the tries used up records « à traiter à la main ». */
function run(actions: readonly Action[]) {
  let state = newTaskState(T0);
  let now = T0;
  let completions = 0;
  const history: {
    action: Action;
    before: PartnerTaskState;
    after: PartnerTaskState;
    ok: boolean;
  }[] = [];
  for (const action of actions) {
    const before = state;
    let ok = false;
    if (action.kind === 'wait') {
      now += action.ms;
      ok = true;
    } else if (action.kind === 'lease') {
      const r = leaseTask(state, action.by, now);
      if (r.ok) state = r.state;
      else if (r.status === 'manual') state = r.state;
      ok = r.ok;
    } else if (action.kind === 'done') {
      const r = completeTask(state, action.by, now);
      if (r.ok) {
        state = r.state;
        completions++;
      }
      ok = r.ok;
    } else {
      const r = failTask(state, action.by, 'Service injoignable', now);
      if (r.ok) state = r.state;
      ok = r.ok;
    }
    history.push({ action, before, after: state, ok });
  }
  return { state, now, completions, history };
}

describe('the life of a task (property-tested)', () => {
  const actions = fc.array(actionArb, { maxLength: 60 });

  it('is completed at most once, and nothing moves a done task', () => {
    fc.assert(
      fc.property(actions, (list) => {
        const { completions, history } = run(list);
        expect(completions).toBeLessThanOrEqual(1);
        for (const h of history) {
          if (h.before.name === 'done') expect(h.after).toEqual(h.before);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is held by one partner at a time: a lease is given only when nobody holds a running one', () => {
    fc.assert(
      fc.property(actions, (list) => {
        let now = T0;
        for (const h of run(list).history) {
          if (h.action.kind === 'wait') now += h.action.ms;
          if (h.action.kind === 'lease' && h.ok) {
            expect(effectiveState(h.before, now)).toBe('todo');
            expect(h.after.leasedBy).toBe(h.action.by);
          }
          // Only the partner holding the lease answers.
          if ((h.action.kind === 'done' || h.action.kind === 'fail') && h.ok) {
            expect(h.before.name).toBe('leased');
            expect(h.before.leasedBy).toBe(h.action.by);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('bounds its tries: attempts never pass the maximum, each new lease follows a failure or an expiry', () => {
    fc.assert(
      fc.property(actions, (list) => {
        for (const h of run(list).history) {
          const s = h.after;
          expect(s.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
          expect(s.leases).toBeLessThanOrEqual(s.attempts + 1);
          if (s.name === 'failed') expect(s.attempts).toBeLessThan(MAX_ATTEMPTS);
          expect(partnerTaskStateSchema.safeParse(s).success).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is never lost: once time passes its lease and its backoff, it is done, with a person, or leasable again', () => {
    fc.assert(
      fc.property(actions, fc.constantFrom('A' as const, 'B' as const), (list, who) => {
        const { state, now } = run(list);
        const later = now + LEASE_MS + backoffMs(MAX_ATTEMPTS) + 1;
        const current = effectiveState(state, later);
        expect(['todo', 'done', 'manual']).toContain(current);
        if (current === 'todo') {
          const r = leaseTask(state, who, later);
          // Either taken, or — its tries used up by expired leases — handed to a person.
          if (!r.ok) {
            expect(r.status).toBe('manual');
            if (r.status === 'manual') expect(r.state.name).toBe('manual');
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('comes back when its partner crashes: the lease expires and another partner takes it', () => {
    const first = leaseTask(newTaskState(T0), 'A', T0);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const during = leaseTask(first.state, 'B', T0 + LEASE_MS - 1);
    expect(during).toMatchObject({ ok: false, status: 409 });
    const after = leaseTask(first.state, 'B', T0 + LEASE_MS + 1);
    expect(after.ok).toBe(true);
    if (!after.ok) return;
    expect(after.state).toMatchObject({ leasedBy: 'B', attempts: 1, leases: 2 });
    // The crashed partner's late answer no longer counts: the task is B's now.
    expect(completeTask(after.state, 'A', T0 + LEASE_MS + 2)).toMatchObject({ ok: false });
  });

  it('a late answer while nobody took the task over is kept (the work was done once)', () => {
    const leased = leaseTask(newTaskState(T0), 'A', T0);
    if (!leased.ok) throw new Error('lease');
    expect(completeTask(leased.state, 'A', T0 + LEASE_MS + 5000)).toMatchObject({
      ok: true,
      state: { name: 'done' },
    });
  });

  it('retries a failure after a growing wait, then hands it to a person', () => {
    let state = newTaskState(T0);
    let now = T0;
    const waits: number[] = [];
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      const leased = leaseTask(state, 'A', now);
      if (!leased.ok) throw new Error(`lease ${i}`);
      const failed = failTask(leased.state, 'A', 'Service injoignable', now);
      if (!failed.ok) throw new Error(`fail ${i}`);
      state = failed.state;
      if (i < MAX_ATTEMPTS) {
        expect(state.name).toBe('failed');
        const wait = Date.parse(state.retryAt!) - now;
        waits.push(wait);
        expect(leaseTask(state, 'A', now + wait - 1)).toMatchObject({ ok: false });
        now += wait;
      }
    }
    expect(waits).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(state).toMatchObject({
      name: 'manual',
      attempts: MAX_ATTEMPTS,
      reason: 'Service injoignable',
    });
    expect(effectiveState(state, now + 365 * 86400_000)).toBe('manual');
    // The coordination puts it back, its tries counted afresh.
    const again = requeueTask(state, now);
    expect(again).toMatchObject({ ok: true, state: { name: 'todo', attempts: 0 } });
    expect(requeueTask(newTaskState(T0), T0)).toMatchObject({ ok: false, status: 409 });
  });

  it('a partner that crashes on every try ends with a person, not in a loop', () => {
    let state = newTaskState(T0);
    let now = T0;
    let leases = 0;
    for (let i = 0; i < 20; i++) {
      const r = leaseTask(state, 'A', now);
      if (r.ok) leases++;
      state = r.ok || r.status === 'manual' ? r.state : state;
      now += LEASE_MS + 1;
    }
    expect(state.name).toBe('manual');
    expect(leases).toBe(MAX_ATTEMPTS);
    expect(state.reason).toMatch(/à traiter à la main/);
  });
});

// ---- production ----

const note = (over: Partial<Consultation> = {}) =>
  ({
    id: 'c1',
    patientId: 'p1',
    status: 'validated',
    confidentiality: 'standard',
    ...over,
  }) as Consultation;

describe('which events produce which tasks', () => {
  it('a validated note is billed; with treatments recorded with it, its prescription is issued', () => {
    expect(noteTasksFor(note(), [], []).map((t) => t.service)).toEqual(['billing']);
    const withTreatment = noteTasksFor(note(), [{ consultationId: 'c1' }], []);
    expect(withTreatment.map((t) => t.service)).toEqual(['billing', 'eprescription']);
    expect(withTreatment[0]).toMatchObject({
      sourceEntity: 'consultation',
      sourceId: 'c1',
      patientId: 'p1',
      consultationId: 'c1',
    });
    // Another note's treatment is not this note's prescription.
    expect(noteTasksFor(note(), [{ consultationId: 'c2' }], []).map((t) => t.service)).toEqual([
      'billing',
    ]);
  });

  it('a note not validated yet (draft, awaiting its supervisor, returned) produces nothing', () => {
    for (const status of ['draft', 'to_validate', 'returned'] as const) {
      expect(noteTasksFor(note({ status }), [{ consultationId: 'c1' }], [])).toEqual([]);
    }
  });

  it('a printed compte rendu is filed at the DMP, a letter marked for sending goes by MSSanté', () => {
    const printed = [
      { id: 'd1', consultationId: 'c1', kind: 'compte_rendu' as const },
      { id: 'd2', consultationId: 'c1', kind: 'compte_rendu' as const },
      { id: 'd3', consultationId: 'c1', kind: 'lettre_mt' as const, send: true },
      { id: 'd4', consultationId: 'c1', kind: 'orientation' as const, send: false },
      { id: 'd5', consultationId: 'c1', kind: 'certificat' as const, send: true },
    ];
    const tasks = noteTasksFor(note(), [], printed);
    expect(tasks.map((t) => [t.service, t.sourceId])).toEqual([
      ['billing', 'c1'],
      ['dmp', 'd1'],
      ['mssante', 'd3'],
    ]);
  });

  it('a restricted note is billed and prescribed, never filed nor sent by a partner', () => {
    const printed = [
      { id: 'd1', consultationId: 'c1', kind: 'compte_rendu' as const },
      { id: 'd3', consultationId: 'c1', kind: 'lettre_mt' as const, send: true },
    ];
    for (const confidentiality of ['social', 'sexual_health'] as const) {
      const tasks = noteTasksFor(note({ confidentiality }), [{ consultationId: 'c1' }], printed);
      expect(tasks.map((t) => t.service)).toEqual(['billing', 'eprescription']);
    }
  });

  it('produces the same ids every time (idempotent), one per service and source', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (c, p) => {
        const a = noteTasksFor(note({ id: c, patientId: p }), [{ consultationId: c }], []);
        const b = noteTasksFor(note({ id: c, patientId: p }), [{ consultationId: c }], []);
        expect(a).toEqual(b);
        expect(new Set(a.map((t) => t.id)).size).toBe(a.length);
        for (const t of a) expect(t.id.length).toBeLessThanOrEqual(64);
      }),
    );
    expect(taskId('billing', 'c1')).not.toBe(taskId('eprescription', 'c1'));
  });

  it('an identity with a NIR not yet qualified is sent to the INSi; not a doubtful, merged or qualified one', () => {
    const p = {
      id: 'p1',
      nir: '180017218112345',
      identityStatus: 'provisoire' as const,
      identityAttributes: [],
      mergedInto: null,
    };
    expect(insiTaskFor(p)).toMatchObject({
      service: 'insi',
      sourceEntity: 'patient',
      patientId: 'p1',
    });
    expect(insiTaskFor({ ...p, identityStatus: 'validee' })).not.toBeNull();
    expect(insiTaskFor({ ...p, nir: null })).toBeNull();
    expect(insiTaskFor({ ...p, identityStatus: 'qualifiee' })).toBeNull();
    expect(insiTaskFor({ ...p, mergedInto: 'p2' })).toBeNull();
    expect(insiTaskFor({ ...p, identityAttributes: ['douteuse'] })).toBeNull();
    expect(insiTaskFor({ ...p, identityAttributes: ['homonyme'] })).not.toBeNull();
    // A NIR corrected later asks again: another task.
    expect(insiTaskFor({ ...p, nir: '280017218112345' })!.id).not.toBe(insiTaskFor(p)!.id);
  });
});

// ---- answers ----

const odile: Patient = {
  id: 'p1',
  orgId: 'org',
  birthName: 'LEFÈVRE',
  usedName: null,
  firstNames: 'Odile Marie',
  usedFirstName: null,
  sex: 'F',
  birthDate: '1958-03-14',
  birthPlaceCode: '72181',
  identityStatus: 'provisoire',
  nir: '258037218112345',
  phone: null,
  email: null,
  address: null,
  communeInsee: null,
  coverage: 'amo_amc',
  mtStatus: 'none',
  mtName: null,
  ald: true,
  aldNature: 'Diabète de type 2',
  aldExoneration: true,
  allergies: [],
  createdAt: '2026-12-04T08:00:00.000Z',
  duplicateDecision: null,
  identityAttributes: [],
};

const found = {
  found: true as const,
  matricule: '258037218112345',
  oid: '1.2.250.1.213.1.4.8' as const,
  traits: {
    birthName: 'LEFEVRE',
    firstNames: 'ODILE MARIE',
    sex: 'F' as const,
    birthDate: '1958-03-14',
    birthPlaceCode: '72181',
  },
};

describe('an INSi answer reaches the identity through the identity-status rules', () => {
  it('a provisional identity the téléservice returned becomes « récupérée », with its INS', () => {
    const effect = insiEffect(odile, found);
    expect(effect).toMatchObject({
      kind: 'apply',
      patch: {
        identityStatus: 'recuperee',
        insMatricule: '258037218112345',
        insOid: '1.2.250.1.213.1.4.8',
      },
      outcome: { service: 'insi', found: true, status: 'recuperee' },
    });
    if (effect.kind === 'apply') {
      expect(effect.changes.map((c) => c.field)).toEqual([
        'identityStatus',
        'insMatricule',
        'insOid',
      ]);
    }
  });

  it('a « validée » identity (document checked) becomes « qualifiée »', () => {
    const effect = insiEffect(
      { ...odile, identityStatus: 'validee', identityDocument: 'cni' },
      found,
    );
    expect(effect).toMatchObject({ kind: 'apply', patch: { identityStatus: 'qualifiee' } });
  });

  it('a « validée » identity from before documents were recorded is « qualifiée » too (validée attests the check)', () => {
    const effect = insiEffect(
      { ...odile, identityStatus: 'validee', identityDocument: null },
      found,
    );
    expect(effect).toMatchObject({ kind: 'apply', patch: { identityStatus: 'qualifiee' } });
  });

  it('never weakens a status: a « qualifiée » identity keeps it, its INS recorded', () => {
    const effect = insiEffect({ ...odile, identityStatus: 'qualifiee' }, found);
    expect(effect.kind).toBe('apply');
    if (effect.kind === 'apply') {
      expect(effect.patch.identityStatus).toBeUndefined();
      expect(effect.patch.insMatricule).toBe(found.matricule);
    }
  });

  it('traits that differ from the record wait for reception; nothing is changed', () => {
    const effect = insiEffect(odile, {
      ...found,
      traits: { ...found.traits, birthDate: '1958-03-15' },
    });
    expect(effect).toEqual({
      kind: 'manual',
      reason:
        'Traits renvoyés par l’INSi différents du dossier (date de naissance) : à vérifier à l’accueil.',
    });
  });

  it('a doubtful identity stays provisional; a merged one is checked at reception', () => {
    expect(insiEffect({ ...odile, identityAttributes: ['fictive'] }, found).kind).toBe('manual');
    expect(insiEffect({ ...odile, mergedInto: 'p2' }, found).kind).toBe('manual');
  });

  it('an identity the téléservice does not find is recorded as such, unchanged', () => {
    expect(insiEffect(odile, { found: false })).toMatchObject({
      kind: 'not_found',
      outcome: { found: false, status: null },
    });
  });
});

describe('the shape of an answer, per service', () => {
  it('accepts each service’s result and a failure with its reason', () => {
    expect(answerSchema('insi').safeParse({ outcome: 'done', result: found }).success).toBe(true);
    expect(
      answerSchema('insi').safeParse({ outcome: 'done', result: { found: false } }).success,
    ).toBe(true);
    expect(
      answerSchema('eprescription').safeParse({
        outcome: 'done',
        result: { prescriptionId: 'RX-1' },
      }).success,
    ).toBe(true);
    expect(
      answerSchema('dmp').safeParse({
        outcome: 'done',
        result: { filingId: 'DMP-1', filedAt: '2026-12-04T10:00:00.000Z' },
      }).success,
    ).toBe(true);
    expect(
      answerSchema('mssante').safeParse({ outcome: 'done', result: { sent: true } }).success,
    ).toBe(true);
    expect(
      answerSchema('billing').safeParse({
        outcome: 'done',
        result: { billed: false, reason: 'Droits fermés' },
      }).success,
    ).toBe(true);
    expect(
      answerSchema('billing').safeParse({ outcome: 'failed', reason: 'TLSi injoignable' }).success,
    ).toBe(true);
  });

  it('refuses another service’s result, extra fields, a missing reason, a malformed INS', () => {
    expect(
      answerSchema('billing').safeParse({ outcome: 'done', result: { prescriptionId: 'RX-1' } })
        .success,
    ).toBe(false);
    expect(
      answerSchema('eprescription').safeParse({
        outcome: 'done',
        result: { prescriptionId: 'RX-1', text: 'amoxicilline' },
      }).success,
    ).toBe(false);
    expect(answerSchema('billing').safeParse({ outcome: 'failed' }).success).toBe(false);
    expect(
      answerSchema('insi').safeParse({ outcome: 'done', result: { ...found, matricule: '12' } })
        .success,
    ).toBe(false);
    expect(
      answerSchema('insi').safeParse({ outcome: 'done', result: { ...found, oid: '1.2.3' } })
        .success,
    ).toBe(false);
  });

  it('refuses anything else (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        for (const s of ['insi', 'eprescription', 'dmp', 'mssante', 'billing'] as const) {
          const parsed = answerSchema(s).safeParse(body);
          if (parsed.success) expect(['done', 'failed']).toContain(parsed.data.outcome);
        }
      }),
    );
  });
});

// ---- payloads ----

const staff = new Map<string, Staff>([
  [
    'intern',
    {
      id: 'intern',
      orgId: 'org',
      firstName: 'Léa',
      lastName: 'Martin',
      profession: 'interne',
      roles: ['clinicien'],
      supervisorId: 'doc',
      active: true,
    } as Staff,
  ],
  [
    'doc',
    {
      id: 'doc',
      orgId: 'org',
      firstName: 'Paul',
      lastName: 'Durand',
      profession: 'medecin',
      roles: ['clinicien'],
      supervisorId: null,
      active: true,
      rpps: '10001234567',
    } as Staff,
  ],
]);

describe('what a partner receives', () => {
  it('billing: who (author, RPPS, the supervising doctor of an intern), when, the patient, ALD, coverage; never the note', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 40 }), (secret) => {
        const c = {
          ...note(),
          authorId: 'intern',
          supervisorId: 'doc',
          createdAt: '2026-12-04T09:30:00.000Z',
          motif: `motif ${secret}`,
          assessment: `diag ${secret}`,
          plan: `plan ${secret}`,
        } as Consultation;
        const task = {
          id: 't',
          service: 'billing' as const,
          sourceEntity: 'consultation' as const,
          sourceId: 'c1',
          createdAt: '',
        };
        const payload = taskPayload({
          task,
          patient: odile,
          consultation: c,
          staff,
          treatments: [{ consultationId: 'c1', name: `trt ${secret}`, dose: '1' } as Treatment],
          vitals: [],
          addenda: [],
          allergies: [],
        });
        expect(JSON.stringify(payload)).not.toContain(secret);
        expect(payload).toMatchObject({
          act: { date: '2026-12-04' },
          author: { name: 'Léa Martin', rpps: null },
          supervisor: { name: 'Paul Durand', rpps: '10001234567' },
          patient: { nir: odile.nir, ald: true, aldExoneration: true, coverage: 'amo_amc' },
        });
      }),
      { numRuns: 50 },
    );
  });

  it('e-prescription: the lines recorded with the note, not stopped; no note text', () => {
    const c = {
      ...note(),
      authorId: 'doc',
      supervisorId: null,
      createdAt: '2026-12-04T09:30:00.000Z',
      plan: 'Revoir dans 8 jours',
    } as Consultation;
    const payload = taskPayload({
      task: {
        id: 't',
        service: 'eprescription',
        sourceEntity: 'consultation',
        sourceId: 'c1',
        createdAt: '',
      },
      patient: odile,
      consultation: c,
      staff,
      treatments: [
        {
          consultationId: 'c1',
          name: 'Amoxicilline 1 g',
          dose: '1 cp matin et soir, 6 jours',
          stopDate: null,
        } as Treatment,
        { consultationId: 'c1', name: 'Ancien', dose: '1', stopDate: '2026-12-04' } as Treatment,
        { consultationId: 'c9', name: 'Autre note', dose: '1', stopDate: null } as Treatment,
      ],
      vitals: [],
      addenda: [],
      allergies: [],
    });
    expect(payload).toMatchObject({
      prescriber: { name: 'Paul Durand', rpps: '10001234567' },
      lines: [{ name: 'Amoxicilline 1 g', dose: '1 cp matin et soir, 6 jours' }],
    });
    expect(JSON.stringify(payload)).not.toContain('Revoir');
  });

  it('INSi: the NIR and the strict traits only', () => {
    const payload = taskPayload({
      task: { id: 't', service: 'insi', sourceEntity: 'patient', sourceId: 'p1', createdAt: '' },
      patient: odile,
      staff,
      treatments: [],
      vitals: [],
      addenda: [],
      allergies: [],
    });
    expect(Object.keys(payload).sort()).toEqual(
      ['birthDate', 'birthName', 'birthPlaceCode', 'firstNames', 'nir', 'sex'].sort(),
    );
  });
});

describe('the coordination’s order', () => {
  it('lists « à traiter à la main » first for the coordination', () => {
    const at = (name: PartnerTaskState['name'], createdAt: string) => ({
      state: {
        ...newTaskState(T0),
        name,
        retryAt: name === 'failed' ? new Date(T0 + 60_000).toISOString() : null,
      },
      createdAt,
    });
    const order = coordinationOrder(
      [at('done', '1'), at('todo', '2'), at('manual', '3'), at('failed', '4'), at('manual', '0')],
      T0,
    );
    expect(order.map((t) => `${t.state.name}${t.createdAt}`)).toEqual([
      'manual0',
      'manual3',
      'failed4',
      'todo2',
      'done1',
    ]);
  });
});
