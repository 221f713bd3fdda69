// The clinical summary's acts from a room or the coordination: the domain checks what was typed
// (src/domain/clinical-summary.ts), the device builds the rows with their audit
// (src/device/summary-commands.ts), and one write stores both. A row for a merged identity lands
// on its survivor. Refusals come back as French messages per field.
import { useMemo } from 'react';
import { getMeta, META } from '../../device/db';
import { survivorOf } from '../../device/queries';
import {
  addAllergy,
  addProblem,
  addTreatment,
  addVaccination,
  resolveProblemAct,
  type SummaryAct,
  stopTreatmentAct,
} from '../../device/summary-commands';
import {
  type AllergyInput,
  checkAllergy,
  checkProblem,
  checkTreatment,
  checkVaccination,
  type Errors,
  type ProblemInput,
  resolveProblem,
  stopTreatment,
  type TreatmentInput,
  type VaccinationInput,
} from '../../domain/clinical-summary';
import type { Problem, Treatment } from '../../domain/entities';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';

export type SummaryOutcome = { ok: true } | { ok: false; errors: Errors<string> };

export interface SummaryActions {
  addProblem(patientId: string, input: ProblemInput, today: string): Promise<SummaryOutcome>;
  resolveProblem(problem: Problem, today: string): Promise<void>;
  addTreatment(patientId: string, input: TreatmentInput, today: string): Promise<SummaryOutcome>;
  stopTreatment(treatment: Treatment, reason: string, today: string): Promise<void>;
  addAllergy(patientId: string, input: AllergyInput): Promise<SummaryOutcome>;
  addVaccination(
    patientId: string,
    input: VaccinationInput,
    today: string,
  ): Promise<SummaryOutcome>;
}

export function useSummaryActions(): SummaryActions {
  const db = useDb();
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  return useMemo<SummaryActions>(() => {
    const recorder = async (patientId: string) => {
      if (!db) throw new Error(t('errors.noDatabase'));
      if (!staffId) throw new Error(t('room.errors.whoAreYou'));
      const org = await getMeta<string>(db, META.org);
      if (!org) throw new Error(t('errors.deviceNotConnected'));
      return { org, staffId, patientId: await survivorOf(db, patientId) };
    };
    const run = (act: SummaryAct) => write(act.changes, act.audit);
    return {
      async addProblem(patientId, input, today) {
        const checked = checkProblem(input, today);
        if (!checked.ok) return checked;
        await run(addProblem(await recorder(patientId), checked.value));
        return { ok: true };
      },
      async resolveProblem(problem, today) {
        const r = resolveProblem(problem, null, today);
        if (!r.ok) throw new Error(r.reason);
        await recorder(problem.patientId);
        await run(resolveProblemAct(problem, r.set));
      },
      async addTreatment(patientId, input, today) {
        const checked = checkTreatment(input, today);
        if (!checked.ok) return checked;
        await run(addTreatment(await recorder(patientId), checked.value));
        return { ok: true };
      },
      async stopTreatment(treatment, reason, today) {
        const r = stopTreatment(treatment, reason, today);
        if (!r.ok) throw new Error(r.reason);
        await recorder(treatment.patientId);
        await run(stopTreatmentAct(treatment, r.set));
      },
      async addAllergy(patientId, input) {
        const checked = checkAllergy(input);
        if (!checked.ok) return checked;
        await run(addAllergy(await recorder(patientId), checked.value));
        return { ok: true };
      },
      async addVaccination(patientId, input, today) {
        const checked = checkVaccination(input, today);
        if (!checked.ok) return checked;
        await run(addVaccination(await recorder(patientId), checked.value));
        return { ok: true };
      },
    };
  }, [db, write, staffId]);
}
