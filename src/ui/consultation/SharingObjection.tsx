// The patient's objection to the sharing of their notes within the team (src/domain/reading.ts):
// shown, and recorded or lifted at reception (identity page) or in a room (beside the note).
import { recordObjection } from '../../device/reading-commands';
import type { Patient, Staff } from '../../domain/entities';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { t } from '../i18n';
import { useReadingFacts } from './consultation-data';

/** The patient's objection to the sharing of their notes within the team: shown, and recorded
 * or lifted by a person at work (it is the patient's choice, told to whoever records it). */
export function SharingObjectionField({
  patient,
  viewer,
  editable,
}: {
  patient: Patient;
  viewer: Pick<Staff, 'id'> | undefined;
  editable: boolean;
}) {
  const facts = useReadingFacts();
  const write = useWriter();
  if (!facts) return null;
  const objects = facts.objects(patient.id);
  return (
    <div className="stack">
      <p className={objects ? 'notice notice--warning' : 'muted'} role="status">
        {objects ? t('reading.objection.on') : t('reading.objection.off')}
      </p>
      {editable && viewer ? (
        <div className="actions">
          <ActionButton
            onAction={() =>
              write(({ newId, now }) => ({
                changes: [
                  recordObjection({
                    id: newId(),
                    orgId: patient.orgId,
                    patientId: patient.id,
                    staffId: viewer.id,
                    at: now,
                    objects: !objects,
                  }),
                ],
                audit: {
                  action: objects ? 'sharing.objection_lifted' : 'sharing.objection',
                  entity: 'patient',
                  entityId: patient.id,
                },
              }))
            }
          >
            {objects ? t('reading.objection.lift') : t('reading.objection.record')}
          </ActionButton>
        </div>
      ) : null}
    </div>
  );
}
