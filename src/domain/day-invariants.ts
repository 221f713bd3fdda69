// The clinical invariants of a day (docs/decisions/0004-day-invariants.md). Replication proves
// every replica holds the same rows; these rules check the rows still mean something true, and
// name every breach as a *contradiction* derived from the merged rows — never transmitted, so
// every replica holding the same rows derives the same list, whatever its clock says (ids and
// ranks only: no wall-clock time decides anything here).
//
// Two things come out of the rows:
// - the *effective* status and room of each queue entry: clinical evidence wins the status (a
//   patient taken in or with a note cannot show absent, left or cancelled; a signed note makes the
//   entry done in the note's room). Every screen and the indicators read this, not the raw field;
// - the contradictions, each listed until a person acknowledges it (`contradictionAck`, an
//   append-only replicated event), whether the rule already settled it or it waits for a person.
import type {
  Consultation,
  ContradictionAck,
  QueueEntry,
  QueueStatus,
  Signature,
  StatusValue,
  Visit,
} from './entities';
import { isActive, STATUS_RANK } from './queue';

export type ContradictionKind =
  /** One visit called or in consultation in two rooms at once. */
  | 'patient_in_two_rooms'
  /** One room holding two patients at once. */
  | 'room_two_patients'
  /** Two notes for one visit and one service (two rooms took the same patient in). */
  | 'two_consultations'
  /** Ended absent, left or cancelled while taken in or documented: the evidence won the status. */
  | 'ended_with_note'
  /** A call or take-in on a stale view: the entry names a room or person other than its note's. */
  | 'stale_call';

export const CONTRADICTION_KINDS: readonly ContradictionKind[] = [
  'patient_in_two_rooms',
  'room_two_patients',
  'two_consultations',
  'ended_with_note',
  'stale_call',
];

/** Settled by rule (the effective status already says what is true) or waiting for a person. */
export type Settlement = 'rule' | 'person';

/** One side of a contradiction, as the card shows it. */
export interface ContradictionSide {
  queueEntryId: string;
  /** The note of this side, when the side is a note. */
  consultationId: string | null;
  roomId: string | null;
  /** The note's author, else the person the entry names. */
  staffId: string | null;
  /** Recorded status of the entry (not the effective one). */
  status: QueueStatus;
  signed: boolean;
  /** When this side acted (ISO, as the writing device recorded it; for display only). */
  at: string | null;
}

export interface Contradiction {
  /** Deterministic: kind + the sorted ids of its subjects, so every replica derives the same. */
  id: string;
  kind: ContradictionKind;
  stopId: string;
  visitId: string | null;
  patientId: string | null;
  serviceId: string | null;
  queueEntryIds: string[];
  consultationIds: string[];
  roomIds: string[];
  /** Everyone named by a side (authors, practitioners), sorted. */
  staffIds: string[];
  tickets: string[];
  sides: ContradictionSide[];
  settledBy: Settlement;
  /** What the effective rule decided for the entry concerned (null for room/visit breaches). */
  effective: { queueEntryId: string; status: QueueStatus; roomId: string | null } | null;
  /** Acknowledgements of this contradiction, sorted by id (all kept: the audit). */
  acknowledgementIds: string[];
  /** Still to acknowledge. */
  open: boolean;
}

export interface DayRows {
  visits: readonly Visit[];
  queueEntries: readonly QueueEntry[];
  /** Absent on devices that hold no notes (reception, display): the take-in time is the evidence. */
  consultations?: readonly Consultation[];
  signatures?: readonly Signature[];
  acknowledgements?: readonly ContradictionAck[];
}

/** How an entry's effective status was decided. */
export type Evidence = 'recorded' | 'signed_note' | 'open_note' | 'taken_in';

