// A returning patient's past record fetched on demand (issue #15 item 3): when this device purged
// the patient after a day's receipt, the record is asked of the truck's relay or central as soon
// as the patient is opened; otherwise a button asks for what is older than what the device holds.
// Read-only, held in memory for the day (src/device/past-record.ts), each fetch audited.
import { useCallback, useEffect, useState } from 'react';
import { readConnection } from '../../device/connection';
import { fetchPastRecord, heldPastRecord, keepPastRecord } from '../../device/past-record';
import { ageYears } from '../../domain/age';
import type { Service, Staff } from '../../domain/entities';
import { type PastRecord, recordAuditDetail } from '../../domain/patient-record';
import { localDate } from '../../domain/time';
import type { RecordAnswer } from '../../sync/protocol';
import { todayOf, useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { patientName, staffName } from '../day/day-data';
import { formatBirthDate, formatDate, formatDateTime, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { ClinicalSummary } from './ClinicalSummary';

type State =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; answer: RecordAnswer<PastRecord> };

export function PastRecordPanel({
  patientId,
  currentId,
  auto,
  staff,
  services,
  viewer,
  now,
}: {
  patientId: string;
  /** The note being written (left out of the earlier notes). */
  currentId: string;
  /** Fetch at once (the device purged the patient), or wait for the button. */
  auto: boolean;
  staff: ReadonlyMap<string, Staff>;
  services: ReadonlyMap<string, Service>;
  viewer: Staff | undefined;
  now: string;
}) {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const write = useWriter();
  const day = todayOf(now);
  const [value, setValue] = useState<State>(() => {
    const answer = staffId ? heldPastRecord(patientId, staffId, day) : null;
    return answer ? { state: 'ready', answer } : { state: 'idle' };
  });
  const fetchRecord = useCallback(async () => {
    const connection = db ? await readConnection(db) : null;
    if (!connection || !staffId) {
      setValue({ state: 'failed', message: t('pastRecord.noPerson') });
      return;
    }
    setValue({ state: 'loading' });
    const result = await fetchPastRecord(connection, { patientId, staffId });
    if (!result.ok) {
      setValue({ state: 'failed', message: result.message });
      return;
    }
    keepPastRecord(patientId, staffId, day, result.answer);
    setValue({ state: 'ready', answer: result.answer });
    // The device's own audit of the read (the server audited what it sent): references only.
    await write([], {
      action: 'record.fetched',
      entity: 'patient',
      entityId: result.answer.record.patientId,
      detail: recordAuditDetail(result.answer.record, result.answer.source),
    }).catch((error: unknown) => console.error(error));
  }, [db, staffId, patientId, day, write]);
  useEffect(() => {
    if (auto && value.state === 'idle') void fetchRecord();
  }, [auto, value.state, fetchRecord]);

  return (
    <section className="past-record stack" aria-labelledby="past-record-title">
      <h3 id="past-record-title">{t('pastRecord.title')}</h3>
      {value.state === 'idle' ? (
        <>
          <p className="muted">{t('pastRecord.offer')}</p>
          <button type="button" className="button" onClick={() => void fetchRecord()}>
            {t('pastRecord.fetch')}
          </button>
        </>
      ) : value.state === 'loading' ? (
        <p role="status">{t('pastRecord.loading')}</p>
      ) : value.state === 'failed' ? (
        <div className="stack">
          <p className="notice notice--warning" role="alert">
            {value.message}
          </p>
          <button type="button" className="button" onClick={() => void fetchRecord()}>
            {t('pastRecord.retry')}
          </button>
        </div>
      ) : (
        <RecordView
          answer={value.answer}
          currentId={currentId}
          staff={staff}
          services={services}
          viewer={viewer}
          now={now}
        />
      )}
    </section>
  );
}

function RecordView({
  answer,
  currentId,
  staff,
  services,
  viewer,
  now,
}: {
  answer: RecordAnswer<PastRecord>;
  currentId: string;
  staff: ReadonlyMap<string, Staff>;
  services: ReadonlyMap<string, Service>;
  viewer: Staff | undefined;
  now: string;
}) {
  const { record, source } = answer;
  const notes = record.consultations.filter((c) => c.id !== currentId);
  const who = (id: string) => {
    const s = staff.get(id);
    return s ? staffName(s) : t('pastRecord.someone');
  };
  return (
    <div className="stack">
      <p className="notice" role="status">
        {t(`pastRecord.source.${source}`)}
      </p>
      {record.patient ? (
        <p>
          <strong>{patientName(record.patient)}</strong>{' '}
          {t('pastRecord.identity', {
            date: formatBirthDate(record.patient.birthDate),
            age: ageYears(record.patient.birthDate, localDate(now)),
          })}
        </p>
      ) : null}
      <p className="muted">{tn('pastRecord.visits', record.visits.length)}</p>
      {record.patient ? (
        <ClinicalSummary
          title={t('pastRecord.summary')}
          patient={record.patient}
          rows={{
            problems: record.problems,
            treatments: record.treatments,
            allergies: record.allergies,
            vaccinations: record.vaccinations,
            vitals: record.vitals,
            notes: record.consultations,
          }}
          viewer={viewer}
          staff={staff}
          now={now}
          editable={false}
        />
      ) : null}
      <h4>{t('pastRecord.notes')}</h4>
      {notes.length === 0 ? (
        <p className="muted">{t('pastRecord.noNotes')}</p>
      ) : (
        <ol className="history" aria-label={t('pastRecord.notes')}>
          {notes.map((c) => {
            const service = services.get(c.serviceId)?.label ?? t('day.unknownService');
            const signed = record.signatures.filter((s) => s.consultationId === c.id);
            const addenda = record.addenda.filter((a) => a.consultationId === c.id);
            return (
              <li key={c.id}>
                <strong>
                  {t('consultation.history.item', { date: formatDate(c.createdAt), service })}
                </strong>{' '}
                <span className="status-tag">{t(`consultation.status.${c.status}`)}</span>
                <p>{t('consultation.history.motif', { motif: c.motif })}</p>
                {c.assessment ? (
                  <p>{t('consultation.history.assessment', { text: c.assessment })}</p>
                ) : null}
                {c.plan ? <p>{t('pastRecord.plan', { text: c.plan })}</p> : null}
                {c.codes.length > 0 ? (
                  <p className="muted">
                    {c.codes.map((code) => `${code.code} ${code.label}`).join(' · ')}
                  </p>
                ) : null}
                {signed.map((s) => (
                  <p key={s.id} className="muted">
                    {t('pastRecord.signed', { who: who(s.staffId), at: formatDateTime(s.at) })}
                  </p>
                ))}
                {addenda.map((a) => (
                  <p key={a.id}>
                    {t('pastRecord.addendum', {
                      who: who(a.authorId),
                      at: formatDateTime(a.at),
                      text: a.text,
                    })}
                  </p>
                ))}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
