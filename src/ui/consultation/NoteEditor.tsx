// The consultation note: SOAP fields saved as they are typed, vitals, codes, orientation,
// confidentiality; then the author's signature, the supervisor's validation or return, and
// dated addenda once signed (a signed note is never edited).
import { useState } from 'react';
import type { ConsultationFile } from '../../device/consultation-queries';
import { writeTransmission } from '../../device/reading-commands';
import { problemsFromCodes } from '../../domain/clinical-summary';
import {
  addendumHash,
  addendumStatus,
  canEdit,
  canReview,
  canReviewAddendum,
  canSign,
  type NotePart,
  returnErrors,
  signProblems,
} from '../../domain/consultation';
import type { Addendum, Consultation, Service, Staff, TermRef } from '../../domain/entities';
import {
  confidentialitySchema,
  type PreventionAct,
  preventionActSchema,
} from '../../domain/entities';
import { useWriter } from '../data/writer';
import { staffName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { ActionFeedback } from '../feedback/ActionFeedback';
import { messageOf, useAction } from '../feedback/action';
import { focusPart } from '../feedback/focus';
import { CheckboxField, FieldGroup, SelectField, TextAreaField, TextField } from '../forms/fields';
import { formatDateTime, t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { CodesField } from './CodesField';
import {
  type ConsultationActions,
  contentHash,
  type NoteText,
  type SigningAdditions,
} from './consultation-actions';
import { useSummaryRows, useTransmissions } from './consultation-data';
import { OrientationField } from './OrientationField';
import { OrientationsToFollow } from './OrientationsToFollow';
import { TransmissionList } from './PatientPanel';
import { type Autosaved, useAutosavedText } from './useAutosave';
import { VitalsForm } from './VitalsForm';

const SOAP = [
  'motif',
  'subjective',
  'objective',
  'assessment',
  'plan',
] as const satisfies readonly (keyof NoteText)[];

function useNoteField(
  c: Consultation,
  field: keyof NoteText,
  actions: ConsultationActions,
): Autosaved {
  return useAutosavedText(`consultation:${c.id}:${field}`, c[field], (value) =>
    actions.saveText(c, { [field]: value }),
  );
}

export function NoteEditor({
  file,
  viewer,
  staff,
  services,
  actions,
  today,
}: {
  file: ConsultationFile;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  services: ReadonlyMap<string, Service>;
  actions: ConsultationActions;
  today: string;
}) {
  const c = file.consultation;
  const editable = canEdit(c).ok && viewer?.id === c.authorId;
  // Orientations are followed after the note is signed too: any clinician or the coordination adds.
  const profile = useUiStore((s) => s.profile);
  const canPropose = viewer !== undefined && (profile === 'room' || profile === 'coordination');
  const [error, setError] = useState<string | null>(null);
  const [codesError, setCodesError] = useState<string | null>(null);
  const [orientationError, setOrientationError] = useState<string | null>(null);
  // Set when « Signer » is pressed while parts are missing: the missing fields then say so.
  const [attempted, setAttempted] = useState(false);
  const fields = {
    motif: useNoteField(c, 'motif', actions),
    subjective: useNoteField(c, 'subjective', actions),
    objective: useNoteField(c, 'objective', actions),
    assessment: useNoteField(c, 'assessment', actions),
    plan: useNoteField(c, 'plan', actions),
  };
  const author = staff.get(c.authorId);
  const [additions, setAdditions] = useState<SigningAdditions>({ problems: [], treatment: null });
  const flushAll = () => Promise.all(SOAP.map((f) => fields[f].flush()));
  const run = async (what: () => Promise<void>) => {
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  // What the user sees: the fields as typed, on top of the stored note. The same domain rule as
  // the signing (canSign) says whether « Signer » can succeed, and what is missing.
  const typed = Object.fromEntries(SOAP.map((f) => [f, fields[f].value])) as NoteText;
  const current = { ...c, ...typed };
  const signCheck = canSign(current, viewer?.id ?? null);
  const problems = signProblems(current);
  const problemOf = (part: NotePart) =>
    attempted ? problems.find((p) => p.part === part)?.message : undefined;
  const goTo = (part: NotePart) => focusPart(document.getElementById(`note-part-${part}`));
  const showMissing = () => {
    setAttempted(true);
    const first = problems[0];
    // After the fields are marked invalid (next render), bring the eye to the first one.
    if (first) requestAnimationFrame(() => goTo(first.part));
  };

  return (
    <section className="stack note" aria-labelledby="note-title">
      <h2 id="note-title">
        {t('consultation.title', { service: services.get(c.serviceId)?.label ?? '' })}{' '}
        <span className="status-tag">{t(`consultation.status.${c.status}`)}</span>
      </h2>
      <p className="muted">
        {t('consultation.byAuthor', {
          author: author ? staffName(author) : t('day.none'),
          at: formatDateTime(c.createdAt),
        })}
      </p>
      {c.status === 'returned' && c.returnComment ? (
        <p className="notice notice--warning" role="status">
          {t('consultation.returned', { comment: c.returnComment })}
        </p>
      ) : null}
      {SOAP.map((f) =>
        editable ? (
          <div key={f} id={`note-part-${f}`}>
            <TextAreaField
              id={`note-field-${f}`}
              label={t(`consultation.soap.${f}`)}
              value={fields[f].value}
              onChange={fields[f].onChange}
              error={
                fields[f].error ??
                (f === 'subjective' || f === 'objective' ? undefined : problemOf(f))
              }
              rows={f === 'motif' ? 1 : 3}
            />
          </div>
        ) : (
          <div key={f} className="note__readonly">
            <h3>{t(`consultation.soap.${f}`)}</h3>
            <p className="note__text">{c[f] || t('day.none')}</p>
          </div>
        ),
      )}
      <VitalsForm consultation={c} vitals={file.vitals} actions={actions} editable={editable} />
      <div id="note-part-codes" className="stack">
        <CodesField
          consultation={c}
          actions={actions}
          editable={editable}
          onError={setCodesError}
        />
        <ActionFeedback
          id="note-codes-feedback"
          feedback={
            codesError
              ? { kind: 'error', text: codesError }
              : problemOf('codes')
                ? { kind: 'error', text: problemOf('codes')! }
                : null
          }
        />
      </div>
      <div id="note-part-orientation" className="stack">
        <OrientationField
          consultation={c}
          service={services.get(c.serviceId)}
          actions={actions}
          editable={editable}
          today={today}
          onError={setOrientationError}
        />
        <ActionFeedback
          id="note-orientation-feedback"
          feedback={
            orientationError
              ? { kind: 'error', text: orientationError }
              : problemOf('orientation')
                ? { kind: 'error', text: problemOf('orientation')! }
                : null
          }
        />
      </div>
      <OrientationsToFollow consultation={c} viewer={viewer} staff={staff} canAdd={canPropose} />
      <PreventionField
        consultation={c}
        editable={editable}
        onChange={(acts) => void run(() => actions.setPrevention(c, acts))}
      />
      {editable ? (
        <SelectField
          label={t('consultation.confidentiality.label')}
          value={c.confidentiality}
          error={error ?? undefined}
          onChange={(v) => void run(() => actions.setConfidentiality(c, v))}
          options={confidentialitySchema.options.map((v) => ({
            value: v,
            label: t(`consultation.confidentiality.${v}`),
          }))}
        />
      ) : (
        <p>
          {t('consultation.confidentiality.shown', {
            value: t(`consultation.confidentiality.${c.confidentiality}`),
          })}
        </p>
      )}
      <Signatures file={file} staff={staff} />
      {editable ? (
        <SigningAdditionsField consultation={c} value={additions} onChange={setAdditions} />
      ) : null}
      {editable ? (
        <div className="stack">
          {problems.length > 0 ? (
            <div id="sign-missing" className="missing-list">
              <p>{t('consultation.missing.title')}</p>
              <ul>
                {problems.map((p) => (
                  <li key={p.message}>
                    <button type="button" className="link-button" onClick={() => goTo(p.part)}>
                      {p.message}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div className="actions">
            <ActionButton
              primary
              shortcut="Alt+S"
              disabledReason={signCheck.ok ? null : signCheck.reason}
              reasonId={problems.length > 0 ? 'sign-missing' : undefined}
              onRefused={problems.length > 0 ? showMissing : undefined}
              onAction={async () => {
                await flushAll();
                // Sign what the user sees: the fields just flushed, on top of the stored note.
                const d = canSign(current, viewer?.id ?? null);
                if (!d.ok) throw new Error(d.reason);
                await actions.sign(current, viewer, additions);
                setAdditions({ problems: [], treatment: null });
              }}
            >
              {t('consultation.sign')}
            </ActionButton>
          </div>
        </div>
      ) : null}
      <Review c={c} viewer={viewer} author={author} actions={actions} />
      {c.status === 'to_validate' || c.status === 'validated' ? (
        <Addenda file={file} viewer={viewer} staff={staff} actions={actions} />
      ) : null}
      {viewer?.roles.includes('clinicien') ? (
        <TransmissionField consultation={c} viewer={viewer} staff={staff} />
      ) : null}
    </section>
  );
}

function Signatures({
  file,
  staff,
}: {
  file: ConsultationFile;
  staff: ReadonlyMap<string, Staff>;
}) {
  // Reviews of addenda are shown with their addendum.
  const ofNote = file.signatures.filter((s) => !s.addendumId);
  if (ofNote.length === 0) return null;
  const hash = contentHash(file.consultation);
  return (
    <FieldGroup legend={t('consultation.signatures.title')}>
      <ul>
        {ofNote.map((s) => {
          const who = staff.get(s.staffId);
          return (
            <li key={s.id}>
              {t(`consultation.signatures.kinds.${s.kind}`, {
                who: who ? staffName(who) : s.staffId,
                at: formatDateTime(s.at),
              })}
              {s.comment ? <span> — {s.comment}</span> : null}
              {s.kind !== 'return' && s.contentHash !== hash ? (
                <span className="notice notice--warning">
                  {' '}
                  {t('consultation.signatures.changed')}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </FieldGroup>
  );
}

function Review({
  c,
  viewer,
  author,
  actions,
}: {
  c: Consultation;
  viewer: Staff | undefined;
  author: Staff | undefined;
  actions: ConsultationActions;
}) {
  const [comment, setComment] = useState('');
  if (c.status !== 'to_validate') return null;
  const allowed = canReview(c, viewer, author);
  if (!allowed.ok) {
    return <p className="muted">{t('consultation.review.waiting')}</p>;
  }
  const missingComment = returnErrors(comment);
  return (
    <FieldGroup legend={t('consultation.review.title')}>
      <div className="actions">
        <ActionButton primary onAction={() => actions.validate(c, viewer, author)}>
          {t('consultation.review.validate')}
        </ActionButton>
      </div>
      <TextAreaField
        label={t('consultation.review.comment')}
        value={comment}
        onChange={setComment}
        rows={2}
      />
      <div className="actions">
        <ActionButton
          disabledReason={missingComment.length > 0 ? missingComment.join(' ') : null}
          onAction={() => actions.returnNote(c, viewer, author, comment)}
        >
          {t('consultation.review.return')}
        </ActionButton>
      </div>
    </FieldGroup>
  );
}

function Addenda({
  file,
  viewer,
  staff,
  actions,
}: {
  file: ConsultationFile;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  actions: ConsultationActions;
}) {
  const [text, setText] = useState('');
  const add = useAction();
  return (
    <FieldGroup legend={t('consultation.addendum.title')}>
      {file.addenda.length > 0 ? (
        <ul>
          {file.addenda.map((a) => (
            <AddendumItem
              key={a.id}
              addendum={a}
              file={file}
              viewer={viewer}
              staff={staff}
              actions={actions}
            />
          ))}
        </ul>
      ) : null}
      {viewer ? (
        <div className="stack">
          <TextAreaField
            label={t('consultation.addendum.text')}
            value={text}
            onChange={setText}
            rows={2}
          />
          <p className="action">
            <button
              type="button"
              className="button"
              aria-describedby={add.feedback ? 'addendum-feedback' : undefined}
              onClick={() =>
                void add
                  .run(() => actions.addAddendum(file.consultation, viewer, text))
                  .then((done) => {
                    if (done) setText('');
                  })
              }
            >
              {t('consultation.addendum.add')}
            </button>
            <ActionFeedback id="addendum-feedback" feedback={add.feedback} />
          </p>
        </div>
      ) : null}
    </FieldGroup>
  );
}

/** One addendum: who, when, where it stands, whether its text still matches its hash, its
 * reviews; the supervisor's validation or return while it awaits them. */
function AddendumItem({
  addendum: a,
  file,
  viewer,
  staff,
  actions,
}: {
  addendum: Addendum;
  file: ConsultationFile;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  actions: ConsultationActions;
}) {
  const [comment, setComment] = useState('');
  const who = staff.get(a.authorId);
  const status = addendumStatus(a, file.signatures);
  const reviews = file.signatures.filter((s) => s.addendumId === a.id);
  const review = canReviewAddendum(a, file.signatures, viewer);
  const changed = a.contentHash !== undefined && a.contentHash !== addendumHash(a);
  const missingComment = returnErrors(comment);
  return (
    <li className="stack">
      <strong>
        {t('consultation.addendum.line', {
          who: who ? staffName(who) : t('consultation.addendum.unknownAuthor'),
          at: formatDateTime(a.at),
        })}
      </strong>{' '}
      <span className="status-tag">{t(`consultation.addendum.status.${status}`)}</span>
      {changed ? (
        <span className="notice notice--warning"> {t('consultation.addendum.changed')}</span>
      ) : null}
      <p className="note__text">{a.text}</p>
      {reviews.map((r) => {
        const reviewer = staff.get(r.staffId);
        return (
          <p key={r.id} className="muted">
            {t('consultation.addendum.reviewed', {
              kind: t(
                `consultation.addendum.reviewKinds.${r.kind === 'return' ? 'return' : 'supervisor'}`,
              ),
              who: reviewer ? staffName(reviewer) : t('consultation.addendum.unknownAuthor'),
              at: formatDateTime(r.at),
            })}
            {r.comment ? ` — ${r.comment}` : ''}
          </p>
        );
      })}
      {status === 'to_validate' && !review.ok ? (
        <p className="muted">{t('consultation.addendum.waiting')}</p>
      ) : null}
      {review.ok ? (
        <div className="stack">
          <div className="actions">
            <ActionButton
              primary
              onAction={() =>
                actions.reviewAddendum(file.consultation, a, file.signatures, viewer, {
                  kind: 'supervisor',
                })
              }
            >
              {t('consultation.addendum.validate')}
            </ActionButton>
          </div>
          <TextAreaField
            label={t('consultation.addendum.returnComment')}
            value={comment}
            onChange={setComment}
            rows={2}
          />
          <div className="actions">
            <ActionButton
              disabledReason={missingComment.length > 0 ? missingComment.join(' ') : null}
              onAction={() =>
                actions.reviewAddendum(file.consultation, a, file.signatures, viewer, {
                  kind: 'return',
                  comment,
                })
              }
            >
              {t('consultation.addendum.return')}
            </ActionButton>
          </div>
        </div>
      ) : null}
    </li>
  );
}

/** What the clinician writes from this note for the social worker and the mediator, who read
 * this and never the note (src/domain/reading.ts). */
function TransmissionField({
  consultation,
  viewer,
  staff,
}: {
  consultation: Consultation;
  viewer: Staff;
  staff: ReadonlyMap<string, Staff>;
}) {
  const [text, setText] = useState('');
  const write = useWriter();
  const transmissions = (useTransmissions(consultation.patientId) ?? []).filter(
    (x) => x.consultationId === consultation.id,
  );
  return (
    <FieldGroup legend={t('reading.transmission.title')}>
      <p className="muted">{t('reading.transmission.hint')}</p>
      {transmissions.length > 0 ? (
        <TransmissionList transmissions={transmissions} staff={staff} />
      ) : null}
      <TextAreaField
        label={t('reading.transmission.text')}
        value={text}
        onChange={setText}
        rows={2}
      />
      <div className="actions">
        <ActionButton
          disabledReason={text.trim() === '' ? t('reading.transmission.textMissing') : null}
          onAction={async () => {
            await write(({ newId, now }) =>
              writeTransmission({
                id: newId(),
                orgId: consultation.orgId,
                consultationId: consultation.id,
                patientId: consultation.patientId,
                authorId: viewer.id,
                at: now,
                text,
              }),
            );
            setText('');
          }}
        >
          {t('reading.transmission.add')}
        </ActionButton>
      </div>
    </FieldGroup>
  );
}

/** What the signature adds to the clinical summary: the note's result and diagnosis codes not
 * yet active problems, and a treatment started today (src/domain/clinical-summary.ts). */
function SigningAdditionsField({
  consultation,
  value,
  onChange,
}: {
  consultation: Consultation;
  value: SigningAdditions;
  onChange(value: SigningAdditions): void;
}) {
  const rows = useSummaryRows(consultation.patientId);
  const proposed = problemsFromCodes(consultation.codes, rows?.problems ?? []);
  const key = (c: TermRef) => `${c.system}|${c.code}`;
  const chosen = new Set(value.problems.map(key));
  const treatment = value.treatment ?? { name: '', dose: '' };
  return (
    <FieldGroup legend={t('summary.signing.title')}>
      {proposed.map((code) => (
        <CheckboxField
          key={key(code)}
          label={t('summary.signing.problem', { code: code.code, label: code.label })}
          checked={chosen.has(key(code))}
          onChange={(on) =>
            onChange({
              ...value,
              problems: on
                ? [...value.problems, code]
                : value.problems.filter((p) => key(p) !== key(code)),
            })
          }
        />
      ))}
      <div className="form-grid form-grid--narrow">
        <TextField
          label={t('summary.signing.treatment')}
          value={treatment.name}
          onChange={(name) => onChange({ ...value, treatment: { ...treatment, name } })}
        />
        <TextField
          label={t('summary.signing.treatmentDose')}
          value={treatment.dose}
          onChange={(dose) => onChange({ ...value, treatment: { ...treatment, dose } })}
        />
      </div>
    </FieldGroup>
  );
}

/** The prevention acts done in this consultation (optional; counted by the indicators). */
function PreventionField({
  consultation,
  editable,
  onChange,
}: {
  consultation: Consultation;
  editable: boolean;
  onChange(acts: PreventionAct[]): void;
}) {
  const acts = consultation.prevention ?? [];
  const label = (a: PreventionAct) => t(`indicators.prevention.acts.${a}`);
  if (!editable) {
    return (
      <p>
        {acts.length === 0
          ? t('consultation.prevention.none')
          : t('consultation.prevention.shown', { acts: acts.map(label).join(', ') })}
      </p>
    );
  }
  return (
    <fieldset className="stack">
      <legend>{t('consultation.prevention.legend')}</legend>
      <p className="muted">{t('consultation.prevention.hint')}</p>
      {preventionActSchema.options.map((a) => (
        <CheckboxField
          key={a}
          label={label(a)}
          checked={acts.includes(a)}
          onChange={(on) =>
            onChange(preventionActSchema.options.filter((x) => (x === a ? on : acts.includes(x))))
          }
        />
      ))}
    </fieldset>
  );
}
