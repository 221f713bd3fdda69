// The compact envelope of protocol 3 (src/sync/envelope.ts): lossless over any op list, smaller
// than protocol 2's list, and a batch that does not decode is named, never guessed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompactBatch,
  decodeOps,
  decodeOwnOps,
  decodeSeqOps,
  EnvelopeError,
  encodeOps,
  encodeSeqOps,
  readAnswer,
} from '../../src/sync/envelope';
import { encodeHlc } from '../../src/sync/hlc';
import { type Op, opSchema } from '../../src/sync/op';
import type { SeqOp } from '../../src/sync/protocol';

const T0 = 1_800_000_000_000;
const devs = ['0193a000-0000-7000-8000-00000000000a', '0193a000-0000-7000-8000-00000000000b', 'c'];
const ids = ['0193b000-0000-7000-8000-000000000001', '0193b000-0000-7000-8000-000000000002'];

/** Any op a replica may hold, plus oddities the encoder must carry as they are: a stamp of
 * another node, an unparsable stamp in `base`, another organisation, unknown keys. */
const stampArb = fc
  .record({
    ms: fc.integer({ min: 0, max: 36 ** 9 - 1 }),
    counter: fc.integer({ min: 0, max: 36 ** 4 - 1 }),
    node: fc.constantFrom(...devs, 'zz'),
  })
  .map(({ ms, counter, node }) => encodeHlc(ms, counter, node));
const nearStamp = (dev: string) =>
  fc
    .record({
      ms: fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }),
      counter: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 })),
    })
    .map(({ ms, counter }) => encodeHlc(ms, counter, dev));
const valueArb = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(
    fc.string({ maxLength: 5 }),
    fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
  ),
  fc.array(fc.string(), { maxLength: 3 }),
);
const opArb: fc.Arbitrary<Op> = fc.constantFrom(...devs).chain((dev) =>
  fc
    .record(
      {
        v: fc.constantFrom(8, 8, 8, 7, 9),
        org: fc.constantFrom('org-1', 'org-1', 'org-1', 'org-2'),
        seq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        hlc: fc.oneof(
          { weight: 5, arbitrary: nearStamp(dev) },
          stampArb,
          fc.constant('pas-un-hlc'),
        ),
        user: fc.constantFrom('staff-1', 'staff-2'),
        e: fc.constantFrom('patient', 'queueEntry', 'vitals'),
        id: fc.constantFrom(...ids),
        k: fc.constantFrom('set', 'add', 'rem', 'ins', 'del'),
        f: fc.constantFrom('birthName', '*', '_deleted', 'status'),
        val: valueArb,
        base: fc.array(fc.oneof(nearStamp('c'), stampArb, fc.constant('x')), { maxLength: 3 }),
        tags: fc.array(stampArb, { maxLength: 2 }),
        z: fc.string(),
      },
      { requiredKeys: ['v', 'org', 'seq', 'hlc', 'e', 'id', 'k', 'f'] },
    )
    .map((o) => ({ ...o, dev }) as Op),
);
/** What JSON carries (the wire): `undefined` values vanish. */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const op = (seq: number, ms: number, f: string, val: unknown, dev = devs[0]!): Op => ({
  v: 8,
  org: 'org-1',
  dev,
  seq,
  hlc: encodeHlc(T0 + ms, 0, dev),
  user: 'staff-1',
  e: 'patient',
  id: ids[0]!,
  f,
  k: 'set',
  val,
  base: [encodeHlc(T0 - 60_000, 0, devs[1]!)],
});

