// The offline index commune → EPCI (établissement public de coopération intercommunale) the
// research extract coarsens places to (src/domain/research.ts), built from
// @etalab/decoupage-administratif by scripts/geo/epci.ts. Pure: the UI loads the file and calls
// these.

export interface EpciIndex {
  source: string;
  /** EPCI SIREN by the INSEE code of a member commune. */
  byCommune: Map<string, string>;
  /** EPCI name by SIREN. */
  names: Map<string, string>;
}

/** The index from the file's JSON; throws on a file that is not one. */
export function loadEpci(raw: unknown): EpciIndex {
  const file = raw as { source?: unknown; epci?: unknown; within?: unknown };
  if (!file || typeof file.source !== 'string' || !Array.isArray(file.epci)) {
    throw new Error('Liste des intercommunalités illisible.');
  }
  const byCommune = new Map<string, string>();
  const names = new Map<string, string>();
  for (const row of file.epci as unknown[]) {
    if (!Array.isArray(row)) continue;
    const [siren, name, members] = row as unknown[];
    if (typeof siren !== 'string' || typeof name !== 'string' || typeof members !== 'string') {
      continue;
    }
    names.set(siren, name);
    for (const code of members.split(' ')) if (code) byCommune.set(code, siren);
  }
  // A former commune (déléguée, associée) or an arrondissement follows the commune it is part of.
  for (const row of Array.isArray(file.within) ? (file.within as unknown[]) : []) {
    if (!Array.isArray(row)) continue;
    const [code, parent] = row as unknown[];
    if (typeof code !== 'string' || typeof parent !== 'string') continue;
    const siren = byCommune.get(parent);
    if (siren && !byCommune.has(code)) byCommune.set(code, siren);
  }
  return { source: file.source, byCommune, names };
}

/** The EPCI (SIREN) of a commune's INSEE code, or null when the index does not know it. */
export function epciOf(index: EpciIndex, communeInsee: string | null | undefined): string | null {
  return communeInsee ? (index.byCommune.get(communeInsee) ?? null) : null;
}
