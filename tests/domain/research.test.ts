// The research extract (issue #17 item 4, MR-004): objecting patients never exported, dates to
// the ISO week, places to the EPCI, restricted classes left out whole, pseudonyms under a key
// whose fingerprint shows a typo, and no cell of quasi-identifiers with fewer than 5 patients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Consultation,
  Patient,
  ResearchObjection,
  Service,
  Stop,
  Visit,
} from '../../src/domain/entities';
import { epciOf, loadEpci } from '../../src/domain/epci';
import {
  type Candidate,
  isoWeek,
  keyFingerprint,
  MASKED,
  pseudonym,
  type ResearchInput,
  type ResearchRow,
  releasedCell,
  researchCsv,
  researchExtract,
  researchKeyRefusal,
  researchObjectors,
  suppressSmallCells,
} from '../../src/domain/research';
import { buildDemoDataset } from '../../src/server/seed/demo';

const KEY = 'clé-de-l-étude-2026';

describe('the ISO week a date is coarsened to', () => {
  it.each([
    ['2026-12-03', '2026-W49'],
    ['2026-06-15', '2026-W25'],
    // The week's Thursday decides its year.
    ['2027-01-01', '2026-W53'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });
});

describe('the study key', () => {
  it('has a fingerprint of eight hexadecimal characters, the same each time', () => {
    expect(keyFingerprint(KEY)).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(keyFingerprint(KEY)).toBe(keyFingerprint(KEY));
  });

  it('shows a typo: one character changed gives another fingerprint (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40 }), fc.nat(), (key, at) => {
        const i = at % key.length;
        const typo = key.slice(0, i) + (key[i] === 'x' ? 'y' : 'x') + key.slice(i + 1);
        return keyFingerprint(typo) !== keyFingerprint(key);
      }),
    );
  });

  it('is refused when missing, too short, or not the study’s', () => {
    expect(researchKeyRefusal('', null)).toBe('Saisissez la clé de pseudonymisation de l’étude.');
    expect(researchKeyRefusal('court', null)).toMatch(/au moins 8 caractères/);
    expect(researchKeyRefusal(KEY, null)).toBeNull();
    expect(researchKeyRefusal(KEY, keyFingerprint(KEY))).toBeNull();
    const typo = `${KEY}!`;
    expect(researchKeyRefusal(typo, keyFingerprint(KEY))).toBe(
      `Cette clé a l’empreinte ${keyFingerprint(typo)}, pas celle de l’étude (${keyFingerprint(KEY)}) : vérifiez la saisie.`,
    );
  });
});

describe('who objects to research', () => {
  const rec = (patientId: string, at: string, objects: boolean): ResearchObjection =>
    ({ id: `${patientId}-${at}`, orgId: 'o', patientId, staffId: 's', at, objects }) as never;

  it('is decided by the latest record of each patient; a tie goes to the objection', () => {
    const who = researchObjectors([
      rec('a', '2026-01-01T10:00:00.000Z', true),
      rec('b', '2026-01-01T10:00:00.000Z', true),
      rec('b', '2026-02-01T10:00:00.000Z', false),
      rec('c', '2026-03-01T10:00:00.000Z', false),
      rec('c', '2026-03-01T10:00:00.000Z', true),
    ]);
    expect([...who].sort()).toEqual(['a', 'c']);
  });
});

describe('the offline EPCI index', () => {
  const index = loadEpci({
    source: 'test',
    epci: [['200000001', 'CC du Saosnois', '72180 72181 72003']],
    within: [['72999', '72181']],
  });

  it('gives a member commune’s EPCI, and a former commune the EPCI of the commune it joined', () => {
    expect(epciOf(index, '72181')).toBe('200000001');
    expect(epciOf(index, '72999')).toBe('200000001');
    expect(epciOf(index, '75056')).toBeNull();
    expect(epciOf(index, null)).toBeNull();
    expect(index.names.get('200000001')).toBe('CC du Saosnois');
  });

  it('refuses a file that is not one', () => {
    expect(() => loadEpci({ nope: true })).toThrow('Liste des intercommunalités illisible.');
  });
});

// A small world written by hand: one stop a week in the Saosnois, services of each class.
const ORG = 'org';
const EPCI: Record<string, string> = { '72181': 'E-SAOSNOIS', '72003': 'E-SAOSNOIS' };
const epci = (code: string | null | undefined) => (code ? (EPCI[code] ?? null) : null);
const services = [
  { id: 'gp', code: 'MG', confidentiality: 'standard' },
  { id: 'social', code: 'SOC', confidentiality: 'social' },
] as unknown as Service[];
const stop = (id: string, date: string): Stop =>
  ({ id, orgId: ORG, date, communeInsee: '72181' }) as unknown as Stop;
