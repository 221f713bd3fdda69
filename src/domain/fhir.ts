// The standard export of a signed consultation (issue #16 item 3): a FHIR R4 document Bundle
// following the French profiles (FR Core, Interop'Santé): the patient with their INS and the
// reliability of their identity, the author (and the supervising doctor of an intern) with their
// RPPS, the encounter at the stop's commune, one Observation per vital sign (LOINC, UCUM), one
// Condition per coded result or diagnosis (CISP-2, CIM-10), and the note itself as a
// DocumentReference. A period's documents go in one Bundle of type collection. Pure: the device
// passes what it holds and who reads; who may read a note is access.ts's and reading.ts's rule
// (readableFields, noteHiddenFrom, canRead), never decided here. docs/fhir.md has the mapping,
// docs/decisions/0021-fhir-export.md the choices.
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Composition,
  CompositionSection,
  Condition,
  DocumentReference,
  Encounter,
  Extension,
  Patient as FhirPatient,
  FhirResource,
  HumanName,
  Identifier,
  Location,
  Observation,
  ObservationComponent,
  Organization,
  Practitioner,
  Quantity,
  Reference,
} from 'fhir/r4';
import { sha256Hex } from '../sync/sha256';
import { noteHiddenFrom, readableFields, type Viewer } from './access';
import { canRead } from './consultation';
import { documentRefusal, ORIENTATION_LABELS, PROFESSION_LABELS } from './documents';
import type {
  Addendum,
  Code,
  Consultation,
  Patient,
  Service,
  Signature,
  Staff,
  Stop,
  Unit,
  Vitals,
} from './entities';
import { formatDate, formatDateTime } from './french-dates';
import type { ReadingFacts } from './reading';

export type { Bundle } from 'fhir/r4';

// ---- canonical URLs, systems and codes ----

const FR_CORE_SD = 'https://hl7.fr/ig/fhir/core/StructureDefinition/';
const FR_CORE_CS = 'https://hl7.fr/ig/fhir/core/CodeSystem/';

/** The FR Core profiles each resource declares in meta.profile. */
export const FR_CORE_PROFILES = {
  patient: `${FR_CORE_SD}fr-core-patient`,
  /** Only for a qualified identity: the INS may be carried only then (RNIV). */
  patientIns: `${FR_CORE_SD}fr-core-patient-ins`,
  practitioner: `${FR_CORE_SD}fr-core-practitioner`,
  organization: `${FR_CORE_SD}fr-core-organization`,
  location: `${FR_CORE_SD}fr-core-location`,
  encounter: `${FR_CORE_SD}fr-core-encounter`,
  condition: `${FR_CORE_SD}fr-core-condition`,
  bloodPressure: `${FR_CORE_SD}fr-core-observation-bp`,
  heartRate: `${FR_CORE_SD}fr-core-observation-heartrate`,
  bodyTemperature: `${FR_CORE_SD}fr-core-observation-body-temperature`,
  oxygenSaturation: `${FR_CORE_SD}fr-core-observation-saturation-oxygen`,
  bodyWeight: `${FR_CORE_SD}fr-core-observation-body-weight`,
  bodyHeight: `${FR_CORE_SD}fr-core-observation-body-height`,
} as const;

/** FR Core extensions. */
export const FR_CORE_EXTENSIONS = {
  identityReliability: `${FR_CORE_SD}fr-core-identity-reliability`,
  birthListGivenName: `${FR_CORE_SD}fr-core-patient-birth-list-given-name`,
  inseeCode: `${FR_CORE_SD}fr-core-address-insee-code`,
  /** HL7's international extension, which FR Core's Patient slices as birthPlace. */
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
} as const;

export const SYSTEMS = {
  /** INS-NIR: the NIR as the INSi teleservice returns it (ANS OID). */
  insNir: 'urn:oid:1.2.250.1.213.1.4.8',
  /** Identifiant national des professionnels de santé: « 8 » followed by the RPPS number. */
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  rpps: 'https://rpps.esante.gouv.fr',
  identifierType: `${FR_CORE_CS}fr-core-cs-v2-0203`,
  identityStatus: `${FR_CORE_CS}fr-core-cs-identity-status`,
  /** HL7 v2 table 0445 as FR Core extends it: the RNIV identity attributes. */
  identityComment: `${FR_CORE_CS}fr-core-cs-v2-0445`,
  /** INSEE codes of communes (and of countries, 99xxx), the ANS terminology TRE_R13. */
  inseeCommune: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM',
  /** CISP-2 (ICPC-2) and CIM-10 (ICD-10) as the ANS publishes them (TRE_R313, TRE_R310). */
  cisp2: 'https://mos.esante.gouv.fr/NOS/TRE_R313-CISP2/FHIR/TRE-R313-CISP2',
  cim10: 'https://mos.esante.gouv.fr/NOS/TRE_R310-CIM10/FHIR/TRE-R310-CIM10',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  /** A bundle's identifier: its urn:uuid, as a URI. */
  uri: 'urn:ietf:rfc:3986',
} as const;

