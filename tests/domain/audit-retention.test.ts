// How long a device keeps the audit log: one year by default, then removed after a receipt made
// after the record, never while its op waits in the outbox, never without a receipt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditPurgePlan,
  auditRecordExpired,
  DEFAULT_AUDIT_RETENTION_DAYS,
} from '../../src/domain/audit-retention';

const TODAY = '2026-12-04';
const receipt = (at: string, excused?: string[]) => ({
  at,
  ...(excused ? { excused: excused.map((dev) => ({ dev })) } : {}),
});

describe('the audit retention', () => {
  it('is one year by default', () => {
    expect(DEFAULT_AUDIT_RETENTION_DAYS).toBe(365);
  });

  it('lets a record go once its day plus the retention is before today (Paris days)', () => {
    // 3 December 2025 + 365 days = 3 December 2026: past on the 4th, not on the 3rd.
    expect(auditRecordExpired('2025-12-03T10:00:00.000Z', '2026-12-04', 365)).toBe(true);
    expect(auditRecordExpired('2025-12-03T10:00:00.000Z', '2026-12-03', 365)).toBe(false);
    expect(auditRecordExpired('2025-12-04T10:00:00.000Z', '2026-12-04', 365)).toBe(false);
    // 23:30 UTC on 3 December is already the 4th in Paris.
    expect(auditRecordExpired('2025-12-03T23:30:00.000Z', '2026-12-04', 365)).toBe(false);
  });

  it('refuses a day or a retention it cannot read, in French', () => {
    expect(() => auditRecordExpired('2025-12-03T10:00:00.000Z', '04/12/2026', 365)).toThrow(
      /Date invalide/,
    );
    expect(() => auditRecordExpired('2025-12-03T10:00:00.000Z', TODAY, -1)).toThrow(
      /Durée de conservation invalide/,
    );
  });

  it('removes records past the retention that central holds, after a receipt made after them', () => {
    const plan = auditPurgePlan({
      today: TODAY,
      retentionDays: 365,
      audit: [
        { id: 'old-sent', at: '2025-11-02T09:00:00.000Z' },
        { id: 'old-unsent', at: '2025-11-02T09:05:00.000Z' },
        { id: 'recent', at: '2026-11-30T09:00:00.000Z' },
      ],
      receipts: [receipt('2026-11-30T18:00:00.000Z')],
      deviceId: 'box-1',
      unsynced: new Set(['old-unsent']),
    });
    expect(plan.remove).toEqual(['old-sent']);
    expect(plan.kept).toEqual([{ id: 'old-unsent', why: 'unsynced' }]);
  });

  it('removes nothing without a receipt, nor with one that excused this device', () => {
    const input = {
      today: TODAY,
      retentionDays: 365,
      audit: [{ id: 'old', at: '2025-01-02T09:00:00.000Z' }],
      deviceId: 'box-1',
      unsynced: new Set<string>(),
    };
    expect(auditPurgePlan({ ...input, receipts: [] }).remove).toEqual([]);
    const excused = auditPurgePlan({
      ...input,
      receipts: [receipt('2026-11-30T18:00:00.000Z', ['box-1'])],
    });
    expect(excused.remove).toEqual([]);
    expect(excused.kept).toEqual([{ id: 'old', why: 'no_receipt' }]);
    // A receipt older than the record does not prove central had it.
    const before = auditPurgePlan({ ...input, receipts: [receipt('2024-12-31T18:00:00.000Z')] });
    expect(before.remove).toEqual([]);
  });

  const day = fc
    .integer({ min: 0, max: 3 * 365 })
    .map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  const instant = fc
    .integer({ min: 0, max: 3 * 365 * 24 * 60 })
    .map((m) => new Date(Date.UTC(2024, 0, 1) + m * 60_000).toISOString());
  const records = fc.uniqueArray(fc.record({ id: fc.uuid(), at: instant }), {
    selector: (r) => r.id,
    maxLength: 30,
  });

  it('never removes a record within the retention, unsent, or not older than a receipt (property)', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 800 }),
        records,
        fc.array(instant, { maxLength: 4 }),
        fc.func(fc.boolean()),
        (today, retentionDays, audit, receiptTimes, isUnsent) => {
          const unsynced = new Set(audit.filter((r) => isUnsent(r.id)).map((r) => r.id));
          const plan = auditPurgePlan({
            today,
            retentionDays,
            audit,
            receipts: receiptTimes.map((at) => receipt(at)),
            unsynced,
          });
          const newest = Math.max(-Infinity, ...receiptTimes.map((at) => Date.parse(at)));
          for (const id of plan.remove) {
            const r = audit.find((x) => x.id === id)!;
            expect(auditRecordExpired(r.at, today, retentionDays)).toBe(true);
            expect(unsynced.has(id)).toBe(false);
            expect(newest).toBeGreaterThan(Date.parse(r.at));
          }
          // Every expired record is either removed or kept with its reason; nothing twice.
          const expired = audit.filter((r) => auditRecordExpired(r.at, today, retentionDays));
          const accounted = [...plan.remove, ...plan.kept.map((k) => k.id)].sort();
          expect(accounted).toEqual(expired.map((r) => r.id).sort());
        },
      ),
    );
  });
});
