// The message of an action beside the control that caused it: a refusal is an alert (announced at
// once by screen readers), a confirmation a status. The control points at it with
// aria-describedby (see ActionButton), so focus on the control reads it again.
import type { Feedback } from './action';
import './feedback.css';

export function ActionFeedback({ id, feedback }: { id: string; feedback: Feedback | null }) {
  if (!feedback) return null;
  return feedback.kind === 'error' ? (
    <span id={id} className="action-feedback action-feedback--error" role="alert">
      {feedback.text}
    </span>
  ) : (
    <span id={id} className="action-feedback action-feedback--success" role="status">
      {feedback.text}
    </span>
  );
}

/** The ids that describe a control: its disabled reason and its last result, when shown. */
export function describedByIds(...ids: (string | null | undefined | false)[]): string | undefined {
  const kept = ids.filter((x): x is string => typeof x === 'string' && x !== '');
  return kept.length > 0 ? kept.join(' ') : undefined;
}