/** Escale's identity status → FR Core's identity status (RNIV, EXI SI 07). */
export const IDENTITY_STATUS_CODES: Readonly<
  Record<Patient['identityStatus'], { code: string; display: string }>
> = {
  provisoire: { code: 'PROV', display: 'Identité provisoire' },
  recuperee: { code: 'RECUP', display: 'Identité récupérée' },
  validee: { code: 'VALI', display: 'Identité validée' },
  qualifiee: { code: 'QUAL', display: 'Identité qualifiée' },
};

/** RNIV identity attributes → FR Core's annotations (table 0445). */
const IDENTITY_ATTRIBUTE_CODES: Readonly<Record<string, { code: string; display: string }>> = {
  douteuse: { code: 'DOUT', display: 'Identité douteuse' },
  fictive: { code: 'FICT', display: 'Identité fictive' },
  homonyme: { code: 'HOMA', display: 'Homonyme avéré' },
};

const GENDER: Readonly<Record<Patient['sex'], FhirPatient['gender']>> = {
  F: 'female',
  M: 'male',
  I: 'other',
};

const CODE_SYSTEMS: Readonly<Record<Code['system'], string>> = {
  'CISP-2': SYSTEMS.cisp2,
  'CIM-10': SYSTEMS.cim10,
};

/** A vital sign as a LOINC-coded Observation with its UCUM unit and FR Core profile. */
interface VitalCoding {
  loinc: string;
  display: string;
  unit: string;
  ucum: string;
  profile: string | null;
  category: 'vital-signs' | 'laboratory';
}

export const VITAL_CODINGS = {
  heartRate: {
    loinc: '8867-4',
    display: 'Heart rate',
    unit: '/min',
    ucum: '/min',
    profile: FR_CORE_PROFILES.heartRate,
    category: 'vital-signs',
  },
  temperature: {
    loinc: '8310-5',
    display: 'Body temperature',
    unit: '°C',
    ucum: 'Cel',
    profile: FR_CORE_PROFILES.bodyTemperature,
    category: 'vital-signs',
  },
  spo2: {
    loinc: '2708-6',
    display: 'Oxygen saturation in Arterial blood',
    unit: '%',
    ucum: '%',
    profile: FR_CORE_PROFILES.oxygenSaturation,
    category: 'vital-signs',
  },
  weightKg: {
    loinc: '29463-7',
    display: 'Body weight',
    unit: 'kg',
    ucum: 'kg',
    profile: FR_CORE_PROFILES.bodyWeight,
    category: 'vital-signs',
  },
  heightCm: {
    loinc: '8302-2',
    display: 'Body height',
    unit: 'cm',
    ucum: 'cm',
    profile: FR_CORE_PROFILES.bodyHeight,
    category: 'vital-signs',
  },
  // Capillary glycaemia in g/L: no FR Core profile; a point-of-care laboratory value.
  glycaemia: {
    loinc: '32016-8',
    display: 'Glucose [Mass/volume] in Capillary blood',
    unit: 'g/L',
    ucum: 'g/L',
    profile: null,
    category: 'laboratory',
  },
} as const satisfies Record<string, VitalCoding>;

export const BLOOD_PRESSURE = {
  panel: { loinc: '85354-9', display: 'Blood pressure panel with all children optional' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure' },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure' },
} as const;

/** The LOINC type of the note (document and composition). */
export const CONSULT_NOTE = { system: SYSTEMS.loinc, code: '11488-4', display: 'Consult note' };

// ---- who may receive a note in an export ----

/** Who the export is made for: the device (its profile and room, its readers) and the person. */
export interface FhirReader {
  viewer: Viewer;
  person: Pick<Staff, 'id' | 'profession' | 'roles'> | undefined;
  facts: ReadingFacts;
}

