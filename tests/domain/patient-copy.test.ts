// The patient's copy of their record (right of access, issue #16 item 2): every trait and its
// history, every visit, every signed note with its vitals, signatures and addenda, the summary,
// the documents given and the orientations, across merged identities; people named, no internal
// id; drafts left out.
import { describe, expect, it } from 'vitest';
import type {
  Addendum,
  Consultation,
  FollowedOrientation,
  IdentityChange,
  Patient,
  PrintedDocument,
  Signature,
  Staff,
  Visit,
  Vitals,
} from '../../src/domain/entities';
import { COPY_FORMAT, copyAuditDetail, patientCopy } from '../../src/domain/patient-copy';
import type { PastRecord } from '../../src/domain/patient-record';

const staff = [
  { id: 'st-garnier', firstName: 'Thomas', lastName: 'Garnier' },
  { id: 'st-morvan', firstName: 'Claire', lastName: 'Morvan' },
] as Staff[];
const stops = [{ id: 'stop-1', communeName: 'Mamers', date: '2026-11-23' }] as never[];
const services = [{ id: 'svc-mg', label: 'Médecine générale' }] as never[];

const patient = {
  id: 'pat-survivor',
  orgId: 'org-1',
  birthName: 'LEBRUN',
  firstNames: 'Noël',
  sex: 'M',
  birthDate: '1961-02-03',
  birthPlaceCode: '72180',
  nir: null,
  mergedInto: null,
} as unknown as Patient;

const note = (id: string, patientId: string, createdAt: string, motif: string): Consultation =>
  ({
    id,
    patientId,
    stopId: 'stop-1',
    serviceId: 'svc-mg',
    authorId: 'st-garnier',
    supervisorId: 'st-morvan',
    createdAt,
    status: 'validated',
    confidentiality: 'sexual_health',
    motif,
    subjective: 'S',
    objective: 'O',
    assessment: `A ${motif}`,
    plan: 'P',
    codes: [{ system: 'CISP-2', code: 'R74', label: 'Infection aiguë', use: 'result' }],
    orientation: { kind: 'none' },
  }) as unknown as Consultation;

function record(): PastRecord {
  return {
    patientId: 'pat-survivor',
    patient,
    visits: [
      {
        id: 'v2',
        patientId: 'pat-survivor',
        stopId: 'stop-1',
        arrivedAt: '2026-11-23T10:00:00.000Z',
        motif: 'Toux',
        noMt: true,
        ald: false,
      },
      {
        id: 'v1',
        patientId: 'pat-merged',
        stopId: 'stop-1',
        arrivedAt: '2026-11-23T08:00:00.000Z',
        motif: 'Fièvre',
        noMt: true,
        ald: false,
      },
    ] as unknown as Visit[],
    consultations: [
      note('note-signed', 'pat-merged', '2026-11-23T08:30:00.000Z', 'Fièvre'),
      note('note-draft', 'pat-survivor', '2026-11-23T10:30:00.000Z', 'Toux'),
    ],
    vitals: [
      {
        id: 'vt1',
        consultationId: 'note-signed',
        patientId: 'pat-merged',
        takenAt: '2026-11-23T08:35:00.000Z',
        authorId: 'st-garnier',
        systolic: 185,
        temperature: 39.2,
      },
    ] as unknown as Vitals[],
    signatures: [
      {
        id: 'sg1',
        consultationId: 'note-signed',
        kind: 'author',
        staffId: 'st-garnier',
        at: '2026-11-23T08:50:00.000Z',
        contentHash: 'h',
        comment: null,
      },
      {
        id: 'sg2',
        consultationId: 'note-signed',
        kind: 'supervisor',
        staffId: 'st-morvan',
        at: '2026-11-23T12:00:00.000Z',
        contentHash: 'h',
        comment: null,
      },
    ] as Signature[],
    addenda: [
      {
        id: 'ad1',
        consultationId: 'note-signed',
        authorId: 'st-morvan',
        at: '2026-11-24T09:00:00.000Z',
        text: 'Radiographie normale.',
      },
    ] as Addendum[],
    problems: [],
    treatments: [],
    allergies: [
      {
        id: 'al1',
        patientId: 'pat-merged',
        recordedAt: '2026-11-23T08:40:00.000Z',
        recordedBy: 'st-garnier',
        consultationId: 'note-signed',
        substance: 'Pénicilline',
        kind: 'allergy',
        category: 'medication',
        reaction: 'anaphylaxis',
        severity: 'severe',
        note: null,
      },
    ] as never[],
    vaccinations: [],
  };
}

