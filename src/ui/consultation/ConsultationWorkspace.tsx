// One consultation on screen: the patient beside the note. Used in the room during the
// consultation, and by the supervising doctor from the supervision list.

import { useEffect } from 'react';
import { todayOf, useNow } from '../data/device-data';
import { useWriter } from '../data/writer';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { useConsultationActions } from './consultation-actions';
import { useConsultationFile, useDirectory, usePatient, useVisit } from './consultation-data';
import { NoteEditor } from './NoteEditor';
import { PatientPanel } from './PatientPanel';
import './consultation.css';

export function ConsultationWorkspace({ consultationId }: { consultationId: string }) {
  const file = useConsultationFile(consultationId);
  const directory = useDirectory();
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  const patient = usePatient(file?.consultation.patientId ?? null);
  const visit = useVisit(file?.consultation.visitId ?? null);
  const actions = useConsultationActions();
  const now = useNow();
  const write = useWriter();
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
          editable={(profile === 'room' || profile === 'coordination') && viewer !== undefined}
        />
      ) : (
        <p className="notice notice--warning">{t('day.unknownPatient')}</p>
      )}
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
    </div>
  );
}
