// The indicators export as a French spreadsheet reads it (docs/decisions/0010-i18n.md): the
// domain's lines (src/domain/exports.ts) with every internal key put into words, services and
// communes by name, dates as 23/11/2026 and decimals with a comma.
import { indicatorRows } from '../../domain/exports';
import type { Indicators } from '../../domain/indicators';
import { formatBirthDate, t } from '../i18n';
import { fr } from '../i18n/fr';

type Keys = typeof fr.coordination.csv.keys;
type Kinds = typeof fr.consultation.orientation.kinds;

export function indicatorCsvHeader(): string[] {
  return [t('coordination.csv.section'), t('coordination.csv.item'), t('coordination.csv.value')];
}

function item(key: string): string {
  if (Object.hasOwn(fr.coordination.csv.keys, key)) {
    return t(`coordination.csv.keys.${key as keyof Keys}`);
  }
  if (Object.hasOwn(fr.consultation.orientation.kinds, key)) {
    return t(`consultation.orientation.kinds.${key as keyof Kinds}`);
  }
  return key; // already French in the domain's lines (« escales », « nouveaux », « 16-25 »)
}

function value(v: number | string | null): number | string | null {
  if (typeof v === 'number' && !Number.isInteger(v)) return String(v).replace('.', ',');
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return formatBirthDate(v);
  return v;
}

/** The lines of the export, in French: rubrique, indicateur, valeur. */
export function indicatorCsvRows(
  ind: Indicators,
  services: readonly { id: string; code: string; label: string }[],
): [string, string, number | string | null][] {
  const communes = new Map(ind.byCommune.map((c) => [c.communeInsee, c.communeName]));
  const serviceLabel = (codeOrId: string) =>
    services.find((s) => s.code === codeOrId || s.id === codeOrId)?.label ?? codeOrId;
  return indicatorRows(ind).map(([section, key, v]) => {
    const commune = /^commune (.+)$/.exec(section);
    const service = /^service (.+)$/.exec(section);
    const named = commune
      ? t('coordination.csv.commune', { name: communes.get(commune[1]!) ?? commune[1]! })
      : service
        ? t('coordination.csv.service', { name: serviceLabel(service[1]!) })
        : section;
    return [named, item(key), value(v)];
  });
}
