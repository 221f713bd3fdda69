// The clinical invariants of a merged day checked independently of `dayContradictions`
// (docs/decisions/0004-day-invariants.md): the breaches are found here from the definitions —
// the rooms holding each visit, the patients in each room, the notes per visit and service, the
// evidence of care against the recorded end, the room and person of the note against the entry —
// and then looked up in what `dayContradictions` reports and in the field conflicts
// (`conflictsOf`) the coordination sees. A breach named by neither is *silent*.
import type { Contradiction, ContradictionKind } from '../../src/domain/day-invariants';
import type {
  Consultation,
  ContradictionAck,
  QueueEntry,
  Signature,
  Visit,
} from '../../src/domain/entities';

export interface Breach {
  kind: ContradictionKind;
  /** Entries, notes and rooms concerned (what a contradiction naming it must name). */
  entries: string[];
  notes: string[];
  rooms: string[];
  detail: string;
}

export interface DayRowsForCheck {
  visits: readonly Visit[];
  entries: readonly QueueEntry[];
  notes: readonly Consultation[];
  signatures: readonly Signature[];
  acks?: readonly ContradictionAck[];
}

const ENDED_WITHOUT_CARE = new Set(['no_show', 'left', 'cancelled']);
const OCCUPYING = new Set(['called', 'in_consultation']);

/**
 * Where each entry really is, from the evidence: a signed note means the patient was seen (done)
 * in the note's room; an open note means they are in that room unless the entry says done; a
 * take-in time beside an end without care means they were taken in. Otherwise the recorded status.
 */
function whereIs(
  entry: QueueEntry,
  notes: readonly Consultation[],
  signed: ReadonlySet<string>,
): { status: string; room: string | null } {
  const own = notes.filter((n) => n.queueEntryId === entry.id);
  if (own.length > 0) {
    const signedOwn = own.filter((n) => signed.has(n.id)).map((n) => n.id);
    const pool = signedOwn.length > 0 ? signedOwn : own.map((n) => n.id);
    const deciding = own.find((n) => n.id === [...pool].sort()[0])!;
    const room = deciding.roomId ?? entry.roomId;
    if (signedOwn.length > 0) return { status: 'done', room };
    return { status: entry.status.status === 'done' ? 'done' : 'in_consultation', room };
  }
  if (entry.startedAt && ENDED_WITHOUT_CARE.has(entry.status.status)) {
    return { status: 'in_consultation', room: entry.roomId };
  }
  return { status: entry.status.status, room: entry.roomId };
}

export function findBreaches(rows: DayRowsForCheck): Breach[] {
  const entries = rows.entries.filter((e) => !e._deleted);
  const entryIds = new Set(entries.map((e) => e.id));
  const notes = rows.notes.filter((n) => !n._deleted && entryIds.has(n.queueEntryId));
  const signed = new Set<string>();
  for (const n of notes) if (n.status !== 'draft') signed.add(n.id);
  for (const s of rows.signatures)
    if (!s._deleted && s.kind === 'author') signed.add(s.consultationId);
  const out: Breach[] = [];

  const where = new Map(entries.map((e) => [e.id, whereIs(e, notes, signed)]));

  // One visit occupying two rooms.
  const roomsOfVisit = new Map<string, Map<string, string[]>>();
  const patientsOfRoom = new Map<string, string[]>();
  for (const e of entries) {
    const w = where.get(e.id)!;
    if (!OCCUPYING.has(w.status) || w.room === null) continue;
    const rooms = roomsOfVisit.get(e.visitId) ?? new Map<string, string[]>();
    roomsOfVisit.set(e.visitId, rooms);
    rooms.set(w.room, [...(rooms.get(w.room) ?? []), e.id]);
    patientsOfRoom.set(w.room, [...(patientsOfRoom.get(w.room) ?? []), e.id]);
  }
  for (const [visit, rooms] of roomsOfVisit) {
    if (rooms.size < 2) continue;
    out.push({
      kind: 'patient_in_two_rooms',
      entries: [...rooms.values()].flat(),
      notes: [],
      rooms: [...rooms.keys()],
      detail: `visite ${visit} dans ${[...rooms.keys()].join(', ')}`,
    });
  }
  for (const [room, held] of patientsOfRoom) {
    if (held.length < 2) continue;
    out.push({
      kind: 'room_two_patients',
      entries: held,
      notes: [],
      rooms: [room],
      detail: `${room} occupée par ${held.join(', ')}`,
    });
  }

  // Two notes for one visit and one service.
  const notesOf = new Map<string, Consultation[]>();
  for (const n of notes) {
    const k = `${n.visitId}|${n.serviceId}`;
    notesOf.set(k, [...(notesOf.get(k) ?? []), n]);
  }
  const doubled = new Set<string>();
  for (const [k, group] of notesOf) {
    if (group.length < 2) continue;
    for (const n of group) doubled.add(n.queueEntryId);
    out.push({
      kind: 'two_consultations',
      entries: [...new Set(group.map((n) => n.queueEntryId))],
      notes: group.map((n) => n.id),
      rooms: [],
      detail: `${group.length} notes pour ${k}`,
    });
  }

  for (const e of entries) {
    const own = notes.filter((n) => n.queueEntryId === e.id);
    // Seen (a note, or taken in) but recorded absent, left or cancelled.
    if (ENDED_WITHOUT_CARE.has(e.status.status) && (own.length > 0 || e.startedAt)) {
      out.push({
        kind: 'ended_with_note',
        entries: [e.id],
        notes: own.map((n) => n.id),
        rooms: [],
        detail: `${e.ticket} ${e.status.status} avec ${own.length} note(s)`,
      });
      continue;
    }
    // The entry names another room or person than its only note: a call on a stale view.
    if (own.length === 1 && !doubled.has(e.id)) {
      const n = own[0]!;
      const room = n.roomId != null && e.roomId !== null && e.roomId !== n.roomId;
      const person =
        e.practitionerId !== null &&
        e.practitionerId !== n.authorId &&
        e.practitionerId !== n.supervisorId;
      if (room || person) {
        out.push({
          kind: 'stale_call',
          entries: [e.id],
          notes: [n.id],
          rooms: [],
          detail: `${e.ticket} en ${e.roomId} / note ${n.id} en ${n.roomId}`,
        });
      }
    }
  }
  return out;
}

/** Whether a reported contradiction names this breach (same kind, same subjects). */
function names(c: Contradiction, b: Breach): boolean {
  if (c.kind !== b.kind) return false;
  const entries = new Set(c.queueEntryIds);
  const notes = new Set(c.consultationIds);
  const rooms = new Set(c.roomIds);
  return (
    b.entries.every((id) => entries.has(id)) &&
    b.notes.every((id) => notes.has(id)) &&
    b.rooms.every((id) => rooms.has(id))
  );
}

/**
 * The breaches no reported contradiction names, and none of whose entries carries a field
 * conflict the coordination would see (`conflicted`: entry ids with a conflict on status/room).
 */
export function silentBreaches(
  breaches: readonly Breach[],
  reported: readonly Contradiction[],
  conflicted: ReadonlySet<string>,
): Breach[] {
  return breaches.filter(
    (b) => !reported.some((c) => names(c, b)) && !b.entries.some((id) => conflicted.has(id)),
  );
}

/** Contradictions reported that the independent check did not find (the two disagree). */
export function unfoundContradictions(
  breaches: readonly Breach[],
  reported: readonly Contradiction[],
): Contradiction[] {
  return reported.filter((c) => !breaches.some((b) => names(c, b)));
}
