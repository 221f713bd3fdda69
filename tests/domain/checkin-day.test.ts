// Check-in that knows the day (issue 23): whether today's roster offers a service now, later or
// not at all; a patient already in the queue; an honest wait for a newcomer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckInInput,
  checkInErrors,
  openEntryOf,
  serviceAvailability,
  serviceRefusal,
} from '../../src/domain/checkin';
import type { QueueEntry, RosterSlot, Service } from '../../src/domain/entities';
import { estimateWaits, newcomerWait, waitEstimate } from '../../src/domain/estimates';
import { statusValue } from '../../src/domain/queue';
import { fromMinutes, toMinutes, zonedIso } from '../../src/domain/time';

const slot = (id: string, roomId: string, start: string, end: string, services: string[]) =>
  ({
    id,
    orgId: 'o',
    stopId: 'stop',
    roomId,
    start,
    end,
    serviceIds: services,
    staffIds: [],
  }) satisfies RosterSlot;

const slots: RosterSlot[] = [
  slot('b1m', 'box1', '08:30', '12:30', ['mg']),
  slot('b1a', 'box1', '13:30', '17:30', ['mg']),
  slot('s3m', 'salle3', '08:30', '12:30', ['sf']),
  slot('s3a', 'salle3', '13:30', '17:30', ['as']),
  { ...slot('gone', 'salle4', '08:30', '17:30', ['dep']), _deleted: true },
  slot('other', 'salle4', '08:30', '17:30', ['dep']),
].map((s) => (s.id === 'other' ? { ...s, stopId: 'another-stop' } : s));

const service = (id: string, label: string): Service => ({
  id,
  orgId: 'o',
  code: id.toUpperCase(),
  label,
  ticketPrefix: id.toUpperCase().slice(0, 2),
  typicalMinutes: 20,
  roomKinds: ['gp_box', 'modular'],
  professions: ['medecin'],
  confidentiality: 'standard',
});
const services = [
  service('mg', 'Médecine générale'),
  service('sf', 'Sage-femme'),
  service('as', 'Assistante sociale'),
  service('dep', 'Dépistage et prévention'),
];

describe('whether today’s roster offers a service', () => {
  it('now, later from the next slot’s start, or not for the rest of the day', () => {
    expect(serviceAvailability(slots, 'stop', 'mg', '10:00')).toEqual({ kind: 'now' });
    expect(serviceAvailability(slots, 'stop', 'mg', '12:45')).toEqual({
      kind: 'later',
      from: '13:30',
    });
    expect(serviceAvailability(slots, 'stop', 'as', '09:00')).toEqual({
      kind: 'later',
      from: '13:30',
    });
    expect(serviceAvailability(slots, 'stop', 'sf', '13:00')).toEqual({ kind: 'not_today' });
    expect(serviceAvailability(slots, 'stop', 'mg', '17:30')).toEqual({ kind: 'not_today' });
  });

  it('ignores deleted slots and other stops’ slots', () => {
    expect(serviceAvailability(slots, 'stop', 'dep', '10:00')).toEqual({ kind: 'not_today' });
  });

  it('gives a French reason only for a service not offered today', () => {
    expect(serviceRefusal(services[3]!, { kind: 'not_today' })).toBe(
      'Aucune salle ne propose Dépistage et prévention pour le reste de la journée : choisir un autre service ou donner un rendez-vous à une prochaine escale.',
    );
    expect(serviceRefusal(services[0]!, { kind: 'now' })).toBeNull();
    expect(serviceRefusal(services[2]!, { kind: 'later', from: '13:30' })).toBeNull();
  });

  it('property: « later » starts after the time, and a slot of the service covers that start', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.integer({ min: 0, max: 1438 }), fc.integer({ min: 1, max: 600 }))
            .map(([start, len]) => [start, Math.min(1439, start + len)] as const),
          { maxLength: 6 },
        ),
        fc.integer({ min: 0, max: 1438 }),
        (ranges, now) => {
          const list = ranges.map(([a, b], i) =>
            slot(`s${i}`, `r${i}`, fromMinutes(a), fromMinutes(b), ['x']),
          );
          const time = fromMinutes(now);
          const a = serviceAvailability(list, 'stop', 'x', time);
          const covering = ranges.some(([s, e]) => s <= now && now < e);
          expect(a.kind === 'now').toBe(covering);
          if (a.kind === 'later') {
            expect(toMinutes(a.from)).toBeGreaterThan(now);
            expect(ranges.some(([s]) => s === toMinutes(a.from))).toBe(true);
          }
          // Nothing for the rest of the day exactly when no slot covers now or starts later.
          const rest = ranges.some(([s, e]) => (s <= now && now < e) || s > now);
          expect(a.kind !== 'not_today').toBe(rest);
        },
      ),
    );
  });
});

