// The end of a stop's day (docs/design.md §2 coordinating doctor, §5 Proof, §6): the closure
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
import type { Hlc } from '../sync/hlc';
import { materialise, type RowState } from '../sync/merge';
import { comparableRow } from '../sync/prune';
import { Sha256 } from '../sync/sha256';
import { SUMMARY_ENTITIES } from './access';
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
import { effectiveIdentityStatus } from './identity-lifecycle';
import { isOpen, transition } from './queue';
import { DEFAULT_TIME_ZONE, zonedIso } from './time';

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
  /** The horizon the proof was taken at (decision 0027): digest and row hashes are over the
   * comparable form there (`comparableRow`). Absent: over the states as they are. */
  hz?: Hlc;
  /** Digest over the day's row states (same function as the whole-state digest). */
  digest: string;
  rows: ReceiptRow[];
}

/** What a replica holds of a stop's day: the digest that must match, and each row's hash. */
export function dayProof(
  states: readonly RowState[],
  stopId: string,
  registry: Registry,
  hz?: Hlc | null,
): DayProof {
  const held = dayStates(states, stopId, registry);
  // At a horizon: the comparable form, so a replica that pruned there and one that did not (or
  // pruned lower) prove the same day alike. Without one: the states, byte for byte as before.
  const scoped = hz ? held.map((st) => comparableRow(st, hz)) : held;
  const rows = scoped
    .map((st) => ({ e: st.e, id: st.id, h: rowHash(st) }))
    .sort((a, b) => (a.e === b.e ? (a.id < b.id ? -1 : 1) : a.e < b.e ? -1 : 1));
  return hz
    ? { stopId, hz, digest: digestRows(scoped), rows }
    : { stopId, digest: digestRows(scoped), rows };
}

// ---- the receipt ----

export interface ServerProof extends DayProof {
  /** Ops of each device that central holds (1..N contiguous), with the device's name and room
   * when it is enrolled (a receipt never names a device by its id). */
  devices: { dev: string; seq: number; name?: string }[];
  /** When the relay answered: its own proof, which must equal central's. */
  relayDigest?: string;
  /** Whether every device of the truck has reported the day since the closure began
   * (docs/decisions/0007-closure-coverage.md). */
  coverage: Coverage;
}

export type ReceiptVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'relay_differs' | 'device_differs' | 'unsynced' | 'uncovered';
      message: string;
    };

/**
 * A receipt is granted only when central's day digest equals the relay's (when there is one)
 * and this device's, this device has nothing left to push, and every other device of the truck
 * has reported the same day since the closure began, or was excused.
 */
