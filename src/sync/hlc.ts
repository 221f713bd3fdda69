// Hybrid logical clock (decision 0001): `base36(ms, 9) ":" base36(counter, 4) ":" node`.
// Fixed-width parts make plain string comparison equal to clock order (ms, counter, node).
// The physical part is wall time + an offset corrected from the server's time; a remote stamp
// from the future only pushes the logical clock forward — clock skew never throws or blocks.
import { SyncValidationError } from './errors';

export type Hlc = string;

export interface HlcClock {
  /** Physical part of the last stamp issued or received (ms since epoch). */
  ms: number;
  /** Logical counter within `ms`. */
  counter: number;
  /** Node (device) id; any characters except ':'. */
  node: string;
  /** Correction added to the wall clock, learnt from the server (ms). */
  offset: number;
}

const MS_WIDTH = 9;
const COUNTER_WIDTH = 4;
/** Largest physical part that fits in 9 base-36 digits (year ≈ 5188). */
export const MAX_MS = 36 ** MS_WIDTH - 1;
export const MAX_COUNTER = 36 ** COUNTER_WIDTH - 1;
/**
 * Remote stamps beyond this are ignored by `receive`: adopting them would leave no room to tick
 * forward (≈ 50 days of headroom below MAX_MS). Only a corrupt stamp can get there.
 */
const MAX_ADOPTED_MS = MAX_MS - 2 ** 32;
const HLC_RE = /^([0-9a-z]{9}):([0-9a-z]{4}):([^:]+)$/;
export const HLC_PATTERN = HLC_RE;
/** A horizon (decision 0027): a stamp, or the lowest of a time (`hlcOfTime`: central's own
 * position is its clock a minute behind). */
export const HORIZON_PATTERN = /^[0-9a-z]{9}:(?:[0-9a-z]{4}:[^:]+)?$/;

export function encodeHlc(ms: number, counter: number, node: string): Hlc {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_MS) {
    throw new RangeError(`HLC : partie physique hors limites (${ms})`);
  }
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new RangeError(`HLC : compteur hors limites (${counter})`);
  }
  assertNode(node);
  return `${ms.toString(36).padStart(MS_WIDTH, '0')}:${counter
    .toString(36)
    .padStart(COUNTER_WIDTH, '0')}:${node}`;
}

export function decodeHlc(h: Hlc): { ms: number; counter: number; node: string } {
  const m = HLC_RE.exec(h);
  if (!m) throw new SyncValidationError('invalid_hlc', `Horodatage HLC invalide : « ${h} »`);
  return { ms: Number.parseInt(m[1]!, 36), counter: Number.parseInt(m[2]!, 36), node: m[3]! };
}

/** The lowest stamp of physical time `ms`: every stamp of an earlier time sorts below it. */
export function hlcOfTime(ms: number): string {
  const clamped = Math.max(0, Math.min(MAX_MS, Math.floor(ms)));
  return `${clamped.toString(36).padStart(MS_WIDTH, '0')}:`;
}

export function isHlc(h: unknown): h is Hlc {
  return typeof h === 'string' && HLC_RE.test(h);
}

export function createClock(node: string): HlcClock {
  assertNode(node);
  return { ms: 0, counter: 0, node, offset: 0 };
}

/** Issue a new stamp, strictly greater than every stamp issued or received so far. */
export function tick(clock: HlcClock, wallMs: number): { clock: HlcClock; hlc: Hlc } {
  const phys = physical(wallMs, clock.offset);
  let ms: number;
  let counter: number;
  if (phys > clock.ms) {
    ms = phys;
    counter = 0;
  } else {
    [ms, counter] = bump(clock.ms, clock.counter);
  }
  const next = { ms, counter, node: clock.node, offset: clock.offset };
  return { clock: next, hlc: encodeHlc(ms, counter, clock.node) };
}

/**
 * Take a remote stamp into account (standard HLC receive): the clock moves to the greatest of
 * itself, the remote and the physical time, so the next tick is greater than the remote.
 * A malformed or absurd remote stamp is ignored rather than thrown: it must not block sync
 * (ops are validated separately by opSchema).
 */
export function receive(clock: HlcClock, remoteHlc: Hlc, wallMs: number): HlcClock {
  const m = HLC_RE.exec(remoteHlc);
  if (!m) return clock;
  const rms = Number.parseInt(m[1]!, 36);
  const rc = Number.parseInt(m[2]!, 36);
  if (rms > MAX_ADOPTED_MS) return clock;
  const phys = physical(wallMs, clock.offset);
  const ms = Math.max(clock.ms, rms, phys);
  let counter: number;
  let outMs = ms;
  if (ms === clock.ms && ms === rms) {
    [outMs, counter] = bump(ms, Math.max(clock.counter, rc));
  } else if (ms === clock.ms) {
    [outMs, counter] = bump(ms, clock.counter);
  } else if (ms === rms) {
    [outMs, counter] = bump(ms, rc);
  } else {
    counter = 0;
  }
  if (outMs === clock.ms && counter === clock.counter) return clock;
  return { ms: outMs, counter, node: clock.node, offset: clock.offset };
}

/**
 * Learn the server's time: `offset = serverMs - localMs` (localMs: the wall clock when the server
 * answered). It only shifts future physical readings; the clock itself never goes back.
 */
export function correctOffset(clock: HlcClock, serverMs: number, localMs: number): HlcClock {
  if (!Number.isFinite(serverMs) || !Number.isFinite(localMs)) return clock;
  const offset = Math.round(serverMs - localMs);
  return offset === clock.offset ? clock : { ...clock, offset };
}

function physical(wallMs: number, offset: number): number {
  const p = Math.floor(wallMs + offset);
  if (!Number.isFinite(p) || p < 0) return 0;
  return Math.min(p, MAX_ADOPTED_MS);
}

/** The next logical instant after (ms, counter); a full counter spills into the next ms. */
function bump(ms: number, counter: number): [number, number] {
  return counter >= MAX_COUNTER ? [ms + 1, 0] : [ms, counter + 1];
}

function assertNode(node: string): void {
  if (typeof node !== 'string' || node.length === 0 || node.includes(':')) {
    throw new RangeError(`HLC : identifiant de nœud invalide « ${node} » (non vide, sans « : »)`);
  }
}
