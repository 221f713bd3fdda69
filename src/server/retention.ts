// Retention on central (docs/decisions/0019-retention.md): the server gathers the facts from its
// store, asks the pure rule (src/domain/retention.ts) what is due, and applies what the operator
// commands (`npm run admin -- retention-report | archive | restore | destroy | audit-purge`).
// Every change is audited with who ordered it and how many, never a name or clinical text.
import { ENTITY_NAMES } from '../domain/entities';
import {
  auditDue,
  destroyRefusal,
  parseRetentionPolicy,
  RECORD_REFS,
  type RetentionContact,
  type RetentionEntry,
  type RetentionPatient,
  type RetentionPolicy,
  recordRows,
  retentionPlan,
  retentionPolicySchema,
  rowKey,
} from '../domain/retention';
import { recordServerAudit } from './audit';
import type { RetentionCount, RetiredRecord, RowRef, SyncStore } from './store/types';

/** Meta key of an organisation's retention policy (JSON; absent: the defaults). */
export const retentionPolicyKey = (org: string) => `retention:policy:${org}`;

/** The audit rows of retention name this as the device that acted: the operator's console. */
export const ADMIN_DEVICE = 'admin';

export async function retentionPolicy(store: SyncStore, org: string): Promise<RetentionPolicy> {
  return parseRetentionPolicy(await store.getMeta(retentionPolicyKey(org)));
}

type Row = { e: string; id: string; value: Record<string, unknown> };

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const dateOf = (v: unknown): string | null => str(v)?.slice(0, 10) ?? null;

/** Everything retention looks at, live and archived. */
async function gather(store: SyncStore, org: string) {
  const live: Row[] = [];
  for (const e of ENTITY_NAMES) {
    for (const value of await store.rows(org, e)) live.push({ e, id: String(value.id), value });
  }
  const archived = await store.archivedRows(org);
  const retired = await store.retiredRecords(org);
  return { live, archived, retired };
}

export interface RetentionReport {
  policy: RetentionPolicy;
  today: string;
  entries: RetentionEntry[];
  retired: RetiredRecord[];
  /** Audit rows past the audit period. */
  auditDue: string[];
}

function planOf(
  facts: Awaited<ReturnType<typeof gather>>,
  policy: RetentionPolicy,
  today: string,
): RetentionEntry[] {
  const all = [...facts.live, ...facts.archived];
  const archivedRecords = new Set(
    facts.retired.filter((r) => r.status === 'archived').map((r) => r.patient),
  );
  const stops = new Map(
    facts.live.filter((r) => r.e === 'stop').map((r) => [r.id, dateOf(r.value.date)]),
  );
  const patients: RetentionPatient[] = all
    .filter((r) => r.e === 'patient')
    .map((r) => ({
      id: r.id,
      birthDate: dateOf(r.value.birthDate) ?? '1900-01-01',
      registeredOn: dateOf(r.value.createdAt) ?? '1900-01-01',
      mergedInto: str(r.value.mergedInto),
      archived: archivedRecords.has(r.id),
    }));
  const contacts: RetentionContact[] = all.flatMap((r) => {
    if (r.value._deleted === true) return [];
    const kind = r.e;
    if (kind !== 'consultation' && kind !== 'visit' && kind !== 'appointment') return [];
    const patientId = str(r.value.patientId);
    const stopId = str(r.value.stopId);
    const date =
      (stopId ? stops.get(stopId) : null) ?? dateOf(r.value.createdAt) ?? dateOf(r.value.arrivedAt);
    if (!patientId || !date) return [];
    return [{ patientId, date, stopId, consultation: kind === 'consultation' }];
  });
  const receipted = new Set(
    facts.live.filter((r) => r.e === 'syncReceipt').flatMap((r) => str(r.value.stopId) ?? []),
  );
  return retentionPlan({ patients, contacts, receipted, today, policy });
}

/** What is due on `today`: nothing changes. */
export async function retentionReport(
  store: SyncStore,
  org: string,
  today: string,
): Promise<RetentionReport> {
  const policy = await retentionPolicy(store, org);
  const facts = await gather(store, org);
  const audits = facts.live
    .filter((r) => r.e === 'audit')
    .map((r) => ({ id: r.id, at: String(r.value.at ?? '') }));
  return {
    policy,
    today,
    entries: planOf(facts, policy, today),
    retired: facts.retired,
    auditDue: auditDue(audits, today, policy),
  };
}

/** The person who orders a retention change: an active coordinator of the organisation. */
export async function orderedBy(store: SyncStore, org: string, staffId: string): Promise<void> {
  const [staff] = await store.rowsByIds(org, 'staff', [staffId]);
  const roles = Array.isArray(staff?.roles) ? (staff.roles as string[]) : [];
  if (!staff || staff.active === false || !roles.includes('coordinateur')) {
    throw new Error(
      'Seul un coordinateur actif de l’organisation peut ordonner un archivage, une restauration ou une destruction (--by : son identifiant).',
    );
  }
}

async function audit(
  store: SyncStore,
  org: string,
  by: string,
  action: string,
  detail: string,
  now: number,
) {
  await recordServerAudit(
    store,
    org,
    { deviceId: ADMIN_DEVICE, actorId: by, action, entity: 'patient', entityId: null, detail },
    now,
  );
}

const counted = (records: number, c: RetentionCount) =>
  `records=${records};rows=${c.rows};ops=${c.ops}`;

const add = (a: RetentionCount, b: RetentionCount): RetentionCount => ({
  rows: a.rows + b.rows,
  ops: a.ops + b.ops,
});

