import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactName,
  compareFolded,
  damerauLevenshtein,
  foldName,
  tokens,
  typoTolerance,
  withinOneEdit,
} from '../../src/domain/text';

// Accented spellings of ASCII letters, precomposed, to disguise a name without changing its fold.
const ACCENTED: Record<string, string[]> = {
  a: ['à', 'á', 'â', 'ä', 'ã', 'å', 'A', 'À', 'Â'],
  c: ['ç', 'C', 'Ç'],
  e: ['é', 'è', 'ê', 'ë', 'E', 'É', 'È'],
  i: ['î', 'ï', 'í', 'I', 'Î'],
  n: ['ñ', 'N', 'Ñ'],
  o: ['ô', 'ö', 'ó', 'O', 'Ô'],
  u: ['ù', 'û', 'ü', 'U', 'Ü'],
  y: ['ÿ', 'ý', 'Y'],
};
const SEPARATORS = [' ', '-', "'", '’', '  ', ' - ', '\u00a0'];

const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 1,
  maxLength: 10,
});
const plainName = fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '));

/** A name and a disguised spelling of it: random case, accents and separators. */
const disguisedName = plainName.chain((name) =>
  fc
    .tuple(
      fc.array(fc.nat(), { minLength: name.length, maxLength: name.length }),
      fc.constantFrom(...SEPARATORS),
      fc.constantFrom('', ' ', '  -'),
    )
    .map(([picks, sep, edge]) => {
      const disguised = [...name]
        .map((c, i) => {
          if (c === ' ') return sep;
          const options = ACCENTED[c];
          const pick = picks[i] ?? 0;
          if (options && pick % 3 !== 0) return options[pick % options.length]!;
          return pick % 2 === 0 ? c.toUpperCase() : c;
        })
        .join('');
      return { name, disguised: `${edge}${disguised}${edge}` };
    }),
);

describe('foldName', () => {
  it('drops accents and case, spells out ligatures, and turns hyphens and apostrophes into one space', () => {
    expect(foldName('Lefèvre-D’Œuf')).toBe('lefevre d oeuf');
    expect(foldName('ÆLIS')).toBe('aelis');
    expect(foldName("  N'Diaye  ")).toBe('n diaye');
    expect(foldName('Jean--Pierre   Marie')).toBe('jean pierre marie');
    expect(foldName('MÜLLER')).toBe('muller');
    expect(foldName('Łukasz Øberg')).toBe('lukasz oberg');
    expect(foldName('Straße')).toBe('strasse');
  });

  it('gives an empty string for blanks and punctuation only', () => {
    expect(foldName('')).toBe('');
    expect(foldName(" - ' ")).toBe('');
  });

  it('is idempotent on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const once = foldName(s);
        expect(foldName(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('does not see case, accents, hyphens, apostrophes or extra spaces', () => {
    fc.assert(
      fc.property(disguisedName, ({ name, disguised }) => {
        expect(foldName(disguised)).toBe(foldName(name));
        expect(foldName(disguised)).toBe(name);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps different letters different', () => {
    expect(foldName('Dupont')).not.toBe(foldName('Dupond'));
  });
});

describe('tokens and compactName', () => {
  it('splits a folded name into words', () => {
    expect(tokens('Jean-Pierre  Marie')).toEqual(['jean', 'pierre', 'marie']);
    expect(tokens('   ')).toEqual([]);
  });

  it('drops the spaces of a compound name', () => {
    expect(compactName('Le Gall')).toBe(compactName('LEGALL'));
  });
});

describe('damerauLevenshtein (optimal string alignment)', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('dupont', 'dupotn')).toBe(1);
    expect(damerauLevenshtein('dupont', 'dupond')).toBe(1);
    expect(damerauLevenshtein('martin', 'martine')).toBe(1);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('abc', '')).toBe(3);
    expect(damerauLevenshtein('same', 'same')).toBe(0);
  });

  it('never edits a substring twice (OSA, not unrestricted Damerau)', () => {
    // unrestricted Damerau–Levenshtein would give 2 (ca → ac → abc)
    expect(damerauLevenshtein('ca', 'abc')).toBe(3);
  });

  it('stops early and answers max + 1 when the distance exceeds max', () => {
    expect(damerauLevenshtein('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(damerauLevenshtein('a', 'abcdefgh', 1)).toBe(2);
    expect(damerauLevenshtein('dupont', 'dupond', 1)).toBe(1);
  });

  const small = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 7 });

  it('is symmetric, and bounded by max exactly when the full distance is', () => {
    fc.assert(
      fc.property(small, small, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const d = damerauLevenshtein(a, b);
        expect(damerauLevenshtein(b, a)).toBe(d);
        expect(damerauLevenshtein(a, b, max)).toBe(d <= max ? d : max + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with withinOneEdit', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(withinOneEdit(a, b)).toBe(damerauLevenshtein(a, b) <= 1);
      }),
      { numRuns: 1000 },
    );
  });

  it('puts any single edit at distance 1', () => {
    const edit = fc.tuple(
      fc.string({ unit: fc.constantFrom(...'abcdefgh'), minLength: 2, maxLength: 12 }),
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'substitute', 'transpose'),
    );
    fc.assert(
      fc.property(edit, ([s, n, kind]) => {
        const i = n % s.length;
        let t: string;
        if (kind === 'insert') t = `${s.slice(0, i)}z${s.slice(i)}`;
        else if (kind === 'delete') t = s.slice(0, i) + s.slice(i + 1);
        else if (kind === 'substitute') t = `${s.slice(0, i)}z${s.slice(i + 1)}`;
        else {
          const j = Math.min(i, s.length - 2);
          t = s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
        }
        expect(damerauLevenshtein(s, t)).toBe(s === t ? 0 : 1);
        expect(withinOneEdit(s, t)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('typo tolerance', () => {
  it('allows one edit below 8 characters and two from 8 on', () => {
    expect(typoTolerance(7)).toBe(1);
    expect(typoTolerance(8)).toBe(2);
  });

  it('compares folded names: equal, equal without spaces, a typo away, or unlike', () => {
    expect(compareFolded('dupont', 'dupont')).toEqual({ kind: 'exact' });
    expect(compareFolded('le gall', 'legall')).toEqual({ kind: 'compact' });
    expect(compareFolded('dupont', 'dupond')).toEqual({ kind: 'typo', distance: 1 });
    expect(compareFolded('dupont', 'durand')).toEqual({ kind: 'none' });
    // short: one edit only
    expect(compareFolded('martin', 'mortan')).toEqual({ kind: 'none' });
    // long: two edits
    expect(compareFolded('lefebvre martin', 'lefevre martins')).toEqual({
      kind: 'typo',
      distance: 2,
    });
    // two-letter names are too easy to reach by one edit
    expect(compareFolded('li', 'lu')).toEqual({ kind: 'none' });
    expect(compareFolded('', '')).toEqual({ kind: 'none' });
  });
});
