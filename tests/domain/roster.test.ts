import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Room, RosterSlot, Service, Stop } from '../../src/domain/entities';
import {
  roomServicesNow,
  roomsOfferingService,
  rosterErrors,
  servicesOfferedNow,
  sessionOf,
  sessionRange,
  slotsAt,
  slotsInSession,
} from '../../src/domain/roster';
import { fromMinutes } from '../../src/domain/time';

const orgId = 'org';
const room = (id: string, name: string, kind: Room['kind'], order: number): Room => ({
  id,
  orgId,
  unitId: 'u',
  name,
  kind,
  order,
});
const service = (id: string, label: string, roomKinds: Room['kind'][]): Service => ({
  id,
  orgId,
  code: id.toUpperCase(),
  label,
  ticketPrefix: id.toUpperCase(),
  typicalMinutes: 20,
  roomKinds,
  professions: [],
  confidentiality: 'standard',
});
const stop: Stop = {
  id: 'stop',
  orgId,
  unitId: 'u',
  date: '2026-11-23',
  communeInsee: '72180',
  communeName: 'Mamers',
  address: 'Place Carnot',
  opensAt: '08:30',
  closesAt: '17:30',
  status: 'open',
};
let n = 0;
const slot = (
  roomId: string,
  start: string,
  end: string,
  serviceIds: string[],
  stopId = 'stop',
): RosterSlot => ({
  id: `slot-${++n}`,
  orgId,
  stopId,
  roomId,
  start,
  end,
  serviceIds,
  staffIds: [],
});

const rooms = [
  room('box1', 'Box 1', 'gp_box', 0),
  room('box2', 'Box 2', 'gp_box', 1),
  room('salle3', 'Salle 3', 'modular', 2),
];
const services = [
  service('mg', 'Médecine générale', ['gp_box']),
  service('sf', 'Sage-femme', ['modular']),
  service('as', 'Assistante sociale', ['modular']),
  service('dep', 'Dépistage', ['gp_box', 'modular']),
];
const day = [
  slot('box1', '08:30', '12:30', ['mg']),
  slot('box1', '13:30', '17:30', ['mg', 'dep']),
  slot('box2', '08:30', '17:30', ['mg']),
  slot('salle3', '08:30', '12:30', ['sf']),
  slot('salle3', '13:30', '17:30', ['as']),
];

describe('what a room offers now', () => {
  it('finds the slot covering a time, with half-open ends', () => {
    expect(slotsAt(day, 'stop', 'box1', '12:29').map((s) => s.start)).toEqual(['08:30']);
    expect(slotsAt(day, 'stop', 'box1', '12:30')).toEqual([]);
    expect(slotsAt(day, 'other-stop', 'box1', '09:00')).toEqual([]);
  });

  it('lets a modular room change function during the day', () => {
    expect(servicesOfferedNow(day, 'salle3', '10:00')).toEqual(['sf']);
    expect(servicesOfferedNow(day, 'salle3', '14:00')).toEqual(['as']);
    expect(servicesOfferedNow(day, 'salle3', '13:00')).toEqual([]);
    expect(servicesOfferedNow(day, 'box1', '14:00')).toEqual(['mg', 'dep']);
  });

  it('ignores deleted slots and other stops when asked', () => {
    const deleted = { ...slot('box2', '08:30', '17:30', ['dep']), _deleted: true };
    const elsewhere = slot('box2', '08:30', '17:30', ['as'], 'tomorrow');
    const slots = [...day, deleted, elsewhere];
    expect(servicesOfferedNow(slots, 'box2', '09:00', 'stop')).toEqual(['mg']);
  });

  it('maps every room in roster order', () => {
    expect([...roomServicesNow(day, rooms, '14:00', 'stop')]).toEqual([
      ['box1', ['mg', 'dep']],
      ['box2', ['mg']],
      ['salle3', ['as']],
    ]);
    expect(roomsOfferingService(day, 'mg', '09:00', 'stop')).toEqual(['box1', 'box2']);
    expect(roomsOfferingService(day, 'mg', '13:00', 'stop')).toEqual(['box2']);
  });
});

