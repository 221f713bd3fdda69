// How long a device keeps the audit log (issue #21 item 4): the journal of who did what is kept
// for a set period — one year by default — and then, on a device, removed after a sync receipt
// like the day's patient data (the purge after a receipt): only what central holds goes. Pure;
// the device's purge (src/device/closure.ts) calls it and never re-implements it.
import { addDays, isIsoDate, localDate } from './time';

/** Days a device keeps an audit record by default: one year. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

export interface AuditRecordFacts {
  id: string;
  /** When the audited action happened (ISO instant). */
  at: string;
}

export interface AuditPurgeInput {
  /** The device's calendar day (Paris, 'YYYY-MM-DD'). */
  today: string;
  /** Days an audit record is kept (DEFAULT_AUDIT_RETENTION_DAYS unless set). */
  retentionDays: number;
  /** The device's audit records. */
  audit: readonly AuditRecordFacts[];
  /** The sync receipts on the device; one that excused this device does not count for it. */
  receipts: readonly { at: string; excused?: readonly { dev: string }[] }[];
  /** This device. */
  deviceId?: string;
  /** Ids of the audit records whose op still waits in the outbox (not yet held by central). */
  unsynced: ReadonlySet<string>;
}

export interface AuditPurgePlan {
  /** Ids of the audit records to remove. */
  remove: string[];
  /** Past the retention but still waiting: unsent, or no receipt made after them yet. */
  kept: { id: string; why: 'unsynced' | 'no_receipt' }[];
}

/** Whether an audit record of `at` is past the retention on `today`: its day plus the
 * retention is before today (a record of 3 December 2025 kept 365 days goes from 4 December
 * 2026 on). */
export function auditRecordExpired(at: string, today: string, retentionDays: number): boolean {
  if (!isIsoDate(today)) throw new RangeError(`Date invalide : « ${today} » (format AAAA-MM-JJ)`);
  if (!Number.isInteger(retentionDays) || retentionDays < 0) {
    throw new RangeError(`Durée de conservation invalide : ${retentionDays} jours.`);
  }
  return addDays(localDate(at), retentionDays) < today;
}

/**
 * The audit records a device removes: past the retention, sent (not in the outbox), and older
 * than a receipt this device may rely on (made after them: central had them when it proved a
 * day). Nothing goes without a receipt.
 */
export function auditPurgePlan(input: AuditPurgeInput): AuditPurgePlan {
  let newestReceipt: string | null = null;
  for (const r of input.receipts) {
    if (input.deviceId !== undefined && r.excused?.some((x) => x.dev === input.deviceId)) continue;
    if (newestReceipt === null || r.at > newestReceipt) newestReceipt = r.at;
  }
  const remove: string[] = [];
  const kept: AuditPurgePlan['kept'] = [];
  for (const record of input.audit) {
    if (!auditRecordExpired(record.at, input.today, input.retentionDays)) continue;
    if (input.unsynced.has(record.id)) kept.push({ id: record.id, why: 'unsynced' });
    else if (newestReceipt === null || Date.parse(newestReceipt) <= Date.parse(record.at)) {
      kept.push({ id: record.id, why: 'no_receipt' });
    } else remove.push(record.id);
  }
  return { remove, kept };
}
