// The field rules the server applies with the rows it stores (issue #20 item 3, issue #21
// item 3), as a table: which room holds a restricted note is not decided by a field that room
// writes; declassifying or deleting a note is for its author before signature or the
// coordination; a signed note's content does not change; parked ops come from relays only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fieldRefusal,
  NOTE_FIXED_FIELDS,
  type PushContext,
  pushRefusal,
  restrictedHiddenFrom,
  SIGNED_NOTE_WRITABLE,
  type StoredFacts,
  type Writer,
} from '../../src/domain/access';
import { ENTITY_SPECS, SCHEMA_VERSION } from '../../src/domain/entities';
import type { Op } from '../../src/sync/op';

const BOX1 = 'box-1';
const BOX2 = 'box-2';
const AUTHOR = 'author';
const OTHER = 'other-clinician';

const room1: Writer = { profile: 'room', deviceId: 'laptop-1', roomId: BOX1 };
const room2: Writer = { profile: 'room', deviceId: 'laptop-2', roomId: BOX2 };
const reception: Writer = { profile: 'reception', deviceId: 'tablet', roomId: null };
const coordination: Writer = { profile: 'coordination', deviceId: 'office', roomId: null };
const display: Writer = { profile: 'display', deviceId: 'screen', roomId: null };

const note = (over: Record<string, unknown> = {}) => ({
  id: 'c1',
  queueEntryId: 'q1',
  authorId: AUTHOR,
  confidentiality: 'sexual_health',
  status: 'draft',
  roomId: BOX1,
  ...over,
});
const entry = (roomId: string | null, status = 'in_consultation') => ({
  id: 'q1',
  roomId,
  status: { status, epoch: 0, rank: 2 },
});

function op(writer: Writer, fields: Partial<Op> & Pick<Op, 'e' | 'f' | 'k'>): Op {
  return {
    v: SCHEMA_VERSION,
    org: 'o',
    dev: writer.deviceId,
    seq: 1,
    hlc: `0m3x1k2ab:0000:${writer.deviceId}`,
    id: fields.e === 'queueEntry' ? 'q1' : 'c1',
    ...fields,
  };
}

type Case = [string, Writer, Partial<Op> & Pick<Op, 'e' | 'f' | 'k'>, StoredFacts, boolean];

