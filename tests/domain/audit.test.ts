// Filtering the audit log: by action, person, period and record, newest first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditActions, filterAudit } from '../../src/domain/audit';
import type { AuditEvent } from '../../src/domain/entities';

const row = (
  id: string,
  at: string,
  action: string,
  actorId: string | null,
  entityId: string | null,
  detail: string | null = null,
): AuditEvent => ({
  id,
  orgId: 'o',
  at,
  actorId,
  deviceId: 'd',
  action,
  entity: 'x',
  entityId,
  detail,
});

const rows = [
  row('1', '2026-11-20T09:00:00Z', 'consultation.read', 'garnier', 'c-1'),
  row('2', '2026-11-21T10:00:00Z', 'sync.receipt', 'morvan', 'stop-9', 'relay abc'),
  row('3', '2026-11-21T11:00:00Z', 'consultation.read', 'morvan', 'c-2'),
];

describe('the audit log filter', () => {
  it('keeps everything without a filter, newest first', () => {
    expect(filterAudit(rows, {}).map((r) => r.id)).toEqual(['3', '2', '1']);
  });

  it('filters by action, person, period and record or detail text', () => {
    expect(filterAudit(rows, { action: 'consultation.read' }).map((r) => r.id)).toEqual(['3', '1']);
    expect(filterAudit(rows, { actorId: 'morvan' }).map((r) => r.id)).toEqual(['3', '2']);
    expect(filterAudit(rows, { from: '2026-11-21', to: '2026-11-21' }).map((r) => r.id)).toEqual([
      '3',
      '2',
    ]);
    expect(filterAudit(rows, { text: 'C-1' }).map((r) => r.id)).toEqual(['1']);
    expect(filterAudit(rows, { text: 'relay' }).map((r) => r.id)).toEqual(['2']);
    expect(filterAudit(rows, { action: 'sync.receipt', actorId: 'garnier' })).toEqual([]);
  });

  it('finds an event by what a person reads of it (a name), not only by its ids', () => {
    const readable = (r: AuditEvent) => (r.entityId === 'c-2' ? 'Consultation : LEBRUN Noël' : '');
    expect(filterAudit(rows, { text: 'lebrun' }, readable).map((r) => r.id)).toEqual(['3']);
    expect(filterAudit(rows, { text: 'lebrun' })).toEqual([]);
  });

  it('never finds less with a readable text than without it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.string({ maxLength: 8 }), (text, shown) => {
        const plain = filterAudit(rows, { text }).map((r) => r.id);
        const withReadable = filterAudit(rows, { text }, () => shown).map((r) => r.id);
        for (const id of plain) expect(withReadable).toContain(id);
      }),
    );
  });

  it('lists the actions present', () => {
    expect(auditActions(rows)).toEqual(['consultation.read', 'sync.receipt']);
  });
});
