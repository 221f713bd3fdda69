// How the coordination screens word a figure that may be missing (no patient yet: « — »).
import { formatNumber, t } from '../i18n';

export function minutesText(value: number | null): string {
  return value === null
    ? t('coordination.today.none')
    : t('coordination.today.minutes', { value: formatNumber(Math.round(value)) });
}

/** A share between 0 and 1, as a percentage with one decimal. */
export function percentText(share: number | null): string {
  return share === null
    ? t('coordination.today.none')
    : t('coordination.today.percent', { value: formatNumber(Math.round(share * 1000) / 10) });
}