// [what, who, op, stored rows, accepted]
const restrictedIn1: StoredFacts = { consultation: note(), queueEntry: entry(BOX1) };
const signedIn1: StoredFacts = {
  consultation: note({ status: 'to_validate', confidentiality: 'standard' }),
  queueEntry: entry(BOX1),
};
const TABLE: Case[] = [
  // The day's flow: a room on a stale view (offline while room 1 took the patient) is accepted;
  // the day's contradictions name it. The note stays room 1's (its own roomId).
  [
    'room 2, on a stale view, takes room 1’s patient into itself',
    room2,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX2, user: OTHER },
    { queueEntry: entry(BOX1) },
    true,
  ],
  [
    'room 1 moves its own held entry to room 2',
    room1,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX2, user: AUTHOR },
    { queueEntry: entry(BOX1) },
    false,
  ],
  [
    'reception, on a stale view, sends a held entry to room 2',
    reception,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX2 },
    { queueEntry: entry(BOX1) },
    true,
  ],
  [
    'the coordination moves a held entry',
    coordination,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX2 },
    { queueEntry: entry(BOX1) },
    true,
  ],
  [
    'room 1 writes the same room again',
    room1,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX1 },
    { queueEntry: entry(BOX1) },
    true,
  ],
  [
    'room 2 calls a waiting patient',
    room2,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX2 },
    { queueEntry: entry(null, 'waiting') },
    true,
  ],
  [
    'room 2 calls a patient into room 1',
    room2,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: BOX1 },
    { queueEntry: entry(null, 'waiting') },
    false,
  ],
  [
    'room 1 requeues its called patient',
    room1,
    { e: 'queueEntry', f: 'roomId', k: 'set', val: null },
    { queueEntry: entry(BOX1, 'called') },
    true,
  ],
  [
    'room 2, on a stale view, ends room 1’s consultation',
    room2,
    { e: 'queueEntry', f: 'endedAt', k: 'set', val: '2026-12-03T10:00:00Z' },
    { queueEntry: entry(BOX1) },
    true,
  ],
  // The note's own room: which room holds it, fixed by the room that writes it.
  [
    'room 1 writes its new note’s room',
    room1,
    { e: 'consultation', f: 'roomId', k: 'set', val: BOX1, user: AUTHOR },
    {},
    true,
  ],
  [
    'room 2 writes a new note into room 1',
    room2,
    { e: 'consultation', f: 'roomId', k: 'set', val: BOX1, user: OTHER },
    {},
    false,
  ],
  [
    'room 1 moves its restricted note to room 2',
    room1,
    { e: 'consultation', f: 'roomId', k: 'set', val: BOX2, user: AUTHOR },
    restrictedIn1,
    false,
  ],
  [
    'the coordination moves a note to room 2',
    coordination,
    { e: 'consultation', f: 'roomId', k: 'set', val: BOX2, user: OTHER },
    restrictedIn1,
    true,
  ],
  [
    'room 2 edits room 1’s restricted note after moving its entry',
    room2,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER },
    { consultation: note(), queueEntry: entry(BOX2) },
    false,
  ],
  [
    'room 2 edits room 1’s restricted note written before notes had a room',
    room2,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER },
    { consultation: note({ roomId: undefined }), queueEntry: entry(BOX1) },
    false,
  ],
  [
    'room 1 finishes its consultation',
    room1,
    { e: 'queueEntry', f: 'endedAt', k: 'set', val: '2026-12-03T10:00:00Z' },
    { queueEntry: entry(BOX1) },
    true,
  ],
  [
    'room 1 deletes its held entry',
    room1,
    { e: 'queueEntry', f: '_deleted', k: 'del', val: true },
    { queueEntry: entry(BOX1) },
    false,
  ],
  [
    'reception ends a waiting entry',
    reception,
    { e: 'queueEntry', f: 'endReason', k: 'set', val: 'parti' },
    { queueEntry: entry(null, 'waiting') },
    true,
  ],
  // Re-pointing the note to another queue entry is moving it too.
  [
    'room 1 re-points its note to another entry',
    room1,
    { e: 'consultation', f: 'queueEntryId', k: 'set', val: 'q2', user: AUTHOR },
    restrictedIn1,
    false,
  ],
  [
    'room 1 changes its note’s author',
    room1,
    { e: 'consultation', f: 'authorId', k: 'set', val: OTHER, user: AUTHOR },
    restrictedIn1,
    false,
  ],
  [
    'the coordination re-points a note',
    coordination,
    { e: 'consultation', f: 'queueEntryId', k: 'set', val: 'q2', user: OTHER },
    restrictedIn1,
    true,
  ],
  [
    'a new note: every field',
    room1,
    { e: 'consultation', f: 'queueEntryId', k: 'set', val: 'q1', user: AUTHOR },
    {},
    true,
  ],
  // Declassification.
  [
    'room 2 declassifies room 1’s note',
    room2,
    { e: 'consultation', f: 'confidentiality', k: 'set', val: 'standard', user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'another clinician in room 1 declassifies it',
    room1,
    { e: 'consultation', f: 'confidentiality', k: 'set', val: 'standard', user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'its author declassifies it before signing',
    room1,
    { e: 'consultation', f: 'confidentiality', k: 'set', val: 'standard', user: AUTHOR },
    restrictedIn1,
    true,
  ],
  [
    'the coordination declassifies it',
    coordination,
    { e: 'consultation', f: 'confidentiality', k: 'set', val: 'standard', user: OTHER },
    restrictedIn1,
    true,
  ],
  [
    'anyone in the room restricts a standard note',
    room1,
    { e: 'consultation', f: 'confidentiality', k: 'set', val: 'social', user: OTHER },
    { consultation: note({ confidentiality: 'standard' }), queueEntry: entry(BOX1) },
    true,
  ],
  // Deletion.
  [
    'room 2 tombstones room 1’s restricted note',
    room2,
    { e: 'consultation', f: '_deleted', k: 'del', val: true, user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'another clinician deletes the note',
    room1,
    { e: 'consultation', f: '_deleted', k: 'del', val: true, user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'its author deletes a draft',
    room1,
    { e: 'consultation', f: '_deleted', k: 'del', val: true, user: AUTHOR },
    restrictedIn1,
    true,
  ],
  [
    'its author deletes a signed note',
    room1,
    { e: 'consultation', f: '_deleted', k: 'del', val: true, user: AUTHOR },
    signedIn1,
    false,
  ],
  [
    'the coordination deletes a signed note',
    coordination,
    { e: 'consultation', f: '_deleted', k: 'del', val: true, user: OTHER },
    signedIn1,
    true,
  ],
  // Another room's restricted note and its events.
  [
    'room 2 edits room 1’s restricted note',
    room2,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'room 2 adds an addendum to it',
    room2,
    { e: 'addendum', f: '*', k: 'ins', val: { consultationId: 'c1' }, user: OTHER },
    restrictedIn1,
    false,
  ],
  [
    'room 1 adds an addendum to it',
    room1,
    { e: 'addendum', f: '*', k: 'ins', val: { consultationId: 'c1' }, user: AUTHOR },
    restrictedIn1,
    true,
  ],
  [
    'room 2 edits room 1’s standard note',
    room2,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER },
    { consultation: note({ confidentiality: 'standard' }), queueEntry: entry(BOX1) },
    true,
  ],
  // A signed note (issue #21 item 3).
  [
    'its author edits the signed plan',
    room1,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: AUTHOR },
    signedIn1,
    false,
  ],
  [
    'the coordination edits the signed plan',
    coordination,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER },
    signedIn1,
    false,
  ],
  [
    'codes added to a signed note',
    room1,
    { e: 'consultation', f: 'codes', k: 'add', val: {}, user: AUTHOR },
    signedIn1,
    false,
  ],
  [
    'a signed note validated',
    coordination,
    { e: 'consultation', f: 'status', k: 'set', val: 'validated', user: OTHER },
    signedIn1,
    true,
  ],
  [
    'a signed note returned with a comment',
    room1,
    { e: 'consultation', f: 'returnComment', k: 'set', val: 'Reprendre', user: OTHER },
    signedIn1,
    true,
  ],
  [
    'a returned note edited again',
    room1,
    { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: AUTHOR },
    {
      consultation: note({ status: 'returned', confidentiality: 'standard' }),
      queueEntry: entry(BOX1),
    },
    true,
  ],
  [
    'an addendum to a signed note',
    room1,
    { e: 'addendum', f: '*', k: 'ins', val: { consultationId: 'c1' }, user: AUTHOR },
    signedIn1,
    true,
  ],
  // A relay's forwarding is checked against its origin device, not here.
  [
    'a relay',
    { profile: 'relay', deviceId: 'relay', roomId: null },
    { e: 'consultation', f: 'plan', k: 'set', val: 'x' },
    signedIn1,
    true,
  ],
];

