// The team as the coordinating doctor manages it (docs/design.md §2, §4.3): a staff member's checks,
// and the role a profession implies by default.
import type { Profession, Role, Staff } from './entities';
import { rppsError } from './rpps';

export interface StaffInput {
  firstName: string;
  lastName: string;
  profession: Profession | '';
  roles: Role[];
  supervisorId: string | null;
  /** The RPPS number as typed (empty: not known); optional for callers written before it. */
  rpps?: string;
}

export type StaffErrors = Partial<
  Record<'firstName' | 'lastName' | 'profession' | 'roles' | 'supervisorId' | 'rpps', string>
>;

/** The usual role of a profession, preselected when adding someone. */
export function defaultRoles(profession: Profession): Role[] {
  switch (profession) {
    case 'accueil':
      return ['accueil'];
    case 'assistante_sociale':
    case 'mediateur':
      return ['social'];
    default:
      return ['clinicien'];
  }
}

export function staffErrors(
  input: StaffInput,
  team: readonly Pick<Staff, 'id' | 'roles' | 'active'>[],
  selfId: string | null,
): StaffErrors {
  const errors: StaffErrors = {};
  if (!input.firstName.trim()) errors.firstName = 'Indiquez le prénom.';
  if (!input.lastName.trim()) errors.lastName = 'Indiquez le nom.';
  if (!input.profession) errors.profession = 'Choisissez la profession.';
  if (input.roles.length === 0) errors.roles = 'Cochez au moins un rôle.';
  if (input.profession === 'interne' && !input.supervisorId) {
    errors.supervisorId = 'Un interne travaille sous la supervision d’un médecin : choisissez-le.';
  }
  const rpps = rppsError(input.rpps ?? '');
  if (rpps) errors.rpps = rpps;
  if (input.supervisorId) {
    const sup = team.find((s) => s.id === input.supervisorId);
    if (!sup?.active || !sup.roles.includes('clinicien') || sup.id === selfId) {
      errors.supervisorId = 'Le superviseur doit être un clinicien actif de l’équipe.';
    }
  }
  return errors;
}
