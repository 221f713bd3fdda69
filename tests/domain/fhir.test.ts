// The FHIR export (src/domain/fhir.ts): every bundle valid against HL7's FHIR R4 JSON schema
// (tests/support/fhir-schema.ts), the FR Core pieces the schema cannot check (profiles, INS,
// identity reliability, RPPS), who may receive a note (every profile × every class), refusals.

import fc from 'fast-check';
import type {
  Bundle,
  Composition,
  Condition,
  DocumentReference,
  Encounter,
  Patient as FhirPatient,
  Observation,
  Practitioner,
} from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import type {
  Confidentiality,
  Consultation,
  DeviceProfile,
  Patient,
  Service,
  Signature,
  Staff,
  Vitals,
} from '../../src/domain/entities';
import {
  base64Utf8,
  consultationBundle,
  type FhirReader,
  type FhirSource,
  FR_CORE_EXTENSIONS,
  FR_CORE_PROFILES,
  fhirRefusal,
  fhirStrings,
  fhirUuid,
  noteText,
  periodAuditDetail,
  periodBundle,
  SYSTEMS,
} from '../../src/domain/fhir';
import { type ReadingFacts, readingFacts } from '../../src/domain/reading';
import { fhirErrors } from '../support/fhir-schema';

const staff = (id: string, over: Partial<Staff>): Staff => ({
  id,
  orgId: 'org',
  firstName: id,
  lastName: 'X',
  profession: 'medecin',
  roles: ['clinicien'],
  supervisorId: null,
  active: true,
  ...over,
});
const morvan = staff('morvan', {
  firstName: 'Hélène',
  lastName: 'Morvan',
  roles: ['clinicien', 'coordinateur'],
  rpps: '10100050078',
});
const benali = staff('benali', {
  firstName: 'Inès',
  lastName: 'Benali',
  profession: 'interne',
  supervisorId: 'morvan',
});
const durand = staff('durand', { firstName: 'Paul', lastName: 'Durand' });
const sageFemme = staff('sf', { firstName: 'Lise', lastName: 'Roy', profession: 'sage_femme' });
const social = staff('as', {
  firstName: 'Anne',
  lastName: 'Leroy',
  profession: 'assistante_sociale',
  roles: ['social'],
});
const accueil = staff('acc', {
  firstName: 'Marc',
  lastName: 'Petit',
  profession: 'accueil',
  roles: ['accueil'],
});
const directory = new Map(
  [morvan, benali, durand, sageFemme, social, accueil].map((s) => [s.id, s]),
);

const patient: Patient = {
  id: 'p1',
  orgId: 'org',
  birthName: 'Lebrun',
  usedName: 'Martin',
  firstNames: 'Noël Jean',
  usedFirstName: null,
  sex: 'M',
  birthDate: '1951-03-08',
  birthPlaceCode: '72180',
  identityStatus: 'qualifiee',
  nir: '151037218012345',
  phone: null,
  email: null,
  address: null,
  communeInsee: null,
  coverage: 'amo',
  mtStatus: 'none',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt: '2026-11-23T08:00:00.000Z',
  duplicateDecision: null,
};

const note: Consultation = {
  id: 'c1',
  orgId: 'org',
  queueEntryId: 'q1',
  visitId: 'v1',
  patientId: 'p1',
  stopId: 's1',
  serviceId: 'mg',
  authorId: 'benali',
  supervisorId: 'morvan',
  motif: 'Toux persistante',
  subjective: 'Toux depuis trois semaines, fumeur',
  objective: 'Sibilants diffus',
  assessment: 'Bronchite chronique probable',
  plan: 'Spirométrie',
  codes: [
    { system: 'CISP-2', code: 'R05', label: 'Toux', use: 'reason' },
    { system: 'CISP-2', code: 'R79', label: 'Bronchite chronique', use: 'result' },
    { system: 'CIM-10', code: 'J44.9', label: 'BPCO, sans précision', use: 'diagnosis' },
  ],
  orientation: { kind: 'specialist', detail: 'Pneumologue, CH du Mans' },
  confidentiality: 'standard',
  status: 'validated',
  returnComment: null,
  createdAt: '2026-11-23T09:00:00.000Z',
  roomId: 'r1',
};

