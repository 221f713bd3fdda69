// Exports for the evaluation (docs/design.md §4.4, §6): CSV safe against formula injection and
// the period's indicators as rows. The research extract is src/domain/research.ts.
import type { Indicators } from './indicators';

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
  // ---- version 2 (docs/indicators.md) ----
  rows.push(['définitions', 'version', ind.version]);
  const r = ind.reattachment;
  const back = 'retour vers un médecin traitant';
  rows.push(
    [back, 'cohort', r.cohort],
    [back, 'baselineNone', r.baseline.none],
    [back, 'baselineUnknown', r.baseline.unknown],
    [back, 'baselineDeclared', r.baseline.declared],
    [back, 'reattached', r.noMt.reattached],
    [back, 'reattachedShare', r.noMt.share],
    [back, 'aldNoMtBaseline', r.aldNoMt.patients],
    [back, 'aldReattached', r.aldNoMt.reattached],
    [back, 'unknownDeclaredSince', r.unknown.declaredSince],
    [back, 'outcomeOrientation', r.bySource.orientation],
    [back, 'outcomePatient', r.bySource.patient],
    [back, 'outcomeVisit', r.bySource.visit],
    [back, 'daysToOutcomeMedian', r.daysToOutcome.median],
  );
  const p = ind.precarity;
  rows.push(
    ['précarité', 'c2s', p.c2s],
    ['précarité', 'ame', p.ame],
    ['précarité', 'noCover', p.none],
    ['précarité', 'covered', p.covered],
    ['précarité', 'unknownCover', p.unknown],
  );
  for (const e of ind.byHomeEpci ?? []) {
    rows.push([`intercommunalité ${e.name ?? 'inconnue'}`, 'patients', e.patients]);
  }
  for (const [k, v] of Object.entries(ind.appointmentLeadDays)) {
    rows.push(['délai de rendez-vous (jours)', k, v]);
  }
  for (const [k, v] of Object.entries(ind.supervision.hours)) {
    rows.push(['délai de supervision (heures)', k, v]);
  }
  rows.push(['délai de supervision (heures)', 'awaitingValidation', ind.supervision.awaiting]);
  for (const a of ind.activity.byProfession) {
    rows.push([
      'consultations par profession',
      a.profession ?? 'unknownProfession',
      a.consultations,
    ]);
    rows.push(['patients par profession', a.profession ?? 'unknownProfession', a.patients]);
  }
  for (const a of ind.activity.byIntern) {
    rows.push(['consultations par interne', a.staffId, a.consultations]);
  }
  rows.push(['prévention', 'preventionNotes', ind.prevention.consultations]);
  for (const [k, v] of Object.entries(ind.prevention.byAct)) rows.push(['prévention', k, v]);
  rows.push(['prévention', 'vaccinationsGiven', ind.prevention.vaccinationsGiven]);
  rows.push(['escales annulées', 'nombre', ind.cancelledStops.count]);
  const q = ind.questionnaire;
  rows.push(
    ['questionnaire', 'answered', q.answered],
    ['questionnaire', 'declined', q.declined],
    ['questionnaire', 'notAsked', q.notAsked],
  );
  for (const [k, v] of Object.entries(q.renunciation)) rows.push(['renoncement aux soins', k, v]);
  for (const [k, v] of Object.entries(q.withoutTruck)) rows.push(['sans le camion', k, v]);
  return rows;
}