export function receiptVerdict(
  central: ServerProof,
  local: DayProof,
  pendingOps: number,
): ReceiptVerdict {
  if (!central.coverage.ok) {
    return { ok: false, reason: 'uncovered', message: coverageMessage(central.coverage) };
  }
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

// ---- the closure's coverage: every device of the truck, or excused by name ----

/** The closure of a stop's day as the server recorded it: begun at central's time. */
export interface ClosureRecord {
  stopId: string;
  /** Central's clock (ms) when the coordinator began the closure. */
  startedAt: number;
  excused: Excuse[];
}

export interface Excuse {
  deviceId: string;
  reason: string;
  /** Central's clock (ms). */
  at: number;
}

/** The day digest a device sends with its status once it sees the closure has begun: its own
 * view of the day, and the closure start it answers. */
export interface DayReport {
  stopId: string;
  startedAt: number;
  digest: string;
  /** The horizon the device pruned at: its digest is of the comparable form there. */
  hz?: Hlc;
}

/** What the server last heard from a device (its status report). */
export interface HeardReport {
  pending: number;
  /** Server time (ms) of the report. */
  lastSyncAt: number;
  day?: DayReport | null;
}

/** How people name a device: its enrolment name, and its room for a room device. */
export function deviceLabel(name: string, roomName: string | null | undefined): string {
  return roomName ? `${name} (${roomName})` : name;
}

/** An enrolled device as the coverage rule needs it. */
export interface TruckDevice {
  deviceId: string;
  name: string;
  profile: 'reception' | 'room' | 'coordination' | 'display' | 'relay' | 'partner';
  roomId: string | null;
  enrolledAt: number;
  revoked: boolean;
}

/**
 * The window of a stop's day in server time, wide enough for any timezone the trucks work in
 * (from noon UTC the day before to noon UTC the day after): too wide only asks one more device
 * to report, too narrow would let a device's work go unseen.
 */
export function dayWindow(date: string): { from: number; to: number } {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  return { from: midnight - 12 * 3_600_000, to: midnight + 36 * 3_600_000 };
}

/**
 * The devices that must report before a receipt: every enrolled device of the organisation (the
 * truck's) not withdrawn and enrolled before the day ended — a device's offline work cannot be
 * ruled out from the server, so "worked that day" is taken as "could have". Relays forward, they
 * hold no work of their own; the waiting-room display writes nothing (docs/protocol.md).
 */
export function devicesToCover(
  enrolled: readonly TruckDevice[],
  window: { from: number; to: number },
): TruckDevice[] {
  return enrolled.filter(
    (d) =>
      !d.revoked &&
      d.profile !== 'relay' &&
      d.profile !== 'display' &&
      // A partner component writes no ops of the day: central writes its answers.
      d.profile !== 'partner' &&
      d.enrolledAt < window.to,
  );
}

export type CoverageState =
  | 'reported'
  | 'excused'
  | 'never_heard'
  | 'before_closure'
  | 'pending'
  | 'digest_differs';

export interface DeviceCoverage {
  deviceId: string;
  name: string;
  roomId: string | null;
  profile: TruckDevice['profile'];
  state: CoverageState;
  /** Last contact (server time, ms), null when never heard. */
  lastContactAt: number | null;
  /** Changes waiting as of the last contact (last known, not current). */
  pending: number | null;
  excuse: Excuse | null;
}

export interface Coverage {
  /** The closure has begun and every required device reported or was excused. */
  ok: boolean;
  startedAt: number | null;
  devices: DeviceCoverage[];
}

/**
 * Whether each device of the truck proved the day: its last report came after the closure began
 * (it names this closure's start, which only the server's answers carry), with nothing pending
 * and a day digest equal to central's for that device's view. An excused device passes, by name.
 */
export function coverageVerdict(input: {
  closure: ClosureRecord | null;
  required: readonly TruckDevice[];
  reports: ReadonlyMap<string, HeardReport>;
  /** Central's digest of the day for each device's view. */
  centralDigest: (device: TruckDevice, hz?: Hlc) => string;
}): Coverage {
  const { closure } = input;
  const excuses = new Map((closure?.excused ?? []).map((x) => [x.deviceId, x]));
  const devices = input.required.map((d): DeviceCoverage => {
    const report = input.reports.get(d.deviceId);
    const excuse = excuses.get(d.deviceId) ?? null;
    let state: CoverageState;
    if (excuse) state = 'excused';
    else if (!report) state = 'never_heard';
    else if (
      !closure ||
      !report.day ||
      report.day.stopId !== closure.stopId ||
      report.day.startedAt !== closure.startedAt
    ) {
      state = 'before_closure';
    } else if (report.pending > 0) state = 'pending';
    else if (report.day.digest !== input.centralDigest(d, report.day.hz)) state = 'digest_differs';
    else state = 'reported';
    return {
      deviceId: d.deviceId,
      name: d.name,
      roomId: d.roomId,
      profile: d.profile,
      state,
      lastContactAt: report?.lastSyncAt ?? null,
      pending: report?.pending ?? null,
      excuse,
    };
  });
  return {
    ok: closure !== null && devices.every((d) => d.state === 'reported' || d.state === 'excused'),
    startedAt: closure?.startedAt ?? null,
    devices,
  };
}

/** Why a coverage does not allow the receipt, naming the devices. */
export function coverageMessage(coverage: Coverage): string {
  if (coverage.startedAt === null) {
    return 'La clôture n’a pas commencé : commencez-la pour que chaque appareil envoie sa journée.';
  }
  const missing = coverage.devices.filter((d) => d.state !== 'reported' && d.state !== 'excused');
  return `Appareils qui n’ont pas encore prouvé la journée depuis le début de la clôture : ${missing
    .map((d) => d.name)
    .join(', ')}. Attendez qu’ils se synchronisent, ou excusez-les avec un motif.`;
}

// ---- a closed day reopened ----

/**
 * The day changed since its receipt (a device synced later with changes of that day): rows the
 * receipt does not list, or whose state differs. The stop's own row is left out (the receipt
 * closes it). A receipt is derived green only while this is empty.
 */
export function changedSinceReceipt(
  receipt: Pick<SyncReceipt, 'rows'>,
  current: DayProof,
): ReceiptRow[] {
  const listed = new Map(receipt.rows.map((r) => [keyOf(r.e, r.id), r.h]));
  return current.rows.filter((r) => r.e !== 'stop' && listed.get(keyOf(r.e, r.id)) !== r.h);
}

// ---- liveness ----

/** Beyond this silence a device's last report is shown as last known, not current: a device
 * online syncs at least every poll (60 s) and at once after a write, so five minutes of silence
 * means it is off, asleep or out of reach. */
export const STALE_AFTER_MS = 5 * 60_000;

export function isStale(lastContactAt: number | null, now: number): boolean {
  return lastContactAt === null || now - lastContactAt > STALE_AFTER_MS;
}

// ---- the closure checklist ----

export interface DeviceSyncState {
  deviceId: string;
  /** Its name and room as people say it (never its id). */
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
  /** Rows of the day changed since its latest receipt (changedSinceReceipt). */
  changedSinceReceipt?: readonly ReceiptRow[];
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
  /** The day received changes after its receipt: it is open again until a new receipt. */
  reopened: ReceiptRow[];
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
      // A doubtful or fictitious identity is provisional whatever its status field says.
      (p) => dayPatients.has(p.id) && effectiveIdentityStatus(p) === 'provisoire',
    ),
    orientations: consultations.filter((c) => c.orientation.kind !== 'none'),
    reopened: [...(input.changedSinceReceipt ?? [])],
  };
  const blocking: string[] = [];
  if (closure.reopened.length) blocking.push('reopened');
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
  receipts: readonly (Pick<SyncReceipt, 'stopId' | 'rows' | 'at' | 'hz'> & {
    excused?: readonly { dev: string }[];
  })[];
  /** This device: a receipt that excused it does not let it purge (it keeps everything until
   * a receipt covers its own report). */
  deviceId?: string;
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
  /** The newest due receipt's time: the device's kept copies of its own ops written before it
   * (durable at central, proved by that receipt, past the retention) may go too. */
  sentBefore: string | null;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const keyOf = (e: string, id: string) => `${e}\u0000${id}`;

