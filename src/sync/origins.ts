// The origins under which central writes ops itself (partner tasks, its own audit events) are
// named after the log's epoch (docs/decisions/0029-central-origins-after-restore.md). A central
// restored from a backup, then given a new epoch, writes under a new name: it can never hand out
// again a sequence some replica already holds with other content, and a replica that kept the
// ops of the old name (a relay) can still bring them back — nobody writes that name any more.

/** The short tag of an epoch in an origin's name (8 hex digits of its UUID). */
export const epochTag = (epoch: string): string => epoch.replace(/-/g, '').slice(0, 8);

/** The origin `base` writes under in the log's `epoch`: `server.partner@1a2b3c4d`. */
export const epochOrigin = (base: string, epoch: string): string =>
  `${base}@${epochTag(epoch)}`.slice(0, 64);

/** Whether `dev` is `base` in any epoch (or `base` itself, as written before origins had one). */
export const isOriginOf = (dev: string, base: string): boolean =>
  dev === base || dev.startsWith(`${base}@`);

/** The name a person reads for an origin: its base, whatever the epoch. */
export const originBase = (dev: string): string => {
  const at = dev.indexOf('@');
  return at < 0 ? dev : dev.slice(0, at);
};

/**
 * Whether `hlc` is a stamp central may put on an op of its origin `dev` (`base@tag`, the base
 * with a dot no device id can hold): its node is `base@…`, a name only central gives (a task's
 * creation, stamped by its cause). Never true for a device's op.
 */
export function isServerStamp(hlc: string, dev: string): boolean {
  const base = originBase(dev);
  if (base === dev || !base.includes('.')) return false;
  return hlc.slice(hlc.lastIndexOf(':') + 1).startsWith(`${base}@`);
}
