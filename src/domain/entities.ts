// Every entity the app keeps (docs/design.md §4.1), as zod schemas, with the merge kind of each field.
// The field kinds are the domain's decision (docs/design.md §5): replication only applies them.
import { z } from 'zod';
import type { EntitySpec, FieldSpec } from '../sync/fields';
import { HORIZON_PATTERN } from '../sync/hlc';
import { MAX_HLC } from '../sync/op';
import { isRpps } from './rpps';

export type { EntitySpec, FieldKind, FieldSpec } from '../sync/fields';

/** 2: adds the sync receipt (syncReceipt). 3: adds contradictionAck and consultation.roomId
 * (an older replica parks these ops instead of refusing an entity it does not know). 4: adds the
 * identity lifecycle (patient.identityDocument, identityAttributes, mergedInto; identityChange).
 * 5: adds vitals.glycaemia and the clinical summary (problem, treatment, allergy, vaccination).
 * 6: adds the documents of a consultation (documentTemplate, printedDocument); the priority policy
 * of a service, the médecin traitant state of a visit (unknown is its own state), the booked time
 * of a queue entry, the date and source of a patient's MT status, and the orientation followed to
 * its outcome (src/domain/priority.ts, src/domain/orientation.ts); secret médical (issue #21):
 * addenda hashed and supervised (addendum.contentHash and supervisorId, signature.addendumId),
 * the transmission to the social roles, the bris de glace and the patient's objection to sharing
 * (src/domain/reading.ts).
 * 7: the patient's objection to the reuse of their data for research (researchObjection) and the
 * fingerprint of the study's pseudonymisation key kept by the organisation
 * (organisation.researchKeyFingerprint; src/domain/research.ts, issue #17 item 4); a patient's
 * administrative data: ALD nature and exoneration, insurance scheme, consent to be contacted
 * (src/domain/patient-admin.ts, issue #15 item 1).
 * 8: a person's RPPS number (staff.rpps; the FHIR export's Practitioner, src/domain/fhir.ts,
 * issue #16 item 3, and the partners' billing and e-prescription); the tasks handed to certified
 * partner components (partnerTask, written by central only), the INS the INSi returned
 * (patient.insMatricule, insOid), a letter to send by MSSanté (printedDocument.send)
 * (src/domain/partner-tasks.ts, issue #16 item 4); the optional end-of-visit questionnaire (visit.survey: renoncement aux soins, « sans le
 * camion, où seriez-vous allé ? », or declined) and the prevention acts of a consultation
 * (consultation.prevention), both read by the indicators (src/domain/indicators.ts, issue #17
 * item 3).
 * 9: the horizon a sync receipt's proof was taken at (syncReceipt.hz, decision 0027): a device
 * that pruned its row states compares the day at its horizon. */
export const SCHEMA_VERSION = 9;

const lww = (schema: z.ZodType, clinical = false): FieldSpec => ({ kind: 'lww', schema, clinical });
const clin = (schema: z.ZodType): FieldSpec => lww(schema, true);
const set = (schema: z.ZodType): FieldSpec => ({ kind: 'set', schema });
const ev = (schema: z.ZodType): FieldSpec => ({ kind: 'event', schema });

// ---- shared value schemas ----
export const idSchema = z.string().min(1).max(64);
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Date attendue au format AAAA-MM-JJ');
export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Heure attendue au format HH:MM');
export const isoDateTime = z.string().datetime({ offset: true });
const shortText = z.string().max(200);
const longText = z.string().max(20_000);
const optionalId = idSchema.nullable();

export const sexSchema = z.enum(['F', 'M', 'I']);
export const identityStatusSchema = z.enum(['provisoire', 'recuperee', 'validee', 'qualifiee']);
export const idDocumentSchema = z.enum([
  'cni',
  'passeport',
  'titre_sejour',
  'livret_famille',
  'acte_naissance',
]);
export const identityAttributeSchema = z.enum(['douteuse', 'fictive', 'homonyme']);
export const identityChangeKindSchema = z.enum(['correction', 'qualification', 'merge', 'unmerge']);
export const mtStatusSchema = z.enum(['declared', 'none', 'unknown']);
export type MtStatus = z.infer<typeof mtStatusSchema>;
/** Where a patient's médecin traitant status was last recorded (schema 6). */
export const mtSourceSchema = z.enum(['registration', 'checkin', 'room', 'orientation', 'recall']);
export type MtSource = z.infer<typeof mtSourceSchema>;
export const coverageSchema = z.enum(['amo', 'amo_amc', 'c2s', 'ame', 'aucune', 'inconnue']);
/** Schema 7: the health insurance scheme (général, agricole MSA, a special scheme, unknown). */
export const regimeSchema = z.enum(['general', 'agricole', 'special', 'inconnu']);
export type Regime = z.infer<typeof regimeSchema>;
export const roomKindSchema = z.enum(['gp_box', 'modular']);
export const professionSchema = z.enum([
  'accueil',
  'interne',
  'medecin',
  'sage_femme',
  'dentiste',
  'gynecologue',
  'infirmier',
  'assistante_sociale',
  'mediateur',
]);
export const roleSchema = z.enum(['accueil', 'clinicien', 'coordinateur', 'social', 'affichage']);
export const deviceProfileSchema = z.enum(['reception', 'room', 'coordination', 'display']);
export const stopStatusSchema = z.enum(['planned', 'open', 'closed', 'cancelled']);
export const appointmentStatusSchema = z.enum(['booked', 'checked_in', 'no_show', 'cancelled']);
export const queueStatusSchema = z.enum([
  'waiting',
  'called',
  'in_consultation',
  'done',
  'no_show',
  'left',
  'cancelled',
]);
export type QueueStatus = z.infer<typeof queueStatusSchema>;
/** A queue status as replicated: the epoch grows on each explicit reversal (requeue). */
export const statusValueSchema = z.object({
  status: queueStatusSchema,
  epoch: z.number().int().min(0),
  rank: z.number().int().min(0),
});
export type StatusValue = z.infer<typeof statusValueSchema>;
export const confidentialitySchema = z.enum(['standard', 'social', 'sexual_health']);
export type Confidentiality = z.infer<typeof confidentialitySchema>;
export const consultationStatusSchema = z.enum(['draft', 'to_validate', 'validated', 'returned']);
export const orientationKindSchema = z.enum([
  'none',
  'mt_found',
  'mt_declared',
  'msp_cpts',
  'specialist',
  'emergency',
  'social_worker',
  'follow_up_truck',
]);
export const orientationSchema = z.object({
  kind: orientationKindSchema,
  detail: shortText.optional(),
  mtName: shortText.optional(),
  followUpStopId: idSchema.optional(),
  followUpAppointmentId: idSchema.optional(),
});
export type Orientation = z.infer<typeof orientationSchema>;
export const codeSchema = z.object({
  system: z.enum(['CISP-2', 'CIM-10']),
  code: z.string().min(1).max(16),
  label: shortText,
  use: z.enum(['reason', 'result', 'diagnosis']),
});
export type Code = z.infer<typeof codeSchema>;
export const signatureKindSchema = z.enum(['author', 'supervisor', 'return']);

