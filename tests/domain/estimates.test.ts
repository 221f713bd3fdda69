import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueueEntry, QueueStatus, RosterSlot, Service } from '../../src/domain/entities';
import {
  elapsedMinutes,
  estimateWaits,
  MIN_OBSERVATIONS,
  mean,
  median,
  observedDurations,
  percentile,
  serviceDuration,
  waitColour,
} from '../../src/domain/estimates';
import { statusValue } from '../../src/domain/queue';
import { addMinutesIso, zonedIso } from '../../src/domain/time';

const DATE = '2026-11-23';
const at = (hhmm: string) => zonedIso(DATE, hhmm);

const service = (id: string, typicalMinutes: number): Service => ({
  id,
  orgId: 'org',
  code: id.toUpperCase(),
  label: id,
  ticketPrefix: id.toUpperCase(),
  typicalMinutes,
  roomKinds: ['gp_box', 'modular'],
  professions: [],
  confidentiality: 'standard',
});
const services = [service('mg', 20), service('as', 30)];

const slot = (roomId: string, start: string, end: string, serviceIds: string[]): RosterSlot => ({
  id: `${roomId}-${start}`,
  orgId: 'org',
  stopId: 'stop',
  roomId,
  start,
  end,
  serviceIds,
  staffIds: [],
});

let n = 0;
function entry(status: QueueStatus, extra: Partial<QueueEntry> = {}, serviceId = 'mg'): QueueEntry {
  n++;
  return {
    id: `e${String(n).padStart(4, '0')}`,
    orgId: 'org',
    visitId: `v${n}`,
    stopId: 'stop',
    serviceId,
    position: 0,
    ticket: `MG-${String(n).padStart(3, '0')}`,
    status: statusValue(status),
    roomId: null,
    practitionerId: null,
    calledAt: null,
    startedAt: null,
    endedAt: null,
    comingFromRoomId: null,
    endReason: null,
    ...extra,
  };
}
const done = (minutes: number, serviceId = 'mg', startHHMM = '08:30') =>
  entry(
    'done',
    {
      startedAt: at(startHHMM),
      endedAt: addMinutesIso(at(startHHMM), minutes),
      roomId: 'box1',
    },
    serviceId,
  );
const waits = (ordered: QueueEntry[], all: QueueEntry[], slots: RosterSlot[], now: string) => {
  const m = estimateWaits(ordered, { entries: all, services, slots }, now);
  return ordered.map((e) => m.get(e.id) ?? null);
};

describe('statistics', () => {
  it('computes mean, median and percentiles by interpolation', () => {
    expect(mean([10, 20, 60])).toBe(30);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBeCloseTo(9.1);
    expect(percentile([5], 90)).toBe(5);
    expect(mean([])).toBeNull();
    expect(median([])).toBeNull();
    expect(() => percentile([1], 101)).toThrow(/Percentile/);
  });

  it('keeps every percentile between the minimum and the maximum, increasing with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 600, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (values, p, q) => {
          const v = percentile(values, p)!;
          expect(v).toBeGreaterThanOrEqual(Math.min(...values));
          expect(v).toBeLessThanOrEqual(Math.max(...values));
          if (p <= q) expect(v).toBeLessThanOrEqual(percentile(values, q)!);
        },
      ),
    );
  });
});

describe('durations of a service today', () => {
  it('measures finished consultations only, from start to end', () => {
    const entries = [
      done(12),
      done(18),
      entry('in_consultation', { startedAt: at('09:00') }),
      done(25, 'as'),
      { ...done(40), _deleted: true },
    ];
    expect(Object.fromEntries(observedDurations(entries))).toEqual({ mg: [12, 18], as: [25] });
  });

  it(`uses the catalogue until ${MIN_OBSERVATIONS} consultations were observed, then their median`, () => {
    const two = observedDurations([done(10), done(12)]);
    expect(serviceDuration('mg', two, services)).toBe(20);
    const three = observedDurations([done(10), done(12), done(40)]);
    expect(serviceDuration('mg', three, services)).toBe(12);
    expect(serviceDuration('mg', three, services, 5)).toBe(20);
  });
});

