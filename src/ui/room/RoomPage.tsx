// The room's day: who works here, its roster slot now, the patient called or inside (with the
// note during the consultation), and its queue in domain order with Appeler / Faire entrer.
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { consultationOfEntry, openNotesOf, signedNotesOf } from '../../device/consultation-queries';
import type { Consultation, Patient, QueueEntry, Service } from '../../domain/entities';
import { canCall, NO_WAITING_PATIENT, nextToCall } from '../../domain/queue-order';
import { slotsAt } from '../../domain/roster';
import { localTime } from '../../domain/time';
import { ClinicalSummary } from '../consultation/ClinicalSummary';
import { ConsultationWorkspace } from '../consultation/ConsultationWorkspace';
import { usePatient } from '../consultation/consultation-data';
import { type DayRows, useDb } from '../data/device-data';
import { ContradictionMarker } from '../day/ContradictionMarker';
import { byId, estimateText, live, patientName, queueContext } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { useAction } from '../feedback/action';
import { SelectField } from '../forms/fields';
import { formatDateTime, formatTime, t } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import { useUiStore } from '../state/ui-store';
import { useRoomActions } from './room-actions';
import { type RoomQueueLine, roomModel } from './room-model';
import { StaffPicker } from './StaffPicker';

function Flags({ line }: { line: RoomQueueLine }) {
  const flags = [
    line.urgent ? t('room.flags.urgent') : null,
    line.noMt ? t('room.flags.noMt') : null,
    line.ald ? t('room.flags.ald') : null,
    line.comingFrom ? t('room.flags.comingFrom', { room: line.comingFrom }) : null,
  ].filter((f): f is string => f !== null);
  return flags.length ? flags.join(', ') : t('day.none');
}

