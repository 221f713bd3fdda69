// The indicators added by definitions version 2 (issue #17 item 3; docs/indicators.md): the path
// back to a médecin traitant measured from each patient's FIRST visit ever to any later evidence,
// where patients live (commune and EPCI), precarity, appointment lead time, activity per
// profession and per intern, supervision delays, prevention acts, cancelled stops and the
// optional end-of-visit questionnaire. Pure: computeIndicators (src/domain/indicators.ts) calls
// these on the coordination device and on central alike, over whatever history each holds.
import type {
  Appointment,
  Consultation,
  FollowedOrientation,
  MtStatus,
  Patient,
  PreventionAct,
  Profession,
  Signature,
  Staff,
  Stop,
  Vaccination,
  Visit,
} from './entities';
import { preventionActSchema, renunciationSchema, withoutTruckSchema } from './entities';
import { isoToMs, localDate } from './time';

/**
 * The definitions' version, carried in every result. 1: the indicators of docs/design.md §4.4
 * (« sans MT » read at the patient's latest visit of the period). 2: baseline and outcome, and the
 * indicators listed in the header. Raise it whenever a definition changes, and say what changed in
 * DEFINITION_CHANGES and docs/indicators.md.
 */
export const INDICATORS_VERSION = 2;

/** What changed at each version, in French, for the screens that compare two versions. */
export const DEFINITION_CHANGES: Readonly<Record<number, readonly string[]>> = {
  2: [
    'Le retour vers un médecin traitant se mesure depuis la première venue du patient (et non plus sa dernière venue de la période) jusqu’à toute preuve ultérieure : orientation aboutie, médecin traitant déclaré sur le dossier, venue ultérieure « avec médecin traitant ».',
    'Un médecin traitant « inconnu » est un état à part, jamais compté « sans médecin traitant ».',
    'Nouveaux indicateurs : intercommunalité du domicile, précarité (C2S, AME), délai de rendez-vous, activité par profession et par interne, délais de supervision, actes de prévention, escales annulées, questionnaire de fin de venue.',
  ],
};

/** Versions between two results whose definitions differ, with what changed (empty: same). */
export function definitionChanges(a: number, b: number): string[] {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const out: string[] = [];
  for (let v = lo + 1; v <= hi; v++) out.push(...(DEFINITION_CHANGES[v] ?? []));
  return out;
}

// ---- the médecin traitant pathway ----

/** A visit's médecin traitant state as reception asked it. A visit checked in before schema 6
 * carries only the « sans MT » tick: ticked is « sans MT », unticked is *unknown* (before schema 6
 * nobody asked, so an empty box says nothing either way). */
export function visitMtState(v: Pick<Visit, 'mtStatus' | 'noMt'>): MtStatus {
  if (v.mtStatus) return v.mtStatus;
  return v.noMt ? 'none' : 'unknown';
}

export type OutcomeSource = 'orientation' | 'patient' | 'visit';

export interface Pathway {
  patientId: string;
  /** The first visit ever (of those held): its id, instant, stop date and states as ticked. */
  baseline: { visitId: string; at: string; date: string; mt: MtStatus; ald: boolean };
  /** The earliest evidence of a declared médecin traitant after the baseline, if any. */
  outcome: { source: OutcomeSource; at: string; date: string } | null;
}

