// What the people of a simulated day do, on each device's own (possibly stale) view, through the
// device's one write path (`writeChanges`) with the same changes the screens' commands build
// (src/ui/reception/reception-actions.ts, src/ui/room/room-actions.ts,
// src/ui/consultation/consultation-actions.ts): check-in, absent / left / cancelled, call,
// take-in (opening the note), requeue, finish, note edits, vitals, signature, reopen. The rules
// are the domain's (transition, canCall, planCheckIn, canSign, effective statuses).
import { recordObjection } from '../../src/device/reading-commands';
import type { Change } from '../../src/device/write';
import { writeChanges } from '../../src/device/write';
import { writeRefusal } from '../../src/domain/access';
import { checkInErrors, planCheckIn } from '../../src/domain/checkin';
import { canSign, signedContent, statusAfterSigning } from '../../src/domain/consultation';
import { effectiveEntries, withEffectiveStatus } from '../../src/domain/day-invariants';
import type {
  Consultation,
  Patient,
  QueueEntry,
  Room,
  Service,
  Signature,
  Staff,
  Visit,
} from '../../src/domain/entities';
import { isActive, type QueueAction, transition } from '../../src/domain/queue';
import { canCall } from '../../src/domain/queue-order';
import { canonicalJson } from '../../src/sync/digest';
import type { Op } from '../../src/sync/op';
import { sha256Hex } from '../../src/sync/sha256';
import { ORG, type SimDevice, type SimServer } from './world';

export const UNIT = 'unit-sim';
export const STOP = 'stop-sim';
export const ROOMS = ['room-1', 'room-2', 'room-3', 'room-4'] as const;
export const STAFF = {
  coordination: 'staff-coord',
  reception: 'staff-reception',
  'room-1': 'staff-room-1',
  'room-2': 'staff-room-2',
  'room-3': 'staff-room-3',
  'room-4': 'staff-room-4',
} as const;

const SERVICES: Service[] = [
  {
    id: 'svc-mg',
    orgId: ORG,
    code: 'MG',
    label: 'Médecine générale',
    ticketPrefix: 'MG',
    typicalMinutes: 20,
    roomKinds: ['gp_box'],
    professions: ['medecin'],
    confidentiality: 'standard',
  },
  {
    id: 'svc-dep',
    orgId: ORG,
    code: 'DEP',
    label: 'Dépistage et prévention',
    ticketPrefix: 'DP',
    typicalMinutes: 15,
    roomKinds: ['modular', 'gp_box'],
    professions: ['medecin'],
    confidentiality: 'standard',
  },
];
const SERVICE_IDS = SERVICES.map((s) => s.id);

/** The organisation central holds before the day: rooms, services, staff, today's stop, patients. */
export function setupRows(date: string, patients: number) {
  const staff: Staff[] = Object.values(STAFF).map((id) => ({
    id,
    orgId: ORG,
    firstName: 'Camille',
    lastName: id,
    profession: 'medecin',
    roles: id === STAFF.coordination ? ['clinicien', 'coordinateur'] : ['clinicien'],
    supervisorId: null,
    active: true,
  }));
  const room: Room[] = ROOMS.map((id, order) => ({
    id,
    orgId: ORG,
    unitId: UNIT,
    name: `Salle ${order + 1}`,
    kind: order < 2 ? 'gp_box' : 'modular',
    order,
  }));
  const patient: Patient[] = Array.from({ length: patients }, (_, i) => ({
    id: `pat-${i}`,
    orgId: ORG,
    birthName: ['MARTIN', 'LEBRUN', 'HAMON', 'GUÉRIN'][i % 4]!,
    usedName: null,
    firstNames: `Jeanne ${i}`,
    usedFirstName: null,
    sex: i % 2 ? 'F' : 'M',
    birthDate: `19${String(20 + (i % 80)).padStart(2, '0')}-03-1${i % 9}`,
    birthPlaceCode: '72181',
    identityStatus: 'provisoire',
    nir: null,
    phone: null,
    email: null,
    address: null,
    communeInsee: '72181',
    coverage: 'amo',
    mtStatus: 'none',
    mtName: null,
    ald: false,
    allergies: [],
    createdAt: `${date}T07:00:00.000Z`,
    duplicateDecision: null,
  })) as unknown as Patient[];
  return {
    organisation: [{ id: ORG, name: 'Médicobus de simulation' }],
    unit: [{ id: UNIT, orgId: ORG, name: 'Camion 1', registration: null }],
    room,
    service: SERVICES,
    staff,
    stop: [
      {
        id: STOP,
        orgId: ORG,
        unitId: UNIT,
        date,
        communeInsee: '72181',
        communeName: 'Mamers',
        address: 'Place de la République',
        opensAt: '00:00',
        closesAt: '23:59',
        status: 'open',
      },
    ],
    patient,
  };
}

