// Who may write what (DESIGN.md §4.3), by device profile: the device's write path refuses the
// rest with a French message, and the server applies the same table once devices authenticate
// (docs/decisions/0002-device-authentication.md). Staff-level rules (only the supervisor
// validates, only the author signs) are the consultation rules' (src/domain/consultation.ts).
import type { Registry } from '../sync/fields';
import { materialise, type RowState } from '../sync/merge';
import type { Op } from '../sync/op';
import type { DeviceProfile, EntityName } from './entities';

/** Entities each profile writes. Audit events are written by every profile but the display. */
export const WRITABLE: Readonly<Record<DeviceProfile, ReadonlySet<EntityName>>> = {
  // Arrivals, bookings, the queue, the day's roster; never clinical notes.
  reception: new Set<EntityName>([
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'rosterSlot',
    'audit',
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

/** Why a device of this profile may not write this entity, or null when it may. */
export function writeRefusal(profile: DeviceProfile, entity: EntityName): string | null {
  if (WRITABLE[profile].has(entity)) return null;
  return `Un appareil de ${PROFILE_LABEL[profile]} ne peut pas enregistrer cette donnée (${entity}).`;
}

// ---- what each profile receives (pull filtering on the servers) ----

/** Who reads: a device profile, or a truck's relay (which holds everything of its organisation). */
export type Audience = DeviceProfile | 'relay';

export interface Viewer {
  profile: Audience;
  /** The room of a room device. */
  roomId: string | null;
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
};

/** Notes and what belongs to them. */
const NOTES: Readable = {
  consultation: 'all',
  vitals: 'all',
  signature: 'all',
  addendum: 'all',
  conflictResolution: 'all',
};

/**
 * Entities and fields each profile receives. Reception never receives the consultation side;
 * the waiting-room screen receives tickets and what orders them, never identities or motives.
 */
export const READABLE: Readonly<Record<DeviceProfile, Readable>> = {
  reception: DAY,
  room: { ...DAY, ...NOTES },
  coordination: { ...DAY, ...NOTES, audit: 'all', device: 'all' },
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
    ],
    visit: ['orgId', 'stopId', 'appointmentId', 'arrivedAt', 'ald', 'noMt', 'urgent'],
  },
};

/** Fields of `entity` this viewer receives: all, some, or none (null). */
export function readableFields(
  viewer: Pick<Viewer, 'profile'>,
  entity: string,
): 'all' | ReadonlySet<string> | null {
  if (viewer.profile === 'relay') return 'all';
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

/** Entities that belong to a consultation, and the field naming it. */
export const CONSULTATION_FAMILY: Readonly<Record<string, string>> = {
  consultation: 'id',
  vitals: 'consultationId',
  signature: 'consultationId',
  addendum: 'consultationId',
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
 * Restricted notes (social, sexual health) reach the coordination and the room device where the
 * consultation is held, never the other rooms (DESIGN.md §6). A standard note reaches every room.
 */
export function restrictedHiddenFrom(
  viewer: Viewer,
  consultation: { confidentiality?: unknown } | undefined,
  queueEntry: { roomId?: unknown } | undefined,
): boolean {
  if (viewer.profile !== 'room') return false;
  if (!consultation || consultation.confidentiality === 'standard') return false;
  if (consultation.confidentiality === undefined) return false;
  return queueEntry?.roomId !== viewer.roomId;
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
  const cut = states.flatMap((st) => viewState(viewer, st) ?? []);
  if (viewer.profile !== 'room') return cut;
  const values = new Map<string, Record<string, unknown>>();
  for (const st of cut) {
    if (st.e === 'consultation' || st.e === 'queueEntry' || CONSULTATION_FAMILY[st.e]) {
      values.set(`${st.e}\u0000${st.id}`, materialise(st, registry));
    }
  }
  const hidden = (consultationId: string) => {
    const c = values.get(`consultation\u0000${consultationId}`);
    const q =
      typeof c?.queueEntryId === 'string'
        ? values.get(`queueEntry\u0000${c.queueEntryId}`)
        : undefined;
    return restrictedHiddenFrom(viewer, c, q);
  };
  return cut.filter((st) => {
    const id = consultationIdOf(st.e, st.id, values.get(`${st.e}\u0000${st.id}`));
    return id === null || !hidden(id);
  });
}

// ---- what a device may push (authorisation on the servers) ----

/** The authenticated sender of a sync request. */
export interface Writer {
  profile: Audience;
  deviceId: string;
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
}

/** Entities whose every op must name the signed-in person. */
const STAMPED = new Set([
  'consultation',
  'vitals',
  'signature',
  'addendum',
  'conflictResolution',
  'contradictionAck',
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
  if (op.dev !== writer.deviceId) {
    return 'Un appareil ne peut envoyer que ses propres modifications.';
  }
  const refusal = writeRefusal(writer.profile, op.e as EntityName);
  if (refusal) return refusal;
  const user = op.user === undefined ? undefined : ctx.staff.get(op.user);
  // Known, not necessarily still active: work done offline before someone left the team must
  // still reach the server (sign-in is what refuses a person who left).
  if (op.user !== undefined && user === undefined) {
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
    if (!coordinates && !supervises && !ownFinal) {
      return 'Seul le médecin superviseur de l’auteur ou la coordination peut valider ou renvoyer une note.';
    }
  }
  if (op.e === 'signature' && op.k === 'ins') {
    const val = op.val as { staffId?: unknown; kind?: unknown } | undefined;
    if (val?.kind === 'author' && val.staffId !== op.user) {
      return 'Seul l’auteur de la note peut la signer.';
    }
  }
  return null;
}
