// How the waiting-room board fits one screen that nobody scrolls (docs/guide/affichage.md): the
// latest call large, a few earlier calls beside it, then one column per service whose tickets are
// shown a page at a time, the pages turning by themselves. Pure: the viewport's size and a tick
// count go in, what to draw comes out, so the fit is tested without a browser.
import { parseTicket } from '../../domain/tickets';
import type { CalledTicket, ServiceTickets } from './display-model';

/** Earlier calls shown beside the latest one (four rooms call at most four at once). */
export const EARLIER_CALLS = 4;
/** Rows of tickets in a service column; the CSS gives the ticket area 40 % of the height. */
export const TICKET_ROWS = 5;
/** Share of the viewport's height the ticket rows of a column take (styles.css, .display). */
export const TICKET_AREA = 0.4;
/** Seconds a page of tickets stays before the next one. */
export const PAGE_SECONDS = 8;

/**
 * Advance of a character of the board's bold font, in em: DejaVu Sans Bold, Debian's default,
 * averages 0.72 em over « MG-006 »; narrower fonts only leave more room.
 */
const CHAR_EM = 0.72;
/** Horizontal room around a ticket, in em (the gap between cells, styles.css). */
const TICKET_PAD_EM = 0.5;
/**
 * Width of a service column's ticket area: the screen's share less what styles.css puts around
 * it — the page's padding (1vw each side) and the gaps between columns (1vw) shared out, the
 * column's padding (0.8vw each side) and its borders (2 px each side).
 */
export function columnWidth(width: number, columns: number): number {
  const n = Math.max(1, columns);
  return width / n - (width * (0.02 + 0.01 * (n - 1))) / n - width * 0.016 - 4;
}
/** Largest ticket: 70 % of its row. */
const ROW_FILL = 0.7;
/** Smallest ticket, as a share of the height: 43 px on 1080 lines, about 1.5 cm on 40 inches. */
const MIN_FONT = 0.04;

/** The figures above, for the specifications that check a board fits. */
export const BOARD_METRICS = { CHAR_EM, TICKET_PAD_EM, ROW_FILL, MIN_FONT } as const;

export interface Viewport {
  width: number;
  height: number;
}

export interface TicketGrid {
  /** Tickets side by side in a column. */
  perRow: number;
  rows: number;
  /** Tickets a column shows at once. */
  capacity: number;
  /** Font size of a ticket, in CSS pixels. */
  fontPx: number;
  /** Height of a row of tickets, in CSS pixels. */
  rowPx: number;
}

/**
 * The ticket grid of the service columns: tickets as large as a row allows while the fullest
 * column fits one page; more tickets side by side (never below MIN_FONT) when it does not, and
 * pages beyond that. `longestTicket` is in characters.
 */
export function ticketGrid(
  viewport: Viewport,
  columns: number,
  fullest: number,
  longestTicket = 6,
): TicketGrid {
  const columnPx = Math.max(1, columnWidth(viewport.width, columns));
  const rowPx = (viewport.height * TICKET_AREA) / TICKET_ROWS;
  const ticketEm = Math.max(1, longestTicket) * CHAR_EM + TICKET_PAD_EM;
  const largest = rowPx * ROW_FILL;
  const atLargest = Math.max(1, Math.floor(columnPx / (largest * ticketEm)));
  const atSmallest = Math.max(1, Math.floor(columnPx / (viewport.height * MIN_FONT * ticketEm)));
  const needed = Math.ceil(fullest / TICKET_ROWS);
  const perRow = Math.max(atLargest, Math.min(needed, atSmallest));
  const fontPx = Math.min(largest, columnPx / (perRow * ticketEm));
  return { perRow, rows: TICKET_ROWS, capacity: perRow * TICKET_ROWS, fontPx, rowPx };
}

export interface ServiceColumn {
  serviceId: string;
  label: string;
  /** Everyone waiting for the service, whatever page shows. */
  total: number;
  /** The tickets on screen now. */
  tickets: string[];
  /** 1-based page shown, and how many pages the column has. */
  page: number;
  pages: number;
}

export interface Board {
  latest: CalledTicket | null;
  earlier: CalledTicket[];
  grid: TicketGrid;
  columns: ServiceColumn[];
}

/**
 * What the screen draws at `tick` (one tick per PAGE_SECONDS): each column shows the page the
 * tick falls on, so a service with more tickets than a column holds shows them all in turn.
 */
export function board(
  model: { called: readonly CalledTicket[]; waiting: readonly ServiceTickets[] },
  viewport: Viewport,
  tick: number,
): Board {
  const longest = Math.max(6, ...model.waiting.flatMap((s) => s.tickets.map((t) => t.length)));
  const fullest = Math.max(0, ...model.waiting.map((s) => s.tickets.length));
  const grid = ticketGrid(viewport, model.waiting.length, fullest, longest);
  const columns = model.waiting.map((s) => {
    const pages = Math.max(1, Math.ceil(s.tickets.length / grid.capacity));
    const index = ((tick % pages) + pages) % pages;
    return {
      serviceId: s.serviceId,
      label: s.label,
      total: s.tickets.length,
      tickets: s.tickets.slice(index * grid.capacity, (index + 1) * grid.capacity),
      page: index + 1,
      pages,
    };
  });
  return {
    latest: model.called[0] ?? null,
    earlier: model.called.slice(1, 1 + EARLIER_CALLS),
    grid,
    columns,
  };
}

/** A call is announced once: a ticket called again (a new calledAt) is a new call. */
export function callKey(call: CalledTicket): string {
  return `${call.ticket}\u0000${call.calledAt ?? ''}`;
}

/** Calls not yet announced, oldest first (the order they are read out). */
export function newCalls(
  announced: ReadonlySet<string>,
  called: readonly CalledTicket[],
): CalledTicket[] {
  return called.filter((c) => !announced.has(callKey(c))).reverse();
}

/**
 * A ticket as it is said aloud: « MG 6 » for MG-006 — the prefix's letters and the number
 * without its zeros, which a speech synthesiser would otherwise read as « zéro zéro six ».
 */
export function spokenTicket(ticket: string): string {
  const parsed = parseTicket(ticket);
  return parsed ? `${parsed.prefix} ${parsed.number}` : ticket;
}
