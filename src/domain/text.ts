// Text helpers for identity matching: folding names to a comparable form, edit distances and
// the typo tolerance the identity rules use (docs/design.md §4.2). Pure, no I/O.

/** Letters that carry no combining mark in Unicode and so survive NFKD: spelled out by hand. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};
const SPECIAL_RE = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'gu');
const MARKS_RE = /\p{M}+/gu;
/** Anything that is not a letter or a digit (hyphens, apostrophes, spaces, dots…) separates words. */
const SEPARATORS_RE = /[^\p{L}\p{N}]+/gu;

const PRINTABLE_ASCII_RE = /^[ -~]*$/;
const ASCII_SEPARATORS_RE = /[^a-z0-9]+/g;

function foldOnce(s: string): string {
  return s
    .normalize('NFKD')
    .replace(MARKS_RE, '')
    .toLowerCase()
    .replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c);
}

/**
 * Folds a name for comparison: no accents or other diacritics, lower case, ligatures spelled out
 * (œ → oe, æ → ae), hyphens, apostrophes and any run of spaces or punctuation turned into one
 * space, trimmed. « Lefèvre-D’Œuf » and « LEFEVRE D OEUF » fold to the same « lefevre d oeuf ».
 * Idempotent: folding a folded name changes nothing.
 */
export function foldName(s: string): string {
  // Most names are plain ASCII: same result, without the Unicode passes (index builds fold a lot).
  if (PRINTABLE_ASCII_RE.test(s)) return s.toLowerCase().replace(ASCII_SEPARATORS_RE, ' ').trim();
  // Two passes: lower-casing or compatibility decomposition can expose a mark or a special letter
  // that the first pass could not see (e.g. « İ » lower-cases to « i » + combining dot).
  return foldOnce(foldOnce(s)).replace(SEPARATORS_RE, ' ').trim();
}

/** The words of a folded name (empty for a blank string). */
export function tokens(s: string): string[] {
  const folded = foldName(s);
  return folded === '' ? [] : folded.split(' ');
}

/** A folded name without its spaces, so « Le Gall » and « Legall » compare equal. */
export function compactName(s: string): string {
  return foldName(s).replaceAll(' ', '');
}

/**
 * Damerau–Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
 * substitutions and transpositions of two adjacent characters each cost 1 (a substring is never
 * edited twice). With `max`, stops as soon as the distance must exceed it and returns `max + 1`:
 * callers only ever ask "is it within the tolerance?", and most pairs are far apart.
 * Works on UTF-16 code units, which is exact for folded Latin names.
 */
export function damerauLevenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;

  // Three rolling rows: the one before the previous is needed for transpositions.
  let prevPrev = new Array<number>(lb + 1).fill(0);
  let prev = new Array<number>(lb + 1);
  let cur = new Array<number>(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;

  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        d = Math.min(d, prevPrev[j - 2]! + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  const d = prev[lb]!;
  return d > max ? max + 1 : d;
}

/**
 * True when `a` and `b` are at most one edit apart (insertion, deletion, substitution or
 * transposition of adjacent characters): the same answer as `damerauLevenshtein(a, b, 1) <= 1`,
 * in linear time, for the search hot path.
 */
export function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === la && i === lb) return true;
  if (la === lb) {
    // substitution at i, or transposition of i and i+1
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return (
      i + 1 < la &&
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      a.slice(i + 2) === b.slice(i + 2)
    );
  }
  // one insertion/deletion at i
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * The typo tolerance for a name (docs/design.md §4.2): one edit for short names, two from 8 characters
 * on. Measured on the longer of the two folded names being compared.
 */
export function typoTolerance(length: number): number {
  return length >= 8 ? 2 : 1;
}

export type NameMatch =
  | { kind: 'exact' }
  | { kind: 'compact' }
  | { kind: 'typo'; distance: number }
  | { kind: 'none' };

/**
 * How two already folded names compare: equal, equal once spaces are dropped (« le gall » /
 * « legall »), within the typo tolerance, or not alike. Blank names never match.
 */
export function compareFolded(a: string, b: string): NameMatch {
  if (a === '' || b === '') return { kind: 'none' };
  if (a === b) return { kind: 'exact' };
  const ca = a.replaceAll(' ', '');
  const cb = b.replaceAll(' ', '');
  if (ca === cb) return { kind: 'compact' };
  const max = typoTolerance(Math.max(ca.length, cb.length));
  // Very short names (« li », « ba ») are too easy to reach with one edit.
  if (Math.min(ca.length, cb.length) < 3) return { kind: 'none' };
  const distance = damerauLevenshtein(ca, cb, max);
  return distance <= max ? { kind: 'typo', distance } : { kind: 'none' };
}
