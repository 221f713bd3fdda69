// The reception search that must come before any creation: an index kept up to date as rows
// are written or pulled, a query parser, and ranked hits.

import { tokens, withinOneEdit } from '../text';
import { type PreparedIdentity, prepare } from './prepared';
import { isIsoDate } from './traits';
import type { IdentityRecord } from './types';

export interface IndexEntry<T extends IdentityRecord> {
  record: T;
  /** Position in `entries`, for O(1) removal. */
  slot: number;
  prepared: PreparedIdentity;
  /** Words of the birth and used names, plus each name without its spaces. */
  nameTokens: string[];
  /** Words of the birth first names and of the used first name. */
  firstTokens: string[];
  sortKey: string;
  /** The first characters of sortKey as a number, in the same order: most ties end here. */
  order: number;
  // Scratch space of the search in progress (single-threaded), so that scoring allocates nothing.
  mark: number;
  seen: number;
  acc: number;
  weakest: number;
  stepMark: number;
  curName: number;
  curFirst: number;
}

// Arrays rather than sets: searches iterate them constantly, updates are rare.
export interface Posting<T extends IdentityRecord> {
  /** Identities having this word in their birth or used name. */
  name: IndexEntry<T>[];
  /** Identities having this word among their first names. */
  first: IndexEntry<T>[];
}

export interface SearchIndex<T extends IdentityRecord = IdentityRecord> {
  readonly kind: 'identity-search-index';
  readonly entries: IndexEntry<T>[];
  readonly byId: Map<string, IndexEntry<T>>;
  readonly byDate: Map<string, IndexEntry<T>[]>;
  /**
   * Each distinct word of the registry → the identities holding it. Names repeat, so there are
   * far fewer words than identities: a query scans the words, then visits only their holders.
   */
  readonly postings: Map<string, Posting<T>>;
}

export function isSearchIndex<T extends IdentityRecord>(
  x: readonly T[] | SearchIndex<T>,
): x is SearchIndex<T> {
  return !Array.isArray(x);
}

const ORDER_BASE = 39;
const ORDER_CHARS = 10; // 39^10 < 2^53: exact in a double

/**
 * A number that orders like the first 10 characters of a folded sort key: NUL < space < digits <
 * a–z < anything else (grouped). Smaller number ⇒ smaller key; equal numbers need the string.
 */
function orderNumber(key: string): number {
  let n = 0;
  for (let i = 0; i < ORDER_CHARS; i++) {
    const c = i < key.length ? key.charCodeAt(i) : -1;
    let v: number;
    if (c <= 0)
      v = 0; // past the end, or the NUL separator
    else if (c === 32) v = 1;
    else if (c >= 48 && c <= 57) v = 2 + c - 48;
    else if (c >= 97 && c <= 122) v = 12 + c - 97;
    else v = 38;
    n = n * ORDER_BASE + v;
  }
  return n;
}

function makeEntry<T extends IdentityRecord>(record: T, slot: number): IndexEntry<T> {
  const p = prepare(record);
  const nameTokens: string[] = [];
  for (const name of [p.birthName, p.usedName]) {
    if (name === '') continue;
    const words = name.split(' ');
    nameTokens.push(...words);
    if (words.length > 1) nameTokens.push(words.join(''));
  }
  const firstTokens = [...p.firstTokens];
  if (p.usedFirstName !== '') firstTokens.push(...p.usedFirstName.split(' '));
  const sortKey = `${p.birthName}\u0000${p.firstNames}\u0000${record.id}`;
  return {
    record,
    slot,
    prepared: p,
    nameTokens: [...new Set(nameTokens)],
    firstTokens: [...new Set(firstTokens)],
    sortKey,
    order: orderNumber(sortKey),
    mark: 0,
    seen: 0,
    acc: 0,
    weakest: 0,
    stepMark: 0,
    curName: 0,
    curFirst: 0,
  };
}

