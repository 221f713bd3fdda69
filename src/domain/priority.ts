// Priority as the coordination's policy, per service (docs/design.md §4.2, issue 17 item 1).
//
// The truck's priority population is people without a médecin traitant, above all those with an
// ALD. How that priority applies is set per service by the coordination (`service.priorityPolicy`):
// - queue: priority among walk-ins only (none; ALD without MT; without MT with ALD first) —
//   booked patients keep their time whatever the policy (src/domain/queue-order.ts);
// - reserved capacity: the day's last N appointment starts are held for priority patients until a
//   set time of the stop's day, then open to everyone;
// - eligibility: a service may be for patients without MT only.
// An *unknown* médecin traitant is its own state: never « sans MT », never priority, never
// eligible where the service asks for « sans MT » — reception asks at check-in.
import { freeSlots } from './booking';
import type {
  Appointment,
  MtStatus,
  PriorityPolicy,
  RosterSlot,
  Service,
  Stop,
  Visit,
} from './entities';
import { formatDate } from './french-dates';
import { isHHMM, toMinutes } from './time';

/** The policy of a service written before policies existed: no priority, no reservation. */
export const NO_PRIORITY: PriorityPolicy = Object.freeze({
  queue: 'none',
  reservedSlots: 0,
  reservedUntil: null,
  eligibility: 'all',
});

export function policyOf(service: Pick<Service, 'priorityPolicy'> | undefined): PriorityPolicy {
  return service?.priorityPolicy ?? NO_PRIORITY;
}

/** The médecin traitant state of a visit. Visits checked in before the state was asked carry
 * only `noMt` (then « sans MT » is what reception ticked; anything else is not priority). */
export function visitMt(visit: Pick<Visit, 'noMt'> & { mtStatus?: MtStatus }): MtStatus {
  if (visit.mtStatus) return visit.mtStatus;
  return visit.noMt ? 'none' : 'unknown';
}

/** Does the policy put this patient first? Only a known « sans MT » can be. */
export function isPriorityPatient(
  mt: MtStatus,
  ald: boolean,
  policy: Pick<PriorityPolicy, 'queue'>,
): boolean {
  if (mt !== 'none') return false;
  return policy.queue === 'ald_no_mt' ? ald : true;
}

/** Priority class among the walk-ins of a service: 0 ALD without MT, 1 without MT, 2 others. */
export type PriorityClass = 0 | 1 | 2;

export function walkInClass(
  visit: Pick<Visit, 'noMt' | 'ald'> & { mtStatus?: MtStatus },
  policy: Pick<PriorityPolicy, 'queue'>,
): PriorityClass {
  if (policy.queue === 'none' || visitMt(visit) !== 'none') return 2;
  if (visit.ald) return 0;
  return policy.queue === 'no_mt' ? 1 : 2;
}

// ---- eligibility ----

/** Why this patient may not be booked or checked in for the service (null: they may). */
export function eligibilityRefusal(
  service: Pick<Service, 'label' | 'priorityPolicy'>,
  mt: MtStatus,
): string | null {
  if (policyOf(service).eligibility !== 'no_mt' || mt === 'none') return null;
  return mt === 'unknown'
    ? `« ${service.label} » est réservé aux patients sans médecin traitant : demander d’abord au patient s’il a un médecin traitant.`
    : `« ${service.label} » est réservé aux patients sans médecin traitant, et ce patient en a un.`;
}

// ---- reserved booking capacity ----

/** The starts held for priority patients: the day's last `reservedSlots` candidate starts. */
export function heldStarts(allStarts: readonly string[], policy: PriorityPolicy): Set<string> {
  const n = Math.max(0, Math.min(policy.reservedSlots, allStarts.length));
  return new Set(n === 0 ? [] : [...allStarts].sort().slice(-n));
}

