// Who reads what of a note (src/domain/reading.ts), written out role × class × purpose, with and
// without the reader's profession in the note's service and the patient's objection: the
// exhaustive enumeration below fails on any cell the table changes without this file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Confidentiality,
  confidentialitySchema,
  type Role,
  roleSchema,
} from '../../src/domain/entities';
import {
  BREAK_GLASS_MS,
  breakGlassRefusal,
  groupLevel,
  noteAccess,
  objectingPatients,
  READ_PURPOSES,
  type ReadLevel,
  type ReadPurpose,
  readingFacts,
  readLevel,
} from '../../src/domain/reading';

const NOW = '2026-12-04T10:00:00.000Z';
const ROLES = roleSchema.options;
const CLASSES = confidentialitySchema.options;

/** Ordinary care, by role and class: [profession of the service, profession elsewhere]. */
const CARE: Record<Role, Record<Confidentiality, [ReadLevel, ReadLevel]>> = {
  clinicien: {
    standard: ['note', 'note'],
    social: ['note', 'none'],
    sexual_health: ['note', 'none'],
  },
  social: {
    standard: ['transmission', 'transmission'],
    social: ['note', 'transmission'],
    sexual_health: ['transmission', 'transmission'],
  },
  coordinateur: {
    standard: ['note', 'note'],
    social: ['note', 'note'],
    sexual_health: ['note', 'note'],
  },
  accueil: {
    standard: ['none', 'none'],
    social: ['none', 'none'],
    sexual_health: ['none', 'none'],
  },
  affichage: {
    standard: ['none', 'none'],
    social: ['none', 'none'],
    sexual_health: ['none', 'none'],
  },
};

/** What each purpose gives, when it is the reader's (author, supervisor, coordinating doctor,
 * a clinician with a running bris de glace) — whatever the class and the objection. */
function expected(
  role: Role,
  cls: Confidentiality,
  purpose: ReadPurpose,
  inProfession: boolean,
  objects: boolean,
): ReadLevel {
  switch (purpose) {
    case 'authorship':
    case 'supervision':
      return 'note';
    case 'coordination':
      return role === 'coordinateur' ? 'note' : 'none';
    case 'break_glass':
      return role === 'clinicien' ? 'note' : 'none';
    case 'care':
      return objects ? 'none' : CARE[role][cls][inProfession ? 0 : 1];
  }
}

describe('who reads what, role × class × purpose', () => {
  const cases: [Role, Confidentiality, ReadPurpose, boolean, boolean][] = [];
  for (const role of ROLES)
    for (const cls of CLASSES)
      for (const purpose of READ_PURPOSES)
        for (const inProfession of [true, false])
          for (const objects of [false, true])
            cases.push([role, cls, purpose, inProfession, objects]);

  it('enumerates every case', () => {
    expect(cases).toHaveLength(ROLES.length * CLASSES.length * READ_PURPOSES.length * 4);
  });

  it.each(cases)(
    '%s reading a %s note for %s (profession: %s, objection: %s)',
    (role, cls, purpose, inProfession, objects) => {
      const reader = { id: 'reader', profession: 'medecin', roles: [role] };
      // The purpose is the reader's only in its own situation: they wrote it, they supervise its
      // author, they hold a bris de glace for the patient.
      const note = {
        authorId: purpose === 'authorship' ? 'reader' : 'author',
        supervisorId: purpose === 'supervision' ? 'reader' : null,
        serviceId: 'svc',
        patientId: 'p1',
        confidentiality: cls,
      };
      const facts = readingFacts({
        services: [{ id: 'svc', professions: inProfession ? ['medecin'] : ['sage_femme'] }],
        objections: objects ? [{ patientId: 'p1', at: NOW, objects: true }] : [],
        breakGlasses:
          purpose === 'break_glass'
            ? [{ patientId: 'p1', staffId: 'reader', at: NOW, until: '2026-12-04T11:00:00.000Z' }]
            : [],
        now: NOW,
      });
      expect(readLevel(reader, note, purpose, facts)).toBe(
        expected(role, cls, purpose, inProfession, objects),
      );
    },
  );

  it('a purpose that is not the reader’s gives nothing', () => {
    const facts = readingFacts({ services: [], objections: [], breakGlasses: [], now: NOW });
    const note = {
      authorId: 'a',
      supervisorId: 's',
      serviceId: 'x',
      patientId: 'p',
      confidentiality: 'standard' as const,
    };
    const reader = { id: 'r', profession: 'medecin', roles: ['clinicien'] };
    expect(readLevel(reader, note, 'authorship', facts)).toBe('none');
    expect(readLevel(reader, note, 'supervision', facts)).toBe('none');
    expect(readLevel(reader, note, 'coordination', facts)).toBe('none');
    expect(readLevel(reader, note, 'break_glass', facts)).toBe('none');
  });
});

