import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roomDoubleBookings } from '../../src/domain/conflicts-room';
import type { Appointment, QueueEntry, RosterSlot, Visit } from '../../src/domain/entities';
import { isActive, statusValue, transition } from '../../src/domain/queue';
import {
  canCall,
  compareEntries,
  eligibleForRoom,
  nextToCall,
  orderQueue,
  priorityClass,
  type QueueContext,
  roomOccupant,
} from '../../src/domain/queue-order';
import { formatTicket } from '../../src/domain/tickets';
import { zonedIso } from '../../src/domain/time';

const DATE = '2026-11-23';
const at = (hhmm: string) => zonedIso(DATE, hhmm);

interface VisitSpec {
  arrived: string;
  noMt?: boolean;
  ald?: boolean;
  urgent?: boolean;
  appointment?: { time: string; serviceId?: string };
  patientId?: string;
}

/** A small world: visits, their queue entries, and the maps the order needs. */
function world() {
  const visits = new Map<string, Visit>();
  const appointments = new Map<string, Appointment>();
  const entries: QueueEntry[] = [];
  let ticket = 0;
  const ctx: QueueContext = { visits, appointments };
  function visit(id: string, spec: VisitSpec): Visit {
    let appointmentId: string | null = null;
    if (spec.appointment) {
      appointmentId = `appt-${id}`;
      appointments.set(appointmentId, {
        id: appointmentId,
        orgId: 'org',
        patientId: spec.patientId ?? `patient-${id}`,
        stopId: 'stop',
        serviceId: spec.appointment.serviceId ?? 'mg',
        time: spec.appointment.time,
        durationMin: 20,
        status: 'checked_in',
        note: null,
        createdAt: at('08:00'),
      });
    }
    const v: Visit = {
      id,
      orgId: 'org',
      patientId: spec.patientId ?? `patient-${id}`,
      stopId: 'stop',
      appointmentId,
      arrivedAt: at(spec.arrived),
      motif: '',
      noMt: spec.noMt ?? false,
      ald: spec.ald ?? false,
      urgent: spec.urgent ?? false,
      urgentReason: spec.urgent ? 'Douleur thoracique' : null,
    };
    visits.set(id, v);
    return v;
  }
  function entry(
    id: string,
    visitId: string,
    serviceId = 'mg',
    position = 0,
    extra: Partial<QueueEntry> = {},
  ): QueueEntry {
    const e: QueueEntry = {
      id,
      orgId: 'org',
      visitId,
      stopId: 'stop',
      serviceId,
      position,
      ticket: formatTicket(serviceId.toUpperCase(), ++ticket),
      status: statusValue('waiting'),
      roomId: null,
      practitionerId: null,
      calledAt: null,
      startedAt: null,
      endedAt: null,
      comingFromRoomId: null,
      endReason: null,
      ...extra,
    };
    entries.push(e);
    return e;
  }
  /** One visit with one entry, same id for both (handy in order tests). */
  function patient(id: string, spec: VisitSpec, serviceId = 'mg') {
    visit(id, spec);
    return entry(id, id, serviceId);
  }
  return { visits, appointments, entries, ctx, visit, entry, patient };
}

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
const roster = [
  slot('box1', '08:30', '12:30', ['mg']),
  slot('box2', '08:30', '12:30', ['mg']),
  slot('salle3', '08:30', '12:30', ['sf']),
  slot('salle3', '13:30', '17:30', ['as']),
];
const ids = (entries: readonly QueueEntry[]) => entries.map((e) => e.id);

describe('priority classes', () => {
  it('puts ALD without MT first, then without MT, then everyone else', () => {
    expect(priorityClass({ noMt: true, ald: true })).toBe(0);
    expect(priorityClass({ noMt: true, ald: false })).toBe(1);
    expect(priorityClass({ noMt: false, ald: true })).toBe(2);
    expect(priorityClass({ noMt: false, ald: false })).toBe(2);
  });
});