/** Rows that belong to a patient rather than to a day: removed with the patient, never keeping
 * it. */
const GOES_WITH_PATIENT: ReadonlySet<string> = new Set(['identityChange', ...SUMMARY_ENTITIES]);

export function purgePlan(input: PurgeInput): PurgePlan {
  const purgeable = PURGED[input.profile];
  const stopDate = new Map(input.stops.map((s) => [s.id, s.date]));
  const unsynced = new Set(input.outbox.map((o) => keyOf(o.e, o.id)));
  const byKey = new Map(input.states.map((s) => [keyOf(s.e, s.id), s]));

  // The newest receipt of each stop wins: a later receipt covers later edits.
  const latest = new Map<string, PurgeInput['receipts'][number]>();
  for (const r of input.receipts) {
    if (r.excused?.some((x) => x.dev === input.deviceId)) continue;
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
      // At the receipt's horizon (decision 0027). A row this device pruned past it no longer has
      // that form: it is kept ('changed') until a later receipt, taken at its horizon, covers it.
      else if (rowHash(receipt.hz ? comparableRow(state, receipt.hz) : state) !== row.h) {
        kept.push({ e: row.e, id: row.id, why: 'changed' });
      } else candidates.add(key);
    }
  }
  // A patient stays while any row the device keeps still names them (a booking at a later stop,
  // a visit of a day not purged).
  const stillNamed = new Set<string>();
  for (const st of input.states) {
    const key = keyOf(st.e, st.id);
    // The identity's own history and clinical summary do not keep it (they go with it, below).
    if (candidates.has(key) || st.e === 'patient' || GOES_WITH_PATIENT.has(st.e)) continue;
    const row = materialise(st, input.registry);
    if (row._deleted === true) continue;
    if (typeof row.patientId === 'string') stillNamed.add(row.patientId);
  }
  const removedPatients = new Set<string>();
  for (const key of candidates) {
    const [e, id] = key.split('\u0000') as [string, string];
    if (e === 'patient' && stillNamed.has(id)) kept.push({ e, id, why: 'still_used' });
    else {
      remove.push({ e, id });
      if (e === 'patient') removedPatients.add(id);
    }
  }
  // An identity's history (src/domain/identity-lifecycle.ts) and its clinical summary
  // (src/domain/clinical-summary.ts) go with the identity they name; not what is still unsent.
  for (const st of input.states) {
    if (!GOES_WITH_PATIENT.has(st.e) || unsynced.has(keyOf(st.e, st.id))) continue;
    const row = materialise(st, input.registry);
    if (removedPatients.has(String(row.patientId))) remove.push({ e: st.e, id: st.id });
  }
  // Rows of a due day the receipt did not list (written after it) wait for the next receipt.
  const listed = new Set(due.flatMap((r) => r.rows.map((x) => keyOf(x.e, x.id))));
  for (const st of dayStatesOfStops(input.states, dueStops, input.registry)) {
    const key = keyOf(st.e, st.id);
    if (purgeable.has(st.e) && !listed.has(key)) {
      kept.push({ e: st.e, id: st.id, why: 'not_in_receipt' });
    }
  }
  const sentBefore = due.reduce<string | null>((m, r) => (m === null || r.at > m ? r.at : m), null);
  return { remove, kept, stops: [...dueStops], sentBefore };
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

/**
 * Appointments still booked whose time has not come yet at `now` (an instant): marking them absent
 * at the closure would call a patient absent before their hour, so the screen says so first.
 * Ordered by time.
 */
export function bookedNotYetDue(
  appointments: readonly Appointment[],
  stop: Pick<Stop, 'id' | 'date'>,
  now: string,
  timeZone = DEFAULT_TIME_ZONE,
): Appointment[] {
  const at = Date.parse(now);
  return alive(appointments)
    .filter((a) => a.stopId === stop.id && a.status === 'booked')
    .filter((a) => Date.parse(zonedIso(stop.date, a.time, timeZone)) > at)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