describe('field rules on stored rows', () => {
  it.each(TABLE)('%s', (_what, writer, fields, stored, accepted) => {
    const refusal = fieldRefusal(writer, op(writer, fields), stored);
    if (accepted) expect(refusal).toBeNull();
    else expect(refusal).toMatch(/./);
  });

  it('keeps the signed note’s writable fields to its review', () => {
    const content = Object.keys(ENTITY_SPECS.consultation.fields).filter(
      (f) => !SIGNED_NOTE_WRITABLE.has(f),
    );
    expect([...SIGNED_NOTE_WRITABLE].sort()).toEqual([
      'confidentiality',
      'returnComment',
      'status',
    ]);
    expect(content).toContain('plan');
    for (const f of NOTE_FIXED_FIELDS) expect(ENTITY_SPECS.consultation.fields).toHaveProperty(f);
  });

  const writers = fc.constantFrom(room1, room2, reception, coordination, display);
  const fields = fc.constantFrom(...Object.keys(ENTITY_SPECS.consultation.fields), '_deleted');
  const statuses = fc.constantFrom('draft', 'to_validate', 'validated', 'returned');
  const classes = fc.constantFrom('standard', 'social', 'sexual_health');
  const users = fc.constantFrom(AUTHOR, OTHER);
  const rooms = fc.constantFrom(BOX1, BOX2, null);

  it('property: no device changes a signed note’s content, whoever it is', () => {
    fc.assert(
      fc.property(writers, fields, classes, users, fc.jsonValue(), (w, f, cls, user, val) => {
        fc.pre(!SIGNED_NOTE_WRITABLE.has(f) && f !== '_deleted');
        fc.pre(JSON.stringify(val) !== JSON.stringify(note()[f as 'id']));
        const stored = {
          consultation: note({ status: 'validated', confidentiality: cls }),
          queueEntry: entry(BOX1),
        };
        const k = f === 'codes' ? 'add' : 'set';
        expect(
          fieldRefusal(w, op(w, { e: 'consultation', f, k, val, user }), stored),
        ).not.toBeNull();
      }),
    );
  });

  it('property: a room never writes a restricted note held by another room, wherever its entry is', () => {
    fc.assert(
      fc.property(
        fields,
        statuses,
        users,
        rooms,
        fc.jsonValue(),
        (f, status, user, entryRoom, val) => {
          const stored = { consultation: note({ status }), queueEntry: entry(entryRoom) };
          const k = f === '_deleted' ? 'del' : f === 'codes' ? 'add' : 'set';
          expect(
            fieldRefusal(room2, op(room2, { e: 'consultation', f, k, val, user }), stored),
          ).not.toBeNull();
        },
      ),
    );
  });

  it('property: the room holding a note changes only by the coordination, and its entry’s room never decides who reads it', () => {
    fc.assert(
      fc.property(writers, rooms, rooms, (w, to, entryRoom) => {
        fc.pre(to !== BOX1);
        const refusal = fieldRefusal(
          w,
          op(w, { e: 'consultation', f: 'roomId', k: 'set', val: to, user: AUTHOR }),
          { consultation: note(), queueEntry: entry(entryRoom) },
        );
        expect(refusal === null).toBe(w.profile === 'coordination' || w.profile === 'relay');
        // Whatever a stale room wrote into the entry, the note reaches room 1 and only it.
        const viewer = (roomId: string) => ({ profile: 'room' as const, roomId });
        expect(restrictedHiddenFrom(viewer(BOX1), note(), entry(entryRoom))).toBe(false);
        expect(restrictedHiddenFrom(viewer(BOX2), note(), entry(entryRoom))).toBe(true);
      }),
    );
  });
});

