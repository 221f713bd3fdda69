// The waiting-room board fits one screen nobody scrolls: what shows on each page of a service
// column, how large the tickets are, which calls are announced and how a ticket is said aloud.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOARD_METRICS,
  board,
  callKey,
  columnWidth,
  EARLIER_CALLS,
  newCalls,
  spokenTicket,
  TICKET_AREA,
  ticketGrid,
  type Viewport,
} from '../../src/ui/display/board';
import type { CalledTicket, ServiceTickets } from '../../src/ui/display/display-model';

const FULL_HD: Viewport = { width: 1920, height: 1080 };
const LAPTOP: Viewport = { width: 1366, height: 768 };

function tickets(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
}

/** A busy morning: 30 waiting across four services, most of them for general practice. */
const MORNING: ServiceTickets[] = [
  { serviceId: 'mg', label: 'Médecine générale', tickets: tickets('MG', 15) },
  { serviceId: 'de', label: 'Dentiste', tickets: tickets('DE', 6) },
  { serviceId: 'sf', label: 'Sage-femme', tickets: tickets('SF', 5) },
  { serviceId: 'dp', label: 'Dépistage et prévention', tickets: tickets('DP', 4) },
];

/** Every ticket each column shows over its pages (tick n shows page n of a column), in order. */
function allPages(model: { called: CalledTicket[]; waiting: ServiceTickets[] }, v: Viewport) {
  const seen = new Map<string, string[]>();
  board(model, v, 0).columns.forEach((column, i) => {
    const shown: string[] = [];
    for (let tick = 0; tick < column.pages; tick++) {
      shown.push(...board(model, v, tick).columns[i]!.tickets);
    }
    seen.set(column.serviceId, shown);
  });
  return seen;
}

/** Width a row of the grid needs, by the same measure the board uses. */
function rowWidth(perRow: number, fontPx: number, chars: number): number {
  return perRow * fontPx * (chars * BOARD_METRICS.CHAR_EM + BOARD_METRICS.TICKET_PAD_EM);
}

