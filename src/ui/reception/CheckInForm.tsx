// Check-in of a patient found or just registered: the appointment honoured (or a walk-in), the
// motif, the services in order, the priority flags and an urgent override with its reason.
// It knows the day (issue 23): a patient already in the queue is shown as soon as picked, each
// service says whether a room offers it now (with an honest wait), later, or not today (refused).
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { wallClock } from '../../device/stamp';
import { ageYears } from '../../domain/age';
import {
  type CheckInErrors,
  checkInErrors,
  openEntryOf,
  type ServiceAvailability,
  serviceAvailability,
  serviceRefusal,
} from '../../domain/checkin';
import type { Appointment, MtStatus, Patient, QueueEntry, Service } from '../../domain/entities';
import { newcomerWait } from '../../domain/estimates';
import { effectiveIdentityStatus } from '../../domain/identity-lifecycle';
import { orderQueue } from '../../domain/queue-order';
import { localDate, localTime } from '../../domain/time';
import type { DayRows } from '../data/device-data';
import { byId, estimateText, live, patientName, queueContext } from '../day/day-data';
import { ActionFeedback, describedByIds } from '../feedback/ActionFeedback';
import { messageOf } from '../feedback/action';
import { focusFirstError } from '../feedback/focus';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatBirthDate, formatTime, t, tn } from '../i18n';
import { type CheckInDraft, useArrivalStore } from './arrival-store';
import type { ReceptionActions } from './reception-actions';

/** Asked at check-in: the patient says whether they have a médecin traitant. */
const MT_STATES: readonly MtStatus[] = ['declared', 'none', 'unknown'];

