// Who reads what of a note, per person and purpose (issue #21 item 1; Code de la santé publique
// L1110-4: sharing within the care team limited to what the care needs). Pure tables and rules;
// the screens (what a person at work sees) and the servers' pull (what a device receives for the
// people signed in on it) both call them, never re-implement them.
import type { BreakGlassReason, Confidentiality, Profession, Role } from './entities';

/** What of a note a person reads: the note itself (SOAP, codes, vitals, addenda), the
 * transmission written from it for the social roles, or nothing. */
export type ReadLevel = 'note' | 'transmission' | 'none';

/** Why a person reads a note. */
export type ReadPurpose =
  /** They wrote it. */
  | 'authorship'
  /** Ordinary care within the team (the table below). */
  | 'care'
  /** They supervise its author (an intern): they validate or return it. */
  | 'supervision'
  /** The coordinating doctor, answerable for the centre's notes. */
  | 'coordination'
  /** A « bris de glace » they declared for this patient, still running. */
  | 'break_glass';

export const READ_PURPOSES: readonly ReadPurpose[] = [
  'authorship',
  'care',
  'supervision',
  'coordination',
  'break_glass',
];

/**
 * A cell of the care table: `note` and `transmission` as they are; `profession` reads the note
 * when the reader's profession is one of those of the note's service (configured per service by
 * the coordination), else nothing; `profession_or_transmission` the same, else the transmission.
 */
export type CareCell = ReadLevel | 'profession' | 'profession_or_transmission';

/**
 * Ordinary care, by role × class of note. Clinicians read standard notes, restricted classes
 * (social work, sexual health) only in their profession; the social and mediation roles read the
 * transmission written for them, the note itself only in their profession (a social worker's
 * social notes); reception and the waiting-room screen read no note.
 */
export const CARE_TABLE: Readonly<Record<Role, Readonly<Record<Confidentiality, CareCell>>>> = {
  clinicien: { standard: 'note', social: 'profession', sexual_health: 'profession' },
  social: {
    standard: 'transmission',
    social: 'profession_or_transmission',
    sexual_health: 'transmission',
  },
  coordinateur: { standard: 'note', social: 'note', sexual_health: 'note' },
  accueil: { standard: 'none', social: 'none', sexual_health: 'none' },
  affichage: { standard: 'none', social: 'none', sexual_health: 'none' },
};

/** How long a bris de glace opens a patient's notes. */
export const BREAK_GLASS_MS = 4 * 60 * 60_000;

export const BREAK_GLASS_REASONS: readonly BreakGlassReason[] = [
  'urgence_vitale',
  'continuite_soins',
  'demande_patient',
  'autre',
];

export interface Reader {
  id: string;
  profession: Profession | string;
  roles: readonly (Role | string)[];
}

export interface NoteFacts {
  authorId: string;
  /** The author's supervisor named on the note (an intern's), or null. */
  supervisorId?: string | null;
  serviceId: string;
  patientId: string;
  confidentiality: Confidentiality;
}

export interface ReadingFacts {
  /** The professions of each service (the coordination configures them). */
  professionsOf(serviceId: string): readonly string[];
  /** Whether the patient objects, now, to the sharing of their notes within the team. */
  objects(patientId: string): boolean;
  /** Whether this person holds a running bris de glace for this patient. */
  breakGlass(staffId: string, patientId: string): boolean;
}

const rank: Record<ReadLevel, number> = { none: 0, transmission: 1, note: 2 };
export const atLeast = (level: ReadLevel, wanted: ReadLevel) => rank[level] >= rank[wanted];
const best = (a: ReadLevel, b: ReadLevel): ReadLevel => (rank[a] >= rank[b] ? a : b);

function careLevel(reader: Reader, note: NoteFacts, facts: ReadingFacts): ReadLevel {
  const inProfession = facts.professionsOf(note.serviceId).includes(reader.profession);
  let level: ReadLevel = 'none';
  for (const role of reader.roles) {
    const cell = CARE_TABLE[role as Role]?.[note.confidentiality];
    if (cell === undefined) continue;
    const l: ReadLevel =
      cell === 'profession'
        ? inProfession
          ? 'note'
          : 'none'
        : cell === 'profession_or_transmission'
          ? inProfession
            ? 'note'
            : 'transmission'
          : cell;
    level = best(level, l);
  }
  return level;
}

/**
 * What `reader` reads of `note` for this purpose: `none` when the purpose is not theirs (they
 * did not write it, do not supervise its author, are not the coordinating doctor, hold no
 * running bris de glace, or are not a clinician for one). A patient's objection to sharing
 * leaves only authorship, supervision, coordination and a bris de glace.
 */
