// Exports for the evaluation (docs/design.md §4.4, §6): CSV safe against formula injection, the
// period's indicators as rows, and a pseudonymised research dataset (stable pseudonyms, age
// bands, no names, no NIR, no free text).
import { hmacSha256Hex } from '../sync/sha256';
import type { Consultation, Patient, QueueEntry, Service, Stop, Visit } from './entities';
import { type AgeBand, ageBand, type Indicators } from './indicators';

/**
 * One CSV cell: a text a spreadsheet would read as a formula (starting with =, +, -, @, a tab or
 * a carriage return) is prefixed with an apostrophe; quotes, separators and line breaks are
 * quoted the RFC 4180 way. Numbers are written as they are (a negative number is not a formula).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";,\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV with a header line; `;` separates cells (French spreadsheets), CRLF ends lines. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const line = (cells: readonly unknown[]) => cells.map(csvCell).join(';');
  return `${[line(header), ...rows.map(line)].join('\r\n')}\r\n`;
}

/** The period's indicators as (section, item, value) lines, for a spreadsheet. */
export function indicatorRows(ind: Indicators): [string, string, number | string | null][] {
  const rows: [string, string, number | string | null][] = [];
  rows.push(['période', 'du', ind.period.from], ['période', 'au', ind.period.to]);
  for (const [k, v] of Object.entries(ind.totals)) rows.push(['totaux', k, v]);
  for (const c of ind.byCommune) {
    rows.push([`commune ${c.communeInsee}`, 'escales', c.stops]);
    rows.push([`commune ${c.communeInsee}`, 'patients', c.patients]);
    rows.push([`commune ${c.communeInsee}`, 'consultations', c.consultations]);
  }
  for (const s of ind.byService) {
    rows.push([`service ${s.code ?? s.serviceId}`, 'patients', s.patients]);
    rows.push([`service ${s.code ?? s.serviceId}`, 'consultations', s.consultations]);
  }
  for (const r of ind.byRoom) {
    rows.push([`salle ${r.name ?? r.roomId}`, 'consultations', r.consultations]);
    rows.push([`salle ${r.name ?? r.roomId}`, 'occupation', r.occupancy]);
  }
  for (const [k, v] of Object.entries(ind.population)) rows.push(['population', k, v]);
  for (const [k, v] of Object.entries(ind.ageBands)) rows.push(['âge', k, v]);
  for (const [k, v] of Object.entries(ind.orientations.byKind)) rows.push(['orientation', k, v]);
  rows.push(['orientation', 'sans MT ayant trouvé un MT', ind.orientations.noMtPatientsWithMt]);
  for (const [k, v] of Object.entries(ind.waitingMinutes)) rows.push(['attente (min)', k, v]);
  rows.push(['absents', 'rendez-vous', ind.noShows.appointments]);
  rows.push(['absents', 'file', ind.noShows.queueEntries]);
  rows.push(['partis sans être vus', 'passages', ind.leavers.queueEntries]);
  rows.push(['patients', 'nouveaux', ind.patientsNewVsReturning.new]);
  rows.push(['patients', 'déjà venus', ind.patientsNewVsReturning.returning]);
  rows.push(['communes desservies', 'nombre', ind.communesCovered.count]);
  return rows;
}

/**
 * A stable pseudonym: the same patient and key always give the same pseudonym, and without the
 * key nobody can link it back to the patient's record. A keyed MAC (HMAC-SHA-256), not a hash of
 * key and id joined, so the construction is the standard one for keyed pseudonyms.
 */
export function pseudonym(key: string, patientId: string): string {
  return `P-${hmacSha256Hex(key, patientId).slice(0, 12)}`;
}

export interface ResearchRow {
  pseudonym: string;
  date: string;
  communeInsee: string;
  service: string;
  ageBand: AgeBand | 'inconnu';
  sex: string;
  noMt: boolean;
  ald: boolean;
  orientation: string;
  codes: string;
}

export interface ResearchInput {
  key: string;
  period: { from: string; to: string };
  stops: readonly Stop[];
  visits: readonly Visit[];
  entries: readonly QueueEntry[];
  consultations: readonly Consultation[];
  patients: readonly Patient[];
  services: readonly Service[];
}

export const RESEARCH_HEADER = [
  'pseudonyme',
  'date',
  'commune_insee',
  'service',
  'tranche_age',
  'sexe',
  'sans_mt',
  'ald',
  'orientation',
  'codes',
] as const;

/** One line per consultation of the period; restricted classes (social, sexual health) leave
 * out their codes, which would reveal what the class protects. */
export function researchDataset(input: ResearchInput): ResearchRow[] {
  if (input.key.trim().length < 8) {
    throw new Error('La clé de pseudonymisation doit compter au moins 8 caractères.');
  }
  const stops = new Map(input.stops.map((s) => [s.id, s]));
  const patients = new Map(input.patients.map((p) => [p.id, p]));
  const visits = new Map(input.visits.map((v) => [v.id, v]));
  const services = new Map(input.services.map((s) => [s.id, s]));
  const out: ResearchRow[] = [];
  for (const c of input.consultations) {
    if (c._deleted) continue;
    const stop = stops.get(c.stopId);
    if (!stop || stop.date < input.period.from || stop.date > input.period.to) continue;
    const p = patients.get(c.patientId);
    const v = visits.get(c.visitId);
    let band: AgeBand | 'inconnu' = 'inconnu';
    try {
      if (p) band = ageBand(p.birthDate, stop.date);
    } catch {
      band = 'inconnu';
    }
    out.push({
      pseudonym: pseudonym(input.key, c.patientId),
      date: stop.date,
      communeInsee: stop.communeInsee,
      service: services.get(c.serviceId)?.code ?? 'inconnu',
      ageBand: band,
      sex: p?.sex ?? 'inconnu',
      noMt: v?.noMt ?? false,
      ald: v?.ald ?? false,
      orientation: c.orientation.kind,
      codes:
        c.confidentiality === 'standard'
          ? c.codes
              .map((x) => `${x.system}:${x.code}`)
              .sort()
              .join(' ')
          : '',
    });
  }
  return out.sort((a, b) =>
    a.date === b.date ? (a.pseudonym < b.pseudonym ? -1 : 1) : a.date < b.date ? -1 : 1,
  );
}

export function researchCsv(rows: readonly ResearchRow[]): string {
  return toCsv(
    RESEARCH_HEADER,
    rows.map((r) => [
      r.pseudonym,
      r.date,
      r.communeInsee,
      r.service,
      r.ageBand,
      r.sex,
      r.noMt,
      r.ald,
      r.orientation,
      r.codes,
    ]),
  );
}
