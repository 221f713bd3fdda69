// Protocol 3 at the sync route's door (docs/protocol.md, « L'enveloppe compacte »): a compact
// push is decoded into protocol 2's form before anything else reads it (so zod, the rules and the
// store see exactly what they saw before), and a compact push is answered compactly. Protocol 1
// and 2 bodies pass through untouched.
import { decodeOps, EnvelopeError, encodeSeqOps, isCompact } from '../sync/envelope';
import { COMPACT_PROTOCOL_VERSION, PROTOCOL_VERSION, type SyncResponse } from '../sync/protocol';

export type ReadBody =
  | { ok: true; body: unknown; compact: boolean }
  | { ok: false; message: string; path: string };

/** The request body in protocol 2's form, or why its compact batch does not decode. */
export function readSyncBody(raw: unknown): ReadBody {
  const body = raw as { protocol?: unknown; ops?: unknown } | null | undefined;
  const compact =
    typeof body?.protocol === 'number' &&
    body.protocol >= COMPACT_PROTOCOL_VERSION &&
    isCompact(body.ops);
  if (!compact) return { ok: true, body: raw, compact: false };
  try {
    return { ok: true, body: { ...body, ops: decodeOps(body!.ops) }, compact: true };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    const path = ['ops', ...error.path].join('.');
    return {
      ok: false,
      path,
      message: `Requête de synchronisation invalide (${path}) : enveloppe compacte illisible, ${error.message}`,
    };
  }
}

/** The answer as the client reads it: compact to a compact push; every answer says the version. */
export function syncAnswer(response: SyncResponse, compact: boolean) {
  return compact
    ? { ...response, protocol: PROTOCOL_VERSION, ops: encodeSeqOps(response.ops) }
    : { ...response, protocol: PROTOCOL_VERSION };
}
