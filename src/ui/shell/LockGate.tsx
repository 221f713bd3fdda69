// The lock of a shared device (DESIGN.md §2, §6): when the person at work has a PIN here, the
// screen locks after the profile's idle time, on demand, and at start-up; locked, no patient
// data is rendered. Unlocking takes a person and their PIN (quick user switch), checked offline
// against a slow hash, with a growing lockout after repeated failures.
import { useLiveQuery } from 'dexie-react-hooks';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { getMeta, setMeta } from '../../device/db';
import { setPin, staffWithPin, unlock } from '../../device/pin';
import { staffList } from '../../device/queries';
import { DEFAULT_IDLE_MINUTES, idleExpired, pinProblem } from '../../domain/lock';
import { useDb } from '../data/device-data';
import { staffName } from '../day/day-data';
import { SelectField, TextField } from '../forms/fields';
import { formatTime, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';

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

export function LockGate({ children }: { children: ReactNode }) {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  const lock = useUiStore((s) => s.lock);
  const setLock = useUiStore((s) => s.setLock);
  const holders = usePinHolders();
  const protectedNow = !!staffId && !!holders?.includes(staffId);
  const lastActivity = useRef(Date.now());
  const startChecked = useRef(false);

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

  if (lock === 'locked' && holders && holders.length > 0) {
    return (
      <LockScreen
        holders={holders}
        onUnlocked={() => {
          lastActivity.current = Date.now();
          setLock('open');
        }}
      />
    );
  }
  if (lock === 'setup') return <PinSetup onDone={() => setLock('open')} />;
  return <>{children}</>;
}

function useStaffNames(ids: readonly string[]) {
  const db = useDb();
  const staff = useLiveQuery(async () => (db ? staffList(db) : []), [db]);
  return staff?.filter((s) => ids.includes(s.id));
}

function LockScreen({ holders, onUnlocked }: { holders: string[]; onUnlocked(): void }) {
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
      const result = await unlock(db, who, pin);
      setPinText('');
      if (result.ok) {
        setError(null);
        setStaff(who);
        onUnlocked();
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
    </form>
  );
}

function PinSetup({ onDone }: { onDone(): void }) {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  const [pin, setPinText] = useState('');
  const [confirm, setConfirm] = useState('');
  const [idle, setIdle] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!db) return;
    void getMeta<number>(db, IDLE_KEY).then((own) =>
      setIdle(String(typeof own === 'number' ? own : DEFAULT_IDLE_MINUTES[profile ?? 'reception'])),
    );
  }, [db, profile]);
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
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db) return;
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
    await setPin(db, staffId, pin);
    await setMeta(db, IDLE_KEY, minutes);
    setError(null);
    onDone();
  };
  return (
    <form
      className="panel stack lock-screen"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="pin-title"
    >
      <h1 id="pin-title">{t('lock.setupTitle')}</h1>
      <p>{t('lock.setupIntro')}</p>
      <TextField
        label={t('lock.newPin')}
        value={pin}
        onChange={setPinText}
        inputMode="numeric"
        type="password"
        autoComplete="off"
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
        <button type="submit" className="button button--primary">
          {t('lock.savePin')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('lock.cancel')}
        </button>
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
