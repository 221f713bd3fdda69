// Valid ops for server tests: a device writing fields of real entities with its own clock.
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { createClock, encodeHlc, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';

export const ORG = 'org-test';

export class TestDevice {
  private clock;
  seq = 0;

  constructor(
    readonly dev: string,
    readonly org = ORG,
  ) {
    this.clock = createClock(dev);
  }

  /** A room name write: the smallest valid op, on row `id`. */
  rename(id: string, name: string, base: string[] = []): Op {
    const t = tick(this.clock, Date.now());
    this.clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org: this.org,
      dev: this.dev,
      seq: ++this.seq,
      hlc: t.hlc,
      e: 'room',
      id,
      f: 'name',
      k: 'set',
      val: name,
      base,
    };
  }

  batch(n: number, prefix = 'r'): Op[] {
    return Array.from({ length: n }, (_, i) =>
      this.rename(`${prefix}-${this.dev}-${this.seq + 1}`, `Salle ${i}`),
    );
  }
}

/**
 * `times` renames of room `roomId` by `dev`, a second apart from `fromMs`, each superseding the
 * one before (its base names it): the row the horizon tests prune.
 */
export function roomRenames(roomId: string, times: number, dev: string, fromMs: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < times; i++) {
    ops.push({
      v: SCHEMA_VERSION,
      org: ORG,
      dev,
      seq: i + 1,
      hlc: encodeHlc(fromMs + i * 1000, 0, dev),
      e: 'room',
      id: roomId,
      f: 'name',
      k: 'set',
      val: `Salle ${i}`,
      base: i === 0 ? [] : [ops[i - 1]!.hlc],
    });
  }
  return ops;
}
