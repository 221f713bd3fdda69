// Who may write what (docs/design.md §4.3), by device profile: the device's write path refuses the
// rest with a French message, and the server applies the same table once devices authenticate
// (docs/decisions/0002-device-authentication.md). Staff-level rules (only the supervisor
// validates, only the author signs) are the consultation rules' (src/domain/consultation.ts).
import type { Registry } from '../sync/fields';
import { decodeHlc, isHlc } from '../sync/hlc';
import { materialise, type RowState } from '../sync/merge';
import type { Op } from '../sync/op';
import { addendumHash } from './consultation';
import { type DeviceProfile, type EntityName, SCHEMA_VERSION } from './entities';
import {
  breakGlassRefusal,
  groupLevel,
  type NoteFacts,
  noteAccess,
  type Reader,
  type ReadingFacts,
} from './reading';

/** The clinical summary of a patient (problems, treatments, allergies, vaccinations): clinical
 * data, read and written by the rooms and the coordination, never by reception or the display. */
export const SUMMARY_ENTITIES = ['problem', 'treatment', 'allergy', 'vaccination'] as const;

/** Entities each profile writes. Audit events are written by every profile but the display. */
export const WRITABLE: Readonly<Record<DeviceProfile, ReadonlySet<EntityName>>> = {
  // Arrivals, bookings, the queue, the day's roster; never clinical notes.
  reception: new Set<EntityName>([
    'patient',
    // Identity lifecycle: reception corrects, qualifies and merges (src/domain/identity-lifecycle.ts).
    'identityChange',
    'appointment',
    'visit',
    'queueEntry',
    'rosterSlot',
    'audit',
    // A patient's objection to sharing within the team (src/domain/reading.ts).
    'sharingObjection',
    // A patient's objection to research (src/domain/research.ts).
    'researchObjection',
  ]),
  // Queue moves of the room, notes and their events, follow-up bookings.
  room: new Set<EntityName>([
    'queueEntry',
    'consultation',
    'vitals',
    'signature',
    'addendum',
    'appointment',
    'audit',
    // Day invariants (docs/decisions/0004): a room acknowledges a contradiction it settles.
    'contradictionAck',
    // The clinical summary (src/domain/clinical-summary.ts): every room keeps it up to date.
    ...SUMMARY_ENTITIES,
    // Documents printed from a signed note (src/domain/documents.ts).
    'printedDocument',
    // Orientations proposed in a consultation (src/domain/orientation.ts).
    'orientation',
    // Who reads what (src/domain/reading.ts): the transmission written for the social roles,
    // a bris de glace, a patient's objection to sharing.
    'transmission',
    'breakGlass',
    'sharingObjection',
    'researchObjection',
  ]),
  // Everything of the organisation: validation, conflicts, roster and planning, closure.
  coordination: new Set<EntityName>([
    'organisation',
    'unit',
    'room',
    'staff',
    'service',
    'stop',
    'rosterSlot',
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'consultation',
    'vitals',
    'signature',
    'addendum',
    'audit',
    'conflictResolution',
    'device',
    'syncReceipt',
    'contradictionAck',
    'identityChange',
    ...SUMMARY_ENTITIES,
    'printedDocument',
    // Certificate templates: the coordination edits them, the rooms use them.
    'documentTemplate',
    // The coordinator's worklist follows orientations to their outcome.
    'orientation',
    'transmission',
    'sharingObjection',
    'researchObjection',
  ]),
  // The wall screen only reads.
  display: new Set<EntityName>(),
};

const PROFILE_LABEL: Readonly<Record<DeviceProfile, string>> = {
  reception: 'l’accueil',
  room: 'une salle',
  coordination: 'la coordination',
  display: 'l’écran d’affichage',
};

/** A partner component answers its tasks through the partner API, never by writing rows. */
export const PARTNER_NO_SYNC =
  'Un composant partenaire ne synchronise pas de données : il répond à ses tâches par l’API partenaire (/api/partner/tasks).';

/** Why a device of this profile may not write this entity, or null when it may. */
export function writeRefusal(profile: DeviceProfile, entity: EntityName): string | null {
  if (WRITABLE[profile].has(entity)) return null;
  return `Un appareil de ${PROFILE_LABEL[profile]} ne peut pas enregistrer cette donnée (${entity}).`;
}

// ---- what each profile receives (pull filtering on the servers) ----

/** Who reads: a device profile, a truck's relay (which holds everything of its organisation),
 * or a certified partner component (INSi, billing…), which never syncs: it fetches its tasks
 * through the partner API (src/server/routes/partner.ts, docs/integrations.md). */
