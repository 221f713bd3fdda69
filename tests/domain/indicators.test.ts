import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Appointment,
  Consultation,
  Orientation,
  Patient,
  QueueEntry,
  QueueStatus,
  Room,
  RosterSlot,
  Service,
  Stop,
  Visit,
} from '../../src/domain/entities';
import {
  AGE_BANDS,
  ageBand,
  ageYears,
  computeIndicators,
  type IndicatorInput,
  stats,
} from '../../src/domain/indicators';
import { statusValue } from '../../src/domain/queue';
import { zonedIso } from '../../src/domain/time';

const orgId = 'org';
const stop = (id: string, date: string, insee: string, name: string, status: Stop['status']) =>
  ({
    id,
    orgId,
    unitId: 'u',
    date,
    communeInsee: insee,
    communeName: name,
    address: '',
    opensAt: '08:30',
    closesAt: '17:30',
    status,
  }) satisfies Stop;
const patient = (id: string, birthDate: string, communeInsee: string | null): Patient => ({
  id,
  orgId,
  birthName: 'X',
  usedName: null,
  firstNames: 'Y',
  usedFirstName: null,
  sex: 'F',
  birthDate,
  birthPlaceCode: '72180',
  identityStatus: 'provisoire',
  nir: null,
  phone: null,
  email: null,
  address: null,
  communeInsee,
  coverage: 'inconnue',
  mtStatus: 'unknown',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt: '2026-01-01T00:00:00Z',
  duplicateDecision: null,
});
const visit = (
  id: string,
  patientId: string,
  stopId: string,
  arrivedAt: string,
  flags: { noMt?: boolean; ald?: boolean } = {},
): Visit => ({
  id,
  orgId,
  patientId,
  stopId,
  appointmentId: null,
  arrivedAt,
  motif: '',
  noMt: flags.noMt ?? false,
  ald: flags.ald ?? false,
  urgent: false,
  urgentReason: null,
});
const entry = (
  id: string,
  v: Visit,
  serviceId: string,
  status: QueueStatus,
  times: { room?: string; called?: string; started?: string; ended?: string; position?: number },
): QueueEntry => ({
  id,
  orgId,
  visitId: v.id,
  stopId: v.stopId,
  serviceId,
  position: times.position ?? 0,
  ticket: 'MG-001',
  status: statusValue(status),
  roomId: times.room ?? null,
  practitionerId: null,
  calledAt: times.called ?? null,
  startedAt: times.started ?? null,
  endedAt: times.ended ?? null,
  comingFromRoomId: null,
  endReason: null,
});
const consultation = (id: string, q: QueueEntry, v: Visit, kind: Orientation['kind']) =>
  ({
    id,
    orgId,
    queueEntryId: q.id,
    visitId: v.id,
    patientId: v.patientId,
    stopId: v.stopId,
    serviceId: q.serviceId,
    authorId: 'intern',
    supervisorId: null,
    motif: '',
    subjective: '',
    objective: '',
    assessment: '',
    plan: '',
    codes: [],
    orientation: { kind },
    confidentiality: 'standard',
    status: 'validated',
    returnComment: null,
    createdAt: '2026-11-23T08:00:00Z',
  }) satisfies Consultation;
const appointment = (id: string, stopId: string, status: Appointment['status']): Appointment => ({
  id,
  orgId,
  patientId: 'pX',
  stopId,
  serviceId: 'mg',
  time: '09:00',
  durationMin: 20,
  status,
  note: null,
  createdAt: '2026-11-16T09:00:00Z',
});
const room = (id: string, name: string, order: number): Room => ({
  id,
  orgId,
  unitId: 'u',
  name,
  kind: order < 2 ? 'gp_box' : 'modular',
  order,
});
const service = (id: string, code: string): Service => ({
  id,
  orgId,
  code,
  label: code,
  ticketPrefix: code,
  typicalMinutes: 20,
  roomKinds: ['gp_box', 'modular'],
  professions: [],
  confidentiality: 'standard',
});
const slot = (stopId: string, roomId: string, start: string, end: string): RosterSlot => ({
  id: `${stopId}-${roomId}-${start}`,
  orgId,
  stopId,
  roomId,
  start,
  end,
  serviceIds: ['mg'],
  staffIds: [],
});