const service: Service = {
  id: 'mg',
  orgId: 'org',
  code: 'MG',
  label: 'Médecine générale',
  ticketPrefix: 'M',
  typicalMinutes: 20,
  roomKinds: ['gp_box'],
  professions: ['medecin', 'interne'],
  confidentiality: 'standard',
};

const vitals: Vitals = {
  id: 'vt1',
  orgId: 'org',
  consultationId: 'c1',
  patientId: 'p1',
  takenAt: '2026-11-23T09:05:00.000Z',
  authorId: 'benali',
  systolic: 142,
  diastolic: 88,
  heartRate: 76,
  temperature: 37.2,
  spo2: 96,
  weightKg: 81.5,
  heightCm: 176,
  glycaemia: 1.05,
};

const signatures: Signature[] = [
  {
    id: 'sg1',
    orgId: 'org',
    consultationId: 'c1',
    kind: 'author',
    staffId: 'benali',
    at: '2026-11-23T09:20:00.000Z',
    contentHash: 'h',
    comment: null,
  },
  {
    id: 'sg2',
    orgId: 'org',
    consultationId: 'c1',
    kind: 'supervisor',
    staffId: 'morvan',
    at: '2026-11-23T12:00:00.000Z',
    contentHash: 'h',
    comment: null,
  },
];

const source = (over: Partial<FhirSource> = {}): FhirSource => ({
  consultation: note,
  patient,
  staff: directory,
  service,
  stop: {
    id: 's1',
    orgId: 'org',
    unitId: 'u1',
    date: '2026-11-23',
    communeInsee: '72180',
    communeName: 'Mamers',
    address: 'Place Carnot',
    opensAt: '08:30',
    closesAt: '17:30',
    status: 'open',
  },
  unit: { id: 'u1', orgId: 'org', name: 'Camion Escale 1', registration: 'GH-472-PE' },
  organisationName: 'Médicobus Perche Émeraude',
  vitals: [vitals],
  addenda: [
    {
      id: 'a1',
      orgId: 'org',
      consultationId: 'c1',
      authorId: 'morvan',
      at: '2026-11-24T10:00:00.000Z',
      text: 'Résultat de spirométrie : VEMS 62 % — « à revoir »',
    },
  ],
  signatures,
  birthPlaceName: 'Mamers',
  queueEntry: { roomId: 'r1' },
  ...over,
});

const facts = (services: Service[] = [service]): ReadingFacts =>
  readingFacts({ services, objections: [], breakGlasses: [], now: '2026-11-25T00:00:00.000Z' });

const coordination: FhirReader = {
  viewer: { profile: 'coordination', roomId: null },
  person: morvan,
  facts: facts(),
};
const MADE_AT = '2026-11-30T10:00:00.000Z';

const resources = <T>(bundle: Bundle, type: string): T[] =>
  (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is NonNullable<typeof r> => r?.resourceType === type) as T[];

const decode = (b64: string) => new TextDecoder().decode(Buffer.from(b64, 'base64'));

describe('text a user typed never makes an export invalid', () => {
  it('turns French no-break spaces into plain spaces and leaves blank names and ids out', () => {
    // The property below once drew this case: a note whose id is blank, a patient whose names
    // are blank, a motif holding a no-break space (French typography puts one before « : »).
    const c: Consultation = {
      ...note,
      id: ' ',
      motif: 'Douleur\u00a0: genou\u202fdroit',
      codes: [],
    };
    const bundle = consultationBundle(
      source({
        consultation: c,
        patient: { ...patient, birthName: ' ', firstNames: '\u00a0' },
        vitals: [],
        addenda: [],
        signatures: [],
      }),
      coordination,
      MADE_AT,
    );
    expect(fhirErrors(bundle)).toEqual([]);
    const [encounter] = resources<Encounter>(bundle, 'Encounter');
    expect(encounter?.reasonCode?.[0]?.text).toBe('Douleur : genou droit');
    expect(encounter?.identifier?.[0]?.value).toBeUndefined();
    expect(encounter?.subject?.display).toBeUndefined();
    const [p] = resources<FhirPatient>(bundle, 'Patient');
    expect(p?.name?.[0]?.family).toBeUndefined();
    expect(JSON.stringify(bundle)).not.toMatch(/[\u00a0\u202f]/);
  });

  it('keeps every string FHIR allows as it was typed', () => {
    const value = { a: ' x\ty ', b: ['', 'z', ' '], c: { d: '\u3000' }, e: [] as string[] };
    expect(fhirStrings(value)).toEqual({ a: ' x\ty ', b: ['z'], c: {}, e: [] });
  });
});

