// The waiting-room screen: one screen that nobody scrolls, readable across the room, tickets
// only, never names. The latest call fills the top; the waiting tickets sit in one column per
// service, a page at a time (board.ts decides what fits).
import type { CSSProperties, ReactNode } from 'react';
import { formatTime, t, tn } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import { board, callKey, type Viewport } from './board';
import type { CalledTicket, DisplayModel } from './display-model';

function callText(c: CalledTicket): string {
  return c.roomName
    ? t('display.calledLine', { ticket: c.ticket, room: c.roomName })
    : t('display.calledNoRoom', { ticket: c.ticket });
}

export function DisplayView({
  model,
  viewport,
  tick = 0,
  now,
  footer,
}: {
  model: DisplayModel;
  viewport: Viewport;
  /** Pages turned so far (DisplayScreen counts them). */
  tick?: number;
  /** The wall clock, shown in the corner. */
  now: string;
  /** The screen's own bar: sync state and settings. */
  footer?: ReactNode;
}) {
  const shown = board(model, viewport, tick);
  const { grid } = shown;
  const style = {
    '--per-row': grid.perRow,
    '--rows': grid.rows,
    '--ticket-font': `${grid.fontPx}px`,
    '--ticket-row': `${grid.rowPx}px`,
    '--columns': Math.max(1, shown.columns.length),
  } as CSSProperties;
  return (
    <div className="display" style={style}>
      <PageTitle page={t('display.title')} />
      <div className="display__top">
        <h1>{t('display.title')}</h1>
        <p className="display__clock">
          <span className="visually-hidden">{t('display.clock', { time: formatTime(now) })}</span>
          <span aria-hidden="true">{formatTime(now)}</span>
        </p>
      </div>
      <section className="display__calls" aria-labelledby="called-title">
        <h2 id="called-title" className="visually-hidden">
          {t('display.calledTitle')}
        </h2>
        {/* Announced politely: a new call is read out by screen readers. */}
        <div aria-live="polite" className="display__calls-body">
          {shown.latest === null ? (
            <p className="display__none">{t('display.nobodyCalled')}</p>
          ) : (
            <>
              {/* Keyed by the call: a new call mounts anew and its highlight animates again. */}
              <p className="display__latest" key={callKey(shown.latest)}>
                {callText(shown.latest)}
              </p>
              {shown.earlier.length > 0 ? (
                <ul className="display__earlier" aria-label={t('display.earlierCalls')}>
                  {shown.earlier.map((c) => (
                    <li key={callKey(c)}>{callText(c)}</li>
                  ))}
                </ul>
              ) : null}
            </>
          )}
        </div>
      </section>
      <section className="display__waiting" aria-labelledby="waiting-title">
        <h2 id="waiting-title">{t('display.waitingTitle')}</h2>
        {shown.columns.length === 0 ? (
          <p className="display__none">{t('display.nobodyWaiting')}</p>
        ) : (
          <div className="display__services">
            {shown.columns.map((s) => (
              <section
                key={s.serviceId}
                className="display__service"
                aria-labelledby={`service-${s.serviceId}`}
              >
                <h3 id={`service-${s.serviceId}`}>{s.label}</h3>
                <p className="display__meta">
                  {tn('display.serviceTickets', s.total)}
                  {s.pages > 1 ? (
                    <span className="display__page">
                      {t('display.page', { page: s.page, pages: s.pages })}
                    </span>
                  ) : null}
                </p>
                <ul className="display__tickets">
                  {s.tickets.map((ticket) => (
                    <li key={ticket} className="ticket">
                      {ticket}
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
      </section>
      {footer ? <div className="display__footer">{footer}</div> : null}
    </div>
  );
}
