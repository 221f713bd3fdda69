// The past record's rules (src/domain/patient-record.ts): who may receive one at all, what of
// the patient it holds (every identity merged into theirs), which notes reach the person (canRead),
// that a note's vitals, signatures and addenda leave with it or not at all, and an audit detail
// that holds counts, never text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Consultation, Service, Staff } from '../../src/domain/entities';
import {
  pastRecord,
  recordAuditDetail,
  recordFound,
  recordRefusal,
} from '../../src/domain/patient-record';
import { readingFacts } from '../../src/domain/reading';

const services = new Map<string, Pick<Service, 'professions'>>([
  ['mg', { professions: ['medecin', 'interne', 'infirmier'] }],
  ['sf', { professions: ['sage_femme'] }],
]);
const facts = readingFacts({
  services: [...services].map(([id, s]) => ({ id, professions: s.professions })),
  objections: [],
  breakGlasses: [],
  now: '2026-12-04T10:00:00.000Z',
});
const doctor = { id: 'doc', profession: 'medecin', roles: ['clinicien'] } as const;
const midwife = { id: 'sf1', profession: 'sage_femme', roles: ['clinicien'] } as const;

const note = (id: string, patientId: string, over: Partial<Consultation> = {}) =>
  ({
    id,
    patientId,
    serviceId: 'mg',
    authorId: 'someone',
    confidentiality: 'standard',
    createdAt: `2025-01-0${id.length % 9}T08:00:00.000Z`,
    motif: `motif ${id}`,
    ...over,
  }) as unknown as Record<string, unknown>;

describe('who may receive a past record', () => {
  it('refuses the unknown, those who left and those without a clinical, social or coordinating role', () => {
    expect(recordRefusal(undefined)).toMatch(/Personne inconnue/);
    expect(recordRefusal({ active: false, roles: ['clinicien'] })).toMatch(/plus active/);
    expect(recordRefusal({ active: true, roles: ['accueil'] })).toMatch(/réservé aux soignants/);
    expect(recordRefusal({ active: true, roles: ['affichage'] })).not.toBeNull();
    for (const role of ['clinicien', 'social', 'coordinateur'] as const) {
      expect(recordRefusal({ active: true, roles: [role] })).toBeNull();
    }
  });
});

