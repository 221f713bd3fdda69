// One measured value with its abnormal flag (src/domain/vitals.ts): the word and the colour, so
// the flag reads without colour too, and a screen reader hears the threshold crossed.
import { type VitalField, vitalFlag } from '../../domain/vitals';
import { t } from '../i18n';

export function formatVital(value: number): string {
  return String(value).replace('.', ',');
}

export function VitalValue({
  field,
  value,
}: {
  field: VitalField;
  value: number | null | undefined;
}) {
  if (value === null || value === undefined) return <>{t('day.none')}</>;
  const flag = vitalFlag(field, value);
  if (!flag) return <>{formatVital(value)}</>;
  return (
    <span className={`vital-flag vital-flag--${flag.direction}`} title={flag.message}>
      <strong>{formatVital(value)}</strong>{' '}
      <span className="vital-flag__word">
        {flag.direction === 'high' ? t('consultation.vitals.high') : t('consultation.vitals.low')}
      </span>
      <span className="visually-hidden"> — {flag.message}</span>
    </span>
  );
}
