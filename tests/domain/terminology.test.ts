import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeSchema } from '../../src/domain/entities';
import { loadTerminology, searchTerms } from '../../src/domain/terminology';

const shipped = JSON.parse(readFileSync('public/terminology/catalogue.json', 'utf8'));

describe('terminology catalogue', () => {
  it('the shipped demo catalogue loads, with CISP-2 and CIM-10 codes the notes accept', () => {
    const t = loadTerminology(shipped);
    expect(t.terms.filter((x) => x.system === 'CISP-2').length).toBeGreaterThanOrEqual(50);
    expect(t.terms.filter((x) => x.system === 'CIM-10').length).toBeGreaterThanOrEqual(30);
    for (const term of t.terms) {
      const code = { system: term.system, code: term.code, label: term.label, use: 'result' };
      expect(codeSchema.safeParse(code).success).toBe(true);
    }
  });

  it('refuses a malformed file or a duplicated code with a French message', () => {
    expect(() => loadTerminology({ name: 'x', version: '1', entries: [] })).toThrow(
      /Catalogue de codes invalide/,
    );
    const entry = { system: 'CISP-2', code: 'K86', label: 'Hypertension' };
    expect(() => loadTerminology({ name: 'x', version: '1', entries: [entry, entry] })).toThrow(
      /K86 en double/,
    );
  });

  it('finds by code prefix or by the start of label words, accents and case aside', () => {
    const t = loadTerminology(shipped);
    expect(searchTerms(t, 'k86').map((x) => x.code)).toEqual(['K86']);
    expect(searchTerms(t, 'i10', { system: 'CIM-10' }).map((x) => x.code)).toEqual(['I10']);
    expect(searchTerms(t, 'HYPERTENSION', { system: 'CISP-2' }).map((x) => x.code)).toEqual([
      'K86',
      'K87',
    ]);
    expect(searchTerms(t, 'gastro enter').map((x) => `${x.system} ${x.code}`)).toEqual(
      expect.arrayContaining(['CISP-2 D73', 'CIM-10 A09']),
    );
    expect(searchTerms(t, 'fievre', { system: 'CISP-2' }).map((x) => x.code)).toEqual(['A03']);
    expect(searchTerms(t, '   ')).toEqual([]);
  });
});
