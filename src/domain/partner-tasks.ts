// Tasks handed to certified partner components (issue #16 item 4, docs/integrations.md,
// docs/decisions/0022-partner-tasks.md): which events produce which task, each task's life
// (à faire → en cours under a lease → fait / échec retried with backoff → « à traiter à la main »),
// what each service receives (the minimum it needs) and what its answer must be. Pure rules: the
// server calls them; nothing in reception or the rooms ever waits on a task.
import { z } from 'zod';
import { Sha256 } from '../sync/sha256';
import { type ComposedDocument, composeDocument } from './documents';
import {
  type Addendum,
  type Allergy,
  type Consultation,
  type DocumentKind,
  type DocumentTemplate,
  idSchema,
  insMatriculeSchema,
  insOidSchema,
  isoDateTime,
  type PartnerOutcome,
  type PartnerService,
  type PartnerTask,
  type PartnerTaskState,
  type Patient,
  type PrintedDocument,
  type Service,
  type Staff,
  type Stop,
  type Treatment,
  type Unit,
  type Vitals,
} from './entities';
import { canSetStatus } from './identity/status';
import type { IdentityStatus } from './identity/types';
import { effectiveIdentityStatus } from './identity-lifecycle';
import { foldName } from './text';

export type { PartnerService, PartnerTask, PartnerTaskState } from './entities';

export const PARTNER_SERVICES: readonly PartnerService[] = [
  'insi',
  'eprescription',
  'dmp',
  'mssante',
  'billing',
];

/** The services as the server's messages and audit name them (the screens use the catalogue,
 * src/ui/coordination/partner-text.ts). */
export const SERVICE_LABELS: Readonly<Record<PartnerService, string>> = {
  insi: 'Qualification INSi',
  eprescription: 'Ordonnance électronique',
  dmp: 'Dépôt au DMP',
  mssante: 'Envoi par messagerie sécurisée',
  billing: 'Facturation',
};

/** Who an INSi answer's identity history names (the identity page says « le téléservice INSi »). */
export const INSI_ACTOR = 'partner.insi';

/** Tries (failures and expired leases) before a task waits for a person. */
export const MAX_ATTEMPTS = 5;
/** How long a partner holds a task it fetched before it comes back to the queue. */
export const LEASE_MS = 10 * 60_000;
/** The longest a lease may be asked for. */
export const MAX_LEASE_MS = 60 * 60_000;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

/** The wait before a task that failed `attempts` times is leased again: 1, 2, 4… minutes, at
 * most six hours. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

const iso = (ms: number) => new Date(ms).toISOString();

export function newTaskState(now: number): PartnerTaskState {
  return {
    name: 'todo',
    attempts: 0,
    leases: 0,
    leasedBy: null,
    leaseUntil: null,
    retryAt: null,
    reason: null,
    at: iso(now),
  };
}

/** What a task is now, reading time: a lease past its end is « à faire » again (its partner
 * crashed or lost the connection), a failed task past its backoff too. */
export type EffectiveState = 'todo' | 'leased' | 'waiting' | 'done' | 'manual';

export function effectiveState(state: PartnerTaskState, now: number): EffectiveState {
  switch (state.name) {
    case 'todo':
      return 'todo';
    case 'leased':
      return state.leaseUntil !== null && Date.parse(state.leaseUntil) > now ? 'leased' : 'todo';
    case 'failed':
      return state.retryAt !== null && Date.parse(state.retryAt) > now ? 'waiting' : 'todo';
    case 'done':
      return 'done';
    case 'manual':
      return 'manual';
  }
}

export type Transition =
  | { ok: true; state: PartnerTaskState }
  | { ok: false; status: 409; reason: string };

const refuse = (reason: string): Transition => ({ ok: false, status: 409, reason });

/** The attempt an expired lease cost: counted, so a task that crashes its partner every time
 * ends with a person rather than in a loop. */
function expiredLeaseCounted(state: PartnerTaskState, now: number): PartnerTaskState {
  if (state.name !== 'leased' || effectiveState(state, now) === 'leased') return state;
  return { ...state, attempts: state.attempts + 1 };
}