// ---- clinical summary (schema 5, src/domain/clinical-summary.ts) ----
/** A code of the offline terminology (src/domain/terminology.ts), without a use. */
export const termRefSchema = z.object({
  system: z.enum(['CISP-2', 'CIM-10']),
  code: z.string().min(1).max(16),
  label: shortText,
});
export type TermRef = z.infer<typeof termRefSchema>;
export const problemKindSchema = z.enum(['personal', 'family']);
export const problemStatusSchema = z.enum(['active', 'resolved']);
export const allergyKindSchema = z.enum(['allergy', 'intolerance']);
export const allergenCategorySchema = z.enum([
  'medication',
  'food',
  'environment',
  'venom',
  'latex',
  'other',
]);
export const allergyReactionSchema = z.enum([
  'anaphylaxis',
  'angioedema',
  'bronchospasm',
  'urticaria',
  'rash',
  'digestive',
  'other',
  'unknown',
]);
export const allergySeveritySchema = z.enum(['mild', 'moderate', 'severe']);
export const vaccinationSiteSchema = z.enum([
  'deltoid_left',
  'deltoid_right',
  'thigh_left',
  'thigh_right',
  'oral',
  'nasal',
  'other',
  'unknown',
]);
export const conflictResolutionSchema = z.object({
  entity: z.string(),
  rowId: idSchema,
  field: z.string(),
  chosen: z.unknown(),
  note: shortText.optional(),
});

// ---- priority policy of a service (schema 6, src/domain/priority.ts) ----
/** Queue priority among walk-ins: nobody, ALD without MT only, or without MT (ALD first). */
export const queuePrioritySchema = z.enum(['none', 'ald_no_mt', 'no_mt']);
/** Who may be booked or checked in for the service: everyone, or patients without MT only. */
export const eligibilitySchema = z.enum(['all', 'no_mt']);
export const priorityPolicySchema = z.object({
  queue: queuePrioritySchema,
  /** Appointment starts of each stop held for priority patients (the day's last ones). */
  reservedSlots: z.number().int().min(0).max(50),
  /** On the stop's day, from this time, the starts still held are open to everyone. */
  reservedUntil: hhmm.nullable(),
  eligibility: eligibilitySchema,
});
export type PriorityPolicy = z.infer<typeof priorityPolicySchema>;

// ---- orientations followed to their outcome (schema 6, src/domain/orientation.ts) ----
export const orientationPurposeSchema = z.enum(['medecin_traitant', 'avis', 'suivi', 'social']);
export const orientationTargetSchema = z.enum([
  'doctor',
  'msp',
  'cpts',
  'specialist',
  'social_service',
]);
export const orientationStateNameSchema = z.enum([
  'proposed',
  'contacted',
  'accepted',
  'refused',
  'mt_declared',
  'abandoned',
]);
export type OrientationStateName = z.infer<typeof orientationStateNameSchema>;
/** Rank of each state (a stale device never pulls an orientation back; the outcome « MT
 * déclaré » wins over a concurrent abandon, as a consultation held wins over an absence). */
export const ORIENTATION_RANK: Readonly<Record<OrientationStateName, number>> = {
  proposed: 0,
  contacted: 1,
  accepted: 2,
  refused: 2,
  abandoned: 3,
  mt_declared: 4,
};
/** One step of an orientation: the state reached, when, by whom (abandon: with its reason). */
export const orientationStepSchema = z
  .object({
    state: orientationStateNameSchema,
    at: isoDateTime,
    by: idSchema,
    reason: shortText.nullable(),
  })
  .refine((s) => s.state !== 'abandoned' || (s.reason ?? '').trim() !== '', {
    message: 'Un abandon porte sa raison',
  });
export type OrientationStep = z.infer<typeof orientationStepSchema>;
/** The replicated state: a status value (greatest epoch, rank) carrying its step. */
export const orientationStateSchema = z
  .object({
    status: orientationStateNameSchema,
    epoch: z.number().int().min(0),
    rank: z.number().int().min(0),
    at: isoDateTime,
    by: idSchema,
    reason: shortText.nullable(),
  })
  .refine((v) => v.rank === ORIENTATION_RANK[v.status], {
    message: 'Le rang ne correspond pas à l’état de l’orientation',
  })
  .refine((v) => v.status !== 'abandoned' || (v.reason ?? '').trim() !== '', {
    message: 'Un abandon porte sa raison',
  });
export type OrientationState = z.infer<typeof orientationStateSchema>;

const org = { orgId: lww(idSchema) };

// ---- documents of a consultation (schema 6, src/domain/documents.ts) ----
export const documentKindSchema = z.enum([
  'compte_rendu',
  'lettre_mt',
  'orientation',
  'certificat',
]);
export type DocumentKind = z.infer<typeof documentKindSchema>;
export const documentFormatSchema = z.enum(['print', 'pdf']);

// ---- tasks handed to certified partner components (schema 8, src/domain/partner-tasks.ts) ----
export const partnerServiceSchema = z.enum(['insi', 'eprescription', 'dmp', 'mssante', 'billing']);
export type PartnerService = z.infer<typeof partnerServiceSchema>;
/** The OIDs of an INS: NIR, NIA, and their test counterparts (the INSi test environment). */
export const insOidSchema = z.enum([
  '1.2.250.1.213.1.4.8',
  '1.2.250.1.213.1.4.9',
  '1.2.250.1.213.1.4.10',
  '1.2.250.1.213.1.4.11',
]);
/** A NIR or NIA as the INSi returns it as matricule INS (with its key, as a patient's NIR). */
export const insMatriculeSchema = z.string().regex(/^[12378]\d{4}(\d{2}|2[AB])\d{8}$/);
export const partnerTaskStateNameSchema = z.enum(['todo', 'leased', 'done', 'failed', 'manual']);
export const partnerTaskStateSchema = z
  .object({
    name: partnerTaskStateNameSchema,
    /** Tries that ended in a failure or an expired lease. */
    attempts: z.number().int().min(0).max(1000),
    /** Leases given so far. */
    leases: z.number().int().min(0).max(100_000),
    /** The partner component holding the lease (its device id), or null. */
    leasedBy: idSchema.nullable(),
    leaseUntil: isoDateTime.nullable(),
    /** A failed task is leased again from then on (backoff). */
    retryAt: isoDateTime.nullable(),
    /** Why it failed or waits for a person (French, from the partner or the rules). */
    reason: shortText.nullable(),
    at: isoDateTime,
  })
  .strict();
