// Importing the patient list of the software used until now (issue 23; docs/guide/coordination.md,
// docs/decisions/0012-patient-import.md): a CSV export read (UTF-8 or Windows-1252, `;` or `,`),
// its columns mapped to the identity's fields (guessed from the headers), every record checked
// with reception's own rules (registration.ts, identity/) and against the registry and the rest
// of the file for duplicates. The outcome of each record is one of: accepted (a patient row),
// refused (its French reasons), or flagged as a likely duplicate (not imported unless chosen).
// Pure: the caller passes the bytes, today, the registry and an id maker.
import type { Patient } from './entities';
import {
  buildSearchIndex,
  type DuplicateReason,
  findLikelyDuplicates,
  type IdentityRecord,
  isIsoDate,
  type SearchIndex,
  updateIndex,
} from './identity';
import {
  EMPTY_REGISTRATION,
  patientFields,
  type RegistrationField,
  type RegistrationInput,
  registrationErrors,
} from './registration';
import { compactName } from './text';

// ---------------------------------------------------------------------------------------------
// Reading the file
// ---------------------------------------------------------------------------------------------

export type CsvEncoding = 'utf-8' | 'windows-1252';
export type CsvSeparator = ';' | ',';

/**
 * The text of the file: UTF-8 when the bytes are valid UTF-8 (its byte-order mark dropped),
 * Windows-1252 otherwise — what spreadsheet software and older medical software write in France.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/u, ''), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

// Windows-1252 is Latin-1 but for 0x80–0x9F, which hold typographic signs (œ, ’, €, «…). Decoded
// here rather than by TextDecoder, whose support for it depends on the runtime's ICU build.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  }
  return out;
}

/** The separator of the header line: `;` (French spreadsheets) unless `,` is more frequent. */
export function detectSeparator(text: string): CsvSeparator {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ';') semicolons++;
    else if (!quoted && c === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

/**
 * RFC 4180 records: fields in double quotes may hold the separator, line breaks and doubled
 * quotes; lines end with CRLF, LF or CR. Empty lines are not records.
 */
export function parseCsv(text: string, separator: CsvSeparator): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let lineHasContent = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (lineHasContent) records.push(record);
    record = [];
    lineHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      lineHasContent = true;
    } else if (c === separator) {
      lineHasContent = true;
      endField();
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else {
      lineHasContent = true;
      field += c;
    }
  }
  endRecord();
  return records;
}

export interface CsvTable {
  encoding: CsvEncoding;
  separator: CsvSeparator;
  headers: string[];
  /** The records after the header, as read. */
  rows: string[][];
}

/** Decodes, detects the separator and splits the header from the records. */
export function readCsv(bytes: Uint8Array): CsvTable {
  const { text, encoding } = decodeCsv(bytes);
  const separator = detectSeparator(text);
  const [headers = [], ...rows] = parseCsv(text, separator);
  return { encoding, separator, headers: headers.map((h) => h.trim()), rows };
}

// ---------------------------------------------------------------------------------------------
// Column mapping
// ---------------------------------------------------------------------------------------------

/** The identity fields a column can feed, in the order the mapping screen lists them. */
export const IMPORT_FIELDS = [
  'birthName',
  'firstNames',
  'sex',
  'birthDate',
  'birthPlaceCode',
  'usedName',
  'usedFirstName',
  'nir',
  'phone',
  'email',
  'address',
  'communeInsee',
  'mtName',
  'allergies',
] as const satisfies readonly RegistrationField[];
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** The fields without which reception cannot create an identity (the INS strict traits). */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = [
  'birthName',
  'firstNames',
  'sex',
  'birthDate',
  'birthPlaceCode',
];

/** Each field → the index of its column, or null when no column feeds it. */
export type ColumnMapping = Record<ImportField, number | null>;

