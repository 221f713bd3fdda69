// Progress of long work (a first sync, an export, a purge): a labelled progressbar with its value
// for assistive technology and a French sentence of where it stands.
import { useId } from 'react';
import './feedback.css';

export function ProgressBar({
  label,
  value,
  max,
  text,
}: {
  label: string;
  value: number;
  max: number;
  /** What the value means in words (« 3 pages reçues sur 7 »). */
  text: string;
}) {
  const id = useId();
  const bounded = Math.max(0, Math.min(value, max));
  const percent = max > 0 ? Math.round((bounded / max) * 100) : 0;
  return (
    <div className="progress">
      <span id={`${id}-label`} className="progress__label">
        {label}
      </span>
      <div
        role="progressbar"
        className="progress__bar"
        aria-labelledby={`${id}-label`}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={bounded}
        aria-valuetext={text}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__text">{text}</span>
    </div>
  );
}