/**
 * Why this note may not leave in a FHIR export for this reader, in French, or null. The note's
 * state is the documents' rule (documentRefusal: a draft or returned note is refused); who reads
 * it is access.ts's (a device profile that receives no note, a restricted note held by another
 * room) and reading.ts's for the person (canRead: a restricted class only in its profession, the
 * author, the supervisor, the coordination).
 */
export function fhirRefusal(
  note: Consultation,
  patient: Patient | undefined,
  queueEntry: { roomId?: unknown } | undefined,
  reader: FhirReader,
): string | null {
  const state = documentRefusal('compte_rendu', note, patient);
  if (!state.ok) return state.reason.replace('Document impossible', 'Export FHIR impossible');
  if (readableFields(reader.viewer, 'consultation') === null) {
    return 'Export FHIR impossible : cet appareil ne reçoit pas les notes de consultation.';
  }
  if (noteHiddenFrom(reader.viewer, note as unknown as Record<string, unknown>, queueEntry)) {
    return 'Export FHIR impossible : cette note confidentielle est tenue par une autre salle.';
  }
  if (!canRead(note, reader.person, reader.facts)) {
    return 'Export FHIR impossible : la personne identifiée sur cet appareil ne lit pas cette note.';
  }
  return null;
}

// ---- building blocks ----

/**
 * A stable UUID for an Escale row as a FHIR resource (SHA-256 of its kind and id, shaped as a
 * version-8 UUID): the same note exports to the same ids every time, and ids that are not UUIDs
 * (or not valid FHIR ids) never reach the bundle.
 */
export function fhirUuid(kind: string, id: string): string {
  const h = sha256Hex(`escale-fhir\u0000${kind}\u0000${id}`);
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the text's UTF-8 bytes (the same in the browser and in Node). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64[(n >> 18) & 63];
    out += BASE64[(n >> 12) & 63];
    out += b === undefined ? '=' : BASE64[(n >> 6) & 63];
    out += c === undefined ? '=' : BASE64[n & 63];
  }
  return out;
}

const urn = (uuid: string) => `urn:uuid:${uuid}`;

interface Ref {
  uuid: string;
  fullUrl: string;
  reference: Reference;
}

function ref(kind: string, id: string, display?: string): Ref {
  const uuid = fhirUuid(kind, id);
  const fullUrl = urn(uuid);
  return {
    uuid,
    fullUrl,
    reference: display ? { reference: fullUrl, display } : { reference: fullUrl },
  };
}

const coding = (system: string, code: string, display?: string) =>
  display ? { system, code, display } : { system, code };

const concept = (system: string, code: string, display?: string, text?: string): CodeableConcept =>
  text
    ? { coding: [coding(system, code, display)], text }
    : { coding: [coding(system, code, display)] };

const staffName = (s: Pick<Staff, 'firstName' | 'lastName'>) => `${s.firstName} ${s.lastName}`;

/** Escale's ISO instants are UTC with milliseconds; FHIR dateTime takes them as they are. */
const instant = (iso: string) => iso;

// ---- what the export reads ----

/** What one consultation's document is made from, as the device holds it. */
export interface FhirSource {
  consultation: Consultation;
  patient: Patient;
  /** Staff by id (author, supervisor, who took the vitals, who wrote addenda). */
  staff: ReadonlyMap<string, Staff>;
  service: Service | undefined;
  stop: Stop | undefined;
  unit: Unit | undefined;
  organisationName: string | undefined;
  vitals: readonly Vitals[];
  addenda: readonly Addendum[];
  signatures: readonly Signature[];
  /** The birth place's name when the device's place index knows the code. */
  birthPlaceName?: string | null;
  /** The note's queue entry (which room holds it, for a restricted note). */
  queueEntry?: { roomId?: unknown } | undefined;
}

// ---- resources ----

