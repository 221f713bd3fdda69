// Reading the audit log (docs/design.md §6): the coordinator filters it by action, person, period
// and record. Pure: the screen passes the rows and the filter.
import type { AuditEvent } from './entities';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  /** Inclusive 'YYYY-MM-DD' bounds on the event's date (UTC date of `at`). */
  from?: string;
  to?: string;
  /** Part of the record id (entity id), of the detail text, or of what a person reads of it. */
  text?: string;
}

/**
 * The events matching `filter`, newest first. `readable` gives what a person reads of an event
 * (names, French action): the text filter searches it too, so a name typed finds its records.
 */
export function filterAudit(
  rows: readonly AuditEvent[],
  filter: AuditFilter,
  readable?: (event: AuditEvent) => string,
): AuditEvent[] {
  const text = filter.text?.trim().toLowerCase();
  return rows
    .filter((r) => !filter.action || r.action === filter.action)
    .filter((r) => !filter.actorId || r.actorId === filter.actorId)
    .filter((r) => !filter.from || r.at.slice(0, 10) >= filter.from)
    .filter((r) => !filter.to || r.at.slice(0, 10) <= filter.to)
    .filter(
      (r) =>
        !text ||
        (r.entityId ?? '').toLowerCase().includes(text) ||
        (r.detail ?? '').toLowerCase().includes(text) ||
        (readable?.(r) ?? '').toLowerCase().includes(text),
    )
    .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
}

/** The distinct actions present, sorted, for the filter's choices. */
export function auditActions(rows: readonly AuditEvent[]): string[] {
  return [...new Set(rows.map((r) => r.action))].sort();
}