describe('the ticket grid of the service columns', () => {
  it.each([
    ['1920×1080', FULL_HD],
    ['1366×768', LAPTOP],
  ])(
    'shows 30 waiting tickets in four services on %s in two pages at most, no ticket smaller than 4 % of the height',
    (_, v) => {
      const b = board({ called: [], waiting: MORNING }, v, 0);
      expect(b.grid.perRow).toBe(2);
      expect(b.grid.capacity).toBe(10);
      expect(b.grid.fontPx).toBeGreaterThanOrEqual(v.height * BOARD_METRICS.MIN_FONT);
      expect(b.columns.map((c) => [c.label, c.total, c.tickets.length, c.pages])).toEqual([
        ['Médecine générale', 15, 10, 2],
        ['Dentiste', 6, 6, 1],
        ['Sage-femme', 5, 5, 1],
        ['Dépistage et prévention', 4, 4, 1],
      ]);
      const second = board({ called: [], waiting: MORNING }, v, 1);
      expect(second.columns[0]!.tickets).toEqual(tickets('MG', 15).slice(10));
      expect(second.columns[0]!.page).toBe(2);
      // A column with one page keeps it.
      expect(second.columns[1]!.tickets).toEqual(tickets('DE', 6));
    },
  );

  it('keeps tickets as large as a row allows while they fit one page', () => {
    const few = board(
      { called: [], waiting: [{ serviceId: 'mg', label: 'MG', tickets: tickets('MG', 3) }] },
      FULL_HD,
      0,
    );
    expect(few.grid.fontPx).toBeCloseTo(
      ((FULL_HD.height * TICKET_AREA) / few.grid.rows) * BOARD_METRICS.ROW_FILL,
    );
    expect(few.columns[0]!.pages).toBe(1);
  });

  it('fits any number of services and tickets within the screen, each ticket on some page', () => {
    const service = fc.record({
      prefix: fc.stringMatching(/^[A-Z]{1,4}$/),
      count: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(service, { minLength: 1, maxLength: 8, selector: (s) => s.prefix }),
        fc.constantFrom(
          FULL_HD,
          LAPTOP,
          { width: 1024, height: 768 },
          { width: 3840, height: 2160 },
        ),
        (services, v) => {
          const waiting = services.map((s) => ({
            serviceId: s.prefix,
            label: s.prefix,
            tickets: tickets(s.prefix, s.count),
          }));
          const model = { called: [], waiting };
          const b = board(model, v, 0);
          const longest = Math.max(...waiting.flatMap((s) => s.tickets.map((t) => t.length)));
          const columnPx = columnWidth(v.width, waiting.length);
          // Side by side, the tickets fit their column; stacked, the rows fit their share.
          expect(rowWidth(b.grid.perRow, b.grid.fontPx, longest)).toBeLessThanOrEqual(
            Math.max(columnPx, 1) + 1e-6,
          );
          expect(b.grid.rows * b.grid.rowPx).toBeLessThanOrEqual(v.height * TICKET_AREA + 1e-6);
          expect(b.grid.fontPx).toBeLessThanOrEqual(b.grid.rowPx);
          for (const c of b.columns) expect(c.tickets.length).toBeLessThanOrEqual(b.grid.capacity);
          // Turning the pages shows every waiting ticket once, in queue order.
          const shown = allPages(model, v);
          for (const s of waiting) expect(shown.get(s.serviceId)).toEqual(s.tickets);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the calls', () => {
  const call = (ticket: string, minute: number, roomName: string | null = 'Box 1') => ({
    ticket,
    roomName,
    calledAt: `2026-11-23T09:${String(minute).padStart(2, '0')}:00.000Z`,
  });

  it('puts the latest call first and a few earlier ones beside it', () => {
    const called = [call('MG-009', 50), call('DE-002', 45), call('MG-007', 40)];
    const b = board({ called, waiting: [] }, FULL_HD, 0);
    expect(b.latest).toEqual(called[0]);
    expect(b.earlier).toEqual(called.slice(1));
    const many = Array.from({ length: 9 }, (_, i) => call(`MG-00${9 - i}`, 50 - i));
    expect(board({ called: many, waiting: [] }, FULL_HD, 0).earlier).toHaveLength(EARLIER_CALLS);
  });

  it('announces each call once, oldest first, and a ticket called again anew', () => {
    const first = [call('MG-002', 41), call('MG-001', 40)];
    expect(newCalls(new Set(), first).map((c) => c.ticket)).toEqual(['MG-001', 'MG-002']);
    const announced = new Set(first.map(callKey));
    expect(newCalls(announced, first)).toEqual([]);
    const recalled = [call('MG-001', 47), call('MG-002', 41)];
    expect(newCalls(announced, recalled).map((c) => c.calledAt)).toEqual([recalled[0]!.calledAt]);
  });

  it('never announces a call twice, whatever the order calls arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }), { maxLength: 8 }),
        (rounds) => {
          const announced = new Set<string>();
          const said: string[] = [];
          for (const minutes of rounds) {
            const called = [...new Set(minutes)].map((m) =>
              call(`MG-${String(m + 1).padStart(3, '0')}`, m),
            );
            for (const c of newCalls(announced, called)) {
              said.push(callKey(c));
              announced.add(callKey(c));
            }
          }
          expect(new Set(said).size).toBe(said.length);
        },
      ),
    );
  });

  it('says a ticket the way it is called out: letters, then the number without its zeros', () => {
    expect(spokenTicket('MG-006')).toBe('MG 6');
    expect(spokenTicket('DENT-120')).toBe('DENT 120');
    expect(spokenTicket('MG-1000')).toBe('MG 1000');
    // Not a ticket of ours: said as it is written.
    expect(spokenTicket('X')).toBe('X');
  });
});

describe('ticketGrid', () => {
  it('shrinks tickets only when a single one would not fit its column', () => {
    const narrow = ticketGrid({ width: 800, height: 1080 }, 8, 1);
    expect(narrow.perRow).toBe(1);
    expect(rowWidth(1, narrow.fontPx, 6)).toBeLessThanOrEqual(columnWidth(800, 8) + 1e-6);
  });
});
