// Person sessions bound to a device (docs/decisions/0006-person-sessions.md): a sign-in with a
// password gives (org, device, person) a bounded span during which ops stamped with that person
// are accepted from that device. Servers judge each pushed op by its HLC time against these
// spans; a relay and central merge the sessions each records. Pure rules, shared by both.

/** How long a session lasts without renewal: two weeks of offline work on the device. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60_000;
/** Clock tolerance around a span (device clocks are corrected by server time, not exactly). */
export const SESSION_SKEW_MS = 5 * 60_000;
/** A renewal is recorded only when it moves the expiry by at least this much (one write an hour). */
export const SESSION_RENEW_STEP_MS = 60 * 60_000;

export interface PersonSession {
  /** Random id: the same session recorded at a relay and at central merges by it. */
  id: string;
  org: string;
  deviceId: string;
  staffId: string;
  /** Start of the covered span: ops stamped with this person from then on are theirs. */
  from: number;
  /** When the password was checked. */
  issuedAt: number;
  expiresAt: number;
  /** Sign-out or forgetting of the person on the device (null while open). */
  endedAt: number | null;
}

/** The end of the span a session covers. */
export function sessionEnd(s: Pick<PersonSession, 'expiresAt' | 'endedAt'>): number {
  return s.endedAt === null ? s.expiresAt : Math.min(s.endedAt, s.expiresAt);
}

/** Whether the session is open at `now` (signed in, not signed out, not expired). */
export function isOpen(s: PersonSession, now: number): boolean {
  return s.endedAt === null && s.expiresAt > now;
}

/** Whether an op made at `at` (its HLC's physical time) falls in the session's span. */
export function covers(s: PersonSession, at: number): boolean {
  return at >= s.from - SESSION_SKEW_MS && at <= sessionEnd(s) + SESSION_SKEW_MS;
}

/**
 * The span of a new sign-in of this person on this device. It starts where the previous session
 * of the same person on the same device lapsed by expiry: by typing their password again the
 * person vouches for the work in their name the device kept while the session had lapsed (it
 * was refused until then, never lost). After a sign-out it starts now (their PIN was removed:
 * nothing honest was stamped in between). A first session covers from the device's enrolment
 * (work of a sign-in from before sessions existed).
 */
export function newSessionSpan(
  previous: readonly PersonSession[],
  enrolledAt: number,
  now: number,
  ttl = SESSION_TTL_MS,
): Pick<PersonSession, 'from' | 'issuedAt' | 'expiresAt' | 'endedAt'> {
  const last = [...previous].sort((a, b) => sessionEnd(b) - sessionEnd(a))[0];
  let from: number;
  if (!last) from = Math.min(enrolledAt, now);
  else if (last.endedAt !== null && last.endedAt <= last.expiresAt) from = now;
  else from = Math.min(sessionEnd(last), now);
  return { from, issuedAt: now, expiresAt: now + ttl, endedAt: null };
}

/** The session with its expiry moved to now + ttl, or null (not open, or too soon to record). */
export function renewed(s: PersonSession, now: number, ttl = SESSION_TTL_MS): PersonSession | null {
  if (!isOpen(s, now)) return null;
  const expiresAt = now + ttl;
  return expiresAt - s.expiresAt >= SESSION_RENEW_STEP_MS ? { ...s, expiresAt } : null;
}

/**
 * Two records of one session (a relay's and central's): the widest span and the earliest
 * sign-out. Commutative, associative, idempotent, so the order of hand-overs does not matter.
 */
export function mergeSession(a: PersonSession, b: PersonSession): PersonSession {
  const ended =
    a.endedAt === null
      ? b.endedAt
      : b.endedAt === null
        ? a.endedAt
        : Math.min(a.endedAt, b.endedAt);
  return {
    ...a,
    from: Math.min(a.from, b.from),
    issuedAt: Math.min(a.issuedAt, b.issuedAt),
    expiresAt: Math.max(a.expiresAt, b.expiresAt),
    endedAt: ended,
  };
}

/** Ends every open session of this person on this device at `now`; returns the changed ones. */
export function endSessions(sessions: readonly PersonSession[], now: number): PersonSession[] {
  return sessions.filter((s) => s.endedAt === null).map((s) => ({ ...s, endedAt: now }));
}

/**
 * The people stamped on `ops` whose op time falls in none of their sessions on this device, in
 * order of first appearance. `timeOf` reads an op's time (its HLC's physical part).
 */
export function uncoveredPeople<T extends { user?: string }>(
  ops: readonly T[],
  sessions: readonly PersonSession[],
  timeOf: (op: T) => number,
): string[] {
  const byPerson = new Map<string, PersonSession[]>();
  for (const s of sessions) byPerson.set(s.staffId, [...(byPerson.get(s.staffId) ?? []), s]);
  const out: string[] = [];
  for (const op of ops) {
    if (op.user === undefined || out.includes(op.user)) continue;
    const at = timeOf(op);
    if (!(byPerson.get(op.user) ?? []).some((s) => covers(s, at))) out.push(op.user);
  }
  return out;
}
