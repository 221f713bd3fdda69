// The waiting-room screen: very large type, tickets only, never names.
import { t, tn } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import type { DisplayModel } from './display-model';

export function DisplayView({ model }: { model: DisplayModel }) {
  return (
    <div className="display">
      <PageTitle page={t('display.title')} />
      <h1 className="visually-hidden">{t('display.title')}</h1>
      <section aria-labelledby="called-title">
        <h2 id="called-title">{t('display.calledTitle')}</h2>
        {/* Announced politely: a new call is read out by screen readers. */}
        <div aria-live="polite">
          {model.called.length === 0 ? (
            <p>{t('display.nobodyCalled')}</p>
          ) : (
            <ul className="display__called">
              {model.called.map((c) => (
                <li key={c.ticket}>
                  {c.roomName
                    ? t('display.calledLine', { ticket: c.ticket, room: c.roomName })
                    : t('display.calledNoRoom', { ticket: c.ticket })}
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>
      <section aria-labelledby="waiting-title">
        <h2 id="waiting-title">{t('display.waitingTitle')}</h2>
        {model.waiting.length === 0 ? (
          <p>{t('display.nobodyWaiting')}</p>
        ) : (
          <div className="display__services">
            {model.waiting.map((s) => (
              <section
                key={s.serviceId}
                className="display__service"
                aria-labelledby={`service-${s.serviceId}`}
              >
                <h3 id={`service-${s.serviceId}`}>{s.label}</h3>
                <p className="visually-hidden">{tn('display.serviceTickets', s.tickets.length)}</p>
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
    </div>
  );
}
