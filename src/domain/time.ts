// Time helpers for the day's flow. Two kinds of time meet here: roster hours and appointment
// times are local wall-clock 'HH:MM' of the truck's stop, while arrivals, calls and consultations
// are ISO instants. Everything is pure: the current instant is always a parameter (`now`), never
// read from the clock, so the rules can be tested and replayed on any device.

/** The truck's wall clock. French mainland stops; the zone is a parameter everywhere. */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isHHMM(value: string): boolean {
  return HHMM.test(value);
}

/** 'HH:MM' → minutes since midnight. Throws a French RangeError on a malformed time. */
export function toMinutes(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`Heure invalide : « ${hhmm} » (format HH:MM attendu)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes since midnight → 'HH:MM' (same day only: 0 to 1439). */
export function fromMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 24 * 60) {
    throw new RangeError(`Nombre de minutes hors de la journée : ${minutes}`);
  }
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function addMinutesToTime(hhmm: string, minutes: number): string {
  return fromMinutes(toMinutes(hhmm) + minutes);
}

/** Half-open range test: a slot 08:30–12:30 covers 08:30 but not 12:30. */
export function isWithin(time: string, start: string, end: string): boolean {
  const t = toMinutes(time);
  return toMinutes(start) <= t && t < toMinutes(end);
}

/** Half-open ranges [aStart, aEnd) and [bStart, bEnd) share at least one minute. */
export function rangesOverlap(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart < bEnd && bStart < aEnd;
}

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no time zone involved). */
export function addDays(date: string, days: number): string {
  if (!isIsoDate(date)) throw new RangeError(`Date invalide : « ${date} » (format AAAA-MM-JJ)`);
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO instant → epoch milliseconds. Throws a French RangeError when unreadable. */
export function isoToMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Horodatage invalide : « ${iso} »`);
  return ms;
}

/** Signed minutes from `fromIso` to `toIso` (fractional). */
export function minutesBetween(fromIso: string, toIso: string): number {
  return (isoToMs(toIso) - isoToMs(fromIso)) / 60_000;
}

export function addMinutesIso(iso: string, minutes: number): string {
  return new Date(isoToMs(iso) + minutes * 60_000).toISOString();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(ms: number, timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return {
    date: `${out.year}-${out.month}-${out.day}`,
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
  };
}

/** Wall-clock 'HH:MM' of an instant in the given zone (what the truck's clock showed). */
export function localTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
  const p = partsIn(isoToMs(iso), timeZone);
  return fromMinutes(p.hour * 60 + p.minute);
}

/** Wall-clock minutes since midnight of an instant in the given zone. */
export function localMinutes(iso: string, timeZone = DEFAULT_TIME_ZONE): number {
  return toMinutes(localTime(iso, timeZone));
}

/** Calendar date 'YYYY-MM-DD' of an instant in the given zone. */
export function localDate(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
  return partsIn(isoToMs(iso), timeZone).date;
}

/** Offset of the zone at an instant, in ms (Paris in winter: +3 600 000). */
function offsetAt(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone);
  const asUtc = Date.parse(
    `${p.date}T${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}:${String(p.second).padStart(2, '0')}Z`,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * Local wall time on a date → ISO instant (UTC, 'Z'). In the autumn fold (a wall time that occurs
 * twice) the earlier instant is kept; in the spring gap (a wall time that never occurs) the result
 * is read with the offset before the change, i.e. shifted forward by the gap.
 */
export function zonedIso(date: string, hhmm: string, timeZone = DEFAULT_TIME_ZONE): string {
  if (!isIsoDate(date)) throw new RangeError(`Date invalide : « ${date} » (format AAAA-MM-JJ)`);
  const minutes = toMinutes(hhmm);
  const wall = Date.parse(`${date}T${fromMinutes(minutes)}:00Z`);
  const day = 86_400_000;
  // Offsets a day before and after: zone changes are months apart, so these are the two candidates.
  const before = wall - offsetAt(wall - day, timeZone);
  const after = wall - offsetAt(wall + day, timeZone);
  const matches = [before, after].filter((c) => {
    const p = partsIn(c, timeZone);
    return p.date === date && p.hour * 60 + p.minute === minutes;
  });
  return new Date(matches.length > 0 ? Math.min(...matches) : before).toISOString();
}
