// The live board: rooms now, then each service's queue in domain order with waits, and the
// actions reception may take on an entry (priority, service, left, cancelled, absent, reopen).
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { QueueEntry, Service, Visit } from '../../domain/entities';
import { EMPTY_SURVEY, type SurveyDraft } from '../../domain/survey';
import type { DayRows } from '../data/device-data';
import { ContradictionMarker } from '../day/ContradictionMarker';
import { byId, estimateText, live } from '../day/day-data';
import { StopSummary } from '../day/StopSummary';
import { CheckboxField, SelectField, TextField } from '../forms/fields';
import { formatTime, t, tn } from '../i18n';
import { type BoardRow, boardModel, type ReceptionAction } from './board-model';
import { useReceptionActions } from './reception-actions';

export function BoardPage({
  rows,
  now,
  deviceId,
}: {
  rows: DayRows;
  now: string;
  deviceId: string | null;
}) {
  const model = useMemo(() => boardModel(rows.day, rows.patients, now), [rows, now]);
  const [open, setOpen] = useState<string | null>(null);
  if (!rows.day.stop) return <StopSummary stop={null} />;
  return (
    <div className="stack">
      <section aria-labelledby="rooms-now-title">
        <h2 id="rooms-now-title">{t('reception.board.roomsTitle')}</h2>
        <ul className="room-cards">
          {model.rooms.map((r) => (
            <li key={r.roomId} className="panel room-card">
              <h3>{r.roomName}</h3>
              <p className="muted">{r.services.join(', ') || t('reception.board.roomClosed')}</p>
              <p>
                {r.occupant ? (
                  <>
                    <span className="ticket">{r.occupant.ticket}</span>{' '}
                    <span className="status-tag">{t(`queueStatus.${r.occupant.status}`)}</span>
                    {r.occupant.patient ? <span> {r.occupant.patient}</span> : null}
                    <ContradictionMarker shown={r.occupant.contradiction} />
                  </>
                ) : (
                  t('reception.board.roomFree')
                )}
              </p>
            </li>
          ))}
        </ul>
      </section>
      {model.services.length === 0 ? (
        <p>{t('reception.board.empty')}</p>
      ) : (
        model.services.map((s) => (
          <section key={s.serviceId} aria-labelledby={`svc-${s.serviceId}`}>
            <h2 id={`svc-${s.serviceId}`}>
              {s.label}{' '}
              <span className="muted">{tn('reception.board.waiting', s.waitingCount)}</span>
            </h2>
            <BoardTable
              rows={s.rows}
              open={open}
              onToggle={(id) => setOpen(open === id ? null : id)}
              day={rows}
              deviceId={deviceId}
            />
          </section>
        ))
      )}
      {model.ended.length > 0 ? (
        <details className="panel">
          <summary>{tn('reception.board.endedTitle', model.ended.length)}</summary>
          <BoardTable
            rows={model.ended}
            open={open}
            onToggle={(id) => setOpen(open === id ? null : id)}
            day={rows}
            deviceId={deviceId}
            ended
          />
        </details>
      ) : null}
    </div>
  );
}