export const partnerOutcomeSchema = z.discriminatedUnion('service', [
  z
    .object({
      service: z.literal('insi'),
      found: z.boolean(),
      matricule: insMatriculeSchema.nullable(),
      oid: insOidSchema.nullable(),
      /** The identity status the answer gave through the identity rules (null: unchanged). */
      status: identityStatusSchema.nullable(),
    })
    .strict(),
  z.object({ service: z.literal('eprescription'), prescriptionId: idSchema }).strict(),
  z.object({ service: z.literal('dmp'), filingId: idSchema, filedAt: isoDateTime }).strict(),
  z
    .object({ service: z.literal('mssante'), messageId: idSchema.nullable(), sentAt: isoDateTime })
    .strict(),
  z
    .object({
      service: z.literal('billing'),
      billed: z.boolean(),
      invoiceId: idSchema.nullable(),
      reason: shortText.nullable(),
    })
    .strict(),
]);
export type PartnerOutcome = z.infer<typeof partnerOutcomeSchema>;

// ---- schema 8: the end-of-visit questionnaire and prevention acts (issue #17 item 3) ----
/** « Avez-vous renoncé à des soins ces douze derniers mois ? » */
export const renunciationSchema = z.enum(['oui', 'non', 'ne_sait_pas']);
/** « Sans le camion, où seriez-vous allé ? » (a short closed list, and « autre » with a word). */
export const withoutTruckSchema = z.enum([
  'medecin',
  'urgences',
  'pharmacie',
  'reporte',
  'nulle_part',
  'autre',
]);
/** The questionnaire, answered or declined (never required: absent means not asked). */
export const visitSurveySchema = z
  .object({
    answered: z.boolean(),
    renunciation: renunciationSchema.nullable(),
    withoutTruck: withoutTruckSchema.nullable(),
    withoutTruckOther: z.string().max(100).nullable(),
    at: isoDateTime,
    by: idSchema,
  })
  .strict();
export type VisitSurvey = z.infer<typeof visitSurveySchema>;
/** Prevention acts a GP ticks on the note (what the evaluation counts as prevention). */
export const preventionActSchema = z.enum([
  'vaccination',
  'depistage_cancer',
  'risque_cardiovasculaire',
  'addictions',
  'sante_sexuelle',
]);
export type PreventionAct = z.infer<typeof preventionActSchema>;

// ---- entities ----
const organisation: EntitySpec = {
  name: 'organisation',
  fields: {
    name: lww(shortText.min(1)),
    /** Schema 7: the research study key's fingerprint (src/domain/research.ts; absent: none). */
    researchKeyFingerprint: lww(
      z
        .string()
        .regex(/^[0-9A-F]{4}-[0-9A-F]{4}$/)
        .nullable()
        .optional(),
    ),
  },
};

const unit: EntitySpec = {
  name: 'unit',
  fields: { ...org, name: lww(shortText.min(1)), registration: lww(shortText.nullable()) },
};

const room: EntitySpec = {
  name: 'room',
  fields: {
    ...org,
    unitId: lww(idSchema),
    name: lww(shortText.min(1)),
    kind: lww(roomKindSchema),
    order: lww(z.number().int().min(0)),
  },
};

const staff: EntitySpec = {
  name: 'staff',
  fields: {
    ...org,
    firstName: lww(shortText.min(1)),
    lastName: lww(shortText.min(1)),
    profession: lww(professionSchema),
    roles: set(roleSchema),
    supervisorId: lww(optionalId),
    active: lww(z.boolean()),
    /** Schema 8: the RPPS number (11 digits, Luhn key; absent or null: not known). */
    rpps: lww(
      z
        .string()
        .regex(/^\d{11}$/)
        .refine(isRpps, 'Numéro RPPS invalide (clé de contrôle)')
        .nullable()
        .optional(),
    ),
  },
};

const service: EntitySpec = {
  name: 'service',
  fields: {
    ...org,
    code: lww(z.string().regex(/^[A-Z]{2,5}$/)),
    label: lww(shortText.min(1)),
    ticketPrefix: lww(z.string().regex(/^[A-Z]{1,4}$/)),
    typicalMinutes: lww(z.number().int().min(1).max(240)),
    roomKinds: set(roomKindSchema),
    professions: set(professionSchema),
    confidentiality: lww(confidentialitySchema),
    /** Schema 6: how the sans-MT / ALD priority applies here (absent: no priority). */
    priorityPolicy: lww(priorityPolicySchema.nullable().optional()),
  },
};

const stop: EntitySpec = {
  name: 'stop',
  fields: {
    ...org,
    unitId: lww(idSchema),
    date: lww(isoDate),
    communeInsee: lww(z.string().regex(/^(\d{5}|2[AB]\d{3})$/)),
    communeName: lww(shortText.min(1)),
    address: lww(shortText),
    opensAt: lww(hhmm),
    closesAt: lww(hhmm),
    status: lww(stopStatusSchema),
  },
};

const rosterSlot: EntitySpec = {
  name: 'rosterSlot',
  fields: {
    ...org,
    stopId: lww(idSchema),
    roomId: lww(idSchema),
    start: lww(hhmm),
    end: lww(hhmm),
    serviceIds: set(idSchema),
    staffIds: set(idSchema),
  },
};