describe('roster validation', () => {
  it('accepts a sound roster', () => {
    expect(rosterErrors(day, rooms, services, [stop])).toEqual([]);
  });

  it('reports overlaps within one room only, once per pair', () => {
    const slots = [
      slot('box1', '08:30', '12:30', ['mg']),
      slot('box1', '12:00', '13:00', ['mg']),
      slot('box2', '12:00', '13:00', ['mg']),
    ];
    const errors = rosterErrors(slots, rooms, services, [stop]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'overlap',
      slotId: slots[0]!.id,
      otherSlotId: slots[1]!.id,
      message: 'Box 1 : les créneaux 08:30–12:30 et 12:00–13:00 se chevauchent',
    });
  });

  it('reports an end before the start', () => {
    const errors = rosterErrors([slot('box1', '12:00', '09:00', ['mg'])], rooms, services, [stop]);
    expect(errors.map((e) => e.code)).toEqual(['end_before_start']);
    expect(errors[0]!.message).toBe('Box 1 12:00–09:00 : la fin doit être après le début');
  });

  it('reports a service the room kind cannot host', () => {
    const errors = rosterErrors([slot('box1', '09:00', '10:00', ['sf'])], rooms, services, [stop]);
    expect(errors).toEqual([
      {
        code: 'room_kind',
        slotId: expect.any(String),
        message: 'Box 1 09:00–10:00 : le service « Sage-femme » ne peut pas se tenir dans Box 1',
      },
    ]);
  });

  it('reports a slot outside the stop hours, unknown rooms, services and stops', () => {
    const codes = (s: RosterSlot) => rosterErrors([s], rooms, services, [stop]).map((e) => e.code);
    expect(codes(slot('box1', '08:00', '12:00', ['mg']))).toEqual(['outside_hours']);
    expect(codes(slot('box1', '16:00', '18:00', ['mg']))).toEqual(['outside_hours']);
    expect(codes(slot('box9', '09:00', '10:00', ['mg']))).toEqual(['unknown_room']);
    expect(codes(slot('box1', '09:00', '10:00', ['xyz']))).toEqual(['unknown_service']);
    expect(codes(slot('box1', '09:00', '10:00', ['mg'], 'nowhere'))).toEqual(['unknown_stop']);
    expect(codes(slot('box1', '9h', '10:00', ['mg']))).toEqual(['invalid_time']);
  });

  it('finds an overlap exactly when two slots of one room share a minute', () => {
    const range = fc
      .tuple(fc.integer({ min: 510, max: 1040 }), fc.integer({ min: 1, max: 240 }))
      .map(([s, len]) => [s, Math.min(s + len, 1050)] as const);
    fc.assert(
      fc.property(range, range, ([a1, a2], [b1, b2]) => {
        const slots = [
          slot('box1', fromMinutes(a1), fromMinutes(a2), ['mg']),
          slot('box1', fromMinutes(b1), fromMinutes(b2), ['mg']),
        ];
        const overlaps = rosterErrors(slots, rooms, services, [stop]).filter(
          (e) => e.code === 'overlap',
        );
        expect(overlaps.length).toBe(a1 < b2 && b1 < a2 ? 1 : 0);
      }),
    );
  });
});

describe('sessions', () => {
  it('splits the day at 13:00 by default, or where the organisation says', () => {
    expect(sessionOf('12:59')).toBe('morning');
    expect(sessionOf('13:00')).toBe('afternoon');
    expect(sessionOf('12:30', '12:00')).toBe('afternoon');
  });

  it('gives each session its range within the stop hours', () => {
    expect(sessionRange(stop, 'morning')).toEqual({ start: '08:30', end: '13:00' });
    expect(sessionRange(stop, 'afternoon')).toEqual({ start: '13:00', end: '17:30' });
    const halfDay = { opensAt: '08:30', closesAt: '12:30' };
    expect(sessionRange(halfDay, 'afternoon')).toBeNull();
  });

  it('puts each slot in the session where it starts', () => {
    expect(slotsInSession(day, 'morning').map((s) => s.start)).toEqual(['08:30', '08:30', '08:30']);
    expect(slotsInSession(day, 'afternoon')).toHaveLength(2);
  });
});
