// The screens' write path refuses, on the device, what the device's profile may not write: a
// reception tablet never records a consultation, the wall screen records nothing.
import { renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { DeviceProvider } from '../../src/ui/data/device-data';
import { useWriter } from '../../src/ui/data/writer';
import { useUiStore } from '../../src/ui/state/ui-store';
import { freshDb, seedDemoDay } from './support';

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