/** Are held starts of a stop's day released at this wall-clock moment (date, HH:MM)? */
export function reservationReleased(
  policy: PriorityPolicy,
  stopDate: string,
  at: { date: string; time: string },
): boolean {
  if (policy.reservedSlots === 0) return true;
  if (at.date > stopDate) return true;
  if (at.date < stopDate || !policy.reservedUntil || !isHHMM(policy.reservedUntil)) return false;
  return toMinutes(at.time) >= toMinutes(policy.reservedUntil);
}

export interface BookingFor {
  /** Is the patient one the policy puts first (isPriorityPatient)? */
  priority: boolean;
  /** The wall-clock moment of the booking (the device's clock). */
  at: { date: string; time: string };
  /** Only starts at or after this time (same-day booking). */
  notBefore?: string;
}

/**
 * Free starts this patient may book: the free starts of the day (src/domain/booking.ts) less
 * those the service's policy holds for priority patients, unless the patient is one or the
 * reservation is released.
 */
export function bookableStarts(
  stop: Pick<Stop, 'id' | 'opensAt' | 'closesAt' | 'date'>,
  slots: readonly RosterSlot[],
  services: readonly Service[],
  appointments: readonly Appointment[],
  serviceId: string,
  who: BookingFor,
): string[] {
  const free = freeSlots(stop, slots, services, appointments, serviceId, {
    notBefore: who.notBefore,
  });
  const policy = policyOf(services.find((s) => s.id === serviceId));
  if (who.priority || reservationReleased(policy, stop.date, who.at)) return free;
  const held = heldStarts(freeSlots(stop, slots, services, [], serviceId), policy);
  return free.filter((t) => !held.has(t));
}

// ---- checking a policy before it is saved ----

export type PolicyField = 'reservedSlots' | 'reservedUntil';
export type PolicyErrors = Partial<Record<PolicyField, string>>;

export interface PolicyContext {
  /** Stops still to come (planned or open), with their roster. */
  stops: readonly Stop[];
  slots: readonly RosterSlot[];
  services: readonly Service[];
  /** The stop's date from which stops count (today). */
  from: string;
}

/**
 * One French message per field at fault (empty: the policy may be saved). A reservation must say
 * until when it holds, and must leave the service bookable by everyone at every coming stop that
 * offers it: holding all of a day's starts would make the service unbookable.
 */
export function policyErrors(
  service: Pick<Service, 'id' | 'label'>,
  policy: PriorityPolicy,
  ctx: PolicyContext,
): PolicyErrors {
  const errors: PolicyErrors = {};
  if (!Number.isInteger(policy.reservedSlots) || policy.reservedSlots < 0) {
    errors.reservedSlots = 'Le nombre de créneaux réservés est un nombre entier, 0 ou plus.';
    return errors;
  }
  if (policy.reservedSlots > 50) {
    errors.reservedSlots = 'Au plus 50 créneaux réservés par escale.';
    return errors;
  }
  if (policy.reservedSlots > 0 && (!policy.reservedUntil || !isHHMM(policy.reservedUntil))) {
    errors.reservedUntil =
      'Indiquer jusqu’à quelle heure du jour de l’escale les créneaux restent réservés (HH:MM).';
  }
  if (policy.reservedSlots === 0) return errors;
  const coming = ctx.stops
    .filter(
      (s) => !s._deleted && s.date >= ctx.from && (s.status === 'planned' || s.status === 'open'),
    )
    .sort((a, b) => a.date.localeCompare(b.date));
  for (const stop of coming) {
    const starts = freeSlots(stop, ctx.slots, ctx.services, [], service.id);
    if (starts.length > 0 && policy.reservedSlots >= starts.length) {
      errors.reservedSlots =
        `Cette politique rendrait « ${service.label} » impossible à réserver le ${formatDate(stop.date)} à ${stop.communeName} : ` +
        `ses ${starts.length} créneaux seraient tous réservés. Réserver au plus ${starts.length - 1} créneau${starts.length - 1 > 1 ? 'x' : ''}.`;
      break;
    }
  }
  return errors;
}