const at = (hhmm: string) => zonedIso('2026-11-23', hhmm);

/** A past stop at Bonnétable, today at Mamers, next week planned. */
function day(): IndicatorInput {
  const stops = [
    stop('s0', '2026-11-16', '72039', 'Bonnétable', 'closed'),
    stop('s1', '2026-11-23', '72180', 'Mamers', 'open'),
    stop('s2', '2026-11-30', '72180', 'Mamers', 'planned'),
  ];
  const vA0 = visit('vA0', 'pA', 's0', '2026-11-16T08:30:00Z');
  const vA = visit('vA', 'pA', 's1', at('09:00'), { noMt: true, ald: true });
  const vB = visit('vB', 'pB', 's1', at('09:10'), { noMt: true });
  const vC = visit('vC', 'pC', 's1', at('09:20'));
  const vD = visit('vD', 'pD', 's1', at('09:30'), { ald: true });
  const ghost = visit('vG', 'pA', 'nowhere', at('09:00'));
  const qA0 = entry('qA0', vA0, 'mg', 'done', { room: 'box1' });
  const qA = entry('qA', vA, 'mg', 'done', {
    room: 'box1',
    called: at('09:20'),
    started: at('09:22'),
    ended: at('09:42'),
  });
  const qA2 = entry('qA2', vA, 'as', 'done', {
    room: 'salle3',
    position: 1,
    called: at('14:00'),
    started: at('14:00'),
    ended: at('14:30'),
  });
  const qB = entry('qB', vB, 'mg', 'done', {
    room: 'box2',
    called: at('09:40'),
    started: at('09:41'),
    ended: at('10:01'),
  });
  const qC = entry('qC', vC, 'mg', 'left', {});
  const qD = entry('qD', vD, 'mg', 'no_show', { room: 'box1', called: at('10:10') });
  return {
    stops,
    visits: [vA0, vA, vB, vC, vD, ghost],
    queueEntries: [qA0, qA, qA2, qB, qC, qD],
    consultations: [
      consultation('cA0', qA0, vA0, 'msp_cpts'),
      consultation('cA', qA, vA, 'mt_found'),
      consultation('cA2', qA2, vA, 'social_worker'),
      consultation('cB', qB, vB, 'none'),
    ],
    appointments: [
      appointment('a1', 's1', 'no_show'),
      appointment('a2', 's1', 'cancelled'),
      appointment('a3', 's1', 'checked_in'),
      appointment('a4', 's2', 'booked'),
    ],
    patients: [
      patient('pA', '1950-06-01', '72180'),
      patient('pB', '1990-12-01', '72039'),
      patient('pC', '2015-01-01', null),
      patient('pD', '1940-03-15', '72180'),
    ],
    rosterSlots: [
      slot('s1', 'box1', '08:30', '12:30'),
      slot('s1', 'box1', '13:30', '17:30'),
      slot('s1', 'box2', '08:30', '12:30'),
      slot('s1', 'salle3', '13:30', '17:30'),
      slot('s0', 'box1', '08:30', '17:30'),
    ],
    rooms: [room('box1', 'Box 1', 0), room('box2', 'Box 2', 1), room('salle3', 'Salle 3', 2)],
    services: [service('mg', 'MG'), service('as', 'AS')],
    period: { from: '2026-11-23', to: '2026-11-23' },
  };
}

