// The lock of a shared device (docs/design.md §2, §6): when the person at work has a PIN here, the
// screen locks after the profile's idle time, on demand, and at start-up; locked, no patient
// data is rendered. Unlocking takes a person and their PIN (quick user switch), checked offline
// against a slow hash, with a growing lockout after repeated failures.
// On a device enrolled for reception, a room or the coordination, someone must be signed in:
// a person without a PIN here first signs in online with their password (issue 8), then creates
// their PIN; nothing else opens before. Without a credential the PIN stays optional.
import { useLiveQuery } from 'dexie-react-hooks';
import { lazy, type ReactNode, useEffect, useRef, useState } from 'react';
import { getMeta, META } from '../../device/db';
import { staffWithPin } from '../../device/pin';
import { wallClock } from '../../device/stamp';
import { DEFAULT_IDLE_MINUTES, idleExpired } from '../../domain/lock';
import { useConnection, useDb } from '../data/device-data';
import { t } from '../i18n';
import { useHydrated } from '../state/hydration';
import { type Profile, useUiStore } from '../state/ui-store';
import { OnDemand } from './OnDemand';
import { isProfile } from './profiles';

// The lock's screens are needed only when the device is locked or someone signs in. Each suspends
// in a boundary of its own (OnDemand, keyed by which screen), never in one around the gate and the
// screen beneath: Preact parks what is mounted in a boundary that suspends and holds back what the
// gate renders next (the screen beneath, on an exempt route) until that module has loaded
// (tests/ui/lock-boundary.test.tsx). So the gate itself never suspends nor mounts again.
const LockScreen = lazy(() => import('./LockScreens').then((m) => ({ default: m.LockScreen })));
const SignIn = lazy(() => import('./LockScreens').then((m) => ({ default: m.SignIn })));
const PinSetup = lazy(() => import('./LockScreens').then((m) => ({ default: m.PinSetup })));

let checkPeriodMs = 15_000;

/** Databases whose start-up lock was decided: once per opened database, i.e. per start of the
 * app, even if the gate mounts again (Preact, decision 0032, mounts a subtree that suspended on a
 * lazy screen afresh, where React kept it: a ref alone would lock again right after sign-in). */
const startLockDecided = new WeakSet<object>();
/** Tests shorten the idle check. */
export function setLockCheckPeriod(ms: number): void {
  checkPeriodMs = ms;
}

function usePinHolders(): string[] | undefined {
  const db = useDb();
  return useLiveQuery(async () => (db ? staffWithPin(db) : []), [db]);
}

/** Profiles of enrolled devices where someone must be signed in (the display shows no names). */
const SIGN_IN_PROFILES: readonly string[] = ['reception', 'room', 'coordination'];

/**
 * The profile of this device's credential and whether it requires a signed-in person
 * (undefined while the connection is read).
 */
function useEnrolment(): { profile: Profile | null; signIn: boolean } | undefined {
  const connection = useConnection();
  if (connection === undefined) return undefined;
  const own = connection?.credential?.profile;
  return {
    profile: isProfile(own) ? own : null,
    signIn: !!own && SIGN_IN_PROFILES.includes(own),
  };
}

export function LockGate(props: {
  children: ReactNode;
  /** A screen without patient data (device health): never locked, so sync can be checked. */
  exempt?: boolean;
}) {
  // The person at work is kept in the persisted UI state, which loads after the first render:
  // the gate starts once it has (else its arrival would look like a change of person, and the
  // start-up lock would be decided without knowing who works here).
  const hydrated = useHydrated(useUiStore);
  if (!hydrated) return <p role="status">{t('app.loading')}</p>;
  return <Gate {...props} />;
}