describe('parked ops', () => {
  const ctx: PushContext = { staff: new Map([[AUTHOR, { active: true }]]), authorOf: () => AUTHOR };
  it('are accepted from a relay only', () => {
    for (const w of [room1, reception, coordination, display]) {
      const newer = {
        ...op(w, { e: 'futureThing', f: 'x', k: 'set', val: 1 }),
        v: SCHEMA_VERSION + 1,
      };
      expect(pushRefusal(w, newer, ctx)).toMatch(/version plus récente/);
    }
    const relay: Writer = { profile: 'relay', deviceId: 'relay' };
    const forwarded = {
      ...op(room1, { e: 'futureThing', f: 'x', k: 'set', val: 1 }),
      v: SCHEMA_VERSION + 1,
    };
    expect(pushRefusal(relay, forwarded, ctx)).toBeNull();
  });

  it('the display writes nothing, whatever the entity', () => {
    for (const e of Object.keys(ENTITY_SPECS)) {
      expect(
        pushRefusal(display, op(display, { e, f: 'x', k: 'set', val: 1 }), ctx),
      ).not.toBeNull();
    }
  });
});

describe('the clinical summary’s fixed fields (issue #15)', () => {
  const allergyRow = {
    id: 'a1',
    orgId: 'o',
    patientId: 'p1',
    recordedAt: '2026-12-04T09:00:00.000Z',
    recordedBy: AUTHOR,
    consultationId: null,
    severity: 'mild',
  };
  const stored: StoredFacts = { summaryRow: allergyRow };
  const write = (w: Writer, f: string, val: unknown) =>
    fieldRefusal(w, op(w, { e: 'allergy', id: 'a1', f, k: 'set', val, user: OTHER }), stored);

  it('a room may not move a recorded row to another patient, nor rewrite who or when; the coordination may', () => {
    for (const [f, val] of [
      ['patientId', 'p2'],
      ['recordedBy', OTHER],
      ['recordedAt', '2026-12-05T09:00:00.000Z'],
      ['consultationId', 'c9'],
    ] as const) {
      expect(write(room2, f, val), f).toMatch(/fixé à sa création/);
      expect(write(coordination, f, val), f).toBeNull();
      // Writing the stored value again is no change.
      expect(write(room2, f, allergyRow[f]), f).toBeNull();
    }
  });

  it('property: the clinical fields stay free for every room (field-level merge decides)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('severity', 'reaction', 'substance', 'note', 'kind', 'category'),
        fc.string({ maxLength: 20 }),
        (f, val) => {
          expect(write(room1, f, val)).toBeNull();
          expect(write(room2, f, val)).toBeNull();
        },
      ),
    );
  });

  it('a new row (nothing stored yet) is accepted as written', () => {
    const fresh = op(room1, { e: 'allergy', id: 'a2', f: 'patientId', k: 'set', val: 'p1' });
    expect(fieldRefusal(room1, fresh, {})).toBeNull();
  });
});