/** Archives every record past its period; returns what moved. Audited. */
export async function archiveDue(
  store: SyncStore,
  org: string,
  options: { by: string; now: number },
): Promise<{ records: string[]; count: RetentionCount }> {
  await orderedBy(store, org, options.by);
  const today = new Date(options.now).toISOString().slice(0, 10);
  const policy = await retentionPolicy(store, org);
  const facts = await gather(store, org);
  const due = planOf(facts, policy, today).filter((e) => e.action === 'archive');
  let count: RetentionCount = { rows: 0, ops: 0 };
  const owner = new Map<string, string>();
  for (const entry of due) {
    const rows = recordRows(entry.members, facts.live);
    for (const r of rows) owner.set(rowKey(r.e, r.id), entry.patientId);
    count = add(count, await store.archiveRecord(org, entry.patientId, rows));
  }
  // A row a device wrote between the read above and its record's archive, tied to it, follows
  // it (later ones are filed by the store itself).
  const late = new Map<string, RowRef[]>();
  if (due.length > 0) {
    const rest = (await gather(store, org)).live.filter((r) => r.e !== 'audit');
    for (let grown = true; grown; ) {
      grown = false;
      for (const row of rest) {
        if (owner.has(rowKey(row.e, row.id))) continue;
        const patient = Object.entries(RECORD_REFS)
          .map(([field, target]) => {
            const ref = row.value[field];
            return typeof ref === 'string' ? owner.get(rowKey(target, ref)) : undefined;
          })
          .find((p) => p !== undefined);
        if (!patient) continue;
        owner.set(rowKey(row.e, row.id), patient);
        late.set(patient, [...(late.get(patient) ?? []), { e: row.e, id: row.id }]);
        grown = true;
      }
    }
  }
  for (const [patient, rows] of late) {
    count = add(count, await store.archiveRecord(org, patient, rows));
  }
  await audit(store, org, options.by, 'retention.archive', counted(due.length, count), options.now);
  return { records: due.map((e) => e.patientId), count };
}

/** Puts an archived record back in the log and the rows. Audited. */
export async function restoreArchived(
  store: SyncStore,
  org: string,
  patient: string,
  options: { by: string; now: number },
): Promise<RetentionCount> {
  await orderedBy(store, org, options.by);
  const count = await store.restoreRecord(org, patient);
  await audit(store, org, options.by, 'retention.restore', counted(1, count), options.now);
  return count;
}

/**
 * Destroys the archived records past their period (or only `patient`), never one with a day
 * that has no sync receipt at central: those are refused, each with why. Needs `confirm`.
 * Audited with the counts of what was destroyed and refused.
 */
export async function destroyDue(
  store: SyncStore,
  org: string,
  options: { by: string; now: number; confirm: boolean; patient?: string },
): Promise<{
  destroyed: string[];
  refused: { patient: string; why: string }[];
  count: RetentionCount;
}> {
  if (!options.confirm) {
    throw new Error(
      'La destruction est définitive : relancez avec --confirm après avoir lu retention-report.',
    );
  }
  await orderedBy(store, org, options.by);
  const today = new Date(options.now).toISOString().slice(0, 10);
  const policy = await retentionPolicy(store, org);
  const plan = planOf(await gather(store, org), policy, today);
  const asked = options.patient
    ? plan.filter((e) => e.patientId === options.patient || e.members.includes(options.patient!))
    : plan.filter((e) => e.action === 'destroy');
  if (options.patient && asked.length === 0) {
    throw new Error('Dossier inconnu de ce serveur (ou déjà détruit).');
  }
  const destroyed: string[] = [];
  const refused: { patient: string; why: string }[] = [];
  let count: RetentionCount = { rows: 0, ops: 0 };
  for (const entry of asked) {
    const why = destroyRefusal(entry);
    if (why) {
      refused.push({ patient: entry.patientId, why });
      continue;
    }
    count = add(count, await store.destroyRecord(org, entry.patientId));
    destroyed.push(entry.patientId);
  }
  await audit(
    store,
    org,
    options.by,
    'retention.destroy',
    `${counted(destroyed.length, count)};refused=${refused.length}`,
    options.now,
  );
  return { destroyed, refused, count };
}

/** Deletes central's audit rows past the audit period. Audited (this entry is kept its period). */
export async function purgeAudit(
  store: SyncStore,
  org: string,
  options: { by: string; now: number },
): Promise<RetentionCount> {
  await orderedBy(store, org, options.by);
  const today = new Date(options.now).toISOString().slice(0, 10);
  const { auditDue: due } = await retentionReport(store, org, today);
  const count = await store.destroyRows(
    org,
    due.map((id) => ({ e: 'audit', id })),
  );
  await recordServerAudit(
    store,
    org,
    {
      deviceId: ADMIN_DEVICE,
      actorId: options.by,
      action: 'retention.audit_purge',
      entity: 'audit',
      entityId: null,
      detail: `rows=${count.rows};ops=${count.ops}`,
    },
    options.now,
  );
  return count;
}

/** Sets an organisation's policy (the fields given; the others stay). Audited. */
export async function setRetentionPolicy(
  store: SyncStore,
  org: string,
  change: Partial<RetentionPolicy>,
  options: { by: string; now: number },
): Promise<RetentionPolicy> {
  await orderedBy(store, org, options.by);
  const policy = retentionPolicySchema.parse({ ...(await retentionPolicy(store, org)), ...change });
  await store.setMeta(retentionPolicyKey(org), JSON.stringify(policy));
  await recordServerAudit(
    store,
    org,
    {
      deviceId: ADMIN_DEVICE,
      actorId: options.by,
      action: 'retention.policy',
      entity: null,
      entityId: null,
      detail: `recordYears=${policy.recordYears};minorUntilAge=${policy.minorUntilAge};auditYears=${policy.auditYears}`,
    },
    options.now,
  );
  return policy;
}