/** What the hard cases of a day count (the test asserts they happen). */
export interface WorkloadStats {
  writes: number;
  ops: number;
  checkIns: number;
  calls: number;
  takeIns: number;
  /** A call or take-in decided on a view central had already moved past. */
  staleCalls: number;
  /** Visits and services with two notes at the end: two rooms took the same patient in. */
  doubleTakeIns: number;
  /** Reception ended (absent/left/cancelled) a patient central knew taken in or seen. */
  endsOnPatientInCare: number;
  ends: number;
  finishes: number;
  requeues: number;
  reopens: number;
  noteEdits: number;
  signatures: number;
  /** Signed while the device reached no server. */
  signedOffline: number;
  vitals: number;
  /** Objections to sharing recorded or withdrawn at reception. */
  objections: number;
}

export function emptyWorkloadStats(): WorkloadStats {
  return {
    writes: 0,
    ops: 0,
    checkIns: 0,
    calls: 0,
    takeIns: 0,
    staleCalls: 0,
    doubleTakeIns: 0,
    endsOnPatientInCare: 0,
    ends: 0,
    finishes: 0,
    requeues: 0,
    reopens: 0,
    noteEdits: 0,
    signatures: 0,
    signedOffline: 0,
    vitals: 0,
    objections: 0,
  };
}

export interface Actor {
  device: SimDevice;
  rnd: () => number;
  newId: (prefix: string) => string;
  stats: WorkloadStats;
  /** Every op committed on any device (for the lost-writes check). */
  committed: Op[];
  central: () => SimServer;
  /** Whether the device reaches some server right now. */
  online: () => boolean;
}

const WORDS = ['douleur', 'toux', 'fièvre', 'TA', 'stable', 'revoir', 'bilan', 'RAS', 'repos'];

async function write(a: Actor, changes: Change[], action: string, entity: string, id: string) {
  const d = a.device;
  const audit: Change = {
    entity: 'audit',
    id: a.newId('audit'),
    insert: {
      orgId: ORG,
      at: new Date(d.now()).toISOString(),
      actorId: d.staffId,
      deviceId: d.name,
      action,
      entity,
      entityId: id,
      detail: null,
    },
  };
  const all = [...changes, audit];
  for (const c of all) {
    const refusal = writeRefusal(d.profile as never, c.entity);
    if (refusal) throw new Error(`${d.name}: ${refusal}`);
  }
  const ops = await writeChanges(
    d.db,
    { deviceId: d.name, org: ORG, userId: d.staffId, now: d.now },
    all,
  );
  a.stats.writes++;
  a.stats.ops += ops.length;
  a.committed.push(...ops);
}