/**
 * A partner takes the task for `leaseMs`. Refused unless the task is « à faire » now (new,
 * failed past its backoff, or leased past its end). A task whose expired leases used up its
 * attempts goes to a person instead (the refusal's state says so: the caller records it).
 */
export function leaseTask(
  state: PartnerTaskState,
  partnerId: string,
  now: number,
  leaseMs = LEASE_MS,
): Transition | { ok: false; status: 'manual'; state: PartnerTaskState } {
  const current = effectiveState(state, now);
  if (current !== 'todo') return refuse(busyReason(current));
  const counted = expiredLeaseCounted(state, now);
  if (counted.attempts >= MAX_ATTEMPTS) {
    return {
      ok: false,
      status: 'manual',
      state: {
        ...counted,
        name: 'manual',
        leasedBy: null,
        leaseUntil: null,
        retryAt: null,
        reason: `Sans réponse après ${MAX_ATTEMPTS} essais : à traiter à la main.`,
        at: iso(now),
      },
    };
  }
  return {
    ok: true,
    state: {
      ...counted,
      name: 'leased',
      leases: counted.leases + 1,
      leasedBy: partnerId,
      leaseUntil: iso(now + Math.min(Math.max(leaseMs, 1000), MAX_LEASE_MS)),
      retryAt: null,
      at: iso(now),
    },
  };
}

function busyReason(current: EffectiveState): string {
  switch (current) {
    case 'leased':
      return 'Cette tâche est en cours chez un autre composant partenaire.';
    case 'waiting':
      return 'Cette tâche a échoué : elle sera proposée de nouveau après son délai d’attente.';
    case 'done':
      return 'Cette tâche a déjà reçu sa réponse.';
    case 'manual':
      return 'Cette tâche est à traiter à la main par la coordination.';
    case 'todo':
      return 'Cette tâche n’est pas en cours : récupérez-la d’abord.';
  }
}

/** Why this partner may not answer this task now, or null: only the partner holding its lease
 * answers, once. A lease past its end may still be answered while nobody else took the task
 * (the work was done; refusing it would only make it done twice). */
export function answerRefusal(state: PartnerTaskState, partnerId: string): string | null {
  if (state.name === 'done') return 'Cette tâche a déjà reçu sa réponse.';
  if (state.name === 'manual') return 'Cette tâche est à traiter à la main par la coordination.';
  if (state.name !== 'leased' || state.leasedBy !== partnerId) {
    return 'Cette tâche n’est pas en cours chez ce composant partenaire : récupérez-la d’abord.';
  }
  return null;
}

/** The task done: its outcome is the record's. */
export function completeTask(state: PartnerTaskState, partnerId: string, now: number): Transition {
  const why = answerRefusal(state, partnerId);
  if (why) return refuse(why);
  return {
    ok: true,
    state: { ...state, name: 'done', leaseUntil: null, retryAt: null, reason: null, at: iso(now) },
  };
}

/** The partner could not do it (its service unreachable, a temporary error): tried again after
 * a backoff, up to MAX_ATTEMPTS, then « à traiter à la main ». `final`: the rules say a person
 * must look (an INSi answer whose traits differ from the record's). */
export function failTask(
  state: PartnerTaskState,
  partnerId: string,
  reason: string,
  now: number,
  final = false,
): Transition {
  const why = answerRefusal(state, partnerId);
  if (why) return refuse(why);
  const attempts = state.attempts + 1;
  const manual = final || attempts >= MAX_ATTEMPTS;
  return {
    ok: true,
    state: {
      ...state,
      name: manual ? 'manual' : 'failed',
      attempts,
      leaseUntil: null,
      retryAt: manual ? null : iso(now + backoffMs(attempts)),
      reason: reason.slice(0, 200),
      at: iso(now),
    },
  };
}

/** The coordination puts a task waiting for a person back in the queue (after fixing what the
 * partner refused), its tries counted afresh. */
export function requeueTask(state: PartnerTaskState, now: number): Transition {
  if (state.name !== 'manual' && state.name !== 'failed') {
    return refuse('Seule une tâche en échec ou à traiter à la main peut être relancée.');
  }
  return { ok: true, state: { ...newTaskState(now), leases: state.leases } };
}