export type Audience = DeviceProfile | 'relay' | 'partner';

export interface Viewer {
  profile: Audience;
  /** The room of a room device. */
  roomId: string | null;
  /**
   * Who reads on this device (src/domain/reading.ts): the people who signed in on it with their
   * password, and the facts their reading depends on. Set by the servers for room devices;
   * absent, the device's profile and room decide alone.
   */
  reading?: DeviceReading;
  /**
   * The patients a room device holds (src/domain/replication-scope.ts), when the servers cut its
   * patient rows by scope: its pull and whole-state digest. Absent: every patient it may read.
   * A day's proof leaves it absent (the day's patients are the day's, whatever the scope now).
   */
  patients?: ReadonlySet<string>;
}

export interface DeviceReading {
  readers: readonly Reader[];
  facts: ReadingFacts;
}

type Readable = Partial<Record<EntityName, 'all' | readonly string[]>>;

const SETUP: Readable = {
  organisation: 'all',
  unit: 'all',
  room: 'all',
  staff: 'all',
  service: 'all',
  stop: 'all',
  rosterSlot: 'all',
};

/** The day's patients and flow, as reception handles them. */
const DAY: Readable = {
  ...SETUP,
  patient: 'all',
  appointment: 'all',
  visit: 'all',
  queueEntry: 'all',
  syncReceipt: 'all',
  // Day invariants (docs/decisions/0004): reception reads who acknowledged a contradiction.
  contradictionAck: 'all',
  // Each identity's history (corrections, qualifications, merges): identity data, not clinical.
  identityChange: 'all',
};

function withoutHistory(r: Readable): Readable {
  const { identityChange: _history, ...rest } = r;
  return rest;
}

/** Notes and what belongs to them. */
const NOTES: Readable = {
  consultation: 'all',
  vitals: 'all',
  signature: 'all',
  addendum: 'all',
  conflictResolution: 'all',
  // Documents printed from a note follow the note (restricted notes stay in their room).
  printedDocument: 'all',
  // What central's partners did for a note (billed, prescription issued): follows the note.
  partnerTask: 'all',
  // Certificate templates: what a document is composed from, read where notes are read.
  documentTemplate: 'all',
  // Who reads what (src/domain/reading.ts): cut per signed-in person on the servers' pull.
  transmission: 'all',
  breakGlass: 'all',
  sharingObjection: 'all',
  // A patient's objection to research: shown beside the note, read by the research extract.
  researchObjection: 'all',
};

/** The clinical summary: all of it, to the rooms and the coordination only. */
const SUMMARY: Readable = {
  ...Object.fromEntries(SUMMARY_ENTITIES.map((e) => [e, 'all' as const])),
  // Orientations and their outcome: clinical, to the rooms and the coordination only.
  orientation: 'all',
};

/**
 * Entities and fields each profile receives. Reception never receives the consultation side;
 * the waiting-room screen receives tickets and what orders them, never identities or motives.
 */
export const READABLE: Readonly<Record<DeviceProfile, Readable>> = {
  // Reception records and shows a patient's objection to sharing; nothing clinical.
  reception: { ...DAY, sharingObjection: 'all', researchObjection: 'all' },
  // A room needs who the patient is, not how their identity was corrected or merged: the
  // identity's history stays with reception and coordination.
  room: { ...withoutHistory(DAY), ...NOTES, ...SUMMARY },
  coordination: { ...DAY, ...NOTES, ...SUMMARY, audit: 'all', device: 'all' },
  display: {
    organisation: 'all',
    unit: 'all',
    room: 'all',
    service: 'all',
    stop: 'all',
    queueEntry: [
      'orgId',
      'visitId',
      'stopId',
      'serviceId',
      'position',
      'ticket',
      'status',
      'roomId',
      'calledAt',
      'startedAt',
      'endedAt',
      'comingFromRoomId',
      // The booked time orders the display as it orders every screen (src/domain/queue-order.ts).
      'bookedTime',
    ],
    visit: ['orgId', 'stopId', 'appointmentId', 'arrivedAt', 'ald', 'noMt', 'urgent', 'mtStatus'],
  },
};

/** Fields of `entity` this viewer receives: all, some, or none (null). */
export function readableFields(
  viewer: Pick<Viewer, 'profile'>,
  entity: string,
): 'all' | ReadonlySet<string> | null {
  if (viewer.profile === 'relay') return 'all';
  if (viewer.profile === 'partner') return null;
  const rule = READABLE[viewer.profile][entity as EntityName];
  if (rule === undefined) return null;
  return rule === 'all' ? 'all' : new Set(rule);
}

