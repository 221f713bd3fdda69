// Orientations followed to their outcome (issue 17 item 2): the lifecycle's transitions, refused
// with French reasons; the replicated state only moves forward; the worklist's recalls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FollowedOrientation,
  ORIENTATION_RANK,
  orientationStateSchema,
  orientationStepSchema,
  type Patient,
} from '../../src/domain/entities';
import {
  allowedOrientationActions,
  newOrientationErrors,
  ORIENTATION_ACTIONS,
  type OrientationAction,
  orientationTransition,
  proposedState,
} from '../../src/domain/orientation';
import {
  addMonths,
  DEFAULT_RECALL_MONTHS,
  orientationsToFollow,
  parseRecallMonths,
  recallsDue,
} from '../../src/domain/worklist';

const AT = '2026-12-04T10:00:00.000Z';
function orientation(p: Partial<FollowedOrientation> = {}): FollowedOrientation {
  return {
    id: 'o1',
    orgId: 'org',
    patientId: 'p1',
    consultationId: 'c1',
    createdAt: AT,
    createdBy: 'doc',
    purpose: 'medecin_traitant',
    target: 'msp',
    targetName: 'MSP de Mamers',
    note: null,
    state: proposedState(AT, 'doc'),
    steps: [],
    ...p,
  };
}
const step = { at: AT, by: 'coord' };
function follow(o: FollowedOrientation, ...actions: OrientationAction[]): FollowedOrientation {
  let cur = o;
  for (const a of actions) {
    const r = orientationTransition(cur, a, { ...step, reason: 'injoignable' });
    if (!r.ok) throw new Error(r.reason);
    cur = { ...cur, state: r.state, steps: [...cur.steps, r.step] };
  }
  return cur;
}

describe('the lifecycle of an orientation', () => {
  it('goes proposé → contact pris → accepté → MT déclaré, with a dated step by whom each time', () => {
    const done = follow(orientation(), 'contact', 'accept', 'declare_mt');
    expect(done.state).toMatchObject({ status: 'mt_declared', rank: 4, by: 'coord', at: AT });
    expect(done.steps.map((s) => s.state)).toEqual(['contacted', 'accepted', 'mt_declared']);
  });

  it('refuses moves the lifecycle does not have, in French, naming the current state', () => {
    expect(orientationTransition(orientation(), 'accept', step)).toEqual({
      ok: false,
      reason:
        'Seule une orientation dont le contact est pris peut être acceptée (état actuel : proposée).',
    });
    expect(orientationTransition(orientation(), 'declare_mt', step)).toMatchObject({ ok: false });
    const settled = follow(orientation(), 'contact', 'accept', 'declare_mt');
    expect(orientationTransition(settled, 'abandon', { ...step, reason: 'x' })).toEqual({
      ok: false,
      reason:
        'Une orientation arrivée à son terme ne peut plus être abandonnée (état actuel : médecin traitant déclaré).',
    });
  });

  it('declares a médecin traitant only at the end of a médecin traitant search', () => {
    const specialist = follow(
      orientation({ purpose: 'avis', target: 'specialist', targetName: 'Dr Cardio' }),
      'contact',
      'accept',
    );
    expect(orientationTransition(specialist, 'declare_mt', step)).toEqual({
      ok: false,
      reason:
        'Seule une orientation vers un médecin traitant peut aboutir à « médecin traitant déclaré ».',
    });
    expect(allowedOrientationActions(specialist)).toEqual(['abandon']);
  });

  it('abandons only with a reason, kept on the step', () => {
    expect(orientationTransition(orientation(), 'abandon', step)).toEqual({
      ok: false,
      reason: 'Indiquer pourquoi l’orientation est abandonnée.',
    });
    const r = orientationTransition(orientation(), 'abandon', { ...step, reason: ' déménagé ' });
    expect(r).toMatchObject({ ok: true, step: { state: 'abandoned', reason: 'déménagé' } });
  });

  it('every accepted move strictly raises the rank, and the state it builds is valid on the wire', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORIENTATION_ACTIONS), { maxLength: 8 }), (acts) => {
        let cur = orientation();
        for (const a of acts) {
          const r = orientationTransition(cur, a, { ...step, reason: 'raison' });
          if (!r.ok) {
            expect(r.reason).toMatch(/\S/);
            expect(allowedOrientationActions(cur)).not.toContain(a);
            continue;
          }
          expect(allowedOrientationActions(cur)).toContain(a);
          expect(r.state.rank).toBeGreaterThan(cur.state.rank);
          expect(r.state.rank).toBe(ORIENTATION_RANK[r.state.status]);
          expect(orientationStateSchema.safeParse(r.state).success).toBe(true);
          expect(orientationStepSchema.safeParse(r.step).success).toBe(true);
          cur = { ...cur, state: r.state };
        }
      }),
    );
  });

  it('the wire refuses a state whose rank lies, or an abandon without its reason', () => {
    const base = { epoch: 0, at: AT, by: 'x', reason: null };
    expect(
      orientationStateSchema.safeParse({ ...base, status: 'mt_declared', rank: 0 }).success,
    ).toBe(false);
    expect(
      orientationStateSchema.safeParse({ ...base, status: 'abandoned', rank: 3 }).success,
    ).toBe(false);
  });
});

