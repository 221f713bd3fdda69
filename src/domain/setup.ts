// A new centre's first start (docs/guide/coordination.md, « Démarrer le centre »): what is still
// missing before its first stop. The coordination lands on this checklist while the organisation
// has no stop yet, or no team beside its coordinating doctor. Pure.

import type { Patient, Room, RosterSlot, Service, Staff, Stop, Unit } from './entities';
import { stopsAhead } from './planning';

export type SetupStepId =
  | 'truck'
  | 'rooms'
  | 'services'
  | 'stops'
  | 'roster'
  | 'staff'
  | 'patients';

export interface SetupStep {
  id: SetupStepId;
  done: boolean;
  /** A step the centre may skip (the patient list: a centre may start with none). */
  optional: boolean;
}

export interface SetupRows {
  units: readonly Unit[];
  rooms: readonly Room[];
  services: readonly Service[];
  stops: readonly Stop[];
  slots: readonly RosterSlot[];
  staff: readonly Staff[];
  patients: readonly Patient[];
}

/** The next stop to come (planned or open), if any. */
export function nextStop(stops: readonly Stop[], today: string): Stop | undefined {
  return stopsAhead(stops, today).find((s) => s.status !== 'cancelled');
}

/** Active staff beside the coordinating doctors, with at least one person at reception. */
function teamReady(staff: readonly Staff[]): boolean {
  const active = staff.filter((s) => s.active);
  return active.length >= 2 && active.some((s) => s.roles.includes('accueil'));
}

export function setupSteps(rows: SetupRows, today: string): SetupStep[] {
  const next = nextStop(rows.stops, today);
  const step = (id: SetupStepId, done: boolean, optional = false): SetupStep => ({
    id,
    done,
    optional,
  });
  return [
    step('truck', rows.units.length > 0),
    step('rooms', rows.rooms.length > 0),
    step('services', rows.services.length > 0),
    step('stops', next !== undefined),
    step('roster', next !== undefined && rows.slots.some((s) => s.stopId === next.id)),
    step('staff', teamReady(rows.staff)),
    step('patients', rows.patients.length > 0, true),
  ];
}

/**
 * The coordination opens on the checklist rather than the live view: a centre that has never had
 * a stop, or whose team is its coordinating doctor alone. A running centre whose stops are all
 * past is not sent back to it.
 */
export function needsSetup(rows: SetupRows): boolean {
  return (
    rows.rooms.length === 0 ||
    rows.services.length === 0 ||
    rows.stops.length === 0 ||
    !teamReady(rows.staff)
  );
}
