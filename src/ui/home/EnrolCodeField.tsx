// The enrolment code's field, the same on the first enrolment (JoinOrganisation) and when no
// server recognises the device any more (RejoinBanner): 8 characters, typed loosely.
import { useId } from 'react';
import { t } from '../i18n';

export function EnrolCodeField({
  value,
  onChange,
  errorId,
}: {
  value: string;
  onChange: (value: string) => void;
  /** The id of the message saying what is wrong with the code, when something is. */
  errorId: string | null;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t('join.code')}</label>
      <input
        id={id}
        className="enrol-code-input"
        type="text"
        value={value}
        autoComplete="one-time-code"
        autoCapitalize="characters"
        enterKeyHint="go"
        spellCheck={false}
        maxLength={16}
        aria-describedby={errorId ? `${hintId} ${errorId}` : hintId}
        aria-invalid={errorId ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id={hintId} className="muted">
        {t('join.codeHint')}
      </p>
    </div>
  );
}
