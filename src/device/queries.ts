// The reads the screens use, wrapped by the UI in Dexie's liveQuery/useLiveQuery so they re-run
// when the rows they touched change. Pure reads: no writes, no side effects.
import type {
  Appointment,
  Consultation,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Staff,
  Stop,
  Visit,
} from '../domain/entities';
import {
  followMerges,
  mergeGroup,
  resolveIdentity,
  survivorMap,
} from '../domain/identity-lifecycle';
import { foldName } from '../domain/text';
import { digestRows } from '../sync/digest';
import { conflictsOf, type FieldConflict } from '../sync/merge';
import { digestAt } from '../sync/prune';
import { type EscaleDb, getMeta, META, type StoredRow } from './db';
import { prunedAt } from './horizon';
import { setAsideSeqs, unsentCounts } from './set-aside';
import { INITIAL_SYNC_STATUS, type SyncStatus } from './sync-status';
import { registry } from './write';

const byString =
  <T>(key: (x: T) => string) =>
  (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

/** The stops of a date (normally one per truck), open ones first. */
export async function stopsOn(db: EscaleDb, date: string): Promise<Stop[]> {
  const stops = await db.rows('stop').where('date').equals(date).toArray();
  const rank = (s: Stop) => (s.status === 'open' ? 0 : s.status === 'planned' ? 1 : 2);
  return stops.sort((a, b) => rank(a) - rank(b) || byString((s: Stop) => s.id)(a, b));
}

/** Today's stop (the date is the truck's local date, given by the caller). */
export async function stopOfDay(db: EscaleDb, date: string): Promise<Stop | undefined> {
  return (await stopsOn(db, date)).find((s) => s.status !== 'cancelled');
}

export async function rosterOfStop(db: EscaleDb, stopId: string): Promise<RosterSlot[]> {
  const slots = await db.rows('rosterSlot').where('stopId').equals(stopId).toArray();
  return slots.sort(byString((s) => `${s.roomId}\u0000${s.start}`));
}

export async function rooms(db: EscaleDb): Promise<Room[]> {
  return (await db.rows('room').toArray()).sort((a, b) => a.order - b.order);
}

export async function services(db: EscaleDb): Promise<Service[]> {
  return (await db.rows('service').toArray()).sort(byString((s) => s.code));
}

export async function staffList(
  db: EscaleDb,
  options: { activeOnly?: boolean } = {},
): Promise<Staff[]> {
  const all = await db.rows('staff').toArray();
  return all
    .filter((s) => !options.activeOnly || s.active)
    .sort(byString((s) => `${s.lastName}\u0000${s.firstName}`));
}

/**
 * The merge pointers this device holds (src/domain/identity-lifecycle.ts): each identity → the
 * identity it resolves to. Reads follow them, so visits, notes and bookings of a merged identity
 * show under its survivor, offline and whatever order the ops arrived in. Only merged rows are
 * read (a null pointer is not in the index).
 */
export async function identitySurvivors(db: EscaleDb): Promise<Map<string, string>> {
  return (await mergeGraph(db)).survivors;
}

/** The survivor map and the ids merged rows point to, held or not (patient-index.ts). */
export async function mergeGraph(
  db: EscaleDb,
): Promise<{ survivors: Map<string, string>; targets: Set<string> }> {
  const merged = await db.rows('patient').orderBy('mergedInto').toArray();
  if (merged.length === 0) return { survivors: new Map(), targets: new Set() };
  const targets = new Set(merged.map((p) => p.mergedInto ?? ''));
  const held = (await db.rows('patient').bulkGet([...targets])).filter((p) => p !== undefined);
  const nodes = new Map([...held, ...merged].map((p) => [p.id, p]));
  return { survivors: survivorMap([...nodes.values()]), targets };
}

export interface QueueItem {
  entry: QueueEntry;
  visit: Visit | undefined;
  patient: StoredRow<'patient'> | undefined;
}

/** The queue entries of a stop with their visits and patients (rows may still be arriving). */
export async function queueOfStop(db: EscaleDb, stopId: string): Promise<QueueItem[]> {
  const entries = await db.rows('queueEntry').where('stopId').equals(stopId).toArray();
  const survivors = await identitySurvivors(db);
  const visits = (await db.rows('visit').bulkGet(entries.map((e) => e.visitId))).map((v) =>
    v ? followMerges([v], survivors)[0] : v,
  );
  const patients = await db.rows('patient').bulkGet(visits.map((v) => v?.patientId ?? ''));
  return entries.map((entry, i) => ({ entry, visit: visits[i], patient: patients[i] }));
}

export interface AppointmentItem {
  appointment: Appointment;
  patient: StoredRow<'patient'> | undefined;
}

export async function appointmentsOfStop(db: EscaleDb, stopId: string): Promise<AppointmentItem[]> {
  const list = (await db.rows('appointment').where('stopId').equals(stopId).toArray()).sort(
    byString((a) => `${a.time}\u0000${a.id}`),
  );
  const followed = followMerges(list, await identitySurvivors(db));
  const patients = await db.rows('patient').bulkGet(followed.map((a) => a.patientId));
  return followed.map((appointment, i) => ({ appointment, patient: patients[i] }));
}

/**
 * A patient, read through its merges: a merged identity gives its survivor, whose allergies
 * include those recorded on the identities merged into it (nothing known is lost by a merge).
 */
export async function patientById(
  db: EscaleDb,
  id: string,
): Promise<StoredRow<'patient'> | undefined> {
  const survivors = await identitySurvivors(db);
  const survivorId = resolveIdentity(id, survivors);
  const group = mergeGroup(survivorId, survivors);
  const rows = await db.rows('patient').bulkGet(group);
  const survivor = rows[0];
  if (!survivor || rows.length === 1) return survivor;
  const allergies = new Set(rows.flatMap((r) => r?.allergies ?? []));
  return { ...survivor, allergies: [...allergies] };
}

/** The identity `id` resolves to through merges (itself when not merged). */
export async function survivorOf(db: EscaleDb, id: string): Promise<string> {
  return resolveIdentity(id, await identitySurvivors(db));
}

/** Every patient not merged into another, for the domain's identity search index
 * (searchPatients / buildSearchIndex): a merged identity is found through its survivor. */
export async function allPatients(db: EscaleDb): Promise<Patient[]> {
  const survivors = await identitySurvivors(db);
  const all = await db.rows('patient').toArray();
  return survivors.size === 0 ? all : all.filter((p) => resolveIdentity(p.id, survivors) === p.id);
}

/** An identity's history (corrections, qualifications, merges), newest first, with the merges
 * that pointed other identities to it. */
export async function identityHistory(db: EscaleDb, patientId: string) {
  const survivors = await identitySurvivors(db);
  const group = mergeGroup(resolveIdentity(patientId, survivors), survivors);
  const [own, other] = await Promise.all([
    db.rows('identityChange').where('patientId').anyOf(group).toArray(),
    db.rows('identityChange').where('otherPatientId').anyOf(group).toArray(),
  ]);
  const byId = new Map([...own, ...other].map((c) => [c.id, c]));
  return [...byId.values()].sort(byString((c) => `${c.at}\u0000${c.id}`)).reverse();
}

/** Patients whose folded "birth name first names" starts with the folded text. */
export async function patientsByNamePrefix(
  db: EscaleDb,
  text: string,
  limit = 50,
): Promise<StoredRow<'patient'>[]> {
  const key = foldName(text);
  if (key === '') return [];
  return db.rows('patient').where('searchKey').startsWith(key).limit(limit).toArray();
}

export interface PatientVisit {
  visit: Visit;
  /** The identity the visit was recorded under, when another one merged into this one. */
  mergedFrom: Patient | undefined;
  stop: Stop | undefined;
  /** The visit's tickets with their services (one per service the patient came for). */
  tickets: { ticket: string; service: Service | undefined }[];
}

/**
 * A patient's visits, newest first, read through merges: those recorded under identities merged
 * into this one are the survivor's too (a merge never loses a visit).
 */
export async function visitsOfPatient(db: EscaleDb, patientId: string): Promise<PatientVisit[]> {
  const survivors = await identitySurvivors(db);
  const group = mergeGroup(resolveIdentity(patientId, survivors), survivors);
  const visits = (await db.rows('visit').where('patientId').anyOf(group).toArray()).filter(
    (v) => !v._deleted,
  );
  const [entries, stops, services, identities] = await Promise.all([
    db
      .rows('queueEntry')
      .where('visitId')
      .anyOf(visits.map((v) => v.id))
      .toArray(),
    db.rows('stop').bulkGet([...new Set(visits.map((v) => v.stopId))]),
    db.rows('service').toArray(),
    db.rows('patient').bulkGet(group),
  ]);
  const survivorId = group[0];
  const identityById = new Map(identities.filter((p) => p !== undefined).map((p) => [p.id, p]));
  const stopById = new Map(stops.filter((s) => s !== undefined).map((s) => [s.id, s]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const listed = visits.map((visit) => ({
    visit,
    mergedFrom: visit.patientId === survivorId ? undefined : identityById.get(visit.patientId),
    stop: stopById.get(visit.stopId),
    tickets: entries
      .filter((e) => e.visitId === visit.id && !e._deleted)
      .sort(byString((e) => e.ticket))
      .map((e) => ({ ticket: e.ticket, service: serviceById.get(e.serviceId) })),
  }));
  // Newest first; two arrivals of the same minute by their tickets, numbered in arrival order.
  const key = (v: PatientVisit) =>
    `${v.visit.arrivedAt}\u0000${v.tickets[0]?.ticket.padStart(12, '0') ?? ''}\u0000${v.visit.id}`;
  return listed.sort(byString(key)).reverse();
}

/** A patient's consultations, newest first. */
export async function consultationsOfPatient(
  db: EscaleDb,
  patientId: string,
): Promise<Consultation[]> {
  const survivors = await identitySurvivors(db);
  const group = mergeGroup(resolveIdentity(patientId, survivors), survivors);
  const list = await db.rows('consultation').where('patientId').anyOf(group).toArray();
  return followMerges(list, survivors)
    .sort(byString((c) => c.createdAt))
    .reverse();
}

/** The sync status written by the leader, with the live count of ops waiting in the outbox. */
export async function syncStatus(db: EscaleDb): Promise<SyncStatus> {
  const [stored, unsent, awaitingCentral] = await Promise.all([
    getMeta<SyncStatus>(db, META.syncStatus),
    // Actions; set-aside ops are kept, never sent: not waiting (set-aside.ts).
    unsentCounts(db),
    heldByAServer(db),
  ]);
  return { ...INITIAL_SYNC_STATUS, ...stored, pending: unsent.actions, awaitingCentral };
}

/**
 * Outbox ops a server acknowledged (the relay) that are not yet durable at central: the highest
 * acknowledgement of any server bounds them (a device's ops are acknowledged contiguously).
 */
export async function heldByAServer(db: EscaleDb): Promise<number> {
  const acks = await db.meta.where('key').startsWith(META.acked('')).toArray();
  const held = Math.max(0, ...acks.map((a) => (typeof a.value === 'number' ? a.value : 0)));
  if (held === 0) return 0;
  const aside = await setAsideSeqs(db);
  const seqs = await db.outbox.where('seq').belowOrEqual(held).primaryKeys();
  return seqs.filter((seq) => !aside.has(seq)).length;
}

/** Conflicts a person must resolve, read from the merge state (never stored beside it). */
export async function conflicts(db: EscaleDb, entity?: string): Promise<FieldConflict[]> {
  const states =
    entity === undefined
      ? await db.states.toArray()
      : await db.states.where('e').equals(entity).toArray();
  const out: FieldConflict[] = [];
  for (const st of states) {
    if (!registry(st.e)) continue;
    out.push(...conflictsOf(st, registry));
  }
  return out;
}

/** Digest of everything this device holds, for the sync receipt (equal on every replica); at
 * the horizon it pruned at, over the comparable form there (decision 0027). */
export async function localDigest(db: EscaleDb): Promise<string> {
  const [states, hz] = await Promise.all([db.states.toArray(), prunedAt(db)]);
  return hz ? digestAt(states, hz) : digestRows(states);
}
