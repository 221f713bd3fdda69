// Coalescing superseded local writes (issue #18 item 5): a note autosaved ten times while the
// room had no link should cross the link once, not ten times. A new value of a field replaces,
// in the outbox, the device's own earlier value of that field when no server has been offered it
// yet: the new op takes the earlier op's place (its `seq`, so the device's log stays gapless)
// and inherits what the earlier op superseded (its `base`), so every replica computes the state
// it would have computed from the two ops — without the intermediate value, which nobody saw.
//
// The device's own state must then forget the intermediate value too (`withoutHead`), or its
// digest would differ from the replicas' that never received it.
import type { FieldKind, Registry } from './fields';
import type { Hlc } from './hlc';
import type { Op } from './op';

/** Entities whose rows fix what was signed or attested: no value is folded across one of them. */
export const COALESCE_BARRIERS: ReadonlySet<string> = new Set(['signature', 'addendum']);

function kindOf(registry: Registry, e: string, f: string): FieldKind | undefined {
  const spec = registry(e);
  return spec && Object.hasOwn(spec.fields, f) ? spec.fields[f]!.kind : undefined;
}

/**
 * Whether `next` may replace `prev` in the outbox: both are plain sets of the same last-writer-
 * wins field of the same row, by the same device and person, under the same schema, and `next`
 * was written over `prev` (its base names it). Status fields keep every step (their epochs and
 * ranks order reversals against progress); sets, inserts and deletions are never folded.
 * Whether `prev` was offered to a server, and whether a signature stands between the two, is
 * the caller's to know (the outbox's order): see `writeChanges`.
 */
export function coalescible(prev: Op, next: Op, registry: Registry): boolean {
  return (
    prev.k === 'set' &&
    next.k === 'set' &&
    prev.e === next.e &&
    prev.id === next.id &&
    prev.f === next.f &&
    prev.dev === next.dev &&
    prev.org === next.org &&
    prev.v === next.v &&
    prev.user === next.user &&
    prev.hlc < next.hlc &&
    (next.base ?? []).includes(prev.hlc) &&
    kindOf(registry, next.e, next.f) === 'lww'
  );
}

/**
 * The op that replaces `prev` and `next`: `next`'s value, clock and person, in `prev`'s place,
 * superseding what `prev` superseded and what `next` saw besides `prev` (concurrent values
 * pulled meanwhile), but not `prev` itself, which no other replica will ever hold.
 */
export function coalesced(prev: Op, next: Op): Op {
  const base = new Set<Hlc>(prev.base ?? []);
  for (const h of next.base ?? []) if (h !== prev.hlc) base.add(h);
  const { base: _ignored, ...rest } = next;
  return base.size === 0
    ? { ...rest, seq: prev.seq }
    : { ...rest, seq: prev.seq, base: [...base].sort() };
}
