// How many bytes of ops a relay puts in one request to central. A page that central cannot
// answer within the relay's timeout (a reconnect storm: every truck back at once, each first page
// taking ≈ 14 s at a loaded central against a 15 s timeout) would time out again and again at
// the same size. The page follows central's answer time instead: halved after a timeout or an
// answer that took more than half the deadline, doubled back after one that took less than a
// quarter of it, never above the configured size (docs/protocol.md, Relay).

export interface PageSizeBounds {
  /** The configured page (256 KiB by default): never exceeded. */
  max: number;
  /** The least page: a large op still fits (the server always takes and sends at least one). */
  min: number;
}

export const MIN_PAGE_BYTES = 16 * 1024;

export type PageOutcome =
  | { kind: 'timeout' }
  /** Central answered after `elapsedMs` of the request's `deadlineMs`. */
  | { kind: 'answered'; elapsedMs: number; deadlineMs: number }
  /** Unreachable or refusing: says nothing about how much central answers in time. */
  | { kind: 'failed' };

/** The page size for the next request after one of `current` bytes had `outcome`. */
export function nextPageBytes(current: number, outcome: PageOutcome, b: PageSizeBounds): number {
  const min = Math.min(b.min, b.max);
  const clamp = (n: number) => Math.max(min, Math.min(b.max, Math.round(n)));
  switch (outcome.kind) {
    case 'timeout':
      return clamp(current / 2);
    case 'answered': {
      const share = outcome.elapsedMs / outcome.deadlineMs;
      if (share > 0.5) return clamp(current / 2);
      if (share < 0.25) return clamp(current * 2);
      return clamp(current);
    }
    case 'failed':
      return clamp(current);
  }
}

/** Whether a failed fetch was cut by its own deadline (AbortSignal.timeout). */
export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError';
}
