// A relay's page to central: halved after a timeout, doubled back after an answer in time,
// always between the least page and the configured one (src/sync/page-size.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isTimeout,
  MIN_PAGE_BYTES,
  nextPageBytes,
  type PageOutcome,
} from '../../src/sync/page-size';

const bounds = { max: 256 * 1024, min: MIN_PAGE_BYTES };

describe('the relay’s page size', () => {
  it('halves after a timeout and doubles back after an answer, within its bounds', () => {
    const answered = (elapsedMs: number) =>
      ({ kind: 'answered', elapsedMs, deadlineMs: 15_000 }) as const;
    expect(nextPageBytes(256 * 1024, { kind: 'timeout' }, bounds)).toBe(128 * 1024);
    expect(nextPageBytes(128 * 1024, answered(1_000), bounds)).toBe(256 * 1024);
    expect(nextPageBytes(256 * 1024, answered(1_000), bounds)).toBe(256 * 1024);
    // Answered, but slowly: the next page is smaller before central misses a deadline.
    expect(nextPageBytes(128 * 1024, answered(9_000), bounds)).toBe(64 * 1024);
    expect(nextPageBytes(128 * 1024, answered(5_000), bounds)).toBe(128 * 1024);
    expect(nextPageBytes(MIN_PAGE_BYTES, { kind: 'timeout' }, bounds)).toBe(MIN_PAGE_BYTES);
    expect(nextPageBytes(64 * 1024, { kind: 'failed' }, bounds)).toBe(64 * 1024);
  });

  it('stays within bounds, never grows on a timeout or a slow answer, never shrinks on a quick one', () => {
    const outcome: fc.Arbitrary<PageOutcome> = fc.oneof(
      fc.constant({ kind: 'timeout' } as const),
      fc.constant({ kind: 'failed' } as const),
      fc
        .integer({ min: 0, max: 15_000 })
        .map((elapsedMs) => ({ kind: 'answered', elapsedMs, deadlineMs: 15_000 }) as const),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 4 * 1024 * 1024 }),
        fc.array(outcome, { maxLength: 40 }),
        (max, outcomes) => {
          const b = { max, min: MIN_PAGE_BYTES };
          let size = max;
          for (const o of outcomes) {
            const next = nextPageBytes(size, o, b);
            expect(next).toBeLessThanOrEqual(max);
            expect(next).toBeGreaterThanOrEqual(Math.min(MIN_PAGE_BYTES, max));
            const slow = o.kind === 'answered' && o.elapsedMs > o.deadlineMs / 2;
            const quick = o.kind === 'answered' && o.elapsedMs < o.deadlineMs / 4;
            if (o.kind === 'timeout' || slow) expect(next).toBeLessThanOrEqual(size);
            if (quick) expect(next).toBeGreaterThanOrEqual(size);
            if (o.kind === 'failed') expect(next).toBe(size);
            size = next;
          }
        },
      ),
    );
  });

  it('reaches the least page within log2(max / min) timeouts', () => {
    let size = bounds.max;
    for (let i = 0; i < Math.log2(bounds.max / bounds.min); i++) {
      size = nextPageBytes(size, { kind: 'timeout' }, bounds);
    }
    expect(size).toBe(MIN_PAGE_BYTES);
  });

  it('tells a request cut by its own deadline from other failures', async () => {
    const cut = await fetch('http://127.0.0.1:9/', { signal: AbortSignal.timeout(1) }).catch(
      (e: unknown) => e,
    );
    // Either the deadline or the refused connection comes first; only the former is a timeout.
    expect(isTimeout(new DOMException('late', 'TimeoutError'))).toBe(true);
    expect(isTimeout(new TypeError('fetch failed'))).toBe(false);
    expect(isTimeout(new DOMException('stop', 'AbortError'))).toBe(false);
    expect(cut).toBeInstanceOf(Error);
  });
});