export function readLevel(
  reader: Reader,
  note: NoteFacts,
  purpose: ReadPurpose,
  facts: ReadingFacts,
): ReadLevel {
  switch (purpose) {
    case 'authorship':
      return reader.id === note.authorId ? 'note' : 'none';
    case 'supervision':
      return note.supervisorId && reader.id === note.supervisorId ? 'note' : 'none';
    case 'coordination':
      return reader.roles.includes('coordinateur') ? 'note' : 'none';
    case 'break_glass':
      return reader.roles.includes('clinicien') && facts.breakGlass(reader.id, note.patientId)
        ? 'note'
        : 'none';
    case 'care':
      return facts.objects(note.patientId) ? 'none' : careLevel(reader, note, facts);
  }
}

/** What `reader` reads of `note`, and under which purpose (the first that gives the most). */
export function noteAccess(
  reader: Reader | undefined,
  note: NoteFacts,
  facts: ReadingFacts,
): { level: ReadLevel; purpose: ReadPurpose | null } {
  if (!reader) return { level: 'none', purpose: null };
  let found: { level: ReadLevel; purpose: ReadPurpose | null } = { level: 'none', purpose: null };
  for (const purpose of READ_PURPOSES) {
    const level = readLevel(reader, note, purpose, facts);
    if (rank[level] > rank[found.level]) found = { level, purpose };
  }
  return found;
}

/** What a group of readers (the people signed in on a device) reads of a note: the most any of
 * them reads. A device receives this much; each person sees their own share on screen. */
export function groupLevel(
  readers: readonly Reader[],
  note: NoteFacts,
  facts: ReadingFacts,
): ReadLevel {
  let level: ReadLevel = 'none';
  for (const r of readers) level = best(level, noteAccess(r, note, facts).level);
  return level;
}

// ---- the facts, from rows ----

export interface ObjectionRow {
  patientId: string;
  at: string;
  objects: boolean;
  _deleted?: boolean;
}

export interface BreakGlassRow {
  patientId: string;
  staffId: string;
  at: string;
  until: string;
  _deleted?: boolean;
}

/** The patients objecting now: the latest record of each patient says (by time, then order). */
export function objectingPatients(rows: readonly ObjectionRow[]): Set<string> {
  const latest = new Map<string, ObjectionRow>();
  for (const r of rows) {
    if (r._deleted) continue;
    const prev = latest.get(r.patientId);
    if (!prev || prev.at <= r.at) latest.set(r.patientId, r);
  }
  return new Set([...latest.values()].filter((r) => r.objects).map((r) => r.patientId));
}

/** Whether a bris de glace is running at `now` (ISO instants compare as text in UTC). */
export function breakGlassRunning(row: BreakGlassRow, now: string): boolean {
  return !row._deleted && row.at <= now && now < row.until;
}

/** The reading facts of an organisation at `now`, from its rows. */
export function readingFacts(input: {
  services: readonly { id: string; professions?: readonly string[] }[];
  objections: readonly ObjectionRow[];
  breakGlasses: readonly BreakGlassRow[];
  now: string;
}): ReadingFacts {
  const professions = new Map(input.services.map((s) => [s.id, s.professions ?? []]));
  const objecting = objectingPatients(input.objections);
  const running = new Set(
    input.breakGlasses
      .filter((b) => breakGlassRunning(b, input.now))
      .map((b) => `${b.staffId}\u0000${b.patientId}`),
  );
  return {
    professionsOf: (id) => professions.get(id) ?? [],
    objects: (patientId) => objecting.has(patientId),
    breakGlass: (staffId, patientId) => running.has(`${staffId}\u0000${patientId}`),
  };
}

/** Why this bris de glace may not be recorded, or null: by a clinician, in their own name, for
 * at most BREAK_GLASS_MS from its start, with a reason of the list. */
export function breakGlassRefusal(
  row: { staffId?: unknown; at?: unknown; until?: unknown; reason?: unknown },
  user: string | undefined,
  roles: readonly string[] | undefined,
): string | null {
  if (row.staffId !== user) {
    return 'Un bris de glace est déclaré au nom de la personne identifiée sur l’appareil.';
  }
  if (roles !== undefined && !roles.includes('clinicien')) {
    return 'Seul un clinicien peut déclarer un bris de glace.';
  }
  if (!BREAK_GLASS_REASONS.includes(row.reason as BreakGlassReason)) {
    return 'Un bris de glace porte une raison de la liste.';
  }
  const from = Date.parse(String(row.at));
  const to = Date.parse(String(row.until));
  if (!(to > from) || to - from > BREAK_GLASS_MS) {
    return 'Un bris de glace dure au plus quatre heures.';
  }
  return null;
}
