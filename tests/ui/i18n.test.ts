// The French catalogue and the t() helper.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatDateTime, formatTime, t, tn } from '../../src/ui/i18n';
import { fr } from '../../src/ui/i18n/fr';
import { frScreens } from '../../src/ui/i18n/fr-screens';

function leaves(node: unknown, path: string[] = []): [string, unknown][] {
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path.join('.'), node]];
}

const entries = leaves({ ...fr, ...frScreens });

describe('the catalogue', () => {
  it('is not empty', () => {
    expect(entries.length).toBeGreaterThan(100);
  });

  it.each(entries)('%s is a non-empty string without stray spaces', (_, value) => {
    expect(typeof value).toBe('string');
    expect((value as string).trim()).not.toBe('');
    expect(value).toBe((value as string).trim());
  });

  it.each(entries)('%s has well-formed {placeholders}', (_, value) => {
    const text = value as string;
    const withoutPlaceholders = text.replace(/\{\w+\}/g, '');
    expect(withoutPlaceholders).not.toMatch(/[{}]/);
  });

  it('uses the typographic apostrophe, as French UI text should', () => {
    const straight = entries.filter(([, v]) => (v as string).includes("'"));
    expect(straight.map(([k]) => k)).toEqual([]);
  });

  it('gives every plural group both forms with {count}', () => {
    const groups = entries
      .map(([k]) => k)
      .filter((k) => k.endsWith('.one'))
      .map((k) => k.slice(0, -'.one'.length));
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      const one = entries.find(([k]) => k === `${g}.one`)![1] as string;
      const other = entries.find(([k]) => k === `${g}.other`)?.[1] as string | undefined;
      expect(other, g).toBeDefined();
      expect(one).toContain('{count}');
      expect(other).toContain('{count}');
    }
  });
});

describe('t', () => {
  it('returns the French text of a key', () => {
    expect(t('update.available')).toBe('Nouvelle version disponible');
    expect(t('update.apply')).toBe('Mettre à jour');
  });

  it('fills every placeholder, as often as it appears', () => {
    expect(t('display.calledLine', { ticket: 'MG-007', room: 'Box 2' })).toBe('MG-007 → Box 2');
    expect(t('day.timeRange', { start: '08:30', end: '12:30' })).toBe('08:30 – 12:30');
  });

  it('fails loudly on a key that does not exist rather than showing nothing', () => {
    const untyped = t as (key: string) => string;
    expect(() => untyped('nope.missing')).toThrow(/Clé de traduction inconnue/);
    // A key naming a section, not a message.
    expect(() => untyped('update')).toThrow(/Clé de traduction inconnue/);
  });

  it('checks keys and parameters at compile time', () => {
    // These lines are type errors; tsc fails if they ever compile (the runtime still throws).
    // @ts-expect-error unknown key
    expect(() => t('update.availabel')).toThrow();
    // @ts-expect-error missing parameters
    expect(t('display.calledLine')).toBe('{ticket} → {room}');
  });
});

describe('tn (French plurals)', () => {
  it('treats 0 and 1 as singular and 2 as plural', () => {
    expect(tn('sync.pending', 0)).toBe('0 modification en attente');
    expect(tn('sync.pending', 1)).toBe('1 modification en attente');
    expect(tn('sync.pending', 2)).toBe('2 modifications en attente');
  });
});

describe('dates and times in French', () => {
  it('formats a calendar date as the same day whatever the time zone', () => {
    expect(formatDate('2026-11-23')).toBe('lundi 23 novembre 2026');
  });

  it('formats instants in the truck’s wall time (Paris)', () => {
    expect(formatTime('2026-11-23T08:05:00Z')).toBe('09:05');
    expect(formatTime('2026-07-01T08:05:00Z')).toBe('10:05');
    expect(formatDateTime('2026-11-23T08:05:00Z')).toBe('23/11/2026 09:05');
  });

  it('formats sizes with French units and decimal comma', () => {
    expect(formatBytes(512)).toBe('512 octets');
    expect(formatBytes(1536)).toBe('1,5 Ko');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 Go');
  });
});
