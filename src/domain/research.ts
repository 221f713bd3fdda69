// The research extract (docs/research.md; issue #17 item 4), made for a
// study under the CNIL's reference methodology MR-004: patients who object are never exported;
// dates are coarsened to the ISO week and places to the EPCI; restricted classes (social, sexual
// health) are left out whole, so that no column — not the service, not the codes — reveals them;
// pseudonyms are an HMAC under the study's key, whose fingerprint is shown so a mistyped key is
// seen before it makes a second, unlinkable set of pseudonyms; and no combination of
// quasi-identifiers (week, place, residence, age band, sex) describes fewer than k patients
// (k = 5): small cells are generalised step by step, and what stays small is suppressed.
import { hmacSha256Hex } from '../sync/sha256';
import type { Consultation, Patient, ResearchObjection, Service, Stop, Visit } from './entities';
import { toCsv } from './exports';
import { type AgeBand, ageBand } from './indicators';

/** The smallest number of patients a combination of quasi-identifiers may describe. */
export const MIN_CELL = 5;

/** A value generalised away by the small-cell rule. */
export const MASKED = '*';

/**
 * A stable pseudonym: the same patient and key always give the same pseudonym, and without the
 * key nobody can link it back to the patient's record (HMAC-SHA-256, the standard construction).
 */
export function pseudonym(key: string, patientId: string): string {
  return `P-${hmacSha256Hex(key, patientId).slice(0, 12)}`;
}

/**
 * The fingerprint of a study key, shown beside the field as it is typed and kept by the
 * organisation: eight hexadecimal characters « 3F2A-91C4 ». It reveals nothing usable about the
 * key (an HMAC of a fixed text under it) and differs for a key with one character changed.
 */
