// Duplicate suspicion: how alike two identities are, and the likely duplicates of a new one.
import { parseNir } from '../nir';
import { compareFolded, type NameMatch } from '../text';
import { type PreparedIdentity, prepare } from './prepared';
import { isSearchIndex, type SearchIndex } from './search';
import type { IdentityRecord, IdentityTraits } from './types';

export type DuplicateReasonCode =
  | 'same_nir'
  | 'different_nir'
  | 'birth_name_exact'
  | 'birth_name_typo'
  | 'name_cross'
  | 'used_name'
  | 'name_partial'
  | 'first_names_exact'
  | 'first_name_first'
  | 'first_name_used'
  | 'first_name_shared'
  | 'first_name_typo'
  | 'names_differ'
  | 'birth_date_same'
  | 'birth_date_swapped'
  | 'birth_date_typo'
  | 'sex_differs'
  | 'birth_place_same'
  | 'birth_place_differs';

export interface DuplicateReason {
  code: DuplicateReasonCode;
  message: string;
}

export interface DuplicateAssessment {
  /** 0 (unrelated) … 1 (certainly the same person). */
  score: number;
  reasons: DuplicateReason[];
}

export type BirthDateRelation = 'same' | 'swapped' | 'typo' | 'other';

/**
 * How two birth dates relate: equal; day and month swapped (12/03 vs 03/12); a typing slip of one
 * digit, or two adjacent digits swapped; or unrelated.
 */
export function birthDateRelation(a: string, b: string): BirthDateRelation {
  if (a === b) return 'same';
  if (a.length !== 10 || b.length !== 10) return 'other';
  // Character by character, without slicing: duplicate checks call this for every pair.
  if (
    a.charCodeAt(0) === b.charCodeAt(0) &&
    a.charCodeAt(1) === b.charCodeAt(1) &&
    a.charCodeAt(2) === b.charCodeAt(2) &&
    a.charCodeAt(3) === b.charCodeAt(3) &&
    a.charCodeAt(5) === b.charCodeAt(8) &&
    a.charCodeAt(6) === b.charCodeAt(9) &&
    a.charCodeAt(8) === b.charCodeAt(5) &&
    a.charCodeAt(9) === b.charCodeAt(6)
  ) {
    return 'swapped';
  }
  let first = -1;
  let count = 0;
  for (let i = 0; i < 10; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      if (count === 0) first = i;
      count++;
      if (count > 2) return 'other';
    }
  }
  if (count === 1) return 'typo';
  // two differences: a typo only if they are adjacent digits swapped (1960 / 1906)
  const i = first;
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  if (digit(a[i]) && digit(a[i + 1]) && a[i] === b[i + 1] && a[i + 1] === b[i]) return 'typo';
  return 'other';
}

const NAME_VALUE: Record<NameMatch['kind'], number> = { exact: 1, compact: 0.95, typo: 0, none: 0 };
function matchValue(m: NameMatch): number {
  if (m.kind === 'typo') return m.distance <= 1 ? 0.85 : 0.7;
  return NAME_VALUE[m.kind];
}
function typoText(m: NameMatch): string {
  return m.kind === 'typo' && m.distance >= 2 ? '2 différences' : '1 faute de frappe';
}

/** One name's words are the leading words of the other (« martin » / « martin dupont »). */
function leadingWords(a: string, b: string): boolean {
  if (a === '' || b === '' || a === b) return false;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.startsWith(`${short} `);
}

interface Part {
  value: number;
  /** The names are equal (folded, or once spaces are dropped), not merely alike. */
  identical: boolean;
  reasons: DuplicateReason[];
}

