// The offline place index behind the reception's place picker (birth place, commune of
// residence): INSEE codes of current communes, communes déléguées and associées (former communes
// of a merger) and municipal arrondissements, built from @etalab/decoupage-administratif, and of
// foreign countries and territories (99xxx), built from INSEE's list, by scripts/geo/places.ts.
// Pure: the UI loads the file and calls these.

export type CommuneKind = 'c' | 'd' | 'a' | 'm';

export interface Commune {
  code: string;
  name: string;
  /** c: current commune, d: commune déléguée, a: commune associée, m: municipal arrondissement. */
  kind: CommuneKind;
  /** The department's code as people read it (« 72 », « 2A », « 971 »). */
  department: string;
}

/** p: a country, t: a foreign territory with its own code, x: a country that no longer exists. */
export type CountryKind = 'p' | 't' | 'x';

export interface Country {
  /** INSEE's code of a country or foreign territory: 99 and three digits (« 99352 »). */
  code: string;
  name: string;
  kind: CountryKind;
  /** The official name when it differs (« République tchèque » for Tchéquie), or ''. */
  official: string;
}

/** A line of the picker: a French commune or a foreign country. */
export type Place = Commune | Country;

export function isCountry(place: Place): place is Country {
  return place.kind === 'p' || place.kind === 't' || place.kind === 'x';
}

export interface CommuneIndex {
  source: string;
  communes: Commune[];
  /** Normalised names, same order as `communes`. */
  keys: string[];
  /** Where the countries come from (empty when the file has none). */
  countriesSource: string;
  /** Foreign countries and territories; France (99100) is not one: a birth in France is coded
   * by its commune. */
  countries: Country[];
  /** Normalised name and official name of each country, same order as `countries`. */
  countryKeys: string[][];
}

/** Lower case, no accents, hyphens and apostrophes as spaces, « st » as « saint ». */
export function normaliseName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[-'’]/g, ' ')
    .replace(/\bste\b/g, 'sainte')
    .replace(/\bst\b/g, 'saint')
    .replace(/\s+/g, ' ')
    .trim();
}

export function departmentOf(code: string): string {
  return code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2);
}

const KINDS: ReadonlySet<string> = new Set(['c', 'd', 'a', 'm']);
const COUNTRY_KINDS: ReadonlySet<string> = new Set(['p', 't', 'x']);

/** The index from the file's JSON; throws on a file that is not one. */
export function loadCommunes(raw: unknown): CommuneIndex {
  const file = raw as {
    source?: unknown;
    communes?: unknown;
    countriesSource?: unknown;
    countries?: unknown;
  };
  if (!file || typeof file.source !== 'string' || !Array.isArray(file.communes)) {
    throw new Error('Liste des communes illisible.');
  }
  const communes: Commune[] = [];
  for (const row of file.communes as unknown[]) {
    if (!Array.isArray(row)) continue;
    const [code, name, kind] = row as unknown[];
    if (typeof code !== 'string' || typeof name !== 'string' || !KINDS.has(String(kind))) continue;
    communes.push({ code, name, kind: kind as CommuneKind, department: departmentOf(code) });
  }
  const countries: Country[] = [];
  for (const row of Array.isArray(file.countries) ? (file.countries as unknown[]) : []) {
    if (!Array.isArray(row)) continue;
    const [code, name, kind, official] = row as unknown[];
    if (typeof code !== 'string' || !/^99\d{3}$/.test(code) || typeof name !== 'string') continue;
    if (!COUNTRY_KINDS.has(String(kind))) continue;
    countries.push({
      code,
      name,
      kind: kind as CountryKind,
      official: typeof official === 'string' ? official : '',
    });
  }
  return {
    source: file.source,
    communes,
    keys: communes.map((c) => normaliseName(c.name)),
    countriesSource: typeof file.countriesSource === 'string' ? file.countriesSource : '',
    countries,
    countryKeys: countries.map((c) =>
      [c.name, c.official].filter((n) => n !== '').map((n) => normaliseName(n)),
    ),
  };
}

const NUMBER_RE = /^\d[\dab]?\d*$/;

/** 0 for the exact name, 1 for a name starting with the words, 2 for the words found apart;
 * null when a word typed starts no word of the name. */
function nameRank(key: string, nameWords: readonly string[]): number | null {
  const parts = key.split(' ');
  if (!nameWords.every((w) => parts.some((p) => p.startsWith(w)))) return null;
  const joined = nameWords.join(' ');
  return key === joined ? 0 : key.startsWith(joined) ? 1 : 2;
}

/**
 * Communes whose name matches every word typed (each word the start of a word of the name, in
 * order of typing not required); a 5-character code or a department number (« le mans 72 »)
 * narrows too. Exact names first, then names starting with the query, then current communes
 * before former ones, then alphabetical.
 */
export function searchCommunes(index: CommuneIndex, query: string, limit = 8): Commune[] {
  return searchPlaces(index, query, { countries: false, limit }) as Commune[];
}

/**
 * Communes and, with `countries`, foreign countries and territories (the birth place), matched
 * the same way: a country by its name or its official name (« republique tcheque »), or by its
 * code. Exact names first, then names starting with the query, then current communes and
 * countries before former ones, then alphabetical.
 */
export function searchPlaces(
  index: CommuneIndex,
  query: string,
  options: { countries: boolean; limit?: number },
): Place[] {
  const limit = options.limit ?? 8;
  const q = normaliseName(query);
  if (q.length < 2) return [];
  const words = q.split(' ');
  const nameWords = words.filter((w) => !NUMBER_RE.test(w));
  const numbers = words.filter((w) => NUMBER_RE.test(w));
  const found: { p: Place; rank: number }[] = [];
  index.keys.forEach((key, i) => {
    const c = index.communes[i]!;
    const rank = nameRank(key, nameWords);
    if (rank === null) return;
    if (!numbers.every((n) => c.code.toLowerCase().startsWith(n) || c.department === n)) return;
    found.push({ p: c, rank: rank * 2 + (c.kind === 'c' || c.kind === 'm' ? 0 : 1) });
  });
  if (options.countries) {
    index.countryKeys.forEach((keys, i) => {
      const c = index.countries[i]!;
      const ranks = keys.map((k) => nameRank(k, nameWords)).filter((r) => r !== null);
      if (ranks.length === 0) return;
      if (!numbers.every((n) => c.code.startsWith(n))) return;
      found.push({ p: c, rank: Math.min(...ranks) * 2 + (c.kind === 'x' ? 1 : 0) });
    });
  }
  return found
    .sort((a, b) => a.rank - b.rank || a.p.name.localeCompare(b.p.name, 'fr'))
    .slice(0, limit)
    .map((f) => f.p);
}

/**
 * The place an INSEE code names, for showing a recorded code by its name: a country, or the
 * commune holding the code (the current commune rather than a former one keeping its code).
 */
export function placeByCode(index: CommuneIndex, code: string): Place | undefined {
  const c = code.trim().toUpperCase();
  if (c.startsWith('99')) return index.countries.find((x) => x.code === c);
  const found = index.communes.filter((x) => x.code === c);
  return found.find((x) => x.kind === 'c' || x.kind === 'm') ?? found[0];
}
