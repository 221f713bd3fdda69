// The clinical summary every room sees when a patient is called (issue #15 item 2): problems and
// antecedents coded in CISP-2 / CIM-10 (active or resolved, with dates), current treatments (free
// text with dose, start and stop), allergies and intolerances (substance, category, reaction,
// severity), vaccinations (vaccine, lot, date, site, who) and the last vitals with their trend and
// abnormal flags (./vitals.ts). Pure: the caller passes today's date and the rows. Each row is an
// entity of its own (./entities.ts: problem, treatment, allergy, vaccination), replicated field by
// field; these rules check what a person types and order what the screens show.
import type { Allergy, Code, Problem, TermRef, Treatment, Vaccination, Vitals } from './entities';
import { isIsoDate } from './identity';
import { foldName } from './text';
import { type VitalFlag, type VitalTrend, vitalFlags, vitalTrends } from './vitals';

export type Errors<K extends string> = Partial<Record<K, string>>;
export type Checked<T, K extends string> =
  | { ok: true; value: T }
  | { ok: false; errors: Errors<K> };

const MAX_TEXT = 200;

function text(value: string | null | undefined): string {
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

/** A date typed in a form (`AAAA-MM-JJ` from a date input), empty as null; errors in French. */
function dateField(
  raw: string | null | undefined,
  today: string,
  what: string,
): { value: string | null; error?: string } {
  const v = text(raw);
  if (v === '') return { value: null };
  if (!isIsoDate(v)) return { value: null, error: `${what} : date invalide.` };
  if (v > today) return { value: null, error: `${what} ne peut pas être dans le futur.` };
  return { value: v };
}

function tooLong(v: string, what: string): string | undefined {
  return v.length > MAX_TEXT ? `${what} : ${MAX_TEXT} caractères au plus.` : undefined;
}

// ---- problems and antecedents ----

export interface ProblemInput {
  kind: Problem['kind'];
  /** The code chosen in the terminology, or null for a problem written in words only. */
  code: TermRef | null;
  /** Words of the problem; the code's label when left empty. */
  label: string;
  status: Problem['status'];
  onsetDate?: string | null;
  resolvedDate?: string | null;
  note?: string | null;
}
export type ProblemFields = Pick<
  Problem,
  'kind' | 'code' | 'label' | 'status' | 'onsetDate' | 'resolvedDate' | 'note'
>;
type ProblemKey = 'label' | 'onsetDate' | 'resolvedDate' | 'note';

export function checkProblem(
  input: ProblemInput,
  today: string,
): Checked<ProblemFields, ProblemKey> {
  const errors: Errors<ProblemKey> = {};
  const label = text(input.label) || text(input.code?.label);
  if (label === '') errors.label = 'Indiquer le problème (un code du catalogue ou des mots).';
  else if (tooLong(label, 'Problème')) errors.label = tooLong(label, 'Problème');
  const onset = dateField(input.onsetDate, today, 'La date de début');
  if (onset.error) errors.onsetDate = onset.error;
  const resolved = dateField(input.resolvedDate, today, 'La date de résolution');
  if (resolved.error) errors.resolvedDate = resolved.error;
  if (input.status === 'active' && resolved.value !== null) {
    errors.resolvedDate = 'Un problème actif n’a pas de date de résolution.';
  }
  if (onset.value && resolved.value && resolved.value < onset.value) {
    errors.resolvedDate = 'La date de résolution précède la date de début.';
  }
  const note = text(input.note);
  if (tooLong(note, 'Remarque')) errors.note = tooLong(note, 'Remarque');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      kind: input.kind,
      code: input.code,
      label,
      status: input.status,
      onsetDate: onset.value,
      resolvedDate: input.status === 'resolved' ? resolved.value : null,
      note: note === '' ? null : note,
    },
  };
}

/** The fields that mark a problem resolved on `date` (today when null), or a French refusal. */
export function resolveProblem(
  problem: Pick<Problem, 'status' | 'onsetDate'>,
  date: string | null,
  today: string,
): { ok: true; set: Pick<Problem, 'status' | 'resolvedDate'> } | { ok: false; reason: string } {
  if (problem.status === 'resolved') return { ok: false, reason: 'Ce problème est déjà résolu.' };
  const d = dateField(date ?? today, today, 'La date de résolution');
  if (d.error) return { ok: false, reason: d.error };
  if (problem.onsetDate && d.value! < problem.onsetDate) {
    return { ok: false, reason: 'La date de résolution précède la date de début.' };
  }
  return { ok: true, set: { status: 'resolved', resolvedDate: d.value } };
}

// ---- treatments ----

export interface TreatmentInput {
  name: string;
  dose: string;
  startDate?: string | null;
  stopDate?: string | null;
}
export type TreatmentFields = Pick<Treatment, 'name' | 'dose' | 'startDate' | 'stopDate'>;
type TreatmentKey = 'name' | 'dose' | 'startDate' | 'stopDate';

