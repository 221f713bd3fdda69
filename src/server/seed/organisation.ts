// A new organisation as `npm run admin -- org create` makes it (and the demo builds on): the
// organisation, one truck with its four rooms, the usual services, and its coordinating doctor,
// the one person who can then sign in on the first coordination device and add the team.
import { v7 as uuidv7 } from 'uuid';
import type { Organisation, Room, Service, Staff, Unit } from '../../domain/entities';
import { standardServices, truckRooms } from '../../domain/organisation';

export { standardServices, truckRooms };

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
