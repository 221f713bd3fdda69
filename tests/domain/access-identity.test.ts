// Who may correct, qualify and merge identities (src/domain/access.ts): reception and the
// coordination write identities and their history; rooms and the display do not; the server
// refuses a self-merge and a history event in another person's name.
import { describe, expect, it } from 'vitest';
import { type PushContext, pushRefusal, type Writer } from '../../src/domain/access';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import type { Op } from '../../src/sync/op';

const ctx: PushContext = {
  staff: new Map([
    ['anne', { active: true, roles: ['accueil'] }],
    ['paul', { active: true, roles: ['coordinateur'] }],
  ]),
  authorOf: () => undefined,
};
const writer = (profile: Writer['profile'], deviceId: string): Writer => ({
  profile,
  deviceId,
  roomId: profile === 'room' ? 'box-1' : null,
});
const op = (dev: string, over: Partial<Op>): Op => ({
  v: SCHEMA_VERSION,
  org: 'org',
  dev,
  seq: 1,
  hlc: '0000000001-0000-dev',
  user: 'anne',
  e: 'patient',
  id: 'p-dup',
  f: 'mergedInto',
  k: 'set',
  val: 'p-keep',
  ...over,
});
const history = (staffId: string) => ({
  e: 'identityChange',
  id: 'h1',
  f: '*',
  k: 'ins' as const,
  val: {
    orgId: 'org',
    patientId: 'p-dup',
    at: '2026-12-03T09:00:00.000Z',
    staffId,
    kind: 'merge',
    changes: [],
    otherPatientId: 'p-keep',
  },
});

describe('identity acts on the server', () => {
  it('reception and coordination merge; a room and the display may not', () => {
    expect(pushRefusal(writer('reception', 'tab'), op('tab', {}), ctx)).toBeNull();
    expect(pushRefusal(writer('coordination', 'off'), op('off', { user: 'paul' }), ctx)).toBeNull();
    expect(pushRefusal(writer('room', 'lap'), op('lap', {}), ctx)).toMatch(/une salle ne peut pas/);
    expect(pushRefusal(writer('display', 'scr'), op('scr', {}), ctx)).toMatch(/écran/);
  });

  it('refuses merging an identity into itself', () => {
    expect(pushRefusal(writer('reception', 'tab'), op('tab', { val: 'p-dup' }), ctx)).toBe(
      'Un dossier ne peut pas être fusionné avec lui-même.',
    );
  });

  it('the history names the signed-in person, and needs one', () => {
    const w = writer('reception', 'tab');
    expect(pushRefusal(w, op('tab', history('anne')), ctx)).toBeNull();
    expect(pushRefusal(w, op('tab', history('paul')), ctx)).toMatch(/pas une autre/);
    expect(pushRefusal(w, op('tab', { ...history('anne'), user: undefined }), ctx)).toMatch(
      /personne identifiée/,
    );
    expect(pushRefusal(writer('room', 'lap'), op('lap', history('anne')), ctx)).toMatch(
      /une salle ne peut pas/,
    );
  });
});
