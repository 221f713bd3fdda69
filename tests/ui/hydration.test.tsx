// Screens wait for the stored UI state before they set or accept anything it would overwrite.
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useHydrated } from '../../src/ui/state/hydration';

function fakeStore() {
  let hydrated = false;
  const listeners = new Set<() => void>();
  return {
    persist: {
      hasHydrated: () => hydrated,
      onFinishHydration(fn: () => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    finish() {
      hydrated = true;
      for (const fn of listeners) fn();
    },
  };
}

describe('waiting for a stored UI state', () => {
  it('is false until the stored copy has loaded, then true', () => {
    const store = fakeStore();
    const { result } = renderHook(() => useHydrated(store));
    expect(result.current).toBe(false);
    act(() => store.finish());
    expect(result.current).toBe(true);
  });

  it('is true at once for a store already loaded', () => {
    const store = fakeStore();
    store.finish();
    const { result } = renderHook(() => useHydrated(store));
    expect(result.current).toBe(true);
  });
});
