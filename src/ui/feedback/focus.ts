// A refused submit of a long form brings the eye to the first fault: the first invalid field (or
// the first refusal message) is scrolled to the middle of the screen and focused.

/** Focuses the first fault inside `container`; true when there was one. */
export function focusFirstError(container: HTMLElement | null): boolean {
  // An invalid field first; else a message of a group (a list of boxes) or a refusal.
  const fault =
    container?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    container?.querySelector<HTMLElement>('.field__error, [role="alert"]');
  if (!fault) return false;
  // A message is not focusable: bring its field (or the message itself, made focusable) instead.
  const field = fault.matches('[aria-invalid="true"]')
    ? fault
    : (fault.closest('.field, fieldset')?.querySelector<HTMLElement>('input, select, textarea') ??
      fault);
  if (field === fault && !fault.matches('input, select, textarea, button')) {
    fault.tabIndex = -1;
  }
  bringIntoView(field);
  return true;
}

/** Scrolls `el` to the middle of the screen and focuses it. */
export function bringIntoView(el: HTMLElement): void {
  if (typeof el.scrollIntoView === 'function') {
    el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }
  el.focus({ preventScroll: true });
}

/** Focuses the part of a form `container` holds: its invalid field, else its first field. */
export function focusPart(container: HTMLElement | null): boolean {
  const field =
    container?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    container?.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea');
  if (!field) return focusFirstError(container);
  bringIntoView(field);
  return true;
}
