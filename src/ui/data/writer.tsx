// The screens' only way to change data: the device's one write path (row + outbox in one
// transaction), stamped with this device, its organisation and the staff member at work.
import { useCallback } from 'react';
import { getMeta, META } from '../../device/db';
import { type Change, writeChanges } from '../../device/write';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { useDb } from './device-data';

export type Write = (changes: Change[]) => Promise<void>;

/** Returns a function that records changes; it rejects with a French message on bad input. */
export function useWriter(): Write {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  return useCallback(
    async (changes: Change[]) => {
      if (!db) throw new Error(t('errors.noDatabase'));
      const [deviceId, org] = await Promise.all([
        getMeta<string>(db, META.deviceId),
        getMeta<string>(db, META.org),
      ]);
      if (!deviceId || !org) throw new Error(t('errors.deviceNotConnected'));
      await writeChanges(db, { deviceId, org, userId: staffId ?? undefined }, changes);
    },
    [db, staffId],
  );
}
