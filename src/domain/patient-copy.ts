// The patient's copy of their record (right of access, RGPD art. 15 and Code de la santé
// publique L1111-7; issue #16 item 2): every identity trait and its history, every visit, every
// signed note with its vitals, signatures and addenda, the clinical summary, the documents given
// and the orientations followed, of one patient and of every identity merged into theirs. One
// structure serves the printed copy and the machine-readable file (docs/guide/coordination.md,
// « Copie du dossier »). Pure: the coordination's device passes what it holds.
import type {
  FollowedOrientation,
  IdentityChange,
  PrintedDocument,
  Service,
  Staff,
  Stop,
} from './entities';
import type { PastRecord } from './patient-record';

export const COPY_FORMAT = 'escale/copie-du-dossier';
export const COPY_VERSION = 1;

export interface CopyInput {
  /** The record as the coordination reads it (pastRecord with the coordinating doctor). */
  record: PastRecord;
  /** The patient's identity and every identity merged into it (mergeGroup). */
  group: readonly string[];
  identityChanges: readonly IdentityChange[];
  orientations: readonly FollowedOrientation[];
  printedDocuments: readonly PrintedDocument[];
  stops: readonly Stop[];
  services: readonly Service[];
  staff: readonly Staff[];
  madeAt: string;
  madeBy: string;
}

export interface CopyNote {
  date: string;
  place: string | null;
  service: string | null;
  author: string;
  supervisor: string | null;
  status: string;
  confidentiality: string;
  motif: string;
  subjective: string;
  objective: string;
  assessment: string;
  plan: string;
  codes: { system: string; code: string; label: string }[];
  orientation: { kind: string; detail?: string | null };
  vitals: Record<string, number | string | null>[];
  signatures: { kind: string; by: string; at: string; comment: string | null }[];
  addenda: { at: string; by: string; text: string }[];
}

export interface PatientCopy {
  format: typeof COPY_FORMAT;
  version: typeof COPY_VERSION;
  madeAt: string;
  madeBy: string;
  identity: Record<string, unknown>;
  identityHistory: {
    at: string;
    by: string;
    kind: string;
    changes: { field: string; before: string | null; after: string | null }[];
  }[];
  visits: { arrivedAt: string; place: string | null; motif: string; noMt: boolean; ald: boolean }[];
  notes: CopyNote[];
  summary: {
    problems: Record<string, unknown>[];
    treatments: Record<string, unknown>[];
    allergies: Record<string, unknown>[];
    vaccinations: Record<string, unknown>[];
  };
  documents: { kind: string; at: string; by: string; noteDate: string | null }[];
  orientations: {
    createdAt: string;
    by: string;
    purpose: string;
    target: string;
    targetName: string;
    state: string;
    steps: { state: string; at: string; by: string; reason: string | null }[];
  }[];
}

/** Refusal in French, or null: a copy needs a known patient. */
export function copyRefusal(record: PastRecord): string | null {
  return record.patient ? null : 'Ce patient n’est pas connu sur cet appareil.';
}

const ROW_KEYS = new Set(['id', 'orgId', '_deleted', 'searchKey', 'patientId', 'consultationId']);

/** A row as the patient reads it: no internal ids, the people named. */
function plain(
  row: object,
  name: (id: string | null | undefined) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (ROW_KEYS.has(k)) continue;
    out[k] = k === 'recordedBy' || k === 'authorId' ? name(v as string) : v;
  }
  return out;
}

const asc =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

/**
 * The copy, oldest first. Only signed notes (an author's signature): a draft is not yet part of
 * the record. Restricted classes are the patient's own and are included.
 */