/**
 * The op as this viewer receives it: unchanged, with an inserted row cut to the readable fields,
 * or null when it must not reach this viewer. (Restricted notes are the next filter's.)
 */
export function viewOp<T extends { e: string; f: string; k: string; val?: unknown }>(
  viewer: Pick<Viewer, 'profile'>,
  op: T,
): T | null {
  const fields = readableFields(viewer, op.e);
  if (fields === null) return null;
  if (fields === 'all') return op;
  if (op.k === 'ins' && op.val && typeof op.val === 'object') {
    const val = Object.fromEntries(
      Object.entries(op.val as Record<string, unknown>).filter(([k]) => fields.has(k)),
    );
    return { ...op, val };
  }
  // Deletions of a row concern every reader of it; other fields only their readers.
  return op.f === '_deleted' || fields.has(op.f) ? op : null;
}

/** A row's merge state as this viewer holds it (same cut as viewOp), or null. */
export function viewState<T extends { e: string; f: Record<string, unknown> }>(
  viewer: Pick<Viewer, 'profile'>,
  state: T,
): T | null {
  const fields = readableFields(viewer, state.e);
  if (fields === null) return null;
  if (fields === 'all') return state;
  const f = Object.fromEntries(
    Object.entries(state.f).filter(([k]) => k === '_deleted' || fields.has(k)),
  );
  return { ...state, f };
}

/**
 * What a device keeps of a row's state when its view changes (a reload after a move to another
 * profile: src/device/write.ts): the fields its profile reads, and those `own` names — fields of
 * this row its own unpushed ops write (`field` names in `own`), kept until they are pushed, so
 * nothing typed is lost. A row its profile does not read at all is kept whole: the server that
 * sent it in this profile's cut knows better (a relay not yet told of the move).
 */
export function heldView<T extends { e: string; f: Record<string, unknown> }>(
  viewer: Pick<Viewer, 'profile'>,
  state: T,
  own: ReadonlySet<string>,
): T {
  const fields = readableFields(viewer, state.e);
  if (fields === null || fields === 'all') return state;
  const f = Object.fromEntries(
    Object.entries(state.f).filter(([k]) => k === '_deleted' || fields.has(k) || own.has(k)),
  );
  return Object.keys(f).length === Object.keys(state.f).length ? state : { ...state, f };
}

/** Entities that belong to a consultation, and the field naming it. */
export const CONSULTATION_FAMILY: Readonly<Record<string, string>> = {
  consultation: 'id',
  vitals: 'consultationId',
  signature: 'consultationId',
  addendum: 'consultationId',
  printedDocument: 'consultationId',
  // A partner task of a note (billing, e-prescription, DMP, MSSanté) is hidden with its note;
  // an identity's (INSi) names no note and reaches every reader of the table.
  partnerTask: 'consultationId',
};

/** The consultation an op or row of the consultation family belongs to (null otherwise). */
export function consultationIdOf(
  e: string,
  id: string,
  values: Record<string, unknown> | undefined,
): string | null {
  const key = CONSULTATION_FAMILY[e];
  if (!key) return null;
  if (key === 'id') return id;
  const value = values?.[key];
  return typeof value === 'string' ? value : null;
}

/**
 * The room that holds a note: the note's own room, fixed when it is written (a room cannot
 * change it); for notes written before notes carried their room, the room of their queue entry.
 * Never a field another room may write: a stale room may move the entry (a named contradiction,
 * docs/decisions/0004-day-invariants.md), not the note.
 */
export function holdingRoom(
  consultation: { roomId?: unknown } | undefined,
  queueEntry: { roomId?: unknown } | undefined,
): unknown {
  return typeof consultation?.roomId === 'string' ? consultation.roomId : queueEntry?.roomId;
}

/**
 * Restricted notes (social, sexual health) reach the coordination and the room device where the
 * consultation is held, never the other rooms (docs/design.md §6). A standard note reaches every room.
 */
export function restrictedHiddenFrom(
  viewer: Viewer,
  consultation: { confidentiality?: unknown; roomId?: unknown } | undefined,
  queueEntry: { roomId?: unknown } | undefined,
): boolean {
  if (viewer.profile !== 'room') return false;
  if (!consultation || consultation.confidentiality === 'standard') return false;
  if (consultation.confidentiality === undefined) return false;
  return holdingRoom(consultation, queueEntry) !== viewer.roomId;
}

