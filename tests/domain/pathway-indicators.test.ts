// Definitions version 2 (docs/indicators.md): the path back to a médecin traitant from each
// patient's first visit ever to any later evidence, and the indicators the region and the DMG
// asked for. Property tests run on constructed histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Appointment,
  Consultation,
  FollowedOrientation,
  MtStatus,
  Patient,
  Signature,
  Staff,
  Stop,
  Vaccination,
  Visit,
  VisitSurvey,
} from '../../src/domain/entities';
import { computeIndicators, type IndicatorInput } from '../../src/domain/indicators';
import {
  DEFINITION_CHANGES,
  definitionChanges,
  INDICATORS_VERSION,
  pathways,
  visitMtState,
} from '../../src/domain/pathway-indicators';

const orgId = 'org';
const stop = (id: string, date: string, status: Stop['status'] = 'closed'): Stop => ({
  id,
  orgId,
  unitId: 'u',
  date,
  communeInsee: '72180',
  communeName: 'Mamers',
  address: '',
  opensAt: '08:30',
  closesAt: '17:30',
  status,
});
const patient = (id: string, over: Partial<Patient> = {}): Patient => ({
  id,
  orgId,
  birthName: 'X',
  usedName: null,
  firstNames: 'Y',
  usedFirstName: null,
  sex: 'F',
  birthDate: '1970-01-01',
  birthPlaceCode: '72180',
  identityStatus: 'provisoire',
  nir: null,
  phone: null,
  email: null,
  address: null,
  communeInsee: '72180',
  coverage: 'inconnue',
  mtStatus: 'unknown',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt: '2026-01-01T00:00:00Z',
  duplicateDecision: null,
  ...over,
});
const visit = (
  id: string,
  patientId: string,
  s: Stop,
  mt: MtStatus,
  over: Partial<Visit> = {},
): Visit => ({
  id,
  orgId,
  patientId,
  stopId: s.id,
  appointmentId: null,
  arrivedAt: `${s.date}T09:00:00Z`,
  motif: '',
  noMt: mt === 'none',
  ald: false,
  urgent: false,
  urgentReason: null,
  mtStatus: mt,
  ...over,
});
const declaredOrientation = (id: string, patientId: string, at: string): FollowedOrientation => ({
  id,
  orgId,
  patientId,
  consultationId: null,
  createdAt: at,
  createdBy: 'coord',
  purpose: 'medecin_traitant',
  target: 'doctor',
  targetName: 'Dr Lefèvre',
  note: null,
  state: { status: 'mt_declared', epoch: 0, rank: 4, at, by: 'coord', reason: null },
  steps: [{ state: 'mt_declared', at, by: 'coord', reason: null }],
});
const input = (over: Partial<IndicatorInput>): IndicatorInput => ({
  stops: [],
  visits: [],
  queueEntries: [],
  consultations: [],
  appointments: [],
  patients: [],
  rosterSlots: [],
  rooms: [],
  services: [],
  ...over,
});

const jan = stop('jan', '2026-01-15');
const mar = stop('mar', '2026-03-12');

