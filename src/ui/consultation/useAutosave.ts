// Every keystroke of a note is kept: the text is written through the write path shortly after
// typing stops, and at once when the field loses focus, the page is hidden or closed, or the
// screen goes away. While a change waits, the form is marked dirty so an update never reloads
// over it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useUiStore } from '../state/ui-store';

export const AUTOSAVE_DELAY_MS = 400;
let defaultDelay = AUTOSAVE_DELAY_MS;

/** Tests that must tell a flush from the debounce set a long delay, then restore it. */
export function setAutosaveDelay(ms: number): void {
  defaultDelay = ms;
}

export interface Autosaved {
  value: string;
  onChange(value: string): void;
  /** Writes the pending change now. */
  flush(): Promise<void>;
  /** French message of the last failed save (the text stays on screen and is retried). */
  error: string | null;
}

export function useAutosavedText(
  key: string,
  remote: string,
  save: (value: string) => Promise<void>,
  delay?: number,
): Autosaved {
  const [value, setValue] = useState(remote);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const saveRef = useRef(save);
  saveRef.current = save;
  const setFormDirty = useUiStore((s) => s.setFormDirty);

  const flush = useCallback(async () => {
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    const next = pending.current;
    if (next === null) return;
    pending.current = null;
    try {
      await saveRef.current(next);
      setError(null);
      if (pending.current === null) setFormDirty(key, false);
    } catch (e) {
      // Keep it pending: the next keystroke, blur or page hide tries again.
      pending.current ??= next;
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [key, setFormDirty]);

  // A change from another device shows up unless this device has typing of its own waiting.
  useEffect(() => {
    if (pending.current === null) setValue(remote);
  }, [remote]);

  useEffect(() => {
    const hide = () => void flush();
    const hidden = () => {
      if (document.visibilityState === 'hidden') void flush();
    };
    window.addEventListener('pagehide', hide);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('pagehide', hide);
      document.removeEventListener('visibilitychange', hidden);
      void flush();
    };
  }, [flush]);

  const onChange = useCallback(
    (next: string) => {
      setValue(next);
      pending.current = next;
      setFormDirty(key, true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), delay ?? defaultDelay);
    },
    [key, delay, flush, setFormDirty],
  );

  return { value, onChange, flush, error };
}
