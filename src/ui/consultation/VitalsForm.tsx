// Vital signs with units and range checks (domain rules): refused values are said per field,
// abnormal ones flagged as they are typed (words, colour, announced) and in the recorded table,
// implausible ones « à vérifier »; each recorded set is an immutable measurement.
import { useState } from 'react';
import type { Consultation, Vitals } from '../../domain/entities';
import {
  bmi,
  checkVitals,
  typedVitalFlag,
  VITAL_FIELDS,
  VITALS,
  type VitalField,
  vitalsReady,
} from '../../domain/vitals';
import { FieldGroup, TextField } from '../forms/fields';
import { formatTime, t } from '../i18n';
import type { ConsultationActions } from './consultation-actions';
import { VitalValue } from './VitalValue';

export function VitalsForm({
  consultation,
  vitals,
  actions,
  editable,
}: {
  consultation: Consultation;
  vitals: Vitals[];
  actions: ConsultationActions;
  editable: boolean;
}) {
  const [input, setInput] = useState<Partial<Record<VitalField, string>>>({});
  const [shown, setShown] = useState<ReturnType<typeof checkVitals> | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Abnormal values as they are typed (the domain's thresholds), before anything is saved.
  const flags = VITAL_FIELDS.flatMap((f) => typedVitalFlag(f, input[f] ?? '') ?? []);
  const submit = async () => {
    const check = checkVitals(input);
    setShown(check);
    setFailure(null);
    if (!vitalsReady(check)) {
      if (Object.keys(check.errors).length === 0) setFailure(t('consultation.vitals.nothing'));
      return;
    }
    try {
      await actions.recordVitals(consultation, check.values);
      setInput({});
      setShown(null);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <FieldGroup legend={t('consultation.vitals.title')}>
      {vitals.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">{t('consultation.vitals.recorded')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('consultation.vitals.time')}</th>
                {VITAL_FIELDS.map((f) => (
                  <th key={f} scope="col">
                    {t('consultation.vitals.header', {
                      label: VITALS[f].label,
                      unit: VITALS[f].unit,
                    })}
                  </th>
                ))}
                <th scope="col">{t('consultation.vitals.bmi')}</th>
              </tr>
            </thead>
            <tbody>
              {vitals.map((v) => (
                <tr key={v.id}>
                  <td>{formatTime(v.takenAt)}</td>
                  {VITAL_FIELDS.map((f) => (
                    <td key={f}>
                      <VitalValue field={f} value={v[f]} />
                    </td>
                  ))}
                  <td>{bmi(v)?.toString().replace('.', ',') ?? t('day.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editable ? (
        <div className="stack">
          {failure ? (
            <p className="notice notice--error" role="alert">
              {failure}
            </p>
          ) : null}
          <div className="form-grid form-grid--narrow">
            {VITAL_FIELDS.map((f) => (
              <TextField
                key={f}
                label={t('consultation.vitals.header', {
                  label: VITALS[f].label,
                  unit: VITALS[f].unit,
                })}
                inputMode={VITALS[f].integer ? 'numeric' : 'decimal'}
                enterKeyHint="next"
                value={input[f] ?? ''}
                onChange={(v) => setInput({ ...input, [f]: v })}
                error={shown?.errors[f]}
                hint={flags.find((x) => x.field === f)?.message ?? shown?.warnings[f]}
                hintTone={flags.some((x) => x.field === f) ? 'alert' : undefined}
              />
            ))}
          </div>
          {/* Always present, so a screen reader announces each abnormal value as it is typed. */}
          <p className="visually-hidden" role="status" aria-live="polite">
            {flags.map((x) => x.message).join('. ')}
          </p>
          <p>
            <button type="button" className="button" onClick={() => void submit()}>
              {t('consultation.vitals.save')}
            </button>
          </p>
        </div>
      ) : null}
    </FieldGroup>
  );
}
