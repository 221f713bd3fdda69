// The patient's objection to the reuse of their data for research (src/domain/research.ts):
// shown, and recorded or lifted at reception (identity page) or in a room (beside the note). An
// objecting patient is never in the research extract.
import { recordResearchObjection } from '../../device/research-commands';
import type { Patient, Staff } from '../../domain/entities';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { t } from '../i18n';
import { useResearchObjection } from './consultation-data';

export function ResearchObjectionField({
  patient,
  viewer,
  editable,
}: {
  patient: Patient;
  viewer: Pick<Staff, 'id'> | undefined;
  editable: boolean;
}) {
  const objects = useResearchObjection(patient.id);
  const write = useWriter();
  if (objects === undefined) return null;
  return (
    <div className="stack">
      <p className={objects ? 'notice' : 'muted'} role="status">
        {objects ? t('reading.research.on') : t('reading.research.off')}
      </p>
      {editable && viewer ? (
        <div className="actions">
          <ActionButton
            onAction={() =>
              write(({ newId, now }) => ({
                changes: [
                  recordResearchObjection({
                    id: newId(),
                    orgId: patient.orgId,
                    patientId: patient.id,
                    staffId: viewer.id,
                    at: now,
                    objects: !objects,
                  }),
                ],
                audit: {
                  action: objects ? 'research.objection_lifted' : 'research.objection',
                  entity: 'patient',
                  entityId: patient.id,
                },
              }))
            }
          >
            {objects ? t('reading.research.lift') : t('reading.research.record')}
          </ActionButton>
        </div>
      ) : null}
    </div>
  );
}