const patient: EntitySpec = {
  name: 'patient',
  fields: {
    ...org,
    birthName: clin(shortText.min(1)),
    usedName: clin(shortText.nullable()),
    firstNames: clin(shortText.min(1)),
    usedFirstName: clin(shortText.nullable()),
    sex: clin(sexSchema),
    birthDate: clin(isoDate),
    birthPlaceCode: clin(z.string().regex(/^(\d{5}|2[AB]\d{3})$/)),
    identityStatus: clin(identityStatusSchema),
    nir: clin(
      z
        .string()
        .regex(/^[12378]\d{4}(\d{2}|2[AB])\d{8}$/)
        .nullable(),
    ),
    phone: lww(shortText.nullable()),
    email: lww(shortText.nullable()),
    address: lww(shortText.nullable()),
    communeInsee: lww(
      z
        .string()
        .regex(/^(\d{5}|2[AB]\d{3})$/)
        .nullable(),
    ),
    coverage: lww(coverageSchema),
    mtStatus: clin(mtStatusSchema),
    mtName: clin(shortText.nullable()),
    /** Schema 6: when the MT status was last recorded, and where (absent before). */
    mtStatusAt: clin(isoDateTime.nullable().optional()),
    mtSource: clin(mtSourceSchema.nullable().optional()),
    ald: clin(z.boolean()),
    // Schema 7 (src/domain/patient-admin.ts); absent on identities written before it.
    /** The nature of the ALD (affection de longue durée) as the patient's papers say it. */
    aldNature: clin(shortText.nullable().optional()),
    /** The ALD's exoneration (« exonération du ticket modérateur ») is in force. */
    aldExoneration: clin(z.boolean().nullable().optional()),
    /** The health insurance scheme (régime). */
    regime: lww(regimeSchema.nullable().optional()),
    /** The patient agrees to be contacted (recalls, the follow-up of an orientation). */
    contactConsent: lww(z.boolean().nullable().optional()),
    allergies: set(shortText.min(1)),
    createdAt: lww(isoDateTime),
    /** Recorded choice when reception created this identity despite suspected duplicates. */
    duplicateDecision: lww(
      z
        .object({ suspects: z.array(idSchema), choice: z.enum(['created_anyway']), by: idSchema })
        .nullable(),
    ),
    // Schema 4 (src/domain/identity-lifecycle.ts); absent on identities written before it.
    /** The document checked when the identity was set « validée ». */
    identityDocument: lww(idDocumentSchema.nullable().optional()),
    /** RNIV attributes: identité douteuse, fictive, homonyme. */
    identityAttributes: set(identityAttributeSchema),
    /** This identity was merged into that one: reads follow the pointer (null: not merged). */
    mergedInto: lww(optionalId.optional()),
    // Schema 8 (src/domain/partner-tasks.ts): the INS the INSi téléservice returned, applied
    // through the identity-status rules (absent: never qualified by the téléservice).
    /** The matricule INS (NIR or NIA), which may differ from the NIR the patient declared. */
    insMatricule: clin(insMatriculeSchema.nullable().optional()),
    /** The OID telling a NIR from a NIA (and the test ones). */
    insOid: clin(insOidSchema.nullable().optional()),
  },
};

const appointment: EntitySpec = {
  name: 'appointment',
  fields: {
    ...org,
    patientId: lww(idSchema),
    stopId: lww(idSchema),
    serviceId: lww(idSchema),
    time: lww(hhmm),
    durationMin: lww(z.number().int().min(5).max(240)),
    status: lww(appointmentStatusSchema),
    note: lww(shortText.nullable()),
    createdAt: lww(isoDateTime),
  },
};

const visit: EntitySpec = {
  name: 'visit',
  fields: {
    ...org,
    patientId: lww(idSchema),
    stopId: lww(idSchema),
    appointmentId: lww(optionalId),
    arrivedAt: lww(isoDateTime),
    motif: clin(shortText),
    noMt: lww(z.boolean()),
    ald: lww(z.boolean()),
    urgent: lww(z.boolean()),
    urgentReason: lww(shortText.nullable()),
    /** Schema 6: the MT state asked at check-in; `noMt` is true only for 'none'. */
    mtStatus: lww(mtStatusSchema.optional()),
    /** Schema 8: the optional end-of-visit questionnaire (absent or null: not asked). */
    survey: lww(visitSurveySchema.nullable().optional()),
  },
};

const queueEntry: EntitySpec = {
  name: 'queueEntry',
  fields: {
    ...org,
    visitId: lww(idSchema),
    stopId: lww(idSchema),
    serviceId: lww(idSchema),
    position: lww(z.number().int().min(0)),
    ticket: lww(z.string().regex(/^[A-Z]{1,4}-\d{3,}$/)),
    status: { kind: 'status', schema: statusValueSchema },
    roomId: lww(optionalId),
    practitionerId: lww(optionalId),
    calledAt: lww(isoDateTime.nullable()),
    startedAt: lww(isoDateTime.nullable()),
    endedAt: lww(isoDateTime.nullable()),
    comingFromRoomId: lww(optionalId),
    endReason: lww(shortText.nullable()),
    /** Schema 6: the appointment time kept for this service (null: a walk-in), set at check-in,
     * so every screen — the display too, which reads no appointments — orders alike. */
    bookedTime: lww(hhmm.nullable().optional()),
  },
};

const consultation: EntitySpec = {
  name: 'consultation',
  fields: {
    ...org,
    queueEntryId: lww(idSchema),
    visitId: lww(idSchema),
    patientId: lww(idSchema),
    stopId: lww(idSchema),
    serviceId: lww(idSchema),
    authorId: lww(idSchema),
    supervisorId: lww(optionalId),
    motif: clin(longText),
    subjective: clin(longText),
    objective: clin(longText),
    assessment: clin(longText),
    plan: clin(longText),
    codes: set(codeSchema),
    orientation: clin(orientationSchema),
    confidentiality: clin(confidentialitySchema),
    status: clin(consultationStatusSchema),
    returnComment: clin(longText.nullable()),
    createdAt: lww(isoDateTime),
    /** The room the note was written in (absent on notes written before schema 3). */
    roomId: lww(optionalId.optional()),
    /** Schema 8: the prevention acts done in this consultation (absent before: none recorded). */
    prevention: clin(z.array(preventionActSchema).max(5).optional()),
  },
};

/** An orientation proposed in a consultation and followed by the coordination to its outcome
 * (src/domain/orientation.ts). Several per consultation. */
const orientation: EntitySpec = {
  name: 'orientation',
  fields: {
    ...org,
    patientId: lww(idSchema),
    consultationId: lww(optionalId),
    createdAt: lww(isoDateTime),
    createdBy: lww(idSchema),
    purpose: clin(orientationPurposeSchema),
    target: clin(orientationTargetSchema),
    targetName: clin(shortText.min(1)),
    note: clin(shortText.nullable()),
    state: { kind: 'status', schema: orientationStateSchema },
    /** Every step with its date and who, kept by union. */
    steps: set(orientationStepSchema),
  },
};