describe('a signed consultation as a FHIR R4 document', () => {
  const bundle = consultationBundle(source(), coordination, MADE_AT);

  it('is valid against HL7’s FHIR R4 JSON schema', () => {
    expect(fhirErrors(bundle)).toEqual([]);
  });

  it('is a document bundle: identifier, timestamp, the Composition first, every entry by urn:uuid', () => {
    expect(bundle.type).toBe('document');
    expect(bundle.timestamp).toBe(MADE_AT);
    expect(bundle.identifier?.value).toBe(`urn:uuid:${bundle.id}`);
    expect(bundle.entry?.[0]?.resource?.resourceType).toBe('Composition');
    const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
    for (const u of urls) expect(u).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(new Set(urls).size).toBe(urls.length);
    // Every reference inside resolves to an entry of the bundle.
    const refs = JSON.stringify(bundle).match(/"reference":"([^"]+)"/g) ?? [];
    for (const r of refs) expect(urls).toContain(r.slice(13, -1));
  });

  it('carries the patient under FR Core with the INS-NIR of a qualified identity and its reliability', () => {
    const [p] = resources<FhirPatient>(bundle, 'Patient');
    expect(p?.meta?.profile).toEqual([FR_CORE_PROFILES.patient, FR_CORE_PROFILES.patientIns]);
    expect(p?.identifier).toEqual([
      expect.objectContaining({
        use: 'official',
        system: 'urn:oid:1.2.250.1.213.1.4.8',
        value: '151037218012345',
        type: { coding: [expect.objectContaining({ code: 'INS-NIR' })] },
      }),
    ]);
    const reliability = p?.extension?.find((e) => e.url === FR_CORE_EXTENSIONS.identityReliability);
    expect(reliability?.extension).toEqual([
      {
        url: 'identityStatus',
        valueCoding: {
          system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status',
          code: 'QUAL',
          display: 'Identité qualifiée',
        },
      },
    ]);
    const birthPlace = p?.extension?.find((e) => e.url === FR_CORE_EXTENSIONS.birthPlace);
    expect(birthPlace?.valueAddress?.city).toBe('Mamers');
    expect(birthPlace?.valueAddress?.extension?.[0]?.valueCoding?.code).toBe('72180');
    expect(p?.name?.[0]).toMatchObject({ use: 'official', family: 'Lebrun', given: ['Noël'] });
    expect(p?.name?.[0]?.extension?.[0]?.valueString).toBe('Noël Jean');
    expect(p?.name?.[1]).toMatchObject({ use: 'usual', family: 'Martin' });
    expect(p?.gender).toBe('male');
    expect(p?.birthDate).toBe('1951-03-08');
  });

  it.each([
    ['provisoire', 'PROV'],
    ['recuperee', 'RECUP'],
    ['validee', 'VALI'],
  ] as const)(
    'never carries the INS of a %s identity (status %s), which is still valid R4',
    (status, code) => {
      const b = consultationBundle(
        source({
          patient: { ...patient, identityStatus: status, identityAttributes: ['homonyme'] },
        }),
        coordination,
        MADE_AT,
      );
      expect(fhirErrors(b)).toEqual([]);
      const [p] = resources<FhirPatient>(b, 'Patient');
      expect(p?.identifier).toBeUndefined();
      expect(JSON.stringify(b)).not.toContain('151037218012345');
      expect(p?.meta?.profile).toEqual([FR_CORE_PROFILES.patient]);
      const reliability = p?.extension?.find(
        (e) => e.url === FR_CORE_EXTENSIONS.identityReliability,
      );
      expect(reliability?.extension?.[0]?.valueCoding?.code).toBe(code);
      expect(reliability?.extension?.[1]?.valueCodeableConcept?.coding?.[0]?.code).toBe('HOMA');
    },
  );

  it('names the author and the supervising doctor of an intern, with the RPPS where known', () => {
    const practitioners = resources<Practitioner>(bundle, 'Practitioner');
    const supervisor = practitioners.find((p) => p.name?.[0]?.family === 'Morvan');
    const intern = practitioners.find((p) => p.name?.[0]?.family === 'Benali');
    expect(supervisor?.meta?.profile).toEqual([FR_CORE_PROFILES.practitioner]);
    expect(supervisor?.identifier).toEqual([
      expect.objectContaining({ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810100050078' }),
      expect.objectContaining({ system: 'https://rpps.esante.gouv.fr', value: '10100050078' }),
    ]);
    expect(intern?.identifier).toBeUndefined();
    expect(intern?.qualification?.[0]?.code.text).toBe('Interne en médecine');
    const [encounter] = resources<Encounter>(bundle, 'Encounter');
    const roles = encounter?.participant?.map((p) => [
      p.type?.[0]?.coding?.[0]?.code,
      p.individual?.display,
    ]);
    expect(roles).toEqual([
      ['PPRF', 'Inès Benali'],
      ['ATND', 'Hélène Morvan'],
    ]);
    const [composition] = resources<Composition>(bundle, 'Composition');
    expect(composition?.attester?.map((a) => [a.mode, a.party?.display, a.time])).toEqual([
      ['professional', 'Inès Benali', '2026-11-23T09:20:00.000Z'],
      ['legal', 'Hélène Morvan', '2026-11-23T12:00:00.000Z'],
    ]);
  });

  it('places the encounter at the stop’s commune, its reasons coded', () => {
    const [encounter] = resources<Encounter>(bundle, 'Encounter');
    expect(encounter?.meta?.profile).toEqual([FR_CORE_PROFILES.encounter]);
    expect(encounter?.class).toMatchObject({ code: 'AMB' });
    expect(encounter?.location?.[0]?.location.display).toBe('Escale de Mamers');
    expect(encounter?.reasonCode?.[0]?.coding?.[0]).toMatchObject({
      system: SYSTEMS.cisp2,
      code: 'R05',
    });
    const [location] = resources<{ address?: { city?: string } }>(bundle, 'Location');
    expect(location?.address?.city).toBe('Mamers');
  });

  it('gives one Observation per vital sign, LOINC-coded in UCUM units', () => {
    const obs = resources<Observation>(bundle, 'Observation');
    const byCode = new Map(obs.map((o) => [o.code.coding?.[0]?.code, o]));
    expect([...byCode.keys()].sort()).toEqual(
      ['85354-9', '8867-4', '8310-5', '2708-6', '29463-7', '8302-2', '32016-8'].sort(),
    );
    const bp = byCode.get('85354-9');
    expect(bp?.meta?.profile).toEqual([FR_CORE_PROFILES.bloodPressure]);
    expect(bp?.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value])).toEqual([
      ['8480-6', 142],
      ['8462-4', 88],
    ]);
    expect(bp?.component?.[0]?.valueQuantity).toMatchObject({
      system: SYSTEMS.ucum,
      code: 'mm[Hg]',
    });
    expect(byCode.get('8310-5')?.valueQuantity).toMatchObject({ value: 37.2, code: 'Cel' });
    expect(byCode.get('8867-4')?.valueQuantity).toMatchObject({ value: 76, code: '/min' });
    expect(byCode.get('32016-8')?.valueQuantity).toMatchObject({ value: 1.05, code: 'g/L' });
    for (const o of obs) expect(o.effectiveDateTime).toBe('2026-11-23T09:05:00.000Z');
  });

  it('gives one Condition per coded result or diagnosis, CISP-2 and CIM-10 as the note carries them', () => {
    const conditions = resources<Condition>(bundle, 'Condition');
    expect(conditions.map((c) => [c.code?.coding?.[0]?.system, c.code?.coding?.[0]?.code])).toEqual(
      [
        [SYSTEMS.cisp2, 'R79'],
        [SYSTEMS.cim10, 'J44.9'],
      ],
    );
    for (const c of conditions) {
      expect(c.meta?.profile).toEqual([FR_CORE_PROFILES.condition]);
      expect(c.verificationStatus?.coding?.[0]?.code).toBe('confirmed');
    }
  });

  it('carries the note as a DocumentReference: UTF-8 text/plain in base64, with its addenda', () => {
    const [doc] = resources<DocumentReference>(bundle, 'DocumentReference');
    const attachment = doc?.content[0]?.attachment;
    expect(attachment?.contentType).toBe('text/plain; charset=utf-8');
    const text = decode(attachment?.data ?? '');
    expect(text).toBe(noteText(source()));
    expect(text).toContain('Sibilants diffus');
    expect(text).toContain('VEMS 62 % — « à revoir »');
    // Said in words, never an internal key.
    expect(text).toContain('Orientation vers un spécialiste — Pneumologue, CH du Mans');
    expect(text).not.toMatch(/specialist|to_validate|validated/);
    expect(doc?.docStatus).toBe('final');
    expect(doc?.securityLabel?.[0]?.coding?.[0]?.code).toBe('N');
  });

  it('marks an intern’s note awaiting validation as preliminary, with no legal attester', () => {
    const b = consultationBundle(
      source({
        consultation: { ...note, status: 'to_validate' },
        signatures: signatures.slice(0, 1),
      }),
      coordination,
      MADE_AT,
    );
    expect(fhirErrors(b)).toEqual([]);
    const [composition] = resources<Composition>(b, 'Composition');
    expect(composition?.status).toBe('preliminary');
    expect(composition?.attester?.map((a) => a.mode)).toEqual(['professional']);
    const [doc] = resources<DocumentReference>(b, 'DocumentReference');
    expect(doc?.docStatus).toBe('preliminary');
    expect(doc?.authenticator).toBeUndefined();
    for (const c of resources<Condition>(b, 'Condition')) {
      expect(c.verificationStatus?.coding?.[0]?.code).toBe('provisional');
    }
  });

  it('is the same every time for the same note (stable ids)', () => {
    expect(consultationBundle(source(), coordination, MADE_AT)).toEqual(bundle);
    expect(fhirUuid('Patient', 'p1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(fhirUuid('Patient', 'p1')).not.toBe(fhirUuid('Encounter', 'p1'));
  });

  it('encodes UTF-8 base64 like Node does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        expect(base64Utf8(s)).toBe(Buffer.from(s, 'utf8').toString('base64'));
      }),
    );
  });
});

