// Runs in the built app's own page (startup bench): the app's enrolment result written where
// the app keeps it (src/device/connection.ts joinOrganisation: organisation, servers,
// credential), so the bench does not depend on the enrolment screen's form.
import { type Connection, joinOrganisation } from '../../../src/device/connection';
import { EscaleDb, getMeta, META } from '../../../src/device/db';

/** This device's id (created by the app's first start), or null before it exists. */
async function startupDeviceId(): Promise<string | null> {
  const db = new EscaleDb();
  await db.open();
  try {
    return (await getMeta<string>(db, META.deviceId)) ?? null;
  } finally {
    db.close();
  }
}

async function startupJoin(connection: Connection): Promise<void> {
  const db = new EscaleDb();
  await db.open();
  try {
    await joinOrganisation(db, connection);
  } finally {
    db.close();
  }
}

Object.assign(globalThis, { startupDeviceId, startupJoin });

/** Patients the device holds (the registry as pulled so far): a count, nothing opened. */
async function startupPatients(): Promise<number> {
  const db = new EscaleDb();
  await db.open();
  try {
    return await db.table('patient').count();
  } finally {
    db.close();
  }
}

Object.assign(globalThis, { startupPatients });
