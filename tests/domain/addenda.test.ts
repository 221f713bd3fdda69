// Addenda (issue #21 item 2): hashed, supervised like the note they complete, and what the server
// refuses of them (addendumRefusal, src/domain/access.ts).
import { describe, expect, it } from 'vitest';
import { addendumRefusal, type PushContext } from '../../src/domain/access';
import {
  addendumHash,
  addendumStatus,
  canReviewAddendum,
  newAddendum,
} from '../../src/domain/consultation';
import type { Op } from '../../src/sync/op';

const AT = '2026-12-04T10:00:00.000Z';
const intern = { id: 'intern', supervisorId: 'doctor', roles: ['clinicien'] as const };
const doctor = { id: 'doctor', supervisorId: null, roles: ['clinicien'] as const };
const coordinator = {
  id: 'coord',
  supervisorId: null,
  roles: ['clinicien', 'coordinateur'] as const,
};
const other = { id: 'other', supervisorId: null, roles: ['clinicien'] as const };
const input = { id: 'a1', orgId: 'o', consultationId: 'c1', at: AT, text: ' Résultat reçu. ' };

describe('an addendum', () => {
  it('is hashed over its content, and a change no longer matches', () => {
    const a = newAddendum(input, doctor);
    expect(a.text).toBe('Résultat reçu.');
    expect(a.contentHash).toBe(addendumHash(a));
    expect(addendumHash({ ...a, text: 'Autre chose.' })).not.toBe(a.contentHash);
  });

  it('of an intern awaits the supervisor; of an autonomous author it is final', () => {
    expect(addendumStatus(newAddendum(input, intern), [])).toBe('to_validate');
    expect(addendumStatus(newAddendum(input, doctor), [])).toBe('validated');
  });

  it('is validated or returned by the latest review naming it', () => {
    const a = newAddendum(input, intern);
    const review = (kind: 'supervisor' | 'return', at: string, addendumId = 'a1') => ({
      kind,
      at,
      addendumId,
    });
    expect(addendumStatus(a, [review('return', AT)])).toBe('returned');
    expect(
      addendumStatus(a, [review('return', AT), review('supervisor', '2026-12-04T11:00:00.000Z')]),
    ).toBe('validated');
    expect(addendumStatus(a, [review('supervisor', AT, 'another')])).toBe('to_validate');
  });

  it('is reviewed by the supervisor or the coordination, never its author nor another', () => {
    const a = newAddendum(input, intern);
    expect(canReviewAddendum(a, [], { id: 'doctor', roles: ['clinicien'] }).ok).toBe(true);
    expect(canReviewAddendum(a, [], { id: 'coord', roles: ['coordinateur'] }).ok).toBe(true);
    expect(canReviewAddendum(a, [], { id: 'intern', roles: ['clinicien'] }).ok).toBe(false);
    expect(canReviewAddendum(a, [], { id: 'other', roles: ['clinicien'] }).ok).toBe(false);
    expect(
      canReviewAddendum(a, [{ kind: 'supervisor', at: AT, addendumId: 'a1' }], {
        id: 'doctor',
        roles: [],
      }).ok,
    ).toBe(false);
  });
});

describe('what the server refuses of addenda', () => {
  const staff = new Map(
    [intern, doctor, coordinator, other].map((s) => [
      s.id,
      { roles: [...s.roles], supervisorId: s.supervisorId },
    ]),
  );
  const stored = newAddendum(input, intern);
  const ctx: PushContext = {
    staff,
    authorOf: () => undefined,
    stored: () => ({ addendum: stored as unknown as Record<string, unknown> }),
  };
  const op = (e: string, user: string, val: Record<string, unknown>, id = 'a1'): Op => ({
    v: 6,
    org: 'o',
    dev: 'd',
    seq: 1,
    hlc: '0000000000001-0001:d',
    e,
    id,
    f: '*',
    k: 'ins',
    user,
    val,
  });
  const addendumOp = (user: string, a: Record<string, unknown>) => {
    const { id, ...val } = a;
    return op('addendum', user, val, String(id));
  };

  it('accepts a hashed addendum naming its author’s supervisor', () => {
    expect(addendumRefusal(addendumOp('intern', newAddendum(input, intern)), ctx)).toBeNull();
    expect(addendumRefusal(addendumOp('doctor', newAddendum(input, doctor)), ctx)).toBeNull();
  });

  it('refuses one without hash, with a wrong hash, bypassing the supervisor, or in another’s name', () => {
    const a = newAddendum(input, intern);
    expect(
      addendumRefusal(addendumOp('intern', { ...a, contentHash: undefined }), ctx),
    ).not.toBeNull();
    expect(addendumRefusal(addendumOp('intern', { ...a, text: 'Autre' }), ctx)).not.toBeNull();
    expect(addendumRefusal(addendumOp('intern', { ...a, supervisorId: null }), ctx)).not.toBeNull();
    expect(addendumRefusal(addendumOp('doctor', a), ctx)).not.toBeNull();
  });

  it('accepts a review by the supervisor or the coordination only, carrying the addendum’s hash', () => {
    const review = (user: string, extra: Record<string, unknown> = {}) =>
      op(
        'signature',
        user,
        {
          orgId: 'o',
          consultationId: 'c1',
          kind: 'supervisor',
          staffId: user,
          at: AT,
          contentHash: stored.contentHash,
          comment: null,
          addendumId: 'a1',
          ...extra,
        },
        's1',
      );
    expect(addendumRefusal(review('doctor'), ctx)).toBeNull();
    expect(addendumRefusal(review('coord'), ctx)).toBeNull();
    expect(addendumRefusal(review('intern'), ctx)).not.toBeNull();
    expect(addendumRefusal(review('other'), ctx)).not.toBeNull();
    expect(addendumRefusal(review('doctor', { contentHash: 'x' }), ctx)).not.toBeNull();
    expect(addendumRefusal(review('doctor', { kind: 'author' }), ctx)).not.toBeNull();
    expect(addendumRefusal(review('doctor', { staffId: 'coord' }), ctx)).not.toBeNull();
  });
});
