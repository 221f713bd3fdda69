// The demo at each start of a central (`npm start`): seeded on the first start, and on a later
// start whose moment no stop of the day covers (a new day, or the evening after a morning start),
// a new stop of the day is seeded around that moment in the same organisation, with its roster
// and a waiting room in motion (issue 23). Staff, rooms, services and patients are the ones held.
import type { EntityName, Stop } from '../../domain/entities';
import { isWithin, localDate, localTime } from '../../domain/time';
import type { SyncStore } from '../store/types';
import {
  buildDemoDataset,
  DEMO_ORGANISATION_NAME,
  type DemoAccount,
  type DemoDataset,
  noteDigest,
} from './demo';
import { rowsToOps } from './ops';

export type DemoStart =
  | { kind: 'created'; org: string; stopId: string; accounts: DemoAccount[] }
  | { kind: 'new_day'; org: string; stopId: string }
  | { kind: 'kept'; org: string }
  | { kind: 'none' };

const DEMO_ORG_META = 'demoOrg';

/** The demo's organisation in this store: recorded when seeded, or found by its name. */
async function demoOrg(store: SyncStore): Promise<string | undefined> {
  const recorded = await store.getMeta(DEMO_ORG_META);
  if (recorded) return recorded;
  for (const org of await store.orgs()) {
    const [row] = await store.rowsByIds(org, 'organisation', [org]);
    if (row?.name === DEMO_ORGANISATION_NAME) return org;
  }
  return undefined;
}

/** A stop of the day, not cancelled, whose hours cover the moment. */
function covers(stops: readonly Record<string, unknown>[], today: string, time: string): boolean {
  return stops.some(
    (s) =>
      s._deleted !== true &&
      s.date === today &&
      s.status !== 'cancelled' &&
      typeof s.opensAt === 'string' &&
      typeof s.closesAt === 'string' &&
      isWithin(time, s.opensAt, s.closesAt),
  );
}

export async function startDemo(store: SyncStore, now: string): Promise<DemoStart> {
  const today = localDate(now);
  const time = localTime(now);
  const nowMs = Date.parse(now);
  const orgs = await store.orgs();
  if (orgs.length === 0) {
    const demo = buildDemoDataset({ today, now });
    const org = demo.data.organisation[0]!.id;
    await store.push(org, rowsToOps(org, 'seed', demo.data, nowMs));
    await store.setMeta(DEMO_ORG_META, org);
    return { kind: 'created', org, stopId: demo.todayStopId, accounts: demo.accounts };
  }
  const org = await demoOrg(store);
  if (!org) return { kind: 'none' };
  const stops = await store.rows(org, 'stop');
  if (covers(stops, today, time)) return { kind: 'kept', org };

  const day = buildDemoDataset({ today, now, orgId: org });
  const rows = await dayRows(store, org, day.data, day.todayStopId, stops);
  // A writer of its own for each new day: its ops never collide with an earlier seed's.
  await store.push(org, rowsToOps(org, `seed-${today}-${time.replace(':', 'h')}`, rows, nowMs));
  await store.setMeta(DEMO_ORG_META, org);
  return { kind: 'new_day', org, stopId: day.todayStopId };
}

type Row = Record<string, unknown> & { id: string };

/**
 * Today's rows of a freshly built demo, re-pointed at the organisation's own truck, rooms, staff,
 * services and patients (matched by name, code and identity); the other stops of the day are
 * cancelled, so the devices' « stop of the day » is the new one (src/device/queries.ts).
 */
async function dayRows(
  store: SyncStore,
  org: string,
  built: DemoDataset,
  stopId: string,
  stops: readonly Record<string, unknown>[],
): Promise<{ [K in EntityName]?: { id: string }[] }> {
  const held = async (entity: EntityName) =>
    (await store.rows(org, entity)).filter((r) => r._deleted !== true) as Row[];
  const map = new Map<string, string>();
  const match = <T extends { id: string }>(
    builtRows: readonly T[],
    heldRows: readonly Row[],
    key: (r: Record<string, unknown>) => string,
  ) => {
    const byKey = new Map(heldRows.map((r) => [key(r), r.id]));
    for (const r of builtRows) {
      const found = byKey.get(key(r as unknown as Record<string, unknown>));
      if (found) map.set(r.id, found);
    }
  };
  match(built.unit, await held('unit'), (r) => String(r.name));
  match(built.room, await held('room'), (r) => String(r.name));
  match(built.service, await held('service'), (r) => String(r.code));
  match(built.staff, await held('staff'), (r) => `${r.firstName}\u0000${r.lastName}`);
  match(
    built.patient,
    await held('patient'),
    (r) => `${r.birthName}\u0000${r.firstNames}\u0000${r.birthDate}`,
  );
  const to = (id: string) => map.get(id) ?? id;
  const known = (id: string) => map.has(id);

  const stop = built.stop.find((s) => s.id === stopId)!;
  const today = stop.date;
  const cancelled: { id: string }[] = stops
    .filter((s) => s._deleted !== true && s.date === today && s.status !== 'cancelled')
    .map((s) => ({ id: String(s.id), status: 'cancelled' satisfies Stop['status'] }));
  const visits = built.visit.filter((v) => v.stopId === stopId && known(v.patientId));
  const visitIds = new Set(visits.map((v) => v.id));
  const entries = built.queueEntry.filter((q) => visitIds.has(q.visitId));
  const notes = built.consultation.filter((c) => visitIds.has(c.visitId));
  const noteIds = new Set(notes.map((c) => c.id));
  const remapped = notes.map((c) => ({
    ...c,
    patientId: to(c.patientId),
    serviceId: to(c.serviceId),
    authorId: to(c.authorId),
    supervisorId: c.supervisorId && to(c.supervisorId),
  }));
  return {
    stop: [...cancelled, { ...stop, unitId: to(stop.unitId) } as { id: string }],
    rosterSlot: built.rosterSlot
      .filter((s) => s.stopId === stopId)
      .map((s) => ({
        ...s,
        roomId: to(s.roomId),
        serviceIds: s.serviceIds.map(to),
        staffIds: s.staffIds.map(to),
      })),
    appointment: built.appointment
      .filter((a) => a.stopId === stopId && known(a.patientId))
      .map((a) => ({ ...a, patientId: to(a.patientId), serviceId: to(a.serviceId) })),
    visit: visits.map((v) => ({ ...v, patientId: to(v.patientId) })),
    queueEntry: entries.map((q) => ({
      ...q,
      serviceId: to(q.serviceId),
      roomId: q.roomId && to(q.roomId),
      practitionerId: q.practitionerId && to(q.practitionerId),
    })),
    consultation: remapped,
    vitals: built.vitals
      .filter((v) => noteIds.has(v.consultationId))
      .map((v) => ({ ...v, patientId: to(v.patientId), authorId: to(v.authorId) })),
    signature: built.signature
      .filter((s) => noteIds.has(s.consultationId))
      .map((s) => ({
        ...s,
        staffId: to(s.staffId),
        // The digest covers the patient and the author: computed again on the re-pointed note.
        contentHash: noteDigest(remapped.find((c) => c.id === s.consultationId)!),
      })),
  };
}