/** Folds every identity once, so that each search only compares prepared words. */
export function buildSearchIndex<T extends IdentityRecord>(registry: readonly T[]): SearchIndex<T> {
  const index: SearchIndex<T> = {
    kind: 'identity-search-index',
    entries: [],
    byId: new Map(),
    byDate: new Map(),
    postings: new Map(),
  };
  for (const r of registry) updateIndex(index, r);
  return index;
}

function posting<T extends IdentityRecord>(index: SearchIndex<T>, word: string): Posting<T> {
  let p = index.postings.get(word);
  if (!p) {
    p = { name: [], first: [] };
    index.postings.set(word, p);
  }
  return p;
}

function removeItem<X>(list: X[], x: X): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}

function unlink<T extends IdentityRecord>(index: SearchIndex<T>, e: IndexEntry<T>): void {
  const list = index.byDate.get(e.record.birthDate);
  if (list) {
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) index.byDate.delete(e.record.birthDate);
  }
  for (const t of [...e.nameTokens, ...e.firstTokens]) {
    const p = index.postings.get(t);
    if (!p) continue;
    removeItem(p.name, e);
    removeItem(p.first, e);
    if (p.name.length === 0 && p.first.length === 0) index.postings.delete(t);
  }
}

function link<T extends IdentityRecord>(index: SearchIndex<T>, e: IndexEntry<T>): void {
  const list = index.byDate.get(e.record.birthDate);
  if (list) list.push(e);
  else index.byDate.set(e.record.birthDate, [e]);
  for (const t of e.nameTokens) posting(index, t).name.push(e);
  for (const t of e.firstTokens) posting(index, t).first.push(e);
}

/** Adds or replaces one identity (by id) in the index. */
export function updateIndex<T extends IdentityRecord>(index: SearchIndex<T>, record: T): void {
  const old = index.byId.get(record.id);
  const entry = makeEntry(record, old ? old.slot : index.entries.length);
  if (old) {
    unlink(index, old);
    index.entries[old.slot] = entry;
  } else {
    index.entries.push(entry);
  }
  index.byId.set(record.id, entry);
  link(index, entry);
}

/** Removes one identity from the index; unknown ids are ignored. */
export function removeFromIndex<T extends IdentityRecord>(index: SearchIndex<T>, id: string): void {
  const e = index.byId.get(id);
  if (!e) return;
  unlink(index, e);
  index.byId.delete(id);
  const last = index.entries.pop()!;
  if (last !== e) {
    last.slot = e.slot;
    index.entries[e.slot] = last;
  }
}

