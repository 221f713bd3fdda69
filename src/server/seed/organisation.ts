// A new organisation as `npm run admin -- org create` makes it (and the demo builds on): the
// organisation, one truck with its four rooms, the usual services, and its coordinating doctor,
// the one person who can then sign in on the first coordination device and add the team.
import { v7 as uuidv7 } from 'uuid';
import type { Organisation, Room, Service, Staff, Unit } from '../../domain/entities';

/** The truck's rooms: two general-practice boxes, two modular rooms. */
export function truckRooms(orgId: string, unitId: string, id: () => string): Room[] {
  const defs: [string, Room['kind']][] = [
    ['Box 1', 'gp_box'],
    ['Box 2', 'gp_box'],
    ['Salle 3', 'modular'],
    ['Salle 4', 'modular'],
  ];
  return defs.map(([name, kind], order) => ({ id: id(), orgId, unitId, name, kind, order }));
}

/** The services a mobile health centre offers, with the rooms and professions they need. */
export function standardServices(orgId: string, id: () => string): Service[] {
  const svc = (
    code: string,
    label: string,
    ticketPrefix: string,
    typicalMinutes: number,
    roomKinds: Room['kind'][],
    professions: Staff['profession'][],
    confidentiality: Service['confidentiality'] = 'standard',
  ): Service => ({
    id: id(),
    orgId,
    code,
    label,
    ticketPrefix,
    typicalMinutes,
    roomKinds,
    professions,
    confidentiality,
  });
  return [
    svc('MG', 'Médecine générale', 'MG', 20, ['gp_box'], ['interne', 'medecin']),
    svc('SF', 'Sage-femme', 'SF', 30, ['modular'], ['sage_femme'], 'sexual_health'),
    svc('GYN', 'Gynécologie', 'GY', 30, ['modular'], ['gynecologue'], 'sexual_health'),
    svc('DENT', 'Dentiste', 'DE', 30, ['modular'], ['dentiste']),
    svc('AS', 'Assistante sociale', 'AS', 30, ['modular'], ['assistante_sociale'], 'social'),
    svc('MED', 'Médiation en santé', 'ME', 20, ['modular'], ['mediateur'], 'social'),
    svc(
      'DEP',
      'Dépistage et prévention',
      'DP',
      15,
      ['modular', 'gp_box'],
      ['infirmier', 'medecin'],
    ),
  ];
}

export interface NewOrganisation {
  organisation: Organisation[];
  unit: Unit[];
  room: Room[];
  service: Service[];
  staff: Staff[];
}

export function newOrganisation(options: {
  name: string;
  coordinator: { firstName: string; lastName: string };
  truck?: string;
  registration?: string | null;
  id?: () => string;
}): NewOrganisation {
  const id = options.id ?? (() => uuidv7());
  const orgId = id();
  const unit: Unit = {
    id: id(),
    orgId,
    name: options.truck ?? 'Camion 1',
    registration: options.registration ?? null,
  };
  return {
    organisation: [{ id: orgId, name: options.name }],
    unit: [unit],
    room: truckRooms(orgId, unit.id, id),
    service: standardServices(orgId, id),
    staff: [
      {
        id: id(),
        orgId,
        firstName: options.coordinator.firstName,
        lastName: options.coordinator.lastName,
        profession: 'medecin',
        roles: ['clinicien', 'coordinateur'],
        supervisorId: null,
        active: true,
      },
    ],
  };
}
