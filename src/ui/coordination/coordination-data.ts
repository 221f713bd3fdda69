// What the coordination screens read from the device, through live queries: the organisation's
// records for the period and closure views, the conflicts left to settle, the receipts.
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchDevices } from '../../device/closure';
import { readConnection } from '../../device/connection';
import { type EscaleDb, getMeta, META } from '../../device/db';
import { conflicts, identitySurvivors } from '../../device/queries';
import { openConflicts } from '../../domain/conflict-resolution';
import { type Contradiction, dayContradictions } from '../../domain/day-invariants';
import type {
  Appointment,
  ConflictResolution,
  Consultation,
  Device,
  FollowedOrientation,
  Organisation,
  Patient,
  QueueEntry,
  ResearchObjection,
  Room,
  RosterSlot,
  Service,
  Signature,
  Staff,
  Stop,
  SyncReceipt,
  Unit,
  Vaccination,
  Visit,
} from '../../domain/entities';
import { followMerges } from '../../domain/identity-lifecycle';
import type { FieldConflict, RowState } from '../../sync/merge';
import type { DeviceSeen, EnrolledDevice, QuarantinedView } from '../../sync/protocol';
import { useDb } from '../data/device-data';
import { deviceOfHlc } from './conflict-text';

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
  /** The trucks. */
  units: Unit[];
  /** Orientations followed to their outcome (src/domain/orientation.ts). */
  orientations: FollowedOrientation[];
  /** Patients' records of objection to research (src/domain/research.ts). */
  researchObjections: ResearchObjection[];
  /** The organisation's row (the study key's fingerprint), null before it arrives. */
  organisation: Organisation | null;
  /** The organisation this device belongs to (its enrolment), null before it joined one. */
  orgId: string | null;
  /** Signatures (supervision delays) and vaccinations (prevention), for the indicators. */
  signatures: Signature[];
  vaccinations: Vaccination[];
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
  const [signatures, vaccinations] = await Promise.all([
    db.rows('signature').toArray(),
    db.rows('vaccination').toArray(),
  ]);
  const [staff, receipts, devices, units, orientations, objections, organisations, orgId] =
    await Promise.all([
      db.rows('staff').toArray(),
      db.rows('syncReceipt').toArray(),
      db.rows('device').toArray(),
      db.rows('unit').toArray(),
      db.rows('orientation').toArray(),
      db.rows('researchObjection').toArray(),
      db.rows('organisation').toArray(),
      getMeta<string>(db, META.org),
    ]);
  const alive = <T extends { _deleted?: boolean }>(rows: T[]) => rows.filter((r) => !r._deleted);
  // Reads follow merges: a merged identity's visits, notes and bookings are its survivor's.
  const survivors = await identitySurvivors(db);
  return {
    stops: alive(stops),
    visits: followMerges(alive(visits), survivors),
    entries: alive(entries),
    consultations: followMerges(alive(consultations), survivors),
    appointments: followMerges(alive(appointments), survivors),
    patients: alive(patients),
    slots: alive(slots),
    rooms: alive(rooms),
    services: alive(services),
    staff: alive(staff),
    receipts,
    devices: alive(devices),
    units: alive(units),
    orientations: followMerges(alive(orientations), survivors),
    researchObjections: followMerges(alive(objections), survivors),
    organisation: (organisations.find((o) => o.id === orgId) as Organisation | undefined) ?? null,
    orgId: orgId ?? null,
    signatures,
    vaccinations: followMerges(alive(vaccinations), survivors),
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

export interface ContradictionsView {
  all: Contradiction[];
  /** The device and person that wrote each side, by sideKey. */
  writerOfSide: Map<string, SideWriter>;
  signatures: Signature[];
}

export interface SideWriter {
  device: string | null;
  staffId: string | null;
}

export const sideKey = (
  contradictionId: string,
  s: { queueEntryId: string; consultationId: string | null },
) => `${contradictionId}/${s.queueEntryId}/${s.consultationId ?? ''}`;

/** Who wrote a register's winning head (a status: greatest epoch, rank, then hlc; else the last
 * hlc), from the merge state: the device from its stamp and the signed-in person. */
function writerOf(st: RowState | undefined, field: string): SideWriter {
  const f = st?.f[field];
  if (f?.t !== 'r' || f.heads.length === 0) return { device: null, staffId: null };
  let head = f.heads[f.heads.length - 1]!;
  if (field === 'status') {
    const rank = (v: unknown) => v as { epoch?: number; rank?: number };
    for (const h of f.heads) {
      const a = rank(h.v);
      const b = rank(head.v);
      if ((a.epoch ?? 0) > (b.epoch ?? 0)) head = h;
      else if ((a.epoch ?? 0) === (b.epoch ?? 0) && (a.rank ?? 0) > (b.rank ?? 0)) head = h;
    }
  }
  return { device: deviceOfHlc(head.h), staffId: head.u ?? null };
}

/** The day's contradictions over every stop on this device (docs/decisions/0004). */
export function useContradictions(): ContradictionsView | null | undefined {
  const db = useDb();
  const value = useLiveQuery(async () => {
    if (!db) return { v: null };
    const [visits, queueEntries, consultations, signatures, acknowledgements] = await Promise.all([
      db.rows('visit').toArray(),
      db.rows('queueEntry').toArray(),
      db.rows('consultation').toArray(),
      db.rows('signature').toArray(),
      db.rows('contradictionAck').toArray(),
    ]);
    const all = dayContradictions({
      visits,
      queueEntries,
      consultations,
      signatures,
      acknowledgements,
    });
    const writerOfSide = new Map<string, SideWriter>();
    for (const c of all) {
      for (const side of c.sides) {
        const st = side.consultationId
          ? await db.states.get(['consultation', side.consultationId])
          : await db.states.get(['queueEntry', side.queueEntryId]);
        writerOfSide.set(
          sideKey(c.id, side),
          side.consultationId
            ? writerOf(st, 'authorId')
            : // An end without care is the status's writer; a stale call, the room's.
              writerOf(st, c.kind === 'ended_with_note' ? 'status' : 'roomId'),
        );
      }
    }
    return { v: { all, writerOfSide, signatures } };
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
  // The answer may arrive after the screen is gone (the network is slow): it is then dropped.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const reload = useCallback(async () => {
    if (!db) return;
    setState('loading');
    const connection = await readConnection(db);
    const answer = connection ? await fetchDevices(connection) : null;
    if (!mounted.current) return;
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
