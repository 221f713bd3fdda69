// French sentences for conflict and contradiction cards: a coordinator reads the patient, the
// ticket, the service, the rooms, the devices and the people by name, times in French — never an
// entity key, a field name, an id or an ISO date (docs/guide/coordination.md).
import type { Contradiction, ContradictionSide } from '../../domain/day-invariants';
import type {
  Consultation,
  Device,
  Orientation,
  Patient,
  QueueEntry,
  QueueStatus,
  Room,
  Service,
  Staff,
  Visit,
} from '../../domain/entities';
import { decodeHlc, isHlc } from '../../sync/hlc';
import type { FieldConflict } from '../../sync/merge';
import { patientName, staffName } from '../day/day-data';
import { formatDate, formatDateTime, t } from '../i18n';
import { originLabel } from './audit-text';

/** The rows a card names things from. */
export interface Names {
  patients: readonly Patient[];
  visits: readonly Visit[];
  entries: readonly QueueEntry[];
  consultations: readonly Consultation[];
  services: readonly Service[];
  rooms: readonly Room[];
  staff: readonly Staff[];
  devices: readonly Pick<Device, 'id' | 'name'>[];
}

export interface Lookup {
  patient(id: string | null | undefined): string;
  room(id: string | null | undefined): string;
  staff(id: string | null | undefined): string;
  /** The person's row (their supervisor, for what they write). */
  person(id: string): Staff | undefined;
  service(id: string | null | undefined): string;
  device(id: string | null | undefined): string;
  entry(id: string): QueueEntry | undefined;
  consultation(id: string): Consultation | undefined;
  visit(id: string): Visit | undefined;
}

export function lookup(n: Names): Lookup {
  const by = <T extends { id: string }>(xs: readonly T[]) => new Map(xs.map((x) => [x.id, x]));
  const patients = by(n.patients);
  const rooms = by(n.rooms);
  const staff = by(n.staff);
  const services = by(n.services);
  const devices = by(n.devices);
  const entries = by(n.entries);
  const notes = by(n.consultations);
  const visits = by(n.visits);
  return {
    patient: (id) => {
      const p = id ? patients.get(id) : undefined;
      return p ? patientName(p) : t('coordination.conflicts.unknownPatient');
    },
    room: (id) =>
      id
        ? (rooms.get(id)?.name ?? t('coordination.conflicts.unknownRoom'))
        : t('coordination.conflicts.noRoom'),
    staff: (id) => {
      const s = id ? staff.get(id) : undefined;
      return s ? staffName(s) : t('coordination.conflicts.unknownAuthor');
    },
    person: (id) => staff.get(id),
    service: (id) =>
      (id ? services.get(id)?.label : undefined) ?? t('coordination.conflicts.unknownService'),
    device: (id) =>
      (id ? (devices.get(id)?.name ?? originLabel(id)) : undefined) ??
      t('coordination.conflicts.unknownDevice'),
    entry: (id) => entries.get(id),
    consultation: (id) => notes.get(id),
    visit: (id) => visits.get(id),
  };
}

/** The device that wrote an HLC stamp (its node). */
export function deviceOfHlc(hlc: string): string | null {
  return isHlc(hlc) ? decodeHlc(hlc).node : null;
}

/** « 03/12/2026 09:05 » from an HLC stamp, or « heure inconnue ». */
export function timeOfHlc(hlc: string): string {
  return isHlc(hlc) ? formatDateTime(decodeHlc(hlc).ms) : t('coordination.conflicts.unknownTime');
}

function timeOf(iso: string | null): string {
  if (!iso) return t('coordination.conflicts.unknownTime');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? t('coordination.conflicts.unknownTime') : formatDateTime(ms);
}

