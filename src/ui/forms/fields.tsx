// Labelled form controls with their error in French tied by aria-describedby, so a screen reader
// hears the fault with the field and the field is marked invalid.
import { type ReactNode, useId } from 'react';
import './forms.css';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** `alert`: the hint is a warning about the value (an abnormal vital), shown in colour. */
  hintTone?: 'alert' | undefined;
  required?: boolean;
}

function Messages({
  id,
  error,
  hint,
  hintTone,
}: {
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
  hintTone?: 'alert' | undefined;
}) {
  return (
    <>
      {hint ? (
        <span
          className={hintTone === 'alert' ? 'field__hint field__hint--alert' : 'field__hint'}
          id={`${id}-hint`}
        >
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field__error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

function describedBy(id: string, error?: string, hint?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  hintTone,
  required,
  type = 'text',
  autoComplete = 'off',
  inputMode,
  enterKeyHint,
  autoFocus,
  onBlur,
}: FieldProps & {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'date' | 'time' | 'tel' | 'email' | 'search' | 'password';
  autoComplete?: string;
  /** The tablet's keyboard: digits for a NIR or a code, digits and a comma for a weight. */
  inputMode?: 'text' | 'numeric' | 'decimal' | 'tel' | 'email' | 'search';
  enterKeyHint?: 'enter' | 'done' | 'go' | 'next' | 'previous' | 'search' | 'send';
  autoFocus?: boolean;
  onBlur?(): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        required={required}
        autoComplete={autoComplete}
        inputMode={inputMode}
        enterKeyHint={enterKeyHint}
        // biome-ignore lint/a11y/noAutofocus: the first field of a step the user just opened
        autoFocus={autoFocus}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
      />
      <Messages id={id} error={error} hint={hint} hintTone={hintTone} />
    </div>
  );
}

export function TextAreaField({
  label,
  value,
  onChange,
  error,
  hint,
  required,
  rows = 3,
  id: givenId,
}: FieldProps & { value: string; onChange(value: string): void; rows?: number; id?: string }) {
  const generated = useId();
  const id = givenId ?? generated;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <textarea
        id={id}
        value={value}
        rows={rows}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(e) => onChange(e.target.value)}
      />
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export function SelectField<V extends string>({
  label,
  value,
  onChange,
  options,
  error,
  hint,
  required,
}: FieldProps & {
  value: V | '';
  onChange(value: V): void;
  options: readonly { value: V | ''; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <select
        id={id}
        value={value}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(e) => onChange(e.target.value as V)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
  error,
  hint,
  disabled,
}: FieldProps & { checked: boolean; onChange(checked: boolean): void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="field field--checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      <Messages id={id} error={error} hint={hint} />
    </div>
  );
}

/** A group of controls under one legend (radio buttons, checkbox lists). */
export function FieldGroup({
  legend,
  error,
  children,
}: {
  legend: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <fieldset className="field-group" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {children}
      {error ? (
        <span className="field__error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