describe('the validator can fail', () => {
  const good = consultationBundle(source(), coordination, MADE_AT);
  const broken = (mutate: (b: Record<string, unknown>) => void): unknown => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    mutate(copy);
    return copy;
  };

  it.each([
    ['an unknown bundle type', (b: Record<string, unknown>) => (b.type = 'dossier')],
    ['a property R4 does not define', (b: Record<string, unknown>) => (b.couleur = 'bleu')],
    [
      'a gender outside the value set',
      (b: Record<string, unknown>) => {
        const entries = b.entry as { resource: Record<string, unknown> }[];
        const p = entries.find((e) => e.resource.resourceType === 'Patient');
        if (p) p.resource.gender = 'M';
      },
    ],
    [
      'a date in French order',
      (b: Record<string, unknown>) => {
        const entries = b.entry as { resource: Record<string, unknown> }[];
        const p = entries.find((e) => e.resource.resourceType === 'Patient');
        if (p) p.resource.birthDate = '08/03/1951';
      },
    ],
    [
      'an observation without its code',
      (b: Record<string, unknown>) => {
        const entries = b.entry as { resource: Record<string, unknown> }[];
        const o = entries.find((e) => e.resource.resourceType === 'Observation');
        if (o) delete o.resource.code;
      },
    ],
    [
      'a Medplum-only resource type',
      (b: Record<string, unknown>) => {
        (b.entry as unknown[]).push({
          fullUrl: 'urn:uuid:00000000-0000-8000-8000-000000000000',
          resource: { resourceType: 'Project', name: 'x' },
        });
      },
    ],
    [
      'a Medplum-only Meta property',
      (b: Record<string, unknown>) => {
        b.meta = { project: 'x' };
      },
    ],
  ])('rejects %s', (_, mutate) => {
    expect(fhirErrors(good)).toEqual([]);
    expect(fhirErrors(broken(mutate)).length).toBeGreaterThan(0);
  });
});

