// A patient's age in full years: shown at reception and in the consultation, counted in the
// indicators. Its own module so the screens that show an age do not load the indicators.
import { isIsoDate } from './time';

/** Age in full years on a date (both 'YYYY-MM-DD'). */
export function ageYears(birthDate: string, onDate: string): number {
  if (!isIsoDate(birthDate)) throw new RangeError(`Date de naissance invalide : « ${birthDate} »`);
  if (!isIsoDate(onDate)) throw new RangeError(`Date invalide : « ${onDate} »`);
  if (birthDate > onDate) {
    throw new RangeError(`Date de naissance postérieure à la date du calcul : ${birthDate}`);
  }
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
