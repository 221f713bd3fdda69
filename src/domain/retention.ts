// Retention on central (issue #21, docs/decisions/0019-retention.md): how long a patient's record
// and the audit log are kept, which records are due for the archive tier and which for
// destruction, and which rows make up a patient's record. Pure: the server gathers the facts from
// its store and applies what this says (src/server/retention.ts).
//
// - A record is kept `recordYears` (20 by default) after the patient's last consultation; for a
//   patient who was a minor (under 18) at that consultation, at least until their
//   `minorUntilAge`th (28th) birthday, whichever is later.
// - Past that date it is first archived (out of what devices receive and what search sees,
//   restorable by the coordination), and only destroyed by an explicit command, never while one
//   of the patient's days (stops) has no sync receipt at central.
// - Audit entries are kept `auditYears` (one by default), then purged.
import { z } from 'zod';

export interface RetentionPolicy {
  /** Years a record is kept after the last consultation. */
  recordYears: number;
  /** A patient who was a minor at the last consultation: kept at least until this birthday. */
  minorUntilAge: number;
  /** Years an audit entry is kept. */
  auditYears: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = {
  recordYears: 20,
  minorUntilAge: 28,
  auditYears: 1,
};

/** Majority in France: a patient under 18 at the last consultation was a minor. */
export const MAJORITY_AGE = 18;

/** What an organisation may set: bounds that catch a typing slip (2 for 20) before it archives
 * every record; each message says the bound. */
export const retentionPolicySchema = z.object({
  recordYears: z
    .number()
    .int()
    .min(10, 'La durée de conservation des dossiers est d’au moins 10 ans.')
    .max(100, 'La durée de conservation des dossiers est d’au plus 100 ans.'),
  minorUntilAge: z
    .number()
    .int()
    .min(
      MAJORITY_AGE,
      `L’âge minimal de conservation pour un mineur est d’au moins ${MAJORITY_AGE} ans.`,
    )
    .max(40, 'L’âge minimal de conservation pour un mineur est d’au plus 40 ans.'),
  auditYears: z
    .number()
    .int()
    .min(1, 'Le journal d’audit est conservé au moins 1 an.')
    .max(20, 'Le journal d’audit est conservé au plus 20 ans.'),
});

/** The organisation's policy from its stored JSON (absent: the defaults). */
export function parseRetentionPolicy(json: string | undefined | null): RetentionPolicy {
  if (!json) return { ...DEFAULT_RETENTION };
  return retentionPolicySchema.parse({ ...DEFAULT_RETENTION, ...JSON.parse(json) });
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date.slice(0, 10));
  if (!m) throw new Error(`Date invalide : ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `date` (YYYY-MM-DD, or the date part of an ISO date-time) moved by whole years. A 29 February
 * landing on a common year becomes 1 March: the later day, so a record is never kept a day short.
 */
export function addYears(date: string, years: number): string {
  const [y, m, d] = parts(date);
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (m === 2 && d === 29 && !leap) return `${pad(year, 4)}-03-01`;
  return `${pad(year, 4)}-${pad(m)}-${pad(d)}`;
}

/** Age in whole years on `date` of someone born on `birthDate`. */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = parts(birthDate);
  const [y, m, d] = parts(date);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

// ---- which rows make up a record ----

/** Reference fields that tie a row to a patient's record, and the entity each points to. A row
 * belongs to the record when one of these points to a row of the record (transitively: a
 * signature names a consultation, which names the patient). Audit rows are not part of it: they
 * hold references only and follow the audit period. */
export const RECORD_REFS: Readonly<Record<string, string>> = {
  patientId: 'patient',
  consultationId: 'consultation',
  visitId: 'visit',
  queueEntryId: 'queueEntry',
  appointmentId: 'appointment',
};

export interface RowKey {
  e: string;
  id: string;
}

export const rowKey = (e: string, id: string) => `${e}\u0000${id}`;

/**
 * The rows of the records of `patientIds`: the patient rows themselves and every row tied to
 * them through RECORD_REFS, to a fixpoint. `rows` are materialised rows with their entity.
 */
export function recordRows(
  patientIds: Iterable<string>,
  rows: readonly { e: string; id: string; value: Record<string, unknown> }[],
): RowKey[] {
  const owned = new Set<string>();
  const out: RowKey[] = [];
  const take = (e: string, id: string) => {
    owned.add(rowKey(e, id));
    out.push({ e, id });
  };
  const patients = new Set(patientIds);
  for (const row of rows) if (row.e === 'patient' && patients.has(row.id)) take(row.e, row.id);
  let rest = rows.filter((r) => !owned.has(rowKey(r.e, r.id)) && r.e !== 'audit');
  for (let grown = true; grown; ) {
    grown = false;
    const next: typeof rest = [];
    for (const row of rest) {
      const tied = Object.entries(RECORD_REFS).some(([field, target]) => {
        const ref = row.value[field];
        return typeof ref === 'string' && owned.has(rowKey(target, ref));
      });
      if (tied) {
        take(row.e, row.id);
        grown = true;
      } else next.push(row);
    }
    rest = next;
  }
  return out;
}

/** The rows an op writes or ties itself to: its own row, and for an insert or a reference set,
 * the rows it names through RECORD_REFS. An op naming a retired row is retired with it. */
export function opRowRefs(op: {
  e: string;
  id: string;
  f: string;
  k: string;
  val?: unknown;
}): RowKey[] {
  const refs: RowKey[] = [{ e: op.e, id: op.id }];
  if (op.k === 'ins' && op.val && typeof op.val === 'object') {
    const val = op.val as Record<string, unknown>;
    for (const [field, target] of Object.entries(RECORD_REFS)) {
      if (typeof val[field] === 'string') refs.push({ e: target, id: val[field] as string });
    }
  } else if (op.k === 'set' && op.f in RECORD_REFS && typeof op.val === 'string') {
    refs.push({ e: RECORD_REFS[op.f]!, id: op.val });
  }
  return refs;
}

// ---- what is due ----

export interface RetentionPatient {
  id: string;
  birthDate: string;
  /** The day the identity was created (YYYY-MM-DD). */
  registeredOn: string;
  /** Merged into that identity: its record is kept and retired with it. */
  mergedInto?: string | null;
  /** Archived on central (the archive tier), or still live. */
  archived: boolean;
}

/** A patient's day: a consultation, or another row of the record tied to a stop (a visit, an
 * appointment), whose stop needs a receipt before destruction. */
export interface RetentionContact {
  patientId: string;
  /** YYYY-MM-DD: the stop's date, else the row's creation date. */
  date: string;
  stopId: string | null;
  consultation: boolean;
}

export type RetentionRule = 'record_period' | 'minor_until_age';
export type RetentionAction = 'keep' | 'archive' | 'destroy';

export interface RetentionEntry {
  /** The identity the record is kept under (merged identities follow it). */
  patientId: string;
  /** Every identity of the record: this one and those merged into it. */
  members: string[];
  archived: boolean;
  /** The last consultation's date, or null when the patient was never seen in consultation. */
  lastConsultation: string | null;
  /** The date the period runs from: the last consultation, or else the last day of the record
   * (a visit, an appointment, the registration). */
  from: string;
  /** A minor (under 18) on `from`. */
  minor: boolean;
  /** Kept until this day included. */
  keepUntil: string;
  /** Which rule set keepUntil: the record period, or the minor's birthday, when it is later. */
  rule: RetentionRule;
  /** keep: within the period (or archived and no longer due, the policy changed); archive: past
   * the period and live; destroy: past the period and archived. */
  action: RetentionAction;
  /** The record's stops with no sync receipt at central: destruction is refused while any. */
  unreceipted: string[];
}

function rootOf(id: string, byId: ReadonlyMap<string, RetentionPatient>): string {
  const seen = new Set<string>();
  let at = id;
  for (;;) {
    const next = byId.get(at)?.mergedInto;
    if (!next || !byId.has(next) || seen.has(next)) return at;
    seen.add(at);
    at = next;
  }
}

/** The latest of ISO dates (they sort as text), or null. */
const latest = (dates: readonly string[]): string | null =>
  dates.length === 0 ? null : ([...dates].sort().at(-1) ?? null);

/** What retention says of each record on `today` (YYYY-MM-DD), in patient id order. */
export function retentionPlan(input: {
  patients: readonly RetentionPatient[];
  contacts: readonly RetentionContact[];
  /** Stops with a sync receipt at central. */
  receipted: ReadonlySet<string>;
  today: string;
  policy: RetentionPolicy;
}): RetentionEntry[] {
  const { policy, today } = input;
  const byId = new Map(input.patients.map((p) => [p.id, p]));
  const groups = new Map<string, RetentionPatient[]>();
  for (const p of input.patients) {
    const root = rootOf(p.id, byId);
    groups.set(root, [...(groups.get(root) ?? []), p]);
  }
  const contactsOf = new Map<string, RetentionContact[]>();
  for (const c of input.contacts) {
    if (!byId.has(c.patientId)) continue;
    const root = rootOf(c.patientId, byId);
    contactsOf.set(root, [...(contactsOf.get(root) ?? []), c]);
  }
  const entries: RetentionEntry[] = [];
  for (const [root, members] of groups) {
    const patient = byId.get(root)!;
    const contacts = contactsOf.get(root) ?? [];
    const lastConsultation = latest(contacts.filter((c) => c.consultation).map((c) => c.date));
    const from =
      lastConsultation ??
      latest([...contacts.map((c) => c.date), ...members.map((m) => m.registeredOn)])!;
    const minor = ageOn(patient.birthDate, from) < MAJORITY_AGE;
    const byPeriod = addYears(from, policy.recordYears);
    const byAge = minor ? addYears(patient.birthDate, policy.minorUntilAge) : null;
    const rule: RetentionRule = byAge && byAge > byPeriod ? 'minor_until_age' : 'record_period';
    const keepUntil = rule === 'minor_until_age' ? byAge! : byPeriod;
    const due = today > keepUntil;
    const action: RetentionAction = !due ? 'keep' : patient.archived ? 'destroy' : 'archive';
    const unreceipted = [
      ...new Set(
        contacts.flatMap((c) => (c.stopId && !input.receipted.has(c.stopId) ? [c.stopId] : [])),
      ),
    ].sort();
    entries.push({
      patientId: root,
      members: members.map((m) => m.id).sort(),
      archived: patient.archived,
      lastConsultation,
      from,
      minor,
      keepUntil,
      rule,
      action,
      unreceipted,
    });
  }
  return entries.sort((a, b) =>
    a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0,
  );
}

/** Why a destruction is refused for this entry, in French, or null when it may go ahead. */
export function destroyRefusal(entry: RetentionEntry): string | null {
  if (!entry.archived) {
    return 'Ce dossier n’est pas archivé : un dossier est d’abord archivé, puis détruit.';
  }
  if (entry.action !== 'destroy') {
    return 'Ce dossier est encore dans sa durée de conservation.';
  }
  if (entry.unreceipted.length > 0) {
    return `${entry.unreceipted.length} escale(s) de ce dossier sans reçu de synchronisation au central : rien n’est détruit tant qu’un appareil peut encore détenir ces journées.`;
  }
  return null;
}

/** The first day whose audit entries are kept: entries dated before it are due for purge. */
export function auditKeptFrom(today: string, policy: RetentionPolicy): string {
  return addYears(today, -policy.auditYears);
}

/** Audit rows (id, ISO `at`) past the audit period on `today`. */
export function auditDue(
  rows: readonly { id: string; at: string }[],
  today: string,
  policy: RetentionPolicy,
): string[] {
  const from = auditKeptFrom(today, policy);
  return rows.filter((r) => r.at.slice(0, 10) < from).map((r) => r.id);
}