function BoardTable({
  rows,
  open,
  onToggle,
  day,
  deviceId,
  ended = false,
}: {
  rows: BoardRow[];
  open: string | null;
  onToggle(id: string): void;
  day: DayRows;
  deviceId: string | null;
  ended?: boolean;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table board">
        <thead>
          <tr>
            <th scope="col">{t('reception.columns.ticket')}</th>
            <th scope="col">{t('reception.columns.patient')}</th>
            <th scope="col">{t('reception.columns.status')}</th>
            {ended ? null : <th scope="col">{t('reception.columns.waited')}</th>}
            {ended ? null : <th scope="col">{t('reception.columns.estimate')}</th>}
            <th scope="col">{t('reception.columns.flags')}</th>
            <th scope="col">{t('reception.columns.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((r) => {
            const lines = [
              <tr key={r.entryId}>
                <td>
                  <span className="ticket">{r.ticket}</span>
                </td>
                <td>
                  {r.patient ?? t('day.unknownPatient')}
                  <ContradictionMarker shown={r.contradiction} />
                </td>
                <td>
                  <span className="status-tag">{t(`queueStatus.${r.status}`)}</span>
                  {r.roomName ? (
                    <span> {t('reception.board.inRoom', { room: r.roomName })}</span>
                  ) : null}
                </td>
                {ended ? null : (
                  <td className={r.waitColour ? `wait--${r.waitColour}` : undefined}>
                    {r.waitedMinutes === null
                      ? t('day.none')
                      : t('reception.board.minutes', { minutes: r.waitedMinutes })}
                    {r.waitColour && r.waitColour !== 'green' ? (
                      <span className="visually-hidden">
                        {' '}
                        {t(`reception.board.waitLevel.${r.waitColour}`)}
                      </span>
                    ) : null}
                  </td>
                )}
                {ended ? null : (
                  <td>
                    {r.status !== 'waiting' ? t('day.none') : estimateText(r.estimateMinutes)}
                  </td>
                )}
                <td>
                  <Flags row={r} />
                </td>
                <td>
                  <button
                    type="button"
                    className="button"
                    aria-expanded={open === r.entryId}
                    aria-controls={`actions-${r.entryId}`}
                    onClick={() => onToggle(r.entryId)}
                  >
                    {t('reception.board.manage', { ticket: r.ticket })}
                  </button>
                </td>
              </tr>,
            ];
            if (open === r.entryId) {
              lines.push(
                <tr key={`${r.entryId}-actions`} id={`actions-${r.entryId}`}>
                  <td colSpan={ended ? 5 : 7}>
                    <RowActions row={r} day={day} deviceId={deviceId} />
                  </td>
                </tr>,
              );
            }
            return lines;
          })}
        </tbody>
      </table>
    </div>
  );
}

function Flags({ row }: { row: BoardRow }) {
  const flags: string[] = [];
  if (row.urgent) flags.push(t('reception.flags.urgent'));
  if (row.noMt) flags.push(t('reception.flags.noMt'));
  if (row.ald) flags.push(t('reception.flags.ald'));
  if (row.comingFrom) flags.push(t('reception.flags.comingFrom', { room: row.comingFrom }));
  if (flags.length === 0) return <span className="muted">{t('day.none')}</span>;
  return (
    <ul className="flags">
      {flags.map((f) => (
        <li key={f} className="status-tag">
          {f}
        </li>
      ))}
    </ul>
  );
}

const ACTION_LABEL = {
  leave: 'reception.actions.leave',
  cancel: 'reception.actions.cancel',
  no_show: 'reception.actions.noShow',
  reopen: 'reception.actions.reopen',
} as const satisfies Record<ReceptionAction, string>;

