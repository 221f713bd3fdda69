import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canEdit,
  canRead,
  canReview,
  canSign,
  orientationErrors,
  returnErrors,
  signErrors,
  signedContent,
  signProblems,
  statusAfterSigning,
} from '../../src/domain/consultation';
import type { Consultation, Staff } from '../../src/domain/entities';
import { readingFacts } from '../../src/domain/reading';

const staff = (id: string, over: Partial<Staff> = {}): Staff => ({
  id,
  orgId: 'org',
  firstName: id,
  lastName: 'X',
  profession: 'interne',
  roles: ['clinicien'],
  supervisorId: null,
  active: true,
  ...over,
});
const coord = staff('coord', { profession: 'medecin', roles: ['clinicien', 'coordinateur'] });
const intern = staff('intern', { supervisorId: 'coord' });
const otherIntern = staff('other', { supervisorId: 'coord' });
const gp = staff('gp', { profession: 'medecin' });
const midwife = staff('sf', { profession: 'sage_femme' });
const social = staff('as', { profession: 'assistante_sociale', roles: ['social'] });

const complete: Consultation = {
  id: 'c1',
  orgId: 'org',
  queueEntryId: 'q1',
  visitId: 'v1',
  patientId: 'p1',
  stopId: 's1',
  serviceId: 'mg',
  authorId: 'intern',
  supervisorId: 'coord',
  motif: 'Toux',
  subjective: 'Toux depuis 3 jours',
  objective: 'Auscultation normale',
  assessment: 'Bronchite aiguë probable',
  plan: 'Traitement symptomatique',
  codes: [{ system: 'CISP-2', code: 'R78', label: 'Bronchite aiguë', use: 'result' }],
  orientation: { kind: 'none' },
  confidentiality: 'standard',
  status: 'draft',
  returnComment: null,
  createdAt: '2026-11-23T09:00:00.000Z',
};

describe('signing a note', () => {
  it('a complete draft can be signed by its author only', () => {
    expect(canSign(complete, 'intern')).toEqual({ ok: true });
    expect(canSign(complete, 'other')).toEqual({
      ok: false,
      reason: 'Seul l’auteur de la note peut la signer.',
    });
    expect(canSign(complete, null).ok).toBe(false);
  });

  it('names each missing required part', () => {
    const empty = { ...complete, motif: ' ', assessment: '', plan: '', codes: [] };
    expect(signErrors(empty)).toEqual([
      'Le motif de consultation est obligatoire.',
      'L’appréciation (A) est obligatoire.',
      'Le plan (P) est obligatoire.',
      'Coder au moins un résultat de consultation en CISP-2.',
    ]);
    // A CIM-10 diagnosis or a CISP-2 reason alone is not a coded result.
    const reasonOnly = {
      ...complete,
      codes: [
        { system: 'CISP-2' as const, code: 'R05', label: 'Toux', use: 'reason' as const },
        {
          system: 'CIM-10' as const,
          code: 'J20',
          label: 'Bronchite aiguë',
          use: 'diagnosis' as const,
        },
      ],
    };
    expect(signErrors(reasonOnly)).toEqual([
      'Coder au moins un résultat de consultation en CISP-2.',
    ]);
  });

  it('names the part of the note each missing piece belongs to, in the note’s order', () => {
    const empty = {
      ...complete,
      motif: '',
      plan: ' ',
      codes: [],
      orientation: { kind: 'msp_cpts' as const },
    };
    expect(signProblems(empty).map((p) => p.part)).toEqual([
      'motif',
      'plan',
      'codes',
      'orientation',
    ]);
    expect(signProblems(empty).at(-1)?.message).toBe('Orientation : préciser la MSP ou la CPTS.');
    expect(signProblems(complete)).toEqual([]);
  });

  it('says the same as signErrors, part by part, for any note', () => {
    const text = fc.constantFrom('', ' ', 'x');
    fc.assert(
      fc.property(text, text, text, fc.boolean(), (motif, assessment, plan, coded) => {
        const c = { ...complete, motif, assessment, plan, codes: coded ? complete.codes : [] };
        const problems = signProblems(c);
        expect(problems.map((p) => p.message)).toEqual(signErrors(c));
        expect(problems.length === 0).toBe(canSign(c, 'intern').ok);
      }),
    );
  });

  it('requires the details of an orientation', () => {
    expect(orientationErrors({ kind: 'mt_found' })).toHaveLength(1);
    expect(orientationErrors({ kind: 'mt_found', mtName: 'Dr Roger' })).toEqual([]);
    expect(orientationErrors({ kind: 'specialist' })).toHaveLength(1);
    expect(orientationErrors({ kind: 'follow_up_truck', followUpStopId: 's2' })).toHaveLength(1);
    expect(
      orientationErrors({
        kind: 'follow_up_truck',
        followUpStopId: 's2',
        followUpAppointmentId: 'a',
      }),
    ).toEqual([]);
    expect(orientationErrors({ kind: 'emergency' })).toEqual([]);
  });

  it('a signed or validated note is no longer editable; a returned one is', () => {
    expect(canEdit({ status: 'draft' }).ok).toBe(true);
    expect(canEdit({ status: 'returned' }).ok).toBe(true);
    expect(canEdit({ status: 'to_validate' }).ok).toBe(false);
    expect(canEdit({ status: 'validated' })).toMatchObject({ ok: false, reason: /addendum/ });
    expect(canSign({ ...complete, status: 'to_validate' }, 'intern').ok).toBe(false);
  });

  it('an intern’s signature awaits validation; an autonomous professional’s is final', () => {
    expect(statusAfterSigning(intern)).toBe('to_validate');
    expect(statusAfterSigning(midwife)).toBe('validated');
  });

  it('the signed content ignores code order but sees any change of text', () => {
    const codes = [
      { system: 'CISP-2' as const, code: 'R78', label: 'a', use: 'result' as const },
      { system: 'CISP-2' as const, code: 'R05', label: 'b', use: 'reason' as const },
    ];
    const a = signedContent({ ...complete, codes });
    const b = signedContent({ ...complete, codes: [...codes].reverse() });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (extra) => {
        const changed = signedContent({ ...complete, plan: complete.plan + extra });
        expect(JSON.stringify(changed)).not.toBe(JSON.stringify(a));
      }),
    );
  });
});

