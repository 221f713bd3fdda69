// The end of a stop's day (DESIGN.md §2 coordinating doctor, §5 Proof, §6): the closure
// checklist, the day's scope and its digest, the sync receipt's verdict, and the purge a device
// may run once the receipt proves central holds what it would remove.
//
// Safety of the purge rests on two checks per row, both required:
// - the receipt lists the row with the hash of the exact merge state central held, and the
//   device's own state of the row hashes the same (a later edit, or an op central never got,
//   changes the hash, so the row stays);
// - no op in the device's outbox touches the row (an unsynced op is never removed).
import { canonicalJson, digestRows } from '../sync/digest';
import type { Registry } from '../sync/fields';
import { materialise, type RowState } from '../sync/merge';
import { Sha256 } from '../sync/sha256';
import type {
  Appointment,
  Consultation,
  DeviceProfile,
  Patient,
  QueueEntry,
  StatusValue,
  Stop,
  SyncReceipt,
  Visit,
} from './entities';
import { isOpen, transition } from './queue';

// ---- the day's scope ----

/** Entities attributed to a stop through their own `stopId`. */
const BY_STOP = new Set(['rosterSlot', 'appointment', 'visit', 'queueEntry', 'consultation']);
/** Append-only events attributed through their consultation. */
const BY_CONSULTATION = new Set(['vitals', 'signature', 'addendum']);

/** Row states of one stop's day: the stop, its roster, bookings, visits, queue, notes and their
 * events, and the patients they name. Audit and conflict records are not patient data. */
export function dayStates(
  states: readonly RowState[],
  stopId: string,
  registry: Registry,
): RowState[] {
  const rows = states.map((st) => ({ st, row: materialise(st, registry) }));
  const consultations = new Set<string>();
  const patients = new Set<string>();
  const out: RowState[] = [];
  for (const { st, row } of rows) {
    if (st.e === 'stop' && st.id === stopId) out.push(st);
    else if (BY_STOP.has(st.e) && row.stopId === stopId) {
      out.push(st);
      if (st.e === 'consultation') consultations.add(st.id);
      if (typeof row.patientId === 'string') patients.add(row.patientId);
    }
  }
  for (const { st, row } of rows) {
    if (BY_CONSULTATION.has(st.e) && consultations.has(String(row.consultationId))) out.push(st);
    else if (st.e === 'patient' && patients.has(st.id)) out.push(st);
  }
  return out;
}

/** Hash of one row's merge state (128 bits of SHA-256 over its canonical JSON). */
export function rowHash(state: RowState): string {
  return new Sha256().update(canonicalJson(state)).hex().slice(0, 32);
}

export interface ReceiptRow {
  e: string;
  id: string;
  h: string;
}

export interface DayProof {
  stopId: string;
  /** Digest over the day's row states (same function as the whole-state digest). */
  digest: string;
  rows: ReceiptRow[];
}

/** What a replica holds of a stop's day: the digest that must match, and each row's hash. */
export function dayProof(
  states: readonly RowState[],
  stopId: string,
  registry: Registry,
): DayProof {
  const scoped = dayStates(states, stopId, registry);
  const rows = scoped
    .map((st) => ({ e: st.e, id: st.id, h: rowHash(st) }))
    .sort((a, b) => (a.e === b.e ? (a.id < b.id ? -1 : 1) : a.e < b.e ? -1 : 1));
  return { stopId, digest: digestRows(scoped), rows };
}

// ---- the receipt ----

export interface ServerProof extends DayProof {
  /** Ops of each device that central holds (1..N contiguous). */
  devices: { dev: string; seq: number }[];
  /** When the relay answered: its own proof, which must equal central's. */
  relayDigest?: string;
}

export type ReceiptVerdict =
  | { ok: true }
  | { ok: false; reason: 'relay_differs' | 'device_differs' | 'unsynced'; message: string };

/**
 * A receipt is granted only when central's day digest equals the relay's (when there is one)
 * and this device's, and this device has nothing left to push.
 */
