// The NIR (numéro d'inscription au répertoire, « numéro de sécurité sociale ») and the NIA
// (numéro identifiant d'attente) that stands in for it: both are valid INS matricules.
// Layout, 15 characters: sex (1) · year (2) · month (2) · place of birth (5) · order (3) · key (2).
// The key is 97 − (first 13 digits mod 97), Corsica's 2A and 2B counting as 19 and 18.
// We check and explain; we never fix a number behind the user's back (docs/design.md §4.2).
//
// Choices, from INSEE's and the Assurance Maladie's published rules:
// - First digit: 1 (man) and 2 (woman) for a NIR; 7 (man) and 8 (woman) for a NIA, the
//   temporary number given while a person born abroad is being registered — the INS accepts it.
//   3 and 4 were once used for foreigners being registered; they are not INS matricules today,
//   so they are refused with a message saying so. Anything else is refused.
// - Month: 01–12 is a real month. 20–42 and 50–99 are the pseudo-months INSEE gives when the civil
//   status record does not state the month; they are accepted, but then the month cannot be
//   compared with the birth date. 00, 13–19 and 43–49 are impossible.
// - Place: 2 digits of department (2A/2B for Corsica since 1976, 20 before) and 3 of commune;
//   97x/98x overseas with a 2-digit commune; 99 + INSEE country code when born abroad.
// Spaces (including non-breaking ones) are ignored and a lower-case « 2a »/« 2b » is read as
// « 2A »/« 2B »: formatting only. Any other difference is an error.

/** A bad key: what to reread, without telling the key that would match (the error is far more
 * often a mistyped digit of the first thirteen than of the key). */
export const NIR_KEY_MESSAGE =
  'Ce NIR n’est pas valide : ses 13 premiers chiffres et sa clé ne vont pas ensemble. Relire chaque chiffre sur la carte Vitale ou l’attestation (sexe, année et mois de naissance, département, commune, rang, puis la clé).';

export type NirSex = 'M' | 'F';

export type NirErrorCode = 'empty' | 'length' | 'characters' | 'sex' | 'month' | 'place' | 'key';

export interface ParsedNir {
  ok: true;
  /** The 15 characters without spaces, Corsica in upper case. */
  nir: string;
  /** The first 13 characters (the number the key protects). */
  body: string;
  key: number;
  /** NIR proper (first digit 1/2) or NIA, a temporary number (7/8). */
  kind: 'nir' | 'nia';
  sex: NirSex;
  /** Last two digits of the birth year, e.g. '85'. */
  birthYear2: string;
  /** Month code as written, e.g. '05', or a pseudo-month such as '20'. */
  birthMonth: string;
  /** False for INSEE's pseudo-months (month not stated on the civil status record). */
  monthKnown: boolean;
  /** '72', '2A', '20' (Corsica before 1976), '971'… or '99' when born abroad. */
  department: string;
  /** The 5 characters of the place of birth, comparable with an INS birth place code. */
  birthPlace: string;
  bornAbroad: boolean;
  /** Commune code within the department (3 digits, 2 overseas); absent when born abroad. */
  commune?: string;
  /** INSEE country code when born abroad (e.g. '352' for Algeria). */
  countryCode?: string;
  /** Order number of the birth record (3 digits). */
  order: string;
}

export interface NirError {
  ok: false;
  code: NirErrorCode;
  message: string;
}

export type NirResult = ParsedNir | NirError;

const fail = (code: NirErrorCode, message: string): NirError => ({ ok: false, code, message });

const BODY_RE = /^\d{5}(\d{2}|2[AB])\d{6}$/;

/** The value of the 13-character body modulo 97, Corsica's 2A/2B counted as 19/18. */
function bodyMod97(body: string): number {
  const digits =
    body.slice(5, 7) === '2A'
      ? `${body.slice(0, 5)}19${body.slice(7)}`
      : body.slice(5, 7) === '2B'
        ? `${body.slice(0, 5)}18${body.slice(7)}`
        : body;
  // Digit by digit: exact without BigInt (13 digits exceed 2^53 only in theory, but stay safe).
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % 97;
  return r;
}

/**
 * The control key (1–97) of a 13-character NIR body (spaces allowed). Throws on a malformed body:
 * asking for the key of something that is not a NIR body is a programming error.
 */
export function nirKey(first13: string): number {
  const body = stripSpaces(first13).toUpperCase();
  if (!BODY_RE.test(body)) {
    throw new RangeError(`Corps de NIR invalide : « ${first13} »`);
  }
  return 97 - bodyMod97(body);
}

