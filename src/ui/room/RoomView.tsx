// A consultation room, read-only for now: its slot now, who is in the room, its queue.
import { formatTime, t } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import type { RoomModel, RoomQueueLine } from './room-model';

function Flags({ line }: { line: RoomQueueLine }) {
  const flags = [
    line.urgent ? t('room.flags.urgent') : null,
    line.noMt ? t('room.flags.noMt') : null,
    line.ald ? t('room.flags.ald') : null,
    line.comingFrom ? t('room.flags.comingFrom', { room: line.comingFrom }) : null,
  ].filter((f): f is string => f !== null);
  return flags.length ? flags.join(', ') : t('day.none');
}

export function RoomView({ model }: { model: RoomModel }) {
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
  const { slotNow, occupant } = model;
  return (
    <div className="stack">
      <PageTitle page={model.roomName} />
      <h1>{t('room.title', { room: model.roomName })}</h1>
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
        <section className="panel" aria-labelledby="occupant-title">
          <h2 id="occupant-title">{t('room.occupantTitle')}</h2>
          {occupant ? (
            <p>
              <span className="ticket">
                {t('room.occupantLine', {
                  ticket: occupant.ticket,
                  status: t(`queueStatus.${occupant.status}`),
                })}
              </span>
              {occupant.patient ? <span> {occupant.patient}</span> : null}
            </p>
          ) : (
            <p>{t('room.noOccupant')}</p>
          )}
        </section>
      </div>
      <section aria-labelledby="room-queue-title">
        <h2 id="room-queue-title">{t('room.queueTitle')}</h2>
        {model.queue.length === 0 ? (
          <p>{t('room.queueEmpty')}</p>
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
                </tr>
              </thead>
              <tbody>
                {model.queue.map((line) => (
                  <tr key={line.id}>
                    <th scope="row" className="ticket">
                      {line.ticket}
                    </th>
                    <td>{line.patient ?? t('day.unknownPatient')}</td>
                    <td>{line.service ?? t('day.unknownService')}</td>
                    <td>{line.arrivedAt ? formatTime(line.arrivedAt) : t('day.none')}</td>
                    <td className={line.waitColour ? `wait--${line.waitColour}` : undefined}>
                      {line.waitedMinutes === null
                        ? t('day.none')
                        : t('room.minutes', { minutes: line.waitedMinutes })}
                    </td>
                    <td>
                      {line.estimateMinutes === null
                        ? t('day.none')
                        : t('room.estimateMinutes', { minutes: line.estimateMinutes })}
                    </td>
                    <td>
                      <Flags line={line} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