export function receiptVerdict(
  central: ServerProof,
  local: DayProof,
  pendingOps: number,
): ReceiptVerdict {
  if (pendingOps > 0) {
    return {
      ok: false,
      reason: 'unsynced',
      message: `Cet appareil a encore ${pendingOps} modification(s) à envoyer : synchronisez d’abord.`,
    };
  }
  if (central.relayDigest !== undefined && central.relayDigest !== central.digest) {
    return {
      ok: false,
      reason: 'relay_differs',
      message:
        'Le relais du camion et le serveur central ne détiennent pas encore la même journée : attendez la fin de la synchronisation puis réessayez.',
    };
  }
  if (local.digest !== central.digest) {
    return {
      ok: false,
      reason: 'device_differs',
      message:
        'Cet appareil et le serveur central ne détiennent pas la même journée : synchronisez puis réessayez.',
    };
  }
  return { ok: true };
}

// ---- the closure checklist ----

export interface DeviceSyncState {
  deviceId: string;
  name: string;
  pending: number;
  lastSyncAt: number | null;
  lastError: string | null;
}

export interface ClosureInput {
  stop: Stop;
  patients: readonly Patient[];
  appointments: readonly Appointment[];
  visits: readonly Visit[];
  entries: readonly QueueEntry[];
  consultations: readonly Consultation[];
  devices: readonly DeviceSyncState[];
}

export interface Closure {
  unsyncedDevices: DeviceSyncState[];
  /** Notes not signed yet (draft) or sent back to their author (returned). */
  unsigned: Consultation[];
  toValidate: Consultation[];
  /** Entries still open: waiting, called or in consultation. */
  stillOpen: QueueEntry[];
  /** Appointments of the day never honoured: still booked, or marked absent. */
  notHonoured: Appointment[];
  provisional: Patient[];
  /** Consultations whose orientation needs a follow-up (anything but none). */
  orientations: Consultation[];
  /** What must be settled before the receipt: notes, open entries and unsynced devices. */
  blocking: string[];
}

const alive = <T extends { _deleted?: boolean }>(rows: readonly T[]) =>
  rows.filter((r) => !r._deleted);

export function closureChecklist(input: ClosureInput): Closure {
  const stopId = input.stop.id;
  const consultations = alive(input.consultations).filter((c) => c.stopId === stopId);
  const visits = alive(input.visits).filter((v) => v.stopId === stopId);
  const dayPatients = new Set(visits.map((v) => v.patientId));
  const closure: Omit<Closure, 'blocking'> = {
    unsyncedDevices: input.devices.filter((d) => d.pending > 0),
    unsigned: consultations.filter((c) => c.status === 'draft' || c.status === 'returned'),
    toValidate: consultations.filter((c) => c.status === 'to_validate'),
    stillOpen: alive(input.entries).filter((e) => e.stopId === stopId && isOpen(e.status.status)),
    notHonoured: alive(input.appointments).filter(
      (a) => a.stopId === stopId && (a.status === 'booked' || a.status === 'no_show'),
    ),
    provisional: alive(input.patients).filter(
      (p) => dayPatients.has(p.id) && p.identityStatus === 'provisoire',
    ),
    orientations: consultations.filter((c) => c.orientation.kind !== 'none'),
  };
  const blocking: string[] = [];
  if (closure.unsyncedDevices.length) blocking.push('unsyncedDevices');
  if (closure.unsigned.length) blocking.push('unsigned');
  if (closure.toValidate.length) blocking.push('toValidate');
  if (closure.stillOpen.length) blocking.push('stillOpen');
  return { ...closure, blocking };
}

// ---- the purge ----

/** Days a device keeps a closed stop's patient data after its receipt, by profile. */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<DeviceProfile, number>> = {
  display: 0,
  reception: 0,
  room: 30,
  coordination: 365,
};

/** What each profile removes of a day: reception keeps the identities (the registry it searches
 * for returning patients); the others remove everything of the day's patients. */
const PURGED: Readonly<Record<DeviceProfile, ReadonlySet<string>>> = {
  display: new Set([
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'consultation',
    ...BY_CONSULTATION,
  ]),
  reception: new Set(['appointment', 'visit', 'queueEntry', 'consultation', ...BY_CONSULTATION]),
  room: new Set([
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'consultation',
    ...BY_CONSULTATION,
  ]),
  coordination: new Set([
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'consultation',
    ...BY_CONSULTATION,
  ]),
};

