// A deterministic, lossy network for the replication simulation: messages are delayed, dropped,
// duplicated and reordered by a seeded PRNG, and links can be cut (partitions).

export { prng } from '../../src/server/seed/prng';

export interface Faults {
  drop: number;
  duplicate: number;
  maxDelay: number;
}

interface Envelope<T> {
  deliverAt: number;
  order: number;
  to: string;
  payload: T;
}

export class Network<T> {
  private queue: Envelope<T>[] = [];
  private cut = new Set<string>();
  private order = 0;

  constructor(
    private readonly rnd: () => number,
    public faults: Faults,
  ) {}

  static link(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  isUp(a: string, b: string): boolean {
    return !this.cut.has(Network.link(a, b));
  }

  setLink(a: string, b: string, up: boolean): void {
    if (up) this.cut.delete(Network.link(a, b));
    else this.cut.add(Network.link(a, b));
  }

  healAll(): void {
    this.cut.clear();
  }

  /** Sends a message; it may be dropped, duplicated or delayed. Returns false when the link is cut. */
  send(from: string, to: string, payload: T, now: number): boolean {
    if (!this.isUp(from, to)) return false;
    if (this.rnd() < this.faults.drop) return true;
    const copies = this.rnd() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = Math.floor(this.rnd() * (this.faults.maxDelay + 1));
      this.queue.push({ deliverAt: now + delay, order: this.order++, to, payload });
    }
    return true;
  }

  /** Messages due at `now`, in a random order (reordering), removed from the queue. */
  due(now: number): { to: string; payload: T }[] {
    const ready = this.queue.filter((m) => m.deliverAt <= now);
    this.queue = this.queue.filter((m) => m.deliverAt > now);
    for (let i = ready.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [ready[i], ready[j]] = [ready[j]!, ready[i]!];
    }
    return ready.map(({ to, payload }) => ({ to, payload }));
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /** A crash loses whatever was in flight to or from a node. */
  dropFor(node: string): void {
    this.queue = this.queue.filter((m) => m.to !== node);
  }
}
