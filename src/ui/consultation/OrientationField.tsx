// The orientation outcome (docs/design.md §2, §4.4): médecin traitant found or declared with the name,
// MSP/CPTS, specialist, emergency department, social worker, or follow-up in the truck at a next
// stop — booked here, in a free slot of that stop's roster.
import { useMemo, useState } from 'react';
import { freeSlots } from '../../domain/booking';
import type { Consultation, Orientation, Service } from '../../domain/entities';
import { orientationKindSchema } from '../../domain/entities';
import { addDays } from '../../domain/time';
import { live } from '../day/day-data';
import { FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatDate, t } from '../i18n';
import { useStopBooking, useStopsFrom } from '../reception/reception-data';
import type { ConsultationActions } from './consultation-actions';
import { useAutosavedText } from './useAutosave';

const KINDS = orientationKindSchema.options;

export function OrientationField({
  consultation,
  service,
  actions,
  editable,
  today,
  onError,
}: {
  consultation: Consultation;
  service: Service | undefined;
  actions: ConsultationActions;
  editable: boolean;
  today: string;
  onError(message: string): void;
}) {
  const o = consultation.orientation;
  const set = (next: Orientation) =>
    actions
      .setOrientation(consultation, next)
      .catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
  const mtName = useAutosavedText(`orientation-mt:${consultation.id}`, o.mtName ?? '', (v) =>
    actions.setOrientation(consultation, { ...consultation.orientation, mtName: v }),
  );
  const detail = useAutosavedText(`orientation-detail:${consultation.id}`, o.detail ?? '', (v) =>
    actions.setOrientation(consultation, { ...consultation.orientation, detail: v }),
  );
  if (!editable) {
    return (
      <FieldGroup legend={t('consultation.orientation.title')}>
        <p>{t(`consultation.orientation.kinds.${o.kind}`)}</p>
        {o.mtName ? <p>{o.mtName}</p> : null}
        {o.detail ? <p>{o.detail}</p> : null}
      </FieldGroup>
    );
  }
  return (
    <FieldGroup legend={t('consultation.orientation.title')}>
      <div className="form-grid">
        <SelectField
          label={t('consultation.orientation.kind')}
          value={o.kind}
          onChange={(kind) => void set({ kind })}
          options={KINDS.map((k) => ({
            value: k,
            label: t(`consultation.orientation.kinds.${k}`),
          }))}
        />
        {o.kind === 'mt_found' || o.kind === 'mt_declared' ? (
          <TextField
            label={t('consultation.orientation.mtName')}
            required
            value={mtName.value}
            onChange={mtName.onChange}
            onBlur={() => void mtName.flush()}
            error={mtName.error ?? undefined}
          />
        ) : null}
        {o.kind === 'msp_cpts' ||
        o.kind === 'specialist' ||
        o.kind === 'social_worker' ||
        o.kind === 'emergency' ? (
          <TextField
            label={t(
              o.kind === 'specialist'
                ? 'consultation.orientation.specialist'
                : o.kind === 'msp_cpts'
                  ? 'consultation.orientation.msp'
                  : 'consultation.orientation.detail',
            )}
            required={o.kind === 'specialist' || o.kind === 'msp_cpts'}
            value={detail.value}
            onChange={detail.onChange}
            onBlur={() => void detail.flush()}
            error={detail.error ?? undefined}
          />
        ) : null}
      </div>
      {o.kind === 'follow_up_truck' ? (
        o.followUpAppointmentId ? (
          <p className="notice" role="status">
            {t('consultation.orientation.followUpBooked', { detail: o.detail ?? '' })}
          </p>
        ) : (
          <FollowUpBooking
            consultation={consultation}
            service={service}
            actions={actions}
            today={today}
            onError={onError}
          />
        )
      ) : null}
    </FieldGroup>
  );
}

function FollowUpBooking({
  consultation,
  service,
  actions,
  today,
  onError,
}: {
  consultation: Consultation;
  service: Service | undefined;
  actions: ConsultationActions;
  today: string;
  onError(message: string): void;
}) {
  const stops = useStopsFrom(addDays(today, 1));
  const [stopId, setStopId] = useState('');
  const [time, setTime] = useState('');
  const booking = useStopBooking(stopId === '' ? null : stopId);
  const stop = stops?.find((s) => s.id === stopId);
  const free = useMemo(
    () =>
      stop && booking && service
        ? freeSlots(stop, live(booking.slots), [service], live(booking.appointments), service.id)
        : [],
    [stop, booking, service],
  );
  return (
    <div className="form-grid">
      <SelectField
        label={t('consultation.orientation.followUpStop')}
        value={stopId}
        onChange={(v) => {
          setStopId(v);
          setTime('');
        }}
        options={[
          { value: '', label: t('reception.booking.chooseStop') },
          ...(stops ?? []).map((s) => ({
            value: s.id,
            label: t('reception.booking.stopLine', {
              date: formatDate(s.date),
              commune: s.communeName,
              opens: s.opensAt,
              closes: s.closesAt,
            }),
          })),
        ]}
      />
      {stop ? (
        <SelectField
          label={t('consultation.orientation.followUpTime')}
          value={time}
          onChange={setTime}
          hint={free.length === 0 ? t('reception.booking.noFreeSlot') : undefined}
          options={[
            { value: '', label: t('consultation.orientation.chooseTime') },
            ...free.map((s) => ({ value: s, label: s })),
          ]}
        />
      ) : null}
      <p>
        <button
          type="button"
          className="button"
          disabled={!stop || !time || !service}
          onClick={() => {
            if (!stop || !time || !service) return;
            actions
              .bookFollowUp(consultation, stop, time, service)
              .catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
          }}
        >
          {t('consultation.orientation.book')}
        </button>
      </p>
    </div>
  );
}
