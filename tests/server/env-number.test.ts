// Whole-number settings from the environment (docs/operations.md): absent is « use the
// default », a whole number in range is taken, anything else stops the server naming the variable.
import { describe, expect, it } from 'vitest';
import { envNumber } from '../../src/server/env-number';

const range = { min: 1, max: 1_000_000 };

describe('a whole-number setting read from the environment', () => {
  it('is absent when unset or empty, so the default applies', () => {
    expect(envNumber({}, 'RELOAD_OPS', range)).toBeUndefined();
    expect(envNumber({ RELOAD_OPS: '  ' }, 'RELOAD_OPS', range)).toBeUndefined();
  });

  it('takes a whole number within its range, spaces around it ignored', () => {
    expect(envNumber({ RELOAD_OPS: '20000' }, 'RELOAD_OPS', range)).toBe(20_000);
    expect(envNumber({ RELOAD_OPS: ' 1 ' }, 'RELOAD_OPS', range)).toBe(1);
    expect(envNumber({ RELOAD_OPS: '1000000' }, 'RELOAD_OPS', range)).toBe(1_000_000);
  });

  it.each(['abc', '2e4', '20 000', '-5', '1.5', '0x10', '0', '1000001'])(
    'refuses %j with the variable and the expected range named',
    (raw) => {
      expect(() => envNumber({ RELOAD_OPS: raw }, 'RELOAD_OPS', range)).toThrow(
        `RELOAD_OPS=${JSON.stringify(raw)} : un nombre entier entre 1 et 1000000 est attendu.`,
      );
    },
  );
});
