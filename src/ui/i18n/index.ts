// The one way UI text is produced: t('section.key', { param }) over the French catalogue, with
// keys and parameters checked by the compiler, and dates/times formatted for France.
import { LOCALE } from '../../domain/french-dates';
import { fr } from './fr';
import type { frScreens } from './fr-screens';

/** The whole catalogue: what every screen loads, and the parts some screens add (addMessages). */
export type Catalogue = typeof fr & typeof frScreens;

/** The messages loaded so far: the common part, then what the screens that need more add. */
const messages: Record<string, unknown> = { ...fr };

/**
 * Adds parts of the catalogue (fr-screens.ts), before the screens that use them load (App.tsx).
 * Idempotent.
 */
export function addMessages(part: Partial<Catalogue>): void {
  Object.assign(messages, part);
}

/** Every dotted path that leads to a string of the catalogue. */
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Paths to plural groups: objects holding `one` and `other` strings. */
type PluralGroups<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string
    ? never
    : T[K] extends { one: string; other: string }
      ? `${P}${K}`
      : PluralGroups<T[K], `${P}${K}.`>;
}[keyof T & string];

type At<T, K extends string> = K extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? At<T[H], R>
    : never
  : K extends keyof T
    ? T[K]
    : never;

/** Placeholder names of a message: 'Box {room} à {time}' → 'room' | 'time'. */
type Placeholders<S> = S extends `${string}{${infer P}}${infer R}` ? P | Placeholders<R> : never;

export type MessageKey = Leaves<Catalogue>;
export type PluralKey = PluralGroups<Catalogue>;
type Value = string | number;
type ParamsArg<S> = [Placeholders<S>] extends [never] ? [] : [Record<Placeholders<S>, Value>];

// Dates and times: one formatter for the screens and the server alike (src/domain/french-dates.ts).
export {
  formatBirthDate,
  formatDate,
  formatDateTime,
  formatTime,
  LOCALE,
  TIME_ZONE,
} from '../../domain/french-dates';

function lookup(path: string): unknown {
  let node: unknown = messages;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function interpolate(template: string, params: Record<string, Value> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name];
    return value === undefined ? whole : String(value);
  });
}

/** The French text of a catalogue key, with its `{placeholders}` filled in. */
export function t<K extends MessageKey>(key: K, ...params: ParamsArg<At<Catalogue, K>>): string {
  const message = lookup(key);
  if (typeof message !== 'string') throw new Error(`Clé de traduction inconnue : ${key}`);
  return interpolate(message, params[0] as Record<string, Value> | undefined);
}

const pluralRules = new Intl.PluralRules(LOCALE);

/** Plural form chosen by French rules (0 and 1 are singular); `{count}` is available. */
export function tn<K extends PluralKey>(
  key: K,
  count: number,
  params?: Record<string, Value>,
): string {
  const group = lookup(key) as { one: string; other: string } | undefined;
  if (!group || typeof group.one !== 'string') {
    throw new Error(`Clé de traduction inconnue : ${key}`);
  }
  const form = pluralRules.select(count) === 'one' ? group.one : group.other;
  return interpolate(form, { count, ...params });
}

const numberFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

const BYTE_UNITS = [
  'units.bytes',
  'units.kilobytes',
  'units.megabytes',
  'units.gigabytes',
  'units.terabytes',
] as const;

/** Byte counts as French readers expect them: "1,5 Mo". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return t(BYTE_UNITS[unit]!, { value: formatNumber(value) });
}
