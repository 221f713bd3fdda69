// The one owner of ids and clock readings for what a device writes (docs/architecture.md, the
// write path): screens never make an id or read the clock for a row; the command they hand to the
// writer receives a stamp — a fresh UUIDv7 per call of newId, and one instant for the whole
// command, so every row and the audit event of one action carry the same time.
import { v7 as uuidv7 } from 'uuid';

export interface Stamp {
  newId(): string;
  /** The command's instant, ISO 8601 UTC. */
  readonly now: string;
}

/** A stamp of this instant (the device's wall clock). */
export function stampNow(): Stamp {
  return { newId: () => uuidv7(), now: new Date().toISOString() };
}

/** The device's wall clock, for what screens show (today, elapsed times): never for ids. */
export const wallClock = {
  ms: (): number => Date.now(),
  iso: (): string => new Date().toISOString(),
};