describe('estimated waits', () => {
  const oneRoom = [slot('box1', '08:30', '12:30', ['mg'])];
  const twoRooms = [...oneRoom, slot('box2', '08:30', '12:30', ['mg'])];

  it('spaces patients by the typical duration when the room is free', () => {
    const q = [entry('waiting'), entry('waiting'), entry('waiting')];
    expect(waits(q, q, oneRoom, at('09:00'))).toEqual([0, 20, 40]);
  });

  it('spreads the queue over the rooms serving the service', () => {
    const q = [entry('waiting'), entry('waiting'), entry('waiting'), entry('waiting')];
    expect(waits(q, q, twoRooms, at('09:00'))).toEqual([0, 0, 20, 20]);
  });

  it('counts the remaining time of the patient in consultation, or the whole of a called one', () => {
    const inside = entry('in_consultation', { roomId: 'box1', startedAt: at('08:50') });
    const q = [entry('waiting'), entry('waiting')];
    expect(waits(q, [inside, ...q], oneRoom, at('09:00'))).toEqual([10, 30]);
    const called = entry('called', { roomId: 'box1', calledAt: at('08:59') });
    expect(waits(q, [called, ...q], oneRoom, at('09:00'))).toEqual([20, 40]);
    // Over time: a consultation running late means the room is expected free now.
    expect(waits(q, [inside, ...q], oneRoom, at('09:30'))).toEqual([0, 20]);
  });

  it('uses the day’s observed durations once there are enough', () => {
    const history = [done(10), done(12), done(14)];
    const q = [entry('waiting'), entry('waiting'), entry('waiting')];
    expect(waits(q, [...history, ...q], oneRoom, at('10:00'))).toEqual([0, 12, 24]);
  });

  it('waits for the first slot offering the service when none does now', () => {
    const afternoon = [slot('salle3', '13:30', '17:30', ['as'])];
    const q = [entry('waiting', {}, 'as'), entry('waiting', {}, 'as')];
    expect(waits(q, q, afternoon, at('12:45'))).toEqual([45, 75]);
  });

  it('gives no estimate when no room offers the service for the rest of the day', () => {
    const q = [entry('waiting', {}, 'as')];
    expect(waits(q, q, oneRoom, at('09:00'))).toEqual([null]);
  });

  it('estimates waiting entries only, per service', () => {
    const mixed = [
      entry('waiting'),
      entry('called', { roomId: 'box2' }),
      entry('waiting', {}, 'as'),
      entry('waiting'),
    ];
    const slots = [...oneRoom, slot('salle3', '08:30', '12:30', ['as'])];
    expect(waits(mixed, mixed, slots, at('09:00'))).toEqual([0, null, 0, 20]);
  });

  it('never decreases along the ordered queue of one service with one room', () => {
    const arb = fc.record({
      statuses: fc.array(fc.constantFrom<QueueStatus>('waiting', 'waiting', 'called', 'done'), {
        maxLength: 15,
      }),
      occupant: fc.option(fc.integer({ min: 0, max: 60 })),
      history: fc.array(fc.integer({ min: 3, max: 60 }), { maxLength: 6 }),
      nowMinutes: fc.integer({ min: 0, max: 200 }),
    });
    fc.assert(
      fc.property(arb, ({ statuses, occupant, history, nowMinutes }) => {
        const now = addMinutesIso(at('08:30'), nowMinutes);
        const q = statuses.map((s) => entry(s));
        const others = history.map((m) => done(m));
        if (occupant !== null) {
          others.push(
            entry('in_consultation', {
              roomId: 'box1',
              startedAt: addMinutesIso(now, -occupant),
            }),
          );
        }
        const estimated = waits(q, [...others, ...q], oneRoom, now).filter(
          (w): w is number => w !== null,
        );
        expect(estimated).toHaveLength(statuses.filter((s) => s === 'waiting').length);
        for (let i = 0; i + 1 < estimated.length; i++) {
          expect(estimated[i]!).toBeLessThanOrEqual(estimated[i + 1]!);
          expect(estimated[i]!).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('with k free rooms, the i-th waiting patient waits floor(i / k) durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 12 }), (k, count) => {
        const slots = Array.from({ length: k }, (_, r) =>
          slot(`room${r}`, '08:30', '17:30', ['mg']),
        );
        const q = Array.from({ length: count }, () => entry('waiting'));
        expect(waits(q, q, slots, at('10:00'))).toEqual(q.map((_, i) => Math.floor(i / k) * 20));
      }),
    );
  });
});

describe('elapsed wait and its colour', () => {
  it('counts whole minutes since arrival, never negative', () => {
    expect(elapsedMinutes(at('09:00'), at('09:42'))).toBe(42);
    expect(elapsedMinutes('2026-11-23T08:00:00Z', '2026-11-23T08:00:59Z')).toBe(0);
    expect(elapsedMinutes(at('09:05'), at('09:00'))).toBe(0);
    expect(() => elapsedMinutes('bientôt', at('09:00'))).toThrow(/Horodatage invalide/);
  });

  it('turns amber at 30 minutes and red at 60, or at the given thresholds', () => {
    expect(waitColour(29)).toBe('green');
    expect(waitColour(30)).toBe('amber');
    expect(waitColour(59)).toBe('amber');
    expect(waitColour(60)).toBe('red');
    expect(waitColour(15, { amber: 10, red: 20 })).toBe('amber');
  });
});
