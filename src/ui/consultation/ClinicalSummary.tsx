// The patient's clinical summary in a room (issue #15 item 2): severe allergies first and
// prominent, problems and antecedents, current treatments, vaccinations, the last vitals with
// their trend and abnormal flags — and, for a person at work here, the forms that add to it
// (each write through the device's write path, with its audit). Rules: src/domain/clinical-summary.ts.

import type { ReactNode } from 'react';
import { useEffect, useMemo, useState } from 'react';
import type { SummaryRows } from '../../device/summary-queries';
import {
  clinicalSummary,
  type Errors,
  type ClinicalSummary as Summary,
} from '../../domain/clinical-summary';
import { canRead } from '../../domain/consultation';
import {
  type Allergy,
  allergenCategorySchema,
  allergyKindSchema,
  allergyReactionSchema,
  allergySeveritySchema,
  type Patient,
  type Problem,
  problemKindSchema,
  problemStatusSchema,
  type Staff,
  type TermRef,
  type Treatment,
  vaccinationSiteSchema,
} from '../../domain/entities';
import { searchTerms } from '../../domain/terminology';
import { localDate } from '../../domain/time';
import { VITALS } from '../../domain/vitals';
import { useWriter } from '../data/writer';
import { staffName } from '../day/day-data';
import { CheckboxField, SelectField, TextField } from '../forms/fields';
import { formatBirthDate, t } from '../i18n';
import { useReadingFacts, useSummaryRows, useTerminology } from './consultation-data';
import { type SummaryActions, type SummaryOutcome, useSummaryActions } from './summary-actions';
import { VitalValue } from './VitalValue';

