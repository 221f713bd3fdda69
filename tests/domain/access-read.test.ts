// What each profile receives (pull filtering) and what the server refuses on push, as pure rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  heldView,
  noteHiddenFrom,
  pushRefusal,
  READABLE,
  readableFields,
  restrictedHiddenFrom,
  type Viewer,
  viewOp,
  viewState,
  visibleStates,
} from '../../src/domain/access';
import { ENTITY_NAMES, ENTITY_SPECS, entitySpec } from '../../src/domain/entities';
import { readingFacts } from '../../src/domain/reading';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

const viewer = (profile: Viewer['profile'], roomId: string | null = null): Viewer => ({
  profile,
  roomId,
});

let seq = 0;
const op = (fields: Partial<Op> & Pick<Op, 'e' | 'id' | 'f' | 'k'>): Op => ({
  v: 2,
  org: 'o',
  dev: 'd',
  seq: ++seq,
  hlc: `0000000000001-${String(seq).padStart(4, '0')}:d`,
  ...fields,
});

describe('what each profile receives', () => {
  it('names only real entities and fields', () => {
    for (const rules of Object.values(READABLE)) {
      for (const [entity, fields] of Object.entries(rules)) {
        expect(ENTITY_NAMES).toContain(entity);
        if (fields !== 'all') {
          for (const f of fields)
            expect(Object.keys(ENTITY_SPECS[entity as 'visit'].fields)).toContain(f);
        }
      }
    }
  });

  it('gives the coordination and relays everything', () => {
    for (const e of ENTITY_NAMES) {
      expect(readableFields(viewer('coordination'), e)).toBe('all');
      expect(readableFields(viewer('relay'), e)).toBe('all');
    }
  });

  it('keeps the consultation side from reception and tickets-only for the display', () => {
    for (const e of ['consultation', 'vitals', 'signature', 'addendum', 'audit', 'device']) {
      expect(readableFields(viewer('reception'), e)).toBeNull();
    }
    expect(readableFields(viewer('display'), 'patient')).toBeNull();
    expect(
      viewOp(viewer('display'), op({ e: 'visit', id: 'v', f: 'motif', k: 'set', val: 'Toux' })),
    ).toBeNull();
    expect(
      viewOp(
        viewer('display'),
        op({ e: 'queueEntry', id: 'q', f: 'ticket', k: 'set', val: 'MG-001' }),
      ),
    ).not.toBeNull();
    // A deletion concerns every reader of the row.
    expect(
      viewOp(viewer('display'), op({ e: 'visit', id: 'v', f: '_deleted', k: 'del' })),
    ).not.toBeNull();
  });

  it('cuts an inserted row to the readable fields (property: never a field outside the rule)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('reception', 'room', 'coordination', 'display' as const),
        fc.constantFrom(...ENTITY_NAMES),
        fc.dictionary(
          fc.constantFrom('orgId', 'ticket', 'motif', 'patientId', 'stopId', 'x'),
          fc.string(),
        ),
        (profile, e, val) => {
          const seen = viewOp(viewer(profile), op({ e, id: 'r', f: '*', k: 'ins', val }));
          const rule = readableFields(viewer(profile), e);
          if (rule === null) return seen === null;
          if (rule === 'all') return seen?.val === val;
          return Object.keys(seen?.val as object).every((k) => rule.has(k));
        },
      ),
    );
  });

  it('cuts a merge state the same way', () => {
    const state = { e: 'visit', id: 'v', f: { motif: 1, arrivedAt: 2, _deleted: 3 } };
    expect(Object.keys(viewState(viewer('display'), state)!.f).sort()).toEqual([
      '_deleted',
      'arrivedAt',
    ]);
    expect(viewState(viewer('reception'), { e: 'vitals', id: 'x', f: {} })).toBeNull();
  });

  it('keeps of a held state what the profile reads now, and the fields its own unpushed ops write', () => {
    const state = { e: 'visit', id: 'v', f: { motif: 1, arrivedAt: 2, patientId: 3, _deleted: 4 } };
    const none = new Set<string>();
    expect(Object.keys(heldView(viewer('display'), state, none).f).sort()).toEqual([
      '_deleted',
      'arrivedAt',
    ]);
    expect(Object.keys(heldView(viewer('display'), state, new Set(['motif'])).f).sort()).toEqual([
      '_deleted',
      'arrivedAt',
      'motif',
    ]);
    // Nothing to cut: the same state, not a copy.
    expect(heldView(viewer('reception'), state, none)).toBe(state);
    // A row the profile does not read at all came in its cut from a server that knows better.
    const vitals = { e: 'vitals', id: 'x', f: { systolic: 1 } };
    expect(heldView(viewer('reception'), vitals, none)).toBe(vitals);
  });

  it('keeps held states exactly as the pull cuts them, but for fields of its own ops', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Viewer['profile']>('reception', 'room', 'coordination', 'display'),
        fc.constantFrom(...ENTITY_NAMES),
        fc.uniqueArray(fc.constantFrom('orgId', 'ticket', 'motif', 'patientId', 'status', 'x')),
        fc.uniqueArray(fc.constantFrom<string>('motif', 'x', 'ticket')),
        (profile, e, names, own) => {
          const state = { e, id: 'r', f: Object.fromEntries(names.map((n) => [n, n])) };
          const kept = heldView(viewer(profile), state, new Set(own));
          const cut = viewState(viewer(profile), state);
          if (cut === null) return kept === state;
          const expected = names.filter((n) => n in cut.f || own.includes(n)).sort();
          return JSON.stringify(Object.keys(kept.f).sort()) === JSON.stringify(expected);
        },
      ),
    );
  });

  it('hides a restricted note from other rooms only', () => {
    const social = { confidentiality: 'social' };
    expect(restrictedHiddenFrom(viewer('room', 'b1'), social, { roomId: 'b2' })).toBe(true);
    expect(restrictedHiddenFrom(viewer('room', 'b2'), social, { roomId: 'b2' })).toBe(false);
    expect(
      restrictedHiddenFrom(viewer('room', 'b1'), { confidentiality: 'standard' }, { roomId: 'b2' }),
    ).toBe(false);
    expect(restrictedHiddenFrom(viewer('coordination'), social, { roomId: 'b2' })).toBe(false);
  });

  it('computes the states a room holds: without the restricted notes of another room and their events', () => {
    const states = new Map<string, RowState>();
    const put = (o: Op) =>
      states.set(`${o.e}/${o.id}`, applyOp(states.get(`${o.e}/${o.id}`), o, entitySpec));
    put(op({ e: 'queueEntry', id: 'q1', f: 'roomId', k: 'set', val: 'b2', base: [] }));
    put(op({ e: 'consultation', id: 'c1', f: 'queueEntryId', k: 'set', val: 'q1', base: [] }));
    put(
      op({
        e: 'consultation',
        id: 'c1',
        f: 'confidentiality',
        k: 'set',
        val: 'sexual_health',
        base: [],
      }),
    );
    put(
      op({
        e: 'addendum',
        id: 'a1',
        f: '*',
        k: 'ins',
        val: {
          orgId: 'o',
          consultationId: 'c1',
          authorId: 's',
          at: '2026-11-30T10:00:00.000Z',
          text: 'Suivi',
        },
      }),
    );
    // A document printed from the restricted note (schema 6) follows the note.
    put(
      op({
        e: 'printedDocument',
        id: 'd1',
        f: '*',
        k: 'ins',
        val: {
          orgId: 'o',
          consultationId: 'c1',
          patientId: 'p',
          kind: 'compte_rendu',
          templateId: null,
          staffId: 's',
          at: '2026-11-30T10:05:00.000Z',
          format: 'print',
          pendingValidation: false,
        },
      }),
    );
    put(
      op({
        e: 'consultation',
        id: 'c2',
        f: 'confidentiality',
        k: 'set',
        val: 'standard',
        base: [],
      }),
    );
    const all = [...states.values()];
    const ids = (v: Viewer) =>
      visibleStates(v, all, entitySpec)
        .map((s) => s.id)
        .sort();
    expect(ids(viewer('room', 'b1'))).toEqual(['c2', 'q1']);
    expect(ids(viewer('room', 'b2'))).toEqual(['a1', 'c1', 'c2', 'd1', 'q1']);
    expect(ids(viewer('coordination'))).toEqual(['a1', 'c1', 'c2', 'd1', 'q1']);
    expect(ids(viewer('reception'))).toEqual(['q1']);
  });
  it('keeps back from a room where people read a note it does not hold whole, and its events, until the note comes', () => {
    const facts = readingFacts({
      services: [{ id: 'svc', professions: ['medecin'] }],
      objections: [],
      breakGlasses: [],
      now: '2026-11-30T10:00:00.000Z',
    });
    const doctor = { id: 'r', profession: 'medecin', roles: ['medecin'] };
    const reading: Viewer = { ...viewer('room', 'b1'), reading: { readers: [doctor], facts } };
    // Who may read a note cannot be judged without it: its addendum waits.
    expect(noteHiddenFrom(reading, undefined, undefined)).toBe(true);
    // A room judged by profile and room alone, and the coordination, are not asked who reads.
    expect(noteHiddenFrom(viewer('room', 'b1'), undefined, undefined)).toBe(false);
    expect(noteHiddenFrom(viewer('coordination'), undefined, undefined)).toBe(false);

    const states = new Map<string, RowState>();
    const put = (o: Op) =>
      states.set(`${o.e}/${o.id}`, applyOp(states.get(`${o.e}/${o.id}`), o, entitySpec));
    const addendum = (id: string, consultationId: string) =>
      op({
        e: 'addendum',
        id,
        f: '*',
        k: 'ins',
        val: {
          orgId: 'o',
          consultationId,
          authorId: 'r',
          at: '2026-11-30T10:00:00.000Z',
          text: 'Suivi',
        },
      });
    put(addendum('a1', 'c1'));
    const ids = () =>
      visibleStates(reading, [...states.values()], entitySpec)
        .map((s) => s.id)
        .sort();
    expect(ids()).toEqual([]);
    // Its later edits first (ops reach a server out of order): still not judged.
    put(op({ e: 'consultation', id: 'c1', f: 'plan', k: 'set', val: 'Revoir', base: [] }));
    expect(noteHiddenFrom(reading, { id: 'c1', plan: 'Revoir' }, undefined)).toBe(true);
    expect(ids()).toEqual([]);
    // The note arrives, standard, by a doctor of the reader's service: both are read.
    const note = {
      orgId: 'o',
      patientId: 'p',
      visitId: 'v',
      queueEntryId: 'q1',
      serviceId: 'svc',
      authorId: 'r',
      confidentiality: 'standard',
      roomId: 'b1',
    };
    for (const [f, val] of Object.entries(note)) {
      put(op({ e: 'consultation', id: 'c1', f, k: 'set', val, base: [] }));
    }
    expect(ids()).toEqual(['a1', 'c1']);
  });
});

