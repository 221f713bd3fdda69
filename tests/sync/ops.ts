// Hand-written ops for example-based tests: `at(dev, ms)` gives a unique stamp of that device.
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';

const T0 = 1_800_000_000_000;
const seqs = new Map<string, number>();

export function at(dev: string, ms: number, counter = 0): string {
  return encodeHlc(T0 + ms, counter, dev);
}

type Body = Pick<Op, 'e' | 'id' | 'f' | 'k'> & Partial<Op>;

/** An op of `dev` stamped at `ms` (relative), with the next device sequence. */
export function op(dev: string, ms: number, body: Body): Op {
  const seq = (seqs.get(dev) ?? 0) + 1;
  seqs.set(dev, seq);
  return { v: 1, org: 'o', dev, seq, hlc: at(dev, ms), ...body };
}

export const set = (
  dev: string,
  ms: number,
  id: string,
  f: string,
  val: unknown,
  base: string[] = [],
  user?: string,
): Op => op(dev, ms, { e: 'note', id, f, k: 'set', val, base, ...(user ? { user } : {}) });
