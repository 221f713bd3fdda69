// Renders the app shell on a fresh in-memory device database holding the demo day, as a device
// would after its first pull from the server.
import { render } from '@testing-library/react';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { MemoryRouter } from 'react-router';
import { joinOrganisation } from '../../src/device/connection';
import { EscaleDb, META, setMeta } from '../../src/device/db';
import { applyRemote, type Change, writeChanges } from '../../src/device/write';
import type { EntityName, EntityRows } from '../../src/domain/entities';
import { AppRoutes } from '../../src/ui/App';
import { DeviceProvider } from '../../src/ui/data/device-data';
import { demoDay } from './fixtures';

let counter = 0;

/** The device id of the tablet the UI tests run on. */
export const TEST_DEVICE_ID = 'tablette-test';

export function freshDb(): EscaleDb {
  return new EscaleDb(`escale-ui-test-${++counter}`, {
    indexedDB: new IDBFactory(),
    IDBKeyRange,
  });
}

const SEED_ENTITIES = [
  'room',
  'service',
  'staff',
  'stop',
  'rosterSlot',
  'patient',
  'appointment',
  'visit',
  'queueEntry',
] as const satisfies readonly EntityName[];

/** A creation through the write path: every field but the id. */
function creation<K extends EntityName>(entity: K, row: EntityRows[K]): Change {
  const { id, ...fields } = row as EntityRows[K] & { id: string };
  return { entity, id, set: fields } as Change;
}

/**
 * Loads the demo day (with the morning queue of fixtures.ts) into `db` as pulled ops: written
 * on a "server" replica, then applied here, so nothing waits in this device's outbox.
 */
export async function seedDemoDay(db: EscaleDb) {
  const demo = demoDay();
  const rows: { [K in (typeof SEED_ENTITIES)[number]]: EntityRows[K][] } = {
    room: demo.day.rooms,
    service: demo.day.services,
    staff: demo.day.staff,
    stop: demo.stops,
    rosterSlot: demo.day.slots,
    patient: demo.patients,
    appointment: demo.day.appointments,
    visit: demo.day.visits,
    queueEntry: demo.day.entries,
  };
  const changes = SEED_ENTITIES.flatMap((e) =>
    (rows[e] as EntityRows[typeof e][]).map((r) => creation(e, r)),
  );
  const server = freshDb();
  const ops = await writeChanges(
    server,
    { deviceId: 'server-seed', org: demo.day.stop!.orgId },
    changes,
  );
  await applyRemote(
    db,
    ops.map((op, i) => ({ s: i + 1, op })),
    'checkpoint:test',
  );
  await joinOrganisation(db, { org: demo.day.stop!.orgId, servers: ['https://central.test'] });
  // As the start-up marker check does on a real device: writes are stamped with this id.
  await setMeta(db, META.deviceId, TEST_DEVICE_ID);
  // The ops, for a test that puts the same day on a real server.
  return Object.assign(demo, { ops });
}

export function renderAt(path: string, db: EscaleDb | null) {
  return render(
    <DeviceProvider db={db}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </DeviceProvider>,
  );
}