describe('refusals', () => {
  it('refuses a draft and a returned note with the documents’ French reasons', () => {
    expect(() =>
      consultationBundle(
        source({ consultation: { ...note, status: 'draft' } }),
        coordination,
        MADE_AT,
      ),
    ).toThrow('Export FHIR impossible : la note n’est pas encore signée. Signez-la d’abord.');
    expect(() =>
      consultationBundle(
        source({ consultation: { ...note, status: 'returned' } }),
        coordination,
        MADE_AT,
      ),
    ).toThrow(/Export FHIR impossible : la note a été renvoyée par le superviseur/);
  });
});

// ---- who receives a note: every device profile × every class ----

const CLASSES: Confidentiality[] = ['standard', 'social', 'sexual_health'];
const restrictedService = (c: Confidentiality): Service => ({
  ...service,
  id: `svc-${c}`,
  confidentiality: c,
  professions: c === 'standard' ? ['medecin', 'interne'] : ['sage_femme', 'assistante_sociale'],
});

/** A device and who is signed in on it, and what they may export of each class. */
const READERS: {
  label: string;
  profile: DeviceProfile;
  roomId: string | null;
  person: Staff;
  may: Record<Confidentiality, boolean>;
}[] = [
  {
    label: 'reception (agent d’accueil)',
    profile: 'reception',
    roomId: null,
    person: accueil,
    may: { standard: false, social: false, sexual_health: false },
  },
  {
    label: 'waiting-room display',
    profile: 'display',
    roomId: null,
    person: accueil,
    may: { standard: false, social: false, sexual_health: false },
  },
  {
    label: 'the room holding the note (a clinician of the service’s profession)',
    profile: 'room',
    roomId: 'r1',
    person: sageFemme,
    may: { standard: true, social: true, sexual_health: true },
  },
  {
    label: 'another room (same clinician)',
    profile: 'room',
    roomId: 'r2',
    person: sageFemme,
    may: { standard: true, social: false, sexual_health: false },
  },
  {
    label: 'the room holding the note (a doctor outside the service’s professions)',
    profile: 'room',
    roomId: 'r1',
    person: durand,
    may: { standard: true, social: false, sexual_health: false },
  },
  {
    label: 'the room holding the note (a social worker)',
    profile: 'room',
    roomId: 'r1',
    person: social,
    may: { standard: false, social: true, sexual_health: false },
  },
  {
    label: 'coordination (coordinating doctor)',
    profile: 'coordination',
    roomId: null,
    person: morvan,
    may: { standard: true, social: true, sexual_health: true },
  },
  {
    label: 'coordination (a clinician who does not coordinate)',
    profile: 'coordination',
    roomId: null,
    person: durand,
    may: { standard: true, social: false, sexual_health: false },
  },
];

