import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roomDoubleBookings } from '../../src/domain/conflicts-room';
import type {
  Appointment,
  MtStatus,
  PriorityPolicy,
  QueueEntry,
  RosterSlot,
  Service,
  Visit,
} from '../../src/domain/entities';
import { visitMt, walkInClass } from '../../src/domain/priority';
import { isActive, statusValue, transition } from '../../src/domain/queue';
import {
  bookedTime,
  canCall,
  eligibleForRoom,
  nextToCall,
  orderQueue,
  type QueueContext,
  roomOccupant,
} from '../../src/domain/queue-order';
import { formatTicket } from '../../src/domain/tickets';
import { zonedIso } from '../../src/domain/time';

const NO_MT: PriorityPolicy = {
  queue: 'no_mt',
  reservedSlots: 0,
  reservedUntil: null,
  eligibility: 'all',
};

const DATE = '2026-11-23';
const at = (hhmm: string) => zonedIso(DATE, hhmm);

interface VisitSpec {
  arrived: string;
  noMt?: boolean;
  mtStatus?: MtStatus;
  ald?: boolean;
  urgent?: boolean;
  appointment?: { time: string; serviceId?: string };
  patientId?: string;
}

/** A small world: visits, their queue entries, and the maps the order needs. General practice
 * (mg) puts walk-ins without MT first unless told otherwise. */