async function writeNoAudit(a: Actor, changes: Change[]) {
  const d = a.device;
  const ops = await writeChanges(
    d.db,
    { deviceId: d.name, org: ORG, userId: d.staffId, now: d.now },
    changes,
  );
  a.stats.writes++;
  a.stats.ops += ops.length;
  a.committed.push(...ops);
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** The device's view of the day: entries (effective on devices holding notes), visits, notes. */
async function viewOf(d: SimDevice) {
  const entries = (await d.db.rows('queueEntry').where('stopId').equals(STOP).toArray()).filter(
    (e) => !e._deleted,
  ) as QueueEntry[];
  const visits = (await d.db.rows('visit').where('stopId').equals(STOP).toArray()) as Visit[];
  const notes =
    d.profile === 'reception'
      ? []
      : ((await d.db.rows('consultation').toArray()) as Consultation[]).filter((c) => !c._deleted);
  const signatures =
    d.profile === 'reception' ? [] : ((await d.db.rows('signature').toArray()) as Signature[]);
  const effective = withEffectiveStatus({
    visits,
    queueEntries: entries,
    consultations: notes,
    signatures,
  });
  return { entries, effective, visits, notes, signatures };
}

/** Central's current effective view of an entry (for the stale-view statistics only). */
async function centralEntry(a: Actor, entryId: string) {
  const store = a.central().mem.store;
  const [entry] = (await store.rowsByIds(ORG, 'queueEntry', [entryId])) as unknown as QueueEntry[];
  if (!entry) return null;
  const notes = (await store.rows(ORG, 'consultation')).filter(
    (c) => c.queueEntryId === entryId && !c._deleted,
  ) as unknown as Consultation[];
  const eff = effectiveEntries({ visits: [], queueEntries: [entry], consultations: notes });
  return { entry, notes, effective: eff.get(entryId)! };
}

export async function receptionActs(a: Actor): Promise<void> {
  const d = a.device;
  const { entries, visits } = await viewOf(d);
  const roll = a.rnd();
  const open = entries.filter((e) => ['waiting', 'called'].includes(e.status.status));
  if (roll < 0.08 && visits.length > 0) {
    // A patient objects to the sharing of their notes, or withdraws it: the rooms' pulls are cut
    // by it (src/domain/reading.ts), and a note left out must reach them whole once it is lifted.
    const patient = { id: pick(a.rnd, visits).patientId };
    const id = a.newId('objection');
    await write(
      a,
      [
        recordObjection({
          id,
          orgId: ORG,
          patientId: patient.id,
          staffId: d.staffId,
          at: new Date(d.now()).toISOString(),
          objects: a.rnd() < 0.5,
        }),
      ],
      'sharing.objection',
      'patient',
      patient.id,
    );
    a.stats.objections++;
    return;
  }
  if (roll < 0.55 || open.length === 0) {
    const patients = (await d.db.rows('patient').toArray()) as Patient[];
    if (patients.length === 0) return;
    const patient = pick(a.rnd, patients);
    const services = a.rnd() < 0.2 ? SERVICE_IDS : [pick(a.rnd, SERVICE_IDS)];
    const input = {
      orgId: ORG,
      stopId: STOP,
      patientId: patient.id,
      appointmentId: null,
      motif: 'Consultation',
      serviceIds: services,
      noMt: false,
      ald: false,
      urgent: false,
      urgentReason: '',
    };
    const errors = checkInErrors(input, { services: SERVICES, stopEntries: entries, visits });
    if (Object.keys(errors).length > 0) return;
    const plan = planCheckIn(
      input,
      { services: SERVICES, stopEntries: entries },
      new Date(d.now()).toISOString(),
      { visit: a.newId('visit'), entries: services.map(() => a.newId('qe')) },
    );
    const { id: visitId, ...visit } = plan.visit;
    const changes: Change[] = [{ entity: 'visit', id: visitId, set: visit }];
    for (const { id, ...entry } of plan.entries) {
      changes.push({ entity: 'queueEntry', id, set: entry });
    }
    await write(a, changes, 'visit.checked_in', 'visit', visitId);
    a.stats.checkIns++;
    return;
  }
  // Absent, left or cancelled, on reception's view (which holds no notes).
  const entry = pick(a.rnd, open);
  const action: QueueAction =
    entry.status.status === 'called'
      ? pick(a.rnd, ['no_show', 'leave', 'cancel'] as const)
      : pick(a.rnd, ['leave', 'cancel'] as const);
  const next = transition(entry.status, action);
  if (!next.ok) return;
  const there = await centralEntry(a, entry.id);
  if (there && (there.entry.startedAt || there.notes.length > 0)) a.stats.endsOnPatientInCare++;
  await write(
    a,
    [
      {
        entity: 'queueEntry',
        id: entry.id,
        set: { status: next.value, endedAt: new Date(d.now()).toISOString(), endReason: null },
      },
    ],
    `queue.${action}`,
    'queueEntry',
    entry.id,
  );
  a.stats.ends++;
}

function noteComplete(c: Consultation): boolean {
  return c.assessment.trim() !== '' && c.plan.trim() !== '' && c.codes.length > 0;
}

export async function roomActs(a: Actor): Promise<void> {
  const d = a.device;
  const roomId = d.roomId!;
  const view = await viewOf(d);
  const mine = view.effective.find((e) => e.roomId === roomId && isActive(e.status.status));
  const at = () => new Date(d.now()).toISOString();
  const step = (entry: QueueEntry, action: QueueAction) => {
    const next = transition(entry.status, action);
    return next.ok ? next.value : null;
  };
  const roll = a.rnd();
  if (!mine) {
    // Call (or take in directly) the next waiting patient this room's view shows.
    const waiting = view.effective.filter((e) => e.status.status === 'waiting');
    if (waiting.length === 0) return;
    const entry = pick(a.rnd, waiting.slice(0, 4));
    const check = canCall(roomId, view.effective, entry);
    if (!check.ok) return;
    const there = await centralEntry(a, entry.id);
    const stale = there !== null && there.effective.status !== 'waiting';
    if (roll < 0.75) {
      const status = step(entry, 'call');
      if (!status) return;
      await write(
        a,
        [
          {
            entity: 'queueEntry',
            id: entry.id,
            set: { status, roomId, practitionerId: d.staffId, calledAt: at() },
          },
        ],
        'queue.call',
        'queueEntry',
        entry.id,
      );
      a.stats.calls++;
      if (stale) a.stats.staleCalls++;
      return;
    }
    await takeIn(a, entry, view.visits, stale);
    return;
  }
  const entry = view.entries.find((e) => e.id === mine.id)!;
  const note = view.notes.find((c) => c.queueEntryId === mine.id && c.roomId === roomId);
  if (mine.status.status === 'called') {
    if (roll < 0.7) {
      const there = await centralEntry(a, entry.id);
      const stale =
        there !== null &&
        (there.effective.status !== 'called' || there.effective.roomId !== roomId);
      await takeIn(a, mine, view.visits, stale);
    } else if (roll < 0.85) {
      const status = step(entry, 'requeue');
      if (!status) return;
      await write(
        a,
        [
          {
            entity: 'queueEntry',
            id: entry.id,
            set: { status, roomId: null, practitionerId: null, calledAt: null },
          },
        ],
        'queue.requeue',
        'queueEntry',
        entry.id,
      );
      a.stats.requeues++;
    } else {
      const status = step(entry, 'no_show');
      if (!status) return;
      await write(
        a,
        [{ entity: 'queueEntry', id: entry.id, set: { status, endedAt: at(), endReason: null } }],
        'queue.no_show',
        'queueEntry',
        entry.id,
      );
      a.stats.ends++;
    }
    return;
  }
  // In consultation here: the note is typed, signed, the consultation ends.
  if (note && note.status === 'draft' && roll < 0.5) {
    const field = pick(a.rnd, ['subjective', 'objective', 'assessment', 'plan'] as const);
    const patch = { [field]: `${pick(a.rnd, WORDS)} ${pick(a.rnd, WORDS)}` };
    const changes: Change[] = [{ entity: 'consultation', id: note.id, set: patch }];
    if (note.codes.length === 0 && a.rnd() < 0.5) {
      changes.push({
        entity: 'consultation',
        id: note.id,
        add: { codes: [{ system: 'CISP-2', code: 'A97', label: 'Pas de maladie', use: 'result' }] },
      });
    }
    await writeNoAudit(a, changes);
    a.stats.noteEdits++;
    return;
  }
  if (note && note.status === 'draft' && roll < 0.6) {
    await writeNoAudit(a, [
      {
        entity: 'vitals',
        id: a.newId('vit'),
        insert: {
          orgId: ORG,
          consultationId: note.id,
          patientId: note.patientId,
          takenAt: at(),
          authorId: note.authorId,
          systolic: 110 + Math.floor(a.rnd() * 40),
          diastolic: null,
          heartRate: null,
          temperature: null,
          spo2: null,
          weightKg: null,
          heightCm: null,
        },
      },
    ]);
    a.stats.vitals++;
    return;
  }
  if (note && note.status === 'draft' && noteComplete(note) && roll < 0.8) {
    if (!canSign(note, d.staffId).ok) return;
    const contentHash = sha256Hex(canonicalJson(signedContent(note)));
    await write(
      a,
      [
        {
          entity: 'signature',
          id: a.newId('sig'),
          insert: {
            orgId: ORG,
            consultationId: note.id,
            kind: 'author',
            staffId: d.staffId,
            at: at(),
            contentHash,
            comment: null,
          },
        },
        {
          entity: 'consultation',
          id: note.id,
          set: { status: statusAfterSigning({ supervisorId: null }), returnComment: null },
        },
      ],
      'consultation.signed',
      'consultation',
      note.id,
    );
    a.stats.signatures++;
    if (!a.online()) a.stats.signedOffline++;
    return;
  }
  if (roll >= 0.8 && (note?.status !== 'draft' || roll > 0.95)) {
    const status = step(mine, 'finish');
    if (!status) return;
    await write(
      a,
      [{ entity: 'queueEntry', id: entry.id, set: { status, endedAt: at() } }],
      'queue.finish',
      'queueEntry',
      entry.id,
    );
    a.stats.finishes++;
  }
}

/** Takes the patient in and opens their note (draft, with this room), as « Faire entrer » does. */
async function takeIn(
  a: Actor,
  entry: QueueEntry,
  visits: readonly Visit[],
  stale: boolean,
): Promise<void> {
  const d = a.device;
  const roomId = d.roomId!;
  const visit = visits.find((v) => v.id === entry.visitId);
  if (!visit) return;
  const next = transition(entry.status, 'start');
  if (!next.ok) return;
  const now = new Date(d.now()).toISOString();
  const id = a.newId('cons');
  const note: Omit<Consultation, 'id' | '_deleted'> = {
    orgId: ORG,
    queueEntryId: entry.id,
    visitId: entry.visitId,
    patientId: visit.patientId,
    stopId: entry.stopId,
    serviceId: entry.serviceId,
    authorId: d.staffId,
    supervisorId: null,
    motif: visit.motif,
    subjective: '',
    objective: '',
    assessment: '',
    plan: '',
    codes: [],
    orientation: { kind: 'none' },
    confidentiality: 'standard',
    status: 'draft',
    returnComment: null,
    createdAt: now,
    roomId,
  };
  await write(
    a,
    [
      {
        entity: 'queueEntry',
        id: entry.id,
        set: {
          status: next.value,
          roomId,
          practitionerId: d.staffId,
          startedAt: now,
          ...(entry.calledAt ? {} : { calledAt: now }),
        },
      },
      { entity: 'consultation', id, set: note },
    ],
    'queue.start',
    'queueEntry',
    entry.id,
  );
  a.stats.takeIns++;
  if (stale) a.stats.staleCalls++;
}

/** The coordination reopens an entry ended by mistake (an explicit reversal, a new epoch). */
export async function coordinationActs(a: Actor): Promise<void> {
  const d = a.device;
  const { entries } = await viewOf(d);
  const ended = entries.filter((e) => ['no_show', 'left', 'cancelled'].includes(e.status.status));
  if (ended.length === 0 || a.rnd() < 0.5) return;
  const entry = pick(a.rnd, ended);
  const next = transition(entry.status, 'reopen');
  if (!next.ok) return;
  await write(
    a,
    [
      {
        entity: 'queueEntry',
        id: entry.id,
        set: { status: next.value, endedAt: null, endReason: null, roomId: null, calledAt: null },
      },
    ],
    'queue.reopen',
    'queueEntry',
    entry.id,
  );
  a.stats.reopens++;
}
