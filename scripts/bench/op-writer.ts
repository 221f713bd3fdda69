// Ops as a device's write path makes them (src/device/write.ts), without IndexedDB: one `set`
// per field naming the heads this writer saw, one `add` per new set element, one `ins` per
// immutable row, each stamped with the signed-in person when there is one (the servers refuse
// clinical ops without it). For load generators that need many devices in one process.
import type { Change } from '../../src/device/write';
import { ENTITY_SPECS, type EntityName, SCHEMA_VERSION } from '../../src/domain/entities';
import { createClock, type HlcClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';

export class OpWriter {
  private clock: HlcClock;
  private seq = 0;
  /** Last hlc this writer set per row field: the base of its next set there. */
  private heads = new Map<string, string>();

  constructor(
    readonly dev: string,
    readonly org: string,
  ) {
    this.clock = createClock(dev);
  }

  private op(
    c: Change,
    f: string,
    k: Op['k'],
    val: unknown,
    user: string | undefined,
    base?: string[],
  ): Op {
    const t = tick(this.clock, Date.now());
    this.clock = t.clock;
    const op: Op = {
      v: SCHEMA_VERSION,
      org: this.org,
      dev: this.dev,
      seq: ++this.seq,
      hlc: t.hlc,
      ...(user === undefined ? {} : { user }),
      e: c.entity,
      id: c.id,
      f,
      k,
      val,
    };
    if (base) {
      op.base = base;
      this.heads.set(`${c.entity}\u0000${c.id}\u0000${f}`, t.hlc);
    }
    return op;
  }

  /** The ops of one user action; `user`: the staff id signed in on the device. */
  write(changes: readonly Change[], user?: string): Op[] {
    const out: Op[] = [];
    for (const c of changes) {
      if ('insert' in c) {
        out.push(this.op(c, '*', 'ins', c.insert, user));
        continue;
      }
      if (!('set' in c) || !c.set) continue;
      const spec = ENTITY_SPECS[c.entity as EntityName];
      for (const [f, val] of Object.entries(c.set)) {
        if (spec.fields[f as keyof typeof spec.fields]?.kind === 'set' && Array.isArray(val)) {
          for (const x of val) out.push(this.op(c, f, 'add', x, user));
          continue;
        }
        const head = this.heads.get(`${c.entity}\u0000${c.id}\u0000${f}`);
        out.push(this.op(c, f, 'set', val, user, head ? [head] : []));
      }
    }
    return out;
  }
}
