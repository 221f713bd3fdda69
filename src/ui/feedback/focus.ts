// A refused submit of a long form brings the eye to the first fault: the first invalid field (or
// the first refusal message) is scrolled to the middle of the screen and focused.

const FAULTS = '[aria-invalid="true"], .field__error, [role="alert"]';

/** Focuses the first fault inside `container`; true when there was one. */
export function focusFirstError(container: HTMLElement | null): boolean {
  const fault = container?.querySelector<HTMLElement>(FAULTS);
  if (!fault) return false;
  // A message is not focusable: bring its field (or the message itself, made focusable) instead.
  const field = fault.matches('[aria-invalid="true"]')
    ? fault
    : (fault.closest('.field, fieldset')?.querySelector<HTMLElement>('input, select, textarea') ??
      fault);
  if (field === fault && !fault.matches('input, select, textarea, button')) {
    fault.tabIndex = -1;
  }
  if (typeof field.scrollIntoView === 'function') {
    field.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }
  field.focus({ preventScroll: true });
  return true;
}