// ---------------------------------------------------------------------------------------------
// Which events produce which tasks
// ---------------------------------------------------------------------------------------------

/** A task to create: its id is derived from what produced it, so producing twice (a retry, two
 * server instances, the same note seen again) names the same task. */
export interface TaskSpec {
  id: string;
  service: PartnerService;
  sourceEntity: PartnerTask['sourceEntity'];
  sourceId: string;
  patientId: string;
  consultationId: string | null;
}

export function taskId(service: PartnerService, ...key: string[]): string {
  return `pt.${new Sha256()
    .update([service, ...key].join('\u0000'))
    .hex()
    .slice(0, 40)}`;
}

/** A doubtful or fictitious identity stays provisional (RNIV): never sent to the INSi. */
const doubtful = (p: Pick<Patient, 'identityStatus' | 'identityAttributes'>) =>
  effectiveIdentityStatus({
    identityStatus: 'validee',
    identityAttributes: p.identityAttributes,
  }) !== 'validee';

/**
 * INSi: an identity with a NIR not yet qualified, not merged into another, and not doubtful or
 * fictitious (the RNIV keeps those provisional). One task per identity and NIR: a NIR corrected
 * later asks the téléservice again.
 */
export function insiTaskFor(
  patient: Pick<
    Patient,
    'id' | 'nir' | 'identityStatus' | 'identityAttributes' | 'mergedInto' | 'insMatricule'
  >,
): TaskSpec | null {
  if (!patient.nir || patient.mergedInto) return null;
  if (doubtful(patient)) return null;
  if (patient.identityStatus === 'qualifiee' || patient.insMatricule) return null;
  return {
    id: taskId('insi', patient.id, patient.nir),
    service: 'insi',
    sourceEntity: 'patient',
    sourceId: patient.id,
    patientId: patient.id,
    consultationId: null,
  };
}

const LETTERS: ReadonlySet<DocumentKind> = new Set(['lettre_mt', 'orientation']);

/**
 * A note's tasks, once validated (an intern's note after its supervisor's validation; an
 * autonomous author's at signing): billing always; e-prescription when treatments were recorded
 * with it; DMP when its compte rendu was printed; MSSanté for each kind of letter printed and
 * marked for sending. A restricted note (social, sexual health) is never filed nor sent by a
 * partner: the clinician hands those documents over themselves.
 */
export function noteTasksFor(
  note: Pick<Consultation, 'id' | 'patientId' | 'status' | 'confidentiality'>,
  treatments: readonly Pick<Treatment, 'consultationId'>[],
  printed: readonly Pick<PrintedDocument, 'id' | 'consultationId' | 'kind' | 'send'>[],
): TaskSpec[] {
  if (note.status !== 'validated') return [];
  const of = (
    service: PartnerService,
    sourceEntity: TaskSpec['sourceEntity'],
    sourceId: string,
    key: string,
  ) => ({
    id: taskId(service, note.id, key),
    service,
    sourceEntity,
    sourceId,
    patientId: note.patientId,
    consultationId: note.id,
  });
  const tasks: TaskSpec[] = [of('billing', 'consultation', note.id, '')];
  if (treatments.some((t) => t.consultationId === note.id)) {
    tasks.push(of('eprescription', 'consultation', note.id, ''));
  }
  if (note.confidentiality !== 'standard') return tasks;
  const own = printed.filter((d) => d.consultationId === note.id);
  const report = own.find((d) => d.kind === 'compte_rendu');
  if (report) tasks.push(of('dmp', 'printedDocument', report.id, 'compte_rendu'));
  for (const kind of LETTERS) {
    const letter = own.find((d) => d.kind === kind && d.send === true);
    if (letter) tasks.push(of('mssante', 'printedDocument', letter.id, kind));
  }
  return tasks;
}

// ---------------------------------------------------------------------------------------------
// Answers: their shape per service, and how an INSi answer reaches the identity
// ---------------------------------------------------------------------------------------------