describe('order of the queue', () => {
  it('puts urgent first, then by class, then by arrival', () => {
    const w = world();
    w.patient('others', { arrived: '08:30' });
    w.patient('nomt', { arrived: '08:40', noMt: true });
    w.patient('aldnomt', { arrived: '08:50', noMt: true, ald: true });
    w.patient('urgent', { arrived: '09:30', urgent: true });
    w.patient('nomt-early', { arrived: '08:35', noMt: true });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual([
      'urgent',
      'aldnomt',
      'nomt-early',
      'nomt',
      'others',
    ]);
  });

  it('orders booked patients by appointment time, interleaved with walk-ins by arrival', () => {
    const w = world();
    w.patient('walkin-0845', { arrived: '08:45' });
    w.patient('booked-1100-early', { arrived: '08:40', appointment: { time: '11:00' } });
    w.patient('booked-0900', { arrived: '08:55', appointment: { time: '09:00' } });
    w.patient('walkin-0905', { arrived: '09:05' });
    w.patient('booked-0930-late', { arrived: '09:50', appointment: { time: '09:30' } });
    w.patient('walkin-0940', { arrived: '09:40' });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual([
      'walkin-0845',
      'booked-0900',
      'walkin-0905',
      'booked-0930-late',
      'walkin-0940',
      'booked-1100-early',
    ]);
  });

  it('counts an appointment only for the service it was booked for', () => {
    const w = world();
    w.patient('walkin', { arrived: '09:00' }, 'as');
    // Booked for the GP at 08:30, but this entry is for the social worker.
    w.patient('booked-mg', { arrived: '09:10', appointment: { time: '08:30' } }, 'as');
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual(['walkin', 'booked-mg']);
  });

  it('breaks ties by ticket number, then id; unknown visits go last', () => {
    const w = world();
    w.visit('v', { arrived: '09:00' });
    w.entry('second', 'v', 'mg', 0, { ticket: 'MG-010' });
    w.entry('first', 'v', 'mg', 0, { ticket: 'MG-009' });
    w.entry('orphan', 'not-replicated-yet', 'mg', 0, { ticket: 'MG-001' });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual(['first', 'second', 'orphan']);
  });

  const arbitraryWorld = fc
    .array(
      fc.record({
        arrived: fc.integer({ min: 510, max: 700 }),
        noMt: fc.boolean(),
        ald: fc.boolean(),
        urgent: fc.boolean(),
        booked: fc.option(fc.integer({ min: 510, max: 720 }).map((m) => m - (m % 10))),
        ticket: fc.integer({ min: 1, max: 6 }),
      }),
      { maxLength: 14 },
    )
    .map((rows) => {
      const w = world();
      const hhmm = (m: number) =>
        `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      rows.forEach((r, i) => {
        w.visit(`v${i}`, {
          arrived: hhmm(r.arrived),
          noMt: r.noMt,
          ald: r.ald,
          urgent: r.urgent,
          ...(r.booked === null ? {} : { appointment: { time: hhmm(r.booked) } }),
        });
        w.entry(`e${i}`, `v${i}`, 'mg', 0, { ticket: formatTicket('MG', r.ticket) });
      });
      return w;
    });

  it('is a total order independent of the input order', () => {
    const worldAndPermutation = arbitraryWorld.chain((w) =>
      fc.tuple(
        fc.constant(w),
        fc.shuffledSubarray(w.entries, {
          minLength: w.entries.length,
          maxLength: w.entries.length,
        }),
      ),
    );
    fc.assert(
      fc.property(worldAndPermutation, ([w, shuffled]) => {
        const ordered = orderQueue(w.entries, w.ctx);
        expect(ids(orderQueue(shuffled, w.ctx))).toEqual(ids(ordered));
        for (let i = 0; i + 1 < ordered.length; i++) {
          expect(compareEntries(ordered[i]!, ordered[i + 1]!, w.ctx)).toBe(-1);
          expect(compareEntries(ordered[i + 1]!, ordered[i]!, w.ctx)).toBe(1);
        }
      }),
    );
  });

  it('always puts urgent patients before the others, and classes in order', () => {
    fc.assert(
      fc.property(arbitraryWorld, (w) => {
        const ordered = orderQueue(w.entries, w.ctx).map((e) => w.visits.get(e.visitId)!);
        const urgentFlags = ordered.map((v) => v.urgent);
        expect(urgentFlags).toEqual([...urgentFlags].sort((a, b) => Number(b) - Number(a)));
        const nonUrgent = ordered.filter((v) => !v.urgent).map(priorityClass);
        expect(nonUrgent).toEqual([...nonUrgent].sort());
      }),
    );
  });
});

describe('who a room may call', () => {
  it('draws only waiting entries of the services its roster offers now', () => {
    const w = world();
    w.patient('mg', { arrived: '08:40' }, 'mg');
    w.patient('sf', { arrived: '08:35' }, 'sf');
    w.patient('as', { arrived: '08:30' }, 'as');
    w.patient('called', { arrived: '08:20' }, 'sf').status = statusValue('called');
    expect(ids(eligibleForRoom(w.entries, 'salle3', roster, '09:00', w.ctx))).toEqual(['sf']);
    expect(ids(eligibleForRoom(w.entries, 'salle3', roster, '14:00', w.ctx))).toEqual(['as']);
    expect(ids(eligibleForRoom(w.entries, 'box1', roster, '09:00', w.ctx))).toEqual(['mg']);
    expect(eligibleForRoom(w.entries, 'box1', roster, '13:00', w.ctx)).toEqual([]);
  });

  it('takes a visit’s services in the order asked: the social worker waits for the GP', () => {
    const w = world();
    w.visit('v', { arrived: '08:30' });
    const gp = w.entry('gp', 'v', 'mg', 0);
    w.entry('social', 'v', 'as', 1);
    expect(ids(eligibleForRoom(w.entries, 'salle3', roster, '14:00', w.ctx))).toEqual([]);
    gp.status = statusValue('done');
    expect(ids(eligibleForRoom(w.entries, 'salle3', roster, '14:00', w.ctx))).toEqual(['social']);
    gp.status = statusValue('left');
    expect(ids(eligibleForRoom(w.entries, 'salle3', roster, '14:00', w.ctx))).toEqual(['social']);
  });

  it('never offers a patient who is already called or in consultation elsewhere', () => {
    const w = world();
    // The same patient came twice (two visits, e.g. a duplicate check-in).
    w.visit('v1', { arrived: '08:30', patientId: 'p' });
    w.visit('v2', { arrived: '08:31', patientId: 'p' });
    w.entry('in-box2', 'v1', 'mg', 0, { status: statusValue('in_consultation'), roomId: 'box2' });
    const waiting = w.entry('waiting', 'v2', 'sf', 0);
    expect(eligibleForRoom(w.entries, 'salle3', roster, '09:00', w.ctx)).toEqual([]);
    expect(canCall('salle3', w.entries, waiting, w.ctx)).toEqual({
      ok: false,
      reason: 'Ce patient est déjà en consultation (MG-001)',
    });
  });

  it('gives a room at most one patient: canCall refuses while it is occupied', () => {
    const w = world();
    const a = w.patient('a', { arrived: '08:30' });
    const b = w.patient('b', { arrived: '08:35' });
    expect(canCall('box1', w.entries, a, w.ctx)).toEqual({ ok: true });
    a.status = statusValue('called');
    a.roomId = 'box1';
    expect(roomOccupant(w.entries, 'box1')).toBe(a);
    expect(canCall('box1', w.entries, b, w.ctx)).toEqual({
      ok: false,
      reason: 'La salle est occupée : MG-001 est appelé',
    });
    expect(canCall('box2', w.entries, b, w.ctx)).toEqual({ ok: true });
    expect(canCall('box2', w.entries, a, w.ctx)).toEqual({
      ok: false,
      reason: 'MG-001 n’est pas en attente',
    });
  });

  it('names the next patient, or says why there is none', () => {
    const w = world();
    w.patient('later', { arrived: '08:50' });
    w.patient('first', { arrived: '08:40', noMt: true });
    expect(nextToCall(w.entries, 'box1', roster, '09:00', w.ctx)).toMatchObject({
      ok: true,
      entry: { id: 'first' },
    });
    expect(nextToCall(w.entries, 'salle3', roster, '09:00', w.ctx)).toEqual({
      ok: false,
      reason: 'Aucun patient en attente pour cette salle',
    });
    // Between the morning and the afternoon slots the room has nobody to call, and says so.
    expect(nextToCall(w.entries, 'box1', roster, '13:00', w.ctx)).toEqual({
      ok: false,
      reason: 'Aucun créneau au planning pour cette salle en ce moment',
    });
    w.entries[1]!.status = statusValue('in_consultation');
    w.entries[1]!.roomId = 'box1';
    expect(nextToCall(w.entries, 'box1', roster, '09:00', w.ctx)).toEqual({
      ok: false,
      reason: 'La salle est occupée : MG-002 est en consultation',
    });
  });

  it('under any sequence of calls gated by canCall, no room and no patient is ever doubled', () => {
    const step = fc.record({
      room: fc.constantFrom('box1', 'box2', 'salle3'),
      action: fc.constantFrom('callNext', 'callAny', 'start', 'finish', 'requeue', 'no_show'),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const w = world();
        for (let i = 0; i < 6; i++) {
          w.visit(`v${i}`, { arrived: `08:3${i}`, patientId: `p${i % 4}` });
          w.entry(`mg${i}`, `v${i}`, 'mg', 0);
          w.entry(`sf${i}`, `v${i}`, 'sf', i % 2);
        }
        for (const s of steps) {
          const occupant = roomOccupant(w.entries, s.room);
          if (s.action === 'callNext' || s.action === 'callAny') {
            const candidate =
              s.action === 'callNext'
                ? (eligibleForRoom(w.entries, s.room, roster, '09:00', w.ctx)[0] ?? null)
                : w.entries[s.pick % w.entries.length]!;
            if (!candidate || !canCall(s.room, w.entries, candidate, w.ctx).ok) continue;
            const r = transition(candidate.status, 'call');
            if (!r.ok) continue;
            candidate.status = r.value;
            candidate.roomId = s.room;
          } else if (occupant) {
            const action =
              s.action === 'finish' ? 'finish' : s.action === 'start' ? 'start' : s.action;
            const r = transition(occupant.status, action);
            if (r.ok) occupant.status = r.value;
          }
          expect(roomDoubleBookings(w.entries)).toEqual([]);
          const activePatients = w.entries
            .filter((e) => isActive(e.status.status))
            .map((e) => w.visits.get(e.visitId)!.patientId);
          expect(new Set(activePatients).size).toBe(activePatients.length);
        }
      }),
    );
  });
});
