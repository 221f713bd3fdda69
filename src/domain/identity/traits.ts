// The five INS strict traits and their checks (docs/design.md §4.2).

/** The five INS strict traits (traits stricts). */
export const STRICT_TRAITS = [
  'birthName',
  'firstNames',
  'sex',
  'birthDate',
  'birthPlaceCode',
] as const;
export type StrictTrait = (typeof STRICT_TRAITS)[number];

export const STRICT_TRAIT_LABELS: Readonly<Record<StrictTrait, string>> = {
  birthName: 'Nom de naissance',
  firstNames: 'Prénom(s) de naissance',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthPlaceCode: 'Code du lieu de naissance',
};

export type TraitsInput = { [K in StrictTrait]?: string | null };

export interface TraitError {
  trait: StrictTrait;
  message: string;
}

/** The earliest birth date accepted: anything before is a typing error. */
export const MIN_BIRTH_DATE = '1900-01-01';

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Letters (with their accents), spaces, hyphens and apostrophes: what a civil-status name holds.
const NAME_CHARS_RE = /^[\p{L}\p{M}\s'’ʼ-]+$/u;

function nameError(trait: 'birthName' | 'firstNames', value: string): string | null {
  const label = trait === 'birthName' ? 'Le nom de naissance' : 'Le ou les prénoms de naissance';
  if (value.trim() === '') {
    return trait === 'birthName'
      ? 'Le nom de naissance est obligatoire.'
      : 'Le ou les prénoms de naissance sont obligatoires.';
  }
  if (/\d/u.test(value)) return `${label} ne doit pas contenir de chiffres.`;
  if (!NAME_CHARS_RE.test(value)) {
    const bad = [...value].find((c) => !NAME_CHARS_RE.test(c)) ?? '';
    return `${label} contient un caractère non autorisé : « ${bad} » (lettres, espaces, tirets et apostrophes seulement).`;
  }
  return null;
}

/** France's code in INSEE's list of countries: never a birth place (docs/design.md §4.2). */
export const FRANCE_COUNTRY_CODE = '99100';

function birthPlaceError(code: string, birthDate: string): string | null {
  const c = code.trim();
  if (c === '')
    return 'Le code du lieu de naissance est obligatoire (code INSEE de la commune, ou 99 + code du pays).';
  if (c.length !== 5) {
    return `Le code du lieu de naissance doit comporter 5 caractères (code INSEE) : ${c.length} saisis.`;
  }
  if (!/^(\d{5}|2[AB]\d{3})$/.test(c)) {
    return /^2[ab]\d{3}$/.test(c)
      ? 'Le code du lieu de naissance doit écrire la Corse en majuscules : 2A ou 2B.'
      : 'Le code du lieu de naissance doit être composé de 5 chiffres, ou de 2A/2B suivi de 3 chiffres pour la Corse.';
  }
  if (c.startsWith('00')) return 'Le code du lieu de naissance ne peut pas commencer par 00.';
  // 99100 is France in INSEE's list of countries: a birth in France is coded by its commune.
  if (c === FRANCE_COUNTRY_CODE) {
    return 'Le code 99100 (France) ne sert pas de lieu de naissance : indiquer le code INSEE de la commune de naissance.';
  }
  if (c.startsWith('96'))
    return 'Le code du lieu de naissance ne peut pas commencer par 96 (département inexistant).';
  // Corsica has been 2A/2B since 1976; the code in force at the birth date is the one to record.
  if (c.startsWith('20') && isIsoDate(birthDate) && birthDate >= '1976-01-01') {
    return 'Pour une naissance en Corse depuis 1976, le code du lieu de naissance commence par 2A ou 2B, pas 20.';
  }
  return null;
}

/**
 * French errors for each missing or invalid strict trait (empty when the five are present and
 * plausible). `today` is 'YYYY-MM-DD' in the truck's time zone.
 */
export function identityTraitsErrors(input: TraitsInput, today: string): TraitError[] {
  const errors: TraitError[] = [];
  const push = (trait: StrictTrait, message: string | null) => {
    if (message) errors.push({ trait, message });
  };

  push('birthName', nameError('birthName', input.birthName ?? ''));
  push('firstNames', nameError('firstNames', input.firstNames ?? ''));

  const sex = input.sex ?? '';
  if (sex === '') push('sex', 'Le sexe est obligatoire (F, M ou I pour indéterminé).');
  else if (sex !== 'F' && sex !== 'M' && sex !== 'I') {
    push('sex', `Le sexe « ${sex} » n'est pas reconnu : F, M ou I (indéterminé).`);
  }

  const birthDate = (input.birthDate ?? '').trim();
  if (birthDate === '') push('birthDate', 'La date de naissance est obligatoire.');
  else if (!isIsoDate(birthDate)) {
    push('birthDate', `La date de naissance « ${birthDate} » n'est pas une date valide.`);
  } else if (birthDate > today) {
    push('birthDate', 'La date de naissance est dans le futur.');
  } else if (birthDate < MIN_BIRTH_DATE) {
    push('birthDate', 'La date de naissance est antérieure à 1900 : vérifier l’année.');
  }

  push('birthPlaceCode', birthPlaceError(input.birthPlaceCode ?? '', birthDate));
  return errors;
}
