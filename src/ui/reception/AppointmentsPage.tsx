// Today's appointments (check in, absent, cancelled; flagged when the roster no longer serves
// them) and booking by phone for today's or a future stop, in free slots from that stop's roster.
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ageYears } from '../../domain/age';
import { misfitAppointments } from '../../domain/booking';
import type { Appointment, Patient } from '../../domain/entities';
import { searchIndex } from '../../domain/identity';
import {
  bookableStarts,
  eligibilityRefusal,
  isPriorityPatient,
  policyOf,
} from '../../domain/priority';
import { localDate, localTime } from '../../domain/time';
import type { DayRows } from '../data/device-data';
import { byId, live, patientName } from '../day/day-data';
import { FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatBirthDate, formatDate, t, tn } from '../i18n';
import { useReceptionActions } from './reception-actions';
import { usePatientIndex, useStopBooking, useStopsFrom } from './reception-data';

export function AppointmentsPage({
  rows,
  now,
  deviceId,
}: {
  rows: DayRows;
  now: string;
  deviceId: string | null;
}) {
  return (
    <div className="two-columns">
      <TodayAppointments rows={rows} deviceId={deviceId} />
      <BookingForm rows={rows} now={now} deviceId={deviceId} />
    </div>
  );
}

function TodayAppointments({ rows, deviceId }: { rows: DayRows; deviceId: string | null }) {
  const { day } = rows;
  const actions = useReceptionActions(deviceId);
  const [error, setError] = useState<string | null>(null);
  const people = byId(live(rows.patients));
  const services = byId(live(day.services));
  const list = live(day.appointments)
    .filter((a) => a.stopId === day.stop?.id)
    .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  const misfits = new Map(
    misfitAppointments(list, live(day.slots), live(day.services)).map((m) => [
      m.appointment.id,
      m.reason,
    ]),
  );
  const mark = async (a: Appointment, status: Appointment['status']) => {
    setError(null);
    try {
      await actions.setAppointmentStatus(a, status);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="appointments-title" className="stack">
      <h2 id="appointments-title">{t('reception.appointmentsTitle')}</h2>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {list.length === 0 ? (
        <p>{t('reception.appointmentsEmpty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('reception.columns.time')}</th>
                <th scope="col">{t('reception.columns.patient')}</th>
                <th scope="col">{t('reception.columns.service')}</th>
                <th scope="col">{t('reception.columns.status')}</th>
                <th scope="col">{t('reception.columns.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => {
                const p = people.get(a.patientId);
                const name = p ? patientName(p) : t('day.unknownPatient');
                const misfit = misfits.get(a.id);
                return (
                  <tr key={a.id}>
                    <td>{a.time}</td>
                    <td>{name}</td>
                    <td>
                      {services.get(a.serviceId)?.label ?? t('day.unknownService')}
                      {misfit ? (
                        <p className="notice notice--warning">
                          <strong>{t('reception.booking.misfit')}</strong> {misfit}
                        </p>
                      ) : null}
                    </td>
                    <td>
                      <span className="status-tag">{t(`appointmentStatus.${a.status}`)}</span>
                    </td>
                    <td className="actions">
                      {a.status === 'booked' ? (
                        <>
                          <Link
                            className="button button--primary"
                            to={`/accueil/arrivee?patient=${encodeURIComponent(a.patientId)}&rdv=${encodeURIComponent(a.id)}`}
                            aria-label={t('reception.booking.checkInFor', { name })}
                          >
                            {t('reception.booking.checkIn')}
                          </Link>
                          <button
                            type="button"
                            className="button"
                            onClick={() => void mark(a, 'no_show')}
                            aria-label={t('reception.booking.noShowFor', { name })}
                          >
                            {t('reception.booking.noShow')}
                          </button>
                          <button
                            type="button"
                            className="button"
                            onClick={() => void mark(a, 'cancelled')}
                            aria-label={t('reception.booking.cancelFor', { name })}
                          >
                            {t('reception.booking.cancel')}
                          </button>
                        </>
                      ) : a.status === 'no_show' || a.status === 'cancelled' ? (
                        <button
                          type="button"
                          className="button"
                          onClick={() => void mark(a, 'booked')}
                          aria-label={t('reception.booking.restoreFor', { name })}
                        >
                          {t('reception.booking.restore')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BookingForm({
  rows,
  now,
  deviceId,
}: {
  rows: DayRows;
  now: string;
  deviceId: string | null;
}) {
  const today = rows.day.stop?.date ?? now.slice(0, 10);
  const stops = useStopsFrom(today);
  const index = usePatientIndex();
  const actions = useReceptionActions(deviceId);
  const services = useMemo(
    () => live(rows.day.services).sort((a, b) => a.label.localeCompare(b.label, 'fr')),
    [rows.day.services],
  );
  const [stopId, setStopId] = useState('');
  const [serviceId, setServiceId] = useState('');
  const [query, setQuery] = useState('');
  const [patient, setPatient] = useState<Patient | null>(null);
  const [time, setTime] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const booking = useStopBooking(stopId === '' ? null : stopId);
  const stop = stops?.find((s) => s.id === stopId);
  const service = services.find((s) => s.id === serviceId);
  const free = useMemo(() => {
    if (!stop || !booking || !serviceId) return [];
    const isToday = stop.date === rows.day.stop?.date;
    // Starts the service's policy holds for patients without MT are offered to them only, until
    // the set time of the stop's day (src/domain/priority.ts); without a patient chosen yet,
    // as for anyone.
    const chosen = services.find((s) => s.id === serviceId);
    return bookableStarts(
      stop,
      live(booking.slots),
      services,
      live(booking.appointments),
      serviceId,
      {
        priority: patient
          ? isPriorityPatient(patient.mtStatus, patient.ald, policyOf(chosen))
          : false,
        at: { date: localDate(now), time: localTime(now) },
        ...(isToday ? { notBefore: localTime(now) } : {}),
      },
    );
  }, [stop, booking, serviceId, services, rows.day.stop?.date, now, patient]);
  const eligibility = service && patient ? eligibilityRefusal(service, patient.mtStatus) : null;
  const hits = useMemo(
    () => (index && query.trim() !== '' && !patient ? searchIndex(index, query, 8) : []),
    [index, query, patient],
  );

  const submit = async () => {
    setError(null);
    setDone(null);
    if (!stop || !service || !patient || !time) {
      setError(t('reception.booking.incomplete'));
      return;
    }
    if (eligibility) {
      setError(eligibility);
      return;
    }
    if (!free.includes(time)) {
      setError(t('reception.booking.slotTaken'));
      return;
    }
    try {
      await actions.book({
        orgId: stop.orgId,
        patientId: patient.id,
        stopId: stop.id,
        serviceId: service.id,
        time,
        durationMin: service.typicalMinutes,
        status: 'booked',
        note: note.trim() === '' ? null : note.trim(),
      });
      setDone(
        t('reception.booking.booked', {
          name: patientName(patient),
          date: formatDate(stop.date),
          time,
          commune: stop.communeName,
        }),
      );
      setTime('');
      setNote('');
      setPatient(null);
      setQuery('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <form
      className="stack"
      aria-labelledby="booking-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="booking-title">{t('reception.booking.title')}</h2>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <SelectField
        label={t('reception.booking.stop')}
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
      <SelectField
        label={t('reception.booking.service')}
        value={serviceId}
        onChange={(v) => {
          setServiceId(v);
          setTime('');
        }}
        options={[
          { value: '', label: t('reception.actions.chooseServiceOption') },
          ...services.map((s) => ({ value: s.id, label: s.label })),
        ]}
      />
      {patient ? (
        <p>
          {t('reception.booking.patientChosen', { name: patientName(patient) })}{' '}
          <button type="button" className="button" onClick={() => setPatient(null)}>
            {t('reception.booking.changePatient')}
          </button>
        </p>
      ) : (
        <div className="stack">
          <TextField
            type="search"
            label={t('reception.booking.patient')}
            hint={t('reception.search.hint')}
            value={query}
            onChange={setQuery}
          />
          {hits.length > 0 ? (
            <ul className="result-list" aria-label={t('reception.search.results')}>
              {hits.map(({ record: p }) => (
                <li key={p.id} className="result">
                  <span>
                    {patientName(p)}{' '}
                    <span className="muted">
                      {t('reception.search.born', { date: formatBirthDate(p.birthDate) })}
                      {p.birthDate <= today
                        ? ` · ${tn('reception.search.age', ageYears(p.birthDate, today))}`
                        : ''}
                    </span>
                  </span>
                  <button type="button" className="button" onClick={() => setPatient(p)}>
                    {t('reception.booking.pick', { name: patientName(p) })}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
      {stop && service ? (
        <FieldGroup legend={t('reception.booking.freeSlots')}>
          {free.length === 0 ? (
            <p>{t('reception.booking.noFreeSlot')}</p>
          ) : (
            <div className="slot-grid">
              {free.map((s) => (
                <button
                  key={s}
                  type="button"
                  className={`button${time === s ? ' button--primary' : ''}`}
                  aria-pressed={time === s}
                  onClick={() => setTime(s)}
                >
                  {s}
                </button>
              ))}
            </div>
          )}
        </FieldGroup>
      ) : null}
      <TextField label={t('reception.booking.note')} value={note} onChange={setNote} />
      <button type="submit" className="button button--primary">
        {t('reception.booking.submit')}
      </button>
    </form>
  );
}
