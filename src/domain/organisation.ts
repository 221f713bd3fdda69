// What a new centre is made of, whoever creates it: `npm run admin -- org create` on the server
// (src/server/seed/organisation.ts), the demo (src/server/seed/demo.ts), and the coordination's
// first-run setup on the device when a truck or the services are missing. Pure: the caller gives
// the id maker.
import type { Room, Service, Staff } from './entities';

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
    priorityPolicy: Service['priorityPolicy'] = null,
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
    priorityPolicy,
  });
  return [
    // General practice puts walk-ins without a médecin traitant first (ALD first): the truck's
    // purpose. Other services have no priority until the coordination sets one.
    svc('MG', 'Médecine générale', 'MG', 20, ['gp_box'], ['interne', 'medecin'], 'standard', {
      queue: 'no_mt',
      reservedSlots: 0,
      reservedUntil: null,
      eligibility: 'all',
    }),
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
