// Registration of a new identity (docs/design.md §4.2, INS): the five strict traits, the identity
// status, an optional NIR checked key and all, contact, coverage, médecin traitant and ALD.
// Errors come from the domain rules, one per field, in French.
import { useEffect, useRef } from 'react';
import { ID_DOCUMENT_KINDS, WALK_IN_DEFAULTS } from '../../domain/identity-lifecycle';
import type { RegistrationErrors, RegistrationInput } from '../../domain/registration';
import { ActionFeedback, describedByIds } from '../feedback/ActionFeedback';
import { focusFirstError } from '../feedback/focus';
import { CheckboxField, FieldGroup, SelectField, TextAreaField, TextField } from '../forms/fields';
import { t, tn } from '../i18n';
import { PlacePicker } from './PlacePicker';

const SEXES = ['F', 'M', 'I'] as const;
const STATUSES = ['provisoire', 'validee'] as const;
const COVERAGES = ['inconnue', 'amo', 'amo_amc', 'c2s', 'ame', 'aucune'] as const;
const MT = ['unknown', 'declared', 'none'] as const;

export function RegistrationForm({
  form,
  errors,
  warnings,
  onChange,
  onSubmit,
  onCancel,
  busy,
  refusals = 0,
  failure = null,
}: {
  form: RegistrationInput;
  errors: RegistrationErrors;
  warnings: string[];
  onChange(patch: Partial<RegistrationInput>): void;
  onSubmit(): void;
  onCancel(): void;
  busy: boolean;
  /** How many submits were refused: each one brings the eye to the first fault. */
  refusals?: number;
  /** Why the registration could not be saved (the write path's French message). */
  failure?: string | null;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (refusals > 0) focusFirstError(formRef.current);
  }, [refusals]);
  const f = (key: keyof RegistrationInput) => ({
    value: String(form[key]),
    onChange: (value: string) => onChange({ [key]: value }),
    error: errors[key],
  });
  const count = Object.keys(errors).length;
  return (
    <form
      ref={formRef}
      className="stack registration"
      aria-labelledby="registration-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2 id="registration-title">{t('reception.register.title')}</h2>
      {count > 0 ? (
        <p className="notice notice--error" role="alert">
          {tn('reception.register.fix', count)}
        </p>
      ) : null}
      <FieldGroup legend={t('reception.register.traits')}>
        <div className="form-grid">
          <TextField
            label={t('reception.register.birthName')}
            required
            {...f('birthName')}
            autoFocus
          />
          <TextField label={t('reception.register.firstNames')} required {...f('firstNames')} />
          <SelectField
            label={t('reception.register.sex')}
            required
            value={form.sex as (typeof SEXES)[number] | ''}
            onChange={(sex) => onChange({ sex })}
            error={errors.sex}
            options={[
              { value: '', label: t('reception.register.choose') },
              ...SEXES.map((s) => ({ value: s, label: t(`reception.register.sexes.${s}`) })),
            ]}
          />
          <TextField
            label={t('reception.register.birthDate')}
            type="date"
            required
            {...f('birthDate')}
          />
          <TextField
            label={t('reception.register.birthPlaceCode')}
            hint={t('reception.register.birthPlaceHint')}
            required
            {...f('birthPlaceCode')}
          />
          <PlacePicker
            label={t('reception.places.birthPlace')}
            birthPlace
            onPick={(birthPlaceCode) => onChange({ birthPlaceCode })}
          />
          <div className="field">
            <button
              type="button"
              className="button"
              aria-describedby="walk-in-hint"
              onClick={() => onChange({ ...WALK_IN_DEFAULTS, idDocument: '' })}
            >
              {t('reception.register.walkIn')}
            </button>
            <p id="walk-in-hint" className="muted">
              {t('reception.register.walkInHint')}
            </p>
          </div>
          <TextField label={t('reception.register.usedName')} {...f('usedName')} />
          <TextField label={t('reception.register.usedFirstName')} {...f('usedFirstName')} />
        </div>
      </FieldGroup>
      <FieldGroup legend={t('reception.register.statusTitle')} error={errors.identityStatus}>
        <div className="form-grid">
          <SelectField
            label={t('reception.register.status')}
            value={form.identityStatus as (typeof STATUSES)[number]}
            onChange={(identityStatus) => onChange({ identityStatus })}
            options={STATUSES.map((s) => ({
              value: s,
              label: t(`reception.identityStatus.${s}`),
            }))}
          />
          <SelectField
            label={t('reception.register.idChecked')}
            value={form.idDocument ?? ''}
            onChange={(idDocument) => onChange({ idDocument })}
            error={errors.idDocument}
            options={[
              { value: '', label: t('reception.register.idNone') },
              ...ID_DOCUMENT_KINDS.map((d) => ({ value: d, label: t(`identity.documents.${d}`) })),
            ]}
          />
          <TextField
            label={t('reception.register.nir')}
            hint={t('reception.register.nirHint')}
            inputMode="numeric"
            enterKeyHint="next"
            {...f('nir')}
          />
        </div>
        {warnings.length > 0 ? (
          <ul className="notice notice--warning" aria-label={t('reception.register.warnings')}>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </FieldGroup>
      <FieldGroup legend={t('reception.register.contactTitle')}>
        <div className="form-grid">
          <TextField
            label={t('reception.register.phone')}
            type="tel"
            inputMode="tel"
            {...f('phone')}
          />
          <TextField
            label={t('reception.register.email')}
            type="email"
            inputMode="email"
            {...f('email')}
          />
          <TextField label={t('reception.register.address')} {...f('address')} />
          <TextField label={t('reception.register.communeInsee')} {...f('communeInsee')} />
          <PlacePicker
            label={t('reception.places.residence')}
            onPick={(communeInsee) => onChange({ communeInsee })}
          />
        </div>
      </FieldGroup>
      <FieldGroup legend={t('reception.register.careTitle')}>
        <div className="form-grid">
          <SelectField
            label={t('reception.register.coverage')}
            value={form.coverage}
            onChange={(coverage) => onChange({ coverage })}
            options={COVERAGES.map((c) => ({ value: c, label: t(`reception.coverage.${c}`) }))}
          />
          <SelectField
            label={t('reception.register.mtStatus')}
            value={form.mtStatus}
            onChange={(mtStatus) => onChange({ mtStatus })}
            options={MT.map((m) => ({ value: m, label: t(`reception.mtStatus.${m}`) }))}
          />
          {form.mtStatus === 'declared' ? (
            <TextField label={t('reception.register.mtName')} required {...f('mtName')} />
          ) : null}
          <CheckboxField
            label={t('reception.register.ald')}
            checked={form.ald}
            onChange={(ald) => onChange({ ald })}
          />
        </div>
        <TextAreaField
          label={t('reception.register.allergies')}
          hint={t('reception.register.allergiesHint')}
          {...f('allergies')}
          rows={2}
        />
      </FieldGroup>
      <div className="actions">
        <span className="action">
          <button
            type="submit"
            className="button button--primary"
            disabled={busy}
            aria-describedby={describedByIds(
              count > 0 && 'registration-submit-count',
              failure && 'registration-submit-failure',
            )}
          >
            {t('reception.register.submit')}
          </button>
          {count > 0 ? (
            <span id="registration-submit-count" className="action__reason">
              {tn('reception.register.fix', count)}
            </span>
          ) : null}
          <ActionFeedback
            id="registration-submit-failure"
            feedback={failure ? { kind: 'error', text: failure } : null}
          />
        </span>
        <button type="button" className="button" onClick={onCancel}>
          {t('reception.register.backToSearch')}
        </button>
      </div>
    </form>
  );
}