export function checkTreatment(
  input: TreatmentInput,
  today: string,
): Checked<TreatmentFields, TreatmentKey> {
  const errors: Errors<TreatmentKey> = {};
  const name = text(input.name);
  if (name === '') errors.name = 'Indiquer le traitement (médicament et dosage).';
  else if (tooLong(name, 'Traitement')) errors.name = tooLong(name, 'Traitement');
  const dose = text(input.dose);
  if (tooLong(dose, 'Posologie')) errors.dose = tooLong(dose, 'Posologie');
  const start = dateField(input.startDate, today, 'La date de début');
  if (start.error) errors.startDate = start.error;
  // A stop date may be planned ahead (« jusqu’au … »): only its order with the start is checked.
  const rawStop = text(input.stopDate);
  let stop: string | null = null;
  if (rawStop !== '') {
    if (!isIsoDate(rawStop)) errors.stopDate = 'La date d’arrêt : date invalide.';
    else stop = rawStop;
  }
  if (start.value && stop && stop < start.value) {
    errors.stopDate = 'La date d’arrêt précède la date de début.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name, dose, startDate: start.value, stopDate: stop } };
}

/** Whether a treatment is taken today: not stopped, or stopped after today. */
export function isCurrentTreatment(t: Pick<Treatment, 'stopDate'>, today: string): boolean {
  return t.stopDate === null || t.stopDate > today;
}

/** The fields that stop a treatment today, with the reason, or a French refusal. */
export function stopTreatment(
  t: Pick<Treatment, 'startDate' | 'stopDate'>,
  reason: string,
  today: string,
): { ok: true; set: Pick<Treatment, 'stopDate' | 'stopReason'> } | { ok: false; reason: string } {
  if (!isCurrentTreatment(t, today)) return { ok: false, reason: 'Ce traitement est déjà arrêté.' };
  if (t.startDate && today < t.startDate) {
    return { ok: false, reason: 'Ce traitement n’a pas encore commencé.' };
  }
  const why = text(reason);
  if (tooLong(why, 'Motif de l’arrêt'))
    return { ok: false, reason: tooLong(why, 'Motif de l’arrêt')! };
  return { ok: true, set: { stopDate: today, stopReason: why === '' ? null : why } };
}

// ---- allergies and intolerances ----

export interface AllergyInput {
  kind: Allergy['kind'];
  substance: string;
  category: Allergy['category'];
  reaction: Allergy['reaction'];
  severity: Allergy['severity'];
  note?: string | null;
}
export type AllergyFields = Pick<
  Allergy,
  'kind' | 'substance' | 'category' | 'reaction' | 'severity' | 'note'
>;
type AllergyKey = 'substance' | 'note';

export function checkAllergy(input: AllergyInput): Checked<AllergyFields, AllergyKey> {
  const errors: Errors<AllergyKey> = {};
  const substance = text(input.substance);
  if (substance === '') errors.substance = 'Indiquer la substance (médicament, aliment…).';
  else if (tooLong(substance, 'Substance')) errors.substance = tooLong(substance, 'Substance');
  const note = text(input.note);
  if (tooLong(note, 'Remarque')) errors.note = tooLong(note, 'Remarque');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      kind: input.kind,
      substance,
      category: input.category,
      reaction: input.reaction,
      severity: input.severity,
      note: note === '' ? null : note,
    },
  };
}

const SEVERITY_RANK: Readonly<Record<Allergy['severity'], number>> = {
  severe: 0,
  moderate: 1,
  mild: 2,
};

/** A severe allergy (or an anaphylaxis, whatever the severity typed) is shown prominently. */
export function isSevere(a: Pick<Allergy, 'severity' | 'reaction'>): boolean {
  return a.severity === 'severe' || a.reaction === 'anaphylaxis';
}

// ---- vaccinations ----

export interface VaccinationInput {
  vaccine: string;
  lot?: string | null;
  date: string;
  site: Vaccination['site'];
  /** The person of the team who gave it (in the truck), or null. */
  givenBy: string | null;
  /** Who gave it elsewhere, when not the team. */
  givenElsewhere?: string | null;
}
export type VaccinationFields = Pick<
  Vaccination,
  'vaccine' | 'lot' | 'date' | 'site' | 'givenBy' | 'givenElsewhere'
>;
type VaccinationKey = 'vaccine' | 'lot' | 'date' | 'givenBy';

