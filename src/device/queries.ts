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
import { foldName } from '../domain/text';
import { digestRows } from '../sync/digest';
import { conflictsOf, type FieldConflict } from '../sync/merge';
import { type EscaleDb, getMeta, META, type StoredRow } from './db';
import { setAsideSeqs } from './set-aside';
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

export interface QueueItem {
  entry: QueueEntry;
  visit: Visit | undefined;
  patient: StoredRow<'patient'> | undefined;
}

/** The queue entries of a stop with their visits and patients (rows may still be arriving). */
export async function queueOfStop(db: EscaleDb, stopId: string): Promise<QueueItem[]> {
  const entries = await db.rows('queueEntry').where('stopId').equals(stopId).toArray();
  const visits = await db.rows('visit').bulkGet(entries.map((e) => e.visitId));
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
  const patients = await db.rows('patient').bulkGet(list.map((a) => a.patientId));
  return list.map((appointment, i) => ({ appointment, patient: patients[i] }));
}

export async function patientById(
  db: EscaleDb,
  id: string,
): Promise<StoredRow<'patient'> | undefined> {
  return db.rows('patient').get(id);
}

/** Every patient, for the domain's identity search index (searchPatients / buildSearchIndex). */
export async function allPatients(db: EscaleDb): Promise<Patient[]> {
  return db.rows('patient').toArray();
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

/** A patient's consultations, newest first. */
export async function consultationsOfPatient(
  db: EscaleDb,
  patientId: string,
): Promise<Consultation[]> {
  const list = await db.rows('consultation').where('patientId').equals(patientId).toArray();
  return list.sort(byString((c) => c.createdAt)).reverse();
}

/** The sync status written by the leader, with the live count of ops waiting in the outbox. */
export async function syncStatus(db: EscaleDb): Promise<SyncStatus> {
  const [stored, pending, awaitingCentral] = await Promise.all([
    getMeta<SyncStatus>(db, META.syncStatus),
    db.outbox.count(),
    heldByAServer(db),
  ]);
  return { ...INITIAL_SYNC_STATUS, ...stored, pending, awaitingCentral };
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

/** Digest of everything this device holds, for the sync receipt (equal on every replica). */
export async function localDigest(db: EscaleDb): Promise<string> {
  return digestRows(await db.states.toArray());
}
