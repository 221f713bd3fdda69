// Ops central stamps from their cause (a partner task's creation, decisions 0027 and 0029):
// their clocks are a function of the cause alone whenever the op that completed the task's
// condition is one of its inputs, and, with the partner-task cursor's pending work holding the
// horizon back, they are above every horizon computed before they are written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHlc, encodeHlc, type Hlc, MAX_COUNTER } from '../../src/sync/hlc';
import {
  creationStamps,
  horizonOf,
  PARTNER_CURSOR_NODE,
  pendingPosition,
  type WriterPosition,
} from '../../src/sync/prune';

const NODE = 'server.partner@pt.0123abcd';
const T0 = 1_800_000_000_000;

/** Any clock within a few minutes, counters up to the last values, a few writers. */
const hlcArb: fc.Arbitrary<Hlc> = fc
  .record({
    ms: fc.integer({ min: T0, max: T0 + 300_000 }),
    counter: fc.oneof(
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: MAX_COUNTER - 20, max: MAX_COUNTER }),
    ),
    node: fc.constantFrom('room-a', 'tablet-b', 'relay-1', 'zz-last'),
  })
  .map(({ ms, counter, node }) => encodeHlc(ms, counter, node));

describe('creationStamps', () => {
  it('gives strictly increasing clocks of its node, above both the cause and the trigger', () => {
    fc.assert(
      fc.property(
        fc.option(hlcArb, { nil: null }),
        fc.option(hlcArb, { nil: null }),
        fc.integer({ min: 1, max: 12 }),
        (cause, trigger, count) => {
          const { at, clocks } = creationStamps(cause, trigger, count, NODE, T0 + 10_000_000);
          expect(clocks).toHaveLength(count);
          for (let i = 1; i < count; i++) expect(clocks[i]! > clocks[i - 1]!).toBe(true);
          for (const c of clocks) {
            expect(decodeHlc(c).node).toBe(NODE);
            expect(decodeHlc(c).ms).toBe(at);
            if (cause !== null) expect(c > cause).toBe(true);
            if (trigger !== null) expect(c > trigger).toBe(true);
          }
        },
      ),
    );
  });

  it('is the cause’s alone when the trigger is not newer: a restored central writes the same ops', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, fc.integer({ min: 1, max: 12 }), (a, b, count) => {
        const [trigger, cause] = a <= b ? [a, b] : [b, a];
        const alone = creationStamps(cause, null, count, NODE, 0);
        expect(creationStamps(cause, trigger, count, NODE, 0)).toEqual(alone);
        // Whatever the batch the cursor read it in, and whenever (`now` plays no part).
        expect(creationStamps(cause, cause, count, NODE, T0)).toEqual(alone);
      }),
    );
  });

  it('with neither, stamps at `now` (its rows are gone)', () => {
    expect(creationStamps(null, null, 2, NODE, T0)).toEqual({
      at: T0,
      clocks: [encodeHlc(T0, 0, NODE), encodeHlc(T0, 1, NODE)],
    });
  });
});

describe('the partner-task cursor as a writer of the horizon', () => {
  it('nothing pending: no bound', () => {
    expect(pendingPosition([])).toBeNull();
  });

  it('every task stamped from a pending op is above every horizon computed while it was pending', () => {
    fc.assert(
      fc.property(
        fc.array(hlcArb, { minLength: 1, maxLength: 6 }),
        fc.array(hlcArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.option(hlcArb, { nil: null }),
        fc.integer({ min: 1, max: 12 }),
        (positions, pending, pick, cause, count) => {
          const writers: WriterPosition[] = positions.map((sent, i) => ({ node: `d${i}`, sent }));
          const cursor = pendingPosition(pending)!;
          expect(cursor.node).toBe(PARTNER_CURSOR_NODE);
          const { horizon } = horizonOf([...writers, cursor], 100);
          // The op that named the task's rows: any of the pending ones.
          const trigger = pending[pick % pending.length]!;
          const { clocks } = creationStamps(cause, trigger, count, NODE, 0);
          for (const c of clocks) expect(c > horizon!.hlc).toBe(true);
          // Without the cursor's entry, the positions alone may pass the trigger (the defect).
          const alone = horizonOf(writers, 100).horizon!;
          expect(horizon!.hlc <= alone.hlc).toBe(true);
        },
      ),
    );
  });

  it('is what holds it: positions past a late op, the horizon still below it', () => {
    const late = encodeHlc(T0 + 60_000, 3, 'tablet-b');
    const positions: WriterPosition[] = [
      { node: 'room-a', sent: encodeHlc(T0 + 200_000, 0, 'room-a') },
      { node: 'tablet-b', sent: encodeHlc(T0 + 250_000, 0, 'tablet-b') },
    ];
    expect(horizonOf(positions, 10).horizon!.hlc > late).toBe(true);
    const held = horizonOf([...positions, pendingPosition([late])!], 10);
    expect(held).toEqual({ horizon: { hlc: late, seq: 10 }, blockedBy: PARTNER_CURSOR_NODE });
  });
});
