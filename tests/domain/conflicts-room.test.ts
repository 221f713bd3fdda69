import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patientDoubleCalls, roomDoubleBookings } from '../../src/domain/conflicts-room';
import type { QueueEntry, QueueStatus } from '../../src/domain/entities';
import { queueStatusSchema } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';

const entry = (
  id: string,
  status: QueueStatus,
  roomId: string | null,
  visitId = `visit-${id}`,
  stopId = 'stop',
): QueueEntry => ({
  id,
  orgId: 'org',
  visitId,
  stopId,
  serviceId: 'mg',
  position: 0,
  ticket: 'MG-001',
  status: statusValue(status),
  roomId,
  practitionerId: null,
  calledAt: null,
  startedAt: null,
  endedAt: null,
  comingFromRoomId: null,
  endReason: null,
});

describe('two patients in one room', () => {
  it('is reported when two devices called into the same room', () => {
    const entries = [
      entry('b', 'called', 'box1'),
      entry('a', 'in_consultation', 'box1'),
      entry('c', 'called', 'box2'),
      entry('d', 'done', 'box2'),
      entry('e', 'waiting', 'box2'),
    ];
    expect(roomDoubleBookings(entries)).toEqual([
      { stopId: 'stop', roomId: 'box1', entryIds: ['a', 'b'] },
    ]);
  });

  it('is not a breach across stops, after an end, or for deleted rows', () => {
    expect(
      roomDoubleBookings([
        entry('a', 'called', 'box1', 'v1', 'monday'),
        entry('b', 'called', 'box1', 'v2', 'tuesday'),
        entry('c', 'no_show', 'box2'),
        entry('d', 'called', 'box2'),
        { ...entry('e', 'called', 'box2'), _deleted: true },
      ]),
    ).toEqual([]);
  });

  it('reports exactly the rooms holding two or more active entries', () => {
    const arb = fc.array(
      fc.record({
        status: fc.constantFrom(...queueStatusSchema.options),
        room: fc.constantFrom('box1', 'box2', 'salle3', null),
      }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const entries = rows.map((r, i) => entry(`e${i}`, r.status, r.room));
        const reported = roomDoubleBookings(entries);
        for (const roomId of ['box1', 'box2', 'salle3']) {
          const active = rows.filter(
            (r) => r.room === roomId && (r.status === 'called' || r.status === 'in_consultation'),
          ).length;
          const found = reported.find((d) => d.roomId === roomId);
          if (active >= 2) expect(found?.entryIds).toHaveLength(active);
          else expect(found).toBeUndefined();
        }
      }),
    );
  });
});

describe('one patient in two rooms', () => {
  it('is reported per visit with the rooms involved', () => {
    const entries = [
      entry('a', 'called', 'box1', 'v1'),
      entry('b', 'in_consultation', 'salle3', 'v1'),
      entry('c', 'waiting', null, 'v2'),
      entry('d', 'called', 'box2', 'v2'),
    ];
    expect(patientDoubleCalls(entries)).toEqual([
      { stopId: 'stop', visitId: 'v1', entryIds: ['a', 'b'], roomIds: ['box1', 'salle3'] },
    ]);
  });
});
