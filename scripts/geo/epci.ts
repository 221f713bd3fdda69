// Builds the offline index commune → EPCI (public/geo/epci.json) the research extract coarsens
// places to (src/domain/research.ts), from the maintained package @etalab/decoupage-administratif
// (INSEE's Code officiel géographique and the DGCL's EPCI list): each EPCI with the INSEE codes
// of its member communes, and for a commune déléguée or associée (a former commune a person may
// still give as residence) or a municipal arrondissement, the commune it now belongs to. Run
// `npm run geo:epci` after upgrading the package (docs/operations.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('@etalab/decoupage-administratif/package.json') as { version: string };
const read = <T>(file: string): T =>
  JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8'));

const epcis = read<{ code: string; nom: string; membres: { code: string }[] }[]>('epci.json');
const communes =
  read<{ code: string; type: string; chefLieu?: string; commune?: string }[]>('communes.json');

const rows = epcis
  .map(
    (e) =>
      [
        e.code,
        e.nom,
        e.membres
          .map((m) => m.code)
          .sort()
          .join(' '),
      ] as const,
  )
  .sort((a, b) => a[0].localeCompare(b[0]));
const member = new Set(epcis.flatMap((e) => e.membres.map((m) => m.code)));
const within: [string, string][] = [];
for (const c of communes) {
  const parent = c.type === 'arrondissement-municipal' ? c.commune : c.chefLieu;
  if (!parent || parent === c.code || member.has(c.code)) continue;
  within.push([c.code, parent]);
}
within.sort((a, b) => a[0].localeCompare(b[0]));
const out = { source: `@etalab/decoupage-administratif ${pkg.version}`, epci: rows, within };
writeFileSync('public/geo/epci.json', `${JSON.stringify(out)}\n`);
console.log(
  `public/geo/epci.json: ${rows.length} EPCI, ${within.length} former communes (${out.source})`,
);