describe('compact envelope', () => {
  it('decodes to the very ops it encoded, in order, over any op list (through JSON)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const sent = wire(ops);
        expect(decodeOps(wire(encodeOps(sent)))).toEqual(sent);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a batch the device keeps (the outbox) to the same ops without parsing it again', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const sent = wire(ops);
        // Kept through a structured clone or a seal's JSON: the same ops, their keys in the
        // order the write path builds them (tests/device/outbox.test.ts: the same JSON).
        const kept = decodeOwnOps(wire(encodeOps(sent)));
        expect(kept).toEqual(sent);
        const order = ['v', 'org', 'dev', 'seq', 'hlc', 'user', 'e', 'id', 'f', 'k', 'val', 'base'];
        for (const op of kept) {
          const keys = Object.keys(op);
          expect(keys).toEqual(
            order.filter((k) => keys.includes(k)).concat(keys.filter((k) => !order.includes(k))),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a pull page to the same server sequences and ops', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 30 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 30, maxLength: 30 }),
        (ops, start, steps) => {
          let s = start;
          const page: SeqOp[] = wire(ops).map((o, i) => {
            s += steps[i]!;
            return { s, op: o };
          });
          expect(decodeSeqOps(wire(encodeSeqOps(page)))).toEqual(page);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says once what repeats: one row, one device, one person, small clock deltas', () => {
    const ops = [op(41, 0, 'birthName', 'Martin'), op(42, 3, 'firstName', 'Awa')];
    const batch = encodeOps(ops);
    expect(batch).toEqual({
      o: 'org-1',
      w: 8,
      d: [devs[0]!, devs[1]!],
      u: ['staff-1'],
      t: T0,
      r: [
        {
          e: 'patient',
          i: ids[0]!,
          o: [
            { q: 40, h: 0, f: 'birthName', v: 'Martin', b: [[-60_000, 0, 1]], u: 0 },
            { h: 3, f: 'firstName', v: 'Awa', b: [[-60_003, 0, 1]] },
          ],
        },
      ],
    } satisfies CompactBatch);
  });

  it('costs a third of protocol 2 in raw JSON for a form of ten fields on two rows', () => {
    const ops = Array.from({ length: 20 }, (_, i) => ({
      ...op(i + 1, i * 40, `field${i % 10}`, `valeur ${i}`),
      id: ids[i < 10 ? 0 : 1]!,
    }));
    const compact = JSON.stringify(encodeOps(ops)).length;
    expect(compact).toBeLessThan(JSON.stringify(ops).length / 3);
  });

  it('keeps a null value apart from no value, and a delete names no field', () => {
    const del: Op = { ...op(1, 0, '_deleted', true), k: 'del' };
    const cleared = op(2, 1, 'nickname', null);
    const batch = wire(encodeOps([del, cleared]));
    expect(batch.r[0]!.o[0]).not.toHaveProperty('f');
    expect(batch.r[0]!.o[1]).toHaveProperty('v', null);
    expect(decodeOps(batch)).toEqual([del, cleared]);
  });

  it('decoded ops still go through the op schema: the envelope vouches for nothing', () => {
    const batch = wire(encodeOps([op(1, 0, 'birthName', 'Martin')]));
    batch.d[0] = 'a:b'; // a device id with « : » is not storable
    const [decoded] = decodeOps(batch);
    expect(opSchema.safeParse(decoded).success).toBe(false);
  });

  const broken: [string, (b: CompactBatch) => unknown, string][] = [
    [
      'an unknown device index',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ d: 5, h: 0 }] }] }),
      'r.0.o.0.d',
    ],
    [
      'an unknown person index',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0, f: 'x', u: 3 }] }] }),
      'r.0.o.0.u',
    ],
    [
      'a clock out of range',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: -T0 - 1, f: 'x' }] }] }),
      'r.0.o.0.h',
    ],
    [
      'a base clock of no device',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0, f: 'x', b: [[0, 0, 9]] }] }] }),
      'r.0.o.0.b.0',
    ],
    ['a set without its field', (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0 }] }] }), 'r.0.o.0.f'],
    [
      'a known key smuggled in x',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0, f: 'x', x: { seq: 1 } }] }] }),
      'r.0.o.0.x.seq',
    ],
    [
      'an unknown key',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0, f: 'x', zz: 1 }] }] }),
      'r.0.o.0',
    ],
    ['a row with no op', (b) => ({ ...b, r: [{ ...b.r[0], o: [] }] }), 'r.0.o'],
    ['no device table', (b) => ({ ...b, d: undefined }), 'd'],
    [
      'a fractional delta',
      (b) => ({ ...b, r: [{ ...b.r[0], o: [{ h: 0.5, f: 'x' }] }] }),
      'r.0.o.0.h',
    ],
  ];
  it.each(broken)('refuses %s, naming where', (_name, mangle, path) => {
    const batch = mangle(wire(encodeOps([op(1, 0, 'birthName', 'Martin')])));
    let caught: unknown;
    try {
      decodeOps(batch);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvelopeError);
    expect((caught as EnvelopeError).path.join('.')).toBe(path);
    expect((caught as EnvelopeError).message).toMatch(/\S/);
  });

  it('reads protocol 2 answers as they are and compact answers decoded; a broken page is unreadable', () => {
    const page: SeqOp[] = [{ s: 7, op: op(1, 0, 'birthName', 'Martin') }];
    const plain = { ops: page, lastSeq: 7, hasMore: false };
    expect(readAnswer(plain)).toBe(plain);
    expect(readAnswer(wire({ ...plain, ops: encodeSeqOps(page) }))).toEqual(plain);
    expect(readAnswer({ ...plain, ops: { r: 'no' } })).toBeNull();
  });
});