function Gate({ children, exempt = false }: { children: ReactNode; exempt?: boolean }) {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const enrolment = useEnrolment();
  const profile = useUiStore((s) => s.profile) ?? enrolment?.profile ?? null;
  const lock = useUiStore((s) => s.lock);
  const setLock = useUiStore((s) => s.setLock);
  const holders = usePinHolders();
  const protectedNow = !!staffId && !!holders?.includes(staffId);
  const lastActivity = useRef(wallClock.ms());
  const startChecked = useRef(false);
  /** The person chose « no PIN yet » on the lock screen, or is between password and PIN. */
  const [signingIn, setSigningIn] = useState(false);
  const unlocked = lock === 'open' && protectedNow;
  /** The person who last unlocked or signed in here: on an enrolled device, nobody else works. */
  const verified = useRef(staffId);

  // On an enrolled device, choosing another person (« Qui travaille ici ? ») locks the screen
  // until that person unlocks it with their PIN (or signs in).
  const signIn = enrolment?.signIn;
  useEffect(() => {
    if (staffId === verified.current) return;
    verified.current = staffId;
    if (signIn && staffId !== null) useUiStore.getState().setLock('locked');
  }, [staffId, signIn]);

  // The sign-in ends once its new PIN is on the device (so the lock screen never flashes).
  useEffect(() => {
    if (signingIn && unlocked) setSigningIn(false);
  }, [signingIn, unlocked]);

  // At start-up, a device whose person at work has a PIN opens locked.
  useEffect(() => {
    if (holders === undefined || startChecked.current) return;
    startChecked.current = true;
    if (db) {
      if (startLockDecided.has(db)) return;
      startLockDecided.add(db);
    }
    if (protectedNow) setLock('locked');
  }, [db, holders, protectedNow, setLock]);

  useEffect(() => {
    if (!db || !protectedNow || !profile) return;
    const touch = () => {
      lastActivity.current = wallClock.ms();
    };
    const events = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const timer = setInterval(() => {
      void getMeta<number>(db, META.idleMinutes).then((own) => {
        const minutes = typeof own === 'number' ? own : DEFAULT_IDLE_MINUTES[profile];
        if (idleExpired(lastActivity.current, wallClock.ms(), minutes)) {
          useUiStore.getState().setLock('locked');
        }
      });
    }, checkPeriodMs);
    return () => {
      for (const e of events) window.removeEventListener(e, touch);
      clearInterval(timer);
    };
  }, [db, protectedNow, profile]);

  const onUnlocked = (who: string) => {
    verified.current = who;
    lastActivity.current = wallClock.ms();
    setLock('open');
  };
  if (exempt) return <>{children}</>;
  if (enrolment === undefined || holders === undefined) {
    return <p role="status">{t('app.loading')}</p>;
  }
  if (enrolment.signIn) {
    // Open only for a person holding a PIN here who unlocked it.
    if (signingIn || lock === 'setup' || holders.length === 0) {
      return (
        <OnDemand key="sign-in">
          <SignIn
            profile={profile}
            onCancel={
              holders.length > 0
                ? () => {
                    setSigningIn(false);
                    setLock(protectedNow && lock === 'setup' ? 'open' : 'locked');
                  }
                : undefined
            }
            onDone={(who) => {
              setSigningIn(true);
              onUnlocked(who);
            }}
          />
        </OnDemand>
      );
    }
    if (!unlocked) {
      return (
        <OnDemand key="lock">
          <LockScreen
            holders={holders}
            onUnlocked={onUnlocked}
            onNoPin={() => setSigningIn(true)}
          />
        </OnDemand>
      );
    }
    return <>{children}</>;
  }
  if (lock === 'locked' && holders.length > 0) {
    return (
      <OnDemand key="lock">
        <LockScreen holders={holders} onUnlocked={onUnlocked} />
      </OnDemand>
    );
  }
  if (lock === 'setup') {
    return (
      <OnDemand key="setup">
        <PinSetup profile={profile} onDone={() => setLock('open')} />
      </OnDemand>
    );
  }
  return <>{children}</>;
}

/** Header control: lock now (or set a PIN first), and switch person. */
export function LockButton() {
  const staffId = useUiStore((s) => s.staffId);
  const setLock = useUiStore((s) => s.setLock);
  const holders = usePinHolders();
  if (!staffId) return null;
  const has = holders?.includes(staffId);
  return (
    <button
      type="button"
      className="button button--header"
      onClick={() => setLock(has ? 'locked' : 'setup')}
    >
      {has ? t('lock.lockNow') : t('lock.setup')}
    </button>
  );
}
