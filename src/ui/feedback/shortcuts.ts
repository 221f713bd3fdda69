// Keyboard shortcuts of a screen's main actions (Alt+N, Alt+E, Alt+S…): matched on the physical
// key (event.code), so Alt+N works on AZERTY and on macOS where Alt types another character.
import { useEffect, useRef } from 'react';

export type Shortcut = `Alt+${string}`;

/** The KeyboardEvent.code of a shortcut's letter: 'Alt+N' → 'KeyN'. */
export function shortcutCode(shortcut: Shortcut): string {
  return `Key${shortcut.slice('Alt+'.length).toUpperCase()}`;
}

export function matchesShortcut(event: KeyboardEvent, shortcut: Shortcut): boolean {
  return (
    event.altKey &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.shiftKey &&
    event.code === shortcutCode(shortcut)
  );
}

/** Calls `handler` when the shortcut is pressed anywhere on the page (none: nothing). */
export function useShortcut(shortcut: Shortcut | undefined, handler: () => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!shortcut) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || !matchesShortcut(event, shortcut)) return;
      event.preventDefault();
      latest.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [shortcut]);
}