function compareNames(a: PreparedIdentity, b: PreparedIdentity): Part {
  let best: Part = { value: 0, identical: false, reasons: [] };
  const consider = (value: number, identical: boolean, reason: DuplicateReason) => {
    if (value > best.value) best = { value, identical, reasons: [reason] };
  };
  const birth = compareFolded(a.birthName, b.birthName);
  if (birth.kind === 'exact' || birth.kind === 'compact') {
    consider(matchValue(birth), true, {
      code: 'birth_name_exact',
      message: 'Même nom de naissance',
    });
  } else if (birth.kind === 'typo') {
    consider(matchValue(birth), false, {
      code: 'birth_name_typo',
      message: `Nom de naissance proche (${typoText(birth)})`,
    });
  }
  // The birth name of one recorded as the used name of the other (married name, usually).
  for (const [x, y] of [
    [a.birthName, b.usedName],
    [a.usedName, b.birthName],
  ] as const) {
    const m = compareFolded(x, y);
    const identical = m.kind === 'exact' || m.kind === 'compact';
    consider(matchValue(m) * 0.9, identical, {
      code: 'name_cross',
      message: identical
        ? 'Le nom de naissance de l’un est le nom d’usage de l’autre'
        : `Le nom de naissance de l’un est proche du nom d’usage de l’autre (${typoText(m)})`,
    });
  }
  const used = compareFolded(a.usedName, b.usedName);
  consider(matchValue(used) * 0.8, used.kind === 'exact' || used.kind === 'compact', {
    code: 'used_name',
    message: used.kind === 'typo' ? 'Nom d’usage proche' : 'Même nom d’usage',
  });
  if (leadingWords(a.birthName, b.birthName)) {
    consider(0.75, false, {
      code: 'name_partial',
      message: 'Un nom de naissance composé commence par l’autre',
    });
  }
  return best;
}

function compareFirstNames(a: PreparedIdentity, b: PreparedIdentity): Part {
  let best: Part = { value: 0, identical: false, reasons: [] };
  const consider = (value: number, identical: boolean, reason: DuplicateReason) => {
    if (value > best.value) best = { value, identical, reasons: [reason] };
  };
  if (a.firstNames !== '' && a.firstNames === b.firstNames) {
    consider(1, true, { code: 'first_names_exact', message: 'Mêmes prénoms' });
  }
  if (a.firstFirst !== '' && a.firstFirst === b.firstFirst) {
    consider(0.95, true, { code: 'first_name_first', message: 'Même premier prénom' });
  }
  const usedA = a.usedFirstName;
  const usedB = b.usedFirstName;
  if (
    (usedA !== '' && (usedA === usedB || b.firstTokens.includes(usedA))) ||
    (usedB !== '' && a.firstTokens.includes(usedB))
  ) {
    consider(0.9, true, {
      code: 'first_name_used',
      message: 'Le prénom usuel de l’un figure parmi les prénoms de l’autre',
    });
  }
  if (a.firstTokens.some((t) => t.length >= 2 && b.firstTokens.includes(t))) {
    consider(0.75, false, { code: 'first_name_shared', message: 'Un prénom en commun' });
  }
  for (const [x, y] of [
    [a.firstFirst, b.firstFirst],
    [a.firstNames, b.firstNames],
  ] as const) {
    const m = compareFolded(x, y);
    if (m.kind === 'compact') {
      consider(0.95, true, {
        code: 'first_names_exact',
        message: 'Mêmes prénoms, aux espaces près',
      });
    } else if (m.kind === 'typo') {
      consider(matchValue(m), false, {
        code: 'first_name_typo',
        message: `Prénom proche (${typoText(m)})`,
      });
    }
  }
  return best;
}

