// The patient beside the note: identity, priority flags, médecin traitant, the clinical summary
// (allergies first, problems, treatments, vaccinations, last vitals), and the notes of earlier
// stops — restricted classes only for those allowed to read them.

import { ageYears } from '../../domain/age';
import { addendumStatus } from '../../domain/consultation';
import type {
  Consultation,
  Patient,
  Service,
  Staff,
  Transmission,
  Visit,
} from '../../domain/entities';
import { effectiveIdentityStatus } from '../../domain/identity-lifecycle';
import { noteAccess, type ReadingFacts } from '../../domain/reading';
import { localDate } from '../../domain/time';
import { patientName, staffName } from '../day/day-data';
import { formatBirthDate, formatDate, formatDateTime, t } from '../i18n';
import { PatientBreakGlass } from './BreakGlass';
import { ClinicalSummary } from './ClinicalSummary';
import {
  useConsultationFile,
  usePatientHistory,
  useReadingFacts,
  useTransmissions,
} from './consultation-data';
import { ResearchObjectionField, SharingObjectionField } from './Objections';
import { PastRecordPanel } from './PastRecordPanel';

export function PatientPanel({
  patient,
  visit,
  currentId,
  viewer,
  staff,
  services,
  now,
  editable,
  pastRecord = null,
  offerBreakGlass = true,
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
  /** The past record on demand: fetched at once when the device purged the patient. */
  pastRecord?: { auto: boolean } | null;
  /** Whether a clinician may declare a bris de glace here (not when the closed note beside
   * offers it already); one running is shown either way. */
  offerBreakGlass?: boolean;
}) {
  const history = usePatientHistory(patient.id);
  const facts = useReadingFacts();
  const transmissions = useTransmissions(patient.id);
  const earlier = (history ?? []).filter((c) => c.id !== currentId);
  // A note none of the people on this device may read never reaches it: its transmission does,
  // for the social roles, and is shown on its own.
  const held = new Set((history ?? []).map((c) => c.id));
  const unattached = (transmissions ?? []).filter((x) => !held.has(x.consultationId));
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
        {patient.mtStatusAt && patient.mtSource
          ? ` ${t('pathway.worklist.recorded', {
              date: formatDate(patient.mtStatusAt),
              source: t(`pathway.worklist.sources.${patient.mtSource}`),
            })}`
          : null}
      </p>
      <ClinicalSummary
        patient={patient}
        viewer={viewer}
        staff={staff}
        now={now}
        editable={editable}
      />
      <SharingObjectionField patient={patient} viewer={viewer} editable={editable} />
      <ResearchObjectionField patient={patient} viewer={viewer} editable={editable} />
      {editable && viewer?.roles.includes('clinicien') && !viewer.roles.includes('coordinateur') ? (
        <PatientBreakGlass
          orgId={patient.orgId}
          patientId={patient.id}
          viewer={viewer}
          offer={offerBreakGlass}
        />
      ) : null}
      <h3>{t('consultation.history.title')}</h3>
      {history === undefined || facts === undefined ? (
        <p>{t('app.loading')}</p>
      ) : earlier.length === 0 ? (
        <p className="muted">{t('consultation.history.none')}</p>
      ) : (
        <ol className="history" aria-label={t('consultation.history.title')}>
          {earlier.map((c) => (
            <HistoryItem
              key={c.id}
              c={c}
              viewer={viewer}
              services={services}
              staff={staff}
              facts={facts}
              transmissions={(transmissions ?? []).filter((x) => x.consultationId === c.id)}
            />
          ))}
        </ol>
      )}
      {history !== undefined && unattached.length > 0 ? (
        <>
          <h3>{t('reading.transmission.received')}</h3>
          <TransmissionList transmissions={unattached} staff={staff} />
        </>
      ) : null}
      {pastRecord ? (
        <PastRecordPanel
          patientId={patient.id}
          currentId={currentId}
          auto={pastRecord.auto}
          staff={staff}
          services={services}
          viewer={viewer}
          now={now}
        />
      ) : null}
    </section>
  );
}

function HistoryItem({
  c,
  viewer,
  services,
  staff,
  facts,
  transmissions,
}: {
  c: Consultation;
  viewer: Staff | undefined;
  services: ReadonlyMap<string, Service>;
  staff: ReadonlyMap<string, Staff>;
  facts: ReadingFacts;
  transmissions: readonly Transmission[];
}) {
  const service = services.get(c.serviceId)?.label ?? t('day.unknownService');
  const heading = t('consultation.history.item', { date: formatDate(c.createdAt), service });
  const access = noteAccess(viewer, c, facts);
  if (access.level !== 'note') {
    return (
      <li>
        <strong>{heading}</strong>
        {access.level === 'transmission' && transmissions.length > 0 ? (
          <TransmissionList transmissions={transmissions} staff={staff} />
        ) : access.level === 'transmission' ? (
          <p className="muted">{t('reading.transmission.none')}</p>
        ) : (
          <p className="muted">{t('consultation.history.restricted')}</p>
        )}
      </li>
    );
  }
  return (
    <li>
      <strong>{heading}</strong>{' '}
      <span className="status-tag">{t(`consultation.status.${c.status}`)}</span>
      {access.purpose === 'break_glass' ? (
        <p className="notice notice--warning">{t('reading.breakGlass.opened')}</p>
      ) : null}
      <p>{t('consultation.history.motif', { motif: c.motif })}</p>
      {c.assessment ? <p>{t('consultation.history.assessment', { text: c.assessment })}</p> : null}
      {c.codes.length > 0 ? (
        <p className="muted">{c.codes.map((code) => `${code.code} ${code.label}`).join(' · ')}</p>
      ) : null}
      {c.orientation.kind !== 'none' ? (
        <p>{t(`consultation.orientation.kinds.${c.orientation.kind}`)}</p>
      ) : null}
      <HistoryAddenda consultationId={c.id} staff={staff} />
    </li>
  );
}

/** The addenda of an earlier note, with their author, time and where they stand. */
function HistoryAddenda({
  consultationId,
  staff,
}: {
  consultationId: string;
  staff: ReadonlyMap<string, Staff>;
}) {
  const file = useConsultationFile(consultationId);
  if (!file || file.addenda.length === 0) return null;
  return (
    <ul aria-label={t('consultation.addendum.title')}>
      {file.addenda.map((a) => {
        const who = staff.get(a.authorId);
        return (
          <li key={a.id}>
            <span className="muted">
              {t('consultation.addendum.historyLine', {
                who: who ? staffName(who) : t('consultation.addendum.unknownAuthor'),
                at: formatDateTime(a.at),
                status: t(`consultation.addendum.status.${addendumStatus(a, file.signatures)}`),
              })}
            </span>
            <p className="note__text">{a.text}</p>
          </li>
        );
      })}
    </ul>
  );
}

/** What was written for the social and mediation roles from a note. */
export function TransmissionList({
  transmissions,
  staff,
}: {
  transmissions: readonly Transmission[];
  staff: ReadonlyMap<string, Staff>;
}) {
  return (
    <ul className="stack" aria-label={t('reading.transmission.title')}>
      {transmissions.map((x) => {
        const who = staff.get(x.authorId);
        return (
          <li key={x.id}>
            <span className="muted">
              {t('reading.transmission.line', {
                who: who ? staffName(who) : t('consultation.addendum.unknownAuthor'),
                at: formatDateTime(x.at),
              })}
            </span>
            <p className="note__text">{x.text}</p>
          </li>
        );
      })}
    </ul>
  );
}
