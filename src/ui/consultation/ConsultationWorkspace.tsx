// One consultation on screen: the patient beside the note. Used in the room during the
// consultation, and by the supervising doctor from the supervision list.

import { useEffect } from 'react';
import type { Consultation, Staff } from '../../domain/entities';
import { noteAccess, type ReadLevel } from '../../domain/reading';
import { todayOf, useNow } from '../data/device-data';
import { useWriter } from '../data/writer';
import { DocumentsPanel } from '../documents/DocumentsPanel';
import { FieldGroup } from '../forms/fields';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { BreakGlassForm } from './BreakGlass';
import { useConsultationActions } from './consultation-actions';
import {
  useConsultationFile,
  useDirectory,
  usePatient,
  usePatientPurged,
  useReadingFacts,
  useTransmissions,
  useVisit,
} from './consultation-data';
import { NoteEditor } from './NoteEditor';
import { PastRecordPanel } from './PastRecordPanel';
import { PatientPanel, TransmissionList } from './PatientPanel';
import './consultation.css';

export function ConsultationWorkspace({ consultationId }: { consultationId: string }) {
  const file = useConsultationFile(consultationId);
  const directory = useDirectory();
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  const patient = usePatient(file?.consultation.patientId ?? null);
  const visit = useVisit(file?.consultation.visitId ?? null);
  const purged = usePatientPurged(file?.consultation.patientId ?? null);
  const actions = useConsultationActions();
  const now = useNow();
  const write = useWriter();
  const facts = useReadingFacts();
  const found = file !== undefined && file !== null;
  // Every read of a consultation is audited (docs/design.md §6): once per opening, per person (`write`
  // changes with the person at work).
  useEffect(() => {
    if (!found) return;
    write([], {
      action: 'consultation.read',
      entity: 'consultation',
      entityId: consultationId,
    }).catch((error: unknown) => console.error(error));
  }, [found, consultationId, write]);
  if (file === undefined || directory === undefined) return <p role="status">{t('app.loading')}</p>;
  if (file === null) {
    return (
      <p className="notice notice--warning" role="status">
        {t('consultation.notFound')}
      </p>
    );
  }
  const viewer = staffId ? directory.staff.get(staffId) : undefined;
  // A clinical profile may ask for the past record (the server refuses the others too).
  const clinical = profile === 'room' || profile === 'coordination';
  return (
    <div className="consultation-workspace">
      {patient ? (
        <PatientPanel
          patient={patient}
          visit={visit ?? undefined}
          currentId={consultationId}
          viewer={viewer}
          staff={directory.staff}
          services={directory.services}
          now={now}
          editable={clinical && viewer !== undefined}
          pastRecord={clinical ? { auto: purged === true } : null}
          offerBreakGlass={
            facts !== undefined && noteAccess(viewer, file.consultation, facts).level === 'note'
          }
        />
      ) : clinical && purged !== undefined ? (
        // The device purged the patient: their record comes from the servers at once. Not yet
        // synced: the servers may be asked.
        <section className="panel stack">
          <p className={purged ? 'notice' : 'notice notice--warning'}>
            {purged ? t('pastRecord.purged') : t('day.unknownPatient')}
          </p>
          <PastRecordPanel
            patientId={file.consultation.patientId}
            currentId={consultationId}
            auto={purged}
            staff={directory.staff}
            services={directory.services}
            viewer={viewer}
            now={now}
          />
        </section>
      ) : (
        <p className="notice notice--warning">{t('day.unknownPatient')}</p>
      )}
      {facts === undefined ? (
        <p role="status">{t('app.loading')}</p>
      ) : noteAccess(viewer, file.consultation, facts).level === 'note' ? (
        <>
          <NoteEditor
            // A new note (another patient) starts fresh editors and autosave timers.
            key={consultationId}
            file={file}
            viewer={viewer}
            staff={directory.staff}
            services={directory.services}
            actions={actions}
            today={todayOf(now)}
          />
          {/* Documents are composed from the note: only for those who may read it. */}
          <DocumentsPanel consultationId={consultationId} />
        </>
      ) : (
        <ClosedNote
          consultation={file.consultation}
          viewer={viewer}
          staff={directory.staff}
          level={noteAccess(viewer, file.consultation, facts).level}
        />
      )}
    </div>
  );
}

/** A note this person may not read: the transmission written for them (the social roles), and
 * for a clinician the bris de glace — a reason from the list, an optional precision kept with
 * the access (never in the audit's text), four hours, listed for the coordination. */
function ClosedNote({
  consultation,
  viewer,
  staff,
  level,
}: {
  consultation: Consultation;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  level: ReadLevel;
}) {
  const transmissions = (useTransmissions(consultation.patientId) ?? []).filter(
    (x) => x.consultationId === consultation.id,
  );
  return (
    <section className="panel stack" aria-labelledby="closed-note-title">
      <h2 id="closed-note-title">{t('reading.breakGlass.closed')}</h2>
      {level === 'transmission' ? (
        <>
          <p className="muted">{t('reading.transmission.notReadable')}</p>
          {transmissions.length > 0 ? (
            <TransmissionList transmissions={transmissions} staff={staff} />
          ) : (
            <p className="muted">{t('reading.transmission.none')}</p>
          )}
        </>
      ) : null}
      {viewer?.roles.includes('clinicien') ? (
        <FieldGroup legend={t('reading.breakGlass.title')}>
          <BreakGlassForm
            orgId={consultation.orgId}
            patientId={consultation.patientId}
            viewer={viewer}
          />
        </FieldGroup>
      ) : null}
    </section>
  );
}
