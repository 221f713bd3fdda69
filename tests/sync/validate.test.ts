// validateOp: structure, then the value against the domain's schema, with French messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyncValidationError } from '../../src/sync/errors';
import { validateOp } from '../../src/sync/merge';
import { isStorableName, isStorableValue, MAX_INT } from '../../src/sync/op';
import { at, op, set } from './ops';
import { toyRegistry } from './toy-registry';

function failure(bad: unknown): SyncValidationError {
  try {
    validateOp(bad, toyRegistry);
  } catch (e) {
    if (e instanceof SyncValidationError) return e;
    throw e;
  }
  throw new Error('validateOp accepted an invalid op');
}

describe('validateOp', () => {
  it('returns valid ops unchanged', () => {
    const ok = [
      set('a', 1, 'n', 'title', 'Titre'),
      set('a', 2, 'n', 'dose', 12, [at('b', 1)]),
      set('a', 3, 'n', 'status', { status: 'called', epoch: 0, rank: 1 }),
      op('a', 4, { e: 'note', id: 'n', f: 'tags', k: 'add', val: { code: 'A', label: 'l' } }),
      op('a', 5, { e: 'note', id: 'n', f: 'tags', k: 'rem', val: 'x', tags: [] }),
      op('a', 6, { e: 'note', id: 'n', f: '_deleted', k: 'del', val: true, base: [] }),
      op('a', 7, { e: 'vital', id: 'v', f: '*', k: 'ins', val: { id: 'v', value: 37, by: 'inf' } }),
    ];
    for (const o of ok) expect(validateOp(o, toyRegistry)).toBe(o);
  });

  it.each([
    [
      'a dose out of range',
      set('a', 1, 'n', 'dose', -3),
      'invalid_value',
      /Valeur invalide pour note\.dose/,
    ],
    ['a text dose', set('a', 1, 'n', 'dose', 'dix'), 'invalid_value', /note\.dose : .*nombre/],
    [
      'an unknown status',
      set('a', 1, 'n', 'status', { status: 'lost', epoch: 0, rank: 0 }),
      'invalid_value',
      /note\.status.*\(status\)/,
    ],
    [
      'a missing value',
      set('a', 1, 'n', 'title', undefined),
      'invalid_value',
      /note\.title : valeur absente/,
    ],
    [
      'a bad set element',
      op('a', 1, { e: 'note', id: 'n', f: 'tags', k: 'add', val: 42 }),
      'invalid_value',
      /note\.tags/,
    ],
    [
      'a remove without tags',
      op('a', 1, { e: 'note', id: 'n', f: 'tags', k: 'rem', val: 'x' }),
      'invalid_value',
      /marques vues/,
    ],
    [
      'an insert missing a field',
      op('a', 1, { e: 'vital', id: 'v', f: '*', k: 'ins', val: { value: 37 } }),
      'invalid_value',
      /vital\.\* .*\(by\)/,
    ],
    [
      'an insert with an extra field',
      op('a', 1, { e: 'vital', id: 'v', f: '*', k: 'ins', val: { value: 37, by: 'x', z: 1 } }),
      'invalid_value',
      /vital\.\*/,
    ],
    [
      'an insert of another id',
      op('a', 1, { e: 'vital', id: 'v', f: '*', k: 'ins', val: { id: 'w', value: 37, by: 'x' } }),
      'invalid_value',
      /identifiant/,
    ],
    [
      'a delete on another field',
      op('a', 1, { e: 'note', id: 'n', f: 'title', k: 'del', val: true }),
      'wrong_kind',
      /suppression/,
    ],
    [
      'an unknown entity',
      op('a', 1, { e: 'ghost', id: 'n', f: 'x', k: 'set', val: 1 }),
      'unknown_entity',
      /Entité inconnue : ghost/,
    ],
    [
      'an unknown field',
      set('a', 1, 'n', 'colour', 'red'),
      'unknown_field',
      /Champ inconnu : note\.colour/,
    ],
    [
      'a malformed op',
      { ...set('a', 1, 'n', 'title', 'x'), seq: 0 },
      'invalid_op',
      /Opération mal formée \(seq\)/,
    ],
    ['not an op at all', 'hello', 'invalid_op', /Opération mal formée/],
  ])('rejects %s', (_, bad, code, message) => {
    const err = failure(bad);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('names the entity and field on the error', () => {
    const err = failure(set('a', 1, 'n', 'dose', 5000));
    expect([err.entity, err.field]).toEqual(['note', 'dose']);
  });
});

// One validation everywhere (issue #20, item 2): what a SQLite relay accepts, a PostgreSQL
// central accepts too. PostgreSQL's `integer` stops at 2³¹−1 and its text refuses NUL.
describe('ops every store holds', () => {
  it.each([
    ['a sequence beyond a 32-bit integer', { seq: 2 ** 31 }, /seq/],
    ['a version beyond a 32-bit integer', { v: 2 ** 31 }, /\(v\)/],
    ['a NUL in a row id', { id: 'n\u0000' }, /\(id\)/],
    ['a control character in an entity name', { e: 'note\n' }, /\(e\)/],
    ['a NUL in the person', { user: 'u\u0000' }, /\(user\)/],
    ['a lone surrogate in a field name', { f: 'title\ud800' }, /\(f\)/],
  ])('refuses %s', (_, change, where) => {
    const err = failure({ ...set('a', 1, 'n', 'title', 'x'), ...change });
    expect(err.code).toBe('invalid_op');
    expect(err.message).toMatch(where);
  });

  it.each([
    ['a NUL in a text value', 'Titre\u0000'],
    ['a NUL in a key of a value', { 'a\u0000': 1 }],
    ['a NUL deep in a value', [{ x: ['ok', 'k\u0000o'] }]],
    ['a lone surrogate', 'a\udc00'],
  ])('refuses %s as a value of the op it names', (_, val) => {
    const err = failure({ ...set('a', 1, 'n', 'title', 'x'), val });
    expect(err.code).toBe('invalid_value');
    expect([err.entity, err.field]).toEqual(['note', 'title']);
    expect(err.message).toMatch(/Valeur non enregistrable pour note\.title/);
  });

  it('accepts the largest sequence every store holds', () => {
    const o = { ...set('a', 1, 'n', 'title', 'x'), seq: MAX_INT };
    expect(validateOp(o, toyRegistry)).toBe(o);
  });

  it('property: a string value is storable exactly when it has no NUL and no lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        const storable = !text.includes('\u0000') && text.isWellFormed();
        expect(isStorableValue(text)).toBe(storable);
        expect(isStorableValue({ nested: [text] })).toBe(storable);
        // What is storable survives the store's JSON text unchanged.
        if (storable) expect(JSON.parse(JSON.stringify({ text })).text).toBe(text);
      }),
    );
  });

  it('property: an id is storable exactly when it has no control character or lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        const control = [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
        expect(isStorableName(text)).toBe(!control && text.isWellFormed());
      }),
    );
  });
});
