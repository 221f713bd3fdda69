import { describe, expect, it } from 'vitest';
import { encodeHlc } from '../../src/sync/hlc';
import { type Op, opKey, opSchema } from '../../src/sync/op';
import {
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  syncRequestSchema,
  syncResponseSchema,
} from '../../src/sync/protocol';

const op: Op = {
  v: 1,
  org: 'org-1',
  dev: 'dev-1',
  seq: 3,
  hlc: encodeHlc(1_800_000_000_000, 0, 'dev-1'),
  user: 'staff-1',
  e: 'patient',
  id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  f: 'birthName',
  k: 'set',
  val: 'Martin',
  base: [encodeHlc(1_799_000_000_000, 2, 'dev-2')],
};

describe('opSchema', () => {
  it('accepts a well-formed op and keeps unknown keys of newer writers (to park them verbatim)', () => {
    const future = { ...op, v: 2, z: 'new key' };
    expect(opSchema.parse(op)).toEqual(op);
    expect(opSchema.parse(future)).toEqual(future);
  });

  it.each([
    ['an empty entity', { e: '' }],
    ['an overlong field name', { f: 'x'.repeat(65) }],
    ['a zero sequence', { seq: 0 }],
    ['a fractional sequence', { seq: 1.5 }],
    ['an unknown kind', { k: 'upd' }],
    ['a malformed hlc', { hlc: 'yesterday' }],
    ['an hlc from another device', { hlc: encodeHlc(1, 0, 'dev-9') }],
    ['a base that is not a list of hlcs', { base: ['x'] }],
    [
      'a base of more than 64 heads',
      { base: Array.from({ length: 65 }, (_, i) => encodeHlc(i, 0, 'd')) },
    ],
    ['a device id with ":"', { dev: 'a:b', hlc: encodeHlc(1, 0, 'b') }],
  ])('rejects %s', (_, patch) => {
    expect(opSchema.safeParse({ ...op, ...patch }).success).toBe(false);
  });

  it('identifies an op by device and device sequence', () => {
    expect(opKey(op)).toBe('dev-1#3');
  });
});

describe('sync request and response', () => {
  it('parses a push-and-pull round trip', () => {
    const req = {
      protocol: PROTOCOL_VERSION,
      schema: 1,
      deviceId: 'dev-1',
      org: 'org-1',
      since: 0,
      ops: [op],
    };
    expect(syncRequestSchema.parse(req)).toEqual(req);
    const res = {
      accepted: 3,
      ops: [{ s: 1, op }],
      lastSeq: 1,
      hasMore: false,
      serverTime: 1_800_000_000_000,
    };
    expect(syncResponseSchema.parse(res)).toEqual(res);
    expect(MIN_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
  });

  it('rejects a request without protocol version or with an invalid op', () => {
    const req = { schema: 1, deviceId: 'dev-1', org: 'org-1', since: 0, ops: [] };
    expect(syncRequestSchema.safeParse(req).success).toBe(false);
    const bad = { ...req, protocol: 1, ops: [{ ...op, seq: -1 }] };
    expect(syncRequestSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects a pulled op without a positive server sequence', () => {
    const res = { accepted: 0, ops: [{ s: 0, op }], lastSeq: 0, hasMore: false, serverTime: 0 };
    expect(syncResponseSchema.safeParse(res).success).toBe(false);
  });
});
