// Person sessions as pure rules (docs/decisions/0006-person-sessions.md): what a session covers,
// where a new sign-in's span starts, renewal, and the merge of a relay's and central's records.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  covers,
  endSessions,
  isOpen,
  mergeSession,
  newSessionSpan,
  type PersonSession,
  renewed,
  SESSION_RENEW_STEP_MS,
  SESSION_SKEW_MS,
  SESSION_TTL_MS,
  sessionEnd,
  uncoveredPeople,
} from '../../src/domain/sessions';

const DAY = 24 * 60 * 60_000;
const T0 = Date.UTC(2026, 10, 30, 8);

function session(fields: Partial<PersonSession> = {}): PersonSession {
  return {
    id: 's1',
    org: 'org',
    deviceId: 'laptop',
    staffId: 'doc',
    from: T0,
    issuedAt: T0,
    expiresAt: T0 + SESSION_TTL_MS,
    endedAt: null,
    ...fields,
  };
}

describe('what a session covers', () => {
  it('covers its span, with the clock tolerance on both sides, and nothing beyond', () => {
    const s = session();
    expect(covers(s, T0)).toBe(true);
    expect(covers(s, T0 - SESSION_SKEW_MS)).toBe(true);
    expect(covers(s, T0 - SESSION_SKEW_MS - 1)).toBe(false);
    expect(covers(s, T0 + SESSION_TTL_MS + SESSION_SKEW_MS)).toBe(true);
    expect(covers(s, T0 + SESSION_TTL_MS + SESSION_SKEW_MS + 1)).toBe(false);
  });

  it('ends at a sign-out before expiry, and at expiry when signed out after it', () => {
    expect(sessionEnd(session({ endedAt: T0 + DAY }))).toBe(T0 + DAY);
    expect(sessionEnd(session({ endedAt: T0 + 20 * DAY }))).toBe(T0 + SESSION_TTL_MS);
    expect(covers(session({ endedAt: T0 + DAY }), T0 + 2 * DAY)).toBe(false);
  });

  it('is open until it expires or its person signs out', () => {
    expect(isOpen(session(), T0 + DAY)).toBe(true);
    expect(isOpen(session(), T0 + SESSION_TTL_MS)).toBe(false);
    expect(isOpen(session({ endedAt: T0 + 1 }), T0 + DAY)).toBe(false);
  });

  it('names each person with an op outside all their sessions on the device, once, in order', () => {
    const ops = [
      { user: 'nurse', at: T0 },
      { user: 'doc', at: T0 + DAY },
      { at: T0 },
      { user: 'doc', at: T0 + 30 * DAY },
      { user: 'nurse', at: T0 + DAY },
    ];
    expect(uncoveredPeople(ops, [session()], (op) => op.at)).toEqual(['nurse', 'doc']);
    expect(
      uncoveredPeople(
        ops,
        [session(), session({ staffId: 'nurse', expiresAt: T0 + 40 * DAY })],
        (op) => op.at,
      ),
    ).toEqual(['doc']);
  });
});

describe('a new sign-in', () => {
  it('first on a device: covers from the device’s enrolment', () => {
    expect(newSessionSpan([], T0 - 3 * DAY, T0)).toEqual({
      from: T0 - 3 * DAY,
      issuedAt: T0,
      expiresAt: T0 + SESSION_TTL_MS,
      endedAt: null,
    });
  });

  it('after a lapse: covers from where the last session expired (the work kept meanwhile)', () => {
    const lapsed = session({ expiresAt: T0 - 5 * DAY, from: T0 - 30 * DAY });
    const older = session({ id: 's0', expiresAt: T0 - 20 * DAY });
    expect(newSessionSpan([older, lapsed], 0, T0).from).toBe(T0 - 5 * DAY);
  });

  it('after a sign-out: covers from now only', () => {
    const out = session({ from: T0 - 10 * DAY, expiresAt: T0 + DAY, endedAt: T0 - DAY });
    expect(newSessionSpan([out], 0, T0).from).toBe(T0);
  });
});

describe('renewal and sign-out', () => {
  it('moves the expiry of an open session to now + TTL, at most once per step', () => {
    const s = session();
    expect(renewed(s, T0 + SESSION_RENEW_STEP_MS - 1)).toBeNull();
    expect(renewed(s, T0 + DAY)?.expiresAt).toBe(T0 + DAY + SESSION_TTL_MS);
    expect(renewed(session({ endedAt: T0 }), T0 + DAY)).toBeNull();
    expect(renewed(s, T0 + SESSION_TTL_MS + 1)).toBeNull();
  });

  it('ends only the open sessions', () => {
    const ended = endSessions([session(), session({ id: 's2', endedAt: T0 })], T0 + DAY);
    expect(ended).toEqual([session({ endedAt: T0 + DAY })]);
  });
});

describe('merging a relay’s and central’s records of one session', () => {
  const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
  const record = fc.record({
    id: fc.constant('s1'),
    org: fc.constant('org'),
    deviceId: fc.constant('laptop'),
    staffId: fc.constant('doc'),
    from: time,
    issuedAt: time,
    expiresAt: time,
    endedAt: fc.option(time, { nil: null }),
  });

  it('is commutative, associative and idempotent (hand-overs in any order, any number of times)', () => {
    fc.assert(
      fc.property(record, record, record, (a, b, c) => {
        expect(mergeSession(a, b)).toEqual(mergeSession(b, a));
        expect(mergeSession(mergeSession(a, b), c)).toEqual(mergeSession(a, mergeSession(b, c)));
        expect(mergeSession(a, a)).toEqual(a);
      }),
    );
  });

  it('keeps a sign-out recorded on either side and the later renewal', () => {
    fc.assert(
      fc.property(record, record, (a, b) => {
        const m = mergeSession(a, b);
        expect(m.expiresAt).toBe(Math.max(a.expiresAt, b.expiresAt));
        if (a.endedAt !== null || b.endedAt !== null) expect(m.endedAt).not.toBeNull();
      }),
    );
  });

  it('a person is never named once one of their sessions covers every op', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ user: fc.constantFrom('doc', 'nurse'), at: time })),
        (ops) => {
          const wide = (staffId: string) =>
            session({ staffId, id: staffId, from: 0, expiresAt: 5_000_000_000_000 });
          expect(uncoveredPeople(ops, [wide('doc'), wide('nurse')], (op) => op.at)).toEqual([]);
          const named = uncoveredPeople(ops, [wide('doc')], (op) => op.at);
          expect(named).toEqual(ops.some((op) => op.user === 'nurse') ? ['nurse'] : []);
        },
      ),
    );
  });
});
