// Which patients a device holds (src/domain/replication-scope.ts): a room the patients of the
// days in progress and to come, reception the registry, the display none; a patient entering a
// room's scope reaches it whole, whatever the order of the log and the cut of the pages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  enteringPatients,
  opInScope,
  patientHolding,
  roomPatientScope,
  type ScopeReference,
  scopeByStop,
  scopeReference,
  stopInWindow,
  survivorsToAdd,
  windowStops,
} from '../../src/domain/replication-scope';

const at = (iso: string) => Date.parse(iso);

describe('who holds the registry', () => {
  it('reception, the coordination and relays hold every patient; a room its scope; the display none', () => {
    expect(patientHolding('reception')).toBe('all');
    expect(patientHolding('coordination')).toBe('all');
    expect(patientHolding('relay')).toBe('all');
    expect(patientHolding('room')).toBe('scope');
    expect(patientHolding('display')).toBe('none');
    expect(patientHolding('partner')).toBe('none');
  });
});

describe('the window: stops whose day is not over', () => {
  it('holds a stop until noon UTC the day after its date, and every later stop', () => {
    expect(stopInWindow('2026-11-30', at('2026-11-30T07:00:00Z'))).toBe(true);
    expect(stopInWindow('2026-11-30', at('2026-12-01T11:59:59Z'))).toBe(true);
    expect(stopInWindow('2026-11-30', at('2026-12-01T12:00:00Z'))).toBe(false);
    expect(stopInWindow('2027-03-02', at('2026-11-30T07:00:00Z'))).toBe(true);
    expect(stopInWindow('2026-11-29', at('2026-11-30T23:00:00Z'))).toBe(false);
  });

  it('leaves out a stop without a readable date, and a deleted one', () => {
    expect(stopInWindow(undefined, 0)).toBe(false);
    expect(stopInWindow('30/11/2026', 0)).toBe(false);
    const stops = [
      { id: 'a', date: '2026-11-30' },
      { id: 'b', date: '2026-11-30', _deleted: true },
      { id: 'c', date: '2026-11-01' },
    ];
    expect([...windowStops(stops, at('2026-11-30T08:00:00Z'))]).toEqual(['a']);
  });

  it('only loses stops as time passes (a patient never enters the scope without an op)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3650 }),
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (days, t, dt) => {
          const date = new Date(Date.UTC(2025, 0, 1) + days * 86_400_000)
            .toISOString()
            .slice(0, 10);
          const now = Date.UTC(2025, 0, 1) + t;
          if (stopInWindow(date, now + dt)) expect(stopInWindow(date, now)).toBe(true);
        },
      ),
    );
  });
});

describe('the scope of a room', () => {
  const now = at('2026-11-30T09:00:00Z');
  const stops = [
    { id: 'today', date: '2026-11-30' },
    { id: 'next', date: '2026-12-07' },
    { id: 'past', date: '2026-11-23' },
  ];

  it('is the patients of the visits and appointments of the window, not the rest of the registry', () => {
    const scope = roomPatientScope({
      now,
      stops,
      visits: [
        { patientId: 'checked-in', stopId: 'today' },
        { patientId: 'last-week', stopId: 'past' },
        { patientId: 'removed', stopId: 'today', _deleted: true },
      ],
      appointments: [
        { patientId: 'booked-today', stopId: 'today' },
        { patientId: 'booked-next', stopId: 'next' },
        { patientId: 'booked-past', stopId: 'past' },
      ],
    });
    expect([...scope].sort()).toEqual(['booked-next', 'booked-today', 'checked-in']);
  });

  it('groups them by stop (a stop moved into the window brings its patients)', () => {
    const byStop = scopeByStop({
      now,
      stops,
      visits: [{ patientId: 'a', stopId: 'today' }],
      appointments: [{ patientId: 'b', stopId: 'next' }],
    });
    expect(byStop.get('today')).toEqual(new Set(['a']));
    expect(byStop.get('next')).toEqual(new Set(['b']));
    expect(byStop.has('past')).toBe(false);
  });

  it('grows by the survivors of merged identities', () => {
    const scope = new Set(['a']);
    expect(
      survivorsToAdd(scope, [
        { id: 'a', mergedInto: 's' },
        { id: 'x', mergedInto: 'y' },
      ]),
    ).toEqual(['s']);
    expect(survivorsToAdd(new Set(['a', 's']), [{ id: 'a', mergedInto: 's' }])).toEqual([]);
  });

  it('cuts only patient rows', () => {
    const scope = new Set(['a']);
    expect(opInScope(scope, { e: 'patient', id: 'a' })).toBe(true);
    expect(opInScope(scope, { e: 'patient', id: 'b' })).toBe(false);
    expect(opInScope(scope, { e: 'visit', id: 'b' })).toBe(true);
    expect(opInScope(null, { e: 'patient', id: 'b' })).toBe(true);
  });
});