function patientResource(p: Patient, id: string, birthPlaceName?: string | null): FhirPatient {
  const qualified = p.identityStatus === 'qualifiee' && Boolean(p.nir);
  const status = IDENTITY_STATUS_CODES[p.identityStatus];
  const reliability: Extension[] = [
    {
      url: 'identityStatus',
      valueCoding: coding(SYSTEMS.identityStatus, status.code, status.display),
    },
  ];
  for (const attribute of p.identityAttributes ?? []) {
    const c = IDENTITY_ATTRIBUTE_CODES[attribute];
    if (c) {
      reliability.push({
        url: 'comment',
        valueCodeableConcept: concept(SYSTEMS.identityComment, c.code, c.display),
      });
    }
  }
  const birthAddress: NonNullable<Extension['valueAddress']> = {
    extension: [
      {
        url: FR_CORE_EXTENSIONS.inseeCode,
        valueCoding: coding(SYSTEMS.inseeCommune, p.birthPlaceCode),
      },
    ],
  };
  if (birthPlaceName?.trim()) birthAddress.city = birthPlaceName.trim();
  // FHIR strings are never empty: a part that is only blanks is left out, not sent as "".
  const firstNames = p.firstNames.trim();
  const birthName = p.birthName.trim();
  const firstGiven = firstNames.split(/\s+/)[0] ?? '';
  const official: HumanName = {
    use: 'official',
    ...(birthName ? { family: birthName } : {}),
    ...(firstNames
      ? {
          given: [firstGiven],
          extension: [{ url: FR_CORE_EXTENSIONS.birthListGivenName, valueString: firstNames }],
        }
      : {}),
  };
  const names: HumanName[] = [official];
  if (p.usedName?.trim() || p.usedFirstName?.trim()) {
    const family = p.usedName?.trim() || birthName;
    const given = p.usedFirstName?.trim() || firstGiven;
    names.push({
      use: 'usual',
      ...(family ? { family } : {}),
      ...(given ? { given: [given] } : {}),
    });
  }
  const identifier: Identifier[] = [];
  // The INS matricule may be used only for a qualified identity (RNIV): never otherwise.
  if (qualified && p.nir) {
    identifier.push({
      use: 'official',
      type: concept(SYSTEMS.identifierType, 'INS-NIR', 'NIR définitif'),
      system: SYSTEMS.insNir,
      value: p.nir,
    });
  }
  return {
    resourceType: 'Patient',
    id,
    meta: {
      profile: qualified
        ? [FR_CORE_PROFILES.patient, FR_CORE_PROFILES.patientIns]
        : [FR_CORE_PROFILES.patient],
    },
    extension: [
      { url: FR_CORE_EXTENSIONS.identityReliability, extension: reliability },
      { url: FR_CORE_EXTENSIONS.birthPlace, valueAddress: birthAddress },
    ],
    ...(identifier.length > 0 ? { identifier } : {}),
    name: names,
    gender: GENDER[p.sex],
    birthDate: p.birthDate,
  };
}

function practitionerResource(s: Staff, id: string): Practitioner {
  const identifier: Identifier[] = [];
  if (s.rpps) {
    identifier.push(
      {
        use: 'official',
        type: concept(
          SYSTEMS.identifierType,
          'IDNPS',
          'Identifiant National de Professionnel de Santé',
        ),
        system: SYSTEMS.idNatPs,
        value: `8${s.rpps}`,
      },
      {
        type: concept(SYSTEMS.identifierType, 'RPPS', 'N° RPPS'),
        system: SYSTEMS.rpps,
        value: s.rpps,
      },
    );
  }
  return {
    resourceType: 'Practitioner',
    id,
    meta: { profile: [FR_CORE_PROFILES.practitioner] },
    ...(identifier.length > 0 ? { identifier } : {}),
    active: s.active,
    name: [{ use: 'usual', family: s.lastName, given: [s.firstName] }],
    qualification: [{ code: { text: PROFESSION_LABELS[s.profession] } }],
  };
}

function vitalObservations(
  v: Vitals,
  subject: Reference,
  encounter: Reference,
  performer: Reference | undefined,
  status: Observation['status'],
): { kind: string; resource: Observation }[] {
  const base = (
    kind: string,
    code: CodeableConcept,
    category: 'vital-signs' | 'laboratory',
    profile: string | null,
  ): Observation => ({
    resourceType: 'Observation',
    id: fhirUuid(`Observation/${kind}`, v.id),
    ...(profile ? { meta: { profile: [profile] } } : {}),
    status,
    category: [
      concept(
        SYSTEMS.observationCategory,
        category,
        category === 'vital-signs' ? 'Vital Signs' : 'Laboratory',
      ),
    ],
    code,
    subject,
    encounter,
    effectiveDateTime: instant(v.takenAt),
    ...(performer ? { performer: [performer] } : {}),
  });
  const quantity = (value: number, unit: string, ucum: string): Quantity => ({
    value,
    unit,
    system: SYSTEMS.ucum,
    code: ucum,
  });
  const out: { kind: string; resource: Observation }[] = [];
  if (v.systolic !== null || v.diastolic !== null) {
    const components: ObservationComponent[] = [];
    for (const field of ['systolic', 'diastolic'] as const) {
      const value = v[field];
      if (value === null || value === undefined) continue;
      const c = BLOOD_PRESSURE[field];
      components.push({
        code: concept(SYSTEMS.loinc, c.loinc, c.display),
        valueQuantity: quantity(value, 'mmHg', 'mm[Hg]'),
      });
    }
    out.push({
      kind: 'bp',
      resource: {
        ...base(
          'bp',
          concept(
            SYSTEMS.loinc,
            BLOOD_PRESSURE.panel.loinc,
            BLOOD_PRESSURE.panel.display,
            'Pression artérielle',
          ),
          'vital-signs',
          FR_CORE_PROFILES.bloodPressure,
        ),
        component: components,
      },
    });
  }
  for (const [field, c] of Object.entries(VITAL_CODINGS) as [
    keyof typeof VITAL_CODINGS,
    VitalCoding,
  ][]) {
    const value = v[field];
    if (value === null || value === undefined) continue;
    out.push({
      kind: field,
      resource: {
        ...base(field, concept(SYSTEMS.loinc, c.loinc, c.display), c.category, c.profile),
        valueQuantity: quantity(value, c.unit, c.ucum),
      },
    });
  }
  return out;
}

