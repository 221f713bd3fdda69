// Builds the offline commune index the reception's place picker loads (public/geo/communes.json)
// from the maintained package @etalab/decoupage-administratif (INSEE's Code officiel
// géographique): current communes, communes déléguées and associées (the former communes of a
// merger, under their own INSEE code), and the municipal arrondissements of Paris, Lyon and
// Marseille. Run `npm run geo:communes` after upgrading the package (docs/operations.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('@etalab/decoupage-administratif/package.json') as { version: string };
const communes = JSON.parse(
  readFileSync(require.resolve('@etalab/decoupage-administratif/data/communes.json'), 'utf8'),
) as { code: string; nom: string; type: string; departement?: string }[];

const KIND: Record<string, string> = {
  'commune-actuelle': 'c',
  'commune-deleguee': 'd',
  'commune-associee': 'a',
  'arrondissement-municipal': 'm',
};

const seen = new Set<string>();
const rows: [string, string, string][] = [];
for (const c of communes) {
  const kind = KIND[c.type];
  if (!kind) continue;
  // A commune déléguée often keeps the code and name of its new commune: once is enough.
  const key = `${c.code}|${c.nom}`;
  if (seen.has(key)) continue;
  seen.add(key);
  rows.push([c.code, c.nom, kind]);
}
rows.sort((a, b) => a[0].localeCompare(b[0]) || a[2].localeCompare(b[2]));
const out = { source: `@etalab/decoupage-administratif ${pkg.version}`, communes: rows };
writeFileSync('public/geo/communes.json', `${JSON.stringify(out)}\n`);
console.log(`public/geo/communes.json: ${rows.length} communes (${out.source})`);
