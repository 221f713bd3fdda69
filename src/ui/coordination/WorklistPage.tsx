// The coordinator's worklist (issue 17 item 2): orientations to follow through their states,
// patients without a médecin traitant to recall at the chosen intervals, notes awaiting review.
// Every action goes through the writer with a command of src/device/orientation-commands.ts; the
// rules (transitions, recalls, intervals) are src/domain/orientation.ts's and worklist.ts's.
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import {
  followOrientation,
  OrientationInputError,
  recordRecall,
} from '../../device/orientation-commands';
import type { FollowedOrientation, Patient } from '../../domain/entities';
import { allowedOrientationActions, type OrientationAction } from '../../domain/orientation';
import { localDate } from '../../domain/time';
import {
  notesAwaitingReview,
  orientationsToFollow,
  parseRecallMonths,
  recallsDue,
} from '../../domain/worklist';
import { useWriter } from '../data/writer';
import { patientName, staffName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { TextField } from '../forms/fields';
import { formatBirthDate, formatDate, t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import type { OrgRows } from './coordination-data';

function mtLine(p: Patient): string {
  const status = t(`reception.mtStatus.${p.mtStatus}`);
  const withName = p.mtStatus === 'declared' && p.mtName ? `${status} — ${p.mtName}` : status;
  return p.mtStatusAt && p.mtSource
    ? t('pathway.worklist.mtStatusSince', {
        status: withName,
        date: formatDate(p.mtStatusAt),
        source: t(`pathway.worklist.sources.${p.mtSource}`),
      })
    : t('pathway.worklist.mtStatus', { status: withName });
}

function OrientationItem({
  o,
  patient,
  who,
}: {
  o: FollowedOrientation;
  patient: Patient | undefined;
  who: (id: string) => string;
}) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [reason, setReason] = useState('');
  const name = patient ? patientName(patient) : '';
  const allowed = allowedOrientationActions(o);
  const act = (action: OrientationAction) => async () => {
    if (!staffId) throw new Error(t('pathway.worklist.noStaff'));
    await write(followOrientation(o, action, { staffId, reason }));
  };
  const titleId = `orientation-${o.id}`;
  const state = o.state;
  return (
    <li className="panel stack" aria-labelledby={titleId}>
      <h4 id={titleId}>
        {patient
          ? t('pathway.worklist.patientLine', { name, birth: formatBirthDate(patient.birthDate) })
          : null}
      </h4>
      <p>
        {t('pathway.orientation.line', {
          purpose: t(`pathway.orientation.purposes.${o.purpose}`),
          target: t(`pathway.orientation.targets.${o.target}`),
          name: o.targetName,
        })}
      </p>
      <p>
        <strong>
          {t('pathway.orientation.stateLine', {
            state: t(`pathway.orientation.states.${state.status}`),
            date: formatDate(state.at),
            who: who(state.by),
          })}
        </strong>
      </p>
      {patient ? <p className="muted">{mtLine(patient)}</p> : null}
      <div className="actions">
        {allowed
          .filter((a) => a !== 'abandon')
          .map((a) => (
            <ActionButton
              key={a}
              primary={a === 'declare_mt'}
              ariaLabel={t('pathway.worklist.actionFor', {
                action: t(`pathway.worklist.actions.${a}`),
                name,
              })}
              onAction={act(a)}
              disabledReason={staffId ? null : t('pathway.worklist.noStaff')}
              success={t(`pathway.worklist.done.${a}`, { name })}
            >
              {t(`pathway.worklist.actions.${a}`)}
            </ActionButton>
          ))}
      </div>
      {allowed.includes('abandon') ? (
        <div className="form-grid">
          <TextField
            label={t('pathway.worklist.abandonReason')}
            value={reason}
            onChange={setReason}
          />
          <div className="actions">
            <ActionButton
              ariaLabel={t('pathway.worklist.actionFor', {
                action: t('pathway.worklist.actions.abandon'),
                name,
              })}
              onAction={act('abandon')}
              disabledReason={staffId ? null : t('pathway.worklist.noStaff')}
              success={t('pathway.worklist.done.abandon', { name })}
            >
              {t('pathway.worklist.actions.abandon')}
            </ActionButton>
          </div>
        </div>
      ) : null}
    </li>
  );
}

function RecallItem({ patient, line }: { patient: Patient; line: string }) {
  const write = useWriter();
  const [mtName, setMtName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const name = patientName(patient);
  const declared = async () => {
    setError(undefined);
    try {
      await write(recordRecall(patient, { kind: 'declared', mtName }));
    } catch (e) {
      if (e instanceof OrientationInputError) setError(e.errors.mtName);
      throw e;
    }
  };
  return (
    <li className="panel stack">
      <p>{line}</p>
      <div className="form-grid">
        <TextField
          label={t('pathway.worklist.recallMtName')}
          value={mtName}
          onChange={setMtName}
          error={error}
        />
      </div>
      <div className="actions">
        <ActionButton
          primary
          onAction={declared}
          success={t('pathway.worklist.recallDeclaredDone', { name })}
          ariaLabel={t('pathway.worklist.actionFor', {
            action: t('pathway.worklist.recallDeclared'),
            name,
          })}
        >
          {t('pathway.worklist.recallDeclared')}
        </ActionButton>
        <ActionButton
          onAction={() => write(recordRecall(patient, { kind: 'still_none' }))}
          success={t('pathway.worklist.recallStillNoneDone', { name })}
          ariaLabel={t('pathway.worklist.actionFor', {
            action: t('pathway.worklist.recallStillNone'),
            name,
          })}
        >
          {t('pathway.worklist.recallStillNone')}
        </ActionButton>
      </div>
    </li>
  );
}

function Intervals() {
  const months = useUiStore((s) => s.recallMonths);
  const setMonths = useUiStore((s) => s.setRecallMonths);
  const [text, setText] = useState(months.join(', '));
  const [error, setError] = useState<string | undefined>();
  const apply = async () => {
    const parsed = parseRecallMonths(text);
    if (!parsed.ok) {
      setError(parsed.reason);
      throw new Error(parsed.reason);
    }
    setError(undefined);
    setMonths(parsed.months);
    setText(parsed.months.join(', '));
  };
  return (
    <div className="form-grid">
      <TextField
        label={t('pathway.worklist.intervals')}
        value={text}
        onChange={setText}
        hint={t('pathway.worklist.intervalsHint')}
        error={error}
      />
      <div className="actions">
        <ActionButton onAction={apply} success={t('pathway.worklist.intervalsSaved')}>
          {t('pathway.worklist.applyIntervals')}
        </ActionButton>
      </div>
    </div>
  );
}

export function WorklistPage({ rows, today }: { rows: OrgRows; today: string }) {
  const months = useUiStore((s) => s.recallMonths);
  const patients = useMemo(() => new Map(rows.patients.map((p) => [p.id, p])), [rows.patients]);
  const staff = useMemo(() => new Map(rows.staff.map((s) => [s.id, s])), [rows.staff]);
  const services = useMemo(() => new Map(rows.services.map((s) => [s.id, s])), [rows.services]);
  const who = (id: string) => {
    const s = staff.get(id);
    return s ? staffName(s) : '—';
  };
  const toFollow = orientationsToFollow(rows.orientations);
  const recalls = recallsDue(rows.patients, rows.visits, months, today, (iso) => localDate(iso));
  const review = notesAwaitingReview(rows.consultations);
  return (
    <div className="stack">
      <h2>{t('pathway.worklist.title')}</h2>
      <p>{t('pathway.worklist.intro')}</p>

      <section className="stack" aria-labelledby="worklist-orientations">
        <h3 id="worklist-orientations">
          {t('pathway.worklist.orientationsTitle')} ({toFollow.length})
        </h3>
        {toFollow.length === 0 ? (
          <p>{t('pathway.worklist.orientationsEmpty')}</p>
        ) : (
          <ul className="stack plain-list">
            {toFollow.map((o) => (
              <OrientationItem key={o.id} o={o} patient={patients.get(o.patientId)} who={who} />
            ))}
          </ul>
        )}
      </section>

      <section className="stack" aria-labelledby="worklist-recalls">
        <h3 id="worklist-recalls">
          {t('pathway.worklist.recallsTitle')} ({recalls.length})
        </h3>
        <Intervals />
        {recalls.length === 0 ? (
          <p>{t('pathway.worklist.recallsEmpty')}</p>
        ) : (
          <ul className="stack plain-list">
            {recalls.map((r) => (
              <RecallItem
                key={r.patient.id}
                patient={r.patient}
                line={t('pathway.worklist.recallLine', {
                  name: patientName(r.patient),
                  last: formatDate(r.lastVisit),
                  months: r.months,
                  due: formatDate(r.due),
                })}
              />
            ))}
          </ul>
        )}
      </section>

      <section className="stack" aria-labelledby="worklist-review">
        <h3 id="worklist-review">
          {t('pathway.worklist.reviewTitle')} ({review.length})
        </h3>
        {review.length === 0 ? (
          <p>{t('pathway.worklist.reviewEmpty')}</p>
        ) : (
          <ul className="stack plain-list">
            {review.map((c) => {
              const p = patients.get(c.patientId);
              const name = p ? patientName(p) : '';
              return (
                <li key={c.id}>
                  {t('pathway.worklist.reviewLine', {
                    name,
                    service: services.get(c.serviceId)?.label ?? '',
                    date: formatDate(c.createdAt),
                  })}{' '}
                  <Link
                    to={`/supervision/${c.id}`}
                    aria-label={t('pathway.worklist.actionFor', {
                      action: t('pathway.worklist.review'),
                      name,
                    })}
                  >
                    {t('pathway.worklist.review')}
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