describe('a new orientation', () => {
  it('asks for a purpose, a target and its name, in French', () => {
    expect(newOrientationErrors({ purpose: '', target: '', targetName: ' ', note: '' })).toEqual({
      purpose: 'Choisir le but de l’orientation.',
      target: 'Choisir vers qui le patient est orienté.',
      targetName: 'Indiquer le nom du médecin, de la structure ou du service.',
    });
    expect(
      newOrientationErrors({
        purpose: 'medecin_traitant',
        target: 'social_service',
        targetName: 'CCAS',
        note: '',
      }).target,
    ).toMatch(/médecin, d’une MSP ou d’une CPTS/);
    expect(
      newOrientationErrors({
        purpose: 'social',
        target: 'social_service',
        targetName: 'CCAS',
        note: '',
      }),
    ).toEqual({});
  });
});

describe('the worklist', () => {
  const patient = (p: Partial<Patient>): Patient =>
    ({ id: 'p', mtStatus: 'none', mtStatusAt: null, ...p }) as Patient;
  const dateOf = (iso: string) => iso.slice(0, 10);
  const visits = [{ patientId: 'p', arrivedAt: '2026-09-10T08:00:00Z' }];

  it('reads recall intervals in months, and refuses an interval of zero', () => {
    expect(parseRecallMonths('3, 1')).toEqual({ ok: true, months: [1, 3] });
    expect(parseRecallMonths('0')).toEqual({
      ok: false,
      reason: 'Un intervalle de rappel de 0 mois rappellerait le jour même : au moins 1 mois.',
    });
    expect(parseRecallMonths('')).toMatchObject({ ok: false });
    expect(parseRecallMonths('1,5')).toEqual({ ok: true, months: [1, 5] });
    expect(parseRecallMonths('1.5')).toMatchObject({ ok: false });
    expect(DEFAULT_RECALL_MONTHS).toEqual([1, 3]);
  });

  it('adds months on the calendar, the month’s last day when shorter', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('lists patients without MT whose recall is due, until a recall records their status', () => {
    const due = recallsDue([patient({})], visits, [1, 3], '2026-12-04', dateOf);
    expect(due).toMatchObject([{ months: 1, due: '2026-10-10', lastVisit: '2026-09-10' }]);
    expect(recallsDue([patient({})], visits, [1, 3], '2026-12-10', dateOf)).toMatchObject([
      { months: 3, due: '2026-12-10' },
    ]);
    // Recalled on 20 October: the 1-month recall is done, the 3-month one not yet due.
    const recalled = patient({ mtStatusAt: '2026-10-20T09:00:00Z' });
    expect(recallsDue([recalled], visits, [1, 3], '2026-12-04', dateOf)).toEqual([]);
    // Unknown MT is not recalled as « sans MT »; a declared MT neither.
    expect(
      recallsDue([patient({ mtStatus: 'unknown' })], visits, [1], '2026-12-04', dateOf),
    ).toEqual([]);
  });

  it('lists orientations to follow, the longest untouched first, without the settled ones', () => {
    const old = orientation({ id: 'old', state: proposedState('2026-11-01T08:00:00Z', 'doc') });
    const recent = orientation({ id: 'recent' });
    const done = follow(orientation({ id: 'done' }), 'contact', 'accept', 'declare_mt');
    expect(orientationsToFollow([recent, done, old]).map((o) => o.id)).toEqual(['old', 'recent']);
  });
});