const patient = (id: string, over: Partial<Patient> = {}): Patient =>
  ({
    id,
    orgId: ORG,
    birthName: `NOM-${id}`,
    firstNames: 'Prénom',
    birthDate: '1980-05-05',
    sex: 'F',
    nir: null,
    communeInsee: '72003',
    ...over,
  }) as unknown as Patient;
let n = 0;
const consultation = (
  patientId: string,
  stopId: string,
  over: Partial<Consultation> = {},
): Consultation =>
  ({
    id: `c${++n}`,
    orgId: ORG,
    patientId,
    stopId,
    visitId: `v-${patientId}-${stopId}`,
    serviceId: 'gp',
    confidentiality: 'standard',
    orientation: { kind: 'none' },
    codes: [{ system: 'CISP-2', code: 'R74', label: 'Infection aiguë', use: 'result' }],
    ...over,
  }) as unknown as Consultation;

function world(patients: Patient[], consultations: Consultation[], stops: Stop[]): ResearchInput {
  return {
    key: KEY,
    period: { from: '2026-01-01', to: '2026-12-31' },
    stops,
    visits: [] as Visit[],
    consultations,
    patients,
    services,
    objections: [],
    epciOf: epci,
  };
}

describe('the research extract', () => {
  const six = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id) => patient(id));
  const monday = stop('s1', '2026-11-23');

  it('keeps a cell of six alike patients whole: week, EPCI, codes, pseudonyms', () => {
    const out = researchExtract(
      world(
        six,
        six.map((p) => consultation(p.id, 's1')),
        [monday],
      ),
    );
    expect(out.rows).toHaveLength(6);
    expect(out.suppressed).toBe(0);
    expect(out.generalised).toBe(0);
    expect(out.rows[0]).toMatchObject({
      period: '2026-W48',
      place: 'E-SAOSNOIS',
      residence: 'E-SAOSNOIS',
      service: 'MG',
      ageBand: '46-65',
      sex: 'F',
      codes: 'CISP-2:R74',
    });
    expect(new Set(out.rows.map((r) => r.pseudonym))).toEqual(
      new Set(six.map((p) => pseudonym(KEY, p.id))),
    );
    expect(out.fingerprint).toBe(keyFingerprint(KEY));
  });

  it('never exports a patient who objects, and says how many lines that left out', () => {
    const input = world(
      six,
      six.map((p) => consultation(p.id, 's1')),
      [monday],
    );
    const out = researchExtract({
      ...input,
      objections: [
        {
          id: 'o1',
          orgId: ORG,
          patientId: 'p1',
          staffId: 's',
          at: '2026-11-23T09:00:00.000Z',
          objects: true,
        } as ResearchObjection,
      ],
    });
    expect(out.objected).toBe(1);
    expect(out.rows.map((r) => r.pseudonym)).not.toContain(pseudonym(KEY, 'p1'));
    // Five patients remain: still a cell of five.
    expect(out.rows).toHaveLength(5);
  });

  it('leaves restricted classes out whole: no line, so no column can reveal them', () => {
    const consultations = [
      ...six.map((p) => consultation(p.id, 's1')),
      ...six.map((p) =>
        consultation(p.id, 's1', { serviceId: 'social', confidentiality: 'social' }),
      ),
      consultation('p1', 's1', { confidentiality: 'sexual_health' }),
    ];
    const out = researchExtract(world(six, consultations, [monday]));
    expect(out.restricted).toBe(7);
    expect(out.rows).toHaveLength(6);
    expect(out.rows.every((r) => r.service === 'MG')).toBe(true);
  });

  it('generalises a cell too small (a man among women) before it suppresses', () => {
    const people = [...six, patient('m1', { sex: 'M' } as never)];
    const out = researchExtract(
      world(
        people,
        people.map((p) => consultation(p.id, 's1')),
        [monday],
      ),
    );
    // The man's cell (1 patient) stays small at every step that keeps the women apart: his line
    // goes. The six women's cell is kept as it is.
    expect(out.rows).toHaveLength(6);
    expect(out.suppressed).toBe(1);
    expect(out.rows.map((r) => r.pseudonym)).not.toContain(pseudonym(KEY, 'm1'));
  });

  it('masks the sex where that is enough to reach five patients', () => {
    const mixed = [
      ...['f1', 'f2', 'f3'].map((id) => patient(id)),
      ...['m1', 'm2'].map((id) => patient(id, { sex: 'M' } as never)),
    ];
    const out = researchExtract(
      world(
        mixed,
        mixed.map((p) => consultation(p.id, 's1')),
        [monday],
      ),
    );
    expect(out.rows).toHaveLength(5);
    expect(out.generalised).toBe(5);
    expect(out.rows.every((r) => r.sex === MASKED && r.ageBand === '46-65')).toBe(true);
  });

  it('coarsens the week to the month as a last step', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => patient(id));
    const stops = [stop('w1', '2026-11-03'), stop('w2', '2026-11-10'), stop('w3', '2026-11-17')];
    const consultations = five.map((p, i) => consultation(p.id, stops[i % 3]!.id));
    const out = researchExtract(world(five, consultations, stops));
    expect(out.rows).toHaveLength(5);
    expect(out.rows.every((r) => r.period === '2026-11')).toBe(true);
  });

  it('refuses a key of the wrong fingerprint, and exports nothing', () => {
    const input = world(
      six,
      six.map((p) => consultation(p.id, 's1')),
      [monday],
    );
    expect(() =>
      researchExtract({ ...input, key: `${KEY}x`, expectedFingerprint: keyFingerprint(KEY) }),
    ).toThrow(/pas celle de l’étude/);
    expect(() => researchExtract({ ...input, key: '' })).toThrow(/Saisissez la clé/);
  });

  it('holds no name, birth date, NIR or patient id (the demonstration organisation)', () => {
    const { data } = buildDemoDataset({ today: '2026-11-30' });
    const out = researchExtract({
      key: KEY,
      period: { from: '2026-01-01', to: '2026-11-30' },
      stops: data.stop,
      visits: data.visit,
      consultations: data.consultation,
      patients: data.patient,
      services: data.service,
      objections: [],
      epciOf: () => 'E',
      minCell: 1,
    });
    expect(out.rows.length).toBeGreaterThan(0);
    const csv = researchCsv(out.rows);
    expect(csv.split('\r\n')[0]).toBe(
      'pseudonyme;periode;epci_lieu;epci_residence;service;tranche_age;sexe;sans_mt;ald;orientation;codes',
    );
    for (const p of data.patient) {
      expect(csv).not.toContain(p.id);
      expect(csv).not.toContain(p.birthName);
      expect(csv).not.toContain(p.birthDate);
      if (p.nir) expect(csv).not.toContain(p.nir);
    }
    const other = researchExtract({
      key: 'une-autre-clé',
      period: { from: '2026-01-01', to: '2026-11-30' },
      stops: data.stop,
      visits: data.visit,
      consultations: data.consultation,
      patients: data.patient,
      services: data.service,
      objections: [],
      epciOf: () => 'E',
      minCell: 1,
    });
    const mine = new Set(out.rows.map((r) => r.pseudonym));
    expect(other.rows.some((r) => mine.has(r.pseudonym))).toBe(false);
  });
});

