import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueueStatus, StatusValue } from '../../src/domain/entities';
import { queueStatusSchema, statusValueSchema } from '../../src/domain/entities';
import {
  allowedActions,
  compareStatus,
  INITIAL_STATUS,
  isActive,
  isConsistentStatus,
  isOpen,
  isReversal,
  type QueueAction,
  STATUS_RANK,
  statusValue,
  transition,
} from '../../src/domain/queue';

const ACTIONS: QueueAction[] = [
  'call',
  'start',
  'requeue',
  'no_show',
  'leave',
  'cancel',
  'finish',
  'reopen',
];
const STATUSES = queueStatusSchema.options;

function run(start: StatusValue, ...actions: QueueAction[]): StatusValue {
  let s = start;
  for (const a of actions) {
    const r = transition(s, a);
    if (!r.ok) throw new Error(`${a} refusé depuis ${s.status} : ${r.reason}`);
    s = r.value;
  }
  return s;
}

describe('status ranks', () => {
  it('orders open statuses, then the ends, with done above the other ends', () => {
    expect(STATUS_RANK.waiting).toBeLessThan(STATUS_RANK.called);
    expect(STATUS_RANK.called).toBeLessThan(STATUS_RANK.in_consultation);
    for (const end of ['no_show', 'left', 'cancelled'] as const) {
      expect(STATUS_RANK[end]).toBeGreaterThan(STATUS_RANK.in_consultation);
      expect(STATUS_RANK[end]).toBeLessThan(STATUS_RANK.done);
    }
  });

  it('builds values that satisfy the replicated schema', () => {
    for (const s of STATUSES) {
      const v = statusValue(s, 2);
      expect(statusValueSchema.safeParse(v).success).toBe(true);
      expect(isConsistentStatus(v)).toBe(true);
    }
    expect(INITIAL_STATUS).toEqual({ status: 'waiting', epoch: 0, rank: 0 });
    expect(isConsistentStatus({ status: 'done', epoch: 0, rank: 1 })).toBe(false);
  });

  it('classifies active and open statuses', () => {
    expect(STATUSES.filter(isActive)).toEqual(['called', 'in_consultation']);
    expect(STATUSES.filter(isOpen)).toEqual(['waiting', 'called', 'in_consultation']);
  });
});

describe('the day of one queue entry', () => {
  it('goes waiting → called → in consultation → done in one epoch', () => {
    const called = run(INITIAL_STATUS, 'call');
    expect(called).toEqual({ status: 'called', epoch: 0, rank: 1 });
    const inside = run(called, 'start');
    expect(inside).toEqual({ status: 'in_consultation', epoch: 0, rank: 2 });
    expect(run(inside, 'finish')).toEqual({ status: 'done', epoch: 0, rank: 4 });
  });

  it('requeues an unanswered call explicitly, opening a new epoch', () => {
    const called = run(INITIAL_STATUS, 'call');
    const r = transition(called, 'requeue');
    expect(r).toEqual({
      ok: true,
      value: { status: 'waiting', epoch: 1, rank: 0 },
      reversal: true,
    });
    // A second unanswered call is another reversal.
    expect(run(called, 'requeue', 'call', 'requeue')).toEqual({
      status: 'waiting',
      epoch: 2,
      rank: 0,
    });
  });

  it('marks no-show only after a call; a waiting patient who is gone has left', () => {
    const r = transition(INITIAL_STATUS, 'no_show');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/appelé.*parti sans être vu/);
    expect(run(INITIAL_STATUS, 'call', 'no_show').status).toBe('no_show');
    expect(run(INITIAL_STATUS, 'leave').status).toBe('left');
    expect(run(INITIAL_STATUS, 'cancel').status).toBe('cancelled');
  });

  it('lets a patient be taken in directly without a call', () => {
    expect(run(INITIAL_STATUS, 'start')).toEqual({
      status: 'in_consultation',
      epoch: 0,
      rank: 2,
    });
  });

  it('reopens an entry ended by mistake', () => {
    expect(run(INITIAL_STATUS, 'call', 'no_show', 'reopen')).toEqual({
      status: 'waiting',
      epoch: 1,
      rank: 0,
    });
    expect(run(INITIAL_STATUS, 'leave', 'reopen').status).toBe('waiting');
    expect(run(INITIAL_STATUS, 'start', 'finish', 'reopen')).toEqual({
      status: 'in_consultation',
      epoch: 1,
      rank: 2,
    });
  });

  it('refuses impossible moves in French, naming the current status', () => {
    const done = run(INITIAL_STATUS, 'start', 'finish');
    const r = transition(done, 'call');
    expect(r).toEqual({
      ok: false,
      reason: 'Seul un patient en attente peut être appelé (statut actuel : terminé)',
    });
    expect(transition(INITIAL_STATUS, 'finish').ok).toBe(false);
    expect(transition(INITIAL_STATUS, 'requeue').ok).toBe(false);
    expect(transition(INITIAL_STATUS, 'reopen').ok).toBe(false);
    expect(transition(run(INITIAL_STATUS, 'start'), 'leave').ok).toBe(false);
    expect(transition({ status: 'called', epoch: 0, rank: 0 }, 'start')).toEqual({
      ok: false,
      reason: 'Statut incohérent : rang et statut ne correspondent pas',
    });
  });

  it('offers exactly the accepted actions', () => {
    expect(allowedActions(INITIAL_STATUS)).toEqual(['call', 'start', 'leave', 'cancel']);
    expect(allowedActions(run(INITIAL_STATUS, 'call'))).toEqual([
      'start',
      'requeue',
      'no_show',
      'leave',
      'cancel',
    ]);
    expect(allowedActions(run(INITIAL_STATUS, 'start'))).toEqual(['finish']);
    expect(allowedActions(run(INITIAL_STATUS, 'start', 'finish'))).toEqual(['reopen']);
  });
});

