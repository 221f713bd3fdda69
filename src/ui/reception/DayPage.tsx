// Opening the day (docs/design.md §2): today's stop, the sync status, and the room roster per session
// — which service and which staff in each room — changeable in the middle of the day. A change
// is checked by the domain's roster rules; bookings it no longer serves are flagged.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { misfitAppointments } from '../../domain/booking';
import type { RosterSlot, Service, Staff } from '../../domain/entities';
import { rosterErrors, type Session, sessionRange, slotsInSession } from '../../domain/roster';
import { type DayRows, useSyncStatus } from '../data/device-data';
import { useWriter } from '../data/writer';
import {
  byId,
  type DayData,
  live,
  serviceLabels,
  sortedRooms,
  staffName,
  staffNames,
} from '../day/day-data';
import { StopSummary } from '../day/StopSummary';
import { CheckboxField, FieldGroup, TextField } from '../forms/fields';
import { formatDateTime, t, tn } from '../i18n';
import { SyncIndicatorView } from '../shell/SyncIndicator';

const SESSIONS: Session[] = ['morning', 'afternoon'];

interface Draft {
  id: string;
  roomId: string;
  start: string;
  end: string;
  serviceIds: string[];
  staffIds: string[];
  isNew: boolean;
}

export function DayPage({
  rows,
  withSync = true,
}: {
  rows: DayRows;
  deviceId: string | null;
  /** The day's sync status (reception's day); the planning of a later stop goes without. */
  withSync?: boolean;
}) {
  const { day } = rows;
  const status = useSyncStatus();
  const [draft, setDraft] = useState<Draft | null>(null);
  const stop = day.stop;
  const slots = useMemo(() => live(day.slots).filter((s) => s.stopId === stop?.id), [day, stop]);
  const services = useMemo(() => byId(live(day.services)), [day.services]);
  const staff = useMemo(() => byId(live(day.staff)), [day.staff]);
  const misfits = useMemo(
    () =>
      misfitAppointments(
        live(day.appointments).filter((a) => a.stopId === stop?.id),
        slots,
        live(day.services),
      ),
    [day.appointments, slots, day.services, stop],
  );
  return (
    <div className="stack">
      <StopSummary stop={stop} />
      {withSync ? (
        <section className="panel" aria-labelledby="day-sync-title">
          <h2 id="day-sync-title">{t('reception.day.syncTitle')}</h2>
          <SyncIndicatorView status={status} />
          {status?.lastSuccessAt ? (
            <p className="muted">
              {t('reception.day.lastSync', { at: formatDateTime(status.lastSuccessAt) })}
            </p>
          ) : null}
          {status?.server ? (
            <p className="muted">{t('reception.day.server', { server: status.server })}</p>
          ) : null}
        </section>
      ) : null}
      {misfits.length > 0 ? (
        <div className="notice notice--warning" role="status">
          <p>{tn('reception.day.misfits', misfits.length)}</p>
          <ul>
            {misfits.map((m) => (
              <li key={m.appointment.id}>{m.reason}</li>
            ))}
          </ul>
          <Link to="/accueil/rendez-vous">{t('reception.day.seeAppointments')}</Link>
        </div>
      ) : null}
      {stop ? (
        <section aria-labelledby="roster-title" className="stack">
          <h2 id="roster-title">{t('reception.rosterTitle')}</h2>
          <div className="table-scroll">
            <table className="data-table roster">
              <thead>
                <tr>
                  <th scope="col">{t('reception.columns.room')}</th>
                  {SESSIONS.map((s) => (
                    <th key={s} scope="col">
                      {t(`reception.day.session.${s}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sortedRooms(day.rooms).map((room) => (
                  <tr key={room.id}>
                    <th scope="row">{room.name}</th>
                    {SESSIONS.map((session) => {
                      const inSession = slotsInSession(
                        slots.filter((s) => s.roomId === room.id),
                        session,
                      ).sort((a, b) => a.start.localeCompare(b.start));
                      const range = sessionRange(stop, session);
                      return (
                        <td key={session}>
                          <ul className="slot-list">
                            {inSession.map((s) => (
                              <li key={s.id}>
                                <span>
                                  {t('reception.slotLine', {
                                    start: s.start,
                                    end: s.end,
                                    services:
                                      serviceLabels(s.serviceIds, services).join(', ') ||
                                      t('day.none'),
                                  })}
                                </span>
                                {s.staffIds.length > 0 ? (
                                  <span className="muted">
                                    {' '}
                                    {t('reception.slotStaff', {
                                      staff: staffNames(s.staffIds, staff).join(', '),
                                    })}
                                  </span>
                                ) : null}{' '}
                                <button
                                  type="button"
                                  className="button"
                                  aria-label={t('reception.day.editSlot', {
                                    room: room.name,
                                    start: s.start,
                                    end: s.end,
                                  })}
                                  onClick={() => setDraft({ ...pick(s), isNew: false })}
                                >
                                  {t('reception.day.edit')}
                                </button>
                              </li>
                            ))}
                          </ul>
                          {inSession.length === 0 ? (
                            <p className="muted">{t('reception.rosterEmpty')}</p>
                          ) : null}
                          {range ? (
                            <button
                              type="button"
                              className="button"
                              aria-label={t('reception.day.addSlotIn', {
                                room: room.name,
                                session: t(`reception.day.session.${session}`),
                              })}
                              onClick={() =>
                                setDraft({
                                  // Its id is given when it is saved (the writer's stamp).
                                  id: '',
                                  roomId: room.id,
                                  start: range.start,
                                  end: range.end,
                                  serviceIds: [],
                                  staffIds: [],
                                  isNew: true,
                                })
                              }
                            >
                              {t('reception.day.addSlot')}
                            </button>
                          ) : null}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {draft ? (
            <SlotEditor
              key={draft.id || 'new'}
              draft={draft}
              day={day}
              slots={slots}
              onClose={() => setDraft(null)}
            />
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

const pick = (s: RosterSlot) => ({
  id: s.id,
  roomId: s.roomId,
  start: s.start,
  end: s.end,
  serviceIds: [...s.serviceIds],
  staffIds: [...s.staffIds],
});

function SlotEditor({
  draft: initial,
  day,
  slots,
  onClose,
}: {
  draft: Draft;
  day: DayData;
  slots: RosterSlot[];
  onClose(): void;
}) {
  const write = useWriter();
  const [draft, setDraft] = useState(initial);
  const title = useRef<HTMLHeadingElement>(null);
  // The editor opens below the roster: bring it (and keyboard focus) to the user.
  useEffect(() => {
    title.current?.focus();
    title.current?.scrollIntoView?.({ block: 'start' });
  }, []);
  const [errors, setErrors] = useState<string[]>([]);
  const stop = day.stop!;
  const room = live(day.rooms).find((r) => r.id === draft.roomId);
  const services: Service[] = live(day.services)
    .filter((s) => !room || s.roomKinds.includes(room.kind))
    .sort((a, b) => a.label.localeCompare(b.label, 'fr'));
  const staff: Staff[] = live(day.staff).filter((s) => s.active);
  const toggle = (key: 'serviceIds' | 'staffIds', id: string, on: boolean) =>
    setDraft((d) => ({
      ...d,
      [key]: on ? [...d[key], id] : d[key].filter((x) => x !== id),
    }));

  const save = async () => {
    const row: RosterSlot = {
      id: draft.id,
      orgId: stop.orgId,
      stopId: stop.id,
      roomId: draft.roomId,
      start: draft.start,
      end: draft.end,
      serviceIds: draft.serviceIds,
      staffIds: draft.staffIds,
    };
    const all = [...slots.filter((s) => s.id !== row.id), row];
    const found = rosterErrors(all, day.rooms, day.services, [stop])
      .filter((e) => e.slotId === row.id || e.otherSlotId === row.id)
      .map((e) => e.message);
    if (draft.serviceIds.length === 0) found.push(t('reception.day.noService'));
    setErrors(found);
    if (found.length > 0) return;
    const { id: given, ...fields } = row;
    try {
      await write(({ newId }) => {
        const id = initial.isNew ? newId() : given;
        return {
          changes: [{ entity: 'rosterSlot', id, set: fields }],
          audit: {
            action: initial.isNew ? 'roster.slot_added' : 'roster.slot_changed',
            entity: 'rosterSlot',
            entityId: id,
            detail: `${room?.name ?? row.roomId} ${row.start}–${row.end}`,
          },
        };
      });
      onClose();
    } catch (e) {
      setErrors([e instanceof Error ? e.message : String(e)]);
    }
  };

  const remove = async () => {
    try {
      await write([{ entity: 'rosterSlot', id: draft.id, delete: true }], {
        action: 'roster.slot_removed',
        entity: 'rosterSlot',
        entityId: draft.id,
        detail: `${room?.name ?? draft.roomId} ${draft.start}–${draft.end}`,
      });
      onClose();
    } catch (e) {
      setErrors([e instanceof Error ? e.message : String(e)]);
    }
  };

  return (
    <form
      className="panel stack"
      aria-labelledby="slot-editor-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id="slot-editor-title" ref={title} tabIndex={-1}>
        {t(initial.isNew ? 'reception.day.newSlotTitle' : 'reception.day.editSlotTitle', {
          room: room?.name ?? '',
        })}
      </h3>
      {errors.length > 0 ? (
        <ul className="notice notice--error" role="alert">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <div className="form-grid">
        <TextField
          type="time"
          label={t('reception.day.start')}
          value={draft.start}
          onChange={(start) => setDraft({ ...draft, start })}
        />
        <TextField
          type="time"
          label={t('reception.day.end')}
          value={draft.end}
          onChange={(end) => setDraft({ ...draft, end })}
        />
      </div>
      <FieldGroup legend={t('reception.day.services')}>
        <ul className="choice-grid">
          {services.map((s) => (
            <li key={s.id}>
              <CheckboxField
                label={s.label}
                checked={draft.serviceIds.includes(s.id)}
                onChange={(on) => toggle('serviceIds', s.id, on)}
              />
            </li>
          ))}
        </ul>
      </FieldGroup>
      <FieldGroup legend={t('reception.day.staff')}>
        <ul className="choice-grid">
          {staff.map((s) => (
            <li key={s.id}>
              <CheckboxField
                label={staffName(s)}
                checked={draft.staffIds.includes(s.id)}
                onChange={(on) => toggle('staffIds', s.id, on)}
              />
            </li>
          ))}
        </ul>
      </FieldGroup>
      <div className="actions">
        <button type="submit" className="button button--primary">
          {t('reception.day.save')}
        </button>
        {initial.isNew ? null : (
          <button type="button" className="button" onClick={() => void remove()}>
            {t('reception.day.remove')}
          </button>
        )}
        <button type="button" className="button" onClick={onClose}>
          {t('reception.day.cancel')}
        </button>
      </div>
    </form>
  );
}
