// In-memory replicas for the simulation: devices with a durable outbox and a checkpoint per
// server, and servers (relay, central) with an op log numbered by a server sequence. They use the
// real pure core (src/sync) for clocks, merging and digests, and follow docs/protocol.md: pushes
// idempotent by (device, device sequence), pulls "after N" paged, the relay forwarding what it holds
// to central and bringing back what central has.
import { entitySpec } from '../../src/domain/entities';
import { digestRows } from '../../src/sync/digest';
import { createClock, type HlcClock, receive, tick } from '../../src/sync/hlc';
import { applyOp, baseOf, materialise, type RowState, tagsOf } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

export const registry = entitySpec;
export const ORG = 'org-sim';

export type SeqOp = { s: number; op: Op };

export function rowKey(e: string, id: string): string {
  return `${e}/${id}`;
}

/** A replica's rows: merge states keyed by entity/id. */
export class RowStore {
  readonly states = new Map<string, RowState>();
  /** Called after each applied op with the row before and after (for invariant checks). */
  onApply?: (before: RowState | undefined, after: RowState, op: Op) => void;

  apply(op: Op): void {
    const key = rowKey(op.e, op.id);
    const before = this.states.get(key);
    const after = applyOp(before, op, registry);
    this.states.set(key, after);
    this.onApply?.(before, after, op);
  }

  get(e: string, id: string): RowState | undefined {
    return this.states.get(rowKey(e, id));
  }

  value(e: string, id: string): Record<string, unknown> | undefined {
    const row = this.get(e, id);
    return row ? materialise(row, registry) : undefined;
  }

  all(e: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const row of this.states.values()) if (row.e === e) out.push(materialise(row, registry));
    return out;
  }

  digest(): string {
    return digestRows([...this.states.values()]);
  }
}

export type Change =
  | { entity: string; id: string; set: Record<string, unknown> }
  | {
      entity: string;
      id: string;
      add?: Record<string, unknown[]>;
      remove?: Record<string, unknown[]>;
    }
  | { entity: string; id: string; insert: Record<string, unknown> }
  | { entity: string; id: string; delete: true };

export class DeviceReplica {
  readonly rows = new RowStore();
  outbox: Op[] = [];
  seq = 0;
  clock: HlcClock;
  checkpoints: Record<string, number> = {};
  inFlight = false;

  constructor(
    readonly name: string,
    readonly skewMs: number,
  ) {
    this.clock = createClock(name);
  }

  wall(now: number): number {
    return now + this.skewMs;
  }

  /** The local write path: ops built from the current state, applied and queued together. */
  write(changes: Change[], now: number, user = 'sim-user'): Op[] {
    const ops: Op[] = [];
    const stamp = () => {
      const t = tick(this.clock, this.wall(now));
      this.clock = t.clock;
      return t.hlc;
    };
    const emit = (op: Omit<Op, 'v' | 'org' | 'dev' | 'seq' | 'hlc' | 'user'>) => {
      const full = {
        v: 1,
        org: ORG,
        dev: this.name,
        seq: ++this.seq,
        hlc: stamp(),
        user,
        ...op,
      } as Op;
      this.rows.apply(full);
      this.outbox.push(full);
      ops.push(full);
    };
    for (const c of changes) {
      const row = this.rows.get(c.entity, c.id);
      if ('set' in c) {
        for (const [f, val] of Object.entries(c.set)) {
          emit({ e: c.entity, id: c.id, f, k: 'set', val, base: row ? baseOf(row, f) : [] });
        }
      } else if ('insert' in c) {
        emit({ e: c.entity, id: c.id, f: '*', k: 'ins', val: c.insert });
      } else if ('delete' in c) {
        emit({
          e: c.entity,
          id: c.id,
          f: '_deleted',
          k: 'del',
          val: true,
          base: row ? baseOf(row, '_deleted') : [],
        });
      } else {
        for (const [f, els] of Object.entries(c.add ?? {})) {
          for (const val of els) emit({ e: c.entity, id: c.id, f, k: 'add', val });
        }
        for (const [f, els] of Object.entries(c.remove ?? {})) {
          for (const val of els) {
            const current = this.rows.get(c.entity, c.id);
            emit({
              e: c.entity,
              id: c.id,
              f,
              k: 'rem',
              val,
              tags: current ? tagsOf(current, f, val) : [],
            });
          }
        }
      }
    }
    return ops;
  }

  receiveOps(ops: SeqOp[], now: number): void {
    for (const { op } of ops) {
      this.clock = receive(this.clock, op.hlc, this.wall(now));
      this.rows.apply(op);
    }
  }

  ack(accepted: number): void {
    this.outbox = this.outbox.filter((op) => op.seq > accepted);
  }
}

export class ServerReplica {
  readonly rows = new RowStore();
  readonly log: SeqOp[] = [];
  private readonly held = new Map<string, number>();
  private readonly devSeqs = new Map<string, Set<number>>();
  readonly fromUpstream = new Set<number>();
  /** Relay only: highest local seq pushed to central, and central's seq pulled so far. */
  pushedUpTo = 0;
  pulledSince = 0;

  constructor(readonly name: string) {}

  get lastSeq(): number {
    return this.log.length;
  }

  has(op: Op): boolean {
    return this.held.has(`${op.dev}#${op.seq}`);
  }

  /** Idempotent by (device, device sequence); returns the local sequence of each op. */
  ingest(ops: Op[], fromUpstream = false): void {
    for (const op of ops) {
      const key = `${op.dev}#${op.seq}`;
      if (this.held.has(key)) continue;
      const s = this.log.length + 1;
      this.log.push({ s, op });
      this.held.set(key, s);
      const seqs = this.devSeqs.get(op.dev) ?? new Set<number>();
      this.devSeqs.set(op.dev, seqs);
      seqs.add(op.seq);
      if (fromUpstream) this.fromUpstream.add(s);
      this.rows.apply(op);
    }
  }

  /** Highest device sequence N such that every op 1..N of that device is held. */
  contiguous(dev: string): number {
    const seqs = this.devSeqs.get(dev);
    let n = 0;
    while (seqs?.has(n + 1)) n++;
    return n;
  }

  pull(
    since: number,
    limit: number,
    excludeDev?: string,
  ): { ops: SeqOp[]; lastSeq: number; hasMore: boolean } {
    const page = this.log.slice(since, since + limit);
    const last = page.length ? page[page.length - 1]!.s : since;
    return {
      ops: page.filter((x) => x.op.dev !== excludeDev),
      lastSeq: last,
      hasMore: last < this.log.length,
    };
  }
}
