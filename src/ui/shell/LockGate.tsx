// The lock of a shared device (DESIGN.md §2, §6): when the person at work has a PIN here, the
// screen locks after the profile's idle time, on demand, and at start-up; locked, no patient
// data is rendered. Unlocking takes a person and their PIN (quick user switch), checked offline
// against a slow hash, with a growing lockout after repeated failures.
// On a device enrolled for reception, a room or the coordination, someone must be signed in:
// a person without a PIN here first signs in online with their password (issue 8), then creates
// their PIN; nothing else opens before. Without a credential the PIN stays optional.
import { useLiveQuery } from 'dexie-react-hooks';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { AccountError, login } from '../../device/accounts';
import { getMeta, setMeta } from '../../device/db';
import { staffWithPin } from '../../device/pin';
import { staffList } from '../../device/queries';
import { createPersonPin, unlockPerson } from '../../device/session';
import { DEFAULT_IDLE_MINUTES, idleExpired, pinProblem } from '../../domain/lock';
import { useConnection, useDb } from '../data/device-data';
import { staffName } from '../day/day-data';
import { SelectField, TextField } from '../forms/fields';
import { formatTime, t, tn } from '../i18n';
import { useHydrated } from '../state/hydration';
import { type Profile, useUiStore } from '../state/ui-store';
import { isProfile } from './profiles';

let checkPeriodMs = 15_000;
/** Tests shorten the idle check. */
export function setLockCheckPeriod(ms: number): void {
  checkPeriodMs = ms;
}

