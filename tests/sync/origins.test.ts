// Central's own origins (docs/decisions/0029-central-origins-after-restore.md): named by the
// log's epoch, so a restored central writes under a new name; read by their base; and the one
// exception to « the stamp ends with the writer's id », which no device can use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHlc } from '../../src/sync/hlc';
import { type Op, opSchema } from '../../src/sync/op';
import { epochOrigin, isOriginOf, isServerStamp, originBase } from '../../src/sync/origins';

const op = (dev: string, node: string): Op => ({
  v: 1,
  org: 'org-1',
  dev,
  seq: 1,
  hlc: encodeHlc(1_700_000_000_000, 0, node),
  e: 'partnerTask',
  id: 'pt.1',
  f: 'state',
  k: 'set',
  val: null,
  base: [],
});

describe('central’s origins', () => {
  it('name the epoch: two epochs, two names of one base', () => {
    const a = epochOrigin('server.partner', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    const b = epochOrigin('server.partner', '0193ffff-0000-7e5f-8a9b-0c1d2e3f4a5b');
    expect(a).toBe('server.partner@0193a1b2');
    expect(b).not.toBe(a);
    for (const name of [a, b, 'server.partner']) {
      expect(isOriginOf(name, 'server.partner')).toBe(true);
      expect(originBase(name)).toBe('server.partner');
    }
    expect(isOriginOf('server.partnerx@0193a1b2', 'server.partner')).toBe(false);
    expect(isOriginOf('server.audit@0193a1b2', 'server.partner')).toBe(false);
    expect(originBase('tablette-accueil')).toBe('tablette-accueil');
  });

  it('let central stamp with a name of the same base, and nobody else', () => {
    const dev = 'server.partner@0193a1b2';
    // A task's creation: stamped by its task, under whichever epoch's name wrote it.
    expect(opSchema.safeParse(op(dev, 'server.partner@pt.abc')).success).toBe(true);
    expect(opSchema.safeParse(op(dev, dev)).success).toBe(true);
    // Another base, a device's stamp, a device's op with central's stamp: refused.
    expect(opSchema.safeParse(op(dev, 'server.audit@pt.abc')).success).toBe(false);
    expect(opSchema.safeParse(op(dev, 'tablette')).success).toBe(false);
    expect(opSchema.safeParse(op('tablette', 'server.partner@pt.abc')).success).toBe(false);
    // The plain names of before keep the plain rule.
    expect(opSchema.safeParse(op('server.partner', 'server.partner@pt.abc')).success).toBe(false);
  });

  it('never let a device id (no dot) borrow a stamp', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,20}(@[a-z0-9.]{0,12})?$/),
        fc.stringMatching(/^[a-z0-9.@-]{1,30}$/),
        (dev, node) => {
          const h = encodeHlc(1, 0, node);
          expect(isServerStamp(h, dev)).toBe(false);
        },
      ),
    );
  });
});