export function CheckInForm({
  patient,
  appointmentId,
  rows,
  now,
  actions,
  onDone,
  onCancel,
}: {
  patient: Patient;
  appointmentId: string | null;
  rows: DayRows;
  /** The device's clock (ISO instant): the roster is read at its wall-clock time. */
  now: string;
  actions: ReceptionActions;
  onDone(done: { visitId: string; tickets: string[] }): void;
  onCancel(): void;
}) {
  const { day } = rows;
  const stop = day.stop;
  const services = useMemo(
    () => live(day.services).sort((a, b) => a.label.localeCompare(b.label, 'fr')),
    [day.services],
  );
  const bookings = useMemo(
    () =>
      live(day.appointments).filter(
        (a) => a.patientId === patient.id && a.stopId === stop?.id && a.status === 'booked',
      ),
    [day.appointments, patient.id, stop?.id],
  );
  const initial: Appointment | undefined =
    bookings.find((a) => a.id === appointmentId) ?? bookings[0];
  // What reception types is kept in the arrival store, so leaving the tab loses nothing.
  const stored = useArrivalStore((s) => s.checkin);
  const editCheckIn = useArrivalStore((s) => s.editCheckIn);
  const draft: CheckInDraft =
    stored && stored.patientId === patient.id
      ? stored
      : {
          patientId: patient.id,
          appointment: initial?.id ?? '',
          motif: initial?.note ?? '',
          chosen: initial ? [initial.serviceId] : [],
          // The record's state, unknown included: reception asks (never « sans MT » by default).
          mtStatus: patient.mtStatus,
          ald: patient.ald,
          urgent: false,
          urgentReason: '',
        };
  const edit = (patch: Partial<CheckInDraft>) => editCheckIn({ ...draft, ...patch });
  const { appointment, motif, chosen, ald, urgent, urgentReason } = draft;
  const mtStatus: MtStatus = draft.mtStatus ?? (draft.noMt ? 'none' : patient.mtStatus);
  const setMotif = (v: string) => edit({ motif: v });
  const setMtStatus = (v: MtStatus) => edit({ mtStatus: v });
  const setAld = (v: boolean) => edit({ ald: v });
  const setUrgent = (v: boolean) => edit({ urgent: v });
  const setUrgentReason = (v: string) => edit({ urgentReason: v });
  const time = localTime(now);
  const stopDay = useMemo(() => {
    const entries = live(day.entries).filter((e) => e.stopId === stop?.id);
    const slots = live(day.slots).filter((s) => s.stopId === stop?.id);
    const waiting = orderQueue(
      entries.filter((e) => e.status.status === 'waiting'),
      queueContext(day),
    );
    return { entries, slots, waiting };
  }, [day, stop?.id]);
  const offer = useMemo(() => {
    const out = new Map<string, { availability: ServiceAvailability; wait: number | undefined }>();
    if (!stop) return out;
    for (const s of services) {
      const availability = serviceAvailability(stopDay.slots, stop.id, s.id, time);
      const wait =
        availability.kind === 'now'
          ? newcomerWait(
              s.id,
              stop.id,
              stopDay.waiting,
              { entries: stopDay.entries, services, slots: stopDay.slots },
              now,
            )
          : undefined;
      out.set(s.id, { availability, wait });
    }
    return out;
  }, [services, stopDay, stop, time, now]);
  const already = useMemo(
    () => openEntryOf(patient.id, stopDay.entries, live(day.visits)),
    [patient.id, stopDay.entries, day.visits],
  );
  const roomNames = useMemo(() => byId(live(day.rooms)), [day.rooms]);
  const visitOf = useMemo(() => byId(live(day.visits)), [day.visits]);
  const [errors, setErrors] = useState<CheckInErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  if (!stop) return null;

  const toggle = (s: Service, on: boolean) =>
    edit({ chosen: on ? [...chosen, s.id] : chosen.filter((id) => id !== s.id) });
  const moveUp = (id: string) => {
    const i = chosen.indexOf(id);
    if (i <= 0) return;
    const next = [...chosen];
    [next[i - 1], next[i]] = [next[i]!, next[i - 1]!];
    edit({ chosen: next });
  };

  const submit = async () => {
    const input = {
      orgId: stop.orgId,
      stopId: stop.id,
      patientId: patient.id,
      appointmentId: appointment === '' ? null : appointment,
      motif,
      serviceIds: chosen,
      noMt: mtStatus === 'none',
      mtStatus,
      ald,
      urgent,
      urgentReason,
    };
    const found = checkInErrors(input, {
      services,
      stopEntries: live(day.entries),
      visits: live(day.visits),
      // The clock read at the press: a form left open over a slot's end is checked as it is now.
      roster: { slots: stopDay.slots, time: localTime(wallClock.iso()) },
    });
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) {
      // After the faults are on screen, bring the eye to the first one.
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    setBusy(true);
    try {
      onDone(
        await actions.checkIn(input, services, live(day.entries), {
          appointments: live(day.appointments),
          patient,
        }),
      );
    } catch (e) {
      setFailure(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={formRef}
      className="stack"
      aria-labelledby="checkin-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (already) return;
        void submit();
      }}
    >
      <h2 id="checkin-title">{t('reception.checkin.title', { name: patientName(patient) })}</h2>
      <p>
        <Link
          to={`/accueil/patient/${patient.id}`}
          aria-label={t('identity.openFor', { name: patientName(patient) })}
        >
          {t('identity.open')}
        </Link>
      </p>
      <p className="muted">
        {t('reception.search.born', { date: formatBirthDate(patient.birthDate) })}
        {patient.birthDate <= localDate(now)
          ? ` · ${tn('reception.search.age', ageYears(patient.birthDate, localDate(now)))}`
          : ''}
        {' · '}
        {t(`reception.identityStatus.${effectiveIdentityStatus(patient)}`)}
      </p>
      {already ? (
        <div className="notice notice--warning" role="status">
          <p>{alreadyText(already, visitOf.get(already.visitId)?.arrivedAt, roomNames)}</p>
          <p>{t('reception.checkin.alreadyHint')}</p>
        </div>
      ) : null}
      {bookings.length > 0 ? (
        <SelectField
          label={t('reception.checkin.appointment')}
          value={appointment}
          onChange={(id) => {
            const booked = bookings.find((b) => b.id === id);
            edit({
              appointment: id,
              chosen:
                booked && !chosen.includes(booked.serviceId)
                  ? [booked.serviceId, ...chosen]
                  : chosen,
            });
          }}
          options={[
            { value: '', label: t('reception.checkin.walkIn') },
            ...bookings.map((b) => ({
              value: b.id,
              label: t('reception.checkin.appointmentLine', {
                time: b.time,
                service: services.find((s) => s.id === b.serviceId)?.label ?? '',
              }),
            })),
          ]}
        />
      ) : (
        <p>{t('reception.checkin.noAppointment')}</p>
      )}
      <TextField
        label={t('reception.checkin.motif')}
        required
        value={motif}
        onChange={setMotif}
        error={errors.motif}
      />
      <FieldGroup legend={t('reception.checkin.services')} error={errors.serviceIds}>
        <ul className="choice-grid">
          {services.map((s) => {
            const order = chosen.indexOf(s.id);
            const o = offer.get(s.id);
            const refusal = o ? serviceRefusal(s, o.availability) : null;
            const note =
              o?.availability.kind === 'now'
                ? t('reception.checkin.offeredNow', { estimate: estimateText(o.wait) })
                : o?.availability.kind === 'later'
                  ? t('reception.checkin.offeredFrom', { time: o.availability.from })
                  : undefined;
            return (
              <li key={s.id}>
                <CheckboxField
                  label={
                    order >= 0
                      ? t('reception.checkin.serviceOrder', { service: s.label, order: order + 1 })
                      : s.label
                  }
                  checked={order >= 0}
                  onChange={(on) => toggle(s, on)}
                  // Refused next to its box; a box already ticked (a booking) can still be unticked.
                  disabled={refusal !== null && order < 0}
                  error={refusal !== null && order >= 0 ? refusal : undefined}
                  hint={refusal !== null && order < 0 ? t('reception.checkin.notToday') : note}
                />
                {order > 0 ? (
                  <button type="button" className="button" onClick={() => moveUp(s.id)}>
                    {t('reception.checkin.moveUp', { service: s.label })}
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      </FieldGroup>
      <FieldGroup legend={t('reception.checkin.priority')}>
        <div className="form-grid">
          <SelectField
            label={t('reception.checkin.mtStatus')}
            value={mtStatus}
            onChange={setMtStatus}
            hint={mtStatus === 'unknown' ? t('reception.checkin.mtUnknownHint') : undefined}
            options={MT_STATES.map((m) => ({ value: m, label: t(`reception.checkin.mt.${m}`) }))}
          />
          <CheckboxField label={t('reception.checkin.ald')} checked={ald} onChange={setAld} />
          <CheckboxField
            label={t('reception.checkin.urgent')}
            checked={urgent}
            onChange={setUrgent}
          />
          {urgent ? (
            <TextField
              label={t('reception.checkin.urgentReason')}
              required
              value={urgentReason}
              onChange={setUrgentReason}
              error={errors.urgentReason}
            />
          ) : null}
        </div>
      </FieldGroup>
      <div className="actions">
        <span className="action">
          <button
            type="submit"
            className="button button--primary"
            disabled={busy}
            // Already in the queue: disabled with the reason beside it (focusable, so it is read).
            aria-disabled={already ? true : undefined}
            aria-describedby={describedByIds(
              already && 'checkin-already-reason',
              (failure || (errors.patientId && !already)) && 'checkin-failure',
            )}
          >
            {t('reception.checkin.submit')}
          </button>
          {already ? (
            <span id="checkin-already-reason" className="action__reason">
              {alreadyText(already, visitOf.get(already.visitId)?.arrivedAt, roomNames)}
            </span>
          ) : null}
          <ActionFeedback
            id="checkin-failure"
            feedback={
              failure
                ? { kind: 'error', text: failure }
                : errors.patientId && !already
                  ? { kind: 'error', text: errors.patientId }
                  : null
            }
          />
        </span>
        <button type="button" className="button" onClick={onCancel}>
          {t('reception.register.backToSearch')}
        </button>
      </div>
    </form>
  );
}

/** « Déjà dans la file » as reception reads it: the ticket, and since when or where. */
function alreadyText(
  entry: QueueEntry,
  arrivedAt: string | undefined,
  rooms: ReadonlyMap<string, { name: string }>,
): string {
  const room = (entry.roomId && rooms.get(entry.roomId)?.name) || t('reception.checkin.someRoom');
  if (entry.status.status === 'in_consultation') {
    return t('reception.checkin.alreadyInside', { ticket: entry.ticket, room });
  }
  if (entry.status.status === 'called') {
    return t('reception.checkin.alreadyCalled', { ticket: entry.ticket, room });
  }
  return t('reception.checkin.alreadyWaiting', {
    ticket: entry.ticket,
    time: arrivedAt ? formatTime(arrivedAt) : t('day.none'),
  });
}