/** The note as plain text, in reading order, with its addenda (the DocumentReference's data). */
export function noteText(source: FhirSource): string {
  const c = source.consultation;
  const name = (id: string) => {
    const s = source.staff.get(id);
    return s ? staffName(s) : 'membre de l’équipe';
  };
  const parts: string[] = [
    `Consultation du ${formatDateTime(c.createdAt)}${source.stop ? ` à ${source.stop.communeName}` : ''}`,
    `Auteur : ${name(c.authorId)}${c.supervisorId ? ` (sous la supervision de ${name(c.supervisorId)})` : ''}`,
  ];
  const section = (heading: string, body: string) => {
    if (body.trim() !== '') parts.push('', heading, body.trim());
  };
  section('Motif de consultation', c.motif);
  section('Histoire et plaintes', c.subjective);
  section('Examen clinique', c.objective);
  section('Conclusion', c.assessment);
  section('Conduite à tenir', c.plan);
  if (c.codes.length > 0) {
    section(
      'Codage',
      [...c.codes]
        .sort((a, b) => `${a.system}${a.code}`.localeCompare(`${b.system}${b.code}`))
        .map((x) => `${x.system} ${x.code} — ${x.label}`)
        .join('\n'),
    );
  }
  if (c.orientation.kind !== 'none') {
    section(
      'Orientation',
      [ORIENTATION_LABELS[c.orientation.kind], c.orientation.mtName, c.orientation.detail]
        .filter((x): x is string => Boolean(x?.trim()))
        .join(' — '),
    );
  }
  const addenda = [...source.addenda]
    .filter((a) => !a._deleted)
    .sort((a, b) => a.at.localeCompare(b.at));
  if (addenda.length > 0) {
    section(
      'Addenda',
      addenda.map((a) => `${formatDateTime(a.at)}, ${name(a.authorId)} : ${a.text}`).join('\n'),
    );
  }
  return `${parts.join('\n')}\n`;
}

/** When the author signed the note (their latest signature), else when it was written. */
function signedAt(source: FhirSource): string {
  const own = source.signatures
    .filter(
      (s) =>
        !s._deleted &&
        s.consultationId === source.consultation.id &&
        s.kind === 'author' &&
        !s.addendumId,
    )
    .map((s) => s.at)
    .sort();
  return own.at(-1) ?? source.consultation.createdAt;
}

/** When the supervisor validated the note, if they did. */
function validatedAt(source: FhirSource): string | null {
  if (source.consultation.status !== 'validated') return null;
  const reviews = source.signatures
    .filter(
      (s) =>
        !s._deleted &&
        s.consultationId === source.consultation.id &&
        s.kind === 'supervisor' &&
        !s.addendumId,
    )
    .map((s) => s.at)
    .sort();
  return reviews.at(-1) ?? null;
}

// ---- the document ----

/**
 * One signed consultation as a FHIR R4 document Bundle (type `document`, its Composition first).
 * Throws the French refusal when the note may not leave for this reader (fhirRefusal). `madeAt`
 * is the bundle's timestamp.
 */