function stripSpaces(s: string): string {
  return s.replace(/\s+/gu, '');
}

/** Formats a 15-character NIR the way it is printed on the carte Vitale: 1 85 05 78 006 084 91. */
export function formatNir(nir: string): string {
  const n = stripSpaces(nir);
  if (n.length !== 15) return nir;
  const overseas = n.startsWith('97', 5) || n.startsWith('98', 5);
  return overseas
    ? [
        n.slice(0, 1),
        n.slice(1, 3),
        n.slice(3, 5),
        n.slice(5, 8),
        n.slice(8, 10),
        n.slice(10, 13),
        n.slice(13),
      ].join(' ')
    : [
        n.slice(0, 1),
        n.slice(1, 3),
        n.slice(3, 5),
        n.slice(5, 7),
        n.slice(7, 10),
        n.slice(10, 13),
        n.slice(13),
      ].join(' ');
}

function describeChar(c: string): string {
  if (c === 'O' || c === 'o') return '« O » (la lettre O, pas le chiffre 0)';
  return `« ${c} »`;
}

/** Parses and checks a NIR or NIA as typed or scanned. */
export function parseNir(input: string): NirResult {
  const raw = stripSpaces(input ?? '');
  if (raw === '') return fail('empty', 'Le NIR est vide.');

  // Only the Corsica letters may be lower case; normalise them, keep everything else as typed.
  const nir =
    raw[5] === '2' && (raw[6] === 'a' || raw[6] === 'b')
      ? `${raw.slice(0, 6)}${raw[6].toUpperCase()}${raw.slice(7)}`
      : raw;

  for (let i = 0; i < nir.length; i++) {
    const c = nir[i]!;
    const isDigit = c >= '0' && c <= '9';
    const corsica = i === 6 && (c === 'A' || c === 'B') && nir[5] === '2';
    if (!isDigit && !corsica) {
      return fail(
        'characters',
        `Le NIR contient un caractère non autorisé en position ${i + 1} : ${describeChar(c)}. ` +
          'Seuls les chiffres sont admis (et 2A ou 2B pour un département de Corse).',
      );
    }
  }

  if (nir.length === 13) {
    return fail(
      'length',
      'Il manque la clé du NIR : 13 caractères saisis, 15 attendus (les 2 derniers chiffres de la carte Vitale).',
    );
  }
  if (nir.length !== 15) {
    return fail(
      'length',
      `Le NIR doit comporter 15 caractères (13 + une clé de 2 chiffres) : ${nir.length} saisis.`,
    );
  }

  const first = nir[0]!;
  let sex: NirSex;
  let kind: 'nir' | 'nia';
  if (first === '1' || first === '2') {
    kind = 'nir';
    sex = first === '1' ? 'M' : 'F';
  } else if (first === '7' || first === '8') {
    kind = 'nia';
    sex = first === '7' ? 'M' : 'F';
  } else if (first === '3' || first === '4') {
    return fail(
      'sex',
      `Le premier chiffre du NIR est ${first} : ancien numéro d'immatriculation en cours, qui n'est pas un matricule INS. ` +
        'Saisir le NIR définitif (1 ou 2) ou le NIA (7 ou 8).',
    );
  } else {
    return fail(
      'sex',
      `Le premier chiffre du NIR est ${first} : il doit être 1 (homme) ou 2 (femme), ou 7 ou 8 pour un NIA (numéro provisoire).`,
    );
  }

  const birthYear2 = nir.slice(1, 3);
  const birthMonth = nir.slice(3, 5);
  const m = Number(birthMonth);
  const monthKnown = m >= 1 && m <= 12;
  const pseudoMonth = (m >= 20 && m <= 42) || m >= 50;
  if (!monthKnown && !pseudoMonth) {
    return fail(
      'month',
      `Le mois de naissance du NIR (${birthMonth}) est impossible : 01 à 12, ou 20 à 42 et 50 à 99 quand l'état civil ne précise pas le mois.`,
    );
  }

  const dep2 = nir.slice(5, 7);
  if (dep2 === '00') {
    return fail('place', 'Le département de naissance du NIR (00) est impossible.');
  }
  const overseas = dep2 === '97' || dep2 === '98';
  const bornAbroad = dep2 === '99';
  const department = overseas ? nir.slice(5, 8) : dep2;
  const birthPlace = nir.slice(5, 10);

  const body = nir.slice(0, 13);
  const key = Number(nir.slice(13));
  const expected = 97 - bodyMod97(body);
  if (key !== expected) {
    return fail(
      'key',
      // The expected key is not told: it would invite fixing the key to match a mistyped digit.
      NIR_KEY_MESSAGE,
    );
  }

  const parsed: ParsedNir = {
    ok: true,
    nir,
    body,
    key,
    kind,
    sex,
    birthYear2,
    birthMonth,
    monthKnown,
    department,
    birthPlace,
    bornAbroad,
    order: nir.slice(10, 13),
  };
  if (bornAbroad) parsed.countryCode = nir.slice(7, 10);
  else parsed.commune = overseas ? nir.slice(8, 10) : nir.slice(7, 10);
  return parsed;
}

