// Coding catalogues (CISP-2 for reasons and results, CIM-10 optional) loaded from a JSON file, and
// their offline search by code or words, insensitive to accents and case. Pure.
import { z } from 'zod';
import { foldName } from './text';

export const terminologySchema = z.object({
  name: z.string().min(1).max(200),
  version: z.string().min(1).max(64),
  entries: z
    .array(
      z.object({
        system: z.enum(['CISP-2', 'CIM-10']),
        code: z.string().min(1).max(16),
        label: z.string().min(1).max(200),
      }),
    )
    .min(1),
});
export type TerminologyFile = z.infer<typeof terminologySchema>;
export type TermSystem = TerminologyFile['entries'][number]['system'];

export interface Term {
  system: TermSystem;
  code: string;
  label: string;
  /** Folded code and label words, for search. */
  words: string[];
  foldedCode: string;
}

export interface Terminology {
  name: string;
  version: string;
  terms: Term[];
}

/** Validates a catalogue file; throws a French message naming the first fault. */
export function loadTerminology(json: unknown): Terminology {
  const parsed = terminologySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Catalogue de codes invalide (${issue?.path.join('.') || 'racine'} : ${issue?.message ?? 'format inattendu'}).`,
    );
  }
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const e of parsed.data.entries) {
    const key = `${e.system}|${e.code.toUpperCase()}`;
    if (seen.has(key))
      throw new Error(`Catalogue de codes invalide : ${e.system} ${e.code} en double.`);
    seen.add(key);
    terms.push({
      ...e,
      words: foldName(e.label).split(' ').filter(Boolean),
      foldedCode: e.code.toUpperCase().replace(/[.\s]/g, ''),
    });
  }
  return { name: parsed.data.name, version: parsed.data.version, terms };
}

/**
 * Terms matching `query`: a code prefix (« K86 », « i10 ») or words that each start a word of
 * the label (« hyper arter »). Code matches first; each group in catalogue order (system, code).
 */
export function searchTerms(
  terminology: Terminology,
  query: string,
  options: { system?: TermSystem; limit?: number } = {},
): Term[] {
  const limit = options.limit ?? 15;
  const q = query.trim();
  if (q === '') return [];
  const code = q.toUpperCase().replace(/[.\s]/g, '');
  const words = foldName(q).split(' ').filter(Boolean);
  const byCode: Term[] = [];
  const byLabel: Term[] = [];
  for (const t of terminology.terms) {
    if (options.system && t.system !== options.system) continue;
    if (t.foldedCode.startsWith(code)) byCode.push(t);
    else if (words.length > 0 && words.every((w) => t.words.some((tw) => tw.startsWith(w)))) {
      byLabel.push(t);
    }
  }
  byCode.sort((a, b) => a.foldedCode.localeCompare(b.foldedCode));
  byLabel.sort(
    (a, b) => a.system.localeCompare(b.system) || a.foldedCode.localeCompare(b.foldedCode),
  );
  return [...byCode, ...byLabel].slice(0, limit);
}
