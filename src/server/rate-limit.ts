// Counting failures (wrong codes, wrong passwords) per key in a sliding window: a person who types
// correctly is never slowed, one guessing is stopped. In memory, per server process: a restart
// resets it, which the window's short length makes harmless.
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Epoch ms until which this key is refused (0: not refused). */
  blockedUntil(key: string): number {
    const recent = this.recent(key);
    return recent.length >= this.max ? recent[recent.length - this.max]! + this.windowMs : 0;
  }

  fail(key: string): void {
    this.failures.set(key, [...this.recent(key), this.now()]);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
