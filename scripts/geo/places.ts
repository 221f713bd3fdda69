// Builds the offline place index the reception's place picker loads (public/geo/communes.json):
// - communes, from the maintained package @etalab/decoupage-administratif (INSEE's Code officiel
//   géographique): current communes, communes déléguées and associées (the former communes of a
//   merger, under their own INSEE code), and the municipal arrondissements of Paris, Lyon and
//   Marseille;
// - countries and foreign territories with their INSEE codes (99xxx), from INSEE's list « pays et
//   territoires étrangers » kept in scripts/geo/data/ (no maintained npm package carries it). The
//   file may be INSEE's own CSV (columns COG, ACTUAL, LIBCOG, LIBENR, CRPAY) or the copy shipped
//   here (columns code, actual_id, name, official_name, parent_code).
// Run `npm run geo:places` after upgrading the package or replacing the country file
// (docs/operations.md).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** One CSV line's fields (commas, fields quoted with "" doubled inside). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

const DATA_DIR = 'scripts/geo/data';
const countryFiles = readdirSync(DATA_DIR).filter((f) => /pays.*\.csv$/i.test(f));
if (countryFiles.length !== 1) {
  throw new Error(`${DATA_DIR} must hold exactly one country file (*pays*.csv): ${countryFiles}`);
}
const countryFile = countryFiles[0]!;
const lines = readFileSync(`${DATA_DIR}/${countryFile}`, 'utf8')
  .replace(/^\uFEFF/, '')
  .split(/\r?\n/)
  .filter((l) => l.trim() !== '');
const header = csvFields(lines[0]!).map((h) => h.trim());
const column = (...names: string[]) => {
  const i = header.findIndex((h) => names.includes(h));
  if (i < 0) throw new Error(`${countryFile}: no column ${names.join(' / ')}`);
  return i;
};
const COL = {
  code: column('COG', 'code'),
  actual: column('ACTUAL', 'actual_id'),
  name: column('LIBCOG', 'name'),
  official: column('LIBENR', 'official_name'),
};
// INSEE's « code actualité »: 1 a country, 2 a country that no longer exists, 3 a territory
// without a code of its own (it carries its country's code: not a line of its own here), 4 a
// territory with its own code.
const COUNTRY_KIND: Record<string, string> = { '1': 'p', '2': 'x', '4': 't' };
/** France (99100) is never a birth place: a birth in France is coded by its commune. */
const FRANCE = '99100';
const countries: [string, string, string, string][] = [];
const codes = new Set<string>();
for (const line of lines.slice(1)) {
  const f = csvFields(line);
  const code = (f[COL.code] ?? '').trim();
  const kind = COUNTRY_KIND[(f[COL.actual] ?? '').trim()];
  if (!kind || code === FRANCE || codes.has(code)) continue;
  if (!/^99\d{3}$/.test(code)) throw new Error(`${countryFile}: code « ${code} » is not 99xxx`);
  codes.add(code);
  const name = (f[COL.name] ?? '').trim();
  const official = (f[COL.official] ?? '').trim();
  countries.push([code, name, kind, official === name ? '' : official]);
}
countries.sort((a, b) => a[0].localeCompare(b[0]));

const out = {
  source: `@etalab/decoupage-administratif ${pkg.version}`,
  communes: rows,
  countriesSource: `INSEE, pays et territoires étrangers (${countryFile})`,
  countries,
};
writeFileSync('public/geo/communes.json', `${JSON.stringify(out)}\n`);
console.log(
  `public/geo/communes.json: ${rows.length} communes (${out.source}), ${countries.length} countries and territories (${out.countriesSource})`,
);
