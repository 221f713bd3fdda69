// A rule central cannot judge after a restore is not a refusal (docs/decisions/0027, « the
// wiring's first steps »): restored from an older backup, central lacks ops a device had already
// dropped as durable — the device says so with its `floor` — and among them may be the note a
// later op of that device validates. Central then holds no author for the note and must take the
// op as undecided, as a relay does, not set it aside for good (the simulation's restore seed
// 1043 lost a note's validation that way). Where central holds all the device's ops, the rule
// still refuses. Real server on loopback, SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { type Enrolled, enrol, seedStaff, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';
import { ORG } from './ops-factory';

const AUTHOR = 'staff-restore-author';
const OTHER = 'staff-restore-other';

/** Ops of `who` from `firstSeq` on, stamped `laterMs` after now (what was written later). */
function writer(who: Enrolled, firstSeq = 1, laterMs = 0) {
  let clock = createClock(who.deviceId);
  let seq = firstSeq - 1;
  return (e: string, id: string, f: string, val: unknown, user: string): Op => {
    const t = tick(clock, Date.now() + laterMs);
    clock = t.clock;
    return {
      v: SCHEMA_VERSION,
      org: ORG,
      dev: who.deviceId,
      seq: ++seq,
      hlc: t.hlc,
      user,
      e,
      id,
      f,
      k: 'set',
      val,
      base: [],
    };
  };
}

async function push(server: TestServer, who: Enrolled, ops: Op[], floor?: number) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...who.headers },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId: who.deviceId,
      since: 0,
      ops,
      ...(floor ? { floor } : {}),
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(['sqlite', 'postgres'] as const)(
  'rules central cannot judge after a restore (%s)',
  (kind) => {
    let central: TestServer;
    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await seedStaff(central.store, ORG, [AUTHOR, OTHER]);
    });
    afterAll(() => central.close());

    it('takes a note’s validation by its author when the note is among the ops it lacks below the device’s floor', async () => {
      const room = await enrol(central, `restore-room-${kind}`, {
        profile: 'room',
        roomId: 'box-1',
      });
      await signIn(central, room, AUTHOR, OTHER);
      // The note (ops 1 and 2, written by AUTHOR, who has no supervisor) reached central after its
      // last backup; central was restored without it, and the device had dropped it as durable.
      // It now pushes op 11, the note's validation, declaring its floor: 10.
      const author = writer(room, 1);
      const note = [
        author('consultation', `note-${kind}`, 'authorId', AUTHOR, AUTHOR),
        author('consultation', `note-${kind}`, 'plan', 'Revoir', AUTHOR),
      ];
      const validation = writer(room, 11, 60_000)(
        'consultation',
        `note-${kind}`,
        'status',
        'validated',
        AUTHOR,
      );
      // Its first sync after the restore declares the floor; central records the gap 1..10.
      expect((await push(central, room, [], 10)).status).toBe(200);
      const res = await push(central, room, [validation], 10);
      expect(res.status).toBe(200);
      expect(await central.store.heldKeys(ORG, [validation])).toEqual(
        new Set([`${room.deviceId}#11`]),
      );
      expect(await central.store.quarantined(ORG, 100)).toEqual([]);
      // The note comes back later (a relay had kept it): the validation stands with it.
      const back = await push(central, room, note);
      expect(back.status).toBe(200);
      const [row] = await central.store.rowsByIds(ORG, 'consultation', [`note-${kind}`]);
      expect(row).toMatchObject({ authorId: AUTHOR, status: 'validated' });
    });

    it('still refuses a validation by someone else when it holds every op of the device', async () => {
      const room = await enrol(central, `whole-room-${kind}`, { profile: 'room', roomId: 'box-2' });
      await signIn(central, room, AUTHOR, OTHER);
      const set = writer(room);
      const note = [
        set('consultation', `other-${kind}`, 'authorId', OTHER, OTHER),
        set('consultation', `other-${kind}`, 'plan', 'Revoir', OTHER),
      ];
      expect((await push(central, room, note)).status).toBe(200);
      const res = await push(central, room, [
        set('consultation', `other-${kind}`, 'status', 'validated', AUTHOR),
      ]);
      expect(res.status).toBe(403);
      expect(String((res.body as { message?: string }).message)).toMatch(/superviseur/);
    });
  },
);
