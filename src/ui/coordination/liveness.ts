// How a device's last contact reads (docs/guide/coordination.md): « hors ligne depuis HH:MM »
// beyond STALE_AFTER_MS, and its pending count as last known, never as current, when stale.
import { isStale } from '../../domain/closure';
import { formatDateTime, formatTime, t } from '../i18n';

const DAY_MS = 24 * 3_600_000;

/** HH:MM within a day, the date with it beyond. */
export function contactTime(at: number, now: number): string {
  return now - at < DAY_MS ? formatTime(at) : formatDateTime(at);
}

export function contactText(lastContactAt: number | null, now: number): string {
  if (lastContactAt === null) return t('coordination.devices.neverSynced');
  const time = contactTime(lastContactAt, now);
  return isStale(lastContactAt, now)
    ? t('coordination.devices.offlineSince', { time })
    : t('coordination.devices.online', { time });
}

export function pendingText(pending: number, lastContactAt: number, now: number): string {
  return isStale(lastContactAt, now)
    ? t('coordination.devices.pendingStale', {
        count: pending,
        time: contactTime(lastContactAt, now),
      })
    : t('coordination.devices.pendingNow', { count: pending });
}