describe('the access of a person and of a device', () => {
  const arb = fc.record({
    roles: fc.subarray([...ROLES], { minLength: 0 }),
    cls: fc.constantFrom(...CLASSES),
    objects: fc.boolean(),
    glass: fc.boolean(),
    author: fc.boolean(),
  });

  it('is the best of the purposes, and a group reads what its best reader reads', () => {
    fc.assert(
      fc.property(arb, arb, ({ roles, cls, objects, glass, author }, other) => {
        const facts = readingFacts({
          services: [{ id: 's', professions: ['assistante_sociale'] }],
          objections: objects ? [{ patientId: 'p', at: NOW, objects: true }] : [],
          breakGlasses: glass
            ? [{ patientId: 'p', staffId: 'r', at: NOW, until: '2026-12-05T00:00:00.000Z' }]
            : [],
          now: NOW,
        });
        const note = {
          authorId: author ? 'r' : 'a',
          serviceId: 's',
          patientId: 'p',
          confidentiality: cls,
        };
        const r = { id: 'r', profession: 'assistante_sociale', roles };
        const o = { id: 'o', profession: 'medecin', roles: other.roles };
        const levels = READ_PURPOSES.map((p) => readLevel(r, note, p, facts));
        const access = noteAccess(r, note, facts);
        const rank = { none: 0, transmission: 1, note: 2 };
        expect(rank[access.level]).toBe(Math.max(...levels.map((l) => rank[l])));
        const group = groupLevel([r, o], note, facts);
        expect(rank[group]).toBe(
          Math.max(rank[access.level], rank[noteAccess(o, note, facts).level]),
        );
      }),
    );
  });

  it('never gives the social roles a standard note, only its transmission', () => {
    const facts = readingFacts({
      services: [{ id: 's', professions: ['medecin'] }],
      objections: [],
      breakGlasses: [],
      now: NOW,
    });
    for (const profession of ['assistante_sociale', 'mediateur']) {
      const reader = { id: 'x', profession, roles: ['social'] };
      const note = {
        authorId: 'gp',
        serviceId: 's',
        patientId: 'p',
        confidentiality: 'standard' as const,
      };
      expect(noteAccess(reader, note, facts)).toEqual({ level: 'transmission', purpose: 'care' });
    }
  });
});

describe('objections and bris de glace', () => {
  it('the latest record of a patient says whether they object', () => {
    const rows = [
      { patientId: 'p', at: '2026-12-01T09:00:00.000Z', objects: true },
      { patientId: 'p', at: '2026-12-02T09:00:00.000Z', objects: false },
      { patientId: 'q', at: '2026-12-02T09:00:00.000Z', objects: true },
    ];
    expect([...objectingPatients(rows)]).toEqual(['q']);
  });

  it('a bris de glace runs from its start until its end only', () => {
    const breakGlasses = [
      { patientId: 'p', staffId: 'r', at: NOW, until: '2026-12-04T14:00:00.000Z' },
    ];
    const at = (now: string) =>
      readingFacts({ services: [], objections: [], breakGlasses, now }).breakGlass('r', 'p');
    expect(at('2026-12-04T09:59:59.000Z')).toBe(false);
    expect(at(NOW)).toBe(true);
    expect(at('2026-12-04T13:59:59.000Z')).toBe(true);
    expect(at('2026-12-04T14:00:00.000Z')).toBe(false);
  });

  it('is declared by a clinician in their own name, with a reason of the list, for four hours at most', () => {
    const row = {
      staffId: 'r',
      at: NOW,
      until: new Date(Date.parse(NOW) + BREAK_GLASS_MS).toISOString(),
      reason: 'urgence_vitale',
    };
    expect(breakGlassRefusal(row, 'r', ['clinicien'])).toBeNull();
    expect(breakGlassRefusal(row, 'other', ['clinicien'])).not.toBeNull();
    expect(breakGlassRefusal(row, 'r', ['social'])).not.toBeNull();
    expect(breakGlassRefusal({ ...row, reason: 'curiosité' }, 'r', ['clinicien'])).not.toBeNull();
    expect(
      breakGlassRefusal(
        { ...row, until: new Date(Date.parse(NOW) + BREAK_GLASS_MS + 1).toISOString() },
        'r',
        ['clinicien'],
      ),
    ).not.toBeNull();
  });
});
