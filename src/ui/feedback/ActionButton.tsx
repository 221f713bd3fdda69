// One button of a screen's action with everything the user needs where the eye is:
// - when the domain rule that would refuse it already says no, the button is marked disabled
//   (aria-disabled, so it stays focusable and its reason is read) and the reason is shown beside it;
// - its result (the refusal thrown by the action) is shown and announced beside it;
// - optionally a keyboard shortcut (aria-keyshortcuts, shown on the button) and a confirmation.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ActionFeedback, describedByIds } from './ActionFeedback';
import { useAction } from './action';
import { ConfirmDialog, type ConfirmText } from './ConfirmDialog';
import { type Shortcut, useShortcut } from './shortcuts';
import './feedback.css';

export function ActionButton({
  children,
  onAction,
  disabledReason = null,
  reasonId,
  confirm,
  shortcut,
  primary = false,
  ariaLabel,
  success,
  onRefused,
}: {
  children: ReactNode;
  /** The action; a throw is its refusal, shown beside the button. */
  onAction(): Promise<unknown>;
  /** Why it cannot succeed now (from the domain rule the action checks), or null. */
  disabledReason?: string | null;
  /** The id of a reason shown once for several buttons (the button then shows none itself). */
  reasonId?: string;
  confirm?: ConfirmText;
  shortcut?: Shortcut;
  primary?: boolean;
  ariaLabel?: string;
  /** A confirmation shown beside the button once done. */
  success?: string;
  /** Pressed while refused: instead of repeating the reason, bring the eye to what to fix. */
  onRefused?(): void;
}) {
  const id = useId();
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const refused = disabledReason !== null;
  const ownReasonId = `${id}-reason`;
  const feedbackId = `${id}-feedback`;
  const go = () => {
    if (action.pending) return;
    if (refused) {
      // Pressed anyway (it stays focusable): say why, here, or show what to fix.
      if (onRefused) onRefused();
      else action.fail(disabledReason);
      return;
    }
    if (confirm) setAsking(true);
    else void action.run(onAction, success);
  };
  // A refusal describes the moment it was given: once the reason changes (the room is now in
  // consultation, the patient left), it is no longer true and goes.
  const lastReason = useRef(disabledReason);
  const { clearError } = action;
  useEffect(() => {
    if (lastReason.current === disabledReason) return;
    lastReason.current = disabledReason;
    clearError();
  }, [disabledReason, clearError]);
  useShortcut(shortcut, () => {
    button.current?.focus();
    go();
  });
  // The reason shown by the button itself is replaced by the alert once pressed (not twice).
  const showOwnReason =
    refused && reasonId === undefined && action.feedback?.text !== disabledReason;
  return (
    <span className="action">
      <button
        ref={button}
        type="button"
        className={`button${primary ? ' button--primary' : ''}`}
        aria-label={ariaLabel}
        aria-disabled={refused || action.pending ? true : undefined}
        aria-keyshortcuts={shortcut}
        aria-describedby={describedByIds(
          refused && (reasonId ?? (showOwnReason ? ownReasonId : null)),
          action.feedback && feedbackId,
        )}
        onClick={go}
      >
        {children}
        {shortcut ? (
          <span className="action__shortcut" aria-hidden="true">
            {shortcut}
          </span>
        ) : null}
      </button>
      {showOwnReason ? (
        <span id={ownReasonId} className="action__reason">
          {disabledReason}
        </span>
      ) : null}
      <ActionFeedback id={feedbackId} feedback={action.feedback} />
      {asking && confirm ? (
        <ConfirmDialog
          {...confirm}
          onConfirm={() => {
            setAsking(false);
            button.current?.focus();
            void action.run(onAction, success);
          }}
          onCancel={() => {
            setAsking(false);
            button.current?.focus();
          }}
        />
      ) : null}
    </span>
  );
}