describe('validating or returning a note', () => {
  const awaiting = { ...complete, status: 'to_validate' as const };

  it('the author’s supervisor (or a coordinating doctor) may; the author and other interns may not', () => {
    expect(canReview(awaiting, coord, intern)).toEqual({ ok: true });
    expect(canReview(awaiting, intern, intern)).toEqual({
      ok: false,
      reason: 'L’auteur ne peut pas valider sa propre note.',
    });
    expect(canReview(awaiting, otherIntern, intern)).toEqual({
      ok: false,
      reason: 'Seul le médecin superviseur de l’auteur peut valider ou renvoyer cette note.',
    });
    expect(canReview(awaiting, gp, intern).ok).toBe(false);
  });

  it('only a note awaiting validation can be reviewed', () => {
    expect(canReview(complete, coord, intern).ok).toBe(false);
    expect(canReview({ ...complete, status: 'validated' }, coord, intern).ok).toBe(false);
  });

  it('a return needs a comment', () => {
    expect(returnErrors('  ')).toHaveLength(1);
    expect(returnErrors('Préciser l’examen')).toEqual([]);
  });
});

describe('reading restricted notes', () => {
  const services = readingFacts({
    services: [
      { id: 'mg', professions: ['interne', 'medecin'] },
      { id: 'sf', professions: ['sage_femme', 'gynecologue'] },
      { id: 'as', professions: ['assistante_sociale'] },
    ],
    objections: [],
    breakGlasses: [],
    now: '2026-11-30T10:00:00.000Z',
  });
  const note = (serviceId: string, confidentiality: Consultation['confidentiality']) => ({
    serviceId,
    confidentiality,
    authorId: 'someone',
    patientId: 'p1',
    supervisorId: null,
  });

  it('standard notes reach clinicians, not an unidentified reader', () => {
    expect(canRead(note('mg', 'standard'), intern, services)).toBe(true);
    expect(canRead(note('mg', 'standard'), undefined, services)).toBe(false);
  });

  it('sexual-health and social notes reach their professions and the coordinator only', () => {
    expect(canRead(note('sf', 'sexual_health'), midwife, services)).toBe(true);
    expect(canRead(note('sf', 'sexual_health'), intern, services)).toBe(false);
    expect(canRead(note('sf', 'sexual_health'), coord, services)).toBe(true);
    expect(canRead(note('as', 'social'), social, services)).toBe(true);
    expect(canRead(note('as', 'social'), gp, services)).toBe(false);
    expect(canRead({ ...note('as', 'social'), authorId: 'gp' }, gp, services)).toBe(true);
  });
});
