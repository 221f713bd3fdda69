import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src/domain/entities';
import { ENTITY_SPECS } from '../../src/domain/entities';
import {
  duplicateTickets,
  formatTicket,
  nextTicket,
  nextTicketNumber,
  parseTicket,
  renumberPlan,
} from '../../src/domain/tickets';

const entry = (id: string, visitId: string, ticket: string, stopId = 'stop'): QueueEntry => ({
  id,
  orgId: 'org',
  visitId,
  stopId,
  serviceId: 'mg',
  position: 0,
  ticket,
  status: { status: 'waiting', epoch: 0, rank: 0 },
  roomId: null,
  practitionerId: null,
  calledAt: null,
  startedAt: null,
  endedAt: null,
  comingFromRoomId: null,
  endReason: null,
});

const ticketSchema = ENTITY_SPECS.queueEntry.fields.ticket!.schema;

describe('ticket format', () => {
  it('pads to three digits and grows beyond', () => {
    expect(formatTicket('MG', 7)).toBe('MG-007');
    expect(formatTicket('AS', 42)).toBe('AS-042');
    expect(formatTicket('DE', 1234)).toBe('DE-1234');
  });

  it('refuses bad prefixes and numbers in French', () => {
    expect(() => formatTicket('mg', 1)).toThrow(/Préfixe de ticket invalide/);
    expect(() => formatTicket('MG', 0)).toThrow(/Numéro de ticket invalide/);
    expect(() => formatTicket('MG', 1.5)).toThrow(RangeError);
  });

  it('parses what it formats and matches the replicated schema', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{1,4}$/),
        fc.integer({ min: 1, max: 1_000_000 }),
        (prefix, n) => {
          const t = formatTicket(prefix, n);
          expect(parseTicket(t)).toEqual({ prefix, number: n });
          expect(ticketSchema.safeParse(t).success).toBe(true);
        },
      ),
    );
    expect(parseTicket('MG-7')).toBeNull();
    expect(parseTicket('MG007')).toBeNull();
    expect(parseTicket('MG-000')).toBeNull();
  });
});

describe('next ticket number', () => {
  it('follows the highest number of that service at the stop', () => {
    expect(nextTicketNumber([])).toBe(1);
    expect(nextTicketNumber(['MG-001', 'MG-003', 'AS-009'], 'MG')).toBe(4);
    expect(nextTicketNumber(['MG-001', 'AS-009'], 'AS')).toBe(10);
    expect(nextTicketNumber(['n’importe quoi', 'MG-002'], 'MG')).toBe(3);
    expect(nextTicket('MG', [entry('a', 'v1', 'MG-006')])).toBe('MG-007');
  });

  it('is never already taken', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 })), (numbers) => {
        const tickets = numbers.map((n) => formatTicket('MG', n));
        expect(tickets).not.toContain(formatTicket('MG', nextTicketNumber(tickets, 'MG')));
      }),
    );
  });
});

describe('tickets issued twice by offline devices', () => {
  it('detects two visits holding one ticket at a stop, oldest first', () => {
    const entries = [
      entry('0190-b', 'visit-b', 'MG-007'),
      entry('0190-a', 'visit-a', 'MG-007'),
      entry('0190-c', 'visit-c', 'MG-008'),
      entry('0190-d', 'visit-d', 'MG-007', 'other-stop'),
    ];
    expect(duplicateTickets(entries)).toEqual([
      {
        stopId: 'stop',
        ticket: 'MG-007',
        visitIds: ['visit-a', 'visit-b'],
        entryIds: ['0190-a', '0190-b'],
      },
    ]);
  });

  it('ignores deleted entries', () => {
    const entries = [
      entry('a', 'visit-a', 'MG-007'),
      { ...entry('b', 'visit-b', 'MG-007'), _deleted: true },
    ];
    expect(duplicateTickets(entries)).toEqual([]);
  });

  it('proposes new numbers for the later visits only', () => {
    const entries = [
      entry('a', 'visit-a', 'MG-007'),
      entry('b', 'visit-b', 'MG-007'),
      entry('c', 'visit-c', 'MG-007'),
      entry('d', 'visit-d', 'MG-009'),
    ];
    expect(renumberPlan(entries)).toEqual([
      { entryId: 'b', from: 'MG-007', to: 'MG-010' },
      { entryId: 'c', from: 'MG-007', to: 'MG-011' },
    ]);
  });

  it('after renumbering, no ticket points at two visits and the first issued keeps its number', () => {
    const arb = fc.array(
      fc.record({
        visit: fc.integer({ min: 0, max: 8 }),
        n: fc.integer({ min: 1, max: 5 }),
        stop: fc.constantFrom('s1', 's2'),
        prefix: fc.constantFrom('MG', 'AS'),
      }),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const entries = rows.map((r, i) =>
          entry(
            `e${String(i).padStart(3, '0')}`,
            `${r.stop}-v${r.visit}`,
            formatTicket(r.prefix, r.n),
            r.stop,
          ),
        );
        const plan = renumberPlan(entries);
        const renamed = new Map(plan.map((p) => [p.entryId, p.to]));
        const after = entries.map((e) => ({ ...e, ticket: renamed.get(e.id) ?? e.ticket }));
        expect(duplicateTickets(after)).toEqual([]);
        for (const c of duplicateTickets(entries)) {
          const keeper = c.visitIds[0]!;
          for (const e of entries.filter((x) => x.visitId === keeper && x.ticket === c.ticket)) {
            expect(renamed.has(e.id)).toBe(false);
          }
        }
      }),
    );
  });
});
