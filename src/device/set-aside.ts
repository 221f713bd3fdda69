// Ops the server refused for good (docs/protocol.md, Quarantine): the device keeps them in its
// outbox — nothing typed is lost — but stops pushing them, so they block nothing. Only their
// sequence and the server's French reason are kept beside them (the ops stay sealed in the
// outbox); the device-health page and the status report show them.
import type { EscaleDb } from './db';
import { outboxRanges } from './outbox';

export const SET_ASIDE_KEY = 'sync.setAside';

export interface SetAsideOp {
  seq: number;
  /** The server's reason, in French. */
  reason: string;
  /** When it was set aside (ISO). */
  at: string;
}

export async function listSetAside(db: EscaleDb): Promise<SetAsideOp[]> {
  const row = await db.meta.get(SET_ASIDE_KEY);
  return (row?.value as SetAsideOp[] | undefined) ?? [];
}

export async function setAsideSeqs(db: EscaleDb): Promise<Set<number>> {
  return new Set((await listSetAside(db)).map((x) => x.seq));
}

/** Records refused ops as set aside (idempotent by seq). */
export async function setAside(db: EscaleDb, refused: readonly SetAsideOp[]): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const held = await listSetAside(db);
    const known = new Set(held.map((x) => x.seq));
    const next = [...held, ...refused.filter((x) => !known.has(x.seq))];
    await db.meta.put({ key: SET_ASIDE_KEY, value: next });
  });
}

/**
 * The device's own ops a 4xx answer to a push names (`details.refused`, `details.dev`/`seq`, or
 * `details.index` into the batch), with the server's reason; empty when it names none of them.
 */
export function refusedByServer(
  body: unknown,
  deviceId: string,
  sent: readonly { seq: number }[],
): { seq: number; reason: string }[] {
  const b = (body ?? {}) as {
    message?: unknown;
    details?: { refused?: unknown; dev?: unknown; seq?: unknown; index?: unknown };
  };
  const message = typeof b.message === 'string' ? b.message : 'Refusée par le serveur.';
  const mine = new Set(sent.map((op) => op.seq));
  const out = new Map<number, string>();
  const d = b.details;
  if (Array.isArray(d?.refused)) {
    for (const r of d.refused as { dev?: unknown; seq?: unknown; message?: unknown }[]) {
      if (r?.dev === deviceId && typeof r.seq === 'number' && mine.has(r.seq)) {
        out.set(r.seq, typeof r.message === 'string' ? r.message : message);
      }
    }
  }
  if (d?.dev === deviceId && typeof d.seq === 'number' && mine.has(d.seq) && !out.has(d.seq)) {
    out.set(d.seq, message);
  }
  if (typeof d?.index === 'number' && out.size === 0) {
    const op = sent[d.index];
    if (op) out.set(op.seq, message);
  }
  return [...out].map(([seq, reason]) => ({ seq, reason }));
}

/**
 * What the outbox still has to send: its ops and its actions but the set-aside ops, which are
 * kept and never sent (a device holding one is not « waiting » for it: its status, its report
 * to the closure and its receipt count these). Every set-aside op is in the outbox (kept there
 * even once durable: sync-client.ts `keepDurable`; retractions.ts moves one back first), so this
 * is exact; read as stored, without opening sealed records.
 */
export async function unsentCounts(db: EscaleDb): Promise<{ ops: number; actions: number }> {
  const [ranges, aside] = await Promise.all([outboxRanges(db), setAsideSeqs(db)]);
  let ops = 0;
  let actions = 0;
  for (const [first, last] of ranges) {
    let n = last - first + 1;
    for (const seq of aside) if (seq >= first && seq <= last) n -= 1;
    if (n > 0) {
      ops += n;
      actions += 1;
    }
  }
  return { ops, actions };
}