export function checkVaccination(
  input: VaccinationInput,
  today: string,
): Checked<VaccinationFields, VaccinationKey> {
  const errors: Errors<VaccinationKey> = {};
  const vaccine = text(input.vaccine);
  if (vaccine === '') errors.vaccine = 'Indiquer le vaccin.';
  else if (tooLong(vaccine, 'Vaccin')) errors.vaccine = tooLong(vaccine, 'Vaccin');
  const lot = text(input.lot);
  if (tooLong(lot, 'Lot')) errors.lot = tooLong(lot, 'Lot');
  const date = dateField(input.date, today, 'La date de vaccination');
  if (date.error) errors.date = date.error;
  else if (date.value === null) errors.date = 'Indiquer la date de vaccination.';
  const elsewhere = text(input.givenElsewhere);
  const by = input.givenBy && input.givenBy.trim() !== '' ? input.givenBy : null;
  if (by === null && elsewhere === '') {
    errors.givenBy = 'Indiquer qui a vacciné : une personne de l’équipe, ou qui et où ailleurs.';
  } else if (by !== null && elsewhere !== '') {
    errors.givenBy = 'Choisir soit une personne de l’équipe, soit un vaccinateur extérieur.';
  } else if (tooLong(elsewhere, 'Vaccinateur')) {
    errors.givenBy = tooLong(elsewhere, 'Vaccinateur');
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      vaccine,
      lot: lot === '' ? null : lot,
      date: date.value!,
      site: input.site,
      givenBy: by,
      givenElsewhere: by === null ? elsewhere : null,
    },
  };
}

// ---- what signing a note can add ----

/** The result and diagnosis codes of a note not yet active problems of the patient: what the
 * signature offers to add to the summary in the same write. */
export function problemsFromCodes(
  codes: readonly Code[],
  problems: readonly Pick<Problem, 'code' | 'status' | '_deleted'>[],
): TermRef[] {
  const active = new Set(
    problems
      .filter((p) => !p._deleted && p.status === 'active' && p.code)
      .map((p) => `${p.code!.system}|${p.code!.code}`),
  );
  const seen = new Set<string>();
  const out: TermRef[] = [];
  for (const c of codes) {
    if (c.use === 'reason') continue;
    const key = `${c.system}|${c.code}`;
    if (active.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push({ system: c.system, code: c.code, label: c.label });
  }
  return out;
}

// ---- the summary as shown ----

export interface SummaryInput {
  problems: readonly Problem[];
  treatments: readonly Treatment[];
  allergies: readonly Allergy[];
  vaccinations: readonly Vaccination[];
  /** The free-text allergies typed on the patient before the summary existed (reception). */
  legacyAllergies: readonly string[];
  vitals: readonly Vitals[];
  today: string;
}

export interface ClinicalSummary {
  activeProblems: Problem[];
  resolvedProblems: Problem[];
  familyHistory: Problem[];
  currentTreatments: Treatment[];
  stoppedTreatments: Treatment[];
  /** Severe ones first (see isSevere), then by severity, then by substance. */
  allergies: Allergy[];
  severeAllergies: Allergy[];
  /** Free-text allergies of the patient not already coded under the same substance. */
  legacyAllergies: string[];
  /** Newest first. */
  vaccinations: Vaccination[];
  /** The last three values of each measure, with direction and flags. */
  trends: VitalTrend[];
  /** The abnormal values of the latest measurement. */
  latestFlags: VitalFlag[];
}

const live = <T extends { _deleted?: boolean }>(rows: readonly T[]) =>
  rows.filter((r) => r._deleted !== true);
const desc = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? 1 : a === b ? 0 : -1);
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function clinicalSummary(input: SummaryInput): ClinicalSummary {
  const problems = live(input.problems);
  const personal = problems.filter((p) => p.kind === 'personal');
  const byOnset = (a: Problem, b: Problem) => desc(a.onsetDate, b.onsetDate) || byId(a, b);
  const treatments = live(input.treatments);
  const byStart = (a: Treatment, b: Treatment) => desc(a.startDate, b.startDate) || byId(a, b);
  const allergies = live(input.allergies).sort(
    (a, b) =>
      Number(isSevere(b)) - Number(isSevere(a)) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.substance.localeCompare(b.substance, 'fr') ||
      byId(a, b),
  );
  const coded = new Set(allergies.map((a) => foldName(a.substance)));
  const legacy: string[] = [];
  for (const raw of input.legacyAllergies) {
    const folded = foldName(raw);
    if (folded === '' || coded.has(folded)) continue;
    coded.add(folded);
    legacy.push(raw.trim());
  }
  const vitals = [...input.vitals].sort((a, b) => (a.takenAt < b.takenAt ? -1 : 1));
  const latest = vitals[vitals.length - 1];
  return {
    activeProblems: personal.filter((p) => p.status === 'active').sort(byOnset),
    resolvedProblems: personal
      .filter((p) => p.status === 'resolved')
      .sort((a, b) => desc(a.resolvedDate, b.resolvedDate) || byId(a, b)),
    familyHistory: problems.filter((p) => p.kind === 'family').sort(byId),
    currentTreatments: treatments.filter((t) => isCurrentTreatment(t, input.today)).sort(byStart),
    stoppedTreatments: treatments
      .filter((t) => !isCurrentTreatment(t, input.today))
      .sort((a, b) => desc(a.stopDate, b.stopDate) || byId(a, b)),
    allergies,
    severeAllergies: allergies.filter(isSevere),
    legacyAllergies: legacy,
    vaccinations: live(input.vaccinations).sort((a, b) => desc(a.date, b.date) || byId(a, b)),
    trends: vitalTrends(vitals),
    latestFlags: latest ? vitalFlags(latest) : [],
  };
}