function isDefinitiveNir(nir: string): boolean {
  const parsed = parseNir(nir);
  return parsed.ok && parsed.kind === 'nir';
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function scorePrepared(a: PreparedIdentity, b: PreparedIdentity): DuplicateAssessment {
  if (a.nir !== '' && a.nir === b.nir) {
    return { score: 1, reasons: [{ code: 'same_nir', message: 'Même NIR : même personne' }] };
  }
  const date = birthDateRelation(a.birthDate, b.birthDate);
  if (date === 'other') return { score: 0, reasons: [] };

  const names = compareNames(a, b);
  const first = compareFirstNames(a, b);
  const reasons: DuplicateReason[] = [];
  let score: number;

  if (names.value > 0 && first.value > 0) {
    if (date !== 'same' && !(names.identical && first.identical)) {
      // A fuzzy date is only suspicious when the names are the same.
      return { score: 0, reasons: [] };
    }
    score = names.value * first.value * (date === 'same' ? 1 : 0.7);
    reasons.push(...names.reasons, ...first.reasons);
  } else if (
    date === 'same' &&
    names.value === 0 &&
    a.firstNames !== '' &&
    a.firstNames === b.firstNames &&
    a.sex === b.sex &&
    a.birthPlaceCode !== '' &&
    a.birthPlaceCode === b.birthPlaceCode
  ) {
    // Everything but the name: often a used (married) name typed as the birth name.
    score = 0.5;
    reasons.push(...first.reasons, {
      code: 'names_differ',
      message:
        'Noms différents mais prénoms, sexe, date et lieu de naissance identiques (nom d’usage saisi comme nom de naissance ?)',
    });
  } else {
    return { score: 0, reasons: [] };
  }

  if (date === 'same') reasons.push({ code: 'birth_date_same', message: 'Même date de naissance' });
  else if (date === 'swapped') {
    reasons.push({
      code: 'birth_date_swapped',
      message: 'Date de naissance avec le jour et le mois inversés',
    });
  } else {
    reasons.push({ code: 'birth_date_typo', message: 'Date de naissance à un chiffre près' });
  }

  if ((a.sex === 'F' || a.sex === 'M') && (b.sex === 'F' || b.sex === 'M') && a.sex !== b.sex) {
    score *= 0.8;
    reasons.push({ code: 'sex_differs', message: 'Sexe différent' });
  }
  if (a.birthPlaceCode !== '' && b.birthPlaceCode !== '') {
    if (a.birthPlaceCode === b.birthPlaceCode) {
      reasons.push({ code: 'birth_place_same', message: 'Même lieu de naissance' });
    } else {
      score *= 0.9;
      reasons.push({ code: 'birth_place_differs', message: 'Lieu de naissance différent' });
    }
  }
  if (a.nir !== '' && b.nir !== '' && isDefinitiveNir(a.nir) && isDefinitiveNir(b.nir)) {
    // Two definitive NIRs point to two people, but the NIR of a spouse or parent is a classic slip.
    // A NIA (temporary) later replaced by the NIR is no evidence at all.
    score *= 0.85;
    reasons.push({ code: 'different_nir', message: 'NIR différents' });
  }
  return { score: round3(score), reasons };
}

/**
 * How likely two identities are the same person, 0..1, with the reasons in French. Same NIR is
 * certain. Otherwise the birth date must be the same — or, with identical names, off by a swapped
 * day/month or one digit — and both the name (birth or used, typo tolerant) and the first names
 * must be alike.
 */
export function duplicateScore(a: IdentityTraits, b: IdentityTraits): DuplicateAssessment {
  return scorePrepared(prepare(a), prepare(b));
}

export interface DuplicateMatch<T extends IdentityRecord = IdentityRecord> {
  record: T;
  score: number;
  reasons: DuplicateReason[];
}

export interface DuplicateOptions {
  /** Minimum score to report, 0.5 by default. */
  threshold?: number;
  /** At most this many matches, 10 by default. */
  limit?: number;
}

export const DEFAULT_DUPLICATE_THRESHOLD = 0.5;

/**
 * The registry identities that look like `candidate`, best first. A candidate that is itself in
 * the registry (same id) is not its own duplicate. Accepts a prepared search index to avoid
 * folding the registry again.
 */
export function findLikelyDuplicates<T extends IdentityRecord>(
  candidate: IdentityTraits & { id?: string },
  registry: readonly T[] | SearchIndex<T>,
  options: DuplicateOptions = {},
): DuplicateMatch<T>[] {
  const threshold = options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD;
  const limit = options.limit ?? 10;
  const c = prepare(candidate);
  const matches: DuplicateMatch<T>[] = [];
  // Cheap gate before folding: only the same NIR or a related birth date can match.
  const related = (record: T, recordNir: string) =>
    (c.nir !== '' && c.nir === recordNir) ||
    birthDateRelation(c.birthDate, record.birthDate) !== 'other';
  const consider = (record: T, prepared: PreparedIdentity) => {
    const { score, reasons } = scorePrepared(c, prepared);
    if (score > 0 && score >= threshold) matches.push({ record, score, reasons });
  };
  const self = candidate.id;
  if (isSearchIndex(registry)) {
    // An index holds the NIR already normalised (an import compares thousands of records).
    for (const e of registry.entries) {
      if (self !== undefined && e.record.id === self) continue;
      if (related(e.record, e.prepared.nir)) consider(e.record, e.prepared);
    }
  } else {
    for (const r of registry) {
      if (self !== undefined && r.id === self) continue;
      if (related(r, (r.nir ?? '').replace(/\s+/gu, '').toUpperCase())) consider(r, prepare(r));
    }
  }
  matches.sort((x, y) => y.score - x.score || x.record.id.localeCompare(y.record.id));
  return matches.slice(0, limit);
}
