// Which screens an enrolled device may open: its own profile's (a room device: its room), device
// health and home, and the shared screens its profile receives data for.
import { describe, expect, it } from 'vitest';
import { allowedPath } from '../../src/ui/shell/profiles';

const device = (profile: 'reception' | 'room' | 'coordination' | 'display', roomId = null) => ({
  profile,
  roomId,
});

describe('screens of an enrolled device', () => {
  it('opens its own profile’s screens and no other profile’s', () => {
    expect(allowedPath(device('reception'), '/accueil/arrivee')).toBe(true);
    expect(allowedPath(device('reception'), '/coordination')).toBe(false);
    expect(allowedPath(device('display'), '/affichage')).toBe(true);
    expect(allowedPath(device('display'), '/accueil')).toBe(false);
  });

  it('keeps a room device to its room', () => {
    const box1 = { profile: 'room' as const, roomId: 'b1' };
    expect(allowedPath(box1, '/salle/b1')).toBe(true);
    expect(allowedPath(box1, '/salle/b2')).toBe(false);
  });

  it('opens supervision on room and coordination devices only', () => {
    expect(allowedPath(device('coordination'), '/supervision')).toBe(true);
    expect(allowedPath({ profile: 'room', roomId: 'b1' }, '/supervision/note/c1')).toBe(true);
    expect(allowedPath(device('reception'), '/supervision')).toBe(false);
    expect(allowedPath(device('display'), '/supervision')).toBe(false);
  });

  it('opens home and device health everywhere, and anything on a device not enrolled', () => {
    for (const p of ['reception', 'room', 'coordination', 'display'] as const) {
      expect(allowedPath(device(p), '/')).toBe(true);
      expect(allowedPath(device(p), '/appareil')).toBe(true);
    }
    expect(allowedPath(null, '/supervision')).toBe(true);
    expect(allowedPath(null, '/coordination')).toBe(true);
  });
});
