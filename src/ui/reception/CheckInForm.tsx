// Check-in of a patient found or just registered: the appointment honoured (or a walk-in), the
// motif, the services in order, the priority flags and an urgent override with its reason.
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { type CheckInErrors, checkInErrors } from '../../domain/checkin';
import type { Appointment, Patient, Service } from '../../domain/entities';
import { effectiveIdentityStatus } from '../../domain/identity-lifecycle';
import type { DayRows } from '../data/device-data';
import { live, patientName } from '../day/day-data';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatDate, t } from '../i18n';
import { type CheckInDraft, useArrivalStore } from './arrival-store';
import type { ReceptionActions } from './reception-actions';

export function CheckInForm({
  patient,
  appointmentId,
  rows,
  actions,
  onDone,
  onCancel,
}: {
  patient: Patient;
  appointmentId: string | null;
  rows: DayRows;
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
          noMt: patient.mtStatus !== 'declared',
          ald: patient.ald,
          urgent: false,
          urgentReason: '',
        };
  const edit = (patch: Partial<CheckInDraft>) => editCheckIn({ ...draft, ...patch });
  const { appointment, motif, chosen, noMt, ald, urgent, urgentReason } = draft;
  const setMotif = (v: string) => edit({ motif: v });
  const setNoMt = (v: boolean) => edit({ noMt: v });
  const setAld = (v: boolean) => edit({ ald: v });
  const setUrgent = (v: boolean) => edit({ urgent: v });
  const setUrgentReason = (v: string) => edit({ urgentReason: v });
  const [errors, setErrors] = useState<CheckInErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
      noMt,
      ald,
      urgent,
      urgentReason,
    };
    const found = checkInErrors(input, {
      services,
      stopEntries: live(day.entries),
      visits: live(day.visits),
    });
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      onDone(await actions.checkIn(input, services, live(day.entries)));
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="stack"
      aria-labelledby="checkin-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
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
        {t('reception.search.born', { date: formatDate(patient.birthDate) })}
        {' · '}
        {t(`reception.identityStatus.${effectiveIdentityStatus(patient)}`)}
      </p>
      {errors.patientId ? (
        <p className="notice notice--error" role="alert">
          {errors.patientId}
        </p>
      ) : null}
      {failure ? (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
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
      <FieldGroup legend={t('reception.checkin.priority')} error={errors.urgentReason}>
        <div className="form-grid">
          <CheckboxField label={t('reception.checkin.noMt')} checked={noMt} onChange={setNoMt} />
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
            />
          ) : null}
        </div>
      </FieldGroup>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('reception.checkin.submit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('reception.register.backToSearch')}
        </button>
      </div>
    </form>
  );
}