// ---- append-only events ----
const vitals: EntitySpec = {
  name: 'vitals',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    consultationId: ev(idSchema),
    patientId: ev(idSchema),
    takenAt: ev(isoDateTime),
    authorId: ev(idSchema),
    systolic: ev(z.number().int().min(40).max(300).nullable()),
    diastolic: ev(z.number().int().min(20).max(200).nullable()),
    heartRate: ev(z.number().int().min(20).max(250).nullable()),
    temperature: ev(z.number().min(30).max(45).nullable()),
    spo2: ev(z.number().int().min(50).max(100).nullable()),
    weightKg: ev(z.number().min(0.3).max(400).nullable()),
    heightCm: ev(z.number().min(20).max(250).nullable()),
    /** Capillary glycaemia in g/L (schema 5; absent on measures taken before it). */
    glycaemia: ev(z.number().min(0.1).max(10).nullable().optional()),
  },
};

const signature: EntitySpec = {
  name: 'signature',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    consultationId: ev(idSchema),
    kind: ev(signatureKindSchema),
    staffId: ev(idSchema),
    at: ev(isoDateTime),
    /** Digest of the signed content, so a later edit is detectable. */
    contentHash: ev(z.string().min(1).max(128)),
    comment: ev(longText.nullable()),
    /** Schema 6: the addendum this review validates or returns (absent: the note itself). */
    addendumId: ev(optionalId.optional()),
  },
};

const addendum: EntitySpec = {
  name: 'addendum',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    consultationId: ev(idSchema),
    authorId: ev(idSchema),
    at: ev(isoDateTime),
    text: ev(longText.min(1)),
    /** Schema 6: the digest of the addendum's content (addendumHash, src/domain/consultation.ts). */
    contentHash: ev(z.string().min(1).max(128).optional()),
    /** Schema 6: the supervisor of an author under supervision: the addendum awaits their
     * validation (« à valider ») like a note. Null for an autonomous author. */
    supervisorId: ev(optionalId.optional()),
  },
};

/** Schema 6: what a clinician writes from a note for the social and mediation roles, who read
 * this and never the note itself (src/domain/reading.ts). */
const transmission: EntitySpec = {
  name: 'transmission',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    consultationId: ev(idSchema),
    patientId: ev(idSchema),
    authorId: ev(idSchema),
    at: ev(isoDateTime),
    text: ev(longText.min(1)),
  },
};

export const breakGlassReasonSchema = z.enum([
  'urgence_vitale',
  'continuite_soins',
  'demande_patient',
  'autre',
]);
export type BreakGlassReason = z.infer<typeof breakGlassReasonSchema>;

/** Schema 6: a « bris de glace »: a clinician opens a patient's notes they may not normally
 * read, for a reason chosen from a list (and an optional text kept here, sealed, never in the
 * audit), until a time; the coordination reviews them (src/domain/reading.ts). */
const breakGlass: EntitySpec = {
  name: 'breakGlass',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    patientId: ev(idSchema),
    staffId: ev(idSchema),
    at: ev(isoDateTime),
    until: ev(isoDateTime),
    reason: ev(breakGlassReasonSchema),
    comment: ev(shortText.nullable()),
  },
};

/** Schema 6: the patient objects to (or agrees again to) the sharing of their notes within the
 * team; the latest record wins (src/domain/reading.ts). Recorded at reception or in a room. */
const sharingObjection: EntitySpec = {
  name: 'sharingObjection',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    patientId: ev(idSchema),
    staffId: ev(idSchema),
    at: ev(isoDateTime),
    objects: ev(z.boolean()),
  },
};

/** Schema 7: the patient objects to (or agrees again to) the reuse of their data for research
 * (MR-004); the latest record wins and an objecting patient is never in a research extract
 * (src/domain/research.ts). Recorded at reception or in a room. */
const researchObjection: EntitySpec = {
  name: 'researchObjection',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    patientId: ev(idSchema),
    staffId: ev(idSchema),
    at: ev(isoDateTime),
    objects: ev(z.boolean()),
  },
};

const audit: EntitySpec = {
  name: 'audit',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    at: ev(isoDateTime),
    actorId: ev(optionalId),
    deviceId: ev(idSchema),
    action: ev(z.string().min(1).max(64)),
    entity: ev(z.string().max(64).nullable()),
    entityId: ev(optionalId),
    detail: ev(z.string().max(2000).nullable()),
  },
};

/** A resolved conflict: the chosen value is written as an ordinary op; this keeps who and why. */
const conflictResolution: EntitySpec = {
  name: 'conflictResolution',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    at: ev(isoDateTime),
    staffId: ev(idSchema),
    entity: ev(z.string().min(1).max(64)),
    rowId: ev(idSchema),
    field: ev(z.string().min(1).max(64)),
    versions: ev(z.array(z.object({ value: z.unknown(), hlc: z.string() })).max(32)),
    chosen: ev(z.unknown()),
  },
};

export const contradictionKindSchema = z.enum([
  'patient_in_two_rooms',
  'room_two_patients',
  'two_consultations',
  'ended_with_note',
  'stale_call',
]);
export const contradictionDecisionSchema = z.enum([
  'acknowledged',
  'status_kept',
  'addendum',
  'room_reassigned',
]);

/**
 * A person saw a contradiction of the day (src/domain/day-invariants.ts) and acted on it. The
 * contradiction itself is derived from the rows, never stored; this event only closes it, and
 * keeps who and what (docs/decisions/0004-day-invariants.md). No free text: reception reads it.
 */
const contradictionAck: EntitySpec = {
  name: 'contradictionAck',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    stopId: ev(idSchema),
    contradictionId: ev(z.string().min(1).max(1000)),
    kind: ev(contradictionKindSchema),
    at: ev(isoDateTime),
    staffId: ev(idSchema),
    decision: ev(contradictionDecisionSchema),
    /** For two notes of one visit: the note kept as the main one (the other got an addendum). */
    keptConsultationId: ev(optionalId),
  },
};

/** One act on an identity, kept for its history: a correction (each trait with its previous
 * value), a qualification, a merge or its undoing (src/domain/identity-lifecycle.ts). */
const identityChange: EntitySpec = {
  name: 'identityChange',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    patientId: ev(idSchema),
    at: ev(isoDateTime),
    staffId: ev(idSchema),
    kind: ev(identityChangeKindSchema),
    changes: ev(
      z
        .array(
          z.object({
            field: z.string().min(1).max(64),
            before: z.string().max(200).nullable(),
            after: z.string().max(200).nullable(),
          }),
        )
        .max(32),
    ),
    /** For a merge or its undoing: the surviving identity. */
    otherPatientId: ev(optionalId),
  },
};

// ---- the clinical summary (schema 5): rows of a patient, written in the rooms, each field an
// ordinary clinical register (a concurrent loser is kept as a conflict record). Who recorded it
// and when stay as they were first written. ----
const recorded = {
  ...org,
  patientId: lww(idSchema),
  recordedAt: lww(isoDateTime),
  recordedBy: lww(idSchema),
  /** The note it was recorded with (signing can add to the summary), or null. */
  consultationId: lww(optionalId),
};

