// The device's position, sent with every sync request (docs/decisions/0027-pruning.md): its
// clock and last sequence, read together. Every op it wrote with a clock ≤ that clock has a
// sequence ≤ that one, and every op it writes later is stamped above it (the clock only moves
// forward: write.ts ticks it, pulled ops and the server's time push it). Central records it
// once it holds this device's ops 1..seq; the organisation's horizon is the least position.
import { encodeHlc } from '../sync/hlc';
import type { SentPosition } from '../sync/protocol';
import { type EscaleDb, getMeta, getWriter, META } from './db';

export async function devicePosition(db: EscaleDb): Promise<SentPosition | undefined> {
  return db.transaction('r', db.meta, async () => {
    const deviceId = await getMeta<string>(db, META.deviceId);
    if (!deviceId) return undefined;
    const writer = await getWriter(db);
    const clock = writer.clock;
    const seq = writer.lastSeq ?? 0;
    // No clock of its own yet: nothing written, nothing received; its later ops are above 0.
    const own = clock && clock.node === deviceId ? clock : { ms: 0, counter: 0 };
    return { hlc: encodeHlc(own.ms, own.counter, deviceId), seq };
  });
}
