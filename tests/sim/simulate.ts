// The seeded replication simulation (issue 3): six devices, the truck's relay and the central
// server exchange ops over a network that cuts links, drops, duplicates and reorders messages;
// devices crash between a local commit and its sending, and their clocks are off by up to ±24 h.
// After healing, every replica must hold the same state and digest, no write may vanish, no queue
// status may go backwards without an explicit reversal, and two patients called into one room
// must remain visible as a conflict.

import { roomDoubleBookings } from '../../src/domain/conflicts-room';
import type { StatusValue } from '../../src/domain/entities';
import { compareStatus, transition } from '../../src/domain/queue';
import { conflictsOf, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { Network, prng } from './network';
import { DeviceReplica, ORG, registry, type SeqOp, ServerReplica } from './replicas';

type Msg =
  | { t: 'req'; from: string; server: string; since: number; ops: Op[] }
  | { t: 'res'; server: string; accepted: number; ops: SeqOp[]; lastSeq: number; hasMore: boolean }
  | { t: 'rreq'; since: number; ops: Op[]; upTo: number }
  | { t: 'rres'; upTo: number; ops: SeqOp[]; lastSeq: number; hasMore: boolean };

export interface SimOptions {
  devices?: number;
  steps?: number;
  pageSize?: number;
}

export interface SimResult {
  seed: number;
  converged: boolean;
  lostWrites: number;
  violations: string[];
  stats: { ops: number; conflicts: number; doubleBookings: number; reversals: number };
}

const DAY = 86_400_000;
const SERVICES = ['svc-mg', 'svc-sf', 'svc-as'];
const ROOMS = ['room-1', 'room-2', 'room-3', 'room-4'];
const NOTE_FIELDS = ['subjective', 'objective', 'assessment', 'plan'];
const WORDS = ['douleur', 'toux', 'fièvre', 'TA', 'stable', 'revoir', 'bilan', 'ordonnance', 'RAS'];

export function simulate(seed: number, options: SimOptions = {}): SimResult {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => rnd() < p;
  const steps = options.steps ?? 250;
  const pageSize = options.pageSize ?? 40;

  const net = new Network<Msg>(rnd, { drop: 0.15, duplicate: 0.1, maxDelay: 3 });
  const devices = Array.from(
    { length: options.devices ?? 6 },
    (_, i) => new DeviceReplica(`dev-${i}`, Math.round((rnd() * 2 - 1) * DAY)),
  );
  const relay = new ServerReplica('relay');
  const central = new ServerReplica('central');
  const servers = new Map([
    ['relay', relay],
    ['central', central],
  ]);
  const byName = new Map(devices.map((d) => [d.name, d]));
  const violations: string[] = [];
  const generated: Op[] = [];
  let reversals = 0;
  let idCounter = 0;
  const newId = (prefix: string) => `${prefix}-${seed}-${++idCounter}`;
  let now = Date.UTC(2026, 10, 23, 8, 0);

  // Monotonic queue status, checked on every replica after every applied op.
  const watch = (replica: string) => (before: RowState | undefined, after: RowState, op: Op) => {
    if (op.e !== 'queueEntry' || !before) return;
    const a = materialise(before, registry).status as StatusValue | undefined;
    const b = materialise(after, registry).status as StatusValue | undefined;
    if (a && b && compareStatus(b, a) < 0) {
      violations.push(`${replica}: statut reculé ${a.status}/${a.epoch} → ${b.status}/${b.epoch}`);
    }
  };
  for (const d of devices) d.rows.onApply = watch(d.name);
  relay.rows.onApply = watch('relay');
  central.rows.onApply = watch('central');

  // ---- domain actions, decided on each device's own (possibly stale) view ----
  const entries = (d: DeviceReplica) =>
    d.rows.all('queueEntry').filter((q) => !q._deleted) as unknown as {
      id: string;
      status?: StatusValue;
      roomId: string | null;
      visitId: string;
    }[];

  const act = (d: DeviceReplica) => {
    const write = (changes: Parameters<DeviceReplica['write']>[0]) => {
      generated.push(...d.write(changes, now));
    };
    const queue = entries(d).filter((q): q is typeof q & { status: StatusValue } => !!q.status);
    const roll = rnd();
    if (roll < 0.22 || queue.length < 3) {
      const patientId = newId('pat');
      const visitId = newId('visit');
      const stamp = new Date(now).toISOString();
      write([
        {
          entity: 'patient',
          id: patientId,
          set: {
            orgId: ORG,
            birthName: pick(['MARTIN', 'LEBRUN', 'HAMON', 'GUÉRIN']),
            firstNames: pick(['Jeanne', 'Paul', 'Léa']),
            sex: pick(['F', 'M']),
            birthDate: `19${10 + int(89)}-0${1 + int(9)}-1${int(9)}`,
            birthPlaceCode: '72180',
            identityStatus: 'provisoire',
            ald: chance(0.3),
            mtStatus: pick(['none', 'declared']),
          },
        },
        {
          entity: 'visit',
          id: visitId,
          set: {
            orgId: ORG,
            patientId,
            stopId: 'stop-1',
            arrivedAt: stamp,
            motif: 'Motif',
            urgent: false,
          },
        },
        {
          entity: 'queueEntry',
          id: newId('qe'),
          set: {
            orgId: ORG,
            visitId,
            stopId: 'stop-1',
            serviceId: pick(SERVICES),
            position: 0,
            ticket: `MG-${String(idCounter).padStart(3, '0')}`,
            status: { status: 'waiting', epoch: 0, rank: 0 },
          },
        },
      ]);
      return;
    }
    const q = pick(queue);
    const move = (
      action: Parameters<typeof transition>[1],
      extra: Record<string, unknown> = {},
    ) => {
      const next = transition(q.status, action);
      if (!next.ok) return false;
      if (next.value.epoch > q.status.epoch) reversals++;
      write([{ entity: 'queueEntry', id: q.id, set: { status: next.value, ...extra } }]);
      return true;
    };
    if (roll < 0.4) {
      // Call into a room this device believes free (a stale view can double-book it).
      const room = pick(ROOMS);
      const busy = queue.some(
        (x) => x.roomId === room && ['called', 'in_consultation'].includes(x.status.status),
      );
      if (!busy) move('call', { roomId: room, calledAt: new Date(now).toISOString() });
    } else if (roll < 0.5) {
      if (move('start', { startedAt: new Date(now).toISOString() })) {
        write([
          {
            entity: 'consultation',
            id: `cons-${q.id}`,
            set: {
              orgId: ORG,
              queueEntryId: q.id,
              visitId: q.visitId,
              motif: 'Motif',
              status: 'draft',
            },
          },
        ]);
      }
    } else if (roll < 0.56) {
      move('requeue', { roomId: null });
    } else if (roll < 0.62) {
      move('finish', { endedAt: new Date(now).toISOString() });
    } else if (roll < 0.65) {
      move(pick(['no_show', 'leave', 'cancel'] as const));
    } else if (roll < 0.85) {
      // Notes typed on whichever device has the consultation (often two at once).
      const consultations = d.rows.all('consultation');
      if (consultations.length === 0) return;
      const c = pick(consultations);
      write([
        {
          entity: 'consultation',
          id: c.id as string,
          set: { [pick(NOTE_FIELDS)]: `${pick(WORDS)} ${pick(WORDS)} ${int(1000)}` },
        },
      ]);
    } else if (roll < 0.92) {
      const patients = d.rows.all('patient');
      if (patients.length === 0) return;
      const p = pick(patients);
      const allergy = pick(['Pénicilline', 'Latex', 'Iode']);
      const has = (p.allergies as string[] | undefined)?.includes(allergy);
      write([
        has
          ? { entity: 'patient', id: p.id as string, remove: { allergies: [allergy] } }
          : { entity: 'patient', id: p.id as string, add: { allergies: [allergy] } },
      ]);
    } else if (roll < 0.96) {
      const consultations = d.rows.all('consultation');
      if (consultations.length === 0) return;
      const c = pick(consultations);
      const id = newId('vit');
      write([
        {
          entity: 'vitals',
          id,
          insert: {
            id,
            orgId: ORG,
            consultationId: c.id,
            patientId: 'p',
            takenAt: new Date(now).toISOString(),
            authorId: 'a',
            systolic: 110 + int(40),
            diastolic: null,
            heartRate: null,
            temperature: null,
            spo2: null,
            weightKg: null,
            heightCm: null,
          },
        },
      ]);
    } else {
      const visits = d.rows.all('visit').filter((v) => !v._deleted);
      if (visits.length === 0) return;
      write([{ entity: 'visit', id: pick(visits).id as string, delete: true }]);
    }
  };

  // ---- protocol ----
  const startSync = (d: DeviceReplica, serverName: string) => {
    net.send(
      d.name,
      serverName,
      {
        t: 'req',
        from: d.name,
        server: serverName,
        since: d.checkpoints[serverName] ?? 0,
        ops: d.outbox.slice(0, pageSize),
      },
      now,
    );
  };
  const startRelaySync = () => {
    const end = Math.min(relay.pushedUpTo + pageSize, relay.lastSeq);
    const ops = relay.log
      .slice(relay.pushedUpTo, end)
      .filter((x) => !relay.fromUpstream.has(x.s))
      .map((x) => x.op);
    net.send('relay', 'central', { t: 'rreq', since: relay.pulledSince, ops, upTo: end }, now);
  };
  const deliver = (to: string, m: Msg) => {
    if (m.t === 'req') {
      const server = servers.get(to)!;
      server.ingest(m.ops);
      const page = server.pull(m.since, pageSize, m.from);
      net.send(
        to,
        m.from,
        {
          t: 'res',
          server: to,
          accepted: server.contiguous(m.from),
          ...page,
        },
        now,
      );
    } else if (m.t === 'res') {
      const d = byName.get(to)!;
      d.receiveOps(m.ops, now);
      d.checkpoints[m.server] = Math.max(d.checkpoints[m.server] ?? 0, m.lastSeq);
      d.ack(m.accepted);
    } else if (m.t === 'rreq') {
      central.ingest(m.ops);
      const page = central.pull(m.since, pageSize);
      net.send('central', 'relay', { t: 'rres', upTo: m.upTo, ...page }, now);
    } else {
      relay.ingest(
        m.ops.map((x) => x.op),
        true,
      );
      relay.pushedUpTo = Math.max(relay.pushedUpTo, m.upTo);
      relay.pulledSince = Math.max(relay.pulledSince, m.lastSeq);
    }
  };
  const pump = () => {
    for (const { to, payload } of net.due(now)) deliver(to, payload);
  };

  // ---- the faulty day ----
  for (const d of devices) net.setLink(d.name, 'central', false);
  net.setLink('relay', 'central', false);
  for (let step = 0; step < steps; step++) {
    now += 1000;
    if (chance(0.08)) net.setLink('relay', 'central', !net.isUp('relay', 'central'));
    if (chance(0.1)) {
      const d = pick(devices);
      net.setLink(d.name, 'relay', !net.isUp(d.name, 'relay'));
    }
    if (chance(0.04)) {
      const d = pick(devices);
      net.setLink(d.name, 'central', !net.isUp(d.name, 'central'));
    }
    const actor = pick(devices);
    act(actor);
    if (chance(0.5)) act(pick(devices));
    if (chance(0.05)) {
      // Crash right after a local commit: nothing is sent, in-flight replies are lost.
      net.dropFor(actor.name);
    } else if (chance(0.6)) {
      startSync(actor, net.isUp(actor.name, 'relay') ? 'relay' : 'central');
    }
    if (chance(0.3)) startSync(pick(devices), pick(['relay', 'central']));
    if (chance(0.4)) startRelaySync();
    pump();
  }

  // ---- healing: every link up, no faults, sync until quiescent ----
  net.healAll();
  net.faults = { drop: 0, duplicate: 0, maxDelay: 0 };
  for (let round = 0; round < 400; round++) {
    now += 1000;
    pump();
    for (const d of devices) {
      startSync(d, 'relay');
      startSync(d, 'central');
    }
    startRelaySync();
    pump();
    const quiet =
      devices.every(
        (d) =>
          d.outbox.length === 0 &&
          (d.checkpoints.relay ?? 0) >= relay.lastSeq &&
          (d.checkpoints.central ?? 0) >= central.lastSeq,
      ) &&
      relay.pushedUpTo >= relay.lastSeq &&
      relay.pulledSince >= central.lastSeq &&
      net.inFlight === 0;
    if (quiet) break;
  }

  // ---- checks ----
  const digests = new Set([
    central.rows.digest(),
    relay.rows.digest(),
    ...devices.map((d) => d.rows.digest()),
  ]);
  const converged = digests.size === 1;
  let lostWrites = 0;
  for (const op of generated) {
    if (!central.has(op) || !relay.has(op) || !isAccountedFor(central.rows.get(op.e, op.id), op))
      lostWrites++;
  }
  const finalEntries = central.rows.all('queueEntry') as unknown as Parameters<
    typeof roomDoubleBookings
  >[0];
  const doubles = roomDoubleBookings(finalEntries.filter((q) => !q._deleted));
  let conflicts = 0;
  for (const row of central.rows.states.values()) {
    conflicts += conflictCount(row);
  }
  // Two patients in one room must be visible: the coordinator's conflict view lists the room.
  const active = finalEntries.filter(
    (q) => !q._deleted && q.roomId && ['called', 'in_consultation'].includes(q.status.status),
  );
  const perRoom = new Map<string, number>();
  for (const q of active) perRoom.set(q.roomId!, (perRoom.get(q.roomId!) ?? 0) + 1);
  for (const [room, n] of perRoom) {
    if (n > 1 && !doubles.some((x) => x.roomId === room)) {
      violations.push(`salle ${room} : ${n} patients sans conflit visible`);
    }
  }
  return {
    seed,
    converged,
    lostWrites,
    violations,
    stats: { ops: generated.length, conflicts, doubleBookings: doubles.length, reversals },
  };
}

function conflictCount(row: RowState): number {
  return conflictsOf(row, registry).length;
}

/**
 * A write is accounted for when the state still holds it: a current head or a value some later
 * writer saw and superseded (registers), a live or knowingly removed tag (sets), the insert or a
 * kept duplicate (immutable rows).
 */
function isAccountedFor(row: RowState | undefined, op: Op): boolean {
  const field = row?.f[op.k === 'ins' ? '*' : op.f];
  if (!field) return false;
  if (field.t === 'r') return field.heads.some((h) => h.h === op.hlc) || field.dom.includes(op.hlc);
  if (field.t === 's') {
    return (
      field.rm.includes(op.hlc) || Object.values(field.el).some((el) => el.tags.includes(op.hlc))
    );
  }
  return field.h === op.hlc || field.others.some((o) => o.h === op.hlc);
}
