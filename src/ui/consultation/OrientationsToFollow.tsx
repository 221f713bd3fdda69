// Orientations to follow from a consultation (issue 17 item 2): several per note, each with a
// purpose, a target and its name; the coordination follows each to its outcome from the worklist
// (src/ui/coordination/WorklistPage.tsx). Shown with its current state, date and who.
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { OrientationInputError, proposeOrientation } from '../../device/orientation-commands';
import type { Consultation, FollowedOrientation, Staff } from '../../domain/entities';
import {
  type NewOrientationErrors,
  type NewOrientationInput,
  ORIENTATION_PURPOSES,
  ORIENTATION_TARGETS,
  type OrientationPurpose,
  type OrientationTarget,
} from '../../domain/orientation';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { staffName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { SelectField, TextField } from '../forms/fields';
import { formatDate, t } from '../i18n';

const EMPTY: NewOrientationInput = { purpose: '', target: '', targetName: '', note: '' };

function useOrientations(consultationId: string): FollowedOrientation[] | undefined {
  const db = useDb();
  return useLiveQuery(
    async () =>
      db
        ? (await db.rows('orientation').where('consultationId').equals(consultationId).toArray())
            .filter((o) => !o._deleted)
            .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        : [],
    [db, consultationId],
  );
}

export function OrientationsToFollow({
  consultation,
  viewer,
  staff,
  canAdd,
}: {
  consultation: Consultation;
  viewer: Staff | undefined;
  staff: ReadonlyMap<string, Staff>;
  canAdd: boolean;
}) {
  const write = useWriter();
  const list = useOrientations(consultation.id);
  const [input, setInput] = useState<NewOrientationInput>(EMPTY);
  const [errors, setErrors] = useState<NewOrientationErrors>({});
  const who = (id: string) => {
    const s = staff.get(id);
    return s ? staffName(s) : '—';
  };
  const add = async () => {
    if (!viewer) throw new Error(t('pathway.worklist.noStaff'));
    setErrors({});
    try {
      await write(
        proposeOrientation(
          {
            org: consultation.orgId,
            patientId: consultation.patientId,
            consultationId: consultation.id,
            staffId: viewer.id,
          },
          input,
        ),
      );
      setInput(EMPTY);
    } catch (e) {
      if (e instanceof OrientationInputError) setErrors(e.errors);
      throw e;
    }
  };
  return (
    <section className="stack" aria-labelledby="orientations-title">
      <h3 id="orientations-title">{t('pathway.orientation.title')}</h3>
      <p className="muted">{t('pathway.orientation.intro')}</p>
      {list && list.length > 0 ? (
        <ul className="stack">
          {list.map((o) => (
            <li key={o.id}>
              {t('pathway.orientation.line', {
                purpose: t(`pathway.orientation.purposes.${o.purpose}`),
                target: t(`pathway.orientation.targets.${o.target}`),
                name: o.targetName,
              })}{' '}
              —{' '}
              {o.state.reason
                ? t('pathway.orientation.stateLineReason', {
                    state: t(`pathway.orientation.states.${o.state.status}`),
                    date: formatDate(o.state.at),
                    who: who(o.state.by),
                    reason: o.state.reason,
                  })
                : t('pathway.orientation.stateLine', {
                    state: t(`pathway.orientation.states.${o.state.status}`),
                    date: formatDate(o.state.at),
                    who: who(o.state.by),
                  })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('pathway.orientation.none')}</p>
      )}
      {canAdd ? (
        <div className="stack">
          <div className="form-grid">
            <SelectField
              label={t('pathway.orientation.purpose')}
              value={input.purpose}
              onChange={(v: OrientationPurpose) => setInput({ ...input, purpose: v })}
              error={errors.purpose}
              options={[
                { value: '', label: t('pathway.orientation.choose') },
                ...ORIENTATION_PURPOSES.map((p) => ({
                  value: p,
                  label: t(`pathway.orientation.purposes.${p}`),
                })),
              ]}
            />
            <SelectField
              label={t('pathway.orientation.target')}
              value={input.target}
              onChange={(v: OrientationTarget) => setInput({ ...input, target: v })}
              error={errors.target}
              options={[
                { value: '', label: t('pathway.orientation.choose') },
                ...ORIENTATION_TARGETS.map((p) => ({
                  value: p,
                  label: t(`pathway.orientation.targets.${p}`),
                })),
              ]}
            />
            <TextField
              label={t('pathway.orientation.targetName')}
              value={input.targetName}
              onChange={(v) => setInput({ ...input, targetName: v })}
              error={errors.targetName}
            />
            <TextField
              label={t('pathway.orientation.note')}
              value={input.note}
              onChange={(v) => setInput({ ...input, note: v })}
              error={errors.note}
            />
          </div>
          <div className="actions">
            <ActionButton
              onAction={add}
              disabledReason={viewer ? null : t('pathway.worklist.noStaff')}
              success={t('pathway.orientation.added')}
            >
              {t('pathway.orientation.add')}
            </ActionButton>
          </div>
        </div>
      ) : null}
    </section>
  );
}
