// The bris de glace (src/domain/reading.ts): a clinician opens a patient's notes they may not
// normally read, for four hours, after choosing a reason; the precision stays with the access
// (sealed, never in the journal's text) and the coordination reviews every one. Offered on a note
// this person may not read, and beside the patient: a note none of the people signed in on a
// device may read never reaches it, so the patient is where its opening is asked for.
import { useState } from 'react';
import { declareBreakGlass } from '../../device/reading-commands';
import type { BreakGlassReason, Staff } from '../../domain/entities';
import { BREAK_GLASS_REASONS, breakGlassRunning } from '../../domain/reading';
import { useNow } from '../data/device-data';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { SelectField, TextField } from '../forms/fields';
import { formatTime, t } from '../i18n';
import { useBreakGlassesOf } from './consultation-data';

/** The reason, the precision and the button that opens the patient's notes. */
export function BreakGlassForm({
  orgId,
  patientId,
  viewer,
}: {
  orgId: string;
  patientId: string;
  viewer: Staff;
}) {
  const write = useWriter();
  const [reason, setReason] = useState<BreakGlassReason | ''>('');
  const [comment, setComment] = useState('');
  return (
    <div className="stack">
      <p>{t('reading.breakGlass.explain')}</p>
      <SelectField<BreakGlassReason>
        label={t('reading.breakGlass.reason')}
        value={reason}
        onChange={setReason}
        options={[
          { value: '', label: t('reading.breakGlass.chooseReason') },
          ...BREAK_GLASS_REASONS.map((r) => ({
            value: r,
            label: t(`reading.breakGlass.reasons.${r}`),
          })),
        ]}
      />
      <TextField label={t('reading.breakGlass.comment')} value={comment} onChange={setComment} />
      <div className="actions">
        <ActionButton
          primary
          disabledReason={reason === '' ? t('reading.breakGlass.reasonMissing') : null}
          onAction={async () => {
            await write(({ newId, now }) =>
              declareBreakGlass(
                {
                  id: newId(),
                  orgId,
                  patientId,
                  staffId: viewer.id,
                  at: now,
                  reason: reason as BreakGlassReason,
                  comment,
                },
                viewer.roles,
              ),
            );
            setReason('');
            setComment('');
          }}
        >
          {t('reading.breakGlass.open')}
        </ActionButton>
      </div>
    </div>
  );
}

/** Beside the patient, for a clinician who is not the coordinating doctor (who reads every
 * note): the bris de glace running for them, or (when `offer`) the form to declare one. */
export function PatientBreakGlass({
  orgId,
  patientId,
  viewer,
  offer,
}: {
  orgId: string;
  patientId: string;
  viewer: Staff;
  /** Offer the form when none is running (false: only show the one running). */
  offer: boolean;
}) {
  const now = useNow();
  const mine = useBreakGlassesOf(viewer.id, patientId);
  if (mine === undefined) return null;
  const running = mine.find((b) => breakGlassRunning(b, now));
  if (running) {
    return (
      <p className="notice notice--warning" role="status">
        {t('reading.breakGlass.running', { until: formatTime(running.until) })}
      </p>
    );
  }
  if (!offer) return null;
  return (
    <details className="summary-add">
      <summary>{t('reading.breakGlass.title')}</summary>
      <BreakGlassForm orgId={orgId} patientId={patientId} viewer={viewer} />
    </details>
  );
}