describe('the small-cell rule (property)', () => {
  const candidate: fc.Arbitrary<Candidate> = fc
    .record({
      patient: fc.integer({ min: 1, max: 30 }),
      week: fc.constantFrom('2026-W44', '2026-W45', '2026-W49'),
      place: fc.constantFrom('E1', 'E2'),
      residence: fc.constantFrom('E1', 'E2', 'inconnu'),
      ageBand: fc.constantFrom('16-25', '26-45', '46-65', 'inconnu'),
      sex: fc.constantFrom('F', 'M', 'inconnu'),
      codes: fc.constantFrom('', 'CISP-2:R74'),
    })
    .map((r) => ({
      month: r.week === '2026-W49' ? '2026-12' : '2026-11',
      row: {
        pseudonym: `P-${r.patient}`,
        period: r.week,
        place: r.place,
        residence: r.residence,
        service: 'MG',
        ageBand: r.ageBand as ResearchRow['ageBand'],
        sex: r.sex,
        noMt: false,
        ald: false,
        orientation: 'none',
        codes: r.codes,
      },
    }));

  it('releases no cell of quasi-identifiers with fewer than k patients, and accounts for every line', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 120 }),
        fc.integer({ min: 2, max: 6 }),
        (rows, k) => {
          const out = suppressSmallCells(rows, k);
          expect(out.rows.length + out.suppressed).toBe(rows.length);
          const cells = new Map<string, Set<string>>();
          for (const r of out.rows) {
            const c = cells.get(releasedCell(r)) ?? new Set<string>();
            c.add(r.pseudonym);
            cells.set(releasedCell(r), c);
          }
          for (const patients of cells.values()) expect(patients.size).toBeGreaterThanOrEqual(k);
          // Only quasi-identifiers change: what a line says of the care is kept.
          const said = (r: ResearchRow) => [r.pseudonym, r.place, r.service, r.codes].join('|');
          const before = rows.map((c) => said(c.row)).sort();
          const after = out.rows.map(said);
          for (const line of after) expect(before).toContain(line);
        },
      ),
      { numRuns: 300 },
    );
  });
});