describe('ordering of replicated statuses', () => {
  it('compares by epoch first, then rank', () => {
    const done0 = statusValue('done', 0);
    const waiting1 = statusValue('waiting', 1);
    expect(compareStatus(done0, waiting1)).toBe(-1);
    expect(compareStatus(waiting1, done0)).toBe(1);
    expect(compareStatus(statusValue('left'), statusValue('no_show'))).toBe(0);
    expect(isReversal(done0, waiting1)).toBe(true);
    expect(isReversal(statusValue('called'), statusValue('done'))).toBe(false);
  });

  const anyValue = fc
    .tuple(fc.constantFrom<QueueStatus>(...STATUSES), fc.integer({ min: 0, max: 5 }))
    .map(([s, e]) => statusValue(s, e));

  it('is a total preorder: antisymmetric, transitive, total', () => {
    fc.assert(
      fc.property(anyValue, anyValue, anyValue, (a, b, c) => {
        expect(Math.sign(compareStatus(a, b)) + Math.sign(compareStatus(b, a))).toBe(0);
        if (compareStatus(a, b) <= 0 && compareStatus(b, c) <= 0) {
          expect(compareStatus(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it('every accepted transition strictly raises (epoch, rank); only reversals raise the epoch, by one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ACTIONS), { maxLength: 40 }), (actions) => {
        let s: StatusValue = INITIAL_STATUS;
        for (const a of actions) {
          const r = transition(s, a);
          if (!r.ok) {
            expect(r.reason.length).toBeGreaterThan(0);
            continue;
          }
          expect(compareStatus(r.value, s)).toBe(1);
          expect(isConsistentStatus(r.value)).toBe(true);
          if (r.reversal) {
            expect(a === 'requeue' || a === 'reopen').toBe(true);
            expect(r.value.epoch).toBe(s.epoch + 1);
            expect(r.value.rank).toBeLessThan(s.rank);
          } else {
            expect(r.value.epoch).toBe(s.epoch);
            expect(r.value.rank).toBeGreaterThan(s.rank);
          }
          s = r.value;
        }
      }),
    );
  });

  it('a stale value replayed after progress never wins the (epoch, rank) merge', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ACTIONS), { maxLength: 30 }),
        fc.nat(),
        (actions, pick) => {
          const history: StatusValue[] = [INITIAL_STATUS];
          for (const a of actions) {
            const r = transition(history[history.length - 1]!, a);
            if (r.ok) history.push(r.value);
          }
          const latest = history[history.length - 1]!;
          const stale = history[pick % history.length]!;
          const merged = compareStatus(stale, latest) > 0 ? stale : latest;
          expect(merged).toEqual(latest);
        },
      ),
    );
  });
});
