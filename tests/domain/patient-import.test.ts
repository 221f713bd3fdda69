// Importing the previous software's patient list (src/domain/patient-import.ts): reading the file
// whatever its encoding and separator, guessing the columns, checking each record with
// reception's rules, flagging duplicates, and never losing a record.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowSchema } from '../../src/domain/entities';
import {
  type ColumnMapping,
  decodeCsv,
  detectSeparator,
  guessMapping,
  IMPORT_FIELDS,
  importBatches,
  importDate,
  importSex,
  missingFields,
  parseCsv,
  patientsToImport,
  planImport,
  readCsv,
  recordInput,
} from '../../src/domain/patient-import';
import { HEADER, patientFixture, person } from './patient-import-fixture';

const ctx = (registry: Parameters<typeof planImport>[2]['registry'] = []) => {
  let n = 0;
  return {
    orgId: 'org-1',
    today: '2026-12-04',
    now: '2026-12-04T10:00:00.000Z',
    registry,
    newId: () => `patient-${n++}`,
  };
};
const utf8 = (s: string) => new TextEncoder().encode(s);
/** Windows-1252 bytes of text holding only Latin-1 letters (plus œ, 0x9C). */
const cp1252 = (s: string) =>
  Uint8Array.from([...s].map((c) => (c === 'œ' ? 0x9c : c.charCodeAt(0))));

describe('reading the file', () => {
  it('reads UTF-8 (with or without its byte-order mark) and Windows-1252', () => {
    expect(decodeCsv(utf8('\uFEFFNom;Prénom\r\nLefèvre;Zoé'))).toEqual({
      text: 'Nom;Prénom\r\nLefèvre;Zoé',
      encoding: 'utf-8',
    });
    expect(decodeCsv(cp1252('Nom;Prénom\r\nCœur;Anaïs'))).toEqual({
      text: 'Nom;Prénom\r\nCœur;Anaïs',
      encoding: 'windows-1252',
    });
  });

  it('detects `;` or `,` from the header line, separators in quotes aside', () => {
    expect(detectSeparator('Nom;Prénom;Date\n')).toBe(';');
    expect(detectSeparator('Nom,Prénom,Date\n')).toBe(',');
    expect(detectSeparator('"Nom; de naissance",Prénom,Date\na;b;c;d;e')).toBe(',');
    expect(detectSeparator('Nom\n')).toBe(';');
  });

  it('reads quoted fields holding separators, quotes and line breaks; skips empty lines', () => {
    expect(parseCsv('a;"b;c";"d ""e"""\r\n\r\n"f\ng";;h\n', ';')).toEqual([
      ['a', 'b;c', 'd "e"'],
      ['f\ng', '', 'h'],
    ]);
    expect(parseCsv('a,b\rc,d', ',')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('gives back any table it is given, written as RFC 4180 (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ';', ',', '"', '\n', '\r', ' ') });
    fc.assert(
      fc.property(
        fc.constantFrom<';' | ','>(';', ','),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 20 }),
        (sep, table) => {
          const text = table
            .map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(sep))
            .join('\r\n');
          expect(parseCsv(text, sep)).toEqual(table);
        },
      ),
    );
  });

  it('reads a whole export: encoding, separator, headers and records', () => {
    const table = readCsv(cp1252('Nom de naissance,Prénom(s)\r\nCœur,Anaïs\r\n'));
    expect(table).toEqual({
      encoding: 'windows-1252',
      separator: ',',
      headers: ['Nom de naissance', 'Prénom(s)'],
      rows: [['Cœur', 'Anaïs']],
    });
  });
});