// Headers as the usual French exports write them, compacted (no accents, case, spaces or signs).
const SYNONYMS: Record<ImportField, readonly string[]> = {
  birthName: [
    'nomdenaissance',
    'nomnaissance',
    'nompatronymique',
    'nomdefamille',
    'nom',
    'birthname',
    'lastname',
  ],
  usedName: ['nomdusage', 'nomusage', 'nomusuel', 'nommarital', 'nomdepouse', 'usedname'],
  firstNames: [
    'prenoms',
    'prenom',
    'prenomsdenaissance',
    'prenomdenaissance',
    'prenomsnaissance',
    'firstnames',
    'firstname',
  ],
  usedFirstName: ['prenomdusage', 'prenomusuel', 'prenomusage', 'usedfirstname'],
  sex: ['sexe', 'genre', 'sex'],
  birthDate: ['datedenaissance', 'datenaissance', 'nele', 'neele', 'ddn', 'birthdate'],
  birthPlaceCode: [
    'lieudenaissanceinsee',
    'lieudenaissance',
    'codelieudenaissance',
    'codeinseelieudenaissance',
    'codeinseedenaissance',
    'communedenaissanceinsee',
    'codeinseenaissance',
    'lieunaissance',
    'birthplacecode',
  ],
  nir: [
    'nir',
    'numerodesecuritesociale',
    'nsecuritesociale',
    'nosecuritesociale',
    'numerosecu',
    'nss',
    'matriculeins',
    'ins',
  ],
  phone: ['telephone', 'tel', 'telephoneportable', 'portable', 'mobile', 'phone'],
  email: ['email', 'mail', 'courriel', 'adresseemail', 'adressemail'],
  address: ['adresse', 'adressepostale', 'address'],
  communeInsee: [
    'codeinseecommune',
    'communeinsee',
    'codeinseeresidence',
    'codeinseedomicile',
    'codecommune',
    'communeinsee',
  ],
  mtName: ['medecintraitant', 'nomdumedecintraitant'],
  allergies: ['allergies', 'allergie'],
};

/** The mapping guessed from the headers: each field takes the first column that names it. */
export function guessMapping(headers: readonly string[]): ColumnMapping {
  const mapping = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, null])) as ColumnMapping;
  const taken = new Set<number>();
  const keys = headers.map((h) => compactName(h).replace(/[^a-z0-9]/gu, ''));
  for (const field of IMPORT_FIELDS) {
    for (const synonym of SYNONYMS[field]) {
      const i = keys.findIndex((k, index) => k === synonym && !taken.has(index));
      if (i >= 0) {
        mapping[field] = i;
        taken.add(i);
        break;
      }
    }
  }
  return mapping;
}

/** The required fields no column feeds. */
export function missingFields(mapping: ColumnMapping): ImportField[] {
  return REQUIRED_IMPORT_FIELDS.filter((f) => mapping[f] === null);
}

// ---------------------------------------------------------------------------------------------
// One record
// ---------------------------------------------------------------------------------------------

/** 'dd/mm/yyyy' (or with '-' or '.', one-digit day or month) or 'yyyy-mm-dd' → 'yyyy-mm-dd'; any
 * other text, or a date that does not exist, is returned as written (the rules then say why). */
