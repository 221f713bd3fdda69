// Long work done in steps on the page: each step lets the browser paint the progress bar first.

export interface StepProgress {
  done: number;
  total: number;
  label: string;
}

/** Resolves after the next paint, so a progress bar updated just before is seen. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