/** Whether a server holds the facts a note's readers are judged on (reading.ts, NoteFacts). */
const judgeable = (c: Record<string, unknown>): boolean =>
  ['authorId', 'serviceId', 'patientId', 'confidentiality'].every((f) => typeof c[f] === 'string');

const asNote = (c: Record<string, unknown>): NoteFacts => ({
  authorId: String(c.authorId),
  supervisorId: typeof c.supervisorId === 'string' ? c.supervisorId : null,
  serviceId: String(c.serviceId),
  patientId: String(c.patientId),
  confidentiality: (c.confidentiality ?? 'standard') as NoteFacts['confidentiality'],
});

/**
 * Whether a note (and its events) stays away from this viewer: a restricted note of another
 * room (restrictedHiddenFrom) unless one of the device's readers holds a running bris de glace
 * for its patient, and — per person (src/domain/reading.ts) — a note none of the people signed
 * in on the device may read as a note.
 */
export function noteHiddenFrom(
  viewer: Viewer,
  consultation: Record<string, unknown> | undefined,
  queueEntry: { roomId?: unknown } | undefined,
): boolean {
  if (viewer.profile !== 'room') return false;
  const reading = viewer.reading;
  // A note the server does not hold (its events came first: a restored central, a relay that
  // lost its disk): who may read it cannot be judged, so its events wait for it (the reading
  // view remembers them as withheld and serves them once the note arrives and may be read).
  if (consultation === undefined) return reading !== undefined;
  if (!reading) return restrictedHiddenFrom(viewer, consultation, queueEntry);
  // Likewise a note held only in part (later edits first): judged on defaults, its text would
  // reach readers its author, service or class may exclude, and stay there.
  if (!judgeable(consultation)) return true;
  const note = asNote(consultation);
  if (groupLevel(reading.readers, note, reading.facts) !== 'note') return true;
  const broken = reading.readers.some((r) => reading.facts.breakGlass(r.id, note.patientId));
  return !broken && restrictedHiddenFrom(viewer, consultation, queueEntry);
}

/** Whether a transmission written from this note stays away from this viewer: it reaches a
 * device where someone reads the transmission (the social roles), or the note itself. */
export function transmissionHiddenFrom(
  viewer: Viewer,
  consultation: Record<string, unknown> | undefined,
  queueEntry: { roomId?: unknown } | undefined,
): boolean {
  if (viewer.profile !== 'room' || !viewer.reading || consultation === undefined) return false;
  const { readers, facts } = viewer.reading;
  const note = asNote(consultation);
  const forThem = readers.some((r) => noteAccess(r, note, facts).level === 'transmission');
  return !forThem && noteHiddenFrom(viewer, consultation, queueEntry);
}

/** Whether a bris de glace stays away from this viewer: a room device holds those of the people
 * signed in on it (the coordination reviews them all). */
export function breakGlassHiddenFrom(viewer: Viewer, row: { staffId?: unknown }): boolean {
  if (viewer.profile !== 'room' || !viewer.reading) return false;
  return !viewer.reading.readers.some((r) => r.id === row.staffId);
}

/**
 * The merge states a viewer holds of an organisation: cut by profile, without the restricted
 * notes of other rooms. Device and server compute a receipt's proof over this same view.
 */
export function visibleStates(
  viewer: Viewer,
  states: readonly RowState[],
  registry: Registry,
): RowState[] {
  const scope = viewer.patients;
  const cut = states.flatMap((st) =>
    scope && st.e === 'patient' && !scope.has(st.id) ? [] : (viewState(viewer, st) ?? []),
  );
  if (viewer.profile !== 'room') return cut;
  const values = new Map<string, Record<string, unknown>>();
  for (const st of cut) {
    if (
      st.e === 'consultation' ||
      st.e === 'queueEntry' ||
      st.e === 'transmission' ||
      st.e === 'breakGlass' ||
      CONSULTATION_FAMILY[st.e]
    ) {
      values.set(`${st.e}\u0000${st.id}`, materialise(st, registry));
    }
  }
  const note = (consultationId: string) => values.get(`consultation\u0000${consultationId}`);
  const hidden = (consultationId: string) => {
    const c = note(consultationId);
    const q =
      typeof c?.queueEntryId === 'string'
        ? values.get(`queueEntry\u0000${c.queueEntryId}`)
        : undefined;
    return noteHiddenFrom(viewer, c, q);
  };
  return cut.filter((st) => {
    const own = values.get(`${st.e}\u0000${st.id}`);
    if (st.e === 'transmission') {
      const c = note(String(own?.consultationId));
      const q =
        typeof c?.queueEntryId === 'string'
          ? values.get(`queueEntry\u0000${c.queueEntryId}`)
          : undefined;
      return !transmissionHiddenFrom(viewer, c, q);
    }
    if (st.e === 'breakGlass') return !breakGlassHiddenFrom(viewer, own ?? {});
    const id = consultationIdOf(st.e, st.id, own);
    return id === null || !hidden(id);
  });
}

