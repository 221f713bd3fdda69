// The patient's objections, shown and recorded or lifted at reception (identity page) or in a
// room (beside the note): to the sharing of their notes within the team (src/domain/reading.ts)
// and to the reuse of their data for research (src/domain/research.ts). Each is the patient's
// choice, told to whoever records it; the latest record wins.
import { recordObjection } from '../../device/reading-commands';
import type { Patient, Staff } from '../../domain/entities';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { t } from '../i18n';
import { useReadingFacts, useResearchObjection } from './consultation-data';

interface FieldProps {
  patient: Patient;
  viewer: Pick<Staff, 'id'> | undefined;
  editable: boolean;
}

const KINDS = {
  sharing: {
    entity: 'sharingObjection',
    on: 'reading.objection.on',
    off: 'reading.objection.off',
    record: 'reading.objection.record',
    lift: 'reading.objection.lift',
    recorded: 'sharing.objection',
    lifted: 'sharing.objection_lifted',
    onTone: 'notice notice--warning',
  },
  research: {
    entity: 'researchObjection',
    on: 'reading.research.on',
    off: 'reading.research.off',
    record: 'reading.research.record',
    lift: 'reading.research.lift',
    recorded: 'research.objection',
    lifted: 'research.objection_lifted',
    onTone: 'notice',
  },
} as const;

/** What the patient said, and the button that records the opposite. */
function ObjectionToggle({
  kind,
  objects,
  patient,
  viewer,
  editable,
}: FieldProps & { kind: keyof typeof KINDS; objects: boolean }) {
  const write = useWriter();
  const k = KINDS[kind];
  return (
    <div className="stack">
      <p className={objects ? k.onTone : 'muted'} role="status">
        {objects ? t(k.on) : t(k.off)}
      </p>
      {editable && viewer ? (
        <div className="actions">
          <ActionButton
            onAction={() =>
              write(({ newId, now }) => ({
                changes: [
                  recordObjection(
                    {
                      id: newId(),
                      orgId: patient.orgId,
                      patientId: patient.id,
                      staffId: viewer.id,
                      at: now,
                      objects: !objects,
                    },
                    k.entity,
                  ),
                ],
                audit: {
                  action: objects ? k.lifted : k.recorded,
                  entity: 'patient',
                  entityId: patient.id,
                },
              }))
            }
          >
            {objects ? t(k.lift) : t(k.record)}
          </ActionButton>
        </div>
      ) : null}
    </div>
  );
}

/** The patient's objection to the sharing of their notes within the team. */
export function SharingObjectionField(props: FieldProps) {
  const facts = useReadingFacts();
  if (!facts) return null;
  return <ObjectionToggle kind="sharing" objects={facts.objects(props.patient.id)} {...props} />;
}

/** The patient's objection to research: an objecting patient is never in a research extract. */
export function ResearchObjectionField(props: FieldProps) {
  const objects = useResearchObjection(props.patient.id);
  if (objects === undefined) return null;
  return <ObjectionToggle kind="research" objects={objects} {...props} />;
}