export interface PurgeInput {
  profile: DeviceProfile;
  today: string;
  retentionDays: number;
  stops: readonly Pick<Stop, 'id' | 'date'>[];
  receipts: readonly Pick<SyncReceipt, 'stopId' | 'rows' | 'at'>[];
  /** The device's merge states. */
  states: readonly RowState[];
  /** (entity, id) of every op still in the outbox. */
  outbox: readonly { e: string; id: string }[];
  registry: Registry;
}

export interface PurgePlan {
  remove: { e: string; id: string }[];
  /** Rows of a receipted day kept back, and why. */
  kept: { e: string; id: string; why: 'unsynced' | 'changed' | 'not_in_receipt' | 'still_used' }[];
  stops: string[];
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const keyOf = (e: string, id: string) => `${e}\u0000${id}`;

export function purgePlan(input: PurgeInput): PurgePlan {
  const purgeable = PURGED[input.profile];
  const stopDate = new Map(input.stops.map((s) => [s.id, s.date]));
  const unsynced = new Set(input.outbox.map((o) => keyOf(o.e, o.id)));
  const byKey = new Map(input.states.map((s) => [keyOf(s.e, s.id), s]));

  // The newest receipt of each stop wins: a later receipt covers later edits.
  const latest = new Map<string, PurgeInput['receipts'][number]>();
  for (const r of input.receipts) {
    const prev = latest.get(r.stopId);
    if (!prev || r.at > prev.at) latest.set(r.stopId, r);
  }
  const due = [...latest.values()].filter((r) => {
    const date = stopDate.get(r.stopId);
    return date !== undefined && addDays(date, input.retentionDays) < input.today;
  });
  const dueStops = new Set(due.map((r) => r.stopId));

  const remove: PurgePlan['remove'] = [];
  const kept: PurgePlan['kept'] = [];
  const candidates = new Set<string>();
  for (const receipt of due) {
    for (const row of receipt.rows) {
      if (!purgeable.has(row.e)) continue;
      const key = keyOf(row.e, row.id);
      const state = byKey.get(key);
      if (!state) continue;
      if (unsynced.has(key)) kept.push({ e: row.e, id: row.id, why: 'unsynced' });
      else if (rowHash(state) !== row.h) kept.push({ e: row.e, id: row.id, why: 'changed' });
      else candidates.add(key);
    }
  }
  // A patient stays while any row the device keeps still names them (a booking at a later stop,
  // a visit of a day not purged).
  const stillNamed = new Set<string>();
  for (const st of input.states) {
    const key = keyOf(st.e, st.id);
    if (candidates.has(key) || st.e === 'patient') continue;
    const row = materialise(st, input.registry);
    if (row._deleted === true) continue;
    if (typeof row.patientId === 'string') stillNamed.add(row.patientId);
  }
  for (const key of candidates) {
    const [e, id] = key.split('\u0000') as [string, string];
    if (e === 'patient' && stillNamed.has(id)) kept.push({ e, id, why: 'still_used' });
    else remove.push({ e, id });
  }
  // Rows of a due day the receipt did not list (written after it) wait for the next receipt.
  const listed = new Set(due.flatMap((r) => r.rows.map((x) => keyOf(x.e, x.id))));
  for (const st of dayStatesOfStops(input.states, dueStops, input.registry)) {
    const key = keyOf(st.e, st.id);
    if (purgeable.has(st.e) && !listed.has(key)) {
      kept.push({ e: st.e, id: st.id, why: 'not_in_receipt' });
    }
  }
  return { remove, kept, stops: [...dueStops] };
}

function dayStatesOfStops(
  states: readonly RowState[],
  stops: ReadonlySet<string>,
  registry: Registry,
): RowState[] {
  const out: RowState[] = [];
  for (const stopId of stops) out.push(...dayStates(states, stopId, registry));
  return out;
}

/**
 * How an entry still open at the end of the day is ended, in bulk: waiting or called patients get
 * the coordinator's choice (left without being seen, or cancelled); a patient still in a room
 * is finished (the consultation took place).
 */
export function endOfDayStatus(
  current: StatusValue,
  choice: 'leave' | 'cancel',
): StatusValue | null {
  const action = current.status === 'in_consultation' ? 'finish' : choice;
  const next = transition(current, action);
  return next.ok ? next.value : null;
}
