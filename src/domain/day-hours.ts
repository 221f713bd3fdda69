// Opening hours that cover a given moment of the day (issue 23: a demo started at 07:00 or 22:00
// must find its stop open and its rooms rostered). The usual day of the truck is kept whenever it
// covers the moment with an hour to spare; otherwise a day of the same length is placed around
// it, within the calendar day (stop hours and roster slots are same-day 'HH:MM', docs/design.md §4).
import { fromMinutes, toMinutes } from './time';

export interface DayHours {
  opensAt: string;
  /** Where the morning slots end and the afternoon slots begin (no gap: every minute is rostered). */
  splitAt: string;
  closesAt: string;
}

/** The truck's usual day. */
export const USUAL_HOURS: DayHours = { opensAt: '08:30', splitAt: '13:00', closesAt: '17:30' };

const LAST_MINUTE = 23 * 60 + 59;
/** Time already elapsed at the moment, so that patients can have arrived before it. */
const LEAD = 120;
/** Time left after the moment in the usual day before it is set aside. */
const SPARE = 60;

const floorTo30 = (m: number) => m - (m % 30);

/**
 * Hours of a stop that cover `time` ('HH:MM'): opensAt ≤ time < closesAt. The usual day when it
 * leaves at least an hour after `time`; otherwise nine hours starting two hours (rounded down to
 * the half-hour) before `time`, cut at 23:59 (a stop cannot run past midnight).
 */
export function hoursCovering(time: string): DayHours {
  const now = toMinutes(time);
  const usualLength = toMinutes(USUAL_HOURS.closesAt) - toMinutes(USUAL_HOURS.opensAt);
  if (toMinutes(USUAL_HOURS.opensAt) <= now && now + SPARE <= toMinutes(USUAL_HOURS.closesAt)) {
    return { ...USUAL_HOURS };
  }
  const opens = Math.max(0, floorTo30(now) - LEAD);
  const closes = Math.min(LAST_MINUTE, opens + usualLength);
  const split = opens + floorTo30(Math.floor((closes - opens) / 2));
  return {
    opensAt: fromMinutes(opens),
    splitAt: fromMinutes(split),
    closesAt: fromMinutes(closes),
  };
}
