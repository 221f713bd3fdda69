// Partner tasks as people read them on the screens, through the catalogue: the service, the
// state, and the outcome (« Ordonnance émise n° … », « Facturé », « Rejeté : … »). The rules
// (effective state, what is shown when) stay in src/domain/partner-tasks.ts.
import type { PartnerOutcome, PartnerService, PartnerTask } from '../../domain/entities';
import { type EffectiveState, effectiveState } from '../../domain/partner-tasks';
import { t } from '../i18n';

export function serviceLabel(service: PartnerService): string {
  return t(`coordination.partner.services.${service}`);
}

export function stateLabel(state: EffectiveState): string {
  return t(`coordination.partner.states.${state}`);
}

export function outcomeLabel(outcome: PartnerOutcome): string {
  switch (outcome.service) {
    case 'insi': {
      if (!outcome.found) return t('coordination.partner.outcome.insiNotFound');
      const status =
        outcome.status === 'qualifiee' || outcome.status === 'recuperee' ? outcome.status : 'other';
      return t('coordination.partner.outcome.insiFound', {
        status: t(`coordination.partner.outcome.insiStatus.${status}`),
        matricule: outcome.matricule ?? '',
      });
    }
    case 'eprescription':
      return t('coordination.partner.outcome.prescribed', { id: outcome.prescriptionId });
    case 'dmp':
      return t('coordination.partner.outcome.filed', { id: outcome.filingId });
    case 'mssante':
      return t('coordination.partner.outcome.sent');
    case 'billing':
      return outcome.billed
        ? t('coordination.partner.outcome.billed')
        : t('coordination.partner.outcome.rejected', {
            reason: outcome.reason ?? t('coordination.partner.outcome.noReason'),
          });
  }
}

/** One line for a task: its outcome when done, else its state (and why, when it waits). */
export function taskLineLabel(
  task: Pick<PartnerTask, 'service' | 'state' | 'outcome'>,
  now: number,
): string {
  const service = serviceLabel(task.service);
  const current = effectiveState(task.state, now);
  if (current === 'done' && task.outcome) {
    return t('coordination.partner.line', { service, text: outcomeLabel(task.outcome) });
  }
  const reason = task.state.reason;
  if ((current === 'manual' || current === 'waiting') && reason) {
    return t('coordination.partner.lineWhy', { service, state: stateLabel(current), reason });
  }
  return t('coordination.partner.line', { service, text: stateLabel(current) });
}