export function keyFingerprint(key: string): string {
  const hex = hmacSha256Hex(key, 'escale:empreinte-de-cle-de-recherche').slice(0, 8).toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

export const FINGERPRINT_PATTERN = /^[0-9A-F]{4}-[0-9A-F]{4}$/;

/** Why this key may not make the extract, in French, or null. */
export function researchKeyRefusal(
  key: string,
  expected: string | null | undefined,
): string | null {
  if (key.trim() === '') return 'Saisissez la clé de pseudonymisation de l’étude.';
  if (key.trim().length < 8)
    return 'La clé de pseudonymisation doit compter au moins 8 caractères.';
  const got = keyFingerprint(key);
  if (expected && got !== expected) {
    return `Cette clé a l’empreinte ${got}, pas celle de l’étude (${expected}) : vérifiez la saisie.`;
  }
  return null;
}

/** The ISO 8601 week of a date ('YYYY-MM-DD' → '2026-W48'): the year is the week's. */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const weekday = (t.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  t.setUTCDate(t.getUTCDate() - weekday + 3); // the Thursday of this week decides its year
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * Who objects to research today: the latest record per patient wins (an objection can be
 * lifted, then made again). Ties on time go to the objection, the side that protects.
 */
export function researchObjectors(records: readonly ResearchObjection[]): Set<string> {
  const latest = new Map<string, ResearchObjection>();
  for (const r of records) {
    if (r._deleted) continue;
    const before = latest.get(r.patientId);
    if (!before || r.at > before.at || (r.at === before.at && r.objects)) {
      latest.set(r.patientId, r);
    }
  }
  return new Set([...latest.values()].filter((r) => r.objects).map((r) => r.patientId));
}

/** The EPCI a commune belongs to (its INSEE code), from the offline index (src/domain/epci.ts). */
export type EpciOf = (communeInsee: string | null | undefined) => string | null;

export interface ResearchRow {
  pseudonym: string;
  /** ISO week, or the month ('2026-11') where the week made a cell too small. */
  period: string;
  /** EPCI (SIREN) of the stop's commune. */
  place: string;
  /** EPCI of the patient's commune of residence, 'inconnu', or masked. */
  residence: string;
  service: string;
  ageBand: AgeBand | 'inconnu' | typeof MASKED;
  sex: string;
  noMt: boolean;
  ald: boolean;
  orientation: string;
  codes: string;
}

export interface ResearchInput {
  key: string;
  /** The study key's fingerprint the organisation keeps (null: none recorded yet). */
  expectedFingerprint?: string | null;
  period: { from: string; to: string };
  stops: readonly Stop[];
  visits: readonly Visit[];
  consultations: readonly Consultation[];
  patients: readonly Patient[];
  services: readonly Service[];
  objections: readonly ResearchObjection[];
  epciOf: EpciOf;
  /** Defaults to MIN_CELL; lower only in tests. */
  minCell?: number;
}

export interface ResearchExtract {
  rows: ResearchRow[];
  fingerprint: string;
  /** Consultations of the period left out because their patient objects. */
  objected: number;
  /** Consultations of a restricted class (or service) left out. */
  restricted: number;
  /** Lines whose cell stayed smaller than k once generalised: suppressed. */
  suppressed: number;
  /** Lines kept with a value generalised (sex, age band, residence masked; week → month). */
  generalised: number;
}

export const RESEARCH_HEADER = [
  'pseudonyme',
  'periode',
  'epci_lieu',
  'epci_residence',
  'service',
  'tranche_age',
  'sexe',
  'sans_mt',
  'ald',
  'orientation',
  'codes',
] as const;

/** A line before the small-cell rule, with the month its week may be generalised to. */
export interface Candidate {
  row: ResearchRow;
  month: string;
}

/** The quasi-identifiers of a line at generalisation level `level` (0: as they are). */
function cell({ row: r, month }: Candidate, level: number): string {
  return [
    level >= 4 ? month : r.period,
    r.place,
    level >= 3 ? MASKED : r.residence,
    level >= 2 ? MASKED : r.ageBand,
    level >= 1 ? MASKED : r.sex,
  ].join('|');
}

function generalise({ row: r, month }: Candidate, level: number): ResearchRow {
  if (level === 0) return r;
  return {
    ...r,
    sex: MASKED,
    ageBand: level >= 2 ? MASKED : r.ageBand,
    residence: level >= 3 ? MASKED : r.residence,
    period: level >= 4 ? month : r.period,
  };
}

/** The quasi-identifier tuple a row is released under (what the small-cell rule counts). */
export function releasedCell(r: ResearchRow): string {
  return [r.period, r.place, r.residence, r.ageBand, r.sex].join('|');
}

/**
 * Keeps only lines whose cell holds at least `k` distinct patients: each remaining small cell is
 * generalised one step (sex, then age band, then residence masked, then week → month) and
 * counted again among the lines still waiting; lines still in a small cell after the last step
 * are suppressed. By construction every released cell holds at least `k` patients.
 */
export function suppressSmallCells(
  candidates: readonly Candidate[],
  k: number,
): { rows: ResearchRow[]; suppressed: number; generalised: number } {
  let waiting = [...candidates];
  const out: ResearchRow[] = [];
  let generalised = 0;
  for (let level = 0; level <= 4 && waiting.length > 0; level++) {
    const groups = new Map<string, Candidate[]>();
    for (const c of waiting) {
      const key = cell(c, level);
      const g = groups.get(key);
      if (g) g.push(c);
      else groups.set(key, [c]);
    }
    waiting = [];
    for (const g of groups.values()) {
      if (new Set(g.map((c) => c.row.pseudonym)).size >= k) {
        for (const c of g) out.push(generalise(c, level));
        if (level > 0) generalised += g.length;
      } else {
        waiting.push(...g);
      }
    }
  }
  return { rows: out, suppressed: waiting.length, generalised };
}

/**
 * The extract of a period: one line per consultation of a standard class whose patient does not
 * object, then the small-cell rule. Throws the key's refusal (French) when the key may not be
 * used.
 */
export function researchExtract(input: ResearchInput): ResearchExtract {
  const refusal = researchKeyRefusal(input.key, input.expectedFingerprint);
  if (refusal) throw new Error(refusal);
  const stops = new Map(input.stops.map((s) => [s.id, s]));
  const patients = new Map(input.patients.map((p) => [p.id, p]));
  const visits = new Map(input.visits.map((v) => [v.id, v]));
  const services = new Map(input.services.map((s) => [s.id, s]));
  const objectors = researchObjectors(input.objections);
  const candidates: Candidate[] = [];
  let objected = 0;
  let restricted = 0;
  for (const c of input.consultations) {
    if (c._deleted) continue;
    const stop = stops.get(c.stopId);
    if (!stop || stop.date < input.period.from || stop.date > input.period.to) continue;
    if (objectors.has(c.patientId)) {
      objected++;
      continue;
    }
    const service = services.get(c.serviceId);
    if (c.confidentiality !== 'standard' || !service || service.confidentiality !== 'standard') {
      restricted++;
      continue;
    }
    const p = patients.get(c.patientId);
    const v = visits.get(c.visitId);
    let band: AgeBand | 'inconnu' = 'inconnu';
    try {
      if (p) band = ageBand(p.birthDate, stop.date);
    } catch {
      band = 'inconnu';
    }
    const row: ResearchRow = {
      pseudonym: pseudonym(input.key, c.patientId),
      period: isoWeek(stop.date),
      place: input.epciOf(stop.communeInsee) ?? 'inconnu',
      residence: (p?.communeInsee ? input.epciOf(p.communeInsee) : null) ?? 'inconnu',
      service: service.code,
      ageBand: band,
      sex: p?.sex ?? 'inconnu',
      noMt: v?.noMt ?? false,
      ald: v?.ald ?? false,
      orientation: c.orientation.kind,
      codes: c.codes
        .map((x) => `${x.system}:${x.code}`)
        .sort()
        .join(' '),
    };
    candidates.push({ row, month: stop.date.slice(0, 7) });
  }
  const kept = suppressSmallCells(candidates, input.minCell ?? MIN_CELL);
  const ordered = kept.rows.sort((a, b) =>
    releasedCell(a) === releasedCell(b)
      ? a.pseudonym < b.pseudonym
        ? -1
        : a.pseudonym > b.pseudonym
          ? 1
          : 0
      : releasedCell(a) < releasedCell(b)
        ? -1
        : 1,
  );
  return {
    rows: ordered,
    fingerprint: keyFingerprint(input.key),
    objected,
    restricted,
    suppressed: kept.suppressed,
    generalised: kept.generalised,
  };
}

export function researchCsv(rows: readonly ResearchRow[]): string {
  return toCsv(RESEARCH_HEADER, rows.map(researchCsvCells));
}

function researchCsvCells(r: ResearchRow): unknown[] {
  return [
    r.pseudonym,
    r.period,
    r.place,
    r.residence,
    r.service,
    r.ageBand,
    r.sex,
    r.noMt,
    r.ald,
    r.orientation,
    r.codes,
  ];
}
