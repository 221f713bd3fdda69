// The round of stops ahead (docs/design.md §2 coordinating doctor: planning): a new stop's checks.
import type { Stop } from './entities';
import { isHHMM, isIsoDate, toMinutes } from './time';

export interface StopInput {
  date: string;
  communeName: string;
  communeInsee: string;
  address: string;
  opensAt: string;
  closesAt: string;
}

export type StopField = 'date' | 'communeName' | 'communeInsee' | 'closesAt';
export type StopErrors = Partial<
  Record<StopField, 'date' | 'past' | 'taken' | 'communeName' | 'communeInsee' | 'hours'>
>;

/** What is wrong with a new stop (error codes the UI words); empty when it can be created. */
export function stopErrors(
  input: StopInput,
  stops: readonly Pick<Stop, 'date' | 'status' | '_deleted'>[],
  today: string,
): StopErrors {
  const errors: StopErrors = {};
  if (!isIsoDate(input.date)) errors.date = 'date';
  else if (input.date < today) errors.date = 'past';
  else if (stops.some((s) => !s._deleted && s.date === input.date && s.status !== 'cancelled')) {
    errors.date = 'taken';
  }
  if (!input.communeName.trim()) errors.communeName = 'communeName';
  if (!/^(\d{5}|2[AB]\d{3})$/.test(input.communeInsee.trim())) errors.communeInsee = 'communeInsee';
  if (
    !isHHMM(input.opensAt) ||
    !isHHMM(input.closesAt) ||
    toMinutes(input.closesAt) <= toMinutes(input.opensAt)
  ) {
    errors.closesAt = 'hours';
  }
  return errors;
}

/** Stops from `today` on, in date order, cancelled ones included (they stay visible). */
export function stopsAhead<S extends Pick<Stop, 'date' | '_deleted'>>(
  stops: readonly S[],
  today: string,
): S[] {
  return stops
    .filter((s) => !s._deleted && s.date >= today)
    .sort((a, b) => (a.date < b.date ? -1 : 1));
}
