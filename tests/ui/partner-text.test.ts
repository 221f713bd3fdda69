// Partner tasks as the screens word them, through the catalogue (src/ui/coordination/
// partner-text.ts): the outcome of a done task, the state of one that waits, and why.
import { describe, expect, it } from 'vitest';
import { newTaskState } from '../../src/domain/partner-tasks';
import {
  outcomeLabel,
  serviceLabel,
  stateLabel,
  taskLineLabel,
} from '../../src/ui/coordination/partner-text';

const T0 = Date.parse('2026-12-04T08:00:00.000Z');

describe('partner tasks in French for the record and the coordination', () => {
  const base = { ...newTaskState(T0), name: 'done' as const };
  it('says the outcome: « Ordonnance émise n° … », « Facturé », « Rejeté : … »', () => {
    expect(outcomeLabel({ service: 'eprescription', prescriptionId: 'RX-42' })).toBe(
      'Ordonnance émise n° RX-42',
    );
    expect(outcomeLabel({ service: 'billing', billed: true, invoiceId: 'F1', reason: null })).toBe(
      'Facturé',
    );
    expect(
      outcomeLabel({ service: 'billing', billed: false, invoiceId: null, reason: 'Droits fermés' }),
    ).toBe('Rejeté : Droits fermés');
    expect(
      taskLineLabel(
        {
          service: 'billing',
          state: base,
          outcome: { service: 'billing', billed: true, invoiceId: 'F', reason: null },
        },
        T0,
      ),
    ).toBe('Facturation : Facturé');
    expect(
      taskLineLabel(
        {
          service: 'mssante',
          state: { ...base, name: 'manual', reason: 'Destinataire inconnu' },
          outcome: null,
        },
        T0,
      ),
    ).toBe('Envoi par messagerie sécurisée : à traiter à la main (Destinataire inconnu)');
  });

  it('names the INSi outcome, the services and the states for people', () => {
    expect(
      outcomeLabel({
        service: 'insi',
        found: true,
        status: 'qualifiee',
        matricule: '180017512345623',
        oid: null,
      }),
    ).toBe('Identité qualifiée par l’INSi — matricule INS 180017512345623');
    expect(serviceLabel('dmp')).toBe('Dépôt au DMP');
    expect(stateLabel('waiting')).toBe('en échec, nouvel essai prévu');
  });
});