describe('a note reaches an export only where its reader may read it (profile × class)', () => {
  const services = CLASSES.map(restrictedService);
  for (const r of READERS) {
    for (const cls of CLASSES) {
      it(`${r.label} × ${cls}: ${r.may[cls] ? 'exported' : 'refused'}`, () => {
        const c: Consultation = {
          ...note,
          authorId: 'sf',
          supervisorId: null,
          serviceId: `svc-${cls}`,
          confidentiality: cls,
        };
        const reader: FhirReader = {
          viewer: { profile: r.profile, roomId: r.roomId },
          person: r.person,
          facts: facts(services),
        };
        const s = source({ consultation: c, service: restrictedService(cls) });
        expect(fhirRefusal(c, patient, s.queueEntry, reader) === null).toBe(r.may[cls]);
        const period = periodBundle([s], reader, { from: '2026-11-01', to: '2026-11-30' }, MADE_AT);
        expect(period.exported).toBe(r.may[cls] ? 1 : 0);
        expect(period.notReadable).toBe(r.may[cls] ? 0 : 1);
        const text = JSON.stringify(period.bundle);
        // A note left out leaves nothing of itself: no text, no code, no identity.
        expect(text.includes(base64Utf8(noteText(s)))).toBe(r.may[cls]);
        expect(text.includes('Lebrun')).toBe(r.may[cls]);
        expect(fhirErrors(period.bundle)).toEqual([]);
        if (r.may[cls]) {
          const inner = period.bundle.entry?.[0]?.resource as Bundle;
          const [doc] = resources<DocumentReference>(inner, 'DocumentReference');
          expect(doc?.securityLabel?.[0]?.coding?.[0]?.code).toBe(cls === 'standard' ? 'N' : 'R');
        } else {
          expect(() => consultationBundle(s, reader, MADE_AT)).toThrow(/Export FHIR impossible/);
        }
      });
    }
  }
});