const reasonSchema = z.string().trim().min(1).max(200);
const traitsSchema = z
  .object({
    birthName: z.string().min(1).max(200),
    firstNames: z.string().min(1).max(200),
    sex: z.enum(['F', 'M', 'I']),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    birthPlaceCode: z.string().regex(/^(\d{5}|2[AB]\d{3})$/),
  })
  .strict();

export const RESULT_SCHEMAS = {
  insi: z.union([
    z
      .object({
        found: z.literal(true),
        matricule: insMatriculeSchema,
        oid: insOidSchema,
        traits: traitsSchema,
      })
      .strict(),
    z.object({ found: z.literal(false) }).strict(),
  ]),
  eprescription: z.object({ prescriptionId: idSchema }).strict(),
  dmp: z.object({ filingId: idSchema, filedAt: isoDateTime }).strict(),
  mssante: z.union([
    z.object({ sent: z.literal(true), messageId: idSchema.optional() }).strict(),
    z.object({ sent: z.literal(false), reason: reasonSchema }).strict(),
  ]),
  billing: z.union([
    z.object({ billed: z.literal(true), invoiceId: idSchema }).strict(),
    z.object({ billed: z.literal(false), reason: reasonSchema }).strict(),
  ]),
} as const;

export type PartnerResult<S extends PartnerService> = z.infer<(typeof RESULT_SCHEMAS)[S]>;

/** A partner's answer: done with the service's result, or failed (tried again later). */
export function answerSchema(service: PartnerService) {
  return z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('done'), result: RESULT_SCHEMAS[service] }).strict(),
    z.object({ outcome: z.literal('failed'), reason: reasonSchema }).strict(),
  ]);
}

export type PartnerAnswer =
  | { outcome: 'done'; result: unknown }
  | { outcome: 'failed'; reason: string };

const fold = (s: string) => foldName(s).replace(/\s+/g, ' ').trim();

/** The strict traits the INSi returned that differ from the record's, by their French name. */
export function traitDifferences(
  patient: Pick<Patient, 'birthName' | 'firstNames' | 'sex' | 'birthDate' | 'birthPlaceCode'>,
  traits: z.infer<typeof traitsSchema>,
): string[] {
  const out: string[] = [];
  if (fold(patient.birthName) !== fold(traits.birthName)) out.push('nom de naissance');
  if (fold(patient.firstNames) !== fold(traits.firstNames)) out.push('prénoms');
  if (patient.sex !== traits.sex) out.push('sexe');
  if (patient.birthDate !== traits.birthDate) out.push('date de naissance');
  if (patient.birthPlaceCode !== traits.birthPlaceCode) out.push('lieu de naissance');
  return out;
}

/** What an INSi answer does to the identity, through the identity-status rules. */
export type InsiEffect =
  | {
      kind: 'apply';
      /** The patient's fields to write (status, matricule, OID). */
      patch: { identityStatus?: IdentityStatus; insMatricule: string; insOid: string };
      /** The history of the identity: each field with its previous value. */
      changes: { field: string; before: string | null; after: string | null }[];
      outcome: PartnerOutcome;
    }
  | { kind: 'not_found'; outcome: PartnerOutcome }
  | { kind: 'manual'; reason: string };

/**
 * An INSi answer applied through canSetStatus: the téléservice returned this identity, so
 * « récupérée »; « qualifiée » when a high-trust document was also checked (the identity was
 * « validée »). Never a weaker status than the one held; a doubtful or fictitious identity
 * stays provisional; traits that differ from the record's wait for reception (never corrected
 * by a partner).
 */
