// A server held back this device's work until a person signs in again (403 session_required,
// docs/decisions/0006-person-sessions.md): say who, and lead them to the sign-in. Their work
// stays on the device meanwhile. The button shows only on an open screen, so it never leads
// around the lock (a locked device signs in from the lock screen).
import { useLiveQuery } from 'dexie-react-hooks';
import { getMeta, META } from '../../device/db';
import type { SessionRequiredNotice } from '../../device/sync-client';
import { useDb } from '../data/device-data';
import { staffName } from '../day/day-data';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';

export function useSessionRequired(): SessionRequiredNotice | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () =>
      db ? ((await getMeta<SessionRequiredNotice>(db, META.sessionRequired)) ?? null) : null,
    [db],
  );
}

export function SessionBanner() {
  const db = useDb();
  const notice = useSessionRequired();
  const lock = useUiStore((s) => s.lock);
  const setLock = useUiStore((s) => s.setLock);
  const person = useLiveQuery(
    async () => (db && notice ? db.rows('staff').get(notice.staffId) : undefined),
    [db, notice?.staffId],
  );
  if (!notice) return null;
  return (
    <div className="notice notice--warning banner" role="alert">
      <p>{person ? t('lock.sessionRequired', { name: staffName(person) }) : notice.message}</p>
      {lock === 'open' ? (
        <button type="button" className="button" onClick={() => setLock('setup')}>
          {t('lock.signInAgain')}
        </button>
      ) : null}
    </div>
  );
}