export interface EffectiveEntry {
  status: QueueStatus;
  roomId: string | null;
  evidence: Evidence;
  /** The note that decides the entry (signed first, then smallest id), if any. */
  consultationId: string | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const alive = <T extends { _deleted?: boolean }>(rows: readonly T[] | undefined): T[] =>
  (rows ?? []).filter((r) => !r._deleted);
const uniqSorted = (xs: readonly (string | null | undefined)[]): string[] =>
  [...new Set(xs.filter((x): x is string => typeof x === 'string'))].sort(cmp);

const ENDS_WITHOUT_CARE: ReadonlySet<QueueStatus> = new Set(['no_show', 'left', 'cancelled']);

/** A note counts as signed once its author signed it (status moved on, or a signature exists). */
function signedSet(consultations: readonly Consultation[], signatures: readonly Signature[]) {
  const signed = new Set<string>();
  for (const c of consultations) if (c.status !== 'draft') signed.add(c.id);
  for (const s of signatures) if (s.kind === 'author') signed.add(s.consultationId);
  return signed;
}

/** The note that speaks for a group: signed first, then the smallest id (deterministic). */
function primaryNote(notes: readonly Consultation[], signed: ReadonlySet<string>): Consultation {
  return [...notes].sort(
    (a, b) => Number(signed.has(b.id)) - Number(signed.has(a.id)) || cmp(a.id, b.id),
  )[0]!;
}

/** The room a note was written in: its own room when recorded, else its entry's. */
function noteRoom(c: Consultation, entry: QueueEntry): string | null {
  return c.roomId ?? entry.roomId;
}

/**
 * The effective status and room of one entry from its live notes. Evidence only ever raises
 * the status: a signed note → done; an unsigned note → in consultation unless recorded done; a
 * take-in time without a note (devices that hold no notes, or a restricted note of another room)
 * → in consultation when the recorded status is an end without care.
 */
export function effectiveEntry(
  entry: QueueEntry,
  notes: readonly Consultation[],
  signed: ReadonlySet<string> = new Set(),
): EffectiveEntry {
  const recorded = entry.status.status;
  const own = notes.filter((c) => !c._deleted && c.queueEntryId === entry.id);
  if (own.length > 0) {
    const note = primaryNote(own, signed);
    const roomId = noteRoom(note, entry);
    if (signed.has(note.id)) {
      return { status: 'done', roomId, evidence: 'signed_note', consultationId: note.id };
    }
    if (recorded === 'done') {
      return { status: 'done', roomId, evidence: 'recorded', consultationId: note.id };
    }
    return { status: 'in_consultation', roomId, evidence: 'open_note', consultationId: note.id };
  }
  if (entry.startedAt && ENDS_WITHOUT_CARE.has(recorded)) {
    return {
      status: 'in_consultation',
      roomId: entry.roomId,
      evidence: 'taken_in',
      consultationId: null,
    };
  }
  return { status: recorded, roomId: entry.roomId, evidence: 'recorded', consultationId: null };
}

function notesByEntry(consultations: readonly Consultation[]): Map<string, Consultation[]> {
  const out = new Map<string, Consultation[]>();
  for (const c of consultations) {
    const list = out.get(c.queueEntryId);
    if (list) list.push(c);
    else out.set(c.queueEntryId, [c]);
  }
  return out;
}

/** Effective status and room of every live entry, by id. */
export function effectiveEntries(rows: DayRows): Map<string, EffectiveEntry> {
  const consultations = alive(rows.consultations);
  const signed = signedSet(consultations, alive(rows.signatures));
  const byEntry = notesByEntry(consultations);
  const out = new Map<string, EffectiveEntry>();
  for (const e of alive(rows.queueEntries)) {
    out.set(e.id, effectiveEntry(e, byEntry.get(e.id) ?? [], signed));
  }
  return out;
}

/**
 * The entries as screens must show them: status and room replaced by the effective ones (the
 * status keeps its epoch and takes the rank of its status, so domain rules read it unchanged).
 * Rows that need no change are returned as they are.
 */
export function withEffectiveStatus(rows: DayRows): QueueEntry[] {
  const eff = effectiveEntries(rows);
  return rows.queueEntries.map((e) => {
    const x = eff.get(e.id);
    if (!x || (x.status === e.status.status && x.roomId === e.roomId)) return e;
    const status: StatusValue = {
      status: x.status,
      epoch: e.status.epoch,
      rank: STATUS_RANK[x.status],
    };
    return { ...e, status, roomId: x.roomId };
  });
}

/**
 * The notes indicators count: one per visit and service (two notes for one visit and service are
 * one consultation held twice by mistake). The kept note is the one an acknowledgement names, else
 * the signed one, else the smallest id.
 */
export function countedConsultations(
  consultations: readonly Consultation[],
  options: {
    signatures?: readonly Signature[];
    acknowledgements?: readonly ContradictionAck[];
  } = {},
): Consultation[] {
  const live = alive(consultations);
  const signed = signedSet(live, alive(options.signatures));
  const kept = keptNotes(alive(options.acknowledgements));
  const groups = new Map<string, Consultation[]>();
  for (const c of live) {
    const k = `${c.visitId}\u0000${c.serviceId}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out: Consultation[] = [];
  for (const g of groups.values()) {
    const chosen = g.find((c) => kept.has(c.id));
    out.push(chosen ?? primaryNote(g, signed));
  }
  return out.sort((a, b) => cmp(a.id, b.id));
}

/** Notes an acknowledgement kept as the main one (the winning acknowledgement of each id). */
function keptNotes(acks: readonly ContradictionAck[]): Set<string> {
  const out = new Set<string>();
  for (const a of settlements(acks).values()) {
    if (a.keptConsultationId) out.add(a.keptConsultationId);
  }
  return out;
}

/**
 * The one outcome of each acknowledged contradiction: when two devices acknowledged it at once,
 * the acknowledgement with the smallest id wins everywhere (ids, not clocks); the others stay as
 * audit. Keyed by contradiction id.
 */
export function settlements(acks: readonly ContradictionAck[]): Map<string, ContradictionAck> {
  const out = new Map<string, ContradictionAck>();
  for (const a of alive(acks)) {
    const cur = out.get(a.contradictionId);
    if (!cur || a.id < cur.id) out.set(a.contradictionId, a);
  }
  return out;
}

/** The deterministic id of a contradiction: its kind and the sorted ids of its subjects. */
export function contradictionId(kind: ContradictionKind, subjectIds: readonly string[]): string {
  return `${kind}:${uniqSorted(subjectIds).join('+')}`;
}

interface Draft {
  kind: ContradictionKind;
  subjects: string[];
  stopId: string;
  visitId: string | null;
  serviceId: string | null;
  entries: QueueEntry[];
  sides: ContradictionSide[];
  settledBy: Settlement;
  effective: Contradiction['effective'];
}

function entrySide(e: QueueEntry, eff: EffectiveEntry | undefined): ContradictionSide {
  return {
    queueEntryId: e.id,
    consultationId: null,
    roomId: eff?.roomId ?? e.roomId,
    staffId: e.practitionerId,
    status: e.status.status,
    signed: false,
    at: e.startedAt ?? e.calledAt,
  };
}

function noteSide(c: Consultation, e: QueueEntry, signed: ReadonlySet<string>): ContradictionSide {
  return {
    queueEntryId: e.id,
    consultationId: c.id,
    roomId: noteRoom(c, e),
    staffId: c.authorId,
    status: e.status.status,
    signed: signed.has(c.id),
    at: c.createdAt,
  };
}

/**
 * Every broken invariant of the given rows, sorted by id. Rows marked deleted and notes whose
 * entry is not on this replica (purged, or not received yet) are ignored: a contradiction never
 * brings back a half-made row. Acknowledged contradictions stay in the list with `open: false`.
 */
export function dayContradictions(rows: DayRows): Contradiction[] {
  const visits = new Map(alive(rows.visits).map((v) => [v.id, v]));
  const entries = alive(rows.queueEntries);
  const entryById = new Map(entries.map((e) => [e.id, e]));
  const consultations = alive(rows.consultations).filter((c) => entryById.has(c.queueEntryId));
  const signed = signedSet(consultations, alive(rows.signatures));
  const byEntry = notesByEntry(consultations);
  const eff = new Map<string, EffectiveEntry>();
  for (const e of entries) eff.set(e.id, effectiveEntry(e, byEntry.get(e.id) ?? [], signed));
  const drafts: Draft[] = [];

  // At most one note per visit and service.
  const noteGroups = new Map<string, Consultation[]>();
  for (const c of consultations) {
    const k = `${c.visitId}\u0000${c.serviceId}`;
    const g = noteGroups.get(k);
    if (g) g.push(c);
    else noteGroups.set(k, [c]);
  }
  const doubled = new Set<string>();
  for (const g of noteGroups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => cmp(a.id, b.id));
    const es = uniqSorted(g.map((c) => c.queueEntryId)).map((id) => entryById.get(id)!);
    for (const e of es) doubled.add(e.id);
    const first = es[0]!;
    const e0 = eff.get(first.id)!;
    drafts.push({
      kind: 'two_consultations',
      subjects: g.map((c) => c.id),
      stopId: first.stopId,
      visitId: g[0]!.visitId,
      serviceId: g[0]!.serviceId,
      entries: es,
      sides: g.map((c) => noteSide(c, entryById.get(c.queueEntryId)!, signed)),
      settledBy: 'person',
      effective: { queueEntryId: first.id, status: e0.status, roomId: e0.roomId },
    });
  }

  for (const e of entries) {
    const x = eff.get(e.id)!;
    const notes = byEntry.get(e.id) ?? [];
    const recorded = e.status.status;
    // Evidence of care beside an end without care: the evidence won, a person confirms.
    if (x.evidence !== 'recorded' && ENDS_WITHOUT_CARE.has(recorded)) {
      drafts.push({
        kind: 'ended_with_note',
        subjects: [e.id, ...notes.map((c) => c.id)],
        stopId: e.stopId,
        visitId: e.visitId,
        serviceId: e.serviceId,
        entries: [e],
        sides: [
          { ...entrySide(e, undefined), roomId: e.roomId, at: e.endedAt },
          ...notes.map((c) => noteSide(c, e, signed)),
        ],
        settledBy: 'rule',
        effective: { queueEntryId: e.id, status: x.status, roomId: x.roomId },
      });
      continue;
    }
    // One note, but the entry names another room or another person than the note: a call or a
    // take-in made on a stale view after the patient was seen (two notes are the case above).
    if (notes.length === 1 && !doubled.has(e.id)) {
      const c = notes[0]!;
      const otherRoom = c.roomId != null && e.roomId !== null && e.roomId !== c.roomId;
      const otherPerson =
        e.practitionerId !== null &&
        e.practitionerId !== c.authorId &&
        e.practitionerId !== c.supervisorId;
      if (otherRoom || otherPerson) {
        drafts.push({
          kind: 'stale_call',
          subjects: [e.id, c.id],
          stopId: e.stopId,
          visitId: e.visitId,
          serviceId: e.serviceId,
          entries: [e],
          sides: [
            { ...entrySide(e, undefined), roomId: e.roomId, at: e.calledAt ?? e.endedAt },
            noteSide(c, e, signed),
          ],
          settledBy: 'rule',
          effective: { queueEntryId: e.id, status: x.status, roomId: x.roomId },
        });
      }
    }
  }

  // Occupancy, on effective statuses and rooms: one visit in one room, one patient per room.
  const active = entries.filter((e) => isActive(eff.get(e.id)!.status));
  const group = (key: (e: QueueEntry) => string | null) => {
    const m = new Map<string, QueueEntry[]>();
    for (const e of active) {
      const k = key(e);
      if (k === null) continue;
      const g = m.get(k);
      if (g) g.push(e);
      else m.set(k, [e]);
    }
    return [...m.values()].filter((g) => g.length > 1);
  };
  for (const g of group((e) => `${e.stopId}\u0000${e.visitId}`)) {
    const rooms = uniqSorted(g.map((e) => eff.get(e.id)!.roomId));
    if (rooms.length < 2) continue;
    g.sort((a, b) => cmp(a.id, b.id));
    drafts.push({
      kind: 'patient_in_two_rooms',
      subjects: g.map((e) => e.id),
      stopId: g[0]!.stopId,
      visitId: g[0]!.visitId,
      serviceId: null,
      entries: g,
      sides: g.map((e) => entrySide(e, eff.get(e.id))),
      settledBy: 'person',
      effective: null,
    });
  }
  for (const g of group((e) => {
    const room = eff.get(e.id)!.roomId;
    return room === null ? null : `${e.stopId}\u0000${room}`;
  })) {
    g.sort((a, b) => cmp(a.id, b.id));
    const room = eff.get(g[0]!.id)!.roomId!;
    drafts.push({
      kind: 'room_two_patients',
      subjects: [room, ...g.map((e) => e.id)],
      stopId: g[0]!.stopId,
      visitId: null,
      serviceId: null,
      entries: g,
      sides: g.map((e) => entrySide(e, eff.get(e.id))),
      settledBy: 'person',
      effective: null,
    });
  }

  const acksById = new Map<string, string[]>();
  for (const a of alive(rows.acknowledgements)) {
    const list = acksById.get(a.contradictionId);
    if (list) list.push(a.id);
    else acksById.set(a.contradictionId, [a.id]);
  }
  return drafts
    .map((d): Contradiction => {
      const id = contradictionId(d.kind, d.subjects);
      const acks = (acksById.get(id) ?? []).sort(cmp);
      const visit = d.visitId ? visits.get(d.visitId) : undefined;
      return {
        id,
        kind: d.kind,
        stopId: d.stopId,
        visitId: d.visitId,
        patientId: visit?.patientId ?? null,
        serviceId: d.serviceId,
        queueEntryIds: uniqSorted(d.entries.map((e) => e.id)),
        consultationIds: uniqSorted(d.sides.map((s) => s.consultationId)),
        roomIds: uniqSorted(d.sides.map((s) => s.roomId)),
        staffIds: uniqSorted(d.sides.map((s) => s.staffId)),
        tickets: uniqSorted(d.entries.map((e) => e.ticket)),
        sides: d.sides,
        settledBy: d.settledBy,
        effective: d.effective,
        acknowledgementIds: acks,
        open: acks.length === 0,
      };
    })
    .sort((a, b) => cmp(a.id, b.id));
}

/** Contradictions still to acknowledge. */
export function openContradictions(list: readonly Contradiction[]): Contradiction[] {
  return list.filter((c) => c.open);
}

/** Entries with an open contradiction (for the discreet marker on the board and the rooms). */
export function entriesWithOpenContradiction(list: readonly Contradiction[]): Set<string> {
  const out = new Set<string>();
  for (const c of list) if (c.open) for (const id of c.queueEntryIds) out.add(id);
  return out;
}
