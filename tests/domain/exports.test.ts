// Exports: CSV cells a spreadsheet can never run as formulas, and the period's indicators as
// rows. The research extract: tests/domain/research.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, indicatorRows, toCsv } from '../../src/domain/exports';
import { computeIndicators } from '../../src/domain/indicators';
import { buildDemoDataset } from '../../src/server/seed/demo';

const TODAY = '2026-11-30';
const { data } = buildDemoDataset({ today: TODAY });

describe('a CSV cell', () => {
  it.each(['=SUM(A1)', '+33 6', '-2+3', '@cmd', '\tx', '\r=1'])(
    'neutralises %j, which a spreadsheet would read as a formula',
    (text) => {
      const cell = csvCell(text);
      expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    },
  );

  it('quotes separators, quotes and line breaks, and leaves plain text and numbers alone', () => {
    expect(csvCell('Mamers')).toBe('Mamers');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('dit "oui"')).toBe('"dit ""oui"""');
    expect(csvCell('ligne\nsuite')).toBe('"ligne\nsuite"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('oui');
  });

  it('never starts with a formula character whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cell = csvCell(text).replace(/^"/, '');
        return !/^[=+\-@\t\r]/.test(cell);
      }),
    );
  });

  it('makes lines separated by CRLF with a header', () => {
    expect(toCsv(['a', 'b'], [[1, '=x']])).toBe("a;b\r\n1;'=x\r\n");
  });
});

describe('the indicators export', () => {
  it('gives one line per figure, with the period and the totals', () => {
    const ind = computeIndicators({
      stops: data.stop,
      visits: data.visit,
      queueEntries: data.queueEntry,
      consultations: data.consultation,
      appointments: data.appointment,
      patients: data.patient,
      rosterSlots: data.rosterSlot,
      rooms: data.room,
      services: data.service,
      period: { from: '2026-11-01', to: TODAY },
    });
    const rows = indicatorRows(ind);
    expect(rows).toContainEqual(['période', 'du', '2026-11-01']);
    expect(rows).toContainEqual(['totaux', 'consultations', ind.totals.consultations]);
    expect(ind.totals.consultations).toBeGreaterThan(0);
  });
});