describe('the médecin traitant pathway (version 2)', () => {
  it('counts the January/March patient as re-attached over a period covering both', () => {
    // Oriented in January without MT; returns in March, ticked « avec MT ».
    const ind = computeIndicators(
      input({
        stops: [jan, mar],
        patients: [patient('p')],
        visits: [visit('v1', 'p', jan, 'none'), visit('v2', 'p', mar, 'declared')],
        period: { from: '2026-01-01', to: '2026-03-31' },
      }),
    );
    expect(ind.version).toBe(INDICATORS_VERSION);
    expect(ind.reattachment.noMt).toEqual({ patients: 1, reattached: 1, share: 1 });
    expect(ind.reattachment.bySource.visit).toBe(1);
    expect(ind.reattachment.daysToOutcome.median).toBe(56);
    // Version 1 read « sans MT » at the latest visit of the period: the patient left both terms.
    expect(ind.population.noMt).toBe(0);
  });

  it('counts them re-attached in March alone too (the baseline is the first visit ever)', () => {
    const ind = computeIndicators(
      input({
        stops: [jan, mar],
        patients: [patient('p')],
        visits: [visit('v1', 'p', jan, 'none'), visit('v2', 'p', mar, 'declared')],
        period: { from: '2026-03-01', to: '2026-03-31' },
      }),
    );
    expect(ind.reattachment.noMt).toEqual({ patients: 1, reattached: 1, share: 1 });
  });

  it('does not count evidence after the period’s end', () => {
    const ind = computeIndicators(
      input({
        stops: [jan, mar],
        patients: [patient('p')],
        visits: [visit('v1', 'p', jan, 'none'), visit('v2', 'p', mar, 'declared')],
        period: { from: '2026-01-01', to: '2026-01-31' },
      }),
    );
    expect(ind.reattachment.noMt).toEqual({ patients: 1, reattached: 0, share: 0 });
  });

  it('takes an orientation reaching « MT déclaré » and the record’s dated declaration as evidence', () => {
    const paths = pathways({
      stops: [jan],
      visits: [visit('v1', 'p', jan, 'none'), visit('v2', 'q', jan, 'none')],
      patients: [
        patient('p'),
        patient('q', {
          mtStatus: 'declared',
          mtStatusAt: '2026-02-03T10:00:00Z',
          mtSource: 'recall',
        }),
      ],
      orientations: [declaredOrientation('o', 'p', '2026-02-01T10:00:00Z')],
    });
    expect(paths.get('p')!.outcome).toEqual({
      source: 'orientation',
      at: '2026-02-01T10:00:00Z',
      date: '2026-02-01',
    });
    expect(paths.get('q')!.outcome?.source).toBe('patient');
  });

  it('never takes a registration, an undated declaration or evidence before the first visit', () => {
    const paths = pathways({
      stops: [jan],
      visits: [
        visit('v1', 'p', jan, 'none'),
        visit('v2', 'q', jan, 'none'),
        visit('v3', 'r', jan, 'none'),
      ],
      patients: [
        patient('p', {
          mtStatus: 'declared',
          mtStatusAt: '2026-02-03T10:00:00Z',
          mtSource: 'registration',
        }),
        patient('q', { mtStatus: 'declared', mtStatusAt: null }),
        patient('r'),
      ],
      orientations: [declaredOrientation('o', 'r', '2026-01-10T10:00:00Z')],
    });
    expect([...paths.values()].map((p) => p.outcome)).toEqual([null, null, null]);
  });

  it('keeps unknown apart: an unknown first visit then a declared MT is « inconnu, déclaré depuis »', () => {
    const ind = computeIndicators(
      input({
        stops: [jan, mar],
        patients: [patient('p')],
        visits: [visit('v1', 'p', jan, 'unknown'), visit('v2', 'p', mar, 'declared')],
      }),
    );
    expect(ind.reattachment.noMt.patients).toBe(0);
    expect(ind.reattachment.unknown).toEqual({ patients: 1, declaredSince: 1, share: 1 });
  });

  it('counts a declaration at the very instant of the first arrival (not before it)', () => {
    const paths = pathways({
      stops: [jan],
      visits: [visit('v1', 'p', jan, 'unknown')],
      patients: [patient('p')],
      orientations: [declaredOrientation('o', 'p', `${jan.date}T09:00:00Z`)],
    });
    expect(paths.get('p')!.outcome?.source).toBe('orientation');
  });

  it('reads a visit from before schema 6: ticked is « sans MT », unticked is unknown', () => {
    expect(visitMtState({ noMt: true })).toBe('none');
    expect(visitMtState({ noMt: false })).toBe('unknown');
    expect(visitMtState({ noMt: false, mtStatus: 'declared' })).toBe('declared');
  });

  // ---- properties over constructed histories ----
  const DATES = ['2026-01-10', '2026-02-14', '2026-03-12', '2026-04-09', '2026-05-21'];
  const STOPS = DATES.map((d, i) => stop(`s${i}`, d));
  const history = fc
    .record({
      visits: fc.array(
        fc.record({
          patient: fc.integer({ min: 0, max: 5 }),
          stop: fc.integer({ min: 0, max: 4 }),
          hour: fc.integer({ min: 8, max: 16 }),
          mt: fc.constantFrom<MtStatus>('none', 'declared', 'unknown'),
          legacy: fc.boolean(),
          ald: fc.boolean(),
        }),
        { maxLength: 25 },
      ),
      orientations: fc.array(
        fc.record({
          patient: fc.integer({ min: 0, max: 5 }),
          day: fc.integer({ min: 0, max: 150 }),
        }),
        { maxLength: 6 },
      ),
      declared: fc.array(
        fc.record({
          patient: fc.integer({ min: 0, max: 5 }),
          day: fc.option(fc.integer({ min: 0, max: 150 })),
          source: fc.constantFrom(
            'registration',
            'checkin',
            'room',
            'orientation',
            'recall' as const,
          ),
        }),
        { maxLength: 6 },
      ),
      from: fc.integer({ min: 0, max: 4 }),
      len: fc.integer({ min: 0, max: 4 }),
    })
    .map((h) => {
      const dayIso = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();
      const visits = h.visits.map((v, i) => {
        const s = STOPS[v.stop]!;
        const row = visit(`v${i}`, `p${v.patient}`, s, v.mt, {
          arrivedAt: `${s.date}T${String(v.hour).padStart(2, '0')}:00:00Z`,
          ald: v.ald,
        });
        // A visit from before schema 6 carries only the tick.
        if (v.legacy) delete row.mtStatus;
        return row;
      });
      const patients = [0, 1, 2, 3, 4, 5].map((n) => {
        const d = h.declared.find((x) => x.patient === n);
        return patient(
          `p${n}`,
          d
            ? {
                mtStatus: 'declared',
                mtStatusAt: d.day === null ? null : dayIso(d.day),
                mtSource: d.source,
              }
            : {},
        );
      });
      const orientations = h.orientations.map((o, i) =>
        declaredOrientation(`o${i}`, `p${o.patient}`, dayIso(o.day)),
      );
      const period = {
        from: DATES[h.from]!,
        to: DATES[Math.min(4, h.from + h.len)]!,
      };
      return { visits, patients, orientations, period };
    });

  it('counts every patient of the period once in the denominator, under one baseline state', () => {
    fc.assert(
      fc.property(history, (h) => {
        const ind = computeIndicators(input({ stops: STOPS, ...h }));
        const r = ind.reattachment;
        const seen = new Set(
          h.visits
            .filter((v) => {
              const d = STOPS.find((s) => s.id === v.stopId)!.date;
              return d >= h.period.from && d <= h.period.to;
            })
            .map((v) => v.patientId),
        );
        expect(r.cohort).toBe(seen.size);
        expect(r.baseline.none + r.baseline.declared + r.baseline.unknown).toBe(seen.size);
        expect(ind.population.patients).toBe(seen.size);
        expect(r.noMt.reattached).toBeLessThanOrEqual(r.noMt.patients);
        expect(r.aldNoMt.patients).toBeLessThanOrEqual(r.noMt.patients);
      }),
      { numRuns: 300 },
    );
  });

  it('never counts an unknown médecin traitant as « sans MT »', () => {
    fc.assert(
      fc.property(history, (h) => {
        const ind = computeIndicators(input({ stops: STOPS, ...h }));
        const paths = pathways({ stops: STOPS, ...h, until: h.period.to });
        // Sans MT at baseline: exactly the patients whose first visit said « sans MT ».
        const cohort = [...paths.values()].filter((p) =>
          h.visits.some((v) => {
            const d = STOPS.find((s) => s.id === v.stopId)!.date;
            return v.patientId === p.patientId && d >= h.period.from && d <= h.period.to;
          }),
        );
        const firstSaidNone = cohort.filter((p) => {
          const v = h.visits.find((x) => x.id === p.baseline.visitId)!;
          return v.mtStatus === 'none' || (v.mtStatus === undefined && v.noMt);
        });
        expect(ind.reattachment.noMt.patients).toBe(firstSaidNone.length);
        expect(ind.reattachment.unknown.patients).toBe(
          cohort.filter((p) => p.baseline.mt === 'unknown').length,
        );
        // Population: an unknown latest visit is counted apart, never in noMt.
        expect(ind.population.noMt + ind.population.mtUnknown).toBeLessThanOrEqual(
          ind.population.patients,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never places an outcome before its baseline nor after the period', () => {
    fc.assert(
      fc.property(history, (h) => {
        const paths = pathways({ stops: STOPS, ...h, until: h.period.to });
        for (const p of paths.values()) {
          // The baseline is the first visit ever of the patient.
          const mine = h.visits.filter((v) => v.patientId === p.patientId);
          for (const v of mine) {
            const d = STOPS.find((s) => s.id === v.stopId)!.date;
            expect(d >= p.baseline.date).toBe(true);
          }
          if (!p.outcome) continue;
          expect(p.outcome.date >= p.baseline.date).toBe(true);
          expect(p.outcome.date <= h.period.to).toBe(true);
          // Never before the first arrival; a later visit arrives strictly after it.
          if (p.outcome.source === 'visit') {
            expect(Date.parse(p.outcome.at)).toBeGreaterThan(Date.parse(p.baseline.at));
          } else {
            expect(Date.parse(p.outcome.at)).toBeGreaterThanOrEqual(Date.parse(p.baseline.at));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts as re-attached every « sans MT » first visit followed by a visit « avec MT » in the period', () => {
    fc.assert(
      fc.property(history, (h) => {
        const ind = computeIndicators(input({ stops: STOPS, ...h }));
        const paths = pathways({ stops: STOPS, ...h, until: h.period.to });
        for (const p of paths.values()) {
          if (p.baseline.mt !== 'none') continue;
          const later = h.visits.some((v) => {
            const d = STOPS.find((s) => s.id === v.stopId)!.date;
            return (
              v.patientId === p.patientId &&
              v.id !== p.baseline.visitId &&
              visitMtState(v) === 'declared' &&
              d <= h.period.to &&
              Date.parse(v.arrivedAt) > Date.parse(p.baseline.at)
            );
          });
          if (later) expect(p.outcome).not.toBeNull();
        }
        const counted = [...paths.values()].filter(
          (p) =>
            p.baseline.mt === 'none' &&
            p.outcome !== null &&
            h.visits.some((v) => {
              const d = STOPS.find((s) => s.id === v.stopId)!.date;
              return v.patientId === p.patientId && d >= h.period.from && d <= h.period.to;
            }),
        ).length;
        expect(ind.reattachment.noMt.reattached).toBe(counted);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the other indicators of version 2', () => {
  const s1 = stop('s1', '2026-11-23');
  const cancelled = { ...stop('s2', '2026-11-24', 'cancelled'), communeName: 'Bonnétable' };
  const staff = (id: string, profession: Staff['profession']): Staff => ({
    id,
    orgId,
    firstName: id,
    lastName: id,
    profession,
    roles: ['clinicien'],
    supervisorId: null,
    active: true,
  });
  const note = (
    id: string,
    patientId: string,
    authorId: string,
    over: Partial<Consultation> = {},
  ) =>
    ({
      id,
      orgId,
      queueEntryId: `q${id}`,
      visitId: `v${patientId}`,
      patientId,
      stopId: 's1',
      serviceId: 'mg',
      authorId,
      supervisorId: null,
      motif: '',
      subjective: '',
      objective: '',
      assessment: '',
      plan: '',
      codes: [],
      orientation: { kind: 'none' },
      confidentiality: 'standard',
      status: 'validated',
      returnComment: null,
      createdAt: '2026-11-23T09:00:00Z',
      ...over,
    }) satisfies Consultation;
  const sig = (
    id: string,
    consultationId: string,
    kind: Signature['kind'],
    at: string,
  ): Signature => ({
    id,
    orgId,
    consultationId,
    kind,
    staffId: 'x',
    at,
    contentHash: 'h',
    comment: null,
  });
  const survey = (over: Partial<VisitSurvey>): VisitSurvey => ({
    answered: true,
    renunciation: null,
    withoutTruck: null,
    withoutTruckOther: null,
    at: '2026-11-23T10:00:00Z',
    by: 'acc',
    ...over,
  });
  const appt = (
    id: string,
    createdAt: string,
    status: Appointment['status'] = 'booked',
  ): Appointment => ({
    id,
    orgId,
    patientId: 'a',
    stopId: 's1',
    serviceId: 'mg',
    time: '09:00',
    durationMin: 20,
    status,
    note: null,
    createdAt,
  });
  const vacc = (id: string, date: string, givenBy: string | null): Vaccination =>
    ({
      id,
      orgId,
      patientId: 'a',
      recordedAt: `${date}T10:00:00Z`,
      recordedBy: 'x',
      consultationId: null,
      vaccine: 'DTP',
      lot: null,
      date,
      site: 'deltoid_left',
      givenBy,
      givenElsewhere: givenBy ? null : 'Dr Martin',
    }) as Vaccination;

  const ind = computeIndicators(
    input({
      stops: [s1, cancelled],
      patients: [
        patient('a', { coverage: 'c2s', communeInsee: '72180' }),
        patient('b', { coverage: 'ame', communeInsee: '72035' }),
        patient('c', { coverage: 'aucune', communeInsee: '99999' }),
        patient('d', { coverage: 'amo_amc', communeInsee: null }),
      ],
      visits: [
        visit('va', 'a', s1, 'none', {
          survey: survey({ renunciation: 'oui', withoutTruck: 'urgences' }),
        }),
        visit('vb', 'b', s1, 'declared', { survey: survey({ answered: false }) }),
        visit('vc', 'c', s1, 'unknown', {
          survey: survey({
            renunciation: 'ne_sait_pas',
            withoutTruck: 'autre',
            withoutTruckOther: 'Le Mans',
          }),
        }),
        visit('vd', 'd', s1, 'none'),
      ],
      consultations: [
        note('n1', 'a', 'int1', { supervisorId: 'doc', prevention: ['vaccination', 'addictions'] }),
        note('n2', 'b', 'int1', { supervisorId: 'doc' }),
        note('n3', 'c', 'doc', { prevention: ['depistage_cancer'] }),
        note('n4', 'd', 'int2', { supervisorId: 'doc', serviceId: 'sf' }),
      ],
      signatures: [
        sig('g1', 'n1', 'author', '2026-11-23T10:00:00Z'),
        sig('g2', 'n1', 'supervisor', '2026-11-23T16:00:00Z'),
        sig('g3', 'n2', 'author', '2026-11-23T11:00:00Z'),
        sig('g4', 'n2', 'supervisor', '2026-11-25T11:00:00Z'),
        sig('g5', 'n4', 'author', '2026-11-23T12:00:00Z'),
      ],
      staff: [staff('int1', 'interne'), staff('int2', 'interne'), staff('doc', 'medecin')],
      appointments: [
        appt('r1', '2026-11-13T09:00:00Z'),
        appt('r2', '2026-11-21T09:00:00Z', 'no_show'),
        appt('r3', '2026-11-01T09:00:00Z', 'cancelled'),
      ],
      vaccinations: [
        vacc('x1', '2026-11-23', 'int1'),
        vacc('x2', '2026-11-23', null),
        vacc('x3', '2025-01-01', 'int1'),
      ],
      placeOf: (insee) =>
        insee === '72180' || insee === '72035'
          ? { code: '200035160', name: 'CC Maine Saosnois' }
          : null,
      period: { from: '2026-11-23', to: '2026-11-24' },
    }),
  );

  it('gives precarity from the coverage on the record', () => {
    expect(ind.precarity).toMatchObject({
      patients: 4,
      c2s: 1,
      ame: 1,
      none: 1,
      covered: 1,
      unknown: 0,
    });
    expect(ind.precarity.c2sShare).toBe(0.25);
  });

  it('gives where patients live by EPCI, unknown places together', () => {
    expect(ind.byHomeEpci).toEqual([
      { epci: '200035160', name: 'CC Maine Saosnois', patients: 2 },
      { epci: null, name: null, patients: 2 },
    ]);
    expect(computeIndicators(input({})).byHomeEpci).toBeNull();
  });

  it('gives the appointment lead time in days, cancelled bookings out', () => {
    expect(ind.appointmentLeadDays).toMatchObject({ count: 2, min: 2, max: 10, median: 6 });
  });

  it('gives activity per profession and per intern', () => {
    expect(ind.activity.byProfession).toEqual([
      { profession: 'interne', consultations: 3, patients: 3 },
      { profession: 'medecin', consultations: 1, patients: 1 },
    ]);
    expect(ind.activity.byIntern).toEqual([
      { staffId: 'int1', consultations: 2, patients: 2 },
      { staffId: 'int2', consultations: 1, patients: 1 },
    ]);
  });

  it('gives supervision delays in hours and the notes still awaiting validation', () => {
    expect(ind.supervision.hours).toMatchObject({ count: 2, min: 6, max: 48 });
    expect(ind.supervision.awaiting).toBe(1);
  });

  it('counts prevention acts ticked on notes and vaccinations given in the truck in the period', () => {
    expect(ind.prevention.consultations).toBe(2);
    expect(ind.prevention.byAct).toEqual({
      vaccination: 1,
      depistage_cancer: 1,
      risque_cardiovasculaire: 0,
      addictions: 1,
      sante_sexuelle: 0,
    });
    expect(ind.prevention.vaccinationsGiven).toBe(1);
  });

  it('counts cancelled stops with their date and commune', () => {
    expect(ind.cancelledStops).toEqual({
      count: 1,
      stops: [{ date: '2026-11-24', communeName: 'Bonnétable' }],
    });
  });

  it('counts the questionnaire answered, declined and not asked', () => {
    expect(ind.questionnaire).toMatchObject({ visits: 4, answered: 2, declined: 1, notAsked: 1 });
    expect(ind.questionnaire.renunciation).toEqual({
      oui: 1,
      non: 0,
      ne_sait_pas: 1,
      sans_reponse: 0,
    });
    expect(ind.questionnaire.withoutTruck.urgences).toBe(1);
    expect(ind.questionnaire.withoutTruck.autre).toBe(1);
  });

  it('says when a period holds nothing rather than giving zeros as facts', () => {
    expect(ind.empty).toBe(false);
    const none = computeIndicators(
      input({ stops: [s1], period: { from: '2027-01-01', to: '2027-01-31' } }),
    );
    expect(none.empty).toBe(true);
    expect(none.reattachment.noMt.share).toBeNull();
  });

  it('says what changed between two definition versions', () => {
    expect(definitionChanges(1, 2)).toEqual(DEFINITION_CHANGES[2]);
    expect(definitionChanges(2, 1)).toEqual(DEFINITION_CHANGES[2]);
    expect(definitionChanges(2, 2)).toEqual([]);
    expect(DEFINITION_CHANGES[INDICATORS_VERSION]?.length).toBeGreaterThan(0);
  });
});