describe('a period’s export', () => {
  it('is one collection of document bundles, unsigned notes counted apart, audited by counts', () => {
    const drafts = source({ consultation: { ...note, id: 'c2', status: 'draft' } });
    const second = source({
      consultation: { ...note, id: 'c3', createdAt: '2026-11-23T10:00:00.000Z' },
      vitals: [],
      signatures: [],
    });
    const result = periodBundle(
      [second, drafts, source()],
      coordination,
      { from: '2026-11-01', to: '2026-11-30' },
      MADE_AT,
    );
    expect(fhirErrors(result.bundle)).toEqual([]);
    expect(result.bundle.type).toBe('collection');
    expect(result).toMatchObject({ exported: 2, unsigned: 1, notReadable: 0 });
    const inner = (result.bundle.entry ?? []).map((e) => e.resource as Bundle);
    expect(inner.map((b) => b.type)).toEqual(['document', 'document']);
    // Oldest first.
    expect(
      inner.map((b) => resources<Encounter>(b, 'Encounter')[0]?.identifier?.[0]?.value),
    ).toEqual(['c1', 'c3']);
    const detail = periodAuditDetail({ from: '2026-11-01', to: '2026-11-30' }, result);
    expect(detail).toBe(
      'FHIR 2026-11-01 → 2026-11-30 : 2 consultation(s) exportée(s), 0 non lisible(s) par ce profil, 1 non signée(s)',
    );
    expect(detail).not.toContain('Lebrun');
  });

  it('is a valid empty collection when nothing was signed', () => {
    const result = periodBundle(
      [],
      coordination,
      { from: '2026-11-01', to: '2026-11-30' },
      MADE_AT,
    );
    expect(result.exported).toBe(0);
    expect(fhirErrors(result.bundle)).toEqual([]);
  });
});

// ---- property: any signed consultation gives a valid bundle ----