const FIELDS = [
  'status',
  'roomId',
  'practitionerId',
  'motif',
  'subjective',
  'objective',
  'assessment',
  'plan',
  'orientation',
  'confidentiality',
  'returnComment',
  'birthName',
  'usedName',
  'firstNames',
  'usedFirstName',
  'sex',
  'birthDate',
  'birthPlaceCode',
  'identityStatus',
  'nir',
  'mtStatus',
  'mtName',
  'mtStatusAt',
  'mtSource',
  'purpose',
  'target',
  'targetName',
  'ald',
] as const;
type KnownField = (typeof FIELDS)[number];

function fieldLabel(field: string): string {
  return (FIELDS as readonly string[]).includes(field)
    ? t(`coordination.conflicts.fields.${field as KnownField}`)
    : t('coordination.conflicts.fields.other');
}

const ENTITIES = [
  'patient',
  'consultation',
  'queueEntry',
  'visit',
  'vitals',
  'signature',
  'addendum',
  'orientation',
] as const;

function entityLabel(entity: string): string {
  return (ENTITIES as readonly string[]).includes(entity)
    ? t(`coordination.conflicts.entities.${entity as (typeof ENTITIES)[number]}`)
    : t('coordination.conflicts.entities.other');
}

function entrySubject(l: Lookup, entry: QueueEntry | undefined): string {
  if (!entry) return t('coordination.conflicts.subject.other');
  return t('coordination.conflicts.subject.entry', {
    patient: l.patient(l.visit(entry.visitId)?.patientId),
    ticket: entry.ticket,
    service: l.service(entry.serviceId),
  });
}

function noteSubject(l: Lookup, note: Consultation | undefined): string {
  if (!note) return t('coordination.conflicts.subject.other');
  return t('coordination.conflicts.subject.note', {
    patient: l.patient(note.patientId),
    ticket: l.entry(note.queueEntryId)?.ticket ?? t('coordination.conflicts.unknownTicket'),
    service: l.service(note.serviceId),
  });
}

/** Whom and what a field conflict is about, as a French noun phrase. */
export function conflictSubject(l: Lookup, c: FieldConflict): string {
  switch (c.entity) {
    case 'queueEntry':
      return entrySubject(l, l.entry(c.id));
    case 'consultation':
      return noteSubject(l, l.consultation(c.id));
    case 'patient':
      return t('coordination.conflicts.subject.patient', { patient: l.patient(c.id) });
    case 'visit':
      return t('coordination.conflicts.subject.visit', {
        patient: l.patient(l.visit(c.id)?.patientId),
      });
    default: {
      // Events of a note (vitals, signature, addendum) name it in their value.
      const first = c.versions[0]?.value as { consultationId?: unknown } | undefined;
      const id = typeof first?.consultationId === 'string' ? first.consultationId : null;
      return id ? noteSubject(l, l.consultation(id)) : t('coordination.conflicts.subject.other');
    }
  }
}

/** The card's title: a sentence about the patient, never « Passage en file — status ». */
export function conflictTitle(l: Lookup, c: FieldConflict): string {
  const subject = conflictSubject(l, c);
  if (c.kind === 'duplicate_insert') {
    return t('coordination.conflicts.duplicate', { subject, entity: entityLabel(c.entity) });
  }
  return t('coordination.conflicts.what', { subject, field: fieldLabel(c.field) });
}

const ORIENTATIONS = [
  'none',
  'mt_found',
  'mt_declared',
  'msp_cpts',
  'specialist',
  'emergency',
  'social_worker',
  'follow_up_truck',
] as const;

/** One version's value, in French. */
export function conflictValue(l: Lookup, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return t('coordination.conflicts.emptyValue');
  }
  if (field === 'roomId' || field === 'comingFromRoomId') return l.room(String(value));
  if (field === 'practitionerId' || field === 'authorId' || field === 'supervisorId') {
    return l.staff(String(value));
  }
  if (typeof value === 'boolean') {
    return value ? t('coordination.conflicts.yes') : t('coordination.conflicts.no');
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
    if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) {
      return formatDateTime(value);
    }
    return value;
  }
  if (typeof value === 'object' && 'status' in value) {
    return t(`queueStatus.${(value as { status: QueueStatus }).status}`);
  }
  if (typeof value === 'object' && 'kind' in value) {
    const kind = (value as Orientation).kind;
    if ((ORIENTATIONS as readonly string[]).includes(kind)) {
      return t(`consultation.orientation.kinds.${kind}`);
    }
  }
  return t('coordination.conflicts.otherValue');
}

