// The one way dates and times are written for people (docs/decisions/0010-i18n.md): French
// formats on the truck's wall clock (Europe/Paris), whatever the device's or server's own setting.
// The screens reach it through src/ui/i18n; the server's French messages use it directly.
export const LOCALE = 'fr-FR';
/** The truck works on French wall time whatever the device's own setting. */
export const TIME_ZONE = 'Europe/Paris';

const dateFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: TIME_ZONE,
});
const shortDateFormat = new Intl.DateTimeFormat(LOCALE, {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  timeZone: TIME_ZONE,
});
const timeFormat = new Intl.DateTimeFormat(LOCALE, {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: TIME_ZONE,
});
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: TIME_ZONE,
});

function toDate(value: Date | string | number): Date {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Date(`${value}T12:00:00Z`); // a calendar date: noon UTC is the same day in France
  }
  return new Date(value);
}

/** "lundi 23 novembre 2026" — accepts an ISO instant, a calendar date (AAAA-MM-JJ) or a Date. */
export function formatDate(value: Date | string | number): string {
  return dateFormat.format(toDate(value));
}

/** "22/08/1937" — a birth date, or any date in a list or a file: no weekday. */
export function formatBirthDate(value: Date | string | number): string {
  return shortDateFormat.format(toDate(value));
}

/** "09:05" in French wall time. */
export function formatTime(value: Date | string | number): string {
  return timeFormat.format(toDate(value));
}

/** "23/11/2026 09:05". */
export function formatDateTime(value: Date | string | number): string {
  return dateTimeFormat.format(toDate(value));
}
