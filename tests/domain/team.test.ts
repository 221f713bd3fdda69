// Managing the team: each member needs a name, a profession and a role; an intern needs an
// active clinician as supervisor.
import { describe, expect, it } from 'vitest';
import { defaultRoles, staffErrors } from '../../src/domain/team';

const team = [
  { id: 'morvan', roles: ['clinicien', 'coordinateur'] as const, active: true },
  { id: 'leroy', roles: ['accueil'] as const, active: true },
  { id: 'old', roles: ['clinicien'] as const, active: false },
].map((s) => ({ ...s, roles: [...s.roles] }));

const intern = {
  firstName: 'Léa',
  lastName: 'Martin',
  profession: 'interne' as const,
  roles: ['clinicien' as const],
  supervisorId: 'morvan',
};

describe('a team member', () => {
  it('is accepted with a name, a profession, a role and, for an intern, a supervisor', () => {
    expect(staffErrors(intern, team, null)).toEqual({});
  });

  it('names every missing part', () => {
    expect(
      staffErrors(
        { firstName: ' ', lastName: '', profession: '', roles: [], supervisorId: null },
        team,
        null,
      ),
    ).toEqual({
      firstName: 'Indiquez le prénom.',
      lastName: 'Indiquez le nom.',
      profession: 'Choisissez la profession.',
      roles: 'Cochez au moins un rôle.',
    });
  });

  it('refuses an intern without supervisor, or supervised by someone who is not an active clinician', () => {
    expect(staffErrors({ ...intern, supervisorId: null }, team, null).supervisorId).toMatch(
      /supervision/,
    );
    expect(staffErrors({ ...intern, supervisorId: 'leroy' }, team, null).supervisorId).toMatch(
      /clinicien actif/,
    );
    expect(staffErrors({ ...intern, supervisorId: 'old' }, team, null).supervisorId).toMatch(
      /clinicien actif/,
    );
    expect(staffErrors({ ...intern, supervisorId: 'morvan' }, team, 'morvan').supervisorId).toMatch(
      /clinicien actif/,
    );
  });

  it('checks the RPPS number when one is typed (11 digits, Luhn key), and allows none', () => {
    expect(staffErrors({ ...intern, supervisorId: 'morvan', rpps: '' }, team, null).rpps).toBe(
      undefined,
    );
    expect(
      staffErrors({ ...intern, supervisorId: 'morvan', rpps: '101 000 500 78' }, team, null).rpps,
    ).toBe(undefined);
    expect(
      staffErrors({ ...intern, supervisorId: 'morvan', rpps: '10100050075' }, team, null).rpps,
    ).toMatch(/clé de contrôle/);
    expect(
      staffErrors({ ...intern, supervisorId: 'morvan', rpps: '1234' }, team, null).rpps,
    ).toMatch(/11 chiffres/);
  });

  it('gets the usual role of the profession by default', () => {
    expect(defaultRoles('accueil')).toEqual(['accueil']);
    expect(defaultRoles('assistante_sociale')).toEqual(['social']);
    expect(defaultRoles('sage_femme')).toEqual(['clinicien']);
  });
});