/** A problem or antecedent, coded when the terminology has it. */
const problem: EntitySpec = {
  name: 'problem',
  fields: {
    ...recorded,
    kind: clin(problemKindSchema),
    code: clin(termRefSchema.nullable()),
    label: clin(shortText.min(1)),
    status: clin(problemStatusSchema),
    onsetDate: clin(isoDate.nullable()),
    resolvedDate: clin(isoDate.nullable()),
    note: clin(shortText.nullable()),
  },
};

/** A current (or stopped) treatment, free text with its dose. */
const treatment: EntitySpec = {
  name: 'treatment',
  fields: {
    ...recorded,
    name: clin(shortText.min(1)),
    dose: clin(shortText),
    startDate: clin(isoDate.nullable()),
    stopDate: clin(isoDate.nullable()),
    stopReason: clin(shortText.nullable()),
  },
};

/** An allergy or intolerance: substance, its category, the reaction and its severity. */
const allergy: EntitySpec = {
  name: 'allergy',
  fields: {
    ...recorded,
    kind: clin(allergyKindSchema),
    substance: clin(shortText.min(1)),
    category: clin(allergenCategorySchema),
    reaction: clin(allergyReactionSchema),
    severity: clin(allergySeveritySchema),
    note: clin(shortText.nullable()),
  },
};

/** A vaccination given in the truck (by a person of the team) or reported (by whom, where). */
const vaccination: EntitySpec = {
  name: 'vaccination',
  fields: {
    ...recorded,
    vaccine: clin(shortText.min(1)),
    lot: clin(shortText.nullable()),
    date: clin(isoDate),
    site: clin(vaccinationSiteSchema),
    /** The person of the team who gave it, or null when given elsewhere. */
    givenBy: clin(optionalId),
    /** Who gave it elsewhere (« Dr Martin, Mamers »), or null. */
    givenElsewhere: clin(shortText.nullable()),
  },
};

/** A certificate template the coordination edits (aptitude, présence…): its body holds
 * placeholders the composition fills in (src/domain/documents.ts). */
const documentTemplate: EntitySpec = {
  name: 'documentTemplate',
  fields: {
    ...org,
    title: lww(shortText.min(1)),
    body: lww(z.string().min(1).max(4000)),
    active: lww(z.boolean()),
  },
};

/** A document composed from a signed note and printed or saved as PDF: what, when, by whom.
 * Never its text: the document is composed again from the note when it is read. */
const printedDocument: EntitySpec = {
  name: 'printedDocument',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    consultationId: ev(idSchema),
    patientId: ev(idSchema),
    kind: ev(documentKindSchema),
    /** The certificate's template, or null for the other kinds. */
    templateId: ev(optionalId),
    staffId: ev(idSchema),
    at: ev(isoDateTime),
    format: ev(documentFormatSchema),
    /** Printed while the note awaited its supervisor's validation (marked « à valider »). */
    pendingValidation: ev(z.boolean()),
    /** Schema 8: a letter also to send by MSSanté (a partner task; absent: not to send). */
    send: ev(z.boolean().optional()),
  },
};

/** Schema 8: a task for a certified partner component (INSi, e-prescription, DMP, MSSanté,
 * billing): produced and written by central only, on behalf of the partner that answers it, and
 * replicated so the record shows its outcome (docs/decisions/0022-partner-tasks.md). Its
 * references only: what the partner receives is read from the rows when it fetches the task. */
const partnerTask: EntitySpec = {
  name: 'partnerTask',
  fields: {
    ...org,
    service: lww(partnerServiceSchema),
    /** The row whose event produced it: a patient, a note, a printed document. */
    sourceEntity: lww(z.enum(['patient', 'consultation', 'printedDocument'])),
    sourceId: lww(idSchema),
    patientId: lww(idSchema),
    /** The note it belongs to (its visibility follows the note's), or null (INSi). */
    consultationId: lww(optionalId),
    createdAt: lww(isoDateTime),
    state: lww(partnerTaskStateSchema),
    outcome: lww(partnerOutcomeSchema.nullable()),
  },
};

const device: EntitySpec = {
  name: 'device',
  fields: {
    ...org,
    name: lww(shortText.min(1)),
    // Schema 8: a partner component is withdrawn like a device (docs/integrations.md).
    profile: lww(z.union([deviceProfileSchema, z.literal('partner')])),
    roomId: lww(optionalId),
    enrolledAt: lww(isoDateTime),
    revoked: lww(z.boolean()),
  },
};

/** Central's proof that it holds a stop's day, recorded by the coordinator before any purge. */
const syncReceipt: EntitySpec = {
  name: 'syncReceipt',
  immutable: true,
  fields: {
    orgId: ev(idSchema),
    stopId: ev(idSchema),
    at: ev(isoDateTime),
    staffId: ev(idSchema),
    /** Day digest held alike by this device, the relay (when used) and central. */
    digest: ev(z.string().regex(/^[0-9a-f]{64}$/)),
    via: ev(z.enum(['central', 'relay'])),
    /** The devices whose ops central held, with their name and room (docs/protocol.md). */
    devices: ev(
      z
        .array(
          z.object({
            dev: idSchema,
            seq: z.number().int().min(0),
            name: z.string().max(200).optional(),
          }),
        )
        .max(1000),
    ),
    /** Devices the coordinator excused from the closure's coverage, named, with the reason:
     * they keep their data until a later receipt covers them (docs/decisions/0007). */
    excused: ev(
      z
        .array(z.object({ dev: idSchema, name: z.string().max(200), reason: z.string().max(500) }))
        .max(100)
        .optional(),
    ),
    /** The horizon the proof was taken at (schema 9, decision 0027): the digest and row hashes
     * are over the comparable form there; absent, over the merge states as held. */
    hz: ev(z.string().max(MAX_HLC).regex(HORIZON_PATTERN).optional()),
    /** Each row of the day with the hash of the merge state central held. */
    rows: ev(
      z
        .array(
          z.object({
            e: z.string().min(1).max(64),
            id: idSchema,
            h: z.string().regex(/^[0-9a-f]{32}$/),
          }),
        )
        .max(50_000),
    ),
  },
};

