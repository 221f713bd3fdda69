// The identity acts of reception and coordination (src/domain/identity-lifecycle.ts): each reads
// the identity through its merges, lets the domain decide, and writes the patient's fields with
// the history event and the audit in one transaction (src/device/identity-commands.ts).
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo } from 'react';
import {
  correctionAct,
  type IdentityAct,
  mergeAct,
  qualificationAct,
} from '../../device/identity-commands';
import { unmergeAct } from '../../device/identity-commands';
import { getMeta, META } from '../../device/db';
import {
  allPatients,
  identityHistory,
  type PatientVisit,
  patientById,
  survivorOf,
  visitsOfPatient,
} from '../../device/queries';
import type { IdentityChange, Patient } from '../../domain/entities';
import {
  type CorrectableTrait,
  type CorrectionErrors,
  type IdDocumentKind,
  type MergeDecision,
  planCorrection,
  planMerge,
  planQualification,
  type QualificationErrors,
  type QualificationInput,
  undoMergeRefusal,
} from '../../domain/identity-lifecycle';
import { localDate } from '../../domain/time';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { useDb } from './device-data';
import { useWriter } from './writer';
import { stampNow } from '../../device/stamp';

export type Outcome<E> = { ok: true; statusDropped?: boolean } | { ok: false; errors: E };

export interface IdentityActions {
  correct(
    patientId: string,
    patch: Partial<Record<CorrectableTrait, string>>,
    recheckedDocument: IdDocumentKind | null,
  ): Promise<Outcome<CorrectionErrors>>;
  qualify(patientId: string, input: QualificationInput): Promise<Outcome<QualificationErrors>>;
  /** Merges `absorbedId` into `survivorId`; refused (with the differences) until confirmed. */
  merge(survivorId: string, absorbedId: string, confirmed: boolean): Promise<MergeDecision>;
  /** Undoes a merge the same day; resolves to a French refusal or null when done. */
  undoMerge(event: IdentityChange): Promise<string | null>;
}

export function useIdentityActions(): IdentityActions {
  const db = useDb();
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  return useMemo<IdentityActions>(() => {
    const who = async () => {
      if (!db) throw new Error(t('errors.noDatabase'));
      if (!staffId) throw new Error(t('identity.signInFirst'));
      const org = await getMeta<string>(db, META.org);
      if (!org) throw new Error(t('errors.deviceNotConnected'));
      return { db, org, staffId, at: stampNow().now };
    };
    const run = (act: IdentityAct) => write(act.changes, act.audit);
    // A correction or qualification of a merged identity lands on its survivor.
    const current = async (id: string) => {
      const w = await who();
      const patient = await patientById(w.db, await survivorOf(w.db, id));
      if (!patient) throw new Error(t('identity.notFound'));
      return { w, patient };
    };
    return {
      async correct(patientId, patch, recheckedDocument) {
        const { w, patient } = await current(patientId);
        const plan = planCorrection(patient, patch, {
          recheckedDocument,
          today: localDate(w.at),
        });
        if (!plan.ok) return plan;
        await run(correctionAct(patient.id, patient, plan.plan, w));
        return { ok: true, statusDropped: plan.plan.statusDropped };
      },
      async qualify(patientId, input) {
        const { w, patient } = await current(patientId);
        const plan = planQualification(input, {
          birthDate: patient.birthDate,
          today: localDate(w.at),
          online: false,
        });
        if (!plan.ok) return plan;
        await run(qualificationAct(patient, plan.plan, w));
        return { ok: true };
      },
      async merge(survivorId, absorbedId, confirmed) {
        const w = await who();
        const rows = await w.db.rows('patient').toArray();
        const survivor = rows.find((p) => p.id === survivorId);
        const absorbed = rows.find((p) => p.id === absorbedId);
        if (!survivor || !absorbed) throw new Error(t('identity.notFound'));
        const decision = planMerge(survivor, absorbed, rows, { confirmed });
        if (decision.ok) {
          await run(mergeAct(decision.survivorId, decision.absorbedId, decision.differences, w));
        }
        return decision;
      },
      async undoMerge(event) {
        const w = await who();
        const absorbed = await w.db.rows('patient').get(event.patientId);
        if (!absorbed || !event.otherPatientId) return t('identity.notFound');
        const refusal = undoMergeRefusal(
          absorbed,
          { survivorId: event.otherPatientId, at: event.at },
          w.at,
          (iso) => localDate(iso),
        );
        if (refusal) return refusal;
        await run(unmergeAct(event.otherPatientId, event.patientId, w));
        return null;
      },
    };
  }, [db, write, staffId]);
}

/** A patient read through its merges (undefined while loading, null when not held). */
export function useIdentity(id: string | null): Patient | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db && id ? ((await patientById(db, id)) ?? null) : null),
    [db, id],
  );
}

/** The identity's history, newest first (merges into it included). */
export function useIdentityHistory(id: string | null): IdentityChange[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db && id ? identityHistory(db, id) : []), [db, id]);
}

/** The identity's visits, newest first, those of identities merged into it included. */
export function usePatientVisits(id: string | null): PatientVisit[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db && id ? visitsOfPatient(db, id) : []), [db, id]);
}

/** Every identity not merged into another (for names in the history and the merge page). */
export function useLivePatients(): Patient[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db ? allPatients(db) : []), [db]);
}

export interface MergeRecord {
  event: IdentityChange;
  /** The merged identity and the one kept, as stored (not through the pointer). */
  absorbed: Patient | undefined;
  survivor: Patient | undefined;
}

/** Every merge and undoing recorded on this device, newest first, with both identities. */
export function useMerges(): MergeRecord[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => {
    if (!db) return [];
    const all = await db.rows('identityChange').toArray();
    const events = all
      .filter((c) => c.kind === 'merge' || c.kind === 'unmerge')
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const absorbed = await db.rows('patient').bulkGet(events.map((e) => e.patientId));
    const survivors = await db.rows('patient').bulkGet(events.map((e) => e.otherPatientId ?? ''));
    return events.map((event, i) => ({
      event,
      absorbed: absorbed[i],
      survivor: survivors[i],
    }));
  }, [db]);
}