describe('age bands', () => {
  it('counts full years, birthday included', () => {
    expect(ageYears('1950-06-01', '2026-05-31')).toBe(75);
    expect(ageYears('1950-06-01', '2026-06-01')).toBe(76);
    expect(ageYears('2024-02-29', '2025-02-28')).toBe(0);
    expect(() => ageYears('2030-01-01', '2026-01-01')).toThrow(/postérieure/);
    expect(() => ageYears('01/02/1950', '2026-01-01')).toThrow(/Date de naissance invalide/);
  });

  it('places ages in the export bands', () => {
    const on = '2026-11-23';
    expect(ageBand('2011-11-23', on)).toBe('0-15');
    expect(ageBand('2010-11-23', on)).toBe('16-25');
    expect(ageBand('2000-11-24', on)).toBe('16-25');
    expect(ageBand('2000-11-23', on)).toBe('26-45');
    expect(ageBand('1980-11-23', on)).toBe('46-65');
    expect(ageBand('1960-11-23', on)).toBe('66-75');
    expect(ageBand('1950-11-23', on)).toBe('76+');
  });

  it('never gets younger with time', () => {
    const date = fc.integer({ min: 0, max: 40_000 }).map((d) => {
      const x = new Date(Date.UTC(1920, 0, 1) + d * 86_400_000);
      return x.toISOString().slice(0, 10);
    });
    fc.assert(
      fc.property(date, date, date, (a, b, c) => {
        const [birth, d1, d2] = [a, b, c].sort();
        expect(AGE_BANDS.indexOf(ageBand(birth!, d1!))).toBeLessThanOrEqual(
          AGE_BANDS.indexOf(ageBand(birth!, d2!)),
        );
      }),
    );
  });
});

describe('indicators of a day', () => {
  const ind = computeIndicators(day());

  it('counts the day’s records only, earlier stops being history', () => {
    expect(ind.period).toEqual({ from: '2026-11-23', to: '2026-11-23' });
    expect(ind.totals).toEqual({
      stops: 1,
      patients: 4,
      visits: 4,
      queueEntries: 5,
      consultations: 3,
      appointments: 3,
    });
    expect(ind.excluded).toEqual({ unknownStop: 1 });
    expect(ind.byStop).toEqual([
      {
        stopId: 's1',
        date: '2026-11-23',
        communeInsee: '72180',
        patients: 4,
        visits: 4,
        consultations: 3,
      },
    ]);
    expect(ind.byCommune).toEqual([
      {
        communeInsee: '72180',
        communeName: 'Mamers',
        stops: 1,
        patients: 4,
        visits: 4,
        consultations: 3,
      },
    ]);
    expect(ind.byHomeCommune).toEqual([
      { communeInsee: '72039', patients: 1 },
      { communeInsee: '72180', patients: 2 },
      { communeInsee: null, patients: 1 },
    ]);
  });

  it('counts patients and consultations per service and room, with occupancy', () => {
    expect(ind.byService).toEqual([
      { serviceId: 'as', code: 'AS', patients: 1, queueEntries: 1, consultations: 1 },
      { serviceId: 'mg', code: 'MG', patients: 4, queueEntries: 4, consultations: 2 },
    ]);
    expect(ind.byRoom).toEqual([
      {
        roomId: 'box1',
        name: 'Box 1',
        patients: 1,
        consultations: 1,
        busyMinutes: 20,
        openMinutes: 480,
        occupancy: 0.0417,
      },
      {
        roomId: 'box2',
        name: 'Box 2',
        patients: 1,
        consultations: 1,
        busyMinutes: 20,
        openMinutes: 240,
        occupancy: 0.0833,
      },
      {
        roomId: 'salle3',
        name: 'Salle 3',
        patients: 1,
        consultations: 1,
        busyMinutes: 30,
        openMinutes: 240,
        occupancy: 0.125,
      },
    ]);
    expect(ind.consultationsWithoutRoom).toBe(0);
  });

  it('gives the shares without MT and with ALD among the patients', () => {
    expect(ind.population).toEqual({
      patients: 4,
      noMt: 2,
      noMtShare: 0.5,
      ald: 2,
      aldShare: 0.5,
      aldNoMt: 1,
      aldNoMtShare: 0.25,
      // Visits ticked before schema 6 without « sans MT »: unknown, never « sans MT ».
      mtUnknown: 2,
    });
    expect(ind.ageBands).toEqual({
      '0-15': 1,
      '16-25': 0,
      '26-45': 1,
      '46-65': 0,
      '66-75': 0,
      '76+': 2,
      inconnu: 0,
    });
  });

  it('counts orientations by outcome and the patients without MT who found one', () => {
    expect(ind.orientations).toEqual({
      total: 3,
      byKind: {
        none: 1,
        mt_found: 1,
        mt_declared: 0,
        msp_cpts: 0,
        specialist: 0,
        emergency: 0,
        social_worker: 1,
        follow_up_truck: 0,
      },
      mtFound: 1,
      mtDeclared: 0,
      noMtPatientsWithMt: 1,
    });
  });

  it('measures the wait from arrival to the first service’s call', () => {
    // A: 09:00 → 09:20, B: 09:10 → 09:40, D: 09:30 → 10:10; C left without a call.
    expect(ind.waitingMinutes).toEqual({
      count: 3,
      mean: 30,
      median: 30,
      p90: 38,
      min: 20,
      max: 40,
    });
  });

  it('counts no-shows, leavers, cancellations, returning patients and communes covered', () => {
    expect(ind.noShows).toEqual({ appointments: 1, queueEntries: 1, total: 2 });
    expect(ind.leavers).toEqual({ queueEntries: 1, visits: 1 });
    expect(ind.cancelled).toEqual({ appointments: 1, queueEntries: 0 });
    expect(ind.patientsNewVsReturning).toEqual({ new: 3, returning: 1 });
    expect(ind.communesCovered).toEqual({
      count: 1,
      communes: [{ communeInsee: '72180', communeName: 'Mamers' }],
    });
  });

  it('over the whole round, covers the communes where the truck actually stopped', () => {
    const all = computeIndicators({ ...day(), period: undefined });
    expect(all.totals.stops).toBe(3);
    expect(all.totals.visits).toBe(5);
    expect(all.communesCovered.communes.map((c) => c.communeName)).toEqual([
      'Bonnétable',
      'Mamers',
    ]);
    // pA's first visit is now the one at Bonnétable: nobody is returning.
    expect(all.patientsNewVsReturning).toEqual({ new: 4, returning: 0 });
  });

  it('is plain JSON with no names', () => {
    const json = JSON.stringify(ind);
    expect(JSON.parse(json)).toEqual(ind);
    expect(json).not.toMatch(/"X"|"Y"/);
  });
});

