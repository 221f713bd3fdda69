import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookingFits, freeSlots, misfitAppointments } from '../../src/domain/booking';
import type { Appointment, RosterSlot, Service, Stop } from '../../src/domain/entities';
import { fromMinutes, toMinutes } from '../../src/domain/time';

const stop: Stop = {
  id: 'stop',
  orgId: 'org',
  unitId: 'u',
  date: '2026-11-23',
  communeInsee: '72180',
  communeName: 'Mamers',
  address: 'Place Carnot',
  opensAt: '08:30',
  closesAt: '17:30',
  status: 'open',
};
const service = (id: string, label: string, typicalMinutes: number): Service => ({
  id,
  orgId: 'org',
  code: id.toUpperCase(),
  label,
  ticketPrefix: id.toUpperCase(),
  typicalMinutes,
  roomKinds: ['gp_box', 'modular'],
  professions: [],
  confidentiality: 'standard',
});
const services = [
  service('mg', 'Médecine générale', 20),
  service('dep', 'Dépistage', 15),
  service('as', 'Assistante sociale', 30),
];
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
const appt = (
  serviceId: string,
  time: string,
  status: Appointment['status'] = 'booked',
  durationMin = services.find((s) => s.id === serviceId)!.typicalMinutes,
): Appointment => ({
  id: `a${String(++n).padStart(3, '0')}`,
  orgId: 'org',
  patientId: `p${n}`,
  stopId: 'stop',
  serviceId,
  time,
  durationMin,
  status,
  note: null,
  createdAt: '2026-11-16T09:00:00Z',
});

const morning = [
  slot('box1', '08:30', '12:30', ['mg']),
  slot('box2', '08:30', '12:30', ['mg']),
  slot('salle3', '13:30', '17:30', ['as']),
];

describe('free appointment slots', () => {
  it('steps through the roster by the service’s typical duration', () => {
    const free = freeSlots(stop, morning, services, [], 'mg');
    expect(free[0]).toBe('08:30');
    expect(free[1]).toBe('08:50');
    expect(free[free.length - 1]).toBe('12:10');
    expect(free).toHaveLength(12);
    expect(freeSlots(stop, morning, services, [], 'as')).toEqual([
      '13:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
    ]);
  });

  it('stays free until every room offering the service is booked', () => {
    const one = [appt('mg', '08:30')];
    expect(freeSlots(stop, morning, services, one, 'mg')).toContain('08:30');
    const two = [appt('mg', '08:30'), appt('mg', '08:30')];
    expect(freeSlots(stop, morning, services, two, 'mg')).not.toContain('08:30');
    // An appointment overlapping the start counts, whatever its own start.
    const overlapping = [appt('mg', '08:40'), appt('mg', '08:45')];
    expect(freeSlots(stop, morning, services, overlapping, 'mg')).not.toContain('08:30');
    expect(freeSlots(stop, morning, services, overlapping, 'mg')).not.toContain('08:50');
  });

  it('frees the time of cancelled and no-show appointments', () => {
    const gone = [appt('mg', '08:30', 'cancelled'), appt('mg', '08:30', 'no_show')];
    gone.push(appt('mg', '08:30'));
    expect(freeSlots(stop, morning, services, gone, 'mg')).toContain('08:30');
  });

  it('shares a room between the services it offers', () => {
    const shared = [slot('box1', '08:30', '12:30', ['mg', 'dep'])];
    expect(freeSlots(stop, shared, services, [appt('dep', '08:35')], 'mg')).not.toContain('08:30');
  });

  it('respects the stop hours, a start time floor, and unknown services', () => {
    const shortDay = { ...stop, closesAt: '12:00' };
    expect(freeSlots(shortDay, morning, services, [], 'mg').at(-1)).toBe('11:30');
    expect(freeSlots(stop, morning, services, [], 'mg', { notBefore: '11:00' })).toEqual([
      '11:10',
      '11:30',
      '11:50',
      '12:10',
    ]);
    expect(freeSlots(stop, morning, services, [], 'xyz')).toEqual([]);
    expect(freeSlots(stop, morning, services, [], 'mg', { stepMinutes: 60 })).toHaveLength(4);
  });

  it('every free start fits the roster and is below capacity; filling it removes it', () => {
    const arb = fc.array(
      fc.record({
        service: fc.constantFrom('mg', 'as'),
        start: fc.integer({ min: 510, max: 1020 }).map((m) => m - (m % 10)),
      }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const appointments = rows.map((r) => appt(r.service, fromMinutes(r.start)));
        const free = freeSlots(stop, morning, services, appointments, 'mg');
        for (const t of free) {
          const candidate = { stopId: 'stop', serviceId: 'mg', time: t, durationMin: 20 };
          expect(bookingFits(candidate, morning)).toBe(true);
          const full = [...appointments, appt('mg', t), appt('mg', t)];
          expect(freeSlots(stop, morning, services, full, 'mg')).not.toContain(t);
          const overlapping = appointments.filter(
            (a) =>
              a.serviceId === 'mg' &&
              toMinutes(a.time) < toMinutes(t) + 20 &&
              toMinutes(t) < toMinutes(a.time) + a.durationMin,
          );
          expect(overlapping.length).toBeLessThan(2);
        }
      }),
    );
  });
});

describe('appointments the roster no longer serves', () => {
  it('fits while a room offers the service for the whole appointment', () => {
    expect(bookingFits(appt('mg', '10:00'), morning)).toBe(true);
    expect(bookingFits(appt('mg', '12:20'), morning)).toBe(false);
    expect(bookingFits(appt('mg', '14:00'), morning)).toBe(false);
    expect(bookingFits(appt('as', '14:00'), morning)).toBe(true);
  });

  it('flags, with a French reason, the bookings a roster change orphaned', () => {
    const appointments = [
      appt('as', '14:30'),
      appt('mg', '09:00'),
      appt('mg', '15:00'),
      appt('as', '10:00', 'cancelled'),
    ];
    // Salle 3 switches from the social worker to screening in the afternoon.
    const changed = [...morning.slice(0, 2), slot('salle3', '13:30', '17:30', ['dep'])];
    const misfits = misfitAppointments(appointments, changed, services);
    expect(misfits.map((m) => m.appointment.time)).toEqual(['14:30', '15:00']);
    expect(misfits[0]!.reason).toBe(
      'Rendez-vous de 14:30 : plus aucune salle n’assure « Assistante sociale » à cette heure',
    );
    expect(
      misfitAppointments(appointments, morning, services).map((m) => m.appointment.time),
    ).toEqual(['15:00']);
  });
});
