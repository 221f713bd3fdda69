// A device moved by the coordination learns it from its server's answer (docs/protocol.md,
// `assigned`) and keeps the latest move only: a relay that has not brought the move home yet
// answers with the older assignment, which never moves the device back.
import { describe, expect, it } from 'vitest';
import { adoptAssignment, CUT_PENDING, heldProfile } from '../../src/device/assignment';
import { getMeta, setMeta } from '../../src/device/db';
import { openTestDb } from './support';

const enrolledAt = 1_780_000_000_000;

async function device() {
  const db = openTestDb();
  await setMeta(db, 'credential', {
    token: 'tab.secret',
    profile: 'room',
    roomId: 'box-1',
    name: 'Portable box 1',
    orgName: 'Médicobus',
  });
  return db;
}

describe('a device told what it is enrolled as', () => {
  it('takes the assignment it is told at first, changing nothing else in its credential', async () => {
    const db = await device();
    expect(
      await adoptAssignment(db, { profile: 'room', roomId: 'box-1', at: enrolledAt }, ['x']),
    ).toBe(false);
    // Not a move: no cut.
    expect(await getMeta(db, CUT_PENDING)).toBeUndefined();
    expect(await getMeta(db, 'credential')).toEqual({
      token: 'tab.secret',
      profile: 'room',
      roomId: 'box-1',
      name: 'Portable box 1',
      orgName: 'Médicobus',
      assignedAt: enrolledAt,
    });
  });

  it('plays a later move, and never goes back to an older assignment', async () => {
    const db = await device();
    await adoptAssignment(db, { profile: 'room', roomId: 'box-1', at: enrolledAt });
    const servers = ['http://relay', 'http://central'];
    expect(
      await adoptAssignment(
        db,
        { profile: 'reception', roomId: null, at: enrolledAt + 60_000 },
        servers,
      ),
    ).toBe(true);
    expect(await heldProfile(db)).toBe('reception');
    // Its next reload from each server drops what the new cut leaves out.
    expect(await getMeta(db, CUT_PENDING)).toEqual(servers);
    // A relay behind answers with the enrolment's assignment: ignored.
    expect(await adoptAssignment(db, { profile: 'room', roomId: 'box-1', at: enrolledAt })).toBe(
      false,
    );
    expect(await getMeta(db, 'credential')).toMatchObject({
      profile: 'reception',
      roomId: null,
      token: 'tab.secret',
      assignedAt: enrolledAt + 60_000,
    });
  });

  it('is not enrolled, so holds no assignment, without a credential', async () => {
    const db = openTestDb();
    expect(await adoptAssignment(db, { profile: 'display', roomId: null, at: 1 })).toBe(false);
    expect(await heldProfile(db)).toBeNull();
    expect(await getMeta(db, 'credential')).toBeUndefined();
  });
});