describe('the columns', () => {
  it('guesses the mapping from the headers of the usual French exports', () => {
    const mapping = guessMapping([
      'N° dossier',
      'Nom de naissance',
      "Nom d'usage",
      'Prénom(s)',
      'Date de naissance',
      'Sexe',
      'Lieu de naissance (INSEE)',
      'N° Sécurité sociale',
      'Téléphone',
      'Courriel',
      'Adresse',
      'Médecin traitant',
    ]);
    expect(mapping).toMatchObject({
      birthName: 1,
      usedName: 2,
      firstNames: 3,
      birthDate: 4,
      sex: 5,
      birthPlaceCode: 6,
      nir: 7,
      phone: 8,
      email: 9,
      address: 10,
      mtName: 11,
      usedFirstName: null,
      communeInsee: null,
      allergies: null,
    });
    expect(missingFields(mapping)).toEqual([]);
  });

  it('never maps one column to two fields, and says which required fields have no column', () => {
    const mapping = guessMapping(['Nom', 'NOM', 'Prénom', 'Téléphone']);
    expect(mapping.birthName).toBe(0);
    expect(mapping.usedName).toBeNull();
    expect(missingFields(mapping)).toEqual(['sex', 'birthDate', 'birthPlaceCode']);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HEADER, 'Nom', 'Prénom', 'x', '')), (headers) => {
        const used = Object.values(guessMapping(headers)).filter((i) => i !== null);
        expect(new Set(used).size).toBe(used.length);
        for (const i of used) expect(i).toBeLessThan(headers.length);
      }),
    );
  });

  it('reads French dates and the usual spellings of the sex', () => {
    expect(importDate('03/02/1961')).toBe('1961-02-03');
    expect(importDate('3.2.1961')).toBe('1961-02-03');
    expect(importDate('1961-02-03')).toBe('1961-02-03');
    // A date that does not exist stays as written, for the rules to quote it.
    expect(importDate('31/02/1980')).toBe('31/02/1980');
    expect(importDate('bientôt')).toBe('bientôt');
    expect(['Femme', 'féminin', 'F', '2'].map(importSex)).toEqual(['F', 'F', 'F', 'F']);
    expect(['Homme', 'Masculin', 'm', '1'].map(importSex)).toEqual(['M', 'M', 'M', 'M']);
    expect(importSex('Indéterminé')).toBe('I');
    expect(importSex('X')).toBe('X');
  });

  it('fills the registration form (identity « provisoire ») from a record', () => {
    const mapping = guessMapping([...HEADER, 'Médecin traitant']);
    const input = recordInput(
      ['Lefèvre', 'Zoé  Anne', '03/02/1961', 'Femme', ' 72 181', '', '06 12 34 56 78', 'Dr Roy'],
      mapping,
    );
    expect(input).toMatchObject({
      birthName: 'Lefèvre',
      firstNames: 'Zoé  Anne',
      birthDate: '1961-02-03',
      sex: 'F',
      birthPlaceCode: '72181',
      identityStatus: 'provisoire',
      mtStatus: 'declared',
      mtName: 'Dr Roy',
    });
  });
});

