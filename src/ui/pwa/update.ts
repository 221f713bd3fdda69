// The update prompt (docs/design.md §8): a new service worker waits until the user says so, and even
// then the page reloads only when no form holds unsaved edits.
import { hasDirtyForms, useUiStore } from '../state/ui-store';

type Applier = (reloadPage?: boolean) => Promise<void>;

let applier: Applier | null = null;
let unsubscribe: (() => void) | null = null;

/** Called once at start-up with the function from `registerSW` that activates the waiting worker. */
export function setUpdateApplier(fn: Applier | null): void {
  applier = fn;
}

/** The service worker reported a waiting version. */
export function announceUpdate(): void {
  useUiStore.getState().setUpdateAvailable(true);
}

export type UpdateOutcome = 'applied' | 'deferred' | 'unavailable';

/**
 * Applies the waiting version now if no form is dirty; otherwise applies it as soon as the last
 * dirty form is saved or closed ('deferred').
 */
export async function requestUpdate(): Promise<UpdateOutcome> {
  if (!applier || !useUiStore.getState().updateAvailable) return 'unavailable';
  if (!hasDirtyForms()) {
    await applier(true);
    return 'applied';
  }
  unsubscribe ??= useUiStore.subscribe((state) => {
    if (state.dirtyForms.length === 0 && applier) {
      unsubscribe?.();
      unsubscribe = null;
      void applier(true);
    }
  });
  return 'deferred';
}

/** Cancels a deferred update (tests; or a page that changes its mind). */
export function cancelDeferredUpdate(): void {
  unsubscribe?.();
  unsubscribe = null;
}
