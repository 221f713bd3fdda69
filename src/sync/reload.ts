// When a device that already holds states should reload a snapshot rather than pull the log
// (docs/protocol.md, Reload; docs/decisions/0026-snapshots.md, « Devices holding states »).
// The server decides and says so in the pull's answer (`reload`); the device obeys once its
// outbox is pushed whole (src/device/sync-client.ts).

/** Below this many ops ahead a pull is cheap whatever the snapshot's size: no reload. */
export const RELOAD_MIN_OPS = 20_000;

export interface ReloadFacts {
  /** The request's checkpoint: 0 for a device holding nothing from this server yet (it loads a
   * snapshot by itself at bootstrap, decision 0026). */
  since: number;
  /** The end of the server's log. */
  head: number;
  /** The answer starts the device over from 0 (another epoch, a checkpoint beyond the log, a
   * view no longer the server's: a restore, a move to another profile or room, a reader more). */
  reset: boolean;
  /** Rows of the newest snapshot of the device's cut the server holds, if any: what a reload
   * would bring. */
  rows?: number | undefined;
  /** The server lacks some of the device's ops it counts as held (below a declared floor: a
   * relay reinstalled empty, central restored): a snapshot would leave them out, and the pull
   * after it never brings a device its own ops. */
  gap: boolean;
  /** Ops ahead below which a pull is always preferred (RELOAD_MIN_OPS by default). */
  minOps?: number;
}

/**
 * Reload when the device holds states and either starts over anyway (a reset replays from 0:
 * the snapshot is that replay, folded) or is further behind than the snapshot is large: the
 * ops ahead (`head - since`, an upper bound of what the pull brings) exceed both the floor
 * `minOps` and the snapshot's rows. Never while the server lacks some of the device's own ops.
 */
export function shouldReload(f: ReloadFacts): boolean {
  if (f.since <= 0 || f.gap) return false;
  if (f.reset) return true;
  return f.head - f.since > Math.max(f.minOps ?? RELOAD_MIN_OPS, f.rows ?? 0);
}