describe('indicators over arbitrary records', () => {
  const dates = ['2026-11-16', '2026-11-17', '2026-11-23'];
  const kinds: Orientation['kind'][] = ['none', 'mt_found', 'mt_declared', 'specialist'];
  const statuses: QueueStatus[] = ['waiting', 'called', 'done', 'no_show', 'left', 'cancelled'];
  const arb = fc.record({
    stopCount: fc.integer({ min: 1, max: 3 }),
    visits: fc.array(
      fc.record({
        patient: fc.integer({ min: 0, max: 5 }),
        stop: fc.nat(),
        noMt: fc.boolean(),
        ald: fc.boolean(),
        arrival: fc.integer({ min: 0, max: 300 }),
        entries: fc.array(
          fc.record({
            status: fc.constantFrom(...statuses),
            room: fc.option(fc.constantFrom('box1', 'box2')),
            wait: fc.option(fc.integer({ min: 0, max: 180 })),
            length: fc.integer({ min: 1, max: 60 }),
            orientation: fc.option(fc.constantFrom(...kinds)),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { maxLength: 15 },
    ),
    period: fc.option(fc.constantFrom(...dates)),
  });

  it('adds up: totals equal the records, groups sum to totals, stats stay within bounds', () => {
    fc.assert(
      fc.property(arb, ({ stopCount, visits: rows, period }) => {
        const stops = dates
          .slice(0, stopCount)
          .map((d, i) => stop(`s${i}`, d, i % 2 ? '72039' : '72180', `C${i}`, 'closed'));
        const input: IndicatorInput = {
          stops,
          visits: [],
          queueEntries: [],
          consultations: [],
          appointments: [],
          patients: [0, 1, 2, 3, 4, 5].map((i) => patient(`p${i}`, `19${50 + i * 5}-01-01`, null)),
          rosterSlots: stops.map((s) => slot(s.id, 'box1', '08:30', '17:30')),
          rooms: [room('box1', 'Box 1', 0), room('box2', 'Box 2', 1)],
          services: [service('mg', 'MG')],
          ...(period ? { period: { from: period, to: period } } : {}),
        };
        const visits: Visit[] = [];
        const entries: QueueEntry[] = [];
        const consultations: Consultation[] = [];
        rows.forEach((r, i) => {
          const s = stops[r.stop % stops.length]!;
          const arrived = new Date(Date.parse(`${s.date}T08:00:00Z`) + r.arrival * 60_000);
          const v = visit(`v${i}`, `p${r.patient}`, s.id, arrived.toISOString(), r);
          visits.push(v);
          r.entries.forEach((e, j) => {
            const called =
              e.wait === null ? undefined : new Date(arrived.getTime() + e.wait * 60_000);
            const q = entry(`q${i}-${j}`, v, 'mg', e.status, {
              position: j,
              ...(e.room ? { room: e.room } : {}),
              ...(called ? { called: called.toISOString(), started: called.toISOString() } : {}),
              ...(called
                ? { ended: new Date(called.getTime() + e.length * 60_000).toISOString() }
                : {}),
            });
            entries.push(q);
            if (e.orientation) consultations.push(consultation(`c${i}-${j}`, q, v, e.orientation));
          });
        });
        const ind = computeIndicators({ ...input, visits, queueEntries: entries, consultations });
        const inPeriod = new Set(
          stops.filter((s) => !period || s.date === period).map((s) => s.id),
        );
        const counted = <T extends { stopId: string }>(xs: T[]) =>
          xs.filter((x) => inPeriod.has(x.stopId)).length;
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

        expect(ind.totals.visits).toBe(counted(visits));
        expect(ind.totals.queueEntries).toBe(counted(entries));
        // One consultation per visit and service (docs/decisions/0004): the generator may give a
        // visit two entries of the same service, each with a note; they count once.
        expect(ind.totals.consultations).toBe(
          new Set(
            consultations
              .filter((c) => inPeriod.has(c.stopId))
              .map((c) => `${c.visitId}/${c.serviceId}`),
          ).size,
        );
        expect(ind.totals.patients).toBe(
          new Set(visits.filter((v) => inPeriod.has(v.stopId)).map((v) => v.patientId)).size,
        );
        expect(sum(ind.byStop.map((s) => s.visits))).toBe(ind.totals.visits);
        expect(sum(ind.byCommune.map((s) => s.consultations))).toBe(ind.totals.consultations);
        expect(sum(ind.byService.map((s) => s.queueEntries))).toBe(ind.totals.queueEntries);
        expect(sum(ind.byRoom.map((r) => r.consultations)) + ind.consultationsWithoutRoom).toBe(
          ind.totals.consultations,
        );
        expect(sum(Object.values(ind.orientations.byKind))).toBe(ind.totals.consultations);
        expect(sum(Object.values(ind.ageBands))).toBe(ind.totals.patients);
        expect(ind.patientsNewVsReturning.new + ind.patientsNewVsReturning.returning).toBe(
          ind.totals.patients,
        );
        expect(ind.population.noMt).toBeLessThanOrEqual(ind.totals.patients);
        expect(ind.population.aldNoMt).toBeLessThanOrEqual(
          Math.min(ind.population.ald, ind.population.noMt),
        );
        const w = ind.waitingMinutes;
        expect(w.count).toBeLessThanOrEqual(ind.totals.visits);
        if (w.count > 0) {
          for (const v of [w.mean!, w.median!, w.p90!]) {
            expect(v).toBeGreaterThanOrEqual(w.min!);
            expect(v).toBeLessThanOrEqual(w.max!);
          }
          expect(w.median!).toBeLessThanOrEqual(w.p90!);
        } else {
          expect(w).toEqual({
            count: 0,
            mean: null,
            median: null,
            p90: null,
            min: null,
            max: null,
          });
        }
        for (const r of ind.byRoom) {
          if (r.occupancy !== null) expect(r.occupancy).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('stats of any sample keep mean, median and p90 within min and max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (values) => {
          const s = stats(values);
          expect(s.count).toBe(values.length);
          for (const v of [s.mean!, s.median!, s.p90!]) {
            expect(v).toBeGreaterThanOrEqual(s.min!);
            expect(v).toBeLessThanOrEqual(s.max!);
          }
        },
      ),
    );
  });
});