/** « Tablette Box 2 — Dr Thomas Garnier, le 03/12/2026 09:05 » for one version. */
export function versionByline(l: Lookup, v: FieldConflict['versions'][number]): string {
  return t('coordination.conflicts.by', {
    device: l.device(deviceOfHlc(v.hlc)),
    who: l.staff(v.user),
    at: timeOfHlc(v.hlc),
  });
}

// ---- contradictions ----

export function contradictionTitle(l: Lookup, c: Contradiction): string {
  const entry = c.queueEntryIds[0] ? l.entry(c.queueEntryIds[0]) : undefined;
  const patient = l.patient(c.patientId ?? l.visit(entry?.visitId ?? '')?.patientId);
  const ticket = c.tickets.join(', ') || t('coordination.conflicts.unknownTicket');
  const rooms = c.roomIds.map((r) => l.room(r)).join(', ');
  const service = l.service(c.serviceId ?? entry?.serviceId);
  switch (c.kind) {
    case 'two_consultations':
      return t('coordination.contradictions.titles.two_consultations', {
        patient,
        ticket,
        service,
      });
    case 'ended_with_note':
      return t('coordination.contradictions.titles.ended_with_note', {
        patient,
        ticket,
        service,
        recorded: t(`queueStatus.${entry?.status.status ?? 'left'}`),
      });
    case 'stale_call':
      return t('coordination.contradictions.titles.stale_call', { patient, ticket, service });
    case 'patient_in_two_rooms':
      return t('coordination.contradictions.titles.patient_in_two_rooms', {
        patient,
        tickets: ticket,
        rooms,
      });
    case 'room_two_patients':
      return t('coordination.contradictions.titles.room_two_patients', { rooms, tickets: ticket });
  }
}

/** One side of a contradiction: room, who, from which device, when, what. */
export function sideLine(l: Lookup, side: ContradictionSide, deviceId: string | null): string {
  const common = {
    room: l.room(side.roomId),
    who: side.staffId ? l.staff(side.staffId) : t('coordination.contradictions.nobody'),
    device: l.device(deviceId),
    at: timeOf(side.at),
  };
  if (side.consultationId) {
    return t('coordination.contradictions.sideNote', {
      ...common,
      signed: side.signed
        ? t('coordination.contradictions.signed')
        : t('coordination.contradictions.draft'),
    });
  }
  return t('coordination.contradictions.sideEntry', {
    ...common,
    status: t(`queueStatus.${side.status}`),
  });
}

/** What the rule decided, or that a person must decide. */
export function settlementLine(l: Lookup, c: Contradiction): string {
  if (c.settledBy === 'rule' && c.effective) {
    return t('coordination.contradictions.byRule', {
      status: t(`queueStatus.${c.effective.status}`),
      room: l.room(c.effective.roomId),
    });
  }
  return t('coordination.contradictions.byPerson');
}

const NOTE_PARTS = ['motif', 'subjective', 'objective', 'assessment', 'plan'] as const;

/** The addendum that carries a parallel note into the kept one: every word of it, attributed. */
export function parallelNoteAddendum(l: Lookup, other: Consultation): string {
  const lines = [
    t('coordination.contradictions.addendumHeader', {
      who: l.staff(other.authorId),
      room: l.room(other.roomId ?? l.entry(other.queueEntryId)?.roomId),
      at: timeOf(other.createdAt),
    }),
  ];
  for (const part of NOTE_PARTS) {
    const text = other[part].trim();
    if (text) {
      lines.push(
        t('coordination.contradictions.addendumLine', {
          label: t(`coordination.contradictions.noteLabels.${part}`),
          text,
        }),
      );
    }
  }
  return lines.join('\n');
}