function world(policies: Record<string, PriorityPolicy> = { mg: NO_MT }) {
  const visits = new Map<string, Visit>();
  const appointments = new Map<string, Appointment>();
  const entries: QueueEntry[] = [];
  let ticket = 0;
  const services = new Map<string, Pick<Service, 'id' | 'priorityPolicy'>>(
    Object.entries(policies).map(([id, priorityPolicy]) => [id, { id, priorityPolicy }]),
  );
  const ctx: QueueContext = { visits, appointments, services };
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
      noMt: spec.mtStatus ? spec.mtStatus === 'none' : (spec.noMt ?? false),
      ...(spec.mtStatus ? { mtStatus: spec.mtStatus } : {}),
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

describe('priority classes under a service’s policy', () => {
  it('puts ALD without MT first, then without MT, then everyone else, when the policy says so', () => {
    expect(walkInClass({ noMt: true, ald: true }, NO_MT)).toBe(0);
    expect(walkInClass({ noMt: true, ald: false }, NO_MT)).toBe(1);
    expect(walkInClass({ noMt: false, ald: true }, NO_MT)).toBe(2);
    expect(walkInClass({ noMt: false, ald: false }, NO_MT)).toBe(2);
  });

  it('gives no class to anyone in a service without priority, and only ALD without MT when asked', () => {
    expect(walkInClass({ noMt: true, ald: true }, { queue: 'none' })).toBe(2);
    expect(walkInClass({ noMt: true, ald: true }, { queue: 'ald_no_mt' })).toBe(0);
    expect(walkInClass({ noMt: true, ald: false }, { queue: 'ald_no_mt' })).toBe(2);
  });

  it('never counts an unknown médecin traitant as « sans MT »', () => {
    expect(walkInClass({ noMt: false, ald: true, mtStatus: 'unknown' }, NO_MT)).toBe(2);
    // Even a stale « noMt » tick does not override the state asked at check-in.
    expect(walkInClass({ noMt: true, ald: true, mtStatus: 'unknown' }, NO_MT)).toBe(2);
    expect(visitMt({ noMt: false })).toBe('unknown');
    expect(visitMt({ noMt: true })).toBe('none');
  });
});

describe('the queue’s one order', () => {
  it('puts urgent first, then walk-ins by class on the walk-in places, then arrival', () => {
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

  it('orders by arrival alone in a service whose policy gives no priority', () => {
    const w = world({ mg: { ...NO_MT, queue: 'none' } });
    w.patient('others', { arrived: '08:30' });
    w.patient('aldnomt', { arrived: '08:50', noMt: true, ald: true });
    w.patient('nomt', { arrived: '08:40', noMt: true });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual(['others', 'nomt', 'aldnomt']);
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

  it('lets a walk-in without MT pass other walk-ins, never a booked patient (issue 17)', () => {
    const w = world();
    w.patient('booked-0830', { arrived: '08:20', appointment: { time: '08:30' } });
    w.patient('booked-0850', { arrived: '08:25', appointment: { time: '08:50' } });
    w.patient('walkin-0815', { arrived: '08:15' });
    w.patient('walkin-nomt-0840', { arrived: '08:40', noMt: true, ald: true });
    w.patient('walkin-unknown-0835', { arrived: '08:35', mtStatus: 'unknown', ald: true });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual([
      // The priority walk-in takes the earliest walk-in place (08:15)…
      'walkin-nomt-0840',
      // …the booked patients keep their times…
      'booked-0830',
      // …the others take the later places (08:35, 08:40) by arrival; the unknown MT does not jump.
      'walkin-0815',
      'walkin-unknown-0835',
      'booked-0850',
    ]);
  });

  it('reads the booked time carried by the ticket before the appointment (the display has none)', () => {
    const w = world();
    w.patient('walkin', { arrived: '08:40' });
    w.visit('booked', { arrived: '08:20' });
    w.entry('booked', 'booked', 'mg', 0, { bookedTime: '08:30' });
    expect(ids(orderQueue(w.entries, w.ctx))).toEqual(['booked', 'walkin']);
    expect(ids(orderQueue(w.entries, { ...w.ctx, appointments: new Map() }))).toEqual([
      'booked',
      'walkin',
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

  const MT = ['declared', 'none', 'unknown'] as const;
  const QUEUE = ['none', 'ald_no_mt', 'no_mt'] as const;
  const row = fc.record({
    arrived: fc.integer({ min: 510, max: 700 }),
    mt: fc.constantFrom(...MT),
    ald: fc.boolean(),
    urgent: fc.boolean(),
    booked: fc.option(fc.integer({ min: 510, max: 720 }).map((m) => m - (m % 10))),
    ticket: fc.integer({ min: 1, max: 6 }),
    service: fc.constantFrom('mg', 'dep'),
  });
  type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  function build(rows: readonly Row[], policies: Record<string, PriorityPolicy>) {
    const w = world(policies);
    rows.forEach((r, i) => {
      w.visit(`v${i}`, {
        arrived: hhmm(r.arrived),
        mtStatus: r.mt,
        ald: r.ald,
        urgent: r.urgent,
        ...(r.booked === null
          ? {}
          : { appointment: { time: hhmm(r.booked), serviceId: r.service } }),
      });
      w.entry(`e${i}`, `v${i}`, r.service, 0, { ticket: formatTicket('MG', r.ticket) });
    });
    return w;
  }
  const policy = fc.constantFrom(...QUEUE).map((queue) => ({ ...NO_MT, queue }));
  const arbitraryWorld = fc
    .tuple(fc.array(row, { maxLength: 14 }), policy, policy)
    .map(([rows, mg, dep]) => build(rows, { mg, dep }));

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
        expect(ids(orderQueue(shuffled, w.ctx))).toEqual(ids(orderQueue(w.entries, w.ctx)));
      }),
    );
  });

  it('keeps booked times: who comes before a booked patient does not depend on anyone’s priority or the policy', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 14 }),
        fc.array(fc.tuple(fc.constantFrom(...MT), fc.boolean()), { minLength: 14, maxLength: 14 }),
        policy,
        policy,
        (rows, flags, p1, p2) => {
          const a = build(rows, { mg: p1, dep: p1 });
          // The same patients, with other MT / ALD flags under another policy.
          const b = build(
            rows.map((r, i) => ({ ...r, mt: flags[i]![0], ald: flags[i]![1] })),
            { mg: p2, dep: p2 },
          );
          const bookedIds = (w: ReturnType<typeof build>) =>
            w.entries
              .filter((e) => {
                const v = w.visits.get(e.visitId)!;
                return !v.urgent && bookedTime(e, w.ctx) !== null;
              })
              .map((e) => e.id);
          const position = (w: ReturnType<typeof build>) => {
            const order = ids(orderQueue(w.entries, w.ctx));
            return new Map(bookedIds(w).map((id) => [id, order.indexOf(id)]));
          };
          expect(position(b)).toEqual(position(a));
          // And booked patients of a service come in the order of their times.
          for (const service of ['mg', 'dep']) {
            const times = orderQueue(a.entries, a.ctx)
              .filter((e) => e.serviceId === service && bookedIds(a).includes(e.id))
              .map((e) => bookedTime(e, a.ctx)!);
            expect(times).toEqual([...times].sort((x, y) => x - y));
          }
        },
      ),
    );
  });

  it('respects the policy: urgent first; among a service’s walk-ins, classes in order, then arrival', () => {
    fc.assert(
      fc.property(arbitraryWorld, (w) => {
        const ordered = orderQueue(w.entries, w.ctx);
        const urgentFlags = ordered.map((e) => w.visits.get(e.visitId)!.urgent);
        expect(urgentFlags).toEqual([...urgentFlags].sort((a, b) => Number(b) - Number(a)));
        for (const service of ['mg', 'dep']) {
          const policyOfService = w.ctx.services!.get(service)!.priorityPolicy!;
          const walkIns = ordered.filter(
            (e) =>
              e.serviceId === service &&
              !w.visits.get(e.visitId)!.urgent &&
              bookedTime(e, w.ctx) === null,
          );
          const keys = walkIns.map((e) => {
            const v = w.visits.get(e.visitId)!;
            return [walkInClass(v, policyOfService), Date.parse(v.arrivedAt)] as const;
          });
          const sorted = [...keys].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
          expect(keys).toEqual(sorted);
        }
      }),
    );
  });

  it('never lets an unknown médecin traitant jump: as if the patient had declared one', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 14 }), policy, (rows, p) => {
        const unknown = build(rows, { mg: p, dep: p });
        const declared = build(
          rows.map((r) => (r.mt === 'unknown' ? { ...r, mt: 'declared' as const } : r)),
          { mg: p, dep: p },
        );
        expect(ids(orderQueue(unknown.entries, unknown.ctx))).toEqual(
          ids(orderQueue(declared.entries, declared.ctx)),
        );
      }),
    );
  });

  it('gives a room its patients in the order the board shows (one order, filtered)', () => {
    fc.assert(
      fc.property(arbitraryWorld, (w) => {
        const board = ids(orderQueue(w.entries, w.ctx));
        const room = ids(eligibleForRoom(w.entries, 'box1', roster, '09:00', w.ctx));
        expect(room).toEqual(board.filter((id) => room.includes(id)));
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
