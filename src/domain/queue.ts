// The queue-entry state machine (docs/design.md §4.2). A status is replicated as {status, epoch, rank}
// and merged by taking the greatest (epoch, rank) (docs/decisions/0001). Forward moves raise the
// rank within an epoch; the only ways back — requeue after an unanswered call, reopen of an entry
// ended by mistake — are explicit acts that open a new epoch. So every accepted transition strictly
// raises (epoch, rank), and a stale device replaying an old status can never pull an entry back.
import type { QueueStatus, StatusValue } from './entities';

/**
 * Rank of each status inside one epoch.
 * - The three ends (no-show, left, cancelled) share rank 3: above every open status, so a stale
 *   "waiting" or "called" from another device never resurrects an ended entry.
 * - done is 4, above the other ends: a consultation that took place is the clinical fact; if one
 *   device marks a patient absent while another finishes their consultation, the merge keeps done.
 */
export const STATUS_RANK: Readonly<Record<QueueStatus, number>> = {
  waiting: 0,
  called: 1,
  in_consultation: 2,
  no_show: 3,
  left: 3,
  cancelled: 3,
  done: 4,
};

export type QueueAction =
  | 'call'
  | 'start'
  | 'requeue'
  | 'no_show'
  | 'leave'
  | 'cancel'
  | 'finish'
  | 'reopen';

export type TransitionResult =
  | { ok: true; value: StatusValue; reversal: boolean }
  | { ok: false; reason: string };

export function statusValue(status: QueueStatus, epoch = 0): StatusValue {
  return { status, epoch, rank: STATUS_RANK[status] };
}

/** The status of a new queue entry. */
export const INITIAL_STATUS: StatusValue = Object.freeze(statusValue('waiting'));

/** A replicated value whose rank disagrees with its status is corrupt and must be refused. */
export function isConsistentStatus(value: StatusValue): boolean {
  return (
    Number.isInteger(value.epoch) && value.epoch >= 0 && value.rank === STATUS_RANK[value.status]
  );
}

/** Called or in consultation: the patient occupies a room. */
export function isActive(status: QueueStatus): boolean {
  return status === 'called' || status === 'in_consultation';
}

/** Not ended yet: waiting, called or in consultation. */
export function isOpen(status: QueueStatus): boolean {
  return status === 'waiting' || isActive(status);
}

export function isEnded(status: QueueStatus): boolean {
  return !isOpen(status);
}

/**
 * Order of replicated values: by epoch, then rank. Values with the same epoch and rank (two
 * different ends) compare equal here; the merge breaks that tie by HLC.
 */
export function compareStatus(a: StatusValue, b: StatusValue): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return 0;
}

/** `next` was reached from `base` by an explicit reversal (it opened a new epoch). */
export function isReversal(base: StatusValue, next: StatusValue): boolean {
  return next.epoch > base.epoch;
}

const LABEL: Record<QueueStatus, string> = {
  waiting: 'en attente',
  called: 'appelé',
  in_consultation: 'en consultation',
  done: 'terminé',
  no_show: 'absent',
  left: 'parti sans être vu',
  cancelled: 'annulé',
};

/** Forward moves: action → statuses it may start from, and where it leads (same epoch). */
const FORWARD: Partial<Record<QueueAction, { from: QueueStatus[]; to: QueueStatus }>> = {
  call: { from: ['waiting'], to: 'called' },
  // A patient may be taken in directly without a call on the screen (e.g. sent from the next room).
  start: { from: ['waiting', 'called'], to: 'in_consultation' },
  // "Absent" answers a call; a waiting patient who is gone has left without being seen.
  no_show: { from: ['called'], to: 'no_show' },
  leave: { from: ['waiting', 'called'], to: 'left' },
  cancel: { from: ['waiting', 'called'], to: 'cancelled' },
  finish: { from: ['in_consultation'], to: 'done' },
};

const REFUSAL: Record<QueueAction, string> = {
  call: 'Seul un patient en attente peut être appelé',
  start: 'Seul un patient en attente ou appelé peut entrer en consultation',
  requeue: 'Seul un patient appelé peut être remis en attente',
  no_show: 'Seul un patient appelé peut être déclaré absent (sinon : « parti sans être vu »)',
  leave: 'Seul un patient en attente ou appelé peut être déclaré parti sans être vu',
  cancel: 'Seul un passage en attente ou appelé peut être annulé',
  finish: 'Seule une consultation en cours peut être terminée',
  reopen: 'Seul un passage terminé, absent, parti ou annulé peut être rouvert',
};

/**
 * Apply an action to a status. Reversals (new epoch, rank goes down):
 * - requeue: called → waiting (the call got no answer; the patient keeps their place);
 * - reopen: no_show / left / cancelled → waiting (ended by mistake, the patient is still here);
 *   done → in_consultation (finished by mistake, the patient is still in the room).
 */
export function transition(current: StatusValue, action: QueueAction): TransitionResult {
  if (!isConsistentStatus(current)) {
    return { ok: false, reason: 'Statut incohérent : rang et statut ne correspondent pas' };
  }
  const refuse = (): TransitionResult => ({
    ok: false,
    reason: `${REFUSAL[action]} (statut actuel : ${LABEL[current.status]})`,
  });
  const forward = FORWARD[action];
  if (forward) {
    if (!forward.from.includes(current.status)) return refuse();
    return { ok: true, value: statusValue(forward.to, current.epoch), reversal: false };
  }
  let to: QueueStatus | null = null;
  if (action === 'requeue' && current.status === 'called') to = 'waiting';
  if (action === 'reopen') {
    if (current.status === 'done') to = 'in_consultation';
    else if (isEnded(current.status)) to = 'waiting';
  }
  if (!to) return refuse();
  return { ok: true, value: statusValue(to, current.epoch + 1), reversal: true };
}

/** The actions a screen may offer for a status (those `transition` accepts). */
export function allowedActions(current: StatusValue): QueueAction[] {
  const all: QueueAction[] = [
    'call',
    'start',
    'requeue',
    'no_show',
    'leave',
    'cancel',
    'finish',
    'reopen',
  ];
  return all.filter((a) => transition(current, a).ok);
}
