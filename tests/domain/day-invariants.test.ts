// The day's clinical invariants (docs/decisions/0004-day-invariants.md): what a merged day must
// still mean, the effective status screens show, and every breach named as a contradiction.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Contradiction,
  contradictionId,
  countedConsultations,
  type DayRows,
  dayContradictions,
  effectiveEntries,
  entriesWithOpenContradiction,
  openContradictions,
  settlements,
  withEffectiveStatus,
} from '../../src/domain/day-invariants';
import {
  type Consultation,
  type ContradictionAck,
  entitySpec,
  type QueueEntry,
  type QueueStatus,
  SCHEMA_VERSION,
  type Visit,
} from '../../src/domain/entities';
import { computeIndicators } from '../../src/domain/indicators';
import { type QueueAction, STATUS_RANK, statusValue, transition } from '../../src/domain/queue';
import { encodeHlc } from '../../src/sync/hlc';
import { applyOp, baseOf, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

// ---- fixtures ------------------------------------------------------------------------------

const visit = (id = 'v1', patientId = 'p1'): Visit => ({
  id,
  orgId: 'org',
  patientId,
  stopId: 'stop',
  appointmentId: null,
  arrivedAt: '2026-12-03T08:00:00.000Z',
  motif: 'toux',
  noMt: false,
  ald: false,
  urgent: false,
  urgentReason: null,
});

const entry = (
  id: string,
  status: QueueStatus,
  over: Partial<QueueEntry> = {},
  epoch = 0,
): QueueEntry => ({
  id,
  orgId: 'org',
  visitId: 'v1',
  stopId: 'stop',
  serviceId: 'mg',
  position: 0,
  ticket: 'MG-001',
  status: statusValue(status, epoch),
  roomId: null,
  practitionerId: null,
  calledAt: null,
  startedAt: null,
  endedAt: null,
  comingFromRoomId: null,
  endReason: null,
  ...over,
});

const note = (
  id: string,
  queueEntryId: string,
  over: Partial<Consultation> = {},
): Consultation => ({
  id,
  orgId: 'org',
  queueEntryId,
  visitId: 'v1',
  patientId: 'p1',
  stopId: 'stop',
  serviceId: 'mg',
  authorId: 'dr-a',
  supervisorId: null,
  motif: '',
  subjective: '',
  objective: '',
  assessment: '',
  plan: '',
  codes: [],
  orientation: { kind: 'none' },
  confidentiality: 'standard',
  status: 'draft',
  returnComment: null,
  createdAt: '2026-12-03T09:00:00.000Z',
  roomId: 'box1',
  ...over,
});

const ack = (id: string, c: Contradiction, over: Partial<ContradictionAck> = {}) =>
  ({
    id,
    orgId: 'org',
    stopId: c.stopId,
    contradictionId: c.id,
    kind: c.kind,
    at: '2026-12-03T12:00:00.000Z',
    staffId: 'coord',
    decision: 'acknowledged',
    keptConsultationId: null,
    ...over,
  }) satisfies ContradictionAck;

const kinds = (list: Contradiction[]) => list.map((c) => c.kind);

// ---- the morning of issue #14 ----------------------------------------------------------------

describe('the offline morning of issue #14', () => {
  it('two signed notes for one visit: named, both kept, counted once', () => {
    const rows: DayRows = {
      visits: [visit()],
      queueEntries: [entry('q1', 'done', { roomId: 'box2', practitionerId: 'dr-b' })],
      consultations: [
        note('c1', 'q1', { status: 'to_validate', roomId: 'box1', authorId: 'dr-a' }),
        note('c2', 'q1', { status: 'to_validate', roomId: 'box2', authorId: 'dr-b' }),
      ],
    };
    const list = dayContradictions(rows);
    expect(kinds(list)).toEqual(['two_consultations']);
    expect(list[0]).toMatchObject({
      id: 'two_consultations:c1+c2',
      visitId: 'v1',
      patientId: 'p1',
      serviceId: 'mg',
      queueEntryIds: ['q1'],
      consultationIds: ['c1', 'c2'],
      roomIds: ['box1', 'box2'],
      staffIds: ['dr-a', 'dr-b'],
      tickets: ['MG-001'],
      settledBy: 'person',
      open: true,
    });
    expect(countedConsultations(rows.consultations!).map((c) => c.id)).toEqual(['c1']);
  });

  it('seen in Box 1, then called and marked absent by a stale Box 2: done in Box 1, shown', () => {
    // The merge keeps « terminé » (rank) but the room register went to Box 2's later write.
    const rows: DayRows = {
      visits: [visit()],
      queueEntries: [entry('q1', 'done', { roomId: 'box2', practitionerId: 'dr-b' })],
      consultations: [note('c1', 'q1', { status: 'to_validate', roomId: 'box1' })],
    };
    const list = dayContradictions(rows);
    expect(kinds(list)).toEqual(['stale_call']);
    expect(list[0]!.effective).toEqual({ queueEntryId: 'q1', status: 'done', roomId: 'box1' });
    expect(list[0]!.settledBy).toBe('rule');
    const [shown] = withEffectiveStatus(rows);
    expect(shown!.roomId).toBe('box1');
    expect(shown!.status).toEqual(statusValue('done'));
  });

  it('in consultation in Box 2 while reception marked « parti »: still in consultation, shown', () => {
    const rows: DayRows = {
      visits: [visit()],
      queueEntries: [
        entry('q1', 'left', { roomId: 'box2', startedAt: '2026-12-03T09:00:00.000Z' }),
      ],
      consultations: [note('c1', 'q1', { roomId: 'box2', authorId: 'dr-b' })],
    };
    const list = dayContradictions(rows);
    expect(kinds(list)).toEqual(['ended_with_note']);
    expect(list[0]!.effective).toEqual({
      queueEntryId: 'q1',
      status: 'in_consultation',
      roomId: 'box2',
    });
    expect(withEffectiveStatus(rows)[0]!.status).toEqual({
      status: 'in_consultation',
      epoch: 0,
      rank: STATUS_RANK.in_consultation,
    });
  });

  it('on a device without notes (reception), the take-in time is the evidence', () => {
    const rows: DayRows = {
      visits: [visit()],
      queueEntries: [
        entry('q1', 'left', { roomId: 'box2', startedAt: '2026-12-03T09:00:00.000Z' }),
      ],
    };
    expect(kinds(dayContradictions(rows))).toEqual(['ended_with_note']);
    expect(effectiveEntries(rows).get('q1')).toMatchObject({
      status: 'in_consultation',
      evidence: 'taken_in',
    });
  });
});

describe('occupancy on effective statuses', () => {
  it('names one patient in two rooms and two patients in one room', () => {
    const rows: DayRows = {
      visits: [visit('v1'), visit('v2', 'p2')],
      queueEntries: [
        entry('a', 'called', { roomId: 'box1' }),
        entry('b', 'in_consultation', { roomId: 'box2', serviceId: 'ide' }),
        entry('c', 'called', { roomId: 'box2', visitId: 'v2', ticket: 'MG-002' }),
      ],
    };
    const list = dayContradictions(rows);
    expect(list.map((c) => c.id)).toEqual([
      'patient_in_two_rooms:a+b',
      'room_two_patients:b+box2+c',
    ]);
    expect(list[1]!.roomIds).toEqual(['box2']);
    expect([...entriesWithOpenContradiction(list)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('a patient recorded absent but still with an open note occupies the room', () => {
    const rows: DayRows = {
      visits: [visit('v1'), visit('v2', 'p2')],
      queueEntries: [
        entry('a', 'no_show', { roomId: 'box1' }),
        entry('b', 'called', { roomId: 'box1', visitId: 'v2' }),
      ],
      consultations: [note('c1', 'a', { roomId: 'box1' })],
    };
    expect(dayContradictions(rows).map((c) => c.kind)).toEqual([
      'ended_with_note',
      'room_two_patients',
    ]);
  });

  it('a normal day has no contradiction', () => {
    const rows: DayRows = {
      visits: [visit('v1'), visit('v2', 'p2')],
      queueEntries: [
        entry('a', 'done', { roomId: 'box1', practitionerId: 'dr-a' }),
        entry('b', 'in_consultation', { roomId: 'box1', visitId: 'v2', practitionerId: 'dr-a' }),
        entry('c', 'done', { roomId: 'box2', serviceId: 'ide', comingFromRoomId: 'box1' }),
      ],
      consultations: [
        note('c1', 'a', { status: 'validated' }),
        note('c2', 'b', { visitId: 'v2' }),
        note('c3', 'c', { serviceId: 'ide', roomId: 'box2', authorId: 'ide-x' }),
      ],
    };
    expect(dayContradictions(rows)).toEqual([]);
  });
});

describe('acknowledgement', () => {
  const rows: DayRows = {
    visits: [visit()],
    queueEntries: [entry('q1', 'done', { roomId: 'box1' })],
    consultations: [
      note('c1', 'q1', { status: 'to_validate' }),
      note('c2', 'q1', { status: 'to_validate', roomId: 'box2', authorId: 'dr-b' }),
    ],
  };

  it('keeps the contradiction listed, closed, with who acknowledged it', () => {
    const [c] = dayContradictions(rows);
    const acked = dayContradictions({ ...rows, acknowledgements: [ack('k1', c!)] });
    expect(acked).toHaveLength(1);
    expect(acked[0]).toMatchObject({ open: false, acknowledgementIds: ['k1'] });
    expect(openContradictions(acked)).toEqual([]);
    expect(entriesWithOpenContradiction(acked).size).toBe(0);
  });

  it('reopens when new evidence changes the subjects (a third note)', () => {
    const [c] = dayContradictions(rows);
    const more = {
      ...rows,
      consultations: [...rows.consultations!, note('c3', 'q1', { authorId: 'dr-c' })],
      acknowledgements: [ack('k1', c!)],
    };
    expect(openContradictions(dayContradictions(more)).map((x) => x.id)).toEqual([
      'two_consultations:c1+c2+c3',
    ]);
  });

  it('the note a person kept is the one indicators count', () => {
    const [c] = dayContradictions(rows);
    const kept = countedConsultations(rows.consultations!, {
      acknowledgements: [ack('k1', c!, { decision: 'addendum', keptConsultationId: 'c2' })],
    });
    expect(kept.map((x) => x.id)).toEqual(['c2']);
  });

  it('two devices acknowledging at once converge on one outcome, both kept as audit', () => {
    const [c] = dayContradictions(rows);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.constantFrom('c1', 'c2'), { minLength: 5, maxLength: 5 }),
        (ids, keptIds) => {
          const acks = ids.map((id, i) =>
            ack(id, c!, { decision: 'addendum', keptConsultationId: keptIds[i]! }),
          );
          const a = settlements(acks).get(c!.id)!;
          const b = settlements([...acks].reverse()).get(c!.id)!;
          expect(a).toEqual(b);
          expect(a.id).toBe([...ids].sort()[0]);
          const listed = dayContradictions({ ...rows, acknowledgements: [...acks].reverse() });
          expect(listed[0]!.acknowledgementIds).toEqual([...ids].sort());
          const counted = countedConsultations(rows.consultations!, { acknowledgements: acks });
          expect(counted.map((x) => x.id)).toEqual([a.keptConsultationId]);
        },
      ),
    );
  });
});

describe('purged rows', () => {
  it('a note whose entry was purged derives nothing and brings nothing back', () => {
    const rows: DayRows = {
      visits: [],
      queueEntries: [entry('q1', 'done', { _deleted: true })],
      consultations: [note('c1', 'q1', { status: 'to_validate' }), note('c2', 'q1')],
    };
    expect(dayContradictions(rows)).toEqual([]);
    expect(dayContradictions({ ...rows, queueEntries: [] })).toEqual([]);
    expect(effectiveEntries(rows).size).toBe(0);
  });

  it('an acknowledgement of a purged day names nothing', () => {
    const orphan = {
      ...ack('k1', {
        id: contradictionId('stale_call', ['q9', 'c9']),
        stopId: 'stop',
        kind: 'stale_call',
      } as Contradiction),
    };
    expect(dayContradictions({ visits: [], queueEntries: [], acknowledgements: [orphan] })).toEqual(
      [],
    );
  });
});

// ---- two devices offline, their ops merged in any order ------------------------------------

/** A device acting on its own replica: it sees only its own ops until the merge. */
interface Device {
  dev: string;
  room: string;
  staff: string;
  skewMs: number;
  seq: number;
  states: Map<string, RowState>;
  ops: Op[];
  /** The note this device opened, if any. */
  noteId: string | null;
}

const T0 = Date.parse('2026-12-03T08:00:00.000Z');
const key = (e: string, id: string) => `${e}/${id}`;

function emit(d: Device, step: number, e: string, id: string, f: string, val: unknown): void {
  d.seq++;
  const st = d.states.get(key(e, id));
  const op: Op = {
    v: SCHEMA_VERSION,
    org: 'org',
    dev: d.dev,
    seq: d.seq,
    hlc: encodeHlc(T0 + d.skewMs + step * 1000, d.seq, d.dev),
    user: d.staff,
    e,
    id,
    f,
    k: 'set',
    val,
    base: baseOf(st, f),
  };
  d.states.set(key(e, id), applyOp(st, op, entitySpec));
  d.ops.push(op);
}

function read<T>(states: Map<string, RowState>, e: string, id: string): T | undefined {
  const st = states.get(key(e, id));
  return st ? (materialise(st, entitySpec) as T) : undefined;
}

type Act = QueueAction | 'sign';
const ACTS: Act[] = ['call', 'start', 'sign', 'finish', 'no_show', 'leave', 'cancel', 'requeue'];

/** The shared morning: one visit, one waiting entry, known to both devices. */
function seedOps(): Op[] {
  const base = { v: SCHEMA_VERSION, org: 'org', dev: 'rec', k: 'set' as const, base: [] };
  const fields: [string, string, string, unknown][] = [
    ['visit', 'v1', 'patientId', 'p1'],
    ['visit', 'v1', 'stopId', 'stop'],
    ['queueEntry', 'q1', 'visitId', 'v1'],
    ['queueEntry', 'q1', 'stopId', 'stop'],
    ['queueEntry', 'q1', 'serviceId', 'mg'],
    ['queueEntry', 'q1', 'ticket', 'MG-001'],
    ['queueEntry', 'q1', 'status', statusValue('waiting')],
    ['queueEntry', 'q1', 'roomId', null],
    ['queueEntry', 'q1', 'practitionerId', null],
    ['queueEntry', 'q1', 'startedAt', null],
  ];
  return fields.map(([e, id, f, val], i) => ({
    ...base,
    seq: i + 1,
    hlc: encodeHlc(T0 - 60_000, i, 'rec'),
    e,
    id,
    f,
    val,
  }));
}

function act(d: Device, a: Act, step: number): void {
  const e = read<QueueEntry>(d.states, 'queueEntry', 'q1')!;
  if (a === 'sign') {
    if (d.noteId) emit(d, step, 'consultation', d.noteId, 'status', 'to_validate');
    return;
  }
  const next = transition(e.status, a);
  if (!next.ok) return;
  const at = new Date(T0 + d.skewMs + step * 1000).toISOString();
  emit(d, step, 'queueEntry', 'q1', 'status', next.value);
  if (a === 'call' || a === 'start') {
    emit(d, step, 'queueEntry', 'q1', 'roomId', d.room);
    emit(d, step, 'queueEntry', 'q1', 'practitionerId', d.staff);
  }
  if (a === 'requeue') {
    emit(d, step, 'queueEntry', 'q1', 'roomId', null);
    emit(d, step, 'queueEntry', 'q1', 'practitionerId', null);
  }
  if (a === 'start') {
    emit(d, step, 'queueEntry', 'q1', 'startedAt', at);
    d.noteId = `note-${d.dev}`;
    const fields: Record<string, unknown> = {
      queueEntryId: 'q1',
      visitId: 'v1',
      patientId: 'p1',
      stopId: 'stop',
      serviceId: 'mg',
      authorId: d.staff,
      supervisorId: null,
      status: 'draft',
      createdAt: at,
      roomId: d.room,
    };
    for (const [f, v] of Object.entries(fields)) emit(d, step, 'consultation', d.noteId, f, v);
  }
}

function merged(ops: readonly Op[]): Map<string, RowState> {
  const states = new Map<string, RowState>();
  for (const op of ops) {
    const k = key(op.e, op.id);
    states.set(k, applyOp(states.get(k), op, entitySpec));
  }
  return states;
}

function rowsOf(states: Map<string, RowState>): Required<Pick<DayRows, 'consultations'>> & DayRows {
  const all = [...states.values()].map((s) => ({ e: s.e, row: materialise(s, entitySpec) }));
  const of = <T>(e: string) => all.filter((x) => x.e === e).map((x) => x.row as unknown as T);
  // Fields this history never writes are absent from the merged row: fill them as a device would.
  const entries = of<Partial<QueueEntry>>('queueEntry').map(
    (q): QueueEntry => ({ ...entry(String(q.id), 'waiting'), ...q }),
  );
  return {
    visits: of<Visit>('visit'),
    queueEntries: entries,
    consultations: of<Consultation>('consultation'),
  };
}

/**
 * An oracle written apart from the rules: every breach of the day's meaning visible in the rows,
 * as the entry it concerns.
 */
function brokenEntries(rows: ReturnType<typeof rowsOf>): Set<string> {
  const out = new Set<string>();
  const notes = rows.consultations;
  for (const e of rows.queueEntries) {
    const own = notes.filter((c) => c.queueEntryId === e.id);
    const ended = ['no_show', 'left', 'cancelled'].includes(e.status.status);
    if (own.length > 1) out.add(e.id);
    if (ended && (own.length > 0 || e.startedAt)) out.add(e.id);
    for (const c of own) {
      if (e.roomId !== null && c.roomId && c.roomId !== e.roomId) out.add(e.id);
      if (e.practitionerId !== null && e.practitionerId !== c.authorId) out.add(e.id);
    }
  }
  return out;
}

const history = fc.record({
  a: fc.array(fc.constantFrom(...ACTS), { maxLength: 6 }),
  b: fc.array(fc.constantFrom(...ACTS), { maxLength: 6 }),
  seed: fc.integer(),
  skewB: fc.constantFrom(0, 24 * 3600_000, -24 * 3600_000),
});

function play(h: { a: Act[]; b: Act[]; skewB: number }) {
  const seed = seedOps();
  const mk = (dev: string, room: string, staff: string, skewMs: number): Device => ({
    dev,
    room,
    staff,
    skewMs,
    seq: 0,
    states: merged(seed),
    ops: [],
    noteId: null,
  });
  const box1 = mk('box1-tab', 'box1', 'dr-a', 0);
  const box2 = mk('box2-tab', 'box2', 'dr-b', h.skewB);
  for (const [i, x] of h.a.entries()) act(box1, x, i + 1);
  for (const [i, x] of h.b.entries()) act(box2, x, i + 1);
  return { seed, ops: [...box1.ops, ...box2.ops] };
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('two devices offline, merged in any order', () => {
  it('every broken invariant is named, whatever the merge order', () => {
    const seen = new Set<string>();
    const property = fc.property(history, (h) => {
      const { seed, ops } = play(h);
      const rows = rowsOf(merged([...seed, ...shuffle(ops, h.seed)]));
      const list = dayContradictions(rows);
      const named = new Set(list.flatMap((c) => c.queueEntryIds));
      for (const id of brokenEntries(rows)) expect(named).toContain(id);
      for (const c of list) seen.add(c.kind);
      // Same rows in another order: the same contradictions, ids and all.
      const again = dayContradictions(rowsOf(merged([...shuffle(ops, h.seed + 1), ...seed])));
      expect(again).toEqual(list);
    });
    // New histories at every run; then a fixed run of them that is known to reach every breach
    // (300 random histories missed a stale call once in CI, 6 December: the check below was then
    // the run's luck, not the property's).
    fc.assert(property, { numRuns: 300 });
    seen.clear();
    fc.assert(property, { numRuns: 300, seed: 20261206 });
    // The histories do reach the breaches of the offline morning (not a vacuous pass).
    expect([...seen].sort()).toEqual(['ended_with_note', 'stale_call', 'two_consultations']);
  });

  it('effective status never shows an end without care for an entry with a signed note', () => {
    fc.assert(
      fc.property(history, (h) => {
        const { seed, ops } = play(h);
        const rows = rowsOf(merged([...seed, ...shuffle(ops, h.seed)]));
        const signed = rows.consultations.some((c) => c.status === 'to_validate');
        const [shown] = withEffectiveStatus(rows);
        if (signed) expect(shown!.status.status).toBe('done');
        if (rows.consultations.length > 0 || rows.queueEntries[0]!.startedAt) {
          expect(['no_show', 'left', 'cancelled']).not.toContain(shown!.status.status);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('indicators count the visit and its consultation once', () => {
    fc.assert(
      fc.property(history, (h) => {
        const { seed, ops } = play(h);
        const rows = rowsOf(merged([...seed, ...shuffle(ops, h.seed)]));
        const ind = computeIndicators({
          stops: [
            {
              id: 'stop',
              orgId: 'org',
              unitId: 'u',
              date: '2026-12-03',
              communeInsee: '72180',
              communeName: 'Mamers',
              address: '',
              opensAt: '08:30',
              closesAt: '17:00',
              status: 'open',
            },
          ],
          visits: rows.visits.map((v) => ({ ...visit(), ...v })),
          queueEntries: rows.queueEntries,
          consultations: rows.consultations.map((c) => ({ ...note(c.id, 'q1'), ...c })),
          appointments: [],
          patients: [],
          rosterSlots: [],
          rooms: [],
          services: [],
        });
        expect(ind.totals.visits).toBe(1);
        expect(ind.totals.consultations).toBe(rows.consultations.length > 0 ? 1 : 0);
        expect(ind.totals.queueEntries).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('a device 24 h off in clock derives the same rank-decided contradictions', () => {
    fc.assert(
      fc.property(history, (h) => {
        const ranked = (skewB: number) => {
          const { seed, ops } = play({ ...h, skewB });
          const rows = rowsOf(merged([...seed, ...ops]));
          return {
            // Which note is which, and whether an end without care met evidence, come from ids
            // and ranks; the room register alone is last-writer-wins and may differ.
            ids: dayContradictions(rows)
              .filter((c) => c.kind === 'two_consultations' || c.kind === 'ended_with_note')
              .map((c) => c.id),
            // Two ends of equal rank (left, cancelled) tie by clock: compare the rank.
            rank: withEffectiveStatus(rows)[0]!.status.rank,
          };
        };
        const base = ranked(0);
        expect(ranked(24 * 3600_000)).toEqual(base);
        expect(ranked(-24 * 3600_000)).toEqual(base);
      }),
      { numRuns: 200 },
    );
  });
});

describe('two coordinators settle one contradiction at once', () => {
  it('converges to one outcome, through the merge, whatever the order; both kept as audit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<QueueStatus>('done', 'in_consultation'),
        fc.constantFrom<QueueStatus>('done', 'in_consultation'),
        fc.integer(),
        fc.constantFrom(0, 24 * 3600_000),
        (choiceA, choiceB, seed, skew) => {
          // The morning: Box 1 took the patient in and signed; reception marked them « parti ».
          const { seed: shared, ops: morning } = play({
            a: ['start', 'sign'],
            b: ['leave'],
            skewB: 0,
          });
          const day = [...shared, ...morning];
          const before = rowsOf(merged(day));
          const [c] = dayContradictions(before).filter((x) => x.kind === 'ended_with_note');
          expect(c).toBeDefined();
          // Two coordination devices, each with the merged day, settle it without seeing each other.
          const settle = (dev: string, choice: QueueStatus, skewMs: number, ackId: string) => {
            const d: Device = {
              dev,
              room: 'box1',
              staff: `coord-${dev}`,
              skewMs,
              seq: 0,
              states: merged(day),
              ops: [],
              noteId: null,
            };
            const e = read<QueueEntry>(d.states, 'queueEntry', 'q1')!;
            emit(d, 50, 'queueEntry', 'q1', 'status', statusValue(choice, e.status.epoch + 1));
            const row = ack(ackId, c!, { decision: 'status_kept', staffId: `coord-${dev}` });
            const { id, ...val } = row;
            d.seq++;
            d.ops.push({
              v: SCHEMA_VERSION,
              org: 'org',
              dev,
              seq: d.seq,
              hlc: encodeHlc(T0 + skewMs + 60_000, d.seq, dev),
              user: `coord-${dev}`,
              e: 'contradictionAck',
              id,
              f: '*',
              k: 'ins',
              val,
            });
            return d.ops;
          };
          const resolutions = [
            ...settle('coordA', choiceA, 0, 'ack-a'),
            ...settle('coordB', choiceB, skew, 'ack-b'),
          ];
          const outcome = (ops: Op[]) => {
            const states = merged(ops);
            const acks = [...states.values()]
              .filter((s) => s.e === 'contradictionAck')
              .map((s) => materialise(s, entitySpec) as unknown as ContradictionAck);
            const rows = { ...rowsOf(states), acknowledgements: acks };
            return {
              status: read<QueueEntry>(states, 'queueEntry', 'q1')!.status,
              effective: withEffectiveStatus(rows)[0]!.status.status,
              winner: settlements(acks).get(c!.id)?.id,
              acks: acks.map((a) => a.id).sort(),
              listed: dayContradictions(rows).find((x) => x.id === c!.id),
            };
          };
          const one = outcome([...day, ...shuffle(resolutions, seed)]);
          const two = outcome([...shuffle(resolutions, seed + 7), ...shuffle(day, seed)]);
          expect(two).toEqual(one);
          // One outcome: the rank of the choices decides the status (0001), the smallest ack id
          // the settlement; both acknowledgements stay; the rows agree again, so the breach is
          // no longer derived at all.
          const best = STATUS_RANK[choiceA] >= STATUS_RANK[choiceB] ? choiceA : choiceB;
          expect(one.status.status).toBe(best);
          expect(one.effective).toBe('done'); // the signed note still decides what screens show
          expect(one.winner).toBe('ack-a');
          expect(one.acks).toEqual(['ack-a', 'ack-b']);
          expect(one.listed).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});
