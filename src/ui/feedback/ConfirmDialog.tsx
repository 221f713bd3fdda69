// A small confirmation before a one-tap action that changes a patient's day for good (absent,
// ending every queue entry, marking appointments absent). Modal, labelled, Escape cancels, focus
// starts on « Annuler » (the safe choice) and stays inside until the dialog closes.
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { t } from '../i18n';
import './feedback.css';

export interface ConfirmText {
  title: string;
  body: ReactNode;
  confirmLabel: string;
}

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  onConfirm,
  onCancel,
}: ConfirmText & { onConfirm(): void; onCancel(): void }) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
  }, []);
  return (
    <div className="confirm-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className="confirm-dialog stack"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          } else if (e.key === 'Tab') {
            // Two buttons: Tab and Shift+Tab go from one to the other.
            e.preventDefault();
            (document.activeElement === cancel.current ? confirm : cancel).current?.focus();
          }
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-body`}>{body}</div>
        <div className="actions">
          <button ref={cancel} type="button" className="button" onClick={onCancel}>
            {t('feedback.confirm.cancel')}
          </button>
          <button ref={confirm} type="button" className="button button--danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
