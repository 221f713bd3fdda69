// An arrival at the desk: search first, register only if not found (warned about likely
// duplicates, the choice recorded), then check in and hand over the ticket.
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { patientById } from '../../device/queries';
import { wallClock } from '../../device/stamp';
import { ageYears } from '../../domain/age';
import type { Patient } from '../../domain/entities';
import { type DuplicateMatch, findLikelyDuplicates } from '../../domain/identity';
import {
  patientFields,
  type RegistrationErrors,
  registrationErrors,
  registrationWarnings,
} from '../../domain/registration';
import { localDate } from '../../domain/time';
import { type DayRows, useDb, useRegistryLoading } from '../data/device-data';
import { patientName } from '../day/day-data';
import { formatBirthDate, t, tn } from '../i18n';
import { useHydrated } from '../state/hydration';
import { useUiStore } from '../state/ui-store';
import { isFormStarted, useArrivalStore } from './arrival-store';
import { CheckInForm } from './CheckInForm';
import { PatientSearch, prefillFromQuery } from './PatientSearch';
import { RegistrationForm } from './RegistrationForm';
import { useReceptionActions } from './reception-actions';
import { usePatientIndex } from './reception-data';

const FORM_ID = 'reception.registration';

function ArrivalSteps({
  rows,
  now,
  deviceId,
}: {
  rows: DayRows;
  now: string;
  deviceId: string | null;
}) {
  const arrival = useArrivalStore();
  const index = usePatientIndex();
  const loading = useRegistryLoading();
  const actions = useReceptionActions(deviceId);
  const db = useDb();
  const setFormDirty = useUiStore((s) => s.setFormDirty);
  const [params, setParams] = useSearchParams();
  const [errors, setErrors] = useState<RegistrationErrors>({});
  const [suspects, setSuspects] = useState<DuplicateMatch<Patient>[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState(0);

  // From the appointments list: check in this patient for this booking.
  const wantedPatient = params.get('patient');
  const wantedAppointment = params.get('rdv');
  useEffect(() => {
    if (!wantedPatient) return;
    arrival.choosePatient(wantedPatient, wantedAppointment);
    setParams({}, { replace: true });
  }, [wantedPatient, wantedAppointment, arrival.choosePatient, setParams]);

  // A registration being typed must survive an app update: the update waits for it.
  const started =
    (arrival.step === 'register' && isFormStarted(arrival.form)) ||
    (arrival.step === 'checkin' && arrival.checkin !== null);
  useEffect(() => {
    setFormDirty(FORM_ID, started);
  }, [started, setFormDirty]);
  useEffect(() => () => setFormDirty(FORM_ID, false), [setFormDirty]);

  const patient = useLiveQuery(
    async () =>
      db && arrival.patientId ? ((await patientById(db, arrival.patientId)) ?? null) : null,
    [db, arrival.patientId],
  );
  const warnings = useMemo(() => registrationWarnings(arrival.form), [arrival.form]);

  if (!rows.day.stop) {
    return (
      <p className="notice notice--warning" role="status">
        {t('day.noStopToday')}
      </p>
    );
  }

  const create = async (suspectIds: string[]) => {
    setBusy(true);
    setFailure(null);
    try {
      const fields = patientFields(arrival.form, rows.day.stop!.orgId, wallClock.iso());
      const id = await actions.register(fields, suspectIds);
      setSuspects(null);
      arrival.choosePatient(id);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const submitRegistration = () => {
    const found = registrationErrors(arrival.form, {
      today: localDate(now),
      online: typeof navigator !== 'undefined' && navigator.onLine,
    });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setRefusals((n) => n + 1);
      return;
    }
    const candidate = patientFields(arrival.form, rows.day.stop!.orgId, now);
    const matches = index ? findLikelyDuplicates(candidate, index, { limit: 5 }) : [];
    if (matches.length > 0) setSuspects(matches);
    else void create([]);
  };

  switch (arrival.step) {
    case 'search':
      return (
        <PatientSearch
          index={index}
          today={localDate(now)}
          registryLoading={loading != null}
          query={arrival.query}
          onQuery={arrival.setQuery}
          onChoose={(p) => arrival.choosePatient(p.id)}
          onRegister={() => {
            setErrors({});
            arrival.startRegistration(prefillFromQuery(arrival.query));
          }}
        />
      );
    case 'register':
      return (
        <div className="stack">
          {failure && suspects ? (
            <p className="notice notice--error" role="alert">
              {failure}
            </p>
          ) : null}
          {suspects ? (
            <DuplicateChoice
              today={localDate(now)}
              matches={suspects}
              busy={busy}
              onOpen={async (p) => {
                await actions.openedDuplicate(p.id);
                setSuspects(null);
                arrival.choosePatient(p.id);
              }}
              onCreate={() => void create(suspects.map((m) => m.record.id))}
              onBack={() => setSuspects(null)}
            />
          ) : (
            <RegistrationForm
              form={arrival.form}
              errors={errors}
              warnings={warnings}
              busy={busy}
              refusals={refusals}
              failure={failure}
              onChange={(patch) => {
                arrival.editForm(patch);
                // A fixed field stops shouting; the others keep their message until resubmitted.
                const next = { ...errors };
                for (const k of Object.keys(patch)) delete next[k as keyof RegistrationErrors];
                setErrors(next);
              }}
              onSubmit={submitRegistration}
              onCancel={() => arrival.reset()}
            />
          )}
        </div>
      );
    case 'checkin':
      if (patient === undefined) return <p>{t('app.loading')}</p>;
      if (patient === null) {
        return (
          <div className="stack">
            <p className="notice notice--warning" role="status">
              {t('reception.checkin.patientMissing')}
            </p>
            <button type="button" className="button" onClick={() => arrival.reset()}>
              {t('reception.register.backToSearch')}
            </button>
          </div>
        );
      }
      return (
        <CheckInForm
          patient={patient}
          appointmentId={arrival.appointmentId}
          rows={rows}
          now={now}
          actions={actions}
          onDone={arrival.finish}
          onCancel={() => arrival.reset()}
        />
      );
    case 'done':
      return (
        <section className="stack panel" aria-labelledby="done-title">
          <h2 id="done-title">{t('reception.done.title')}</h2>
          <ul className="ticket-list">
            {(arrival.done?.tickets ?? []).map((ticket) => (
              <li key={ticket} className="ticket ticket--large">
                {ticket}
              </li>
            ))}
          </ul>
          <div className="actions">
            {arrival.done ? (
              <Link to={`/accueil/ticket/${arrival.done.visitId}`} className="button">
                {t('reception.actions.printTicket')}
              </Link>
            ) : null}
            <button
              type="button"
              className="button button--primary"
              onClick={() => arrival.reset()}
            >
              {t('reception.done.next')}
            </button>
          </div>
        </section>
      );
  }
}

function DuplicateChoice({
  matches,
  busy,
  onOpen,
  onCreate,
  onBack,
  today,
}: {
  /** Today's date (YYYY-MM-DD): a match's age. */
  today: string;
  matches: DuplicateMatch<Patient>[];
  busy: boolean;
  onOpen(p: Patient): Promise<void>;
  onCreate(): void;
  onBack(): void;
}) {
  return (
    <section className="stack" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">{t('reception.duplicates.title')}</h2>
      <p className="notice notice--warning" role="alert">
        {t('reception.duplicates.explain')}
      </p>
      <ul className="result-list">
        {matches.map((m) => (
          <li key={m.record.id} className="result">
            <div>
              <strong>{patientName(m.record)}</strong>
              <span className="muted">
                {' '}
                {t('reception.search.born', { date: formatBirthDate(m.record.birthDate) })}
                {m.record.birthDate <= today
                  ? ` · ${tn('reception.search.age', ageYears(m.record.birthDate, today))}`
                  : ''}
              </span>
              <ul className="muted">
                {m.reasons.map((r) => (
                  <li key={r.code}>{r.message}</li>
                ))}
              </ul>
            </div>
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void onOpen(m.record)}
              aria-label={t('reception.duplicates.openFor', { name: patientName(m.record) })}
            >
              {t('reception.duplicates.open')}
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={onCreate}>
          {t('reception.duplicates.create')}
        </button>
        <button type="button" className="button" onClick={onBack}>
          {t('reception.duplicates.back')}
        </button>
      </div>
    </section>
  );
}

type ArrivalProps = Parameters<typeof ArrivalSteps>[0];

/** Waits for the kept arrival (search, form, check-in) to load: typing must never be overwritten. */
export function ArrivalPage(props: ArrivalProps) {
  const hydrated = useHydrated(useArrivalStore);
  if (!hydrated) return <p role="status">{t('app.loading')}</p>;
  return <ArrivalSteps {...props} />;
}