describe('the ops that may bring a patient in', () => {
  const op = (e: string, f: string, val: unknown, k = 'set') => ({ e, id: 'r1', f, k, val });

  it('are the fields the scope reads: a booking’s patient and stop, a stop’s date, a merge', () => {
    expect(scopeReference(op('visit', 'patientId', 'p'))).toEqual({
      kind: 'booking',
      entity: 'visit',
      id: 'r1',
      patientId: 'p',
    });
    expect(scopeReference(op('appointment', 'stopId', 's'))).toEqual({
      kind: 'booking',
      entity: 'appointment',
      id: 'r1',
      patientId: null,
    });
    expect(scopeReference(op('visit', '_deleted', false, 'del'))?.kind).toBe('booking');
    expect(scopeReference(op('stop', 'date', '2026-12-01'))).toEqual({
      kind: 'stop',
      stopId: 'r1',
    });
    expect(scopeReference(op('patient', 'mergedInto', 's'))).toEqual({
      kind: 'merge',
      from: 'r1',
      into: 's',
    });
  });

  it('are not the others: a note, a motive, a queue move, a name', () => {
    expect(scopeReference(op('visit', 'motif', 'toux'))).toBeNull();
    expect(scopeReference(op('queueEntry', 'status', { status: 'called' }))).toBeNull();
    expect(scopeReference(op('patient', 'birthName', 'MARTIN'))).toBeNull();
    expect(scopeReference(op('consultation', 'patientId', 'p'))).toBeNull();
  });

  it('bring in only patients in the scope now', () => {
    const refs: ScopeReference[] = [
      { kind: 'booking', entity: 'visit', id: 'v1', patientId: 'a' },
      { kind: 'booking', entity: 'appointment', id: 'ap1', patientId: null },
      { kind: 'stop', stopId: 'next' },
      { kind: 'merge', from: 'a', into: 's' },
      { kind: 'merge', from: 'z', into: 'out' },
    ];
    const entering = enteringPatients(refs, new Set(['a', 'b', 'c', 's', 'out']), {
      bookingPatient: (entity, id) => (entity === 'appointment' && id === 'ap1' ? 'b' : undefined),
      stopPatients: (id) => new Set(id === 'next' ? ['c', 'gone'] : []),
      survivor: () => undefined,
    });
    expect([...entering].sort()).toEqual(['a', 'b', 'c', 's']);
  });
});

// ---- the property: whatever the log's order and the pages' cut, a room holds its patients whole ----

interface LogOp {
  e: 'patient' | 'visit' | 'appointment' | 'stop';
  id: string;
  f: string;
  k: string;
  val: unknown;
}

/** The rows a server holds after these ops: last value per field (what the test needs). */
function rowsOf(log: readonly LogOp[]) {
  const rows = new Map<string, Record<string, unknown>>();
  for (const op of log) {
    const key = `${op.e}:${op.id}`;
    const row = rows.get(key) ?? { id: op.id };
    row[op.f] = op.val;
    rows.set(key, row);
  }
  const of = (e: string) =>
    [...rows.entries()].filter(([k]) => k.startsWith(`${e}:`)).map(([, r]) => r);
  return { rows, of };
}

/** A server's pull for a room, as src/server/replication-scope.ts cuts it, over the log so far. */
function pullPage(log: readonly LogOp[], since: number, until: number, now: number) {
  const { rows, of } = rowsOf(log);
  const byStop = scopeByStop({
    now,
    stops: of('stop'),
    visits: of('visit'),
    appointments: of('appointment'),
  });
  const scope = new Set<string>();
  for (const set of byStop.values()) for (const p of set) scope.add(p);
  for (let frontier = [...scope]; frontier.length; ) {
    const next = survivorsToAdd(
      scope,
      frontier.map((id) => rows.get(`patient:${id}`) ?? {}),
    );
    for (const p of next) scope.add(p);
    frontier = next;
  }
  const page = log.slice(since, until).map((op, i) => ({ s: since + i + 1, op }));
  const kept = page.filter((x) => opInScope(scope, x.op));
  const refs = page.flatMap((x) => scopeReference(x.op) ?? []);
  const entering = enteringPatients(refs, scope, {
    bookingPatient: (e, id) => rows.get(`${e}:${id}`)?.patientId as string | undefined,
    stopPatients: (id) => byStop.get(id) ?? new Set(),
    survivor: (id) => rows.get(`patient:${id}`)?.mergedInto as string | undefined,
  });
  const earlier = log
    .slice(0, since)
    .map((op, i) => ({ s: i + 1, op }))
    .filter((x) => x.op.e === 'patient' && entering.has(x.op.id));
  return { ops: [...earlier, ...kept], scope };
}