export function consultationBundle(source: FhirSource, reader: FhirReader, madeAt: string): Bundle {
  const c = source.consultation;
  const refusal = fhirRefusal(c, source.patient, source.queueEntry, reader);
  if (refusal) throw new Error(refusal);
  const p = source.patient;
  const author = source.staff.get(c.authorId);
  const supervisorId = c.supervisorId ?? author?.supervisorId ?? null;
  const final = c.status === 'validated';
  const restricted = c.confidentiality !== 'standard';

  const patientRef = ref('Patient', p.id, `${p.firstNames} ${p.birthName.toUpperCase()}`);
  const entries: BundleEntry[] = [];
  const add = (fullUrl: string, resource: FhirResource) => entries.push({ fullUrl, resource });

  // Practitioners: the author, the supervisor, whoever took vitals (addenda name their author in
  // the note's text).
  const practitioners = new Map<string, Ref>();
  const practitioner = (id: string | null | undefined): Reference | undefined => {
    if (!id) return undefined;
    const s = source.staff.get(id);
    if (!s) return undefined;
    let r = practitioners.get(id);
    if (!r) {
      r = ref('Practitioner', id, staffName(s));
      practitioners.set(id, r);
    }
    return r.reference;
  };
  const authorRef = practitioner(c.authorId);
  const supervisorRef = practitioner(supervisorId);

  const organisationRef = ref('Organization', c.orgId, source.organisationName);
  const organisation: Organization = {
    resourceType: 'Organization',
    id: organisationRef.uuid,
    meta: { profile: [FR_CORE_PROFILES.organization] },
    name: source.organisationName ?? 'Centre de santé itinérant',
    ...(source.unit
      ? {
          alias: [
            [source.unit.name, source.unit.registration].filter(Boolean).join(', immatriculé '),
          ],
        }
      : {}),
  };

  const stop = source.stop;
  const locationRef = stop ? ref('Location', stop.id, `Escale de ${stop.communeName}`) : undefined;
  const location: Location | undefined =
    stop && locationRef
      ? {
          resourceType: 'Location',
          id: locationRef.uuid,
          meta: { profile: [FR_CORE_PROFILES.location] },
          status: 'active',
          name: `Escale de ${stop.communeName}`,
          mode: 'instance',
          address: {
            extension: [
              {
                url: FR_CORE_EXTENSIONS.inseeCode,
                valueCoding: coding(SYSTEMS.inseeCommune, stop.communeInsee),
              },
            ],
            ...(stop.address.trim() ? { line: [stop.address.trim()] } : {}),
            city: stop.communeName,
            country: 'FR',
          },
          managingOrganization: organisationRef.reference,
        }
      : undefined;

  const encounterRef = ref('Encounter', c.id);
  const end = signedAt(source);
  const reasons = c.codes.filter((x) => x.use === 'reason');
  const participants: NonNullable<Encounter['participant']> = [];
  if (authorRef) {
    participants.push({
      type: [concept(SYSTEMS.participationType, 'PPRF', 'primary performer')],
      individual: authorRef,
    });
  }
  if (supervisorRef) {
    participants.push({
      type: [concept(SYSTEMS.participationType, 'ATND', 'attender')],
      individual: supervisorRef,
    });
  }
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterRef.uuid,
    meta: { profile: [FR_CORE_PROFILES.encounter] },
    identifier: [
      {
        type: concept(SYSTEMS.v2IdentifierType, 'VN', 'Visit number'),
        system: `urn:escale:${encodeURIComponent(c.orgId)}:consultation`,
        value: c.id,
      },
    ],
    status: 'finished',
    class: coding(SYSTEMS.actCode, 'AMB', 'ambulatory'),
    ...(source.service ? { serviceType: { text: source.service.label } } : {}),
    subject: patientRef.reference,
    ...(participants.length > 0 ? { participant: participants } : {}),
    period: { start: instant(c.createdAt), ...(end >= c.createdAt ? { end: instant(end) } : {}) },
    ...(reasons.length > 0 || c.motif.trim()
      ? {
          reasonCode:
            reasons.length > 0
              ? reasons.map((x) => concept(CODE_SYSTEMS[x.system], x.code, x.label))
              : [{ text: c.motif.trim() }],
        }
      : {}),
    ...(locationRef ? { location: [{ location: locationRef.reference }] } : {}),
    serviceProvider: organisationRef.reference,
  };

  const observations = source.vitals
    .filter((v) => !v._deleted && v.consultationId === c.id)
    .sort((a, b) => a.takenAt.localeCompare(b.takenAt))
    .flatMap((v) =>
      vitalObservations(
        v,
        patientRef.reference,
        encounterRef.reference,
        practitioner(v.authorId),
        'final',
      ).map((o) => ({ ...o, fullUrl: urn(o.resource.id as string) })),
    );

  const conditions = c.codes
    .filter((x) => x.use !== 'reason')
    .map((x): { fullUrl: string; resource: Condition } => {
      const r = ref('Condition', `${c.id}/${x.system}/${x.code}/${x.use}`);
      return {
        fullUrl: r.fullUrl,
        resource: {
          resourceType: 'Condition',
          id: r.uuid,
          meta: { profile: [FR_CORE_PROFILES.condition] },
          clinicalStatus: concept(SYSTEMS.conditionClinical, 'active', 'Active'),
          verificationStatus: final
            ? concept(SYSTEMS.conditionVerification, 'confirmed', 'Confirmed')
            : concept(SYSTEMS.conditionVerification, 'provisional', 'Provisional'),
          category: [
            concept(SYSTEMS.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis'),
          ],
          code: concept(CODE_SYSTEMS[x.system], x.code, x.label, x.label),
          subject: patientRef.reference,
          encounter: encounterRef.reference,
          recordedDate: instant(end),
          ...(authorRef ? { recorder: authorRef } : {}),
        },
      };
    });

  const confidentiality = restricted
    ? concept(SYSTEMS.confidentiality, 'R', 'restricted')
    : concept(SYSTEMS.confidentiality, 'N', 'normal');
  const title = `Consultation du ${formatDate(stop?.date ? `${stop.date}T12:00:00Z` : c.createdAt)}${
    stop ? ` à ${stop.communeName}` : ''
  }`;
  const documentRef = ref('DocumentReference', c.id);
  const validated = validatedAt(source);
  const documentReference: DocumentReference = {
    resourceType: 'DocumentReference',
    id: documentRef.uuid,
    status: 'current',
    docStatus: final ? 'final' : 'preliminary',
    type: concept(CONSULT_NOTE.system, CONSULT_NOTE.code, CONSULT_NOTE.display),
    subject: patientRef.reference,
    date: instant(end),
    ...(authorRef ? { author: [authorRef] } : {}),
    ...(final && supervisorRef ? { authenticator: supervisorRef } : {}),
    custodian: organisationRef.reference,
    securityLabel: [confidentiality],
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'fr-FR',
          data: base64Utf8(noteText(source)),
          title,
          creation: instant(end),
        },
      },
    ],
    context: { encounter: [encounterRef.reference], period: encounter.period },
  };

  const sections: CompositionSection[] = [
    {
      title: 'Note de consultation',
      code: concept(CONSULT_NOTE.system, CONSULT_NOTE.code, CONSULT_NOTE.display),
      entry: [documentRef.reference],
    },
  ];
  if (observations.length > 0) {
    sections.push({
      title: 'Constantes',
      code: concept(SYSTEMS.loinc, '8716-3', 'Vital signs'),
      entry: observations.map((o) => ({ reference: o.fullUrl })),
    });
  }
  if (conditions.length > 0) {
    sections.push({
      title: 'Résultats de consultation et diagnostics',
      code: concept(SYSTEMS.loinc, '29548-5', 'Diagnosis Narrative'),
      entry: conditions.map((x) => ({ reference: x.fullUrl })),
    });
  }
  const attester: NonNullable<Composition['attester']> = [];
  if (authorRef) attester.push({ mode: 'professional', time: instant(end), party: authorRef });
  if (validated && supervisorRef) {
    attester.push({ mode: 'legal', time: instant(validated), party: supervisorRef });
  }
  const compositionRef = ref('Composition', `${c.id}/${c.status}`);
  const composition: Composition = {
    resourceType: 'Composition',
    id: compositionRef.uuid,
    status: final ? 'final' : 'preliminary',
    type: concept(CONSULT_NOTE.system, CONSULT_NOTE.code, CONSULT_NOTE.display),
    subject: patientRef.reference,
    encounter: encounterRef.reference,
    date: instant(end),
    author: [authorRef ?? { display: 'Auteur inconnu sur cet appareil' }],
    title,
    confidentiality: restricted ? 'R' : 'N',
    ...(attester.length > 0 ? { attester } : {}),
    custodian: organisationRef.reference,
    section: sections,
  };

  add(compositionRef.fullUrl, composition);
  add(patientRef.fullUrl, patientResource(p, patientRef.uuid, source.birthPlaceName));
  for (const [id, r] of practitioners) {
    const s = source.staff.get(id);
    if (s) add(r.fullUrl, practitionerResource(s, r.uuid));
  }
  add(organisationRef.fullUrl, organisation);
  if (location && locationRef) add(locationRef.fullUrl, location);
  add(encounterRef.fullUrl, encounter);
  for (const o of observations) add(o.fullUrl, o.resource);
  for (const x of conditions) add(x.fullUrl, x.resource);
  add(documentRef.fullUrl, documentReference);

  const bundleUuid = fhirUuid('Bundle', `${c.id}/${c.status}`);
  return fhirStrings({
    resourceType: 'Bundle',
    id: bundleUuid,
    meta: { lastUpdated: instant(madeAt) },
    identifier: { system: SYSTEMS.uri, value: urn(bundleUuid) },
    type: 'document',
    timestamp: instant(madeAt),
    entry: entries,
  });
}

