// When a device holding states should reload a snapshot (src/sync/reload.ts): the server's rule,
// read as a specification.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELOAD_MIN_OPS, shouldReload } from '../../src/sync/reload';

const facts = fc.record({
  since: fc.nat(1_000_000),
  ahead: fc.nat(1_000_000),
  reset: fc.boolean(),
  rows: fc.option(fc.nat(500_000), { nil: undefined }),
  gap: fc.boolean(),
  minOps: fc.option(fc.nat(50_000), { nil: undefined }),
});

describe('shouldReload', () => {
  it('never for a device holding nothing yet (it loads a snapshot by itself) nor over a gap', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const base = { ...f, head: f.since + f.ahead };
        expect(shouldReload({ ...base, since: 0, head: f.ahead })).toBe(false);
        expect(shouldReload({ ...base, gap: true })).toBe(false);
      }),
    );
  });

  it('always with a reset of a device holding states and no gap', () => {
    fc.assert(
      fc.property(facts, (f) => {
        fc.pre(f.since > 0);
        expect(shouldReload({ ...f, head: f.since + f.ahead, reset: true, gap: false })).toBe(true);
      }),
    );
  });

  it('otherwise exactly when the ops ahead exceed both the floor and the snapshot’s rows', () => {
    fc.assert(
      fc.property(facts, (f) => {
        fc.pre(f.since > 0);
        const got = shouldReload({ ...f, head: f.since + f.ahead, reset: false, gap: false });
        const floor = f.minOps ?? RELOAD_MIN_OPS;
        expect(got).toBe(f.ahead > floor && f.ahead > (f.rows ?? 0));
      }),
    );
  });

  it('is monotonic in the ops ahead: further behind never turns a reload into a pull', () => {
    fc.assert(
      fc.property(facts, fc.nat(100_000), (f, more) => {
        const at = (ahead: number) =>
          shouldReload({ ...f, head: f.since + ahead, reset: false, gap: false });
        if (at(f.ahead)) expect(at(f.ahead + more)).toBe(true);
      }),
    );
  });
});