describe('what a past record holds', () => {
  const rows = {
    patient: [
      { id: 'p', birthName: 'DURAND', mergedInto: null },
      { id: 'dup', birthName: 'DURANT', mergedInto: 'p' },
      { id: 'other', birthName: 'AUTRE', mergedInto: null },
    ],
    visit: [
      { id: 'v1', patientId: 'p', arrivedAt: '2025-01-01T08:00:00.000Z' },
      { id: 'v2', patientId: 'dup', arrivedAt: '2025-02-01T08:00:00.000Z' },
      { id: 'v3', patientId: 'other', arrivedAt: '2025-03-01T08:00:00.000Z' },
    ],
    consultation: [
      note('c1', 'p'),
      note('c2', 'dup'),
      note('c3', 'p', { serviceId: 'sf', confidentiality: 'sexual_health' }),
      note('c4', 'other'),
      note('c5', 'p', { _deleted: true } as Partial<Consultation>),
    ],
    vitals: [
      { id: 'vi1', consultationId: 'c1', patientId: 'p' },
      { id: 'vi3', consultationId: 'c3', patientId: 'p' },
    ],
    addendum: [{ id: 'a3', consultationId: 'c3', text: 'x' }],
    signature: [{ id: 's1', consultationId: 'c1' }],
    allergy: [
      { id: 'al1', patientId: 'dup' },
      { id: 'al2', patientId: 'other' },
    ],
  };

  it('follows merges both ways: asked by the duplicate or the survivor, the same record', () => {
    const bySurvivor = pastRecord('p', rows, doctor as unknown as Staff, facts);
    const byDuplicate = pastRecord('dup', rows, doctor as unknown as Staff, facts);
    expect(byDuplicate).toEqual(bySurvivor);
    expect(bySurvivor.patientId).toBe('p');
    expect(bySurvivor.patient).toMatchObject({ id: 'p' });
    expect(bySurvivor.visits.map((v) => v.id)).toEqual(['v2', 'v1']);
    expect(bySurvivor.allergies.map((a) => a.id)).toEqual(['al1']);
  });

  it('gives each person the notes they may read, with their events, and nothing of the others', () => {
    const forDoctor = pastRecord('p', rows, doctor as unknown as Staff, facts);
    expect(forDoctor.consultations.map((c) => c.id).sort()).toEqual(['c1', 'c2']);
    expect(forDoctor.vitals.map((v) => v.id)).toEqual(['vi1']);
    expect(forDoctor.addenda).toEqual([]);
    expect(forDoctor.signatures.map((s) => s.id)).toEqual(['s1']);
    const forMidwife = pastRecord('p', rows, midwife as unknown as Staff, facts);
    expect(forMidwife.consultations.map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(forMidwife.addenda.map((a) => a.id)).toEqual(['a3']);
  });

  it('is empty for a patient nobody holds', () => {
    const none = pastRecord('ghost', rows, doctor as unknown as Staff, facts);
    expect(recordFound(none)).toBe(false);
    expect(recordFound(pastRecord('p', rows, doctor as unknown as Staff, facts))).toBe(true);
  });

  it('audits counts, never what was read', () => {
    const record = pastRecord('p', rows, midwife as unknown as Staff, facts);
    const detail = recordAuditDetail(record, 'relay');
    expect(detail).toBe(
      'dossier antérieur (relais) : 2 passage(s), 3 note(s), 1 élément(s) du résumé',
    );
    expect(detail).not.toMatch(/motif|DURAND/);
  });

  it('never lets out a note the person may not read, nor an event of one, nor a row of another patient (property)', () => {
    const people = [
      doctor,
      midwife,
      { id: 'as', profession: 'assistante_sociale', roles: ['social'] },
      { id: 'co', profession: 'medecin', roles: ['coordinateur'] },
      { id: 'rec', profession: 'accueil', roles: ['accueil'] },
    ];
    const arbNote = fc.record({
      id: fc.uuid(),
      patientId: fc.constantFrom('p', 'dup', 'other'),
      serviceId: fc.constantFrom('mg', 'sf'),
      authorId: fc.constantFrom('doc', 'sf1', 'as', 'someone'),
      confidentiality: fc.constantFrom('standard', 'social', 'sexual_health'),
      createdAt: fc.constant('2025-01-01T08:00:00.000Z'),
    });
    fc.assert(
      fc.property(
        fc.array(arbNote, { maxLength: 12 }),
        fc.constantFrom(...people),
        (notes, who) => {
          const vitals = notes.map((n, i) => ({
            id: `v${i}`,
            consultationId: n.id,
            patientId: n.patientId,
          }));
          const record = pastRecord(
            'p',
            { patient: rows.patient, consultation: notes, vitals },
            who as unknown as Staff,
            facts,
          );
          const out = new Set(record.consultations.map((c) => c.id));
          for (const c of record.consultations) {
            expect(['p', 'dup']).toContain(c.patientId);
          }
          for (const n of notes) {
            const readable =
              who.roles.includes('coordinateur' as never) ||
              n.authorId === who.id ||
              (n.confidentiality === 'standard'
                ? // the social roles read the transmission written for them, not the note
                  who.roles.includes('clinicien' as never)
                : (services.get(n.serviceId)?.professions.includes(who.profession as never) ??
                  false));
            expect(out.has(n.id)).toBe(readable && n.patientId !== 'other');
          }
          for (const v of record.vitals) expect(out.has(v.consultationId)).toBe(true);
        },
      ),
    );
  });
});