function RowActions({
  row,
  day,
  deviceId,
}: {
  row: BoardRow;
  day: DayRows;
  deviceId: string | null;
}) {
  const actions = useReceptionActions(deviceId);
  const entries = useMemo(() => byId(live(day.day.entries)), [day]);
  const visits = useMemo(() => byId(live(day.day.visits)), [day]);
  const services = live(day.day.services);
  const entry: QueueEntry | undefined = entries.get(row.entryId);
  const visit: Visit | undefined = visits.get(row.visitId);
  const [urgent, setUrgent] = useState(row.urgent);
  const [urgentReason, setUrgentReason] = useState(row.urgentReason ?? '');
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (what: () => Promise<void>, message: string) => {
    setError(null);
    setDone(null);
    try {
      await what();
      setDone(message);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  if (!entry) return null;
  const stopEntries = live(day.day.entries);

  return (
    <div className="row-actions stack">
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      {visit && row.status === 'waiting' ? (
        <form
          className="inline-form"
          aria-label={t('reception.actions.priorityTitle', { ticket: row.ticket })}
          onSubmit={(e) => {
            e.preventDefault();
            if (urgent && urgentReason.trim() === '') {
              setError(t('reception.actions.urgentReasonMissing'));
              return;
            }
            void run(
              () => actions.setUrgent(visit, urgent, urgentReason),
              t('reception.actions.prioritySaved'),
            );
          }}
        >
          <CheckboxField
            label={t('reception.actions.urgent')}
            checked={urgent}
            onChange={setUrgent}
          />
          <TextField
            label={t('reception.actions.urgentReason')}
            value={urgentReason}
            onChange={setUrgentReason}
          />
          <button type="submit" className="button">
            {t('reception.actions.savePriority')}
          </button>
        </form>
      ) : null}
      {row.movable ? (
        <form
          className="inline-form"
          aria-label={t('reception.actions.moveTitle', { ticket: row.ticket })}
          onSubmit={(e) => {
            e.preventDefault();
            const service: Service | undefined = services.find((s) => s.id === target);
            if (!service) {
              setError(t('reception.actions.chooseService'));
              return;
            }
            void run(
              () => actions.moveEntry(entry, service, stopEntries),
              t('reception.actions.moved', { service: service.label }),
            );
          }}
        >
          <SelectField
            label={t('reception.actions.moveTo')}
            value={target}
            onChange={setTarget}
            options={[
              { value: '', label: t('reception.actions.chooseServiceOption') },
              ...services
                .filter((s) => s.id !== entry.serviceId)
                .map((s) => ({ value: s.id, label: s.label })),
            ]}
          />
          <button type="submit" className="button">
            {t('reception.actions.move')}
          </button>
        </form>
      ) : null}
      {row.actions.length > 0 ? (
        <div className="inline-form">
          {row.actions.some((a) => a !== 'reopen') ? (
            <TextField
              label={t('reception.actions.endReason')}
              value={reason}
              onChange={setReason}
            />
          ) : null}
          {row.actions.map((a) => (
            <button
              key={a}
              type="button"
              className="button"
              onClick={() =>
                void run(
                  () => actions.endEntry(entry, a, reason),
                  t('reception.actions.recorded', { ticket: row.ticket }),
                )
              }
            >
              {t(ACTION_LABEL[a])}
            </button>
          ))}
        </div>
      ) : null}
      {visit ? (
        <SurveyForm
          visit={visit}
          ticket={row.ticket}
          onSave={(draft) =>
            run(
              () => actions.recordSurvey(visit, draft),
              t(draft ? 'survey.saved' : 'survey.declined'),
            )
          }
        />
      ) : null}
      <p>
        <Link to={`/accueil/ticket/${row.visitId}`} className="button">
          {t('reception.actions.printTicket')}
        </Link>
        {row.arrivedAt ? (
          <span className="muted">
            {' '}
            {t('reception.board.arrivedAt', { time: formatTime(row.arrivedAt) })}
          </span>
        ) : null}
      </p>
    </div>
  );
}

const RENUNCIATIONS = ['oui', 'non', 'ne_sait_pas'] as const;
const PLACES = ['medecin', 'urgences', 'pharmacie', 'reporte', 'nulle_part', 'autre'] as const;

/** The optional end-of-visit questionnaire (docs/indicators.md): two questions, each may stay
 * unanswered; the patient may decline the whole. Once recorded, it says so. */
function SurveyForm({
  visit,
  ticket,
  onSave,
}: {
  visit: Visit;
  ticket: string;
  onSave(draft: SurveyDraft | null): Promise<void>;
}) {
  const [draft, setDraft] = useState<SurveyDraft>(EMPTY_SURVEY);
  if (visit.survey) {
    return (
      <p className="muted">
        {t('survey.done', {
          state: t(`survey.states.${visit.survey.answered ? 'answered' : 'declined'}`),
        })}
      </p>
    );
  }
  return (
    <form
      className="stack"
      aria-label={t('survey.open', { name: ticket })}
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(draft);
      }}
    >
      <h4>{t('survey.title')}</h4>
      <p className="muted">{t('survey.intro')}</p>
      <SelectField
        label={t('survey.renunciation')}
        value={draft.renunciation}
        onChange={(renunciation) => setDraft({ ...draft, renunciation })}
        options={[
          { value: '', label: t('survey.noAnswer') },
          ...RENUNCIATIONS.map((v) => ({ value: v, label: t(`survey.renunciations.${v}`) })),
        ]}
      />
      <SelectField
        label={t('survey.withoutTruck')}
        value={draft.withoutTruck}
        onChange={(withoutTruck) => setDraft({ ...draft, withoutTruck })}
        options={[
          { value: '', label: t('survey.noAnswer') },
          ...PLACES.map((v) => ({ value: v, label: t(`survey.places.${v}`) })),
        ]}
      />
      {draft.withoutTruck === 'autre' ? (
        <TextField
          label={t('survey.other')}
          value={draft.other}
          onChange={(other) => setDraft({ ...draft, other })}
        />
      ) : null}
      <div className="actions">
        <button type="submit" className="button">
          {t('survey.save')}
        </button>
        <button type="button" className="button" onClick={() => void onSave(null)}>
          {t('survey.decline')}
        </button>
      </div>
    </form>
  );
}
