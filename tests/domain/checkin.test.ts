import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckInInput,
  checkInErrors,
  planCheckIn,
  planServiceMove,
  planTransfer,
} from '../../src/domain/checkin';
import type { QueueEntry, Service } from '../../src/domain/entities';
import { rowSchema } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import { parseTicket } from '../../src/domain/tickets';

const service = (id: string, prefix: string, label = id): Service => ({
  id,
  orgId: 'org',
  code: prefix,
  label,
  ticketPrefix: prefix,
  typicalMinutes: 20,
  roomKinds: ['gp_box'],
  professions: ['interne'],
  confidentiality: 'standard',
});
const MG = service('mg', 'MG', 'Médecine générale');
const AS = service('as', 'AS', 'Assistante sociale');
const services = [MG, AS];

const entry = (id: string, ticket: string, over: Partial<QueueEntry> = {}): QueueEntry => ({
  id,
  orgId: 'org',
  visitId: `v-${id}`,
  stopId: 'stop',
  serviceId: ticket.startsWith('MG') ? 'mg' : 'as',
  position: 0,
  ticket,
  status: statusValue('waiting'),
  roomId: null,
  practitionerId: null,
  calledAt: null,
  startedAt: null,
  endedAt: null,
  comingFromRoomId: null,
  endReason: null,
  ...over,
});

const input: CheckInInput = {
  orgId: 'org',
  stopId: 'stop',
  patientId: 'p1',
  appointmentId: null,
  motif: 'Renouvellement',
  serviceIds: ['mg', 'as'],
  noMt: true,
  ald: false,
  urgent: false,
  urgentReason: '',
};
const NOW = '2026-11-23T09:00:00.000Z';
const ids = { visit: 'v1', entries: ['e1', 'e2'] };

describe('check-in', () => {
  it('gives one ticket per service, in the order asked, numbered after the stop’s tickets', () => {
    const stopEntries = [entry('a', 'MG-001'), entry('b', 'MG-002'), entry('c', 'AS-001')];
    const plan = planCheckIn(input, { services, stopEntries }, NOW, ids);
    expect(plan.entries.map((e) => [e.serviceId, e.position, e.ticket])).toEqual([
      ['mg', 0, 'MG-003'],
      ['as', 1, 'AS-002'],
    ]);
    expect(plan.visit).toMatchObject({ patientId: 'p1', arrivedAt: NOW, noMt: true });
    expect(plan.appointment).toBeNull();
    for (const e of plan.entries) {
      expect(e.status.status).toBe('waiting');
      expect(rowSchema('queueEntry').safeParse(e).success).toBe(true);
    }
    expect(rowSchema('visit').safeParse(plan.visit).success).toBe(true);
  });

  it('marks the honoured appointment checked in', () => {
    const plan = planCheckIn(
      { ...input, appointmentId: 'ap1', serviceIds: ['mg'] },
      { services, stopEntries: [] },
      NOW,
      { visit: 'v1', entries: ['e1'] },
    );
    expect(plan.appointment).toEqual({ id: 'ap1', status: 'checked_in' });
    expect(plan.visit.appointmentId).toBe('ap1');
  });

  it('requires a motif, a service and a reason for an urgent override', () => {
    const errors = checkInErrors(
      { ...input, motif: ' ', serviceIds: [], urgent: true },
      { services, stopEntries: [], visits: [] },
    );
    expect(Object.keys(errors).sort()).toEqual(['motif', 'serviceIds', 'urgentReason']);
    expect(
      checkInErrors(
        { ...input, serviceIds: ['mg', 'mg'] },
        { services, stopEntries: [], visits: [] },
      ).serviceIds,
    ).toMatch(/deux fois/);
  });

  it('refuses a second check-in of a patient still in the queue, not of one who was seen', () => {
    const seen = entry('a', 'MG-001', { visitId: 'old', status: statusValue('done') });
    const ctx = { services, visits: [{ id: 'old', patientId: 'p1' }] };
    expect(checkInErrors(input, { ...ctx, stopEntries: [seen] })).toEqual({});
    const waiting = { ...seen, status: statusValue('waiting') };
    expect(checkInErrors(input, { ...ctx, stopEntries: [waiting] }).patientId).toMatch(/MG-001/);
  });

  it('never hands out a ticket already taken at the stop', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('MG', 'AS'), fc.integer({ min: 1, max: 400 })), {
          maxLength: 40,
        }),
        fc.subarray(['mg', 'as'], { minLength: 1 }),
        (existing, wanted) => {
          const stopEntries = existing.map(([p, n], i) =>
            entry(`x${i}`, `${p}-${String(n).padStart(3, '0')}`),
          );
          const plan = planCheckIn(
            { ...input, serviceIds: wanted },
            { services, stopEntries },
            NOW,
            { visit: 'v', entries: wanted.map((w) => `n-${w}`) },
          );
          const taken = new Set(stopEntries.map((e) => e.ticket));
          for (const e of plan.entries) {
            expect(taken.has(e.ticket)).toBe(false);
            const prefix = services.find((s) => s.id === e.serviceId)!.ticketPrefix;
            expect(parseTicket(e.ticket)?.prefix).toBe(prefix);
          }
        },
      ),
    );
  });
});

describe('moving a waiting patient to another service', () => {
  it('cancels the old entry with the reason and opens one in the new service', () => {
    const old = entry('a', 'MG-004');
    const result = planServiceMove(old, AS, [old, entry('b', 'AS-002')], 'n1', NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.ended.status.status).toBe('cancelled');
    expect(result.plan.ended.endReason).toBe('Orienté vers Assistante sociale (AS-003)');
    expect(result.plan.entry).toMatchObject({
      id: 'n1',
      visitId: old.visitId,
      serviceId: 'as',
      ticket: 'AS-003',
      status: statusValue('waiting'),
    });
  });

  it('refuses to move a patient already called, or to the same service', () => {
    const called = entry('a', 'MG-004', { status: statusValue('called') });
    expect(planServiceMove(called, AS, [called], 'n', NOW).ok).toBe(false);
    const waiting = entry('b', 'MG-005');
    expect(planServiceMove(waiting, MG, [waiting], 'n', NOW)).toEqual({
      ok: false,
      reason: 'Le patient attend déjà pour ce service.',
    });
  });
});

describe('a room sending its patient on to another service', () => {
  it('finishes the consultation and queues the patient there, coming from the room', () => {
    const inRoom = entry('a', 'MG-004', {
      status: statusValue('in_consultation'),
      roomId: 'box2',
      position: 0,
    });
    const result = planTransfer(inRoom, AS, 'box2', [inRoom], 'n1', NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.ended).toMatchObject({ status: statusValue('done'), endedAt: NOW });
    expect(result.plan.entry).toMatchObject({
      serviceId: 'as',
      ticket: 'AS-001',
      comingFromRoomId: 'box2',
      position: 0,
      visitId: inRoom.visitId,
      status: statusValue('waiting'),
      roomId: null,
    });
  });

  it('refuses a patient not in consultation', () => {
    const waiting = entry('a', 'MG-004');
    expect(planTransfer(waiting, AS, 'box2', [waiting], 'n', NOW).ok).toBe(false);
  });
});