const entry = (
  id: string,
  visitId: string,
  status: QueueEntry['status']['status'],
): QueueEntry => ({
  id,
  orgId: 'o',
  visitId,
  stopId: 'stop',
  serviceId: 'mg',
  position: 0,
  ticket: `MG-00${id.slice(-1)}`,
  status: statusValue(status),
  roomId: status === 'waiting' ? null : 'box1',
  practitionerId: null,
  calledAt: null,
  startedAt: status === 'in_consultation' ? zonedIso('2026-12-04', '09:50') : null,
  endedAt: null,
  comingFromRoomId: null,
  endReason: null,
});

describe('a patient already in the queue today', () => {
  const visits = [
    { id: 'v1', patientId: 'p1' },
    { id: 'v2', patientId: 'p2' },
    { id: 'v3', patientId: 'p3' },
  ];
  const entries = [
    entry('e1', 'v1', 'done'),
    entry('e2', 'v2', 'in_consultation'),
    entry('e3', 'v3', 'waiting'),
  ];

  it('is found waiting, called or in consultation; a finished passage is not', () => {
    expect(openEntryOf('p1', entries, visits)).toBeUndefined();
    expect(openEntryOf('p2', entries, visits)?.id).toBe('e2');
    expect(openEntryOf('p3', entries, visits)?.id).toBe('e3');
    expect(openEntryOf('p4', entries, visits)).toBeUndefined();
  });

  it('is refused a second check-in; a service not offered today is refused too', () => {
    const input: CheckInInput = {
      orgId: 'o',
      stopId: 'stop',
      patientId: 'p4',
      appointmentId: null,
      motif: 'Prévention',
      serviceIds: ['dep'],
      noMt: false,
      ald: false,
      urgent: false,
      urgentReason: '',
    };
    const ctx = { services, stopEntries: entries, visits, roster: { slots, time: '10:00' } };
    expect(checkInErrors(input, ctx).serviceIds).toMatch(/^Aucune salle ne propose Dépistage/);
    expect(checkInErrors({ ...input, serviceIds: ['mg', 'as'] }, ctx)).toEqual({});
    expect(checkInErrors({ ...input, patientId: 'p3', serviceIds: ['mg'] }, ctx).patientId).toBe(
      'Ce patient est déjà dans la file (ticket MG-003).',
    );
    // Without the roster (an older caller), only the catalogue is checked.
    expect(checkInErrors(input, { services, stopEntries: entries, visits })).toEqual({});
  });
});

describe('an honest wait', () => {
  it('says « no slot today » without a number, « next » rather than 0 minutes', () => {
    expect(waitEstimate(undefined)).toEqual({ kind: 'no_slot_today' });
    expect(waitEstimate(null)).toEqual({ kind: 'no_slot_today' });
    expect(waitEstimate(0)).toEqual({ kind: 'next' });
    expect(waitEstimate(25)).toEqual({ kind: 'minutes', minutes: 25 });
  });

  it('property: a number is only ever shown when it is at least one minute', () => {
    fc.assert(
      fc.property(
        fc.option(fc.double({ min: 0, max: 600, noNaN: true }), { nil: undefined }),
        (m) => {
          const e = waitEstimate(m);
          if (e.kind === 'minutes') expect(e.minutes).toBeGreaterThanOrEqual(1);
          expect(e.kind === 'no_slot_today').toBe(m === undefined);
        },
      ),
    );
  });

  it('places a newcomer behind everyone waiting; no room today gives no estimate', () => {
    const now = zonedIso('2026-12-04', '10:00');
    const waiting = [entry('w1', 'v1', 'waiting'), entry('w2', 'v2', 'waiting')];
    const ctx = { entries: waiting, services, slots };
    const known = estimateWaits(waiting, ctx, now);
    // One room (Box 1), 20 minutes each: the two waiting go at 0 and 20, the newcomer at 40.
    expect([...known.values()]).toEqual([0, 20]);
    expect(newcomerWait('mg', 'stop', waiting, ctx, now)).toBe(40);
    expect(newcomerWait('sf', 'stop', waiting, ctx, now)).toBe(0);
    expect(newcomerWait('dep', 'stop', waiting, ctx, now)).toBeUndefined();
    // Social work opens at 13:30: the wait runs until then.
    expect(newcomerWait('as', 'stop', waiting, ctx, now)).toBe(210);
  });
});
