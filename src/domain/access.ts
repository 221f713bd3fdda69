// Who may write what (DESIGN.md §4.3), by device profile: the device's write path refuses the
// rest with a French message, and the server applies the same table once devices authenticate
// (docs/decisions/0002-device-authentication.md). Staff-level rules (only the supervisor
// validates, only the author signs) are the consultation rules' (src/domain/consultation.ts).
import type { DeviceProfile, EntityName } from './entities';

/** Entities each profile writes. Audit events are written by every profile but the display. */
export const WRITABLE: Readonly<Record<DeviceProfile, ReadonlySet<EntityName>>> = {
  // Arrivals, bookings, the queue, the day's roster; never clinical notes.
  reception: new Set<EntityName>([
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'rosterSlot',
    'audit',
  ]),
  // Queue moves of the room, notes and their events, follow-up bookings.
  room: new Set<EntityName>([
    'queueEntry',
    'consultation',
    'vitals',
    'signature',
    'addendum',
    'appointment',
    'audit',
  ]),
  // Everything of the organisation: validation, conflicts, roster and planning, closure.
  coordination: new Set<EntityName>([
    'organisation',
    'unit',
    'room',
    'staff',
    'service',
    'stop',
    'rosterSlot',
    'patient',
    'appointment',
    'visit',
    'queueEntry',
    'consultation',
    'vitals',
    'signature',
    'addendum',
    'audit',
    'conflictResolution',
    'device',
    'syncReceipt',
  ]),
  // The wall screen only reads.
  display: new Set<EntityName>(),
};

const PROFILE_LABEL: Readonly<Record<DeviceProfile, string>> = {
  reception: 'l’accueil',
  room: 'une salle',
  coordination: 'la coordination',
  display: 'l’écran d’affichage',
};

/** Why a device of this profile may not write this entity, or null when it may. */
export function writeRefusal(profile: DeviceProfile, entity: EntityName): string | null {
  if (WRITABLE[profile].has(entity)) return null;
  return `Un appareil de ${PROFILE_LABEL[profile]} ne peut pas enregistrer cette donnée (${entity}).`;
}
