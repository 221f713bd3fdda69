// What each profile screen derives from the day's rows, on the demo day at 10:00.
import { describe, expect, it } from 'vitest';
import { zonedIso } from '../../src/domain/time';
import { coordinationModel } from '../../src/ui/coordination/coordination-model';
import { patientName } from '../../src/ui/day/day-data';
import { displayModel } from '../../src/ui/display/display-model';
import { roomModel } from '../../src/ui/room/room-model';
import { demoDay, NOW, TODAY } from './fixtures';

describe('room model', () => {
  it('gives Box 1 its slot now and the waiting GP patients, urgent first', () => {
    const demo = demoDay();
    const model = roomModel(demo.day, demo.patients, demo.roomId('Box 1'), NOW);
    expect(model.roomName).toBe('Box 1');
    expect(model.slotNow).toEqual({
      start: '08:30',
      end: '12:30',
      services: ['Médecine générale'],
      staff: ['Thomas Garnier'],
    });
    expect(model.occupant).toBeNull();
    expect(model.queue.map((l) => l.ticket)).toEqual(['MG-004', 'MG-002', 'MG-003']);
    expect(model.queue[0]!.urgent).toBe(true);
    expect(model.queue[1]!.waitedMinutes).toBe(40);
  });

  it('shows who is called in Box 2, and nobody waiting for the dentist in Salle 4', () => {
    const demo = demoDay();
    const box2 = roomModel(demo.day, demo.patients, demo.roomId('Box 2'), NOW);
    expect(box2.occupant).toMatchObject({ ticket: 'MG-001', status: 'called' });
    expect(box2.occupant!.patient).toBe(patientName(demo.arrived[0]!));
    const salle4 = roomModel(demo.day, demo.patients, demo.roomId('Salle 4'), NOW);
    expect(salle4.occupant).toMatchObject({ ticket: 'DE-001', status: 'in_consultation' });
    expect(salle4.queue).toEqual([]);
  });

  it('has no slot now during the lunch break, and then no queue to draw from', () => {
    const demo = demoDay();
    const lunch = zonedIso(TODAY, '13:00');
    const model = roomModel(demo.day, demo.patients, demo.roomId('Box 1'), lunch);
    expect(model.slotNow).toBeNull();
    expect(model.queue).toEqual([]);
  });

  it('says the room is unknown rather than showing an empty room', () => {
    const demo = demoDay();
    expect(roomModel(demo.day, demo.patients, 'no-such-room', NOW).roomName).toBeNull();
  });
});

describe('coordination model', () => {
  it('counts waiting patients per room and per service', () => {
    const demo = demoDay();
    const model = coordinationModel(demo.day, NOW);
    const byName = Object.fromEntries(model.rooms.map((r) => [r.roomName, r]));
    expect(byName['Box 1']).toMatchObject({ waiting: 3, occupant: null });
    // Box 2 has someone called: it may not call anyone else, but the patients still wait for it.
    expect(byName['Box 2']).toMatchObject({ occupant: { ticket: 'MG-001', status: 'called' } });
    expect(byName['Salle 3']).toMatchObject({ services: ['Sage-femme'], waiting: 0 });
    expect(model.services).toEqual([
      { serviceId: demo.serviceId('MG'), label: 'Médecine générale', waiting: 3, roomsNow: 2 },
    ]);
    expect(model.totalWaiting).toBe(3);
  });
});

describe('display model', () => {
  it('shows the called ticket with its room and the waiting tickets per service', () => {
    const demo = demoDay();
    const model = displayModel({
      stopId: demo.day.stop!.id,
      entries: demo.day.entries,
      services: demo.day.services,
      rooms: demo.day.rooms,
      visits: demo.day.visits,
    });
    expect(model.called).toEqual([
      { ticket: 'MG-001', roomName: 'Box 2', calledAt: demo.entries.called.calledAt },
    ]);
    expect(model.waiting).toEqual([
      {
        serviceId: demo.serviceId('MG'),
        label: 'Médecine générale',
        tickets: ['MG-004', 'MG-002', 'MG-003'],
      },
    ]);
  });

  it('carries no patient name anywhere in what it returns', () => {
    const demo = demoDay();
    const model = displayModel({
      stopId: demo.day.stop!.id,
      entries: demo.day.entries,
      services: demo.day.services,
      rooms: demo.day.rooms,
      visits: demo.day.visits,
    });
    const text = JSON.stringify(model).toLowerCase();
    for (const p of demo.arrived) {
      expect(text).not.toContain(p.birthName.toLowerCase());
      expect(text).not.toContain(p.firstNames.toLowerCase());
    }
  });
});
