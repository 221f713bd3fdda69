// The patient beside the note: identity, priority flags, médecin traitant, the clinical summary
// (allergies first, problems, treatments, vaccinations, last vitals), and the notes of earlier
// stops — restricted classes only for those allowed to read them.
import { canRead } from '../../domain/consultation';
import type { Consultation, Patient, Service, Staff, Visit } from '../../domain/entities';
import { effectiveIdentityStatus } from '../../domain/identity-lifecycle';
import { ageYears } from '../../domain/indicators';
import { localDate } from '../../domain/time';
import { patientName } from '../day/day-data';
import { formatBirthDate, formatDate, t } from '../i18n';
import { ClinicalSummary } from './ClinicalSummary';
import { usePatientHistory } from './consultation-data';

export function PatientPanel({
  patient,
  visit,
  currentId,
  viewer,
  staff,
  services,
  now,
  editable,
}: {
  patient: Patient;
  visit: Visit | undefined;
  currentId: string;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  services: ReadonlyMap<string, Service>;
  now: string;
  /** The clinical summary can be added to here (a person at work in a room or coordination). */
  editable: boolean;
}) {
  const history = usePatientHistory(patient.id);
  const earlier = (history ?? []).filter((c) => c.id !== currentId);
  const flags = [
    visit?.urgent ? t('consultation.patient.urgent', { reason: visit.urgentReason ?? '' }) : null,
    (visit?.noMt ?? patient.mtStatus !== 'declared') ? t('consultation.patient.noMt') : null,
    (visit?.ald ?? patient.ald) ? t('consultation.patient.ald') : null,
  ].filter((f): f is string => f !== null);
  return (
    <section className="panel stack" aria-labelledby="patient-title">
      <h2 id="patient-title">{patientName(patient)}</h2>
      <p>
        {t('consultation.patient.identity', {
          sex: t(`consultation.patient.sex.${patient.sex}`),
          date: formatBirthDate(patient.birthDate),
          age: ageYears(patient.birthDate, localDate(now)),
        })}
      </p>
      <p className="muted">{t(`reception.identityStatus.${effectiveIdentityStatus(patient)}`)}</p>
      {flags.length > 0 ? (
        <ul className="flags" aria-label={t('consultation.patient.flags')}>
          {flags.map((f) => (
            <li key={f} className="status-tag">
              {f}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        {patient.mtStatus === 'declared'
          ? t('consultation.patient.mt', { name: patient.mtName ?? '' })
          : t(`reception.mtStatus.${patient.mtStatus}`)}
      </p>
      <ClinicalSummary
        patient={patient}
        viewer={viewer}
        staff={staff}
        services={services}
        now={now}
        editable={editable}
      />
      <h3>{t('consultation.history.title')}</h3>
      {history === undefined ? (
        <p>{t('app.loading')}</p>
      ) : earlier.length === 0 ? (
        <p className="muted">{t('consultation.history.none')}</p>
      ) : (
        <ol className="history" aria-label={t('consultation.history.title')}>
          {earlier.map((c) => (
            <HistoryItem key={c.id} c={c} viewer={viewer} services={services} />
          ))}
        </ol>
      )}
    </section>
  );
}

function HistoryItem({
  c,
  viewer,
  services,
}: {
  c: Consultation;
  viewer: Staff | undefined;
  services: ReadonlyMap<string, Service>;
}) {
  const service = services.get(c.serviceId)?.label ?? t('day.unknownService');
  const heading = t('consultation.history.item', { date: formatDate(c.createdAt), service });
  if (!canRead(c, viewer, services)) {
    return (
      <li>
        <strong>{heading}</strong>
        <p className="muted">{t('consultation.history.restricted')}</p>
      </li>
    );
  }
  return (
    <li>
      <strong>{heading}</strong>{' '}
      <span className="status-tag">{t(`consultation.status.${c.status}`)}</span>
      <p>{t('consultation.history.motif', { motif: c.motif })}</p>
      {c.assessment ? <p>{t('consultation.history.assessment', { text: c.assessment })}</p> : null}
      {c.codes.length > 0 ? (
        <p className="muted">{c.codes.map((code) => `${code.code} ${code.label}`).join(' · ')}</p>
      ) : null}
      {c.orientation.kind !== 'none' ? (
        <p>{t(`consultation.orientation.kinds.${c.orientation.kind}`)}</p>
      ) : null}
    </li>
  );
}
