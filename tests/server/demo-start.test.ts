// The demo at any hour (issue 23): whenever `npm start` runs, today's stop is open at that moment,
// every room has a current slot, and the waiting room is in motion — seeded into a real SQLite
// store and read back from it, as the devices would receive it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  Consultation,
  QueueEntry,
  RosterSlot,
  Signature,
  Stop,
} from '../../src/domain/entities';
import { rosterErrors, slotsAt } from '../../src/domain/roster';
import { isWithin, zonedIso } from '../../src/domain/time';
import { noteDigest } from '../../src/server/seed/demo';
import { startDemo } from '../../src/server/seed/demo-start';
import { rowsToOps } from '../../src/server/seed/ops';
import { openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function freshStore(): Promise<SyncStore> {
  const dir = mkdtempSync(join(tmpdir(), 'escale-demo-start-'));
  dirs.push(dir);
  return openSqliteStore(join(dir, 'escale.sqlite'));
}

async function rows<T>(store: SyncStore, org: string, entity: string): Promise<T[]> {
  return (await store.rows(org, entity)).filter((r) => r._deleted !== true) as T[];
}

/** What a newcomer must find at `time` on `date`: the stop open, rooms rostered, a day in motion. */
async function expectAlive(store: SyncStore, org: string, date: string, time: string) {
  const stops = (await rows<Stop>(store, org, 'stop')).filter(
    (s) => s.date === date && s.status !== 'cancelled',
  );
  expect(stops).toHaveLength(1);
  const stop = stops[0]!;
  expect(stop.status).toBe('open');
  expect(isWithin(time, stop.opensAt, stop.closesAt)).toBe(true);

  const slots = (await rows<RosterSlot>(store, org, 'rosterSlot')).filter(
    (s) => s.stopId === stop.id,
  );
  const rooms = await rows<{ id: string; name: string }>(store, org, 'room');
  expect(rooms).toHaveLength(4);
  for (const room of rooms) {
    expect(slotsAt(slots, stop.id, room.id, time), room.name).toHaveLength(1);
  }
  // The coordinator's roster screen finds nothing wrong with it either.
  expect(
    rosterErrors(
      slots,
      rooms as never,
      await rows(store, org, 'service'),
      await rows(store, org, 'stop'),
    ),
  ).toEqual([]);

  const entries = (await rows<QueueEntry>(store, org, 'queueEntry')).filter(
    (q) => q.stopId === stop.id,
  );
  const byStatus = (s: string) => entries.filter((q) => q.status.status === s);
  expect(byStatus('waiting').length).toBeGreaterThanOrEqual(3);
  expect(byStatus('in_consultation')).toHaveLength(1);
  const now = Date.parse(zonedIso(date, time));
  for (const q of entries) {
    for (const at of [q.calledAt, q.startedAt, q.endedAt]) {
      if (at) expect(Date.parse(at)).toBeLessThanOrEqual(now);
    }
  }
  const notes = (await rows<Consultation>(store, org, 'consultation')).filter(
    (c) => c.stopId === stop.id && c.status === 'to_validate',
  );
  expect(notes).toHaveLength(1);
  const [signature] = (await rows<Signature>(store, org, 'signature')).filter(
    (s) => s.consultationId === notes[0]!.id,
  );
  // Signed as it stands: the supervisor is not told the note changed after signing.
  expect(signature?.contentHash).toBe(noteDigest(notes[0]!));
}

describe('the demo seeded at the first start', () => {
  for (const time of ['07:00', '13:00', '22:00', '00:30']) {
    it(`is open and in motion when started at ${time} Paris time`, async () => {
      const store = await freshStore();
      try {
        const date = '2026-12-04';
        const started = await startDemo(store, zonedIso(date, time));
        expect(started.kind).toBe('created');
        if (started.kind !== 'created') return;
        await expectAlive(store, started.org, date, time);
      } finally {
        await store.close();
      }
    });
  }

  it('keeps the usual 08:30–17:30 day when started during it (summer time too)', async () => {
    const store = await freshStore();
    try {
      const started = await startDemo(store, zonedIso('2026-07-15', '10:15'));
      if (started.kind !== 'created') throw new Error(started.kind);
      const [stop] = await store.rowsByIds(started.org, 'stop', [started.stopId]);
      expect([stop?.opensAt, stop?.closesAt]).toEqual(['08:30', '17:30']);
      await expectAlive(store, started.org, '2026-07-15', '10:15');
    } finally {
      await store.close();
    }
  });
});

describe('the demo started again', () => {
  it('seeds a new stop on a new day, in the same organisation, with the same people', async () => {
    const store = await freshStore();
    try {
      const first = await startDemo(store, zonedIso('2026-12-04', '10:00'));
      if (first.kind !== 'created') throw new Error(first.kind);
      const staffBefore = await rows(store, first.org, 'staff');
      const patientsBefore = await rows(store, first.org, 'patient');

      const next = await startDemo(store, zonedIso('2026-12-05', '22:00'));
      expect(next).toMatchObject({ kind: 'new_day', org: first.org });
      expect(await store.orgs()).toEqual([first.org]);
      expect(await rows(store, first.org, 'staff')).toHaveLength(staffBefore.length);
      expect(await rows(store, first.org, 'patient')).toHaveLength(patientsBefore.length);
      await expectAlive(store, first.org, '2026-12-05', '22:00');
      // The round's stop planned that day gave way to the new one.
      const sameDay = (await rows<Stop>(store, first.org, 'stop')).filter(
        (s) => s.date === '2026-12-05',
      );
      expect(sameDay.map((s) => s.status).sort()).toEqual(['cancelled', 'open']);
    } finally {
      await store.close();
    }
  });

  it('seeds the evening after a morning start, and keeps a day that covers the moment', async () => {
    const store = await freshStore();
    try {
      const first = await startDemo(store, zonedIso('2026-12-04', '10:00'));
      expect(await startDemo(store, zonedIso('2026-12-04', '16:00'))).toEqual({
        kind: 'kept',
        org: first.kind === 'created' ? first.org : '',
      });
      const evening = await startDemo(store, zonedIso('2026-12-04', '21:00'));
      expect(evening.kind).toBe('new_day');
      if (evening.kind !== 'new_day') return;
      await expectAlive(store, evening.org, '2026-12-04', '21:00');
    } finally {
      await store.close();
    }
  });

  it('leaves alone a store whose organisations are not the demo', async () => {
    const store = await freshStore();
    try {
      const organisation = { id: 'org-reelle', name: 'Centre de santé du Saosnois' };
      await store.push(
        'org-reelle',
        rowsToOps('org-reelle', 'admin', { organisation: [organisation] }),
      );
      expect(await store.orgs()).toEqual(['org-reelle']);
      expect((await startDemo(store, zonedIso('2026-12-04', '10:00'))).kind).toBe('none');
    } finally {
      await store.close();
    }
  });
});