export interface PathwayInput {
  visits: readonly Visit[];
  stops: readonly Stop[];
  patients: readonly Patient[];
  orientations?: readonly FollowedOrientation[];
  /** Inclusive last day evidence may carry ('YYYY-MM-DD'); default: any. */
  until?: string;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ms = (iso: string) => {
  const n = isoToMs(iso);
  return Number.isNaN(n) ? null : n;
};

/**
 * Each patient's pathway: baseline = their first visit ever among the visits given (ordered by
 * stop date, arrival, id; visits naming no known stop are left out), outcome = the earliest later
 * evidence of a médecin traitant, dated up to `until`:
 * - an orientation of theirs reaching « MT déclaré » (the step's instant);
 * - the médecin traitant declared on their record with its date (`mtStatusAt`), unless the source
 *   is the registration (that is not evidence of a path, only of a starting point);
 * - a later visit where reception ticked « avec MT ».
 * Evidence before the baseline's arrival is never an outcome; a visit must arrive after it (a
 * declaration at the very instant of the first arrival is not before it, and counts).
 */
export function pathways(input: PathwayInput): Map<string, Pathway> {
  const stopDate = new Map(input.stops.filter((s) => !s._deleted).map((s) => [s.id, s.date]));
  const byPatient = new Map<string, Visit[]>();
  for (const v of input.visits) {
    if (v._deleted || !stopDate.has(v.stopId)) continue;
    const list = byPatient.get(v.patientId);
    if (list) list.push(v);
    else byPatient.set(v.patientId, [v]);
  }
  const patientById = new Map(input.patients.map((p) => [p.id, p]));
  const orientationsOf = new Map<string, FollowedOrientation[]>();
  for (const o of input.orientations ?? []) {
    if (o._deleted) continue;
    const list = orientationsOf.get(o.patientId);
    if (list) list.push(o);
    else orientationsOf.set(o.patientId, [o]);
  }
  const until = input.until;
  const out = new Map<string, Pathway>();
  for (const [patientId, list] of byPatient) {
    list.sort(
      (a, b) =>
        cmp(stopDate.get(a.stopId)!, stopDate.get(b.stopId)!) ||
        cmp(a.arrivedAt, b.arrivedAt) ||
        cmp(a.id, b.id),
    );
    const first = list[0]!;
    const baseAt = ms(first.arrivedAt);
    const baseline = {
      visitId: first.id,
      at: first.arrivedAt,
      date: stopDate.get(first.stopId)!,
      mt: visitMtState(first),
      ald: first.ald,
    };
    const evidence: { source: OutcomeSource; at: string; date: string }[] = [];
    /** The evidence's date when it is not before the first arrival (`strictly`: after it). */
    const after = (iso: string | null | undefined, strictly = false) => {
      if (!iso) return null;
      const t = ms(iso);
      if (t === null || baseAt === null) return null;
      return t > baseAt || (!strictly && t === baseAt) ? localDate(iso) : null;
    };
    for (const v of list.slice(1)) {
      const d = stopDate.get(v.stopId)!;
      // Later means after the first arrival: a second visit at the same instant is not evidence.
      if (visitMtState(v) === 'declared' && d >= baseline.date && after(v.arrivedAt, true)) {
        evidence.push({ source: 'visit', at: v.arrivedAt, date: d });
      }
    }
    for (const o of orientationsOf.get(patientId) ?? []) {
      const steps = o.steps.filter((s) => s.state === 'mt_declared').map((s) => s.at);
      if (o.state.status === 'mt_declared') steps.push(o.state.at);
      for (const at of steps) {
        const d = after(at);
        if (d) evidence.push({ source: 'orientation', at, date: d });
      }
    }
    const p = patientById.get(patientId);
    if (p && !p._deleted && p.mtStatus === 'declared' && p.mtSource !== 'registration') {
      const d = after(p.mtStatusAt);
      if (d) evidence.push({ source: 'patient', at: p.mtStatusAt!, date: d });
    }
    const kept = evidence
      .filter((e) => until === undefined || e.date <= until)
      .filter((e) => e.date >= baseline.date)
      .sort((a, b) => cmp(a.date, b.date) || cmp(a.at, b.at) || cmp(a.source, b.source));
    out.set(patientId, { patientId, baseline, outcome: kept[0] ?? null });
  }
  return out;
}

export interface Stats {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

export interface Reattachment {
  /** Patients with a visit in the period: each counted once, under their baseline state. */
  cohort: number;
  baseline: Record<MtStatus, number>;
  /** « Sans MT » at their first visit; re-attached = with an outcome by the period's end. */
  noMt: { patients: number; reattached: number; share: number | null };
  /** « Sans MT » and with an ALD at their first visit. */
  aldNoMt: { patients: number; reattached: number; share: number | null };
  /** Unknown at their first visit (never « sans MT »); a médecin traitant declared since. */
  unknown: { patients: number; declaredSince: number; share: number | null };
  /** First evidence of the re-attached (sans MT and unknown at baseline), by source. */
  bySource: Record<OutcomeSource, number>;
  /** Days from the first visit to the first evidence, for the re-attached sans MT. */
  daysToOutcome: Stats;
}

const dayMs = 86_400_000;
const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / dayMs);

export function reattachment(
  cohort: ReadonlySet<string>,
  paths: ReadonlyMap<string, Pathway>,
  statsOf: (v: readonly number[]) => Stats,
  share: (n: number, d: number) => number | null,
): Reattachment {
  const baseline: Record<MtStatus, number> = { none: 0, declared: 0, unknown: 0 };
  let noMt = 0;
  let noMtBack = 0;
  let aldNoMt = 0;
  let aldNoMtBack = 0;
  let unknown = 0;
  let unknownBack = 0;
  const bySource: Record<OutcomeSource, number> = { orientation: 0, patient: 0, visit: 0 };
  const days: number[] = [];
  for (const id of [...cohort].sort()) {
    const p = paths.get(id);
    if (!p) continue;
    baseline[p.baseline.mt]++;
    if (p.baseline.mt === 'declared') continue;
    const back = p.outcome !== null;
    if (back) bySource[p.outcome!.source]++;
    if (p.baseline.mt === 'unknown') {
      unknown++;
      if (back) unknownBack++;
      continue;
    }
    noMt++;
    if (p.baseline.ald) aldNoMt++;
    if (back) {
      noMtBack++;
      if (p.baseline.ald) aldNoMtBack++;
      days.push(daysBetween(p.baseline.date, p.outcome!.date));
    }
  }
  return {
    cohort: baseline.none + baseline.declared + baseline.unknown,
    baseline,
    noMt: { patients: noMt, reattached: noMtBack, share: share(noMtBack, noMt) },
    aldNoMt: { patients: aldNoMt, reattached: aldNoMtBack, share: share(aldNoMtBack, aldNoMt) },
    unknown: { patients: unknown, declaredSince: unknownBack, share: share(unknownBack, unknown) },
    bySource,
    daysToOutcome: statsOf(days),
  };
}

// ---- where patients live, precarity ----

/** The EPCI (SIREN and name) of a commune, or null when unknown. */
export type PlaceOf = (communeInsee: string) => { code: string; name: string } | null;

export function homeEpci(
  cohort: ReadonlySet<string>,
  patients: ReadonlyMap<string, Patient>,
  placeOf: PlaceOf | undefined,
): { epci: string | null; name: string | null; patients: number }[] | null {
  if (!placeOf) return null;
  const counts = new Map<string | null, { name: string | null; patients: number }>();
  for (const id of cohort) {
    const insee = patients.get(id)?.communeInsee ?? null;
    const place = insee ? placeOf(insee) : null;
    const key = place?.code ?? null;
    const row = counts.get(key) ?? { name: place?.name ?? null, patients: 0 };
    row.patients++;
    counts.set(key, row);
  }
  return [...counts]
    .map(([epci, r]) => ({ epci, name: r.name, patients: r.patients }))
    .sort((a, b) => b.patients - a.patients || cmp(a.name ?? '~', b.name ?? '~'));
}

export interface Precarity {
  patients: number;
  c2s: number;
  ame: number;
  /** No cover at all (« aucune »). */
  none: number;
  /** Covered (AMO, AMO + AMC). */
  covered: number;
  /** Not known (« inconnue ») or no record held. */
  unknown: number;
  c2sShare: number | null;
  ameShare: number | null;
  noneShare: number | null;
}

/** The cohort by the coverage on their record (as it stands: the record keeps no history). */
export function precarity(
  cohort: ReadonlySet<string>,
  patients: ReadonlyMap<string, Patient>,
  share: (n: number, d: number) => number | null,
): Precarity {
  let c2s = 0;
  let ame = 0;
  let none = 0;
  let covered = 0;
  let unknown = 0;
  for (const id of cohort) {
    const c = patients.get(id)?.coverage;
    if (c === 'c2s') c2s++;
    else if (c === 'ame') ame++;
    else if (c === 'aucune') none++;
    else if (c === 'amo' || c === 'amo_amc') covered++;
    else unknown++;
  }
  const n = cohort.size;
  return {
    patients: n,
    c2s,
    ame,
    none,
    covered,
    unknown,
    c2sShare: share(c2s, n),
    ameShare: share(ame, n),
    noneShare: share(none, n),
  };
}

// ---- appointments, activity, supervision, prevention ----

/** Days from the booking (`createdAt`) to the appointment (its stop's date), cancelled ones out;
 * a booking recorded after its time (taken at the desk) counts as 0. */
export function leadTimesDays(
  appointments: readonly Appointment[],
  stopDate: (stopId: string) => string,
): number[] {
  const out: number[] = [];
  for (const a of appointments) {
    if (a.status === 'cancelled') continue;
    const booked = ms(a.createdAt);
    const date = stopDate(a.stopId);
    if (booked === null || !date) continue;
    const at = Date.parse(`${date}T${a.time}:00Z`);
    if (Number.isNaN(at)) continue;
    out.push(Math.max(0, Math.round(((at - booked) / dayMs) * 10) / 10));
  }
  return out;
}

export interface Activity {
  byProfession: { profession: Profession | null; consultations: number; patients: number }[];
  /** Interns (profession « interne ») by staff id: names are the screens' to add. */
  byIntern: { staffId: string; consultations: number; patients: number }[];
}

export function activity(
  consultations: readonly Consultation[],
  staff: readonly Staff[] | undefined,
): Activity {
  const byId = new Map((staff ?? []).map((s) => [s.id, s]));
  const prof = new Map<Profession | null, { c: number; p: Set<string> }>();
  const interns = new Map<string, { c: number; p: Set<string> }>();
  for (const c of consultations) {
    const author = byId.get(c.authorId);
    const key = author?.profession ?? null;
    const row = prof.get(key) ?? { c: 0, p: new Set<string>() };
    row.c++;
    row.p.add(c.patientId);
    prof.set(key, row);
    if (author?.profession === 'interne') {
      const i = interns.get(author.id) ?? { c: 0, p: new Set<string>() };
      i.c++;
      i.p.add(c.patientId);
      interns.set(author.id, i);
    }
  }
  return {
    byProfession: [...prof]
      .map(([profession, r]) => ({ profession, consultations: r.c, patients: r.p.size }))
      .sort(
        (a, b) =>
          b.consultations - a.consultations || cmp(a.profession ?? '~', b.profession ?? '~'),
      ),
    byIntern: [...interns]
      .map(([staffId, r]) => ({ staffId, consultations: r.c, patients: r.p.size }))
      .sort((a, b) => b.consultations - a.consultations || cmp(a.staffId, b.staffId)),
  };
}

/** Hours from the author's signature of a supervised note to its supervisor's validation (the
 * first of each, addenda left out); notes still awaiting it are counted apart. */
export function supervisionDelays(
  consultations: readonly Consultation[],
  signatures: readonly Signature[] | undefined,
): { hours: number[]; awaiting: number } {
  const first = new Map<string, { author?: number; supervisor?: number }>();
  for (const s of signatures ?? []) {
    if (s._deleted || (s as { addendumId?: string | null }).addendumId) continue;
    const t = ms(s.at);
    if (t === null || (s.kind !== 'author' && s.kind !== 'supervisor')) continue;
    const row = first.get(s.consultationId) ?? {};
    const prev = row[s.kind];
    if (prev === undefined || t < prev) row[s.kind] = t;
    first.set(s.consultationId, row);
  }
  const hours: number[] = [];
  let awaiting = 0;
  for (const c of consultations) {
    if (!c.supervisorId) continue;
    const row = first.get(c.id);
    if (row?.author === undefined) continue;
    if (row.supervisor === undefined) {
      awaiting++;
      continue;
    }
    hours.push(Math.max(0, Math.round(((row.supervisor - row.author) / 3_600_000) * 10) / 10));
  }
  return { hours, awaiting };
}

export const PREVENTION_ACTS = preventionActSchema.options;

export interface Prevention {
  /** Notes with at least one prevention act ticked. */
  consultations: number;
  byAct: Record<PreventionAct, number>;
  /** Vaccinations given in the truck (by a person of the team), dated in the period. */
  vaccinationsGiven: number;
}

export function prevention(
  consultations: readonly Consultation[],
  vaccinations: readonly Vaccination[] | undefined,
  inPeriod: (date: string) => boolean,
): Prevention {
  const byAct = Object.fromEntries(PREVENTION_ACTS.map((a) => [a, 0])) as Record<
    PreventionAct,
    number
  >;
  let notes = 0;
  for (const c of consultations) {
    const acts = [...new Set(c.prevention ?? [])];
    if (acts.length) notes++;
    for (const a of acts) if (a in byAct) byAct[a]++;
  }
  const given = (vaccinations ?? []).filter(
    (v) => !v._deleted && v.givenBy !== null && inPeriod(v.date),
  ).length;
  return { consultations: notes, byAct, vaccinationsGiven: given };
}

// ---- the end-of-visit questionnaire ----

export const RENUNCIATIONS = renunciationSchema.options;
export const WITHOUT_TRUCK = withoutTruckSchema.options;

export interface Questionnaire {
  /** Visits of the period. */
  visits: number;
  answered: number;
  declined: number;
  notAsked: number;
  renunciation: Record<(typeof RENUNCIATIONS)[number] | 'sans_reponse', number>;
  withoutTruck: Record<(typeof WITHOUT_TRUCK)[number] | 'sans_reponse', number>;
}

export function questionnaire(visits: readonly Visit[]): Questionnaire {
  const renunciation = Object.fromEntries(
    [...RENUNCIATIONS, 'sans_reponse'].map((k) => [k, 0]),
  ) as Questionnaire['renunciation'];
  const withoutTruck = Object.fromEntries(
    [...WITHOUT_TRUCK, 'sans_reponse'].map((k) => [k, 0]),
  ) as Questionnaire['withoutTruck'];
  let answered = 0;
  let declined = 0;
  for (const v of visits) {
    const s = v.survey;
    if (!s) continue;
    if (!s.answered) {
      declined++;
      continue;
    }
    answered++;
    renunciation[s.renunciation ?? 'sans_reponse']++;
    withoutTruck[s.withoutTruck ?? 'sans_reponse']++;
  }
  return {
    visits: visits.length,
    answered,
    declined,
    notAsked: visits.length - answered - declined,
    renunciation,
    withoutTruck,
  };
}

// ---- the period asked for ----

/** The longest period computed at once: a multi-year evaluation fits, a typo in a year does not. */
export const MAX_PERIOD_YEARS = 10;

const frenchDay = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const realDate = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** Why a period cannot be computed, in French (null: it can). */
export function periodRefusal(from: string | undefined, to: string | undefined): string | null {
  if (!from || !to) return 'Indiquez la période : une date de début et une date de fin.';
  if (!realDate(from)) return `La date de début n’est pas une date valide (attendu JJ/MM/AAAA).`;
  if (!realDate(to)) return `La date de fin n’est pas une date valide (attendu JJ/MM/AAAA).`;
  if (from > to) {
    return `La période est inversée : le début (${frenchDay(from)}) est après la fin (${frenchDay(to)}).`;
  }
  const limit = `${Number(from.slice(0, 4)) + MAX_PERIOD_YEARS}${from.slice(4)}`;
  if (to >= limit) {
    return `La période dépasse ${MAX_PERIOD_YEARS} ans : choisissez une fin avant le ${frenchDay(limit)}.`;
  }
  return null;
}

/** The message shown instead of figures when a period holds nothing. */
export const NO_DATA =
  'Aucune donnée pour cette période : aucune escale, aucune venue ni aucun rendez-vous. Les indicateurs ne sont pas des zéros, ils ne sont pas calculables.';