/** Whether two versions of a record hold the same values (arrays compared element by element). */
function sameRecord(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) {
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    if (Array.isArray(u) && Array.isArray(v)) {
      if (u.length !== v.length || u.some((e, i) => e !== v[i])) return false;
      continue;
    }
    if (u !== null && v !== null && typeof u === 'object' && typeof v === 'object') {
      if (JSON.stringify(u) !== JSON.stringify(v)) return false;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Brings `index` from the registry it holds to `next`: only the identities added, changed or
 * gone are re-indexed (updateIndex / removeFromIndex), so a written or pulled patient costs one
 * entry, not the whole registry. Returns how many entries changed.
 */
export function refreshIndex<T extends IdentityRecord>(
  index: SearchIndex<T>,
  next: readonly T[],
): number {
  let changed = 0;
  const seen = new Set<string>();
  for (const record of next) {
    seen.add(record.id);
    const held = index.byId.get(record.id);
    if (held && (held.record === record || sameRecord(held.record, record))) continue;
    updateIndex(index, record);
    changed += 1;
  }
  if (seen.size !== index.byId.size) {
    for (const id of [...index.byId.keys()]) {
      if (seen.has(id)) continue;
      removeFromIndex(index, id);
      changed += 1;
    }
  }
  return changed;
}

/**
 * Applies a known change to `index`: `upserts` are the changed identities as now held (added or
 * replaced by id; one holding the same values as its entry is left alone), `removedIds` leave it
 * (deleted, merged into another; unknown ids are ignored). What the reception's index does for
 * each written or pulled patient: the cost is the changed entries, not the registry. Returns how
 * many entries changed.
 */
export function patchIndex<T extends IdentityRecord>(
  index: SearchIndex<T>,
  upserts: readonly T[],
  removedIds: Iterable<string> = [],
): number {
  let changed = 0;
  for (const id of removedIds) {
    if (!index.byId.has(id)) continue;
    removeFromIndex(index, id);
    changed += 1;
  }
  for (const record of upserts) {
    const held = index.byId.get(record.id);
    if (held && (held.record === record || sameRecord(held.record, record))) continue;
    updateIndex(index, record);
    changed += 1;
  }
  return changed;
}

export interface ParsedQuery {
  /** Folded name words; each must match a name or first-name word. */
  words: string[];
  /** Each inner list holds the readings of one date the user typed ('YYYY-MM-DD'); one must match. */
  dates: string[][];
  years: number[];
  /** 'MM-DD' of a day/month typed without a year. */
  dayMonths: string[];
  /** Leading characters of a NIR, spaces removed. */
  nirPrefixes: string[];
  /** Words that read as nothing (« 12 », « 31/02 »): a query holding one finds nothing. */
  unread: string[];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function isoFrom(y: number, m: number, d: number): string | null {
  const s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
  return isIsoDate(s) ? s : null;
}

function readings(...candidates: (string | null)[]): string[] {
  return [...new Set(candidates.filter((x): x is string => x !== null))];
}

const DMY_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const DMYY_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$/;
const YMD_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DM_RE = /^(\d{1,2})[/.-](\d{1,2})$|^(\d{2})(\d{2})$/;

/** Reads one word of a query into `q`. */
function readToken(raw: string, q: ParsedQuery): void {
  const num = (s: string | undefined) => Number(s ?? 'NaN');
  const dmy = DMY_RE.exec(raw);
  if (dmy) {
    q.dates.push(readings(isoFrom(num(dmy[3]), num(dmy[2]), num(dmy[1]))));
    return;
  }
  const dmyy = DMYY_RE.exec(raw);
  if (dmyy) {
    const [yy, mo, d] = [num(dmyy[3]), num(dmyy[2]), num(dmyy[1])];
    q.dates.push(readings(isoFrom(1900 + yy, mo, d), isoFrom(2000 + yy, mo, d)));
    return;
  }
  const ymd = YMD_RE.exec(raw);
  if (ymd) {
    q.dates.push(readings(isoFrom(num(ymd[1]), num(ymd[2]), num(ymd[3]))));
    return;
  }
  const n = (a: number, b: number) => Number(raw.slice(a, b));
  if (/^\d{8}$/.test(raw)) {
    // ddmmyyyy as typed in France, or yyyymmdd as printed by some software
    q.dates.push(readings(isoFrom(n(4, 8), n(2, 4), n(0, 2)), isoFrom(n(0, 4), n(4, 6), n(6, 8))));
    return;
  }
  if (/^\d{6}$/.test(raw)) {
    const [yy, mo, d] = [n(4, 6), n(2, 4), n(0, 2)];
    q.dates.push(readings(isoFrom(1900 + yy, mo, d), isoFrom(2000 + yy, mo, d)));
    return;
  }
  if (/^\d{4}$/.test(raw) && n(0, 4) >= 1900 && n(0, 4) <= 2099) {
    q.years.push(n(0, 4));
    return;
  }
  const dm = DM_RE.exec(raw);
  if (dm) {
    const d = num(dm[1] ?? dm[3]);
    const mo = num(dm[2] ?? dm[4]);
    // 2000 is a leap year, so 29/02 reads as a day and month
    if (isoFrom(2000, mo, d) !== null) q.dayMonths.push(`${pad2(mo)}-${pad2(d)}`);
    else q.unread.push(raw);
    return;
  }
  if (/^\d{5}(\d{2}|2[AB])?\d*$/i.test(raw)) {
    // Five digits or more that are no date: the beginning of a NIR.
    q.nirPrefixes.push(raw.toUpperCase());
    return;
  }
  if (/\d/u.test(raw)) {
    q.unread.push(raw);
    return;
  }
  q.words.push(...tokens(raw));
}

/**
 * Reads a reception query: name words, birth dates (dd/mm/yyyy, dd-mm-yy, yyyy-mm-dd, ddmmyyyy,
 * « 12 03 1960 »), a year, a day/month, or a NIR (spaces allowed). A date that reads as nothing
 * valid is kept as a date with no reading, so the search honestly finds nothing.
 */
export function parseSearchQuery(query: string): ParsedQuery {
  const q: ParsedQuery = {
    words: [],
    dates: [],
    years: [],
    dayMonths: [],
    nirPrefixes: [],
    unread: [],
  };
  const text = query.trim();
  if (text === '') return q;

  // A whole query of digits (and 2A/2B) longer than a date is a NIR, however it is spaced.
  const compact = text.replace(/\s+/gu, '').toUpperCase();
  if (/^\d{5}(\d{2}|2[AB])\d{2,8}$/.test(compact) || /^\d{9,15}$/.test(compact)) {
    q.nirPrefixes.push(compact);
    return q;
  }

  // The start of a NIR typed as the card prints it (« 2 37 08 », « 1 84 05 2A 012 »): sex, year,
  // month, then département, commune, order and key. Read as a NIR when it is not also a valid date (« 1 12 60 » stays
  // 1 December 1960), or when it goes past what a date could be.
  const spaced = text.replace(/\s+/gu, ' ').toUpperCase();
  const card = /^[1-478] \d{2} \d{2}( (\d{2}|2[AB])( \d{3}( \d{3}( \d{2})?)?)?)?$/.exec(spaced);
  if (card) {
    const [d, m, y] = spaced.split(' ').map(Number) as [number, number, number];
    const asDate = isoFrom(1900 + y, m, d) ?? isoFrom(2000 + y, m, d);
    if (card[1] !== undefined || asDate === null) {
      q.nirPrefixes.push(compact);
      return q;
    }
  }

  // « 12 03 1960 » is one date, not three numbers.
  const joined = text.replace(
    /(^|\s)(\d{1,2})\s+(\d{1,2})\s+(\d{4}|\d{2})(?=\s|$)/gu,
    '$1$2/$3/$4',
  );

  for (const raw of joined.split(/[\s,;]+/u)) {
    if (raw !== '') readToken(raw, q);
  }
  return q;
}

export type SearchMatchKind = 'exact' | 'prefix' | 'fuzzy';

export interface SearchHit<T extends IdentityRecord = IdentityRecord> {
  record: T;
  /** Higher is better: exact words weigh more than prefixes, prefixes more than typos. */
  score: number;
  /** The weakest way a typed word matched ('exact' when the query had no words). */
  match: SearchMatchKind;
}

const EXACT = 4;
const PREFIX = 2;
const FUZZY = 1;
/** Reception types the name first: a first word found in the name earns this bonus. */
const NAME_FIRST_BONUS = 0.5;

/** A word within one edit of a prefix of `t` (the user typed part of the name, with a slip). */
function fuzzyPrefix(q: string, t: string): boolean {
  if (withinOneEdit(q, t)) return true;
  if (t.length <= q.length) return false;
  return (
    withinOneEdit(q, t.slice(0, q.length)) ||
    withinOneEdit(q, t.slice(0, q.length + 1)) ||
    withinOneEdit(q, t.slice(0, q.length - 1))
  );
}

/** How typed word `q` matches word `t`: EXACT, PREFIX, FUZZY (4 letters or more) or 0. */
function wordMatch(q: string, t: string): number {
  if (t === q) return EXACT;
  if (t.startsWith(q)) return PREFIX;
  if (q.length < 4) return 0;
  // Any single edit leaves one of these pairs equal: skip the rest cheaply.
  const q0 = q.charCodeAt(0);
  const q1 = q.charCodeAt(1);
  const t0 = t.charCodeAt(0);
  const t1 = t.charCodeAt(1);
  if (q0 !== t0 && q1 !== t1 && q0 !== t1 && q1 !== t0) return 0;
  return fuzzyPrefix(q, t) ? FUZZY : 0;
}

/** The best match of one typed word among an identity's words. */
function bestWordMatch(q: string, words: readonly string[]): number {
  let best = 0;
  for (const t of words) {
    const m = wordMatch(q, t);
    if (m === EXACT) return EXACT;
    if (m > best) best = m;
  }
  return best;
}

/** Score of one typed word against an identity, from its best match in names and first names. */
function wordScore(inName: number, inFirst: number, firstWord: boolean): number {
  const best = inName === EXACT ? EXACT : Math.max(inName, inFirst);
  return best + (firstWord && inName >= PREFIX ? NAME_FIRST_BONUS : 0);
}

function matchKind(weakest: number): SearchMatchKind {
  return weakest === EXACT ? 'exact' : weakest === PREFIX ? 'prefix' : 'fuzzy';
}

interface CompiledQuery extends ParsedQuery {
  yearPrefixes: string[];
  dayMonthSuffixes: string[];
  hasFilter: boolean;
}

function passesFilters<T extends IdentityRecord>(e: IndexEntry<T>, q: CompiledQuery): boolean {
  if (!q.hasFilter) return true;
  const d = e.prepared.birthDate;
  for (let i = 0; i < q.dates.length; i++) if (!q.dates[i]!.includes(d)) return false;
  for (let i = 0; i < q.yearPrefixes.length; i++)
    if (!d.startsWith(q.yearPrefixes[i]!)) return false;
  for (let i = 0; i < q.dayMonthSuffixes.length; i++) {
    if (!d.endsWith(q.dayMonthSuffixes[i]!)) return false;
  }
  for (let i = 0; i < q.nirPrefixes.length; i++) {
    if (!e.prepared.nir.startsWith(q.nirPrefixes[i]!)) return false;
  }
  return true;
}

/** Scores one identity against all words by looking at its own words (small candidate sets). */
function scoreEntry<T extends IdentityRecord>(e: IndexEntry<T>, words: readonly string[]): boolean {
  let acc = 0;
  let weakest = EXACT;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const inName = bestWordMatch(w, e.nameTokens);
    const inFirst = inName === EXACT ? 0 : bestWordMatch(w, e.firstTokens);
    if (inName === 0 && inFirst === 0) return false;
    acc += wordScore(inName, inFirst, i === 0);
    weakest = Math.min(weakest, Math.max(inName, inFirst));
  }
  e.acc = acc;
  e.weakest = weakest;
  return true;
}

let searchGeneration = 0;
let stepGeneration = 0;

/**
 * The identities matching every word, scored, found through the postings: each word is matched
 * against the registry's distinct words, then only their holders are visited, the most selective
 * word first so that later words only confirm survivors.
 */
function scoreByPostings<T extends IdentityRecord>(
  index: SearchIndex<T>,
  words: readonly string[],
): IndexEntry<T>[] {
  const gen = ++searchGeneration;
  const plans = words.map((w, i) => {
    const matches: { kind: number; posting: Posting<T> }[] = [];
    let count = 0;
    for (const [t, p] of index.postings) {
      const kind = wordMatch(w, t);
      if (kind > 0) {
        matches.push({ kind, posting: p });
        count += p.name.length + p.first.length;
      }
    }
    return { firstWord: i === 0, matches, count };
  });
  plans.sort((a, b) => a.count - b.count);

  let survivors: IndexEntry<T>[] = [];
  for (let step = 0; step < plans.length; step++) {
    const plan = plans[step]!;
    const stamp = ++stepGeneration;
    const touched: IndexEntry<T>[] = [];
    const visit = (e: IndexEntry<T>, kind: number, inName: boolean) => {
      if (step === 0) {
        if (e.mark !== gen) {
          e.mark = gen;
          e.seen = 0;
          e.acc = 0;
          e.weakest = EXACT;
        }
      } else if (e.mark !== gen || e.seen !== step) {
        return;
      }
      if (e.stepMark !== stamp) {
        e.stepMark = stamp;
        e.curName = 0;
        e.curFirst = 0;
        touched.push(e);
      }
      if (inName) {
        if (kind > e.curName) e.curName = kind;
      } else if (kind > e.curFirst) {
        e.curFirst = kind;
      }
    };
    for (const { kind, posting: p } of plan.matches) {
      for (const e of p.name) visit(e, kind, true);
      for (const e of p.first) visit(e, kind, false);
    }
    for (const e of touched) {
      e.acc += wordScore(e.curName, e.curFirst, plan.firstWord);
      const best = e.curName === EXACT ? EXACT : Math.max(e.curName, e.curFirst);
      if (best < e.weakest) e.weakest = best;
      e.seen = step + 1;
    }
    survivors = touched;
    if (survivors.length === 0) break;
  }
  return survivors;
}

function precedes<T extends IdentityRecord>(a: IndexEntry<T>, b: IndexEntry<T>): boolean {
  return a.order < b.order || (a.order === b.order && a.sortKey < b.sortKey);
}

/** Keeps the best `limit` entries, best first: higher score, then name order. */
class TopK<T extends IdentityRecord> {
  readonly items: IndexEntry<T>[] = [];
  readonly scores: number[] = [];
  constructor(private readonly limit: number) {}

  offer(e: IndexEntry<T>, score: number): void {
    const { items, scores, limit } = this;
    const n = items.length;
    if (n >= limit) {
      const worst = scores[n - 1]!;
      if (worst > score || (worst === score && precedes(items[n - 1]!, e))) return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = scores[mid]!;
      if (s > score || (s === score && precedes(items[mid]!, e))) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, e);
    scores.splice(lo, 0, score);
    if (items.length > limit) {
      items.pop();
      scores.pop();
    }
  }
}

/**
 * Searches the index: every typed word must match a name or first-name word (exact, prefix, or
 * one typo for words of 4 letters or more) and every date, year or NIR piece must match. Ranked
 * exact > prefix > typo, then by name.
 */
export function searchIndex<T extends IdentityRecord>(
  index: SearchIndex<T>,
  query: string,
  limit = 20,
): SearchHit<T>[] {
  const parsed = parseSearchQuery(query);
  if (parsed.unread.length > 0 || limit <= 0) return [];
  const q: CompiledQuery = {
    ...parsed,
    yearPrefixes: parsed.years.map((y) => `${y}-`),
    dayMonthSuffixes: parsed.dayMonths.map((md) => `-${md}`),
    hasFilter:
      parsed.dates.length +
        parsed.years.length +
        parsed.dayMonths.length +
        parsed.nirPrefixes.length >
      0,
  };
  if (q.words.length === 0 && !q.hasFilter) return [];

  const top = new TopK<T>(limit);
  const firstDate = q.dates[0];
  if (firstDate) {
    // A full date narrows the candidates to that day's births at once.
    for (const d of firstDate) {
      for (const e of index.byDate.get(d) ?? []) {
        if (passesFilters(e, q) && scoreEntry(e, q.words)) top.offer(e, e.acc);
      }
    }
  } else if (q.words.length > 0) {
    for (const e of scoreByPostings(index, q.words)) {
      if (passesFilters(e, q)) top.offer(e, e.acc);
    }
  } else {
    for (const e of index.entries) {
      if (passesFilters(e, q)) {
        e.acc = 0;
        e.weakest = EXACT;
        top.offer(e, 0);
      }
    }
  }
  return top.items.map((e, i) => ({
    record: e.record,
    score: top.scores[i]!,
    match: matchKind(e.weakest),
  }));
}

/** Convenience for a one-off search: builds the index and searches it. Prefer a kept index. */
export function searchPatients<T extends IdentityRecord>(
  query: string,
  registry: readonly T[],
  options: { limit?: number } = {},
): SearchHit<T>[] {
  return searchIndex(buildSearchIndex(registry), query, options.limit ?? 20);
}
