// A patient's administrative data on the identity page (reception and coordination): contacts
// and the consent to be contacted, the insurance scheme and coverage, the ALD with its nature and
// exoneration. The rules are the domain's (src/domain/patient-admin.ts); each message sits under
// its field; the journal names the fields changed, never their values.
import { useState } from 'react';
import type { Patient } from '../../domain/entities';
import {
  type AdminDraft,
  type AdminErrors,
  type AdminField,
  adminDraftOf,
  COVERAGES,
  type ConsentAnswer,
  planAdministrative,
  REGIMES,
} from '../../domain/patient-admin';
import { useWriter } from '../data/writer';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { t } from '../i18n';
import { PlacePicker } from '../reception/PlacePicker';
import { useUiStore } from '../state/ui-store';

const CONSENTS: readonly ConsentAnswer[] = ['unknown', 'yes', 'no'];

export function AdministrativeForm({ patient }: { patient: Patient }) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [draft, setDraft] = useState<AdminDraft>(() => adminDraftOf(patient));
  const [errors, setErrors] = useState<AdminErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const change = (patch: Partial<AdminDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setSaved(null);
  };
  const field = (k: 'phone' | 'email' | 'address' | 'communeInsee' | 'aldNature') => ({
    value: draft[k],
    onChange: (v: string) => change({ [k]: v }),
    error: errors[k],
  });
  const save = async () => {
    if (!staffId) {
      setErrors({ form: t('identity.signInFirst') });
      return;
    }
    const plan = planAdministrative(patient, draft);
    if (!plan.ok) {
      setErrors(plan.errors);
      return;
    }
    const names = plan.fields.map((f: AdminField) => t(`identity.admin.fieldNames.${f}`));
    try {
      await write([{ entity: 'patient', id: patient.id, set: plan.set }], {
        action: 'patient.admin_updated',
        entity: 'patient',
        entityId: patient.id,
        detail: names.join(', '),
      });
      setErrors({});
      setSaved(t('identity.admin.saved', { fields: names.join(', ') }));
    } catch (e) {
      setErrors({ form: (e as Error).message });
    }
  };
  return (
    <section className="panel stack" aria-labelledby="admin-title">
      <h3 id="admin-title">{t('identity.admin.title')}</h3>
      <FieldGroup legend={t('identity.admin.contacts')}>
        <div className="form-grid">
          <TextField
            label={t('reception.register.phone')}
            type="tel"
            inputMode="tel"
            {...field('phone')}
          />
          <TextField
            label={t('reception.register.email')}
            type="email"
            inputMode="email"
            {...field('email')}
          />
          <TextField label={t('reception.register.address')} {...field('address')} />
          <TextField label={t('reception.register.communeInsee')} {...field('communeInsee')} />
          <PlacePicker
            label={t('reception.places.residence')}
            onPick={(communeInsee) => change({ communeInsee })}
          />
          <SelectField
            label={t('identity.admin.consent')}
            value={draft.contactConsent}
            onChange={(contactConsent) => change({ contactConsent })}
            options={CONSENTS.map((c) => ({ value: c, label: t(`identity.admin.consents.${c}`) }))}
            error={errors.contactConsent}
          />
        </div>
      </FieldGroup>
      <FieldGroup legend={t('identity.admin.insurance')}>
        <div className="form-grid">
          <SelectField
            label={t('identity.admin.regime')}
            value={draft.regime}
            onChange={(regime) => change({ regime })}
            options={REGIMES.map((r) => ({ value: r, label: t(`identity.admin.regimes.${r}`) }))}
          />
          <SelectField
            label={t('reception.register.coverage')}
            value={draft.coverage}
            onChange={(coverage) => change({ coverage })}
            options={COVERAGES.map((c) => ({ value: c, label: t(`reception.coverage.${c}`) }))}
          />
          <CheckboxField
            label={t('reception.register.ald')}
            checked={draft.ald}
            onChange={(ald) =>
              change(ald ? { ald } : { ald, aldNature: '', aldExoneration: false })
            }
            error={errors.ald}
          />
          {draft.ald ? (
            <>
              <TextField
                label={t('identity.admin.aldNature')}
                hint={t('identity.admin.aldNatureHint')}
                {...field('aldNature')}
              />
              <CheckboxField
                label={t('identity.admin.aldExoneration')}
                checked={draft.aldExoneration}
                onChange={(aldExoneration) => change({ aldExoneration })}
              />
            </>
          ) : null}
        </div>
      </FieldGroup>
      {errors.form ? (
        <p className="field__error" role="alert">
          {errors.form}
        </p>
      ) : null}
      {saved ? (
        <p className="notice notice--success" role="status">
          {saved}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button button--primary" onClick={() => void save()}>
          {t('identity.admin.save')}
        </button>
      </div>
    </section>
  );
}