const input = () => ({
  record: record(),
  group: ['pat-survivor', 'pat-merged'],
  identityChanges: [
    {
      id: 'ic1',
      patientId: 'pat-survivor',
      at: '2026-11-23T11:00:00.000Z',
      staffId: 'st-morvan',
      kind: 'merge',
      changes: [{ field: 'birthName', before: 'LEBRUM', after: 'LEBRUN' }],
      otherPatientId: 'pat-merged',
    },
    {
      id: 'ic2',
      patientId: 'someone-else',
      at: '2026-11-23T11:00:00.000Z',
      staffId: 'st-morvan',
      kind: 'correction',
      changes: [],
      otherPatientId: null,
    },
  ] as unknown as IdentityChange[],
  orientations: [
    {
      id: 'or1',
      patientId: 'pat-merged',
      consultationId: 'note-signed',
      createdAt: '2026-11-23T08:45:00.000Z',
      createdBy: 'st-garnier',
      purpose: 'medecin_traitant',
      target: 'msp',
      targetName: 'MSP de Mamers',
      note: null,
      state: { status: 'contacted', epoch: 0, rank: 1 },
      steps: [
        { state: 'contacted', at: '2026-11-25T09:00:00.000Z', by: 'st-morvan', reason: null },
      ],
    },
  ] as unknown as FollowedOrientation[],
  printedDocuments: [
    {
      id: 'pd1',
      consultationId: 'note-signed',
      patientId: 'pat-merged',
      kind: 'compte_rendu',
      templateId: null,
      staffId: 'st-garnier',
      at: '2026-11-23T09:00:00.000Z',
      format: 'pdf',
      pendingValidation: false,
    },
  ] as PrintedDocument[],
  stops,
  services,
  staff,
  madeAt: '2026-12-01T10:00:00.000Z',
  madeBy: 'st-morvan',
});

describe('the patient’s copy of their record', () => {
  it('holds the identity, both sides of a merge, the signed note with its vitals, signatures and addendum, the summary, documents and orientations', () => {
    const copy = patientCopy(input());
    expect(copy.format).toBe(COPY_FORMAT);
    expect(copy.madeBy).toBe('Claire Morvan');
    expect(copy.identity).toMatchObject({ birthName: 'LEBRUN', birthDate: '1961-02-03' });
    expect(copy.visits.map((v) => v.motif)).toEqual(['Fièvre', 'Toux']);
    expect(copy.visits[0]!.place).toBe('Mamers');
    expect(copy.identityHistory).toEqual([
      {
        at: '2026-11-23T11:00:00.000Z',
        by: 'Claire Morvan',
        kind: 'merge',
        changes: [{ field: 'birthName', before: 'LEBRUM', after: 'LEBRUN' }],
      },
    ]);
    expect(copy.notes).toHaveLength(1);
    const [n] = copy.notes;
    expect(n).toMatchObject({
      motif: 'Fièvre',
      assessment: 'A Fièvre',
      author: 'Thomas Garnier',
      supervisor: 'Claire Morvan',
      service: 'Médecine générale',
      // The patient's own restricted note is theirs to read.
      confidentiality: 'sexual_health',
    });
    expect(n!.vitals).toEqual([
      { takenAt: '2026-11-23T08:35:00.000Z', systolic: 185, temperature: 39.2 },
    ]);
    expect(n!.signatures.map((s) => `${s.kind} ${s.by}`)).toEqual([
      'author Thomas Garnier',
      'supervisor Claire Morvan',
    ]);
    expect(n!.addenda).toEqual([
      { at: '2026-11-24T09:00:00.000Z', by: 'Claire Morvan', text: 'Radiographie normale.' },
    ]);
    expect(copy.summary.allergies).toEqual([
      expect.objectContaining({ substance: 'Pénicilline', recordedBy: 'Thomas Garnier' }),
    ]);
    expect(copy.documents).toEqual([
      {
        kind: 'compte_rendu',
        at: '2026-11-23T09:00:00.000Z',
        by: 'Thomas Garnier',
        noteDate: '2026-11-23T08:30:00.000Z',
      },
    ]);
    expect(copy.orientations).toEqual([
      {
        createdAt: '2026-11-23T08:45:00.000Z',
        by: 'Thomas Garnier',
        purpose: 'medecin_traitant',
        target: 'msp',
        targetName: 'MSP de Mamers',
        state: 'contacted',
        steps: [
          { state: 'contacted', at: '2026-11-25T09:00:00.000Z', by: 'Claire Morvan', reason: null },
        ],
      },
    ]);
    expect(copyAuditDetail(copy)).toBe(
      'copie du dossier : 2 passage(s), 1 note(s), 1 document(s), 1 orientation(s)',
    );
  });

  it('leaves out a draft: not yet part of the record', () => {
    const copy = patientCopy(input());
    expect(copy.notes.map((n) => n.motif)).not.toContain('Toux');
  });

  it('names people and carries no internal id', () => {
    const text = JSON.stringify(patientCopy(input()));
    for (const id of [
      'pat-survivor',
      'pat-merged',
      'note-signed',
      'st-garnier',
      'st-morvan',
      'org-1',
      'stop-1',
      'svc-mg',
      'sg1',
      'ad1',
      'al1',
      'pd1',
      'or1',
      'ic1',
    ]) {
      expect(text).not.toContain(id);
    }
  });

  it('is refused for a patient the device does not hold', () => {
    expect(() => patientCopy({ ...input(), record: { ...record(), patient: null } })).toThrow(
      'Ce patient n’est pas connu sur cet appareil.',
    );
  });
});
