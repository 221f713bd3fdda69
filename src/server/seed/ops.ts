// Turns whole rows into the ops a device would have written, so seeded data replicates like any
// other data: a `set` per register field, an `add` per set element, an `ins` per immutable row.
import { ENTITY_SPECS, type EntityName, SCHEMA_VERSION } from '../../domain/entities';
import { createClock, tick } from '../../sync/hlc';
import type { Op } from '../../sync/op';

export function rowsToOps(
  org: string,
  device: string,
  rows: { [K in EntityName]?: readonly { id: string }[] },
  now = Date.now(),
): Op[] {
  let clock = createClock(device);
  let seq = 0;
  const ops: Op[] = [];
  const stamp = () => {
    const t = tick(clock, now);
    clock = t.clock;
    return t.hlc;
  };
  for (const [entity, list] of Object.entries(rows) as [EntityName, { id: string }[]][]) {
    const spec = ENTITY_SPECS[entity];
    for (const row of list) {
      const base = { v: SCHEMA_VERSION, org, dev: device, e: entity, id: row.id };
      if ('immutable' in spec && spec.immutable) {
        ops.push({ ...base, seq: ++seq, hlc: stamp(), f: '*', k: 'ins', val: row });
        continue;
      }
      for (const [field, fieldSpec] of Object.entries(spec.fields)) {
        const value = (row as Record<string, unknown>)[field];
        if (value === undefined) continue;
        if (fieldSpec.kind === 'set') {
          for (const el of value as unknown[]) {
            ops.push({ ...base, seq: ++seq, hlc: stamp(), f: field, k: 'add', val: el });
          }
        } else {
          ops.push({ ...base, seq: ++seq, hlc: stamp(), f: field, k: 'set', val: value, base: [] });
        }
      }
    }
  }
  return ops;
}
