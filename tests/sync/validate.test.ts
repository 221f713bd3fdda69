// validateOp: structure, then the value against the domain's schema, with French messages.
import { describe, expect, it } from 'vitest';
import { SyncValidationError } from '../../src/sync/errors';
import { validateOp } from '../../src/sync/merge';
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
