// The screens' write path refuses, on the device, what the device's profile may not write: a
// reception tablet never records a consultation, the wall screen records nothing.
import { renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { type EscaleDb, META } from '../../src/device/db';
import { DeviceProvider } from '../../src/ui/data/device-data';
import { useWriter, writeAs } from '../../src/ui/data/writer';
import { useUiStore } from '../../src/ui/state/ui-store';
import { freshDb, seedDemoDay, TEST_DEVICE_ID } from './support';

afterEach(() => {
  useUiStore.setState({ profile: null });
});

async function writerOn(profile: 'reception' | 'room' | 'display') {
  const db: EscaleDb = freshDb();
  await seedDemoDay(db);
  useUiStore.setState({ profile });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <DeviceProvider db={db}>{children}</DeviceProvider>
  );
  const { result } = renderHook(() => useWriter(), { wrapper });
  return { db, write: result.current };
}

const addendum = {
  entity: 'addendum' as const,
  id: 'add-1',
  insert: {
    orgId: 'o',
    consultationId: 'c-1',
    authorId: 's-1',
    at: '2026-11-23T10:00:00.000Z',
    text: 'Complément',
  },
};

describe('the device refuses writes outside its profile', () => {
  it('a reception tablet may not record clinical notes; nothing is stored', async () => {
    const { db, write } = await writerOn('reception');
    const before = await db.outbox.count();
    await expect(write([addendum])).rejects.toThrow(
      'Un appareil de l’accueil ne peut pas enregistrer cette donnée (addendum).',
    );
    expect(await db.outbox.count()).toBe(before);
    expect(await db.rows('addendum').get('add-1')).toBeUndefined();
  });

  it('the waiting-room screen records nothing, not even an audit event', async () => {
    const { write } = await writerOn('display');
    await expect(write([], { action: 'x.y', entity: null, entityId: null })).rejects.toThrow(
      /écran d’affichage ne peut pas enregistrer/,
    );
  });

  it('a room records its notes', async () => {
    const { db, write } = await writerOn('room');
    await write([addendum]);
    expect(await db.rows('addendum').get('add-1')).toMatchObject({ text: 'Complément' });
  });
});

describe('writeAs, what useWriter runs (and the search-after-write bench calls)', () => {
  it('stamps the change and its audit with the device and organisation read in one request', async () => {
    const db: EscaleDb = freshDb();
    const metaReads: string[][] = [];
    db.use({
      stack: 'dbcore',
      name: 'test-meta-reads',
      create: (down) => ({
        ...down,
        table(name) {
          const table = down.table(name);
          if (name !== 'meta') return table;
          return {
            ...table,
            get: (req) => {
              metaReads.push([String(req.key)]);
              return table.get(req);
            },
            getMany: (req) => {
              metaReads.push(req.keys.map(String));
              return table.getMany(req);
            },
          };
        },
      }),
    });
    await seedDemoDay(db);
    const org = await db.meta.get(META.org);
    metaReads.length = 0;
    await writeAs(db, { staffId: 's-desk', profile: 'reception' }, ({ newId }) => {
      const id = newId();
      return {
        changes: [{ entity: 'patient', id, set: { birthName: 'KERGUEN', firstNames: 'Anne' } }],
        audit: { action: 'patient.created', entity: 'patient', entityId: id, detail: null },
      };
    });
    // The writer's own read: both keys at once, before the write's transaction reads its own.
    expect(metaReads[0]).toEqual([META.deviceId, META.org]);
    const audit = (await db.rows('audit').toArray()).find((a) => a.action === 'patient.created');
    expect(audit).toMatchObject({ deviceId: TEST_DEVICE_ID, orgId: org?.value, actorId: 's-desk' });
  });

  it('refuses, storing nothing, on a device not joined to an organisation', async () => {
    const db: EscaleDb = freshDb();
    await seedDemoDay(db);
    await db.meta.delete(META.org);
    const before = await db.outbox.count();
    await expect(
      writeAs(db, { staffId: null, profile: 'reception' }, [
        { entity: 'patient', id: 'p-x', set: { birthName: 'X', firstNames: 'Y' } },
      ]),
    ).rejects.toThrow('Cet appareil n’est pas encore relié à une organisation');
    expect(await db.outbox.count()).toBe(before);
    expect(await db.rows('patient').get('p-x')).toBeUndefined();
  });
});