export function importDate(text: string): string {
  const s = text.trim();
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/u.exec(s);
  const iso = fr ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` : s;
  return isIsoDate(iso) ? iso : s;
}

/** F, M or I from the usual spellings (« Femme », « masculin », 2/1 as in the NIR); else as
 * written, for the rules to refuse. */
export function importSex(text: string): string {
  const s = compactName(text);
  if (['f', 'femme', 'feminin', 'fem', '2', 'mme'].includes(s)) return 'F';
  if (['m', 'homme', 'masculin', 'masc', 'h', '1', 'mr'].includes(s)) return 'M';
  if (['i', 'indetermine', 'inconnu'].includes(s)) return 'I';
  return text.trim();
}

/** The registration form a record fills (identity « provisoire »: nothing was checked). */
export function recordInput(record: readonly string[], mapping: ColumnMapping): RegistrationInput {
  const cell = (field: ImportField) => {
    const i = mapping[field];
    return i === null ? '' : (record[i] ?? '').trim();
  };
  const mtName = cell('mtName');
  return {
    ...EMPTY_REGISTRATION,
    birthName: cell('birthName'),
    usedName: cell('usedName'),
    firstNames: cell('firstNames'),
    usedFirstName: cell('usedFirstName'),
    sex: importSex(cell('sex')),
    birthDate: importDate(cell('birthDate')),
    birthPlaceCode: cell('birthPlaceCode').replace(/\s+/gu, ''),
    nir: cell('nir'),
    phone: cell('phone'),
    email: cell('email'),
    address: cell('address'),
    communeInsee: cell('communeInsee'),
    mtStatus: mtName === '' ? 'unknown' : 'declared',
    mtName,
    allergies: cell('allergies'),
  };
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

export interface DuplicateOf {
  /** The identity already in the registry, or the patient planned from an earlier record. */
  patientId: string;
  /** The earlier record's line in the file; null for an identity already in the registry. */
  line: number | null;
  score: number;
  reasons: DuplicateReason[];
}

export type RecordOutcome =
  | { line: number; kind: 'accepted'; patient: Patient }
  | { line: number; kind: 'refused'; reasons: string[] }
  | { line: number; kind: 'duplicate'; patient: Patient; of: DuplicateOf[] };

export interface ImportPlan {
  outcomes: RecordOutcome[];
  accepted: number;
  refused: number;
  duplicates: number;
}

export interface ImportContext {
  orgId: string;
  /** 'YYYY-MM-DD' in the truck's time zone. */
  today: string;
  /** ISO time stamped as each patient's creation. */
  now: string;
  /** The identities already held (merged ones left out by the caller). */
  registry: readonly IdentityRecord[];
  newId(): string;
}

const FIELD_LABELS: Record<RegistrationField, string> = {
  birthName: 'Nom de naissance',
  usedName: 'Nom d’usage',
  firstNames: 'Prénom(s)',
  usedFirstName: 'Prénom d’usage',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthPlaceCode: 'Lieu de naissance',
  identityStatus: 'Statut de l’identité',
  idDocument: 'Pièce d’identité',
  nir: 'NIR',
  phone: 'Téléphone',
  email: 'E-mail',
  address: 'Adresse',
  communeInsee: 'Commune',
  coverage: 'Couverture',
  mtStatus: 'Médecin traitant',
  mtName: 'Médecin traitant',
  ald: 'ALD',
  allergies: 'Allergies',
};

/**
 * Plans the import one slice at a time, so a screen can show its progress between slices: each
 * record is checked with reception's rules, then against the registry and the records accepted
 * before it. A record like one already held, or like an earlier record, is flagged, not accepted.
 * Records are numbered by their line in the file, the header being line 1.
 */
export class ImportPlanner {
  private readonly index: SearchIndex<IdentityRecord & { line: number | null }>;
  private readonly outcomes: RecordOutcome[] = [];
  private position = 0;

  constructor(
    private readonly rows: readonly (readonly string[])[],
    private readonly mapping: ColumnMapping,
    private readonly ctx: ImportContext,
  ) {
    this.index = buildSearchIndex(ctx.registry.map((r) => ({ ...r, line: null })));
  }

  get total(): number {
    return this.rows.length;
  }

  get done(): number {
    return this.position;
  }

  /** Plans up to `count` more records; true when every record is planned. */
  step(count: number): boolean {
    const end = Math.min(this.rows.length, this.position + count);
    for (; this.position < end; this.position++) {
      this.outcomes.push(this.plan(this.rows[this.position]!, this.position + 2));
    }
    return this.position >= this.rows.length;
  }

  private plan(record: readonly string[], line: number): RecordOutcome {
    const input = recordInput(record, this.mapping);
    const errors = registrationErrors(input, { today: this.ctx.today, online: false });
    const reasons = Object.entries(errors).map(
      ([field, message]) => `${FIELD_LABELS[field as RegistrationField]} : ${message}`,
    );
    if (reasons.length > 0) return { line, kind: 'refused', reasons };
    const patient: Patient = {
      id: this.ctx.newId(),
      ...patientFields(input, this.ctx.orgId, this.ctx.now),
    };
    const matches = findLikelyDuplicates(patient, this.index, { limit: 3 });
    // Every identity planned (even a flagged one) is compared with the records after it.
    updateIndex(this.index, { ...patient, line });
    if (matches.length === 0) return { line, kind: 'accepted', patient };
    return {
      line,
      kind: 'duplicate',
      patient,
      of: matches.map((m) => ({
        patientId: m.record.id,
        line: m.record.line,
        score: m.score,
        reasons: m.reasons,
      })),
    };
  }

  result(): ImportPlan {
    let accepted = 0;
    let refused = 0;
    let duplicates = 0;
    for (const o of this.outcomes) {
      if (o.kind === 'accepted') accepted++;
      else if (o.kind === 'refused') refused++;
      else duplicates++;
    }
    return { outcomes: [...this.outcomes], accepted, refused, duplicates };
  }
}

/** The whole plan at once. */
export function planImport(
  rows: readonly (readonly string[])[],
  mapping: ColumnMapping,
  ctx: ImportContext,
): ImportPlan {
  const planner = new ImportPlanner(rows, mapping, ctx);
  planner.step(rows.length);
  return planner.result();
}

/**
 * The patients to write: every accepted record, and the flagged ones chosen (by line) — these
 * record the choice and the suspects, as reception does when it creates an identity anyway.
 */
export function patientsToImport(
  plan: ImportPlan,
  chosenDuplicates: ReadonlySet<number>,
  staffId: string | null,
): Patient[] {
  const out: Patient[] = [];
  for (const o of plan.outcomes) {
    if (o.kind === 'accepted') out.push(o.patient);
    else if (o.kind === 'duplicate' && chosenDuplicates.has(o.line)) {
      out.push({
        ...o.patient,
        duplicateDecision: staffId
          ? { suspects: o.of.map((d) => d.patientId), choice: 'created_anyway', by: staffId }
          : null,
      });
    }
  }
  return out;
}

/** The patients in batches of at most `size`, in file order. */
export function importBatches<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError('Taille de lot invalide.');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