// ---- what a device may push (authorisation on the servers) ----

/** The authenticated sender of a sync request. */
export interface Writer {
  profile: Audience;
  deviceId: string;
  /** The room of a room device. */
  roomId?: string | null;
}

/** What the server stores of the rows an op touches, before the op (undefined: not held). */
export interface StoredFacts {
  /** The consultation the op writes, or whose event (vitals, signature, addendum) it inserts. */
  consultation?: Record<string, unknown>;
  /** The queue entry the op writes, or the consultation's queue entry. */
  queueEntry?: Record<string, unknown>;
  /** The clinical summary row the op writes (problem, treatment, allergy, vaccination). */
  summaryRow?: Record<string, unknown>;
  /** The clock (HLC) of the write that gave the note its current status, when signed. */
  signing?: string;
  /** The addendum a review (a signature naming an addendum) validates or returns. */
  addendum?: Record<string, unknown>;
}

export interface StaffFacts {
  active?: unknown;
  roles?: unknown;
  supervisorId?: unknown;
}

export interface PushContext {
  /** The organisation's staff by id (including people who left). */
  staff: ReadonlyMap<string, StaffFacts>;
  /** The current author of a consultation, when the server knows the note. */
  authorOf(consultationId: string): string | undefined;
  /** The stored rows the op touches, for the field rules (fieldRefusal). */
  stored?(op: Op): StoredFacts;
  /**
   * This server may lack rows central holds (a relay, reinstalled empty or not yet refilled):
   * a rule that needs a row it does not hold is left to central, which judges the op again.
   */
  partial?: boolean;
  /**
   * Whether this server lacks ops of the op's device older than it (neither held nor in the
   * same batch): the row a rule needs may be in them, still on their way (through a relay, or
   * sent again after a server lost them). Such a rule is then not decided against the op.
   */
  earlierMissing?(op: Op): boolean;
}

/** Entities whose every op must name the signed-in person. */
export const STAMPED: ReadonlySet<string> = new Set([
  'consultation',
  'vitals',
  'signature',
  'addendum',
  'conflictResolution',
  'contradictionAck',
  'identityChange',
  'printedDocument',
  ...SUMMARY_ENTITIES,
  'orientation',
  'transmission',
  'breakGlass',
  'sharingObjection',
  'researchObjection',
]);

const rolesOf = (s: StaffFacts | undefined): string[] =>
  Array.isArray(s?.roles) ? (s.roles as string[]) : [];

/**
 * Why the server refuses this op from this sender, or null when it accepts it. The device
 * applies the same rules before writing (writeRefusal, src/domain/consultation.ts); this is the
 * server's check against a modified client. A relay forwards ops of devices it authenticated.
 */
