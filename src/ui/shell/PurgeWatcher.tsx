// Runs this device's purge whenever a sync receipt arrives, the day changes or the data key
// opens (the purge reads and writes sealed records: a sealed device reloaded and not yet
// unlocked waits for the key). Patient data the profile no longer needs is removed once central
// has proved it holds it (docs/design.md §6). Renders nothing; the purge is audited by the
// device layer.
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useSyncExternalStore } from 'react';
import { purgeAfterReceipts } from '../../device/closure';
import { dataKeyState, onDataKeyChange } from '../../device/data-key';
import { isEncrypted } from '../../device/encryption';
import { todayOf, useDb, useNow } from '../data/device-data';
import { useUiStore } from '../state/ui-store';

export function PurgeWatcher() {
  const db = useDb();
  const profile = useUiStore((s) => s.profile);
  const today = todayOf(useNow(10 * 60_000));
  const receipts = useLiveQuery(async () => (db ? db.rows('syncReceipt').count() : 0), [db]);
  const key = useSyncExternalStore(onDataKeyChange, dataKeyState);
  useEffect(() => {
    if (!db || !profile || !receipts || (key === 'locked' && isEncrypted(db))) return;
    // The person at work only signs the audit: switching person is no reason to scan again.
    const { staffId } = useUiStore.getState();
    purgeAfterReceipts(db, { profile, today, staffId }).catch((error: unknown) => {
      // A failed purge removes nothing (one transaction); it is tried again at the next receipt.
      console.error(error);
    });
  }, [db, profile, receipts, today, key]);
  return null;
}