export function insiEffect(
  patient: Pick<
    Patient,
    | 'birthName'
    | 'firstNames'
    | 'sex'
    | 'birthDate'
    | 'birthPlaceCode'
    | 'identityStatus'
    | 'identityAttributes'
    | 'identityDocument'
    | 'insMatricule'
    | 'insOid'
    | 'mergedInto'
  >,
  result: PartnerResult<'insi'>,
): InsiEffect {
  if (!result.found) {
    return {
      kind: 'not_found',
      outcome: { service: 'insi', found: false, matricule: null, oid: null, status: null },
    };
  }
  if (patient.mergedInto) {
    return {
      kind: 'manual',
      reason: 'Ce dossier a été fusionné avec un autre : à vérifier à l’accueil.',
    };
  }
  const differ = traitDifferences(patient, result.traits);
  if (differ.length > 0) {
    return {
      kind: 'manual',
      reason: `Traits renvoyés par l’INSi différents du dossier (${differ.join(', ')}) : à vérifier à l’accueil.`,
    };
  }
  if (doubtful(patient)) {
    return {
      kind: 'manual',
      reason: 'Identité douteuse ou fictive : elle reste provisoire, à vérifier à l’accueil.',
    };
  }
  const ctx = {
    online: true,
    insiQualified: true,
    // « validée » is only ever set after a high-trust document was checked (canSetStatus);
    // identities validated before schema 4 did not record which one.
    idDocumentChecked:
      patient.identityStatus === 'validee' || patient.identityStatus === 'qualifiee',
  };
  const target: IdentityStatus = canSetStatus('qualifiee', ctx).ok ? 'qualifiee' : 'recuperee';
  // Never weaker than held: « validée » (a document) and « récupérée » (the INSi) are each one
  // half of « qualifiée ».
  const rank: Record<IdentityStatus, number> = {
    provisoire: 0,
    recuperee: 1,
    validee: 1,
    qualifiee: 2,
  };
  const status = rank[target] > rank[patient.identityStatus] ? target : null;
  const changes: { field: string; before: string | null; after: string | null }[] = [];
  if (status && status !== patient.identityStatus) {
    changes.push({ field: 'identityStatus', before: patient.identityStatus, after: status });
  }
  if ((patient.insMatricule ?? null) !== result.matricule) {
    changes.push({
      field: 'insMatricule',
      before: patient.insMatricule ?? null,
      after: result.matricule,
    });
  }
  if ((patient.insOid ?? null) !== result.oid) {
    changes.push({ field: 'insOid', before: patient.insOid ?? null, after: result.oid });
  }
  return {
    kind: 'apply',
    patch: {
      ...(status && status !== patient.identityStatus ? { identityStatus: status } : {}),
      insMatricule: result.matricule,
      insOid: result.oid,
    },
    changes,
    outcome: {
      service: 'insi',
      found: true,
      matricule: result.matricule,
      oid: result.oid,
      status: status ?? null,
    },
  };
}

