// The indicators export as a French spreadsheet reads it (docs/decisions/0010-i18n.md): the
// domain's lines (src/domain/exports.ts) with every internal key put into words, services,
// communes and interns by name, dates as 23/11/2026 and decimals with a comma; first, where the
// figures come from (central's whole history, or this device's partial copy).
import { indicatorRows } from '../../domain/exports';
import type { Indicators } from '../../domain/indicators';
import { formatBirthDate, t } from '../i18n';
import { fr as common } from '../i18n/fr';
import { frScreens } from '../i18n/fr-screens';

const fr = { ...common, ...frScreens };

type Keys = typeof fr.coordination.csv.keys;
type Kinds = typeof fr.consultation.orientation.kinds;

export function indicatorCsvHeader(): string[] {
  return [t('coordination.csv.section'), t('coordination.csv.item'), t('coordination.csv.value')];
}

const has = (o: object, k: string) => Object.hasOwn(o, k);

function item(section: string, key: string, staffName: (id: string) => string): string {
  // Keys whose words depend on the section (« medecin » is a profession and a place).
  if (section === 'sans le camion' && has(fr.survey.places, key)) {
    return t(`survey.places.${key as keyof typeof fr.survey.places}`);
  }
  if (section === 'renoncement aux soins' && has(fr.survey.renunciations, key)) {
    return t(`survey.renunciations.${key as keyof typeof fr.survey.renunciations}`);
  }
  if (section.endsWith('par profession') && has(fr.room.professions, key)) {
    return t(`room.professions.${key as keyof typeof fr.room.professions}`);
  }
  if (section === 'consultations par interne') return staffName(key);
  if (section === 'prévention' && has(fr.indicators.prevention.acts, key)) {
    return t(`indicators.prevention.acts.${key as keyof typeof fr.indicators.prevention.acts}`);
  }
  if (has(fr.coordination.csv.keys, key)) {
    return t(`coordination.csv.keys.${key as keyof Keys}`);
  }
  if (has(fr.consultation.orientation.kinds, key)) {
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
  options: {
    staff?: readonly { id: string; firstName: string; lastName: string }[];
    /** Where the figures come from: central, or this device keeping `days` days. */
    source?: { central: true } | { central: false; days: number };
  } = {},
): [string, string, number | string | null][] {
  const communes = new Map(ind.byCommune.map((c) => [c.communeInsee, c.communeName]));
  const serviceLabel = (codeOrId: string) =>
    services.find((s) => s.code === codeOrId || s.id === codeOrId)?.label ?? codeOrId;
  const staffName = (id: string) => {
    const s = options.staff?.find((x) => x.id === id);
    return s ? `${s.firstName} ${s.lastName}` : t('indicators.activity.unknownStaff');
  };
  const lines = indicatorRows(ind).map(
    ([section, key, v]): [string, string, number | string | null] => {
      const commune = /^commune (.+)$/.exec(section);
      const service = /^service (.+)$/.exec(section);
      const named = commune
        ? t('coordination.csv.commune', { name: communes.get(commune[1]!) ?? commune[1]! })
        : service
          ? t('coordination.csv.service', { name: serviceLabel(service[1]!) })
          : section;
      return [named, item(section, key, staffName), value(v)];
    },
  );
  const src = options.source;
  if (!src) return lines;
  const said = src.central
    ? t('indicators.csv.central')
    : t('indicators.csv.partial', { days: src.days });
  return [[t('indicators.csv.source'), t('indicators.csv.source'), said], ...lines];
}