const text = fc.string({ unit: 'grapheme', maxLength: 120 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const code = fc.record({
  system: fc.constantFrom('CISP-2' as const, 'CIM-10' as const),
  code: fc.stringMatching(/^[A-Z]\d{2}(\.\d)?$/),
  label: fc.string({ minLength: 1, maxLength: 60 }),
  use: fc.constantFrom('reason' as const, 'result' as const, 'diagnosis' as const),
});
const vitalsArb = fc.record({
  systolic: maybe(fc.integer({ min: 40, max: 300 })),
  diastolic: maybe(fc.integer({ min: 20, max: 200 })),
  heartRate: maybe(fc.integer({ min: 20, max: 250 })),
  temperature: maybe(fc.double({ min: 30, max: 45, noNaN: true })),
  spo2: maybe(fc.integer({ min: 50, max: 100 })),
  weightKg: maybe(fc.double({ min: 0.3, max: 400, noNaN: true })),
  heightCm: maybe(fc.double({ min: 20, max: 250, noNaN: true })),
  glycaemia: maybe(fc.double({ min: 0.1, max: 10, noNaN: true })),
});
const consultationArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 64 }),
  motif: text,
  subjective: text,
  objective: text,
  assessment: text,
  plan: text,
  codes: fc.uniqueArray(code, { maxLength: 5, selector: (c) => `${c.system}${c.code}${c.use}` }),
  status: fc.constantFrom('to_validate' as const, 'validated' as const),
  confidentiality: fc.constantFrom(...CLASSES),
  supervised: fc.boolean(),
  rpps: fc.boolean(),
  identityStatus: fc.constantFrom(
    'provisoire' as const,
    'recuperee' as const,
    'validee' as const,
    'qualifiee' as const,
  ),
  sex: fc.constantFrom('F' as const, 'M' as const, 'I' as const),
  birthDate: fc
    .date({ min: new Date('1900-01-01'), max: new Date('2026-11-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  birthName: fc.string({ minLength: 1, maxLength: 40 }),
  firstNames: fc.string({ minLength: 1, maxLength: 40 }),
  vitals: fc.array(vitalsArb, { maxLength: 3 }),
  addenda: fc.array(text, { maxLength: 2 }),
  stopKnown: fc.boolean(),
});

describe('property: every signed consultation exports to a valid FHIR R4 bundle', () => {
  it('validates against the schema with the FR Core pieces in place', () => {
    fc.assert(
      fc.property(consultationArb, (g) => {
        const author = g.supervised ? benali : { ...morvan, rpps: g.rpps ? '10100050078' : null };
        const c: Consultation = {
          ...note,
          id: g.id,
          authorId: author.id,
          supervisorId: g.supervised ? 'morvan' : null,
          motif: g.motif,
          subjective: g.subjective,
          objective: g.objective,
          assessment: g.assessment,
          plan: g.plan,
          codes: g.codes,
          status: g.status,
          confidentiality: g.confidentiality,
          serviceId: 'mg',
        };
        const s = source({
          consultation: c,
          patient: {
            ...patient,
            identityStatus: g.identityStatus,
            sex: g.sex,
            birthDate: g.birthDate,
            birthName: g.birthName,
            firstNames: g.firstNames,
          },
          staff: new Map([...directory, [author.id, author as Staff]]),
          stop: g.stopKnown ? source().stop : undefined,
          vitals: g.vitals.map((v, i) => ({
            ...vitals,
            ...v,
            id: `${g.id}-v${i}`,
            consultationId: g.id,
          })),
          addenda: g.addenda.map((t, i) => ({
            id: `${g.id}-a${i}`,
            orgId: 'org',
            consultationId: g.id,
            authorId: 'morvan',
            at: `2026-11-24T10:0${i}:00.000Z`,
            text: t,
          })),
          signatures: signatures.map((x) => ({ ...x, consultationId: g.id })),
        });
        const bundle = consultationBundle(s, coordination, MADE_AT);
        expect(fhirErrors(bundle)).toEqual([]);
        const [p] = resources<FhirPatient>(bundle, 'Patient');
        const qualified = g.identityStatus === 'qualifiee';
        expect(p?.meta?.profile?.includes(FR_CORE_PROFILES.patientIns)).toBe(qualified);
        expect(p?.identifier?.[0]?.system === 'urn:oid:1.2.250.1.213.1.4.8').toBe(qualified);
        expect(p?.extension?.some((e) => e.url === FR_CORE_EXTENSIONS.identityReliability)).toBe(
          true,
        );
        const [doc] = resources<DocumentReference>(bundle, 'DocumentReference');
        expect(decode(doc?.content[0]?.attachment.data ?? '')).toBe(noteText(s));
        const conditions = resources<Condition>(bundle, 'Condition');
        expect(conditions.length).toBe(g.codes.filter((x) => x.use !== 'reason').length);
      }),
      { numRuns: 60 },
    );
  });
});
