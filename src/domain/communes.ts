// The offline commune index behind the reception's place picker (birth place, commune of
// residence): INSEE codes of current communes, communes déléguées and associées (former communes
// of a merger) and municipal arrondissements, built from @etalab/decoupage-administratif by
// scripts/geo/communes.ts. Pure: the UI loads the file and calls these.

export type CommuneKind = 'c' | 'd' | 'a' | 'm';

export interface Commune {
  code: string;
  name: string;
  /** c: current commune, d: commune déléguée, a: commune associée, m: municipal arrondissement. */
  kind: CommuneKind;
  /** The department's code as people read it (« 72 », « 2A », « 971 »). */
  department: string;
}

export interface CommuneIndex {
  source: string;
  communes: Commune[];
  /** Normalised names, same order as `communes`. */
  keys: string[];
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

/** The index from the file's JSON; throws on a file that is not one. */
export function loadCommunes(raw: unknown): CommuneIndex {
  const file = raw as { source?: unknown; communes?: unknown };
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
  return { source: file.source, communes, keys: communes.map((c) => normaliseName(c.name)) };
}

/**
 * Communes whose name matches every word typed (each word the start of a word of the name, in
 * order of typing not required); a 5-character code or a department number (« le mans 72 »)
 * narrows too. Exact names first, then names starting with the query, then current communes
 * before former ones, then alphabetical.
 */
export function searchCommunes(index: CommuneIndex, query: string, limit = 8): Commune[] {
  const q = normaliseName(query);
  if (q.length < 2) return [];
  const words = q.split(' ');
  const nameWords = words.filter((w) => !/^\d[\dab]?\d*$/.test(w));
  const numbers = words.filter((w) => /^\d[\dab]?\d*$/.test(w));
  const found: { c: Commune; rank: number }[] = [];
  index.keys.forEach((key, i) => {
    const c = index.communes[i]!;
    const parts = key.split(' ');
    if (!nameWords.every((w) => parts.some((p) => p.startsWith(w)))) return;
    if (!numbers.every((n) => c.code.toLowerCase().startsWith(n) || c.department === n)) return;
    const joined = nameWords.join(' ');
    const rank = key === joined ? 0 : key.startsWith(joined) ? 1 : 2;
    found.push({ c, rank: rank * 2 + (c.kind === 'c' || c.kind === 'm' ? 0 : 1) });
  });
  return found
    .sort((a, b) => a.rank - b.rank || a.c.name.localeCompare(b.c.name, 'fr'))
    .slice(0, limit)
    .map((f) => f.c);
}