// Found by the replication simulation over the real parts: a server that lost what it held (a
// relay reinstalled empty, refilled from central before the device sent its ops again) judged
// late-arriving ops on a state they were not made on, and refused them for good.
describe('ops judged on a state they were not made on', () => {
  const signing = '0m3x1k2ab:0005:laptop-1';
  const signedLate: StoredFacts = { ...signedIn1, signing };
  const at = (hlc: string, fields: Partial<Op> & Pick<Op, 'e' | 'f' | 'k'>) => ({
    ...op(room1, fields),
    hlc,
  });

  it('a signed note takes the edits its signing device made before signing, sent again late', () => {
    const before = at('0m3x1k2ab:0002:laptop-1', {
      e: 'consultation',
      f: 'plan',
      k: 'set',
      val: 'x',
      user: AUTHOR,
    });
    expect(fieldRefusal(room1, before, signedLate)).toBeNull();
    const confidentiality = at('0m3x1k2a0:0000:laptop-1', {
      e: 'consultation',
      f: 'confidentiality',
      k: 'set',
      val: 'social',
      user: AUTHOR,
    });
    expect(fieldRefusal(room1, confidentiality, signedLate)).toBeNull();
  });

  it('but not an edit made after the signature, nor an earlier one from another device', () => {
    const after = at('0m3x1k2ab:0006:laptop-1', {
      e: 'consultation',
      f: 'plan',
      k: 'set',
      val: 'x',
      user: AUTHOR,
    });
    expect(fieldRefusal(room1, after, signedLate)).toMatch(/Note signée/);
    const other = {
      ...op(room2, { e: 'consultation', f: 'plan', k: 'set', val: 'x', user: OTHER }),
      hlc: '0m3x1k2ab:0001:laptop-2',
    };
    expect(
      fieldRefusal(room2, other, {
        ...signedLate,
        consultation: note({ status: 'validated', confidentiality: 'standard' }),
      }),
    ).toMatch(/Note signée/);
    // Without the signing clock (a store that does not say), the rule stands.
    expect(
      fieldRefusal(
        room1,
        at('0m3x1k2ab:0002:laptop-1', {
          e: 'consultation',
          f: 'plan',
          k: 'set',
          val: 'x',
          user: AUTHOR,
        }),
        signedIn1,
      ),
    ).toMatch(/Note signée/);
  });

  it('a relay that does not hold the note or the person leaves the decision to central', () => {
    const validated = op(room1, {
      e: 'consultation',
      f: 'status',
      k: 'set',
      val: 'validated',
      user: AUTHOR,
    });
    const staff = new Map([[AUTHOR, { active: true, supervisorId: null }]]);
    const unknownNote: PushContext = { staff, authorOf: () => undefined };
    expect(pushRefusal(room1, validated, unknownNote)).toMatch(/superviseur/);
    expect(pushRefusal(room1, validated, { ...unknownNote, partial: true })).toBeNull();
    // Known note of another author: refused on a relay too.
    expect(pushRefusal(room1, validated, { staff, authorOf: () => OTHER, partial: true })).toMatch(
      /superviseur/,
    );

    const stranger = op(reception, {
      e: 'visit',
      f: 'motif',
      k: 'set',
      val: 'x',
      user: 'new-hire',
    });
    expect(pushRefusal(reception, stranger, { staff, authorOf: () => undefined })).toMatch(
      /inconnue/,
    );
    expect(
      pushRefusal(reception, stranger, { staff, authorOf: () => undefined, partial: true }),
    ).toBeNull();
  });
});

describe('a validation whose note may still be on its way', () => {
  it('is left undecided while the device’s earlier ops are missing, refused once they are held', () => {
    const validated = op(room1, {
      e: 'consultation',
      f: 'status',
      k: 'set',
      val: 'validated',
      user: AUTHOR,
    });
    const staff = new Map([[AUTHOR, { active: true, supervisorId: null }]]);
    const ctx: PushContext = { staff, authorOf: () => undefined };
    expect(pushRefusal(room1, validated, { ...ctx, earlierMissing: () => true })).toBeNull();
    expect(pushRefusal(room1, validated, { ...ctx, earlierMissing: () => false })).toMatch(
      /superviseur/,
    );
  });
});