describe('what the server refuses on push', () => {
  const staff = new Map([
    ['doc', { active: true, roles: ['clinicien', 'coordinateur'], supervisorId: null }],
    ['intern', { active: true, roles: ['clinicien'], supervisorId: 'doc' }],
    ['gp', { active: true, roles: ['clinicien'], supervisorId: null }],
    ['gone', { active: false, roles: ['clinicien'], supervisorId: null }],
  ]);
  const ctx = { staff, authorOf: (id: string) => ({ c1: 'intern', c2: 'gp' })[id] };
  const room = { profile: 'room' as const, deviceId: 'd' };
  const status = (user: string, id: string, val = 'validated') =>
    op({ user, e: 'consultation', id, f: 'status', k: 'set', val, base: [] });

  it('accepts anything a relay forwards', () => {
    expect(
      pushRefusal({ profile: 'relay', deviceId: 'r' }, status('intern', 'c1'), ctx),
    ).toBeNull();
  });

  it('refuses another device’s op, an entity outside the profile, an unknown person', () => {
    expect(pushRefusal({ ...room, deviceId: 'other' }, status('doc', 'c1'), ctx)).toMatch(
      /propres modifications/,
    );
    expect(pushRefusal({ profile: 'reception', deviceId: 'd' }, status('doc', 'c1'), ctx)).toMatch(
      /ne peut pas enregistrer/,
    );
    expect(pushRefusal(room, status('nobody', 'c1'), ctx)).toMatch(/personne inconnue/);
    const { user: _u, ...unstamped } = status('doc', 'c1');
    expect(pushRefusal(room, unstamped as Op, ctx)).toMatch(/personne identifiée/);
  });

  it('lets the supervisor or the coordination validate or return, the autonomous author validate, never the intern', () => {
    expect(pushRefusal(room, status('intern', 'c1'), ctx)).toMatch(/superviseur/);
    expect(pushRefusal(room, status('intern', 'c1', 'returned'), ctx)).toMatch(/superviseur/);
    expect(pushRefusal(room, status('doc', 'c1'), ctx)).toBeNull();
    expect(pushRefusal(room, status('gp', 'c2'), ctx)).toBeNull();
    expect(pushRefusal(room, status('gp', 'c2', 'returned'), ctx)).toMatch(/superviseur/);
    expect(pushRefusal(room, status('intern', 'c1', 'to_validate'), ctx)).toBeNull();
  });

  it('accepts the offline work of someone who has left the team since (nothing typed is lost)', () => {
    const note = op({
      user: 'gone',
      e: 'consultation',
      id: 'c3',
      f: 'plan',
      k: 'set',
      val: 'x',
      base: [],
    });
    expect(pushRefusal(room, note, ctx)).toBeNull();
  });

  it('lets only the author sign as author', () => {
    const sign = (user: string) =>
      op({
        user,
        e: 'signature',
        id: 's1',
        f: '*',
        k: 'ins',
        val: { kind: 'author', staffId: 'intern' },
      });
    expect(pushRefusal(room, sign('doc'), ctx)).toMatch(/auteur/);
    expect(pushRefusal(room, sign('intern'), ctx)).toBeNull();
  });
});
