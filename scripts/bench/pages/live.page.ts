// Runs in Chromium: one device of the live bench, with the app's own code paths — joining an
// organisation with the credential the bench enrolled it with (kept as enrolDevice keeps it) and
// starting the page's sync loop (src/device/connection.ts: leader election,
// live channel, sync after each write), the reception check-in (domain plan + write path + audit,
// as src/ui/reception/reception-actions.ts does), and a live query on the queue as the screens
// read it.
import { liveQuery } from 'dexie';
import { v7 as uuidv7 } from 'uuid';
import { type Credential, joinOrganisation, startSync } from '../../../src/device/connection';
import { EscaleDb, META } from '../../../src/device/db';
import { type Change, writeChanges } from '../../../src/device/write';
import { planCheckIn } from '../../../src/domain/checkin';

let db: EscaleDb;
let deviceId: string;
let org: string;
/** Queue entry id → time it reached the screen (the frame after the live query saw it). */
const seen = new Map<string, number>();
const now = () => performance.timeOrigin + performance.now();

/** An enrolled device: its id (the one its credential names), organisation and credential. */
export interface LiveDevice {
  deviceId: string;
  org: string;
  credential: Credential;
}

async function liveJoin(server: string, device: LiveDevice): Promise<number> {
  org = device.org;
  deviceId = device.deviceId;
  db = new EscaleDb('escale');
  await db.open();
  await db.meta.put({ key: META.deviceId, value: deviceId });
  await joinOrganisation(db, { org, servers: [server], credential: device.credential });
  await startSync(db);
  for (let i = 0; i < 600; i++) {
    if ((await db.rows('stop').count()) > 0 && (await db.rows('service').count()) > 0) {
      return db.rows('patient').count();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the device never received the organisation');
}

function liveWatch(): void {
  liveQuery(() => db.rows('queueEntry').toArray()).subscribe((entries) => {
    const fresh = entries.filter((e) => !seen.has(e.id)).map((e) => e.id);
    for (const id of fresh) seen.set(id, Number.NaN);
    requestAnimationFrame(() => {
      const t = now();
      for (const id of fresh) seen.set(id, t);
    });
  });
}

async function liveCheckIn(k: number): Promise<{ id: string; t0: number }> {
  const [stop] = (await db.rows('stop').toArray()).filter((s) => s.status === 'open');
  const services = await db.rows('service').toArray();
  const mg = services.find((s) => s.code === 'MG') ?? services[0]!;
  const patients = await db.rows('patient').toArray();
  const patient = patients[k % patients.length]!;
  const stopEntries = stop
    ? await db.rows('queueEntry').where('stopId').equals(stop.id).toArray()
    : [];
  const t0 = now();
  const plan = planCheckIn(
    {
      orgId: org,
      stopId: stop?.id ?? 'stop',
      patientId: patient.id,
      appointmentId: null,
      motif: 'Renouvellement de traitement',
      serviceIds: [mg.id],
      noMt: true,
      ald: false,
      urgent: false,
      urgentReason: '',
    },
    { services, stopEntries },
    new Date().toISOString(),
    { visit: uuidv7(), entries: [uuidv7()] },
  );
  const { id: visitId, ...visit } = plan.visit;
  const changes: Change[] = [{ entity: 'visit', id: visitId, set: visit }];
  for (const { id, ...entry } of plan.entries)
    changes.push({ entity: 'queueEntry', id, set: entry });
  changes.push({
    entity: 'audit',
    id: uuidv7(),
    insert: {
      orgId: org,
      at: new Date().toISOString(),
      actorId: null,
      deviceId,
      action: 'visit.checked_in',
      entity: 'visit',
      entityId: visitId,
      detail: plan.entries.map((e) => e.ticket).join(','),
    },
  });
  await writeChanges(db, { deviceId, org }, changes);
  return { id: plan.entries[0]!.id, t0 };
}

function liveSeen(id: string): number | null {
  const t = seen.get(id);
  return t === undefined || Number.isNaN(t) ? null : t;
}

Object.assign(globalThis, { liveJoin, liveWatch, liveCheckIn, liveSeen });
