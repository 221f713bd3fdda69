import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { todayOf, useDay, useNow, useSyncStatus } from '../data/device-data';
import { CheckboxField } from '../forms/fields';
import { t } from '../i18n';
import { Loading, NoDatabase } from '../shell/Loading';
import { SyncIndicatorView } from '../shell/SyncIndicator';
import { type DisplaySound, useUiStore } from '../state/ui-store';
import { type Announcer, makeAnnouncer, pageActivated } from './announcer';
import { callKey, newCalls, PAGE_SECONDS, spokenTicket, type Viewport } from './board';
import { DisplayView } from './DisplayView';
import { type CalledTicket, type DisplayModel, displayModel } from './display-model';

const readViewport = (): Viewport => ({ width: window.innerWidth, height: window.innerHeight });

function useViewport(): Viewport {
  const [viewport, setViewport] = useState(readViewport);
  useEffect(() => {
    const onResize = () => setViewport(readViewport());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return viewport;
}

/** Pages of waiting tickets turn every PAGE_SECONDS. */
function useTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), PAGE_SECONDS * 1000);
    return () => clearInterval(timer);
  }, []);
  return tick;
}

function spokenText(c: Pick<CalledTicket, 'ticket' | 'roomName'>): string {
  const ticket = spokenTicket(c.ticket);
  return c.roomName
    ? t('display.spokenCall', { ticket, room: c.roomName })
    : t('display.spokenCallNoRoom', { ticket });
}

async function announce(announcer: Announcer, sound: DisplaySound, text: string): Promise<void> {
  if (sound.chime) await announcer.chime();
  if (sound.speech) announcer.speak(text);
}

/**
 * Rings and reads out each new call once. Calls already showing when the screen opens are not
 * announced again (a reload must not call everyone out a second time).
 */
function useAnnouncements(model: DisplayModel | null, sound: DisplaySound, announcer: Announcer) {
  const announced = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!model) return;
    if (announced.current === null) {
      announced.current = new Set(model.called.map(callKey));
      return;
    }
    const fresh = newCalls(announced.current, model.called);
    for (const c of fresh) announced.current.add(callKey(c));
    if (!sound.chime && !sound.speech) return;
    // One after the other: the speech queue keeps order, the chimes are awaited in turn.
    void fresh.reduce<Promise<void>>(
      (previous, c) => previous.then(() => announce(announcer, sound, spokenText(c))),
      Promise.resolve(),
    );
  }, [model, sound, announcer]);
}

/** Browsers hold sound back until the page is touched: say so while it is. */
function useActivated(): boolean {
  const [activated, setActivated] = useState(pageActivated);
  useEffect(() => {
    if (activated) return;
    const onGesture = () => setActivated(true);
    window.addEventListener('pointerdown', onGesture);
    window.addEventListener('keydown', onGesture);
    return () => {
      window.removeEventListener('pointerdown', onGesture);
      window.removeEventListener('keydown', onGesture);
    };
  }, [activated]);
  return activated;
}

function DisplaySettings({
  sound,
  announcer,
  onClose,
}: {
  sound: DisplaySound;
  announcer: Announcer;
  onClose(): void;
}) {
  const setSound = useUiStore((s) => s.setDisplaySound);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.querySelector('input')?.focus();
  }, []);
  return (
    <section
      ref={panel}
      role="dialog"
      aria-labelledby="display-settings-title"
      className="display__settings stack"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <h2 id="display-settings-title">{t('display.settings.title')}</h2>
      <p>{t('display.settings.intro')}</p>
      <CheckboxField
        label={t('display.settings.chime')}
        checked={sound.chime}
        onChange={(chime) => setSound({ chime })}
      />
      <CheckboxField
        label={t('display.settings.speech')}
        checked={sound.speech}
        onChange={(speech) => setSound({ speech })}
        hint={announcer.canSpeak ? undefined : t('display.settings.speechUnavailable')}
      />
      <p className="muted">{t('display.settings.autoplayHint')}</p>
      <div className="display__settings-actions">
        <button
          type="button"
          className="button"
          disabled={!sound.chime && !sound.speech}
          onClick={() => void announce(announcer, sound, t('display.settings.testCall'))}
        >
          {t('display.settings.test')}
        </button>
        <Link className="button" to="/appareil">
          {t('display.settings.deviceHealth')}
        </Link>
        <button type="button" className="button button--primary" onClick={onClose}>
          {t('display.settings.close')}
        </button>
      </div>
    </section>
  );
}

export default function DisplayScreen() {
  const now = useNow(15_000);
  const rows = useDay(todayOf(now));
  const viewport = useViewport();
  const tick = useTick();
  const sync = useSyncStatus();
  const sound = useUiStore((s) => s.displaySound);
  const announcer = useMemo(() => makeAnnouncer(), []);
  const activated = useActivated();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);

  // Patients are deliberately not passed: the waiting-room screen shows tickets, never names.
  const model = useMemo(() => {
    if (!rows) return null;
    const { stop, entries, services, rooms, visits } = rows.day;
    return displayModel({ stopId: stop?.id ?? null, entries, services, rooms, visits });
  }, [rows]);
  useAnnouncements(model, sound, announcer);

  if (rows === undefined) return <Loading />;
  if (rows === null || model === null) return <NoDatabase />;
  const soundOn = sound.chime || sound.speech;
  const close = () => {
    setSettingsOpen(false);
    settingsButton.current?.focus();
  };
  return (
    <>
      <DisplayView
        model={model}
        viewport={viewport}
        tick={tick}
        now={now}
        footer={
          <>
            <SyncIndicatorView status={sync} />
            {soundOn && !activated ? (
              <p className="display__sound-blocked" role="status">
                {t('display.soundBlocked')}
              </p>
            ) : null}
            <button
              ref={settingsButton}
              type="button"
              className="display__settings-button"
              aria-expanded={settingsOpen}
              onClick={() => setSettingsOpen((open) => !open)}
            >
              {t('display.settings.open')}
            </button>
          </>
        }
      />
      {settingsOpen ? (
        <DisplaySettings sound={sound} announcer={announcer} onClose={close} />
      ) : null}
    </>
  );
}