/** What FHIR's `string` allows besides visible characters: space, tab, CR, LF — nothing else. */
const NON_FHIR_WHITESPACE = /[^\S \t\r\n]/gu;

/**
 * Every string of a resource as FHIR R4 accepts it: a blank or empty string is left out (FHIR
 * strings are never empty, and a blank name or label says nothing), and whitespace FHIR does not
 * allow — the no-break spaces of French typography (« », before « : »), a typed ideographic space
 * — becomes a plain space. Applied once to the whole bundle, so no text a user typed (a motif, a
 * name, a code's label, an address) can make an export invalid.
 */
export function fhirStrings<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NON_FHIR_WHITESPACE, ' ') as T;
  if (Array.isArray(value)) {
    return value
      .filter((x) => typeof x !== 'string' || x.trim() !== '')
      .map((x) => fhirStrings(x)) as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && v.trim() === '') continue;
      const cleaned = fhirStrings(v);
      if (Array.isArray(cleaned) && cleaned.length === 0 && Array.isArray(v) && v.length > 0) {
        continue;
      }
      out[k] = cleaned;
    }
    return out as T;
  }
  return value;
}

// ---- a period's export ----

export interface PeriodExport {
  /** A Bundle of type collection, one document Bundle per exported consultation. */
  bundle: Bundle;
  /** How many notes went in. */
  exported: number;
  /** How many signed notes of the period stayed out because this reader may not read them. */
  notReadable: number;
  /** How many notes of the period are not signed (drafts, returned): not part of the record. */
  unsigned: number;
}

