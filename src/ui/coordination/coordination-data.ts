// What the coordination screens read from the device, through live queries: the organisation's
// records for the period and closure views, the conflicts left to settle, the receipts.
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useState } from 'react';
import { fetchDevices } from '../../device/closure';
import { readConnection } from '../../device/connection';
import type { EscaleDb } from '../../device/db';
import { conflicts } from '../../device/queries';
import { openConflicts } from '../../domain/conflict-resolution';
import type {
  Appointment,
  ConflictResolution,
  Consultation,
  Device,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Staff,
  Stop,
  SyncReceipt,
  Visit,
} from '../../domain/entities';
import type { FieldConflict } from '../../sync/merge';
import type { DeviceSeen, EnrolledDevice, QuarantinedView } from '../../sync/protocol';
import { useDb } from '../data/device-data';

export interface OrgRows {
  stops: Stop[];
  visits: Visit[];
  entries: QueueEntry[];
  consultations: Consultation[];
  appointments: Appointment[];
  patients: Patient[];
  slots: RosterSlot[];
  rooms: Room[];
  services: Service[];
  staff: Staff[];
  receipts: SyncReceipt[];
  devices: Device[];
}

export async function readOrg(db: EscaleDb): Promise<OrgRows> {
  const [stops, visits, entries, consultations, appointments, patients, slots, rooms, services] =
    await Promise.all([
      db.rows('stop').toArray(),
      db.rows('visit').toArray(),
      db.rows('queueEntry').toArray(),
      db.rows('consultation').toArray(),
      db.rows('appointment').toArray(),
      db.rows('patient').toArray(),
      db.rows('rosterSlot').toArray(),
      db.rows('room').toArray(),
      db.rows('service').toArray(),
    ]);
  const [staff, receipts, devices] = await Promise.all([
    db.rows('staff').toArray(),
    db.rows('syncReceipt').toArray(),
    db.rows('device').toArray(),
  ]);
  const alive = <T extends { _deleted?: boolean }>(rows: T[]) => rows.filter((r) => !r._deleted);
  return {
    stops: alive(stops),
    visits: alive(visits),
    entries: alive(entries),
    consultations: alive(consultations),
    appointments: alive(appointments),
    patients: alive(patients),
    slots: alive(slots),
    rooms: alive(rooms),
    services: alive(services),
    staff: alive(staff),
    receipts,
    devices: alive(devices),
  };
}

/** Everything of the organisation on this device (undefined while loading, null: no database). */
export function useOrgRows(): OrgRows | null | undefined {
  const db = useDb();
  const value = useLiveQuery(async () => ({ v: db ? await readOrg(db) : null }), [db]);
  return value?.v;
}

export interface ConflictsView {
  open: FieldConflict[];
  resolutions: ConflictResolution[];
}

export function useConflicts(): ConflictsView | null | undefined {
  const db = useDb();
  const value = useLiveQuery(async () => {
    if (!db) return { v: null };
    const [all, resolutions] = await Promise.all([
      conflicts(db),
      db.rows('conflictResolution').toArray(),
    ]);
    return { v: { open: openConflicts(all, resolutions), resolutions } };
  }, [db]);
  return value?.v;
}

export type ServerDevices =
  | {
      server: string;
      devices: DeviceSeen[];
      enrolled: EnrolledDevice[];
      quarantined: QuarantinedView[];
    }
  | { refused: string }
  | 'unreachable'
  | 'loading';

/**
 * The devices the first reachable sync server has heard from and those enrolled (fetched on
 * mount and on reload), or the server's French refusal.
 */
export function useServerDevices(): { state: ServerDevices; reload(): void } {
  const db = useDb();
  const [state, setState] = useState<ServerDevices>('loading');
  const reload = useCallback(async () => {
    if (!db) return;
    setState('loading');
    const connection = await readConnection(db);
    const answer = connection ? await fetchDevices(connection) : null;
    if (answer === null) setState('unreachable');
    else if (answer.ok) {
      setState({
        server: answer.server,
        devices: answer.devices,
        enrolled: answer.enrolled,
        quarantined: answer.quarantined,
      });
    } else setState({ refused: answer.message });
  }, [db]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { state, reload: () => void reload() };
}