export function patientCopy(input: CopyInput): PatientCopy {
  const { record } = input;
  const refusal = copyRefusal(record);
  if (refusal) throw new Error(refusal);
  const patient = record.patient!;
  const people = new Map(input.staff.map((s) => [s.id, `${s.firstName} ${s.lastName}`]));
  const name = (id: string | null | undefined) =>
    id ? (people.get(id) ?? 'membre de l’équipe') : '';
  const stops = new Map(input.stops.map((s) => [s.id, s]));
  const services = new Map(input.services.map((s) => [s.id, s.label]));
  const group = new Set([record.patientId, ...input.group]);
  const signed = new Set(
    record.signatures.filter((s) => s.kind === 'author').map((s) => s.consultationId),
  );
  const notes = record.consultations.filter((c) => signed.has(c.id)).sort(asc((c) => c.createdAt));
  const noteDate = new Map(notes.map((c) => [c.id, c.createdAt]));
  const {
    id: _id,
    orgId: _org,
    searchKey: _key,
    ...identity
  } = patient as typeof patient & {
    searchKey?: string;
  };
  return {
    format: COPY_FORMAT,
    version: COPY_VERSION,
    madeAt: input.madeAt,
    madeBy: name(input.madeBy),
    identity: { ...identity, mergedInto: undefined, duplicateDecision: undefined },
    identityHistory: input.identityChanges
      .filter((h) => group.has(h.patientId))
      .sort(asc((h) => h.at))
      .map((h) => ({ at: h.at, by: name(h.staffId), kind: h.kind, changes: h.changes })),
    visits: [...record.visits].sort(asc((v) => v.arrivedAt)).map((v) => ({
      arrivedAt: v.arrivedAt,
      place: stops.get(v.stopId)?.communeName ?? null,
      motif: v.motif,
      noMt: v.noMt,
      ald: v.ald,
    })),
    notes: notes.map((c) => ({
      date: c.createdAt,
      place: stops.get(c.stopId)?.communeName ?? null,
      service: services.get(c.serviceId) ?? null,
      author: name(c.authorId),
      supervisor: c.supervisorId ? name(c.supervisorId) : null,
      status: c.status,
      confidentiality: c.confidentiality,
      motif: c.motif,
      subjective: c.subjective,
      objective: c.objective,
      assessment: c.assessment,
      plan: c.plan,
      codes: c.codes.map((x) => ({ system: x.system, code: x.code, label: x.label })),
      orientation: c.orientation,
      vitals: record.vitals
        .filter((v) => v.consultationId === c.id)
        .sort(asc((v) => v.takenAt))
        .map((v) => {
          const { authorId: _a, ...rest } = plain(v, name) as Record<string, never>;
          return rest as Record<string, number | string | null>;
        }),
      signatures: record.signatures
        .filter((s) => s.consultationId === c.id && !s.addendumId)
        .sort(asc((s) => s.at))
        .map((s) => ({ kind: s.kind, by: name(s.staffId), at: s.at, comment: s.comment })),
      addenda: record.addenda
        .filter((a) => a.consultationId === c.id)
        .sort(asc((a) => a.at))
        .map((a) => ({ at: a.at, by: name(a.authorId), text: a.text })),
    })),
    summary: {
      problems: record.problems.sort(asc((p) => p.recordedAt)).map((p) => plain(p, name)),
      treatments: record.treatments.sort(asc((p) => p.recordedAt)).map((p) => plain(p, name)),
      allergies: record.allergies.sort(asc((p) => p.recordedAt)).map((p) => plain(p, name)),
      vaccinations: record.vaccinations.sort(asc((p) => p.recordedAt)).map((p) => plain(p, name)),
    },
    documents: input.printedDocuments
      .filter((d) => !d._deleted && group.has(d.patientId))
      .sort(asc((d) => d.at))
      .map((d) => ({
        kind: d.kind,
        at: d.at,
        by: name(d.staffId),
        noteDate: noteDate.get(d.consultationId) ?? null,
      })),
    orientations: input.orientations
      .filter((o) => !o._deleted && group.has(o.patientId))
      .sort(asc((o) => o.createdAt))
      .map((o) => ({
        createdAt: o.createdAt,
        by: name(o.createdBy),
        purpose: o.purpose,
        target: o.target,
        targetName: o.targetName,
        state: o.state.status,
        steps: [...o.steps]
          .sort(asc((s) => s.at))
          .map((s) => ({ state: s.state, at: s.at, by: name(s.by), reason: s.reason })),
      })),
  };
}

/** What the audit keeps of a copy given: counts, never the content. */
export function copyAuditDetail(copy: PatientCopy): string {
  return `copie du dossier : ${copy.visits.length} passage(s), ${copy.notes.length} note(s), ${copy.documents.length} document(s), ${copy.orientations.length} orientation(s)`;
}
