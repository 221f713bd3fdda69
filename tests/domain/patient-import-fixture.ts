// A CSV export of the previous software, as the import tests read it: `size` records in the
// layout of a French export (« Nom de naissance ; Prénom(s) ; Date de naissance » dd/mm/yyyy…),
// with broken records planted at known places. Every 50 records:
//   #7  a date that does not exist (31/02)               → refused
//   #17 a NIR whose key is wrong                          → refused
//   #27 no birth name                                     → refused
//   #37 the person of record #32 again (name in capitals) → flagged: duplicate within the file
//   #47 a person already in the registry                  → flagged: duplicate of the registry
// and every other record a distinct person → accepted. So `size` = 5,000 gives 4,500 accepted,
// 300 refused (100 of each kind), 200 flagged (100 of each kind).
import type { IdentityRecord } from '../../src/domain/identity';
import { nirKey } from '../../src/domain/nir';

const CONSONANTS = 'bcdfglmnprstvz';
const VOWELS = 'aeiou';
const FIRST = [
  'Hélène',
  'Thomas',
  'Anaïs',
  'Marc',
  'Inès',
  'Léon',
  'Chloé',
  'François',
  'Zoé',
  'Jérôme',
  'Maëlle',
  'Noël',
];

/** A distinct name per number: syllables drawn by the digits of a spread of `n`. */
function surname(n: number): string {
  let x = (n * 7_919 + 104_729) % 1_000_003;
  let out = '';
  for (let i = 0; i < 4; i++) {
    out += CONSONANTS[x % CONSONANTS.length]! + VOWELS[Math.floor(x / 14) % VOWELS.length]!;
    x = Math.floor(x / 70);
  }
  return out[0]!.toUpperCase() + out.slice(1);
}

export interface Person {
  birthName: string;
  firstNames: string;
  sex: 'F' | 'M';
  /** 'YYYY-MM-DD' */
  birthDate: string;
  birthPlaceCode: string;
  nir: string;
  phone: string;
}

/** Person number `n`: its own name, birth date, place and valid NIR. */
export function person(n: number): Person {
  const day = new Date(Date.UTC(1935, 0, 1) + ((n * 3_677) % 30_000) * 86_400_000);
  const birthDate = day.toISOString().slice(0, 10);
  const sex = n % 2 === 0 ? 'F' : 'M';
  const birthPlaceCode = `72${String(100 + (n % 800)).padStart(3, '0')}`;
  const body = `${sex === 'M' ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthPlaceCode}${String(n % 1000).padStart(3, '0')}`;
  return {
    birthName: surname(n),
    firstNames: FIRST[n % FIRST.length]!,
    sex,
    birthDate,
    birthPlaceCode,
    nir: `${body}${String(nirKey(body)).padStart(2, '0')}`,
    phone: `06 ${String(10 + (n % 90))} ${String(10 + ((n * 7) % 90))} 45 67`,
  };
}

const frDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export const HEADER = [
  'Nom de naissance',
  'Prénom(s)',
  'Date de naissance',
  'Sexe',
  'Lieu de naissance (INSEE)',
  'NIR',
  'Téléphone',
];

function cells(p: Person): string[] {
  return [
    p.birthName,
    p.firstNames,
    frDate(p.birthDate),
    p.sex === 'F' ? 'Femme' : 'Homme',
    p.birthPlaceCode,
    p.nir,
    p.phone,
  ];
}

export interface Fixture {
  /** The header, then one record per line, `;`-separated, CRLF. */
  csv: string;
  registry: IdentityRecord[];
  expected: { accepted: number; refused: number; duplicates: number };
  /** Lines (header = 1) of each planted kind. */
  lines: {
    badDate: number[];
    badNir: number[];
    noName: number[];
    inFile: number[];
    known: number[];
  };
}

export function patientFixture(size: number): Fixture {
  const registry: IdentityRecord[] = [];
  const records: string[][] = [];
  const lines: Fixture['lines'] = { badDate: [], badNir: [], noName: [], inFile: [], known: [] };
  let next = 0;
  for (let r = 0; r < size; r++) {
    const line = r + 2;
    const p = person(next++);
    const row = cells(p);
    switch (r % 50) {
      case 7:
        row[2] = '31/02/1980';
        lines.badDate.push(line);
        break;
      case 17: {
        const key = Number(p.nir.slice(13));
        row[5] = `${p.nir.slice(0, 13)}${String((key % 97) + 1).padStart(2, '0')}`;
        lines.badNir.push(line);
        break;
      }
      case 27:
        row[0] = '';
        lines.noName.push(line);
        break;
      case 37: {
        const earlier = [...records[r - 5]!];
        earlier[0] = earlier[0]!.toUpperCase();
        records.push(earlier);
        lines.inFile.push(line);
        continue;
      }
      case 47:
        registry.push({ id: `deja-${r}`, ...p, birthPlaceCode: p.birthPlaceCode });
        lines.known.push(line);
        break;
    }
    records.push(row);
  }
  const csv = [HEADER, ...records].map((rec) => rec.join(';')).join('\r\n');
  const blocks = Math.floor(size / 50);
  const partial = size % 50;
  const planted = (k: number) => blocks + (partial > k ? 1 : 0);
  const refused = planted(7) + planted(17) + planted(27);
  const duplicates = planted(37) + planted(47);
  return {
    csv,
    registry,
    expected: { accepted: size - refused - duplicates, refused, duplicates },
    lines,
  };
}