/** True when the input is a well-formed NIR or NIA with a correct key. */
export function isValidNir(input: string): boolean {
  return parseNir(input).ok;
}

/** The NIR without spaces, Corsica upper-cased, if valid; otherwise null. */
export function normaliseNir(input: string): string | null {
  const r = parseNir(input);
  return r.ok ? r.nir : null;
}

export interface NirIdentity {
  sex: string;
  /** 'YYYY-MM-DD' */
  birthDate: string;
  /** INS birth place code (5 characters), compared when given. */
  birthPlaceCode?: string | null;
}

// Places where a correct NIR and a correct INS birth place code legitimately differ in department:
// Corsica was « 20 » before 1976; the old Seine and Seine-et-Oise became 75, 78 and 91–95 in 1968;
// Algeria, Morocco and Tunisia before independence have codes 91–96 in the NIR but 99xxx as place.
const PARIS_REGION_1968 = new Set(['75', '78', '91', '92', '93', '94', '95']);
const NORTH_AFRICA = new Set(['91', '92', '93', '94', '95', '96']);

function placeDepartment(code: string): string {
  return code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2);
}

function departmentsCompatible(nirDep: string, placeDep: string, birthYear: number): boolean {
  if (nirDep === placeDep) return true;
  const corsica = (d: string) => d === '20' || d === '2A' || d === '2B';
  if (corsica(nirDep) && corsica(placeDep)) return true;
  if (birthYear < 1968 && PARIS_REGION_1968.has(nirDep) && PARIS_REGION_1968.has(placeDep)) {
    return true;
  }
  if (placeDep === '99' && NORTH_AFRICA.has(nirDep) && birthYear < 1963) return true;
  return false;
}

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/**
 * Inconsistencies between a NIR and the identity it is attached to, as French warnings (empty when
 * they agree). A NIR that does not parse yields its parse error. Typical catch: the NIR of the
 * spouse or parent (ayant droit) typed for the patient.
 */
export function nirMatchesIdentity(nir: string, identity: NirIdentity): string[] {
  const parsed = parseNir(nir);
  if (!parsed.ok) return [parsed.message];
  const warnings: string[] = [];

  if (identity.sex === 'M' || identity.sex === 'F') {
    if (parsed.sex !== identity.sex) {
      const nirSex = parsed.sex === 'M' ? 'masculin' : 'féminin';
      const idSex = identity.sex === 'M' ? 'masculin' : 'féminin';
      warnings.push(
        `Le NIR commence par ${parsed.nir[0]} (sexe ${nirSex}) mais l'identité est de sexe ${idSex}.`,
      );
    }
  }

  const date = /^(\d{4})-(\d{2})-\d{2}$/.exec(identity.birthDate);
  if (date) {
    const year = date[1] ?? '';
    const month = date[2] ?? '';
    if (year.slice(2) !== parsed.birthYear2) {
      warnings.push(
        `L'année de naissance du NIR (${parsed.birthYear2}) ne correspond pas à la date de naissance (${year}).`,
      );
    }
    if (parsed.monthKnown && month !== parsed.birthMonth) {
      const nirMonth = MONTHS[Number(parsed.birthMonth) - 1];
      const idMonth = MONTHS[Number(month) - 1] ?? month;
      warnings.push(
        `Le mois de naissance du NIR (${parsed.birthMonth}, ${nirMonth}) ne correspond pas à la date de naissance (${idMonth}).`,
      );
    }
    const place = identity.birthPlaceCode?.trim().toUpperCase();
    if (place && place.length === 5) {
      const nirDep = parsed.department;
      const placeDep = placeDepartment(place);
      if (!departmentsCompatible(nirDep, placeDep, Number(year))) {
        warnings.push(
          parsed.bornAbroad || placeDep === '99'
            ? `Le NIR (lieu ${parsed.birthPlace}) et le lieu de naissance saisi (${place}) ne disent pas tous deux une naissance à l'étranger.`
            : `Le département de naissance du NIR (${nirDep}) ne correspond pas au lieu de naissance saisi (${place}).`,
        );
      }
    }
  }
  return warnings;
}