describe('a room holds the patients of its scope whole', () => {
  const now = at('2026-11-30T09:00:00Z');
  const patients = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
  const stopIds = ['today', 'next', 'past'];
  const dates = ['2026-11-30', '2026-12-07', '2026-11-23', '2026-10-01'];
  const opArb: fc.Arbitrary<LogOp> = fc.oneof(
    fc.record({
      e: fc.constant('patient' as const),
      id: fc.constantFrom(...patients),
      f: fc.constantFrom('birthName', 'birthDate', 'phone'),
      k: fc.constant('set'),
      val: fc.string({ maxLength: 4 }),
    }),
    fc.record({
      e: fc.constant('patient' as const),
      id: fc.constantFrom(...patients),
      f: fc.constant('mergedInto'),
      k: fc.constant('set'),
      val: fc.constantFrom(...patients),
    }),
    fc.record({
      e: fc.constantFrom('visit' as const, 'appointment' as const),
      id: fc.constantFrom('b1', 'b2', 'b3', 'b4'),
      f: fc.constant('patientId'),
      k: fc.constant('set'),
      val: fc.constantFrom(...patients),
    }),
    fc.record({
      e: fc.constantFrom('visit' as const, 'appointment' as const),
      id: fc.constantFrom('b1', 'b2', 'b3', 'b4'),
      f: fc.constantFrom('stopId', 'motif'),
      k: fc.constant('set'),
      val: fc.constantFrom(...stopIds),
    }),
    fc.record({
      e: fc.constantFrom('visit' as const, 'appointment' as const),
      id: fc.constantFrom('b1', 'b2', 'b3', 'b4'),
      f: fc.constant('_deleted'),
      k: fc.constant('del'),
      val: fc.boolean(),
    }),
    fc.record({
      e: fc.constant('stop' as const),
      id: fc.constantFrom(...stopIds),
      f: fc.constant('date'),
      k: fc.constant('set'),
      val: fc.constantFrom(...dates),
    }),
  );

  it('whatever the order of the log and the cut of the pages', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }),
        (log, steps) => {
          // The log grows between pulls; each pull reads at most a page of what is there.
          const received = new Set<number>();
          let since = 0;
          let end = 0;
          let scope = new Set<string>();
          for (const step of [...steps, log.length, log.length]) {
            end = Math.min(log.length, end + step);
            const visible = log.slice(0, end);
            const page = pullPage(visible, since, Math.min(end, since + step), now);
            for (const x of page.ops) received.add(x.s);
            since = Math.min(end, since + step);
            scope = page.scope;
          }
          // Drain what is left, as a device does while the server says hasMore.
          while (since < log.length) {
            const page = pullPage(log, since, log.length, now);
            for (const x of page.ops) received.add(x.s);
            since = log.length;
            scope = page.scope;
          }
          // Every op of a patient in the final scope reached the device; no op of one outside it
          // unless the patient was in scope when it was served.
          log.forEach((op, i) => {
            if (op.e === 'patient' && scope.has(op.id)) expect(received.has(i + 1)).toBe(true);
            if (op.e !== 'patient') expect(received.has(i + 1)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('and the identity a patient entering it was merged into, written before', () => {
    const log: LogOp[] = [
      { e: 'stop', id: 'today', f: 'date', k: 'set', val: '2026-11-30' },
      { e: 'patient', id: 'p1', f: 'birthName', k: 'set', val: 'LEBRUN' },
      { e: 'patient', id: 'p0', f: 'mergedInto', k: 'set', val: 'p1' },
      { e: 'visit', id: 'b1', f: 'stopId', k: 'set', val: 'today' },
      { e: 'visit', id: 'b1', f: 'patientId', k: 'set', val: 'p0' },
    ];
    expect(pullPage(log.slice(0, 3), 0, 3, now).ops.map((x) => x.op.id)).toEqual(['today']);
    const second = pullPage(log, 3, 5, now);
    expect(second.ops.map((x) => `${x.op.e}:${x.op.id}:${x.op.f}`)).toEqual([
      'patient:p1:birthName',
      'patient:p0:mergedInto',
      'visit:b1:stopId',
      'visit:b1:patientId',
    ]);
  });

  it('and receives nothing of a patient who was never in its scope', () => {
    const log: LogOp[] = [
      { e: 'stop', id: 'today', f: 'date', k: 'set', val: '2026-11-30' },
      { e: 'patient', id: 'p0', f: 'birthName', k: 'set', val: 'MARTIN' },
      { e: 'patient', id: 'p1', f: 'birthName', k: 'set', val: 'LEBRUN' },
      { e: 'visit', id: 'b1', f: 'stopId', k: 'set', val: 'today' },
      { e: 'visit', id: 'b1', f: 'patientId', k: 'set', val: 'p0' },
    ];
    const first = pullPage(log.slice(0, 3), 0, 3, now);
    expect(first.ops.map((x) => x.op.id)).toEqual(['today']);
    const second = pullPage(log, 3, 5, now);
    // p0 is checked in: its name, written before, comes with the visit; p1 never does.
    expect(second.ops.map((x) => `${x.op.e}:${x.op.id}`)).toEqual([
      'patient:p0',
      'visit:b1',
      'visit:b1',
    ]);
  });
});
