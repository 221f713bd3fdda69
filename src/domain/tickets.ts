// Ticket numbers: the only thing the waiting-room screen shows of a patient ('MG-007 → Box 2').
// Numbered per stop and per service prefix, from 1, three digits at least.
//
// Uniqueness under replication: tickets must stay short enough to call out loud, so a device
// suffix is not an option. Reception is normally one tablet per truck and takes the next number
// after the highest it sees; if two offline devices issue the same number, nothing is overwritten
// (they are two different queue entries) and the collision is detected from the replicated state
// by `duplicateTickets`, shown to reception, and resolved by a visible renumbering of the later
// issued entries (`renumberPlan`: UUIDv7 ids are time-ordered, the smallest id was issued first).
// A ticket therefore never silently points at two patients.
import type { QueueEntry } from './entities';

const TICKET = /^([A-Z]{1,4})-(\d{3,})$/;
const PREFIX = /^[A-Z]{1,4}$/;

export function formatTicket(prefix: string, n: number): string {
  if (!PREFIX.test(prefix)) {
    throw new RangeError(`Préfixe de ticket invalide : « ${prefix} » (1 à 4 majuscules)`);
  }
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`Numéro de ticket invalide : ${n} (entier à partir de 1)`);
  }
  return `${prefix}-${String(n).padStart(3, '0')}`;
}

export function parseTicket(ticket: string): { prefix: string; number: number } | null {
  const m = TICKET.exec(ticket);
  if (!m) return null;
  const number = Number(m[2]);
  if (!Number.isSafeInteger(number) || number < 1) return null;
  return { prefix: m[1]!, number };
}

/**
 * The next number after the highest ticket seen. Pass the tickets of one stop; with `prefix`, only
 * that service's tickets count (others are ignored, as are unreadable ones).
 */
export function nextTicketNumber(tickets: readonly string[], prefix?: string): number {
  let max = 0;
  for (const t of tickets) {
    const p = parseTicket(t);
    if (!p || (prefix !== undefined && p.prefix !== prefix)) continue;
    if (p.number > max) max = p.number;
  }
  return max + 1;
}

/** The next ticket for a service prefix at a stop, given that stop's entries. */
export function nextTicket(prefix: string, stopEntries: readonly Pick<QueueEntry, 'ticket'>[]) {
  return formatTicket(
    prefix,
    nextTicketNumber(
      stopEntries.map((e) => e.ticket),
      prefix,
    ),
  );
}

export interface TicketCollision {
  stopId: string;
  ticket: string;
  /** Visits holding the ticket, first issued first (the one that keeps it). */
  visitIds: string[];
  /** Entries holding the ticket, sorted by id. */
  entryIds: string[];
}

const visitOrder = (entries: readonly QueueEntry[]) => {
  const first = new Map<string, string>();
  for (const e of entries) {
    const seen = first.get(e.visitId);
    if (seen === undefined || e.id < seen) first.set(e.visitId, e.id);
  }
  return [...first.entries()]
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([v]) => v);
};

/**
 * Tickets held by more than one visit at the same stop. Every live entry counts, ended ones
 * included (the number was announced). Sorted by stop and ticket.
 */
export function duplicateTickets(entries: readonly QueueEntry[]): TicketCollision[] {
  const groups = new Map<string, QueueEntry[]>();
  for (const e of entries) {
    if (e._deleted) continue;
    const key = `${e.stopId}\u0000${e.ticket}`;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  const out: TicketCollision[] = [];
  for (const g of groups.values()) {
    const visitIds = visitOrder(g);
    if (visitIds.length < 2) continue;
    out.push({
      stopId: g[0]!.stopId,
      ticket: g[0]!.ticket,
      visitIds,
      entryIds: g.map((e) => e.id).sort(),
    });
  }
  return out.sort(
    (a, b) =>
      (a.stopId < b.stopId ? -1 : a.stopId > b.stopId ? 1 : 0) ||
      (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : 0),
  );
}

export interface Renumbering {
  entryId: string;
  from: string;
  to: string;
}

/**
 * New tickets for the later visits of every collision: the first issued visit keeps its number,
 * each other visit gets the next free number of that stop and prefix. Applying the plan leaves no
 * duplicate; it is a proposal for a visible reception action, never applied silently.
 */
export function renumberPlan(entries: readonly QueueEntry[]): Renumbering[] {
  const live = entries.filter((e) => !e._deleted);
  const next = new Map<string, number>();
  const plan: Renumbering[] = [];
  for (const c of duplicateTickets(live)) {
    const parsed = parseTicket(c.ticket);
    const prefix = parsed?.prefix ?? 'X';
    const key = `${c.stopId}\u0000${prefix}`;
    let n =
      next.get(key) ??
      nextTicketNumber(
        live.filter((e) => e.stopId === c.stopId).map((e) => e.ticket),
        prefix,
      );
    for (const visitId of c.visitIds.slice(1)) {
      const to = formatTicket(prefix, n++);
      for (const e of live) {
        if (e.stopId === c.stopId && e.visitId === visitId && e.ticket === c.ticket) {
          plan.push({ entryId: e.id, from: c.ticket, to });
        }
      }
    }
    next.set(key, n);
  }
  return plan;
}