export function RoomPage({ rows, roomId, now }: { rows: DayRows; roomId: string; now: string }) {
  const { day } = rows;
  const model = useMemo(
    () => roomModel(day, rows.patients, roomId, now),
    [day, rows.patients, roomId, now],
  );
  const staffId = useUiStore((s) => s.staffId);
  const staffById = useMemo(() => byId(live(day.staff)), [day.staff]);
  const me = staffId ? staffById.get(staffId) : undefined;
  const actions = useRoomActions(roomId, me);
  const entries = useMemo(() => live(day.entries).filter((e) => e.stopId === day.stop?.id), [day]);
  const entryById = useMemo(() => byId(entries), [entries]);
  const ctx = useMemo(() => queueContext(day), [day]);
  const services = useMemo(() => live(day.services), [day.services]);
  const [target, setTarget] = useState('');
  const transfer = useAction();
  const db = useDb();
  const occupantEntry = model.occupant ? entryById.get(model.occupant.entryId) : undefined;
  const note = useLiveQuery(
    async () =>
      db && occupantEntry ? ((await consultationOfEntry(db, occupantEntry.id)) ?? null) : null,
    [db, occupantEntry?.id],
  );

  // The called patient's clinical summary, read before they come in.
  const calledPatient = usePatient(
    model.occupant?.status === 'called' ? (model.occupant.patientId ?? null) : null,
  );
  const profile = useUiStore((s) => s.profile);

  const openNotes = useLiveQuery(
    async () => (db && staffId ? openNotesOf(db, staffId) : []),
    [db, staffId],
  );
  const stopId = day.stop?.id ?? null;
  const signedNotes = useLiveQuery(
    async () => (db && staffId && stopId ? signedNotesOf(db, staffId, stopId) : []),
    [db, staffId, stopId],
  );

  if (model.roomName === null) {
    return (
      <div className="stack">
        <PageTitle page={t('profiles.room')} />
        <h1>{t('profiles.room')}</h1>
        <p className="notice notice--warning" role="status">
          {t('room.unknownRoom')}
        </p>
      </div>
    );
  }

  const rostered = day.stop
    ? slotsAt(live(day.slots), day.stop.id, roomId, localTime(now)).flatMap((s) => s.staffIds)
    : [];
  const start = (entry: QueueEntry) =>
    actions.start(
      entry,
      entries,
      ctx,
      ctx.visits.get(entry.visitId),
      services.find((s) => s.id === entry.serviceId),
    );
  // Why an action cannot succeed now, from the same domain rules the actions check.
  const next = nextToCall(entries, roomId, live(day.slots), localTime(now), ctx);
  const callNext = async () => {
    const found = nextToCall(entries, roomId, live(day.slots), localTime(now), ctx);
    if (!found.ok) throw new Error(found.reason);
    await actions.call(found.entry, entries, ctx);
  };
  const roomCheck = canCall(roomId, entries);
  const rowRefusal = (entry: QueueEntry): string | null => {
    const check = canCall(roomId, entries, entry, ctx);
    return check.ok ? null : check.reason;
  };

  const { slotNow, occupant } = model;
  return (
    <div className="stack">
      <PageTitle page={model.roomName} />
      <div className="page-header">
        <h1>{t('room.title', { room: model.roomName })}</h1>
        <StaffPicker staff={live(day.staff)} suggested={rostered} />
      </div>
      <p className="muted room-shortcuts">{t('room.shortcuts')}</p>
      <div className="two-columns">
        <section className="panel" aria-labelledby="slot-now-title">
          <h2 id="slot-now-title">{t('room.slotNowTitle')}</h2>
          {slotNow ? (
            <>
              <p>{t('day.timeRange', { start: slotNow.start, end: slotNow.end })}</p>
              <p>{slotNow.services.join(', ') || t('day.none')}</p>
              {slotNow.staff.length > 0 ? (
                <p className="muted">{slotNow.staff.join(', ')}</p>
              ) : null}
            </>
          ) : (
            <p>{t('room.noSlotNow')}</p>
          )}
        </section>
        <section className="panel stack" aria-labelledby="occupant-title">
          <h2 id="occupant-title">{t('room.occupantTitle')}</h2>
          {occupant && occupantEntry ? (
            <>
              <p>
                <span className="ticket">
                  {t('room.occupantLine', {
                    ticket: occupant.ticket,
                    status: t(`queueStatus.${occupant.status}`),
                  })}
                </span>
                {occupant.patient ? <span> {occupant.patient}</span> : null}
                <ContradictionMarker shown={occupant.contradiction} />
              </p>
              <div className="actions">
                {occupant.status === 'called' ? (
                  <>
                    <ActionButton primary shortcut="Alt+E" onAction={() => start(occupantEntry)}>
                      {t('room.actions.start')}
                    </ActionButton>
                    <ActionButton onAction={() => actions.requeue(occupantEntry)}>
                      {t('room.actions.requeue')}
                    </ActionButton>
                    <ActionButton
                      onAction={() => actions.noShow(occupantEntry)}
                      confirm={{
                        title: t('room.confirmNoShow.title', { ticket: occupant.ticket }),
                        body: t('room.confirmNoShow.body', {
                          patient: occupant.patient ?? t('day.unknownPatient'),
                        }),
                        confirmLabel: t('room.confirmNoShow.confirm'),
                      }}
                    >
                      {t('room.actions.noShow')}
                    </ActionButton>
                  </>
                ) : (
                  <ActionButton onAction={() => actions.finish(occupantEntry)}>
                    {t('room.actions.finish')}
                  </ActionButton>
                )}
              </div>
              {occupant.status === 'in_consultation' ? (
                <form
                  className="inline-form"
                  aria-label={t('room.transfer.title')}
                  onSubmit={(e) => {
                    e.preventDefault();
                    const service = services.find((s) => s.id === target);
                    if (!service) {
                      transfer.fail(t('room.transfer.choose'));
                      return;
                    }
                    void transfer
                      .run(() => actions.transfer(occupantEntry, service, entries))
                      .then((done) => {
                        if (done) setTarget('');
                      });
                  }}
                >
                  <SelectField
                    label={t('room.transfer.to')}
                    value={target}
                    onChange={setTarget}
                    error={transfer.feedback?.text}
                    options={[
                      { value: '', label: t('reception.actions.chooseServiceOption') },
                      ...services
                        .filter((s) => s.id !== occupantEntry.serviceId)
                        .map((s) => ({ value: s.id, label: s.label })),
                    ]}
                  />
                  <button type="submit" className="button" disabled={transfer.pending}>
                    {t('room.transfer.submit')}
                  </button>
                </form>
              ) : null}
            </>
          ) : (
            <p>{t('room.noOccupant')}</p>
          )}
        </section>
      </div>
      {occupant?.status === 'called' && calledPatient ? (
        <section className="panel">
          <ClinicalSummary
            title={t('summary.titleFor', { patient: patientName(calledPatient) })}
            patient={calledPatient}
            viewer={me}
            staff={staffById}
            now={now}
            editable={(profile === 'room' || profile === 'coordination') && me !== undefined}
          />
        </section>
      ) : null}
      {occupant?.status === 'in_consultation' && note ? (
        <ConsultationWorkspace consultationId={note.id} />
      ) : null}
      <OpenNotes
        notes={(openNotes ?? []).filter((c) => c.id !== note?.id)}
        roomId={roomId}
        services={services}
        patients={rows.patients}
      />
      <OpenNotes
        kind="signed"
        notes={(signedNotes ?? []).filter((c) => c.id !== note?.id)}
        roomId={roomId}
        services={services}
        patients={rows.patients}
      />
      <section aria-labelledby="room-queue-title" className="stack">
        <h2 id="room-queue-title">{t('room.queueTitle')}</h2>
        <div className="actions">
          <ActionButton
            primary
            shortcut="Alt+N"
            disabledReason={next.ok ? null : next.reason}
            reasonId={
              !roomCheck.ok
                ? 'room-busy-reason'
                : model.queue.length === 0 && !next.ok && next.reason === NO_WAITING_PATIENT
                  ? 'room-queue-empty'
                  : undefined
            }
            onAction={callNext}
          >
            {t('room.actions.callNext')}
          </ActionButton>
        </div>
        {!roomCheck.ok ? (
          <p id="room-busy-reason" className="action-reason">
            {roomCheck.reason}
          </p>
        ) : null}
        {model.queue.length === 0 ? (
          // Also the reason the call button gives: said once, the button pointing to it.
          <p id="room-queue-empty">{t('room.queueEmpty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t('room.columns.ticket')}</th>
                  <th scope="col">{t('room.columns.patient')}</th>
                  <th scope="col">{t('room.columns.service')}</th>
                  <th scope="col">{t('room.columns.arrival')}</th>
                  <th scope="col">{t('room.columns.waited')}</th>
                  <th scope="col">{t('room.columns.estimate')}</th>
                  <th scope="col">{t('room.columns.flags')}</th>
                  <th scope="col">{t('room.columns.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {model.queue.map((line) => {
                  const entry = entryById.get(line.id);
                  return (
                    <tr key={line.id}>
                      <th scope="row" className="ticket">
                        {line.ticket}
                      </th>
                      <td>
                        {line.patient ?? t('day.unknownPatient')}
                        <ContradictionMarker shown={line.contradiction} />
                      </td>
                      <td>{line.service ?? t('day.unknownService')}</td>
                      <td>{line.arrivedAt ? formatTime(line.arrivedAt) : t('day.none')}</td>
                      <td className={line.waitColour ? `wait--${line.waitColour}` : undefined}>
                        {line.waitedMinutes === null
                          ? t('day.none')
                          : t('room.minutes', { minutes: line.waitedMinutes })}
                      </td>
                      <td>{estimateText(line.estimateMinutes)}</td>
                      <td>
                        <Flags line={line} />
                      </td>
                      <td className="actions">
                        {entry ? (
                          <>
                            <ActionButton
                              ariaLabel={t('room.actions.callTicket', { ticket: line.ticket })}
                              disabledReason={rowRefusal(entry)}
                              reasonId={roomCheck.ok ? undefined : 'room-busy-reason'}
                              onAction={() => actions.call(entry, entries, ctx)}
                            >
                              {t('room.actions.call')}
                            </ActionButton>
                            <ActionButton
                              ariaLabel={t('room.actions.startTicket', { ticket: line.ticket })}
                              disabledReason={rowRefusal(entry)}
                              reasonId={roomCheck.ok ? undefined : 'room-busy-reason'}
                              onAction={() => start(entry)}
                            >
                              {t('room.actions.start')}
                            </ActionButton>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function OpenNotes({
  kind = 'open',
  notes,
  roomId,
  services,
  patients,
}: {
  /** Notes still to finish, or signed notes of the day (for their documents). */
  kind?: 'open' | 'signed';
  notes: Consultation[];
  roomId: string;
  services: Service[];
  patients: readonly Patient[];
}) {
  if (notes.length === 0) return null;
  const patientOf = (id: string) => {
    const p = patients.find((x) => x.id === id);
    return p ? patientName(p) : t('day.unknownPatient');
  };
  return (
    <section className="panel stack" aria-labelledby={`${kind}-notes-title`}>
      <h2 id={`${kind}-notes-title`}>
        {t(kind === 'open' ? 'room.openNotes.title' : 'room.openNotes.signedTitle')}
      </h2>
      <ul>
        {notes.map((c) => (
          <li key={c.id}>
            <Link to={`/salle/${roomId}/consultation/${c.id}`}>
              {t('room.openNotes.line', {
                patient: patientOf(c.patientId),
                at: formatDateTime(c.createdAt),
                service: services.find((s) => s.id === c.serviceId)?.label ?? '',
                motif: c.motif,
              })}
            </Link>{' '}
            <span className="status-tag">{t(`consultation.status.${c.status}`)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