export const ENTITY_SPECS = {
  organisation,
  unit,
  room,
  staff,
  service,
  stop,
  rosterSlot,
  patient,
  appointment,
  visit,
  queueEntry,
  consultation,
  vitals,
  signature,
  addendum,
  transmission,
  breakGlass,
  sharingObjection,
  researchObjection,
  audit,
  conflictResolution,
  device,
  syncReceipt,
  contradictionAck,
  identityChange,
  problem,
  treatment,
  allergy,
  vaccination,
  documentTemplate,
  printedDocument,
  orientation,
  partnerTask,
} satisfies Record<string, EntitySpec>;

export type EntityName = keyof typeof ENTITY_SPECS;
export const ENTITY_NAMES = Object.keys(ENTITY_SPECS) as EntityName[];

export function entitySpec(name: string): EntitySpec | undefined {
  return Object.hasOwn(ENTITY_SPECS, name) ? ENTITY_SPECS[name as EntityName] : undefined;
}

/** The whole-row schema of an entity (all fields required), used for inserts and seeds. */
export function rowSchema(name: EntityName): z.ZodObject {
  const spec = ENTITY_SPECS[name];
  const shape: Record<string, z.ZodType> = { id: idSchema };
  for (const [field, f] of Object.entries(spec.fields)) {
    shape[field] = f.kind === 'set' ? z.array(f.schema) : f.schema;
  }
  return z.object(shape).strict();
}