/** The outcome a done answer records (INSi's comes from insiEffect). */
export function outcomeOf(
  service: Exclude<PartnerService, 'insi'>,
  result: unknown,
  now: number,
): PartnerOutcome {
  switch (service) {
    case 'eprescription':
      return { service, prescriptionId: (result as PartnerResult<'eprescription'>).prescriptionId };
    case 'dmp': {
      const r = result as PartnerResult<'dmp'>;
      return { service, filingId: r.filingId, filedAt: r.filedAt };
    }
    case 'mssante': {
      const r = result as PartnerResult<'mssante'>;
      return { service, messageId: (r.sent && r.messageId) || null, sentAt: iso(now) };
    }
    case 'billing': {
      const r = result as PartnerResult<'billing'>;
      return r.billed
        ? { service, billed: true, invoiceId: r.invoiceId, reason: null }
        : { service, billed: false, invoiceId: null, reason: r.reason };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What each service receives: the minimum it needs, read from the rows when it fetches
// ---------------------------------------------------------------------------------------------

export interface PayloadSources {
  task: Pick<PartnerTask, 'id' | 'service' | 'sourceEntity' | 'sourceId' | 'createdAt'>;
  patient: Patient;
  consultation?: Consultation;
  staff: ReadonlyMap<string, Staff>;
  service?: Service;
  stop?: Stop;
  unit?: Unit;
  organisationName?: string;
  treatments: readonly Treatment[];
  vitals: readonly Vitals[];
  addenda: readonly Addendum[];
  allergies: readonly Allergy[];
  printed?: PrintedDocument;
  template?: DocumentTemplate | null;
}

const identityOf = (p: Patient) => ({
  birthName: p.birthName,
  usedName: p.usedName,
  firstNames: p.firstNames,
  usedFirstName: p.usedFirstName,
  sex: p.sex,
  birthDate: p.birthDate,
  birthPlaceCode: p.birthPlaceCode,
  identityStatus: p.identityStatus,
  ...(p.insMatricule ? { ins: { matricule: p.insMatricule, oid: p.insOid ?? null } } : {}),
});

const professional = (s: Staff | undefined) =>
  s
    ? { name: `${s.firstName} ${s.lastName}`, profession: s.profession, rpps: s.rpps ?? null }
    : null;

/** The payload a partner receives for a task: never a note's free text, except the document a
 * DMP filing or a letter's sending is about (and only of a standard note, noteTasksFor). */
export function taskPayload(src: PayloadSources): Record<string, unknown> {
  const p = src.patient;
  const c = src.consultation;
  switch (src.task.service) {
    case 'insi':
      // What the téléservice is queried with: the NIR and the strict traits.
      return {
        nir: p.nir,
        birthName: p.birthName,
        firstNames: p.firstNames,
        sex: p.sex,
        birthDate: p.birthDate,
        birthPlaceCode: p.birthPlaceCode,
      };
    case 'billing': {
      if (!c) return {};
      const author = src.staff.get(c.authorId);
      return {
        act: {
          date: c.createdAt.slice(0, 10),
          service: src.service?.label ?? null,
          commune: src.stop ? { insee: src.stop.communeInsee, name: src.stop.communeName } : null,
        },
        author: professional(author),
        // The supervising doctor an intern's act is billed under.
        supervisor: c.supervisorId ? professional(src.staff.get(c.supervisorId)) : null,
        patient: {
          ...identityOf(p),
          nir: p.nir,
          coverage: p.coverage,
          regime: p.regime ?? null,
          ald: p.ald,
          aldExoneration: p.aldExoneration ?? null,
        },
      };
    }
    case 'eprescription': {
      if (!c) return {};
      return {
        date: c.createdAt.slice(0, 10),
        prescriber: professional(src.staff.get(c.authorId)),
        supervisor: c.supervisorId ? professional(src.staff.get(c.supervisorId)) : null,
        patient: { ...identityOf(p), nir: p.nir },
        lines: src.treatments
          .filter((t) => t.consultationId === c.id && !t.stopDate)
          .map((t) => ({ name: t.name, dose: t.dose })),
      };
    }
    case 'dmp':
    case 'mssante': {
      if (!c || !src.printed) return {};
      const document: ComposedDocument = composeDocument({
        kind: src.printed.kind,
        consultation: c,
        patient: p,
        staff: src.staff,
        service: src.service,
        stop: src.stop,
        unit: src.unit,
        organisationName: src.organisationName,
        vitals: src.vitals,
        addenda: src.addenda,
        allergies: src.allergies,
        treatments: src.treatments,
        template: src.template ?? null,
      });
      return {
        patient: identityOf(p),
        ...(src.task.service === 'mssante'
          ? { recipient: { kind: src.printed.kind, medecinTraitant: p.mtName ?? null } }
          : {}),
        document,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// In French, for the record and the coordination
// ---------------------------------------------------------------------------------------------

/** The states as the server's audit names them (the screens use the catalogue). */
export const STATE_LABELS: Readonly<Record<EffectiveState, string>> = {
  todo: 'à faire',
  leased: 'en cours',
  waiting: 'en échec, nouvel essai prévu',
  done: 'fait',
  manual: 'à traiter à la main',
};

/** The coordination's order: « à traiter à la main » first, then failed, to do, in progress,
 * done; oldest first within each. */
export function coordinationOrder<T extends Pick<PartnerTask, 'state' | 'createdAt'>>(
  tasks: readonly T[],
  now: number,
): T[] {
  const rank: Record<EffectiveState, number> = {
    manual: 0,
    waiting: 1,
    todo: 2,
    leased: 3,
    done: 4,
  };
  return [...tasks].sort(
    (a, b) =>
      rank[effectiveState(a.state, now)] - rank[effectiveState(b.state, now)] ||
      a.createdAt.localeCompare(b.createdAt),
  );
}
