// The device learns its servers' time (docs/protocol.md, clocks): every sync answer carries
// `serverTime`, and a sign-in's answer its session's `issuedAt`. The offset moves the writer's
// HLC readings only — the clock itself never goes back — so that a device whose wall clock is an
// hour behind does not stamp its first ops before the session its sign-in just opened.
import { correctOffset, createClock } from '../sync/hlc';
import { type EscaleDb, getMeta, getWriter, META } from './db';

/** The server answered at `serverTime` somewhere between `sentAt` and `receivedAt` (the
 * device's wall clock): the middle is taken. */
export async function learnServerTime(
  db: EscaleDb,
  serverTime: number,
  sentAt: number,
  receivedAt: number,
): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const deviceId = await getMeta<string>(db, META.deviceId);
    if (!deviceId) return;
    const writer = await getWriter(db);
    const saved = writer.clock;
    const clock = saved && saved.node === deviceId ? saved : createClock(deviceId);
    const next = correctOffset(clock, serverTime, (sentAt + receivedAt) / 2);
    if (next !== saved) await db.meta.put({ key: META.writer, value: { ...writer, clock: next } });
  });
}