/**
 * The period's signed consultations as one collection Bundle of document Bundles, for this
 * reader: a note they may not read is left out (counted, never named), a note not signed is left
 * out (counted). The stops of the period decide which notes belong to it (the caller passes the
 * notes of the period's stops).
 */
export function periodBundle(
  sources: readonly FhirSource[],
  reader: FhirReader,
  period: { from: string; to: string },
  madeAt: string,
): PeriodExport {
  let notReadable = 0;
  let unsigned = 0;
  const documents: BundleEntry[] = [];
  const ordered = [...sources].sort(
    (a, b) =>
      (a.stop?.date ?? '').localeCompare(b.stop?.date ?? '') ||
      a.consultation.createdAt.localeCompare(b.consultation.createdAt),
  );
  for (const s of ordered) {
    const c = s.consultation;
    if (c._deleted) continue;
    if (c.status === 'draft' || c.status === 'returned') {
      unsigned++;
      continue;
    }
    if (fhirRefusal(c, s.patient, s.queueEntry, reader) !== null) {
      notReadable++;
      continue;
    }
    const document = consultationBundle(s, reader, madeAt);
    documents.push({ fullUrl: urn(document.id as string), resource: document });
  }
  const id = fhirUuid('Bundle/period', `${period.from}/${period.to}/${madeAt}`);
  return {
    bundle: {
      resourceType: 'Bundle',
      id,
      meta: { lastUpdated: instant(madeAt) },
      identifier: { system: SYSTEMS.uri, value: urn(id) },
      type: 'collection',
      timestamp: instant(madeAt),
      ...(documents.length > 0 ? { entry: documents } : {}),
    },
    exported: documents.length,
    notReadable,
    unsigned,
  };
}

/** What the audit keeps of a period's export: counts, never a name or a text. */
export function periodAuditDetail(
  period: { from: string; to: string },
  result: Pick<PeriodExport, 'exported' | 'notReadable' | 'unsigned'>,
): string {
  return `FHIR ${period.from} → ${period.to} : ${result.exported} consultation(s) exportée(s), ${result.notReadable} non lisible(s) par ce profil, ${result.unsigned} non signée(s)`;
}