const date = (iso: string | null) => (iso ? formatBirthDate(iso) : t('summary.dateUnknown'));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ClinicalSummary({
  patient,
  viewer,
  staff,
  now,
  editable,
  title,
  rows: given,
}: {
  /** Rows fetched on demand (a past record, read-only, audited when fetched) instead of the
   * device's own, read live. */
  rows?: SummaryRows;
  /** The heading (default « Résumé clinique »). */
  title?: string;
  patient: Patient;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  now: string;
  /** A person at work on a room or coordination device: the summary can be added to. */
  editable: boolean;
}) {
  const live = useSummaryRows(given ? null : patient.id);
  const rows = given ?? live;
  const facts = useReadingFacts();
  const today = localDate(now);
  const write = useWriter();
  // Reading a patient's clinical data is audited (docs/design.md §6), once per patient shown; a
  // fetched record was audited when it came.
  useEffect(() => {
    if (given) return;
    write([], { action: 'summary.read', entity: 'patient', entityId: patient.id }).catch(
      (error: unknown) => console.error(error),
    );
  }, [patient.id, write, given]);
  const summary = useMemo(() => {
    if (!rows || !facts) return undefined;
    // Vitals of a restricted note stay with those who may read the note.
    const readable = new Set(rows.notes.filter((c) => canRead(c, viewer, facts)).map((c) => c.id));
    return clinicalSummary({
      ...rows,
      vitals: rows.vitals.filter((v) => readable.has(v.consultationId)),
      legacyAllergies: patient.allergies,
      today,
    });
  }, [rows, facts, patient.allergies, today, viewer]);
  if (!summary) return <p role="status">{t('summary.loading')}</p>;
  const props = { summary, patient, today, editable, staff, viewer };
  return (
    <section className="clinical-summary stack" aria-labelledby="summary-title">
      <h3 id="summary-title">{title ?? t('summary.title')}</h3>
      {summary.severeAllergies.length > 0 ? (
        <div className="notice notice--error summary-severe" role="note">
          <strong>{t('summary.severeTitle')}</strong>
          <ul>
            {summary.severeAllergies.map((a) => (
              <li key={a.id}>{allergyLine(a)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {editable || given ? null : <p className="muted">{t('summary.readOnly')}</p>}
      <Allergies {...props} />
      <Problems {...props} />
      <Treatments {...props} />
      <Vaccinations {...props} />
      <LastVitals summary={summary} />
    </section>
  );
}

interface PartProps {
  summary: Summary;
  patient: Patient;
  today: string;
  editable: boolean;
  staff: ReadonlyMap<string, Staff>;
  viewer: Staff | undefined;
}

function allergyLine(a: Allergy): string {
  return t('summary.allergies.line', {
    substance: a.substance,
    kind: t(`summary.allergies.kinds.${a.kind}`),
    category: t(`summary.allergies.categories.${a.category}`),
    reaction: t(`summary.allergies.reactions.${a.reaction}`),
    severity: t(`summary.allergies.severities.${a.severity}`),
  });
}

/** A form that adds to the summary, folded until opened; it closes once saved. */
function useAddForm(save: () => Promise<SummaryOutcome>, reset: () => void) {
  const [open, setOpen] = useState(false);
  const [errors, setErrors] = useState<Errors<string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async () => {
    setFailure(null);
    setSaved(false);
    try {
      const outcome = await save();
      if (!outcome.ok) {
        setErrors(outcome.errors);
        return;
      }
      setErrors({});
      reset();
      setOpen(false);
      setSaved(true);
    } catch (e) {
      setFailure(message(e));
    }
  };
  return { open, setOpen, errors, failure, saved, submit };
}

function Folded({
  form,
  label,
  submitLabel,
  children,
}: {
  form: ReturnType<typeof useAddForm>;
  label: string;
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <>
      {form.saved ? (
        <p className="muted" role="status">
          {t('summary.saved')}
        </p>
      ) : null}
      <details
        className="summary-add"
        open={form.open}
        onToggle={(e) => form.setOpen((e.target as HTMLDetailsElement).open)}
      >
        <summary>{label}</summary>
        <form
          className="stack"
          aria-label={label}
          onSubmit={(e) => {
            e.preventDefault();
            void form.submit();
          }}
        >
          {form.failure ? (
            <p className="notice notice--error" role="alert">
              {form.failure}
            </p>
          ) : null}
          {children}
          <p>
            <button type="submit" className="button button--primary">
              {submitLabel}
            </button>
          </p>
        </form>
      </details>
    </>
  );
}

// ---- allergies ----

function Allergies({ summary, patient, editable }: PartProps) {
  const actions = useSummaryActions();
  const empty = {
    kind: 'allergy' as Allergy['kind'],
    substance: '',
    category: 'medication' as Allergy['category'],
    reaction: 'unknown' as Allergy['reaction'],
    severity: 'moderate' as Allergy['severity'],
    note: '',
  };
  const [input, setInput] = useState(empty);
  const form = useAddForm(
    () => actions.addAllergy(patient.id, input),
    () => setInput(empty),
  );
  const options = <V extends string>(values: readonly V[], key: (v: V) => string) =>
    values.map((v) => ({ value: v, label: key(v) }));
  return (
    <div className="stack">
      <h4>{t('summary.allergies.title')}</h4>
      {summary.allergies.length === 0 && summary.legacyAllergies.length === 0 ? (
        <p className="muted">{t('summary.allergies.none')}</p>
      ) : null}
      {summary.allergies.length > 0 ? (
        <ul aria-label={t('summary.allergies.title')}>
          {summary.allergies.map((a) => (
            <li key={a.id} className={a.severity === 'severe' ? 'summary-item--severe' : undefined}>
              {allergyLine(a)}
              {a.note ? <span className="muted"> — {a.note}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {summary.legacyAllergies.length > 0 ? (
        <p className="notice notice--warning">
          {t('summary.allergies.legacy', { list: summary.legacyAllergies.join(', ') })}
        </p>
      ) : null}
      {editable ? (
        <Folded
          form={form}
          label={t('summary.allergies.add')}
          submitLabel={t('summary.allergies.save')}
        >
          <div className="form-grid form-grid--narrow">
            <TextField
              label={t('summary.allergies.substance')}
              hint={t('summary.allergies.substanceHint')}
              value={input.substance}
              onChange={(substance) => setInput({ ...input, substance })}
              error={form.errors.substance}
            />
            <SelectField
              label={t('summary.allergies.kindLabel')}
              value={input.kind}
              onChange={(kind) => setInput({ ...input, kind })}
              options={options(allergyKindSchema.options, (v) => t(`summary.allergies.kinds.${v}`))}
            />
            <SelectField
              label={t('summary.allergies.category')}
              value={input.category}
              onChange={(category) => setInput({ ...input, category })}
              options={options(allergenCategorySchema.options, (v) =>
                t(`summary.allergies.categories.${v}`),
              )}
            />
            <SelectField
              label={t('summary.allergies.reaction')}
              value={input.reaction}
              onChange={(reaction) => setInput({ ...input, reaction })}
              options={options(allergyReactionSchema.options, (v) =>
                t(`summary.allergies.reactions.${v}`),
              )}
            />
            <SelectField
              label={t('summary.allergies.severity')}
              value={input.severity}
              onChange={(severity) => setInput({ ...input, severity })}
              options={options(allergySeveritySchema.options, (v) =>
                t(`summary.allergies.severities.${v}`),
              )}
            />
            <TextField
              label={t('summary.allergies.note')}
              value={input.note}
              onChange={(note) => setInput({ ...input, note })}
              error={form.errors.note}
            />
          </div>
        </Folded>
      ) : null}
    </div>
  );
}

// ---- problems ----

function ProblemLine({ p }: { p: Problem }) {
  return (
    <>
      {p.code ? (
        <span className="status-tag">
          {t('summary.problems.code', { system: p.code.system, code: p.code.code })}
        </span>
      ) : null}{' '}
      {p.label}
      {p.onsetDate ? (
        <span className="muted"> {t('summary.since', { date: date(p.onsetDate) })}</span>
      ) : null}
      {p.status === 'resolved' && p.resolvedDate ? (
        <span className="muted">
          {' '}
          — {t('summary.problems.resolvedOn', { date: date(p.resolvedDate) })}
        </span>
      ) : null}
    </>
  );
}

function Problems({ summary, patient, today, editable }: PartProps) {
  const actions = useSummaryActions();
  const terminology = useTerminology();
  const empty = {
    kind: 'personal' as Problem['kind'],
    status: 'active' as Problem['status'],
    label: '',
    onsetDate: '',
    resolvedDate: '',
    note: '',
  };
  const [input, setInput] = useState(empty);
  const [code, setCode] = useState<TermRef | null>(null);
  const [query, setQuery] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const hits = useMemo(
    () =>
      terminology.state === 'ready'
        ? searchTerms(terminology.terminology, query, { limit: 6 })
        : [],
    [terminology, query],
  );
  const form = useAddForm(
    () => actions.addProblem(patient.id, { ...input, code }, today),
    () => {
      setInput(empty);
      setCode(null);
      setQuery('');
    },
  );
  const resolve = (p: Problem) => {
    setFailure(null);
    actions.resolveProblem(p, today).catch((e: unknown) => setFailure(message(e)));
  };
  const nothing =
    summary.activeProblems.length +
      summary.resolvedProblems.length +
      summary.familyHistory.length ===
    0;
  return (
    <div className="stack">
      <h4>{t('summary.problems.title')}</h4>
      {failure ? (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      ) : null}
      {nothing ? <p className="muted">{t('summary.problems.none')}</p> : null}
      {summary.activeProblems.length > 0 ? (
        <ul className="code-list" aria-label={t('summary.problems.active')}>
          {summary.activeProblems.map((p) => (
            <li key={p.id}>
              <span>
                <ProblemLine p={p} />
              </span>
              {editable ? (
                <button
                  type="button"
                  className="button"
                  aria-label={t('summary.problems.resolveFor', { label: p.label })}
                  onClick={() => resolve(p)}
                >
                  {t('summary.problems.resolve')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {summary.resolvedProblems.length > 0 ? (
        <>
          <p className="muted">{t('summary.problems.resolved')}</p>
          <ul aria-label={t('summary.problems.resolved')}>
            {summary.resolvedProblems.map((p) => (
              <li key={p.id}>
                <ProblemLine p={p} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {summary.familyHistory.length > 0 ? (
        <>
          <p className="muted">{t('summary.problems.family')}</p>
          <ul aria-label={t('summary.problems.family')}>
            {summary.familyHistory.map((p) => (
              <li key={p.id}>
                <ProblemLine p={p} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {editable ? (
        <Folded
          form={form}
          label={t('summary.problems.add')}
          submitLabel={t('summary.problems.save')}
        >
          {code ? (
            <p>
              {t('summary.problems.chosen', {
                system: code.system,
                code: code.code,
                label: code.label,
              })}{' '}
              <button type="button" className="button" onClick={() => setCode(null)}>
                {t('summary.problems.removeCode')}
              </button>
            </p>
          ) : (
            <>
              <TextField
                type="search"
                label={t('summary.problems.search')}
                hint={t('summary.problems.searchHint')}
                value={query}
                onChange={setQuery}
              />
              {hits.length > 0 ? (
                <ul className="result-list" aria-label={t('summary.problems.results')}>
                  {hits.map((term) => (
                    <li key={`${term.system}|${term.code}`} className="result">
                      <span>
                        {term.system} {term.code} — {term.label}
                      </span>
                      <button
                        type="button"
                        className="button"
                        aria-label={t('summary.problems.choose', {
                          code: term.code,
                          label: term.label,
                        })}
                        onClick={() => {
                          setCode({ system: term.system, code: term.code, label: term.label });
                          setQuery('');
                        }}
                      >
                        {t('summary.problems.choose', { code: term.code, label: '' }).trim()}
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          )}
          <div className="form-grid form-grid--narrow">
            <TextField
              label={t('summary.problems.label')}
              value={input.label}
              onChange={(label) => setInput({ ...input, label })}
              error={form.errors.label}
            />
            <SelectField
              label={t('summary.problems.kindLabel')}
              value={input.kind}
              onChange={(kind) => setInput({ ...input, kind })}
              options={problemKindSchema.options.map((v) => ({
                value: v,
                label: t(`summary.problems.kinds.${v}`),
              }))}
            />
            <SelectField
              label={t('summary.problems.statusLabel')}
              value={input.status}
              onChange={(status) => setInput({ ...input, status })}
              options={problemStatusSchema.options.map((v) => ({
                value: v,
                label: t(`summary.problems.statuses.${v}`),
              }))}
            />
            <TextField
              type="date"
              label={t('summary.problems.onsetDate')}
              value={input.onsetDate}
              onChange={(onsetDate) => setInput({ ...input, onsetDate })}
              error={form.errors.onsetDate}
            />
            {input.status === 'resolved' ? (
              <TextField
                type="date"
                label={t('summary.problems.resolvedDate')}
                value={input.resolvedDate}
                onChange={(resolvedDate) => setInput({ ...input, resolvedDate })}
                error={form.errors.resolvedDate}
              />
            ) : null}
            <TextField
              label={t('summary.problems.note')}
              value={input.note}
              onChange={(note) => setInput({ ...input, note })}
              error={form.errors.note}
            />
          </div>
        </Folded>
      ) : null}
    </div>
  );
}

// ---- treatments ----

function TreatmentLine({ tr }: { tr: Treatment }) {
  return (
    <>
      {tr.dose ? t('summary.treatments.line', { name: tr.name, dose: tr.dose }) : tr.name}
      {tr.startDate ? (
        <span className="muted"> {t('summary.since', { date: date(tr.startDate) })}</span>
      ) : null}
    </>
  );
}

function StopTreatment({
  tr,
  actions,
  today,
}: {
  tr: Treatment;
  actions: SummaryActions;
  today: string;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  if (!open) {
    return (
      <button
        type="button"
        className="button"
        aria-label={t('summary.treatments.stopFor', { name: tr.name })}
        onClick={() => setOpen(true)}
      >
        {t('summary.treatments.stop')}
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      aria-label={t('summary.treatments.stopFor', { name: tr.name })}
      onSubmit={(e) => {
        e.preventDefault();
        setFailure(null);
        actions.stopTreatment(tr, reason, today).then(
          () => setOpen(false),
          (error: unknown) => setFailure(message(error)),
        );
      }}
    >
      {failure ? (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      ) : null}
      <TextField label={t('summary.treatments.stopReason')} value={reason} onChange={setReason} />
      <button type="submit" className="button button--primary">
        {t('summary.treatments.confirmStop')}
      </button>
      <button type="button" className="button" onClick={() => setOpen(false)}>
        {t('summary.cancel')}
      </button>
    </form>
  );
}

function Treatments({ summary, patient, today, editable }: PartProps) {
  const actions = useSummaryActions();
  const empty = { name: '', dose: '', startDate: today, stopDate: '' };
  const [input, setInput] = useState(empty);
  const form = useAddForm(
    () => actions.addTreatment(patient.id, input, today),
    () => setInput(empty),
  );
  return (
    <div className="stack">
      <h4>{t('summary.treatments.title')}</h4>
      {summary.currentTreatments.length === 0 ? (
        <p className="muted">{t('summary.treatments.none')}</p>
      ) : (
        <ul className="code-list" aria-label={t('summary.treatments.title')}>
          {summary.currentTreatments.map((tr) => (
            <li key={tr.id}>
              <span>
                <TreatmentLine tr={tr} />
                {tr.stopDate ? (
                  <span className="muted">
                    {' '}
                    — {t('summary.until', { date: date(tr.stopDate) })}
                  </span>
                ) : null}
              </span>
              {editable ? <StopTreatment tr={tr} actions={actions} today={today} /> : null}
            </li>
          ))}
        </ul>
      )}
      {summary.stoppedTreatments.length > 0 ? (
        <>
          <p className="muted">{t('summary.treatments.stopped')}</p>
          <ul aria-label={t('summary.treatments.stopped')}>
            {summary.stoppedTreatments.map((tr) => (
              <li key={tr.id}>
                <TreatmentLine tr={tr} />
                <span className="muted">
                  {' '}
                  — {t('summary.treatments.stoppedOn', { date: date(tr.stopDate) })}
                  {tr.stopReason ? ` (${tr.stopReason})` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {editable ? (
        <Folded
          form={form}
          label={t('summary.treatments.add')}
          submitLabel={t('summary.treatments.save')}
        >
          <div className="form-grid form-grid--narrow">
            <TextField
              label={t('summary.treatments.name')}
              value={input.name}
              onChange={(name) => setInput({ ...input, name })}
              error={form.errors.name}
            />
            <TextField
              label={t('summary.treatments.dose')}
              value={input.dose}
              onChange={(dose) => setInput({ ...input, dose })}
              error={form.errors.dose}
            />
            <TextField
              type="date"
              label={t('summary.treatments.startDate')}
              value={input.startDate}
              onChange={(startDate) => setInput({ ...input, startDate })}
              error={form.errors.startDate}
            />
            <TextField
              type="date"
              label={t('summary.treatments.stopDate')}
              value={input.stopDate}
              onChange={(stopDate) => setInput({ ...input, stopDate })}
              error={form.errors.stopDate}
            />
          </div>
        </Folded>
      ) : null}
    </div>
  );
}

// ---- vaccinations ----

function Vaccinations({ summary, patient, today, editable, staff, viewer }: PartProps) {
  const actions = useSummaryActions();
  const empty = {
    vaccine: '',
    lot: '',
    date: today,
    site: 'deltoid_left' as (typeof vaccinationSiteSchema.options)[number],
    here: true,
    elsewhere: '',
  };
  const [input, setInput] = useState(empty);
  const form = useAddForm(
    () =>
      actions.addVaccination(
        patient.id,
        {
          vaccine: input.vaccine,
          lot: input.lot,
          date: input.date,
          site: input.site,
          givenBy: input.here ? (viewer?.id ?? null) : null,
          givenElsewhere: input.here ? null : input.elsewhere,
        },
        today,
      ),
    () => setInput(empty),
  );
  return (
    <div className="stack">
      <h4>{t('summary.vaccinations.title')}</h4>
      {summary.vaccinations.length === 0 ? (
        <p className="muted">{t('summary.vaccinations.none')}</p>
      ) : (
        <ul aria-label={t('summary.vaccinations.title')}>
          {summary.vaccinations.map((v) => {
            const who = v.givenBy ? staff.get(v.givenBy) : undefined;
            const parts = [
              v.lot ? t('summary.vaccinations.lot', { lot: v.lot }) : null,
              t('summary.vaccinations.site', { site: t(`summary.vaccinations.sites.${v.site}`) }),
              who
                ? t('summary.vaccinations.byTeam', { who: staffName(who) })
                : v.givenElsewhere
                  ? t('summary.vaccinations.elsewhere', { who: v.givenElsewhere })
                  : null,
            ].filter((x): x is string => x !== null);
            return (
              <li key={v.id}>
                {t('summary.vaccinations.line', { vaccine: v.vaccine, date: date(v.date) })}
                <span className="muted"> — {parts.join(', ')}</span>
              </li>
            );
          })}
        </ul>
      )}
      {editable ? (
        <Folded
          form={form}
          label={t('summary.vaccinations.add')}
          submitLabel={t('summary.vaccinations.save')}
        >
          <div className="form-grid form-grid--narrow">
            <TextField
              label={t('summary.vaccinations.vaccine')}
              value={input.vaccine}
              onChange={(vaccine) => setInput({ ...input, vaccine })}
              error={form.errors.vaccine}
            />
            <TextField
              label={t('summary.vaccinations.lotLabel')}
              value={input.lot}
              onChange={(lot) => setInput({ ...input, lot })}
              error={form.errors.lot}
            />
            <TextField
              type="date"
              label={t('summary.vaccinations.date')}
              value={input.date}
              onChange={(d) => setInput({ ...input, date: d })}
              error={form.errors.date}
            />
            <SelectField
              label={t('summary.vaccinations.siteLabel')}
              value={input.site}
              onChange={(site) => setInput({ ...input, site })}
              options={vaccinationSiteSchema.options.map((v) => ({
                value: v,
                label: t(`summary.vaccinations.sites.${v}`),
              }))}
            />
          </div>
          <CheckboxField
            label={t('summary.vaccinations.givenHere')}
            checked={input.here}
            onChange={(here) => setInput({ ...input, here })}
            error={input.here ? form.errors.givenBy : undefined}
          />
          {input.here ? null : (
            <TextField
              label={t('summary.vaccinations.givenElsewhere')}
              value={input.elsewhere}
              onChange={(elsewhere) => setInput({ ...input, elsewhere })}
              error={form.errors.givenBy}
            />
          )}
        </Folded>
      ) : null}
    </div>
  );
}

// ---- last vitals ----

const ARROW = { up: '↑', down: '↓', stable: '→' } as const;

function LastVitals({ summary }: { summary: Summary }) {
  return (
    <div className="stack">
      <h4>{t('summary.vitals.title')}</h4>
      {summary.trends.length === 0 ? (
        <p className="muted">{t('summary.vitals.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">{t('summary.vitals.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('summary.vitals.measure')}</th>
                <th scope="col">{t('summary.vitals.values')}</th>
                <th scope="col">{t('summary.vitals.trend')}</th>
              </tr>
            </thead>
            <tbody>
              {summary.trends.map((trend) => (
                <tr key={trend.field}>
                  <th scope="row">
                    {t('consultation.vitals.header', {
                      label: VITALS[trend.field].label,
                      unit: VITALS[trend.field].unit,
                    })}
                  </th>
                  <td>
                    {trend.values.map((v, i) => (
                      <span key={v.takenAt} className="summary-vital">
                        {i > 0 ? ' · ' : ''}
                        <VitalValue field={trend.field} value={v.value} />
                        <span className="muted"> ({formatBirthDate(v.takenAt)})</span>
                      </span>
                    ))}
                  </td>
                  <td>
                    {trend.direction ? (
                      <>
                        <span aria-hidden="true">{ARROW[trend.direction]} </span>
                        {t(`summary.vitals.trends.${trend.direction}`)}
                      </>
                    ) : (
                      t('summary.vitals.trends.single')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {summary.latestFlags.length > 0 ? (
        <p className="notice notice--error">
          {t('summary.vitals.abnormal', {
            list: summary.latestFlags.map((f) => f.message).join(' ; '),
          })}
        </p>
      ) : null}
    </div>
  );
}
