// Locking a shared device (docs/design.md §2, §6): a PIN per person checked on the device, a lockout
// that grows after repeated failures, and an automatic lock when the device is left idle.
import type { DeviceProfile } from './entities';

/** Minutes of inactivity before the screen locks, by profile (0: never, for the wall screen). */
export const DEFAULT_IDLE_MINUTES: Readonly<Record<DeviceProfile, number>> = {
  reception: 3,
  room: 5,
  coordination: 10,
  display: 0,
};

/** Failures allowed before a lockout. */
export const FREE_ATTEMPTS = 5;

/**
 * How long the device refuses PINs after `failures` consecutive failures: none for the first
 * FREE_ATTEMPTS - 1, then 30 s doubling at each further failure, capped at 15 minutes.
 */
export function lockoutMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(30_000 * 2 ** (failures - FREE_ATTEMPTS), 15 * 60_000);
}

export type PinProblem = 'format' | 'trivial' | 'mismatch';

/** What is wrong with a new PIN: 4 to 8 digits, not all alike nor a plain run, typed twice. */
export function pinProblem(pin: string, confirm: string): PinProblem | null {
  if (!/^\d{4,8}$/.test(pin)) return 'format';
  const digits = [...pin].map(Number);
  const step = digits[1]! - digits[0]!;
  const run = Math.abs(step) <= 1 && digits.every((d, i) => i === 0 || d - digits[i - 1]! === step);
  if (run) return 'trivial';
  if (pin !== confirm) return 'mismatch';
  return null;
}

/** Whether a device idle since `lastActivity` (ms) must lock at `now` (ms). */
export function idleExpired(lastActivity: number, now: number, idleMinutes: number): boolean {
  return idleMinutes > 0 && now - lastActivity >= idleMinutes * 60_000;
}