export function pushRefusal(writer: Writer, op: Op, ctx: PushContext): string | null {
  if (writer.profile === 'relay') return null;
  if (writer.profile === 'partner') return PARTNER_NO_SYNC;
  if (op.dev !== writer.deviceId) {
    return 'Un appareil ne peut envoyer que ses propres modifications.';
  }
  // A parked op is stored unchecked (its schema is unknown here): only a relay, which forwards
  // what a newer device wrote, may bring one; a device talking to an older server may not.
  if (op.v > SCHEMA_VERSION) {
    return 'Modification d’une version plus récente que celle du serveur : elle attend sa mise à jour.';
  }
  const refusal = writeRefusal(writer.profile, op.e as EntityName);
  if (refusal) return refusal;
  const user = op.user === undefined ? undefined : ctx.staff.get(op.user);
  // Known, not necessarily still active: work done offline before someone left the team must
  // still reach the server (sign-in is what refuses a person who left).
  // A relay that has not brought the team from central yet does not know them: central decides.
  if (op.user !== undefined && user === undefined && ctx.partial !== true) {
    return 'Modification signée par une personne inconnue dans cette organisation.';
  }
  if (STAMPED.has(op.e) && op.user === undefined) {
    return 'Une donnée clinique doit porter la personne identifiée sur l’appareil.';
  }
  if (
    op.e === 'consultation' &&
    op.f === 'status' &&
    (op.val === 'validated' || op.val === 'returned')
  ) {
    const reviewer = user;
    const supervised = typeof reviewer?.supervisorId === 'string' && reviewer.supervisorId !== '';
    const author = ctx.authorOf(op.id);
    const authorFacts = author ? ctx.staff.get(author) : undefined;
    const coordinates = rolesOf(reviewer).includes('coordinateur');
    const supervises = author !== undefined && authorFacts?.supervisorId === op.user;
    const ownFinal = op.val === 'validated' && author === op.user && !supervised;
    // A note this relay does not hold: its author is unknown here, central decides.
    const undecided =
      author === undefined && (ctx.partial === true || ctx.earlierMissing?.(op) === true);
    if (!coordinates && !supervises && !ownFinal && !undecided) {
      return 'Seul le médecin superviseur de l’auteur ou la coordination peut valider ou renvoyer une note.';
    }
  }
  if (op.e === 'patient' && op.f === 'mergedInto' && op.val === op.id) {
    return 'Un dossier ne peut pas être fusionné avec lui-même.';
  }
  if (op.e === 'identityChange' && op.k === 'ins') {
    const val = op.val as { staffId?: unknown } | undefined;
    if (val?.staffId !== op.user) {
      return 'L’historique d’une identité porte la personne identifiée sur l’appareil, pas une autre.';
    }
  }
  if (
    (SUMMARY_ENTITIES as readonly string[]).includes(op.e) &&
    op.f === 'recordedBy' &&
    op.val !== op.user
  ) {
    return 'Un élément du résumé clinique est enregistré au nom de la personne identifiée sur l’appareil.';
  }
  if (op.e === 'printedDocument' && op.k === 'ins') {
    const val = op.val as { staffId?: unknown } | undefined;
    if (val?.staffId !== op.user) {
      return 'Un document imprimé est enregistré au nom de la personne identifiée sur l’appareil.';
    }
  }
  if (op.e === 'orientation') {
    const refusal = orientationStampRefusal(op);
    if (refusal) return refusal;
  }
  if (op.e === 'signature' && op.k === 'ins') {
    const val = op.val as { staffId?: unknown; kind?: unknown } | undefined;
    if (val?.kind === 'author' && val.staffId !== op.user) {
      return 'Seul l’auteur de la note peut la signer.';
    }
  }
  if (
    op.k === 'ins' &&
    (op.e === 'transmission' || op.e === 'sharingObjection' || op.e === 'researchObjection')
  ) {
    const val = (op.val ?? {}) as { authorId?: unknown; staffId?: unknown };
    if ((op.e === 'transmission' ? val.authorId : val.staffId) !== op.user) {
      return 'Cet enregistrement porte la personne identifiée sur l’appareil, pas une autre.';
    }
  }
  if (op.e === 'breakGlass' && op.k === 'ins') {
    const why = breakGlassRefusal(
      (op.val ?? {}) as Record<string, unknown>,
      op.user,
      user === undefined ? undefined : rolesOf(user),
    );
    if (why) return why;
  }
  const addendumRule = addendumRefusal(op, ctx);
  if (addendumRule) return addendumRule;
  return ctx.stored ? fieldRefusal(writer, op, ctx.stored(op)) : null;
}

/** An orientation's steps and state are written in the name of the person signed in on the
 * device, never another's (the worklist shows who did what). */
function orientationStampRefusal(op: Op): string | null {
  const refusal =
    'Une étape d’orientation est enregistrée au nom de la personne identifiée sur l’appareil.';
  const byOf = (v: unknown) => (v && typeof v === 'object' ? (v as { by?: unknown }).by : op.user);
  if (op.k === 'ins') {
    const val = op.val as { createdBy?: unknown; state?: unknown } | undefined;
    if (val?.createdBy !== op.user || byOf(val?.state) !== op.user) return refusal;
    return null;
  }
  if (op.f === 'createdBy' && op.val !== op.user) return refusal;
  if (op.f === 'state' && byOf(op.val) !== op.user) return refusal;
  if (op.f === 'steps' && op.k === 'add' && byOf(op.val) !== op.user) return refusal;
  return null;
}

/**
 * Addenda (issue #21 item 2): written in the name of the person at work, hashed, and — from an
 * author under supervision — naming the supervisor, so they await validation like a note; only
 * that supervisor or a coordinating doctor validates or returns one, never its author. Addenda
 * written before schema 6 carry no hash and are judged as they were.
 */
