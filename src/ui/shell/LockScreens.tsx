// The screens of the device lock (docs/design.md §2, §6), loaded when first needed: unlock with a PIN
// (quick switch between the people holding one here), sign-in with a password on an enrolled
// device, and the creation of a PIN. The gate that decides which one shows is LockGate.tsx.
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { AccountError, login } from '../../device/accounts';
import { getMeta, META, setMeta } from '../../device/db';
import { staffWithPin } from '../../device/pin';
import { staffList } from '../../device/queries';
import { createPersonPin, resumePersonSession, unlockPerson } from '../../device/session';
import { DEFAULT_IDLE_MINUTES, pinProblem } from '../../domain/lock';
import { useDb } from '../data/device-data';
import { staffName } from '../day/day-data';
import { SelectField, TextField } from '../forms/fields';
import { formatTime, t, tn } from '../i18n';
import { type Profile, useUiStore } from '../state/ui-store';
import { useSessionRequired } from './SessionBanner';

function useStaffNames(ids: readonly string[]) {
  const db = useDb();
  const staff = useLiveQuery(async () => (db ? staffList(db) : []), [db]);
  return staff?.filter((s) => ids.includes(s.id));
}

export function LockScreen({
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
        enterKeyHint="done"
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
export function SignIn({
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
  // The person a server asked to sign in again comes first (decision 0006).
  const required = useSessionRequired();
  const [picked, setWho] = useState<string | null>(null);
  const who = picked ?? required?.staffId ?? current ?? '';
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
      if ((await staffWithPin(db)).includes(chosen)) {
        // Signing in again (their session here had lapsed or ended): their PIN stays.
        await resumePersonSession(db, chosen, result.escrow);
        setStaff(chosen);
        onDone(chosen);
        return;
      }
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
export function PinSetup({ profile, onDone }: { profile: Profile | null; onDone(): void }) {
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
    void getMeta<number>(db, META.idleMinutes).then((own) =>
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
      await setMeta(db, META.idleMinutes, minutes);
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
        enterKeyHint="done"
        type="password"
        autoComplete="off"
        autoFocus
      />
      <TextField
        label={t('lock.confirmPin')}
        value={confirm}
        onChange={setConfirm}
        inputMode="numeric"
        enterKeyHint="done"
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