// ---- row types, as the UI and the domain rules read them (materialised values) ----
type Nullable<T> = T | null;
export interface Row {
  id: string;
  orgId: string;
  _deleted?: boolean;
}
export interface Organisation {
  id: string;
  name: string;
  researchKeyFingerprint?: Nullable<string>;
}
export interface Unit extends Row {
  name: string;
  registration: Nullable<string>;
}
export interface Room extends Row {
  unitId: string;
  name: string;
  kind: z.infer<typeof roomKindSchema>;
  order: number;
}
export type Profession = z.infer<typeof professionSchema>;
export type Role = z.infer<typeof roleSchema>;
export interface Staff extends Row {
  firstName: string;
  lastName: string;
  profession: Profession;
  roles: Role[];
  supervisorId: Nullable<string>;
  active: boolean;
  /** Schema 8: the RPPS number, absent on members written before it. */
  rpps?: Nullable<string>;
}
export interface Service extends Row {
  code: string;
  label: string;
  ticketPrefix: string;
  typicalMinutes: number;
  roomKinds: Room['kind'][];
  professions: Profession[];
  confidentiality: Confidentiality;
  /** Absent on services written before schema 6: no priority. */
  priorityPolicy?: Nullable<PriorityPolicy>;
}
export interface Stop extends Row {
  unitId: string;
  date: string;
  communeInsee: string;
  communeName: string;
  address: string;
  opensAt: string;
  closesAt: string;
  status: z.infer<typeof stopStatusSchema>;
}
export interface RosterSlot extends Row {
  stopId: string;
  roomId: string;
  start: string;
  end: string;
  serviceIds: string[];
  staffIds: string[];
}
export interface Patient extends Row {
  birthName: string;
  usedName: Nullable<string>;
  firstNames: string;
  usedFirstName: Nullable<string>;
  sex: z.infer<typeof sexSchema>;
  birthDate: string;
  birthPlaceCode: string;
  identityStatus: z.infer<typeof identityStatusSchema>;
  nir: Nullable<string>;
  phone: Nullable<string>;
  email: Nullable<string>;
  address: Nullable<string>;
  communeInsee: Nullable<string>;
  coverage: z.infer<typeof coverageSchema>;
  mtStatus: z.infer<typeof mtStatusSchema>;
  mtName: Nullable<string>;
  /** Absent before schema 6. */
  mtStatusAt?: Nullable<string>;
  mtSource?: Nullable<MtSource>;
  ald: boolean;
  /** Absent on identities written before schema 7. */
  aldNature?: Nullable<string>;
  aldExoneration?: Nullable<boolean>;
  regime?: Nullable<Regime>;
  contactConsent?: Nullable<boolean>;
  allergies: string[];
  createdAt: string;
  duplicateDecision: Nullable<{ suspects: string[]; choice: 'created_anyway'; by: string }>;
  /** Absent on identities written before schema 4. */
  identityDocument?: Nullable<z.infer<typeof idDocumentSchema>>;
  identityAttributes?: z.infer<typeof identityAttributeSchema>[];
  mergedInto?: Nullable<string>;
  /** Absent on identities the INSi never qualified (schema 8). */
  insMatricule?: Nullable<string>;
  insOid?: Nullable<z.infer<typeof insOidSchema>>;
}
export interface Appointment extends Row {
  patientId: string;
  stopId: string;
  serviceId: string;
  time: string;
  durationMin: number;
  status: z.infer<typeof appointmentStatusSchema>;
  note: Nullable<string>;
  createdAt: string;
}
export interface Visit extends Row {
  patientId: string;
  stopId: string;
  appointmentId: Nullable<string>;
  arrivedAt: string;
  motif: string;
  noMt: boolean;
  ald: boolean;
  urgent: boolean;
  urgentReason: Nullable<string>;
  /** Absent on visits checked in before schema 6 (then `noMt` says « sans MT »). */
  mtStatus?: MtStatus;
  /** Schema 8: the end-of-visit questionnaire (absent or null: not asked). */
  survey?: Nullable<VisitSurvey>;
}
export interface QueueEntry extends Row {
  visitId: string;
  stopId: string;
  serviceId: string;
  /** Order of this service among the services the visit asked for (0 = first). */
  position: number;
  ticket: string;
  status: StatusValue;
  roomId: Nullable<string>;
  practitionerId: Nullable<string>;
  calledAt: Nullable<string>;
  startedAt: Nullable<string>;
  endedAt: Nullable<string>;
  comingFromRoomId: Nullable<string>;
  endReason: Nullable<string>;
  /** Absent on entries checked in before schema 6 (the appointment is read instead). */
  bookedTime?: Nullable<string>;
}
export interface Consultation extends Row {
  queueEntryId: string;
  visitId: string;
  patientId: string;
  stopId: string;
  serviceId: string;
  authorId: string;
  supervisorId: Nullable<string>;
  motif: string;
  subjective: string;
  objective: string;
  assessment: string;
  plan: string;
  codes: Code[];
  orientation: Orientation;
  confidentiality: Confidentiality;
  status: z.infer<typeof consultationStatusSchema>;
  returnComment: Nullable<string>;
  createdAt: string;
  /** Absent on notes written before schema 3: their room is their queue entry's. */
  roomId?: Nullable<string>;
  /** Schema 8: prevention acts done (absent on notes written before: none recorded). */
  prevention?: PreventionAct[];
}
export interface Vitals extends Row {
  consultationId: string;
  patientId: string;
  takenAt: string;
  authorId: string;
  systolic: Nullable<number>;
  diastolic: Nullable<number>;
  heartRate: Nullable<number>;
  temperature: Nullable<number>;
  spo2: Nullable<number>;
  weightKg: Nullable<number>;
  heightCm: Nullable<number>;
  /** Absent on measures taken before schema 5. */
  glycaemia?: Nullable<number>;
}
export interface Signature extends Row {
  consultationId: string;
  kind: z.infer<typeof signatureKindSchema>;
  staffId: string;
  at: string;
  contentHash: string;
  comment: Nullable<string>;
  /** Schema 6: set on the review of an addendum. */
  addendumId?: Nullable<string>;
}
export interface Addendum extends Row {
  consultationId: string;
  authorId: string;
  at: string;
  text: string;
  /** Absent on addenda written before schema 6. */
  contentHash?: string;
  supervisorId?: Nullable<string>;
}
export interface Transmission extends Row {
  consultationId: string;
  patientId: string;
  authorId: string;
  at: string;
  text: string;
}
export interface BreakGlass extends Row {
  patientId: string;
  staffId: string;
  at: string;
  until: string;
  reason: BreakGlassReason;
  comment: Nullable<string>;
}
export interface SharingObjection extends Row {
  patientId: string;
  staffId: string;
  at: string;
  objects: boolean;
}
export interface ResearchObjection extends Row {
  patientId: string;
  staffId: string;
  at: string;
  objects: boolean;
}
export interface AuditEvent extends Row {
  at: string;
  actorId: Nullable<string>;
  deviceId: string;
  action: string;
  entity: Nullable<string>;
  entityId: Nullable<string>;
  detail: Nullable<string>;
}
export interface ConflictResolution extends Row {
  at: string;
  staffId: string;
  entity: string;
  rowId: string;
  field: string;
  versions: { value: unknown; hlc: string }[];
  chosen: unknown;
}
export interface SyncReceipt extends Row {
  stopId: string;
  at: string;
  staffId: string;
  digest: string;
  via: 'central' | 'relay';
  devices: { dev: string; seq: number; name?: string }[];
  excused?: { dev: string; name: string; reason: string }[];
  /** Schema 9: the horizon its proof was taken at (decision 0027). */
  hz?: string;
  rows: { e: string; id: string; h: string }[];
}
export interface ContradictionAck extends Row {
  stopId: string;
  contradictionId: string;
  kind: z.infer<typeof contradictionKindSchema>;
  at: string;
  staffId: string;
  decision: z.infer<typeof contradictionDecisionSchema>;
  keptConsultationId: Nullable<string>;
}
export interface IdentityChange extends Row {
  patientId: string;
  at: string;
  staffId: string;
  kind: z.infer<typeof identityChangeKindSchema>;
  changes: { field: string; before: string | null; after: string | null }[];
  otherPatientId: Nullable<string>;
}
/** What every row of the clinical summary carries. */
export interface SummaryRow extends Row {
  patientId: string;
  recordedAt: string;
  recordedBy: string;
  consultationId: Nullable<string>;
}
export interface Problem extends SummaryRow {
  kind: z.infer<typeof problemKindSchema>;
  code: Nullable<TermRef>;
  label: string;
  status: z.infer<typeof problemStatusSchema>;
  onsetDate: Nullable<string>;
  resolvedDate: Nullable<string>;
  note: Nullable<string>;
}
export interface Treatment extends SummaryRow {
  name: string;
  dose: string;
  startDate: Nullable<string>;
  stopDate: Nullable<string>;
  stopReason: Nullable<string>;
}
export interface Allergy extends SummaryRow {
  kind: z.infer<typeof allergyKindSchema>;
  substance: string;
  category: z.infer<typeof allergenCategorySchema>;
  reaction: z.infer<typeof allergyReactionSchema>;
  severity: z.infer<typeof allergySeveritySchema>;
  note: Nullable<string>;
}
export interface Vaccination extends SummaryRow {
  vaccine: string;
  lot: Nullable<string>;
  date: string;
  site: z.infer<typeof vaccinationSiteSchema>;
  givenBy: Nullable<string>;
  givenElsewhere: Nullable<string>;
}
export interface DocumentTemplate extends Row {
  title: string;
  body: string;
  active: boolean;
}
export interface PrintedDocument extends Row {
  consultationId: string;
  patientId: string;
  kind: DocumentKind;
  templateId: Nullable<string>;
  staffId: string;
  at: string;
  format: z.infer<typeof documentFormatSchema>;
  pendingValidation: boolean;
  /** Absent before schema 8: not to send. */
  send?: boolean;
}
export type PartnerTaskState = z.infer<typeof partnerTaskStateSchema>;
export interface PartnerTask extends Row {
  service: PartnerService;
  sourceEntity: 'patient' | 'consultation' | 'printedDocument';
  sourceId: string;
  patientId: string;
  consultationId: Nullable<string>;
  createdAt: string;
  state: PartnerTaskState;
  outcome: Nullable<PartnerOutcome>;
}
export interface FollowedOrientation extends Row {
  patientId: string;
  consultationId: Nullable<string>;
  createdAt: string;
  createdBy: string;
  purpose: z.infer<typeof orientationPurposeSchema>;
  target: z.infer<typeof orientationTargetSchema>;
  targetName: string;
  note: Nullable<string>;
  state: OrientationState;
  steps: OrientationStep[];
}
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;
export interface Device extends Row {
  name: string;
  profile: DeviceProfile | 'partner';
  roomId: Nullable<string>;
  enrolledAt: string;
  revoked: boolean;
}

export interface EntityRows {
  organisation: Organisation;
  unit: Unit;
  room: Room;
  staff: Staff;
  service: Service;
  stop: Stop;
  rosterSlot: RosterSlot;
  patient: Patient;
  appointment: Appointment;
  visit: Visit;
  queueEntry: QueueEntry;
  consultation: Consultation;
  vitals: Vitals;
  signature: Signature;
  addendum: Addendum;
  transmission: Transmission;
  breakGlass: BreakGlass;
  sharingObjection: SharingObjection;
  researchObjection: ResearchObjection;
  audit: AuditEvent;
  conflictResolution: ConflictResolution;
  device: Device;
  syncReceipt: SyncReceipt;
  contradictionAck: ContradictionAck;
  identityChange: IdentityChange;
  problem: Problem;
  treatment: Treatment;
  allergy: Allergy;
  vaccination: Vaccination;
  documentTemplate: DocumentTemplate;
  printedDocument: PrintedDocument;
  orientation: FollowedOrientation;
  partnerTask: PartnerTask;
}