const IDLE_KEY = 'idleMinutes';

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
  const lastActivity = useRef(Date.now());
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
    if (protectedNow) setLock('locked');
  }, [holders, protectedNow, setLock]);

  useEffect(() => {
    if (!db || !protectedNow || !profile) return;
    const touch = () => {
      lastActivity.current = Date.now();
    };
    const events = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const timer = setInterval(() => {
      void getMeta<number>(db, IDLE_KEY).then((own) => {
        const minutes = typeof own === 'number' ? own : DEFAULT_IDLE_MINUTES[profile];
        if (idleExpired(lastActivity.current, Date.now(), minutes)) {
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
    lastActivity.current = Date.now();
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
      );
    }
    if (!unlocked) {
      return (
        <LockScreen holders={holders} onUnlocked={onUnlocked} onNoPin={() => setSigningIn(true)} />
      );
    }
    return <>{children}</>;
  }
  if (lock === 'locked' && holders.length > 0) {
    return <LockScreen holders={holders} onUnlocked={onUnlocked} />;
  }
  if (lock === 'setup') return <PinSetup profile={profile} onDone={() => setLock('open')} />;
  return <>{children}</>;
}

function useStaffNames(ids: readonly string[]) {
  const db = useDb();
  const staff = useLiveQuery(async () => (db ? staffList(db) : []), [db]);
  return staff?.filter((s) => ids.includes(s.id));
}

function LockScreen({
  holders,
  onUnlocked,
  onNoPin,
}: {
  holders: string[];
  onUnlocked(who: string): void;
  /** On an enrolled device: a person without a PIN here goes to the sign-in. */
  onNoPin?(): void;
}) {
  const db = useDb();
  const current = useUiStore((s) => s.staffId);
  const setStaff = useUiStore((s) => s.setStaff);
  const people = useStaffNames(holders);
  const [who, setWho] = useState(
    current && holders.includes(current) ? current : (holders[0] ?? ''),
  );
  const [pin, setPinText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!people) return <p role="status">{t('app.loading')}</p>;
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    setBusy(true);
    try {
      const result = await unlockPerson(db, who, pin);
      setPinText('');
      if (result.ok && result.data === 'locked') {
        // A PIN from before this device sealed its data: the password opens it again.
        setError(t('lock.dataLocked'));
      } else if (result.ok) {
        setError(null);
        setStaff(who);
        onUnlocked(who);
      } else if (result.reason === 'locked_out') {
        setError(t('lock.lockedOut', { time: formatTime(result.until) }));
      } else if (result.reason === 'wrong') {
        setError(
          result.until > 0
            ? t('lock.lockedOut', { time: formatTime(result.until) })
            : tn('lock.wrong', result.remaining),
        );
      } else {
        setError(t('lock.noPin'));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="panel stack lock-screen"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="lock-title"
    >
      <h1 id="lock-title">{t('lock.title')}</h1>
      <p>{t('lock.intro')}</p>
      <SelectField
        label={t('lock.who')}
        value={who}
        onChange={setWho}
        options={people.map((s) => ({ value: s.id, label: staffName(s) }))}
      />
      <TextField
        label={t('lock.pin')}
        value={pin}
        onChange={setPinText}
        inputMode="numeric"
        type="password"
        autoComplete="off"
        autoFocus
      />
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('lock.unlock')}
      </button>
      {onNoPin ? (
        <button type="button" className="button" onClick={onNoPin}>
          {t('lock.noPinYet')}
        </button>
      ) : null}
    </form>
  );
}

/** Sign-in on an enrolled device: choose yourself, password checked online, then your PIN. */
function SignIn({
  profile,
  onCancel,
  onDone,
}: {
  profile: Profile | null;
  /** Absent when nobody here has a PIN yet: signing in is the only way in. */
  onCancel: (() => void) | undefined;
  onDone(who: string): void;
}) {
  const db = useDb();
  const current = useUiStore((s) => s.staffId);
  const setStaff = useUiStore((s) => s.setStaff);
  const staff = useLiveQuery(async () => (db ? staffList(db, { activeOnly: true }) : []), [db]);
  const [who, setWho] = useState(current ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [signedIn, setSignedIn] = useState<{ staffId: string; escrow: string } | null>(null);

  if (!staff) return <p role="status">{t('app.loading')}</p>;
  const chosen = staff.some((s) => s.id === who) ? who : '';
  if (signedIn) {
    const person = staff.find((s) => s.id === signedIn.staffId);
    return (
      <PinForm
        staffId={signedIn.staffId}
        escrow={signedIn.escrow}
        profile={profile}
        intro={person ? t('lock.signedIn', { name: staffName(person) }) : t('lock.setupIntro')}
        onSaved={() => {
          setStaff(signedIn.staffId);
          onDone(signedIn.staffId);
        }}
        onCancel={onCancel}
      />
    );
  }
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    if (!chosen) {
      setError(t('lock.chooseYourself'));
      return;
    }
    if (!password) {
      setError(t('lock.missingPassword'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await login(db, chosen, password);
      setPassword('');
      setSignedIn({ staffId: chosen, escrow: result.escrow });
    } catch (e) {
      setError(e instanceof AccountError ? e.message : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="panel stack lock-screen"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="sign-in-title"
      noValidate
    >
      <h1 id="sign-in-title">{t('lock.signInTitle')}</h1>
      <p>{t('lock.signInIntro')}</p>
      {staff.length === 0 ? (
        <p role="status" className="notice notice--warning">
          {t('lock.noStaff')}
        </p>
      ) : (
        <>
          <SelectField
            label={t('lock.who')}
            value={chosen}
            onChange={setWho}
            options={[
              { value: '', label: t('room.chooseMe') },
              ...staff.map((s) => ({ value: s.id, label: staffName(s) })),
            ]}
            required
          />
          <TextField
            label={t('lock.password')}
            value={password}
            onChange={setPassword}
            type="password"
            autoComplete="current-password"
            required
          />
        </>
      )}
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
      <p className="muted">{t('lock.noPassword')}</p>
      <div className="actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || staff.length === 0}
        >
          {busy ? t('lock.signingIn') : t('lock.signIn')}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            {t('lock.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The PIN of the person at work on a device without enrolment (optional there). */
function PinSetup({ profile, onDone }: { profile: Profile | null; onDone(): void }) {
  const staffId = useUiStore((s) => s.staffId);
  if (!staffId) {
    return (
      <div className="panel stack">
        <p role="alert">{t('lock.chooseFirst')}</p>
        <button type="button" className="button" onClick={onDone}>
          {t('lock.back')}
        </button>
      </div>
    );
  }
  return (
    <PinForm
      staffId={staffId}
      escrow={null}
      profile={profile}
      intro={t('lock.setupIntro')}
      onSaved={onDone}
      onCancel={onDone}
    />
  );
}

/** A new PIN (with its confirmation) and the device's idle minutes. */
function PinForm({
  staffId,
  escrow,
  profile,
  intro,
  onSaved,
  onCancel,
}: {
  staffId: string;
  /** What the sign-in gave for this person (null without sign-in). */
  escrow: string | null;
  profile: Profile | null;
  intro: string;
  onSaved(): void;
  onCancel: (() => void) | undefined;
}) {
  const db = useDb();
  const [pin, setPinText] = useState('');
  const [confirm, setConfirm] = useState('');
  const [idle, setIdle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!db) return;
    void getMeta<number>(db, IDLE_KEY).then((own) =>
      setIdle(String(typeof own === 'number' ? own : DEFAULT_IDLE_MINUTES[profile ?? 'reception'])),
    );
  }, [db, profile]);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    const problem = pinProblem(pin, confirm);
    if (problem) {
      setError(t(`lock.problems.${problem}`));
      return;
    }
    const minutes = Number(idle);
    if (!/^\d{1,3}$/.test(idle.trim()) || minutes > 240) {
      setError(t('lock.badIdle'));
      return;
    }
    setBusy(true);
    try {
      await createPersonPin(db, staffId, pin, escrow);
      await setMeta(db, IDLE_KEY, minutes);
    } catch (e) {
      setError((e as Error).message);
      return;
    } finally {
      setBusy(false);
    }
    setError(null);
    onSaved();
  };
  return (
    <form
      className="panel stack lock-screen"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="pin-title"
    >
      <h1 id="pin-title">{t('lock.setupTitle')}</h1>
      <p>{intro}</p>
      <TextField
        label={t('lock.newPin')}
        value={pin}
        onChange={setPinText}
        inputMode="numeric"
        type="password"
        autoComplete="off"
        autoFocus
      />
      <TextField
        label={t('lock.confirmPin')}
        value={confirm}
        onChange={setConfirm}
        inputMode="numeric"
        type="password"
        autoComplete="off"
      />
      <TextField
        label={t('lock.idle')}
        value={idle}
        onChange={setIdle}
        inputMode="numeric"
        hint={t('lock.idleHint')}
      />
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('lock.savePin')}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            {t('lock.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
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