describe('the plan', () => {
  const mapping = guessMapping(HEADER);
  const row = (n: number) => {
    const p = person(n);
    return [
      p.birthName,
      p.firstNames,
      `${p.birthDate.slice(8)}/${p.birthDate.slice(5, 7)}/${p.birthDate.slice(0, 4)}`,
      p.sex,
      p.birthPlaceCode,
      p.nir,
      p.phone,
    ];
  };

  it('accepts a valid record as a patient row the schema accepts', () => {
    const plan = planImport([row(1)], mapping, ctx());
    expect(plan).toMatchObject({ accepted: 1, refused: 0, duplicates: 0 });
    const [outcome] = plan.outcomes;
    expect(outcome?.kind).toBe('accepted');
    if (outcome?.kind !== 'accepted') return;
    expect(outcome.line).toBe(2);
    expect(outcome.patient).toMatchObject({
      id: 'patient-0',
      orgId: 'org-1',
      birthName: person(1).birthName,
      identityStatus: 'provisoire',
      createdAt: '2026-12-04T10:00:00.000Z',
    });
    expect(rowSchema('patient').safeParse(outcome.patient).success).toBe(true);
  });

  it('refuses a record with each reason in French, named by its column', () => {
    const bad = row(2);
    bad[0] = '';
    bad[2] = '31/02/1980';
    bad[6] = '12';
    const plan = planImport([row(1), bad], mapping, ctx());
    expect(plan.outcomes[1]).toEqual({
      line: 3,
      kind: 'refused',
      reasons: [
        'Nom de naissance : Le nom de naissance est obligatoire.',
        "Date de naissance : La date de naissance « 31/02/1980 » n'est pas une date valide.",
        'Téléphone : Le numéro de téléphone doit comporter 10 chiffres (ex. 06 12 34 56 78).',
      ],
    });
  });

  it('flags a person already held, and a record repeating an earlier one, with the line', () => {
    const known = { id: 'deja-la', ...person(3) };
    const again = row(1);
    again[0] = again[0]!.toUpperCase();
    const plan = planImport([row(1), row(3), again], mapping, ctx([known]));
    expect(plan).toMatchObject({ accepted: 1, refused: 0, duplicates: 2 });
    expect(plan.outcomes[1]).toMatchObject({
      kind: 'duplicate',
      line: 3,
      of: [{ patientId: 'deja-la', line: null }],
    });
    expect(plan.outcomes[2]).toMatchObject({
      kind: 'duplicate',
      line: 4,
      of: [{ patientId: 'patient-0', line: 2 }],
    });
    // Not imported unless chosen; chosen, it records the suspects and who chose.
    expect(patientsToImport(plan, new Set(), 'staff-1').map((p) => p.id)).toEqual(['patient-0']);
    const chosen = patientsToImport(plan, new Set([4]), 'staff-1');
    expect(chosen.map((p) => p.id)).toEqual(['patient-0', 'patient-2']);
    expect(chosen[1]?.duplicateDecision).toEqual({
      suspects: ['patient-0'],
      choice: 'created_anyway',
      by: 'staff-1',
    });
  });

  it('loses no record: each is accepted, refused with a reason, or flagged (property)', () => {
    const text = fc.constantFrom(
      '',
      'Lefèvre',
      'X1',
      '31/02/1980',
      '03/02/1961',
      'F',
      'M',
      '72181',
    );
    const record = fc.oneof(
      fc.nat({ max: 40 }).map(row),
      fc.array(text, { maxLength: 9 }),
      fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 6 }), text).map(([n, i, v]) => {
        const r = row(n);
        r[i] = v;
        return r;
      }),
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.boolean(), (rows, chooseAll) => {
        const plan = planImport(rows, mapping, ctx([{ id: 'deja-la', ...person(5) }]));
        expect(plan.outcomes.map((o) => o.line)).toEqual(rows.map((_, i) => i + 2));
        expect(plan.accepted + plan.refused + plan.duplicates).toBe(rows.length);
        for (const o of plan.outcomes) {
          if (o.kind === 'refused') expect(o.reasons.length).toBeGreaterThan(0);
          if (o.kind === 'duplicate') expect(o.of.length).toBeGreaterThan(0);
          if (o.kind !== 'refused') {
            expect(rowSchema('patient').safeParse(o.patient).success).toBe(true);
          }
        }
        const flagged = plan.outcomes.filter((o) => o.kind === 'duplicate').map((o) => o.line);
        const written = patientsToImport(plan, new Set(chooseAll ? flagged : []), 'staff-1');
        expect(written).toHaveLength(plan.accepted + (chooseAll ? plan.duplicates : 0));
        expect(new Set(written.map((p) => p.id)).size).toBe(written.length);
      }),
      { numRuns: 60 },
    );
  });

  it('cuts the patients into batches, in order, none lost (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat()), fc.integer({ min: 1, max: 50 }), (items, size) => {
        const batches = importBatches(items, size);
        expect(batches.flat()).toEqual(items);
        for (const b of batches) expect(b.length).toBeGreaterThan(0);
        for (const b of batches) expect(b.length).toBeLessThanOrEqual(size);
      }),
    );
  });
});

describe('an export of 5,000 patients with broken records', () => {
  it('plans 4,500 imports, 300 refusals (bad date, bad NIR key, no name) and 200 duplicates', () => {
    const fixture = patientFixture(5_000);
    const table = readCsv(utf8(fixture.csv));
    expect(table.rows).toHaveLength(5_000);
    const mapping: ColumnMapping = guessMapping(table.headers);
    expect(missingFields(mapping)).toEqual([]);
    expect(IMPORT_FIELDS.filter((f) => mapping[f] !== null)).toHaveLength(HEADER.length);
    const plan = planImport(table.rows, mapping, ctx(fixture.registry));
    // Every 50 records: 3 refused (#7, #17, #27), 2 flagged (#37, #47), 45 accepted.
    expect({ accepted: plan.accepted, refused: plan.refused, duplicates: plan.duplicates }).toEqual(
      { accepted: 4_500, refused: 300, duplicates: 200 },
    );
    expect(fixture.expected).toEqual({ accepted: 4_500, refused: 300, duplicates: 200 });
    const linesOf = (pred: (o: (typeof plan.outcomes)[number]) => boolean) =>
      plan.outcomes.filter(pred).map((o) => o.line);
    const reasonOf = (word: string) =>
      linesOf((o) => o.kind === 'refused' && o.reasons.some((r) => r.startsWith(word)));
    expect(reasonOf('Date de naissance')).toEqual(fixture.lines.badDate);
    expect(reasonOf('NIR')).toEqual(fixture.lines.badNir);
    expect(reasonOf('Nom de naissance')).toEqual(fixture.lines.noName);
    expect(linesOf((o) => o.kind === 'duplicate' && o.of.some((d) => d.line !== null))).toEqual(
      fixture.lines.inFile,
    );
    expect(
      linesOf((o) => o.kind === 'duplicate' && o.of.some((d) => d.patientId.startsWith('deja-'))),
    ).toEqual(fixture.lines.known);
  }, 120_000);
});