export function addendumRefusal(op: Op, ctx: PushContext): string | null {
  if (op.k !== 'ins' || op.v < 6) return null;
  if (op.e === 'addendum') {
    const val = (op.val ?? {}) as Record<string, unknown>;
    if (val.authorId !== op.user) {
      return 'Un addendum est écrit au nom de la personne identifiée sur l’appareil.';
    }
    const hashed =
      typeof val.contentHash === 'string' &&
      val.contentHash ===
        addendumHash({
          id: op.id,
          consultationId: String(val.consultationId),
          authorId: String(val.authorId),
          at: String(val.at),
          text: String(val.text),
        });
    if (!hashed)
      return 'Un addendum porte l’empreinte de son contenu : elle manque ou ne correspond pas.';
    const author = op.user === undefined ? undefined : ctx.staff.get(op.user);
    if (author === undefined) return null; // a relay that does not know the team yet: central decides
    const supervisor =
      typeof author.supervisorId === 'string' && author.supervisorId !== ''
        ? author.supervisorId
        : null;
    if ((val.supervisorId ?? null) !== supervisor) {
      return supervisor
        ? 'L’addendum d’une personne supervisée attend la validation de son superviseur : il doit le nommer.'
        : 'Seul l’addendum d’une personne supervisée attend une validation.';
    }
    return null;
  }
  if (op.e === 'signature') {
    const val = (op.val ?? {}) as Record<string, unknown>;
    if (typeof val.addendumId !== 'string') return null;
    if (val.kind === 'author') {
      return 'Un addendum porte sa propre empreinte : il ne se signe pas comme une note.';
    }
    if (val.staffId !== op.user) {
      return 'La validation d’un addendum est faite au nom de la personne identifiée sur l’appareil.';
    }
    const addendum = ctx.stored?.(op).addendum;
    if (addendum === undefined) {
      if (ctx.partial === true || ctx.earlierMissing?.(op) === true) return null;
      return 'Addendum inconnu du serveur : sa validation ne peut pas être enregistrée.';
    }
    if (addendum.consultationId !== val.consultationId) {
      return 'Cette validation ne nomme pas la note de l’addendum.';
    }
    if (addendum.contentHash !== val.contentHash) {
      return 'La validation d’un addendum porte l’empreinte de cet addendum.';
    }
    const reviewer = op.user === undefined ? undefined : ctx.staff.get(op.user);
    const supervises =
      typeof addendum.supervisorId === 'string' && addendum.supervisorId === op.user;
    if (addendum.authorId === op.user) {
      return 'L’auteur ne peut pas valider son propre addendum.';
    }
    if (!supervises && !rolesOf(reviewer).includes('coordinateur')) {
      return 'Seul le médecin superviseur de l’auteur ou la coordination peut valider ou renvoyer un addendum.';
    }
  }
  return null;
}

// ---- field rules on what the server stores (issue #20 item 3, issue #21 item 3) ----

/** Fields a note gets when it is created and keeps: which patient, visit, queue entry, room
 * (which room holds it), author. Only the coordination changes them afterwards. */
export const NOTE_FIXED_FIELDS: ReadonlySet<string> = new Set([
  'orgId',
  'roomId',
  'queueEntryId',
  'visitId',
  'patientId',
  'stopId',
  'serviceId',
  'authorId',
  'createdAt',
]);

/** Fields a clinical summary row gets when it is recorded and keeps (the coordination may fix
 * them): whose summary it is, who recorded it, when, with which note. */
export const SUMMARY_FIXED_FIELDS: ReadonlySet<string> = new Set([
  'orgId',
  'patientId',
  'recordedAt',
  'recordedBy',
  'consultationId',
]);

/** What may still be written on a signed note: its review (validation or return), and — by the
 * coordination only — its confidentiality. Addenda are rows of their own. */
export const SIGNED_NOTE_WRITABLE: ReadonlySet<string> = new Set([
  'status',
  'returnComment',
  'confidentiality',
]);

/** Queue statuses of an entry whose note exists: the room it is in holds the note. */
const NOTE_HELD = new Set(['in_consultation', 'done']);

const isDeletion = (op: Op) => op.k === 'del' || op.f === '_deleted';

/**
 * An op the signing device stamped before it signed the note: part of what was signed, arriving
 * after the signature because a server lost what it held (a relay reinstalled empty, central
 * restored) and the device sent it again, or a relay was refilled from central first. Its clock
 * says so: same device (the HLC's node), earlier stamp.
 */
export function madeBeforeSigning(op: Pick<Op, 'hlc'>, signing: string | undefined): boolean {
  if (signing === undefined || !isHlc(op.hlc) || !isHlc(signing)) return false;
  const a = decodeHlc(op.hlc);
  const b = decodeHlc(signing);
  return a.node === b.node && (a.ms < b.ms || (a.ms === b.ms && a.counter < b.counter));
}

/** A signed note: awaiting validation or validated (a returned note is open again). */
export function isSigned(consultation: Record<string, unknown> | undefined): boolean {
  return consultation?.status === 'to_validate' || consultation?.status === 'validated';
}

function isRestricted(consultation: Record<string, unknown> | undefined): boolean {
  const c = consultation?.confidentiality;
  return c !== undefined && c !== 'standard';
}

function queueStatusOf(entry: Record<string, unknown> | undefined): unknown {
  const status = entry?.status as { status?: unknown } | undefined;
  return status?.status;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Why the server refuses this op given the rows it stores, or null. A room may not decide by
 * what it writes which room holds a restricted note, declassify, delete or touch another room's
 * restricted note, and nobody rewrites a signed note (docs/protocol.md, Authorisation).
 */
export function fieldRefusal(writer: Writer, op: Op, stored: StoredFacts): string | null {
  if (writer.profile === 'relay') return null;
  const coordination = writer.profile === 'coordination';
  const { consultation: c, queueEntry: q } = stored;

  // Another room's restricted note (and its events) is not this room's to write.
  if (
    writer.profile === 'room' &&
    CONSULTATION_FAMILY[op.e] !== undefined &&
    c !== undefined &&
    isRestricted(c) &&
    holdingRoom(c, q) !== writer.roomId
  ) {
    return 'Cette note confidentielle est tenue par une autre salle : cet appareil ne peut pas la modifier.';
  }

  if (op.e === 'consultation' && c !== undefined) {
    const author = op.user !== undefined && op.user === c.authorId;
    if (isDeletion(op)) {
      if (coordination || (author && !isSigned(c))) return null;
      return 'Seul l’auteur d’une note non signée ou la coordination peut la supprimer.';
    }
    const unchanged = op.k === 'set' && sameValue(c[op.f], op.val);
    const lateButEarlier = madeBeforeSigning(op, stored.signing);
    if (
      isSigned(c) &&
      op.f === 'confidentiality' &&
      !unchanged &&
      !coordination &&
      !lateButEarlier
    ) {
      return 'Note signée : seule la coordination change encore sa confidentialité.';
    }
    if (isSigned(c) && !SIGNED_NOTE_WRITABLE.has(op.f) && !unchanged && !lateButEarlier) {
      return 'Note signée : son contenu ne change plus sur le serveur ; ajoutez un addendum.';
    }
    if (
      NOTE_FIXED_FIELDS.has(op.f) &&
      c[op.f] !== undefined &&
      !sameValue(c[op.f], op.val) &&
      !coordination
    ) {
      return `Le champ ${op.f} d’une note est fixé à sa création : seule la coordination le change.`;
    }
    if (
      op.f === 'confidentiality' &&
      isRestricted(c) &&
      !sameValue(c.confidentiality, op.val) &&
      !coordination &&
      !author
    ) {
      return 'Seul l’auteur de la note ou la coordination peut lever sa confidentialité.';
    }
    return null;
  }

  // A summary row stays the patient's it was recorded for, by whom, when and with which note.
  const summary = stored.summaryRow;
  if (
    summary !== undefined &&
    SUMMARY_FIXED_FIELDS.has(op.f) &&
    summary[op.f] !== undefined &&
    !sameValue(summary[op.f], op.val) &&
    !coordination
  ) {
    return `Le champ ${op.f} d’un élément du résumé clinique est fixé à sa création : seule la coordination le change.`;
  }

  // A room writes the notes of its own room only.
  if (
    op.e === 'consultation' &&
    op.f === 'roomId' &&
    writer.profile === 'room' &&
    op.val !== writer.roomId
  ) {
    return 'Une note est tenue par la salle qui l’écrit : cet appareil ne peut pas la placer ailleurs.';
  }

  // A queue entry's status and room are the day's flow, not who holds a note: a room acting on
  // a stale view (offline while another took the patient) is accepted, and the day's
  // contradictions name it (docs/decisions/0004-day-invariants.md) — nothing it did is dropped.
  if (op.e === 'queueEntry' && q !== undefined) {
    const held = NOTE_HELD.has(queueStatusOf(q) as string);
    if (writer.profile === 'room' && held && isDeletion(op)) {
      return 'Un passage qui a une note ne se supprime que par la coordination.';
    }
  }
  if (op.e === 'queueEntry' && op.f === 'roomId' && writer.profile === 'room') {
    if (op.val !== null && op.val !== writer.roomId) {
      return 'Une salle ne peut appeler un patient que dans sa propre salle.';
    }
  }
  return null;
}
