// The sync client's transport: one POST /api/sync, its body gzipped once the server said it
// reads gzip, its answer checked against the protocol's schema, and every failure turned into
// the error the sync loop acts on (network, refusal naming ops, session to renew, revocation,
// update required, relay not knowing the device yet). No state but which servers read gzip.
import { encodeOps, readAnswer } from '../sync/envelope';
import {
  COMPACT_PROTOCOL_VERSION,
  type SyncRequest,
  type SyncResponse,
  syncResponseSchema,
} from '../sync/protocol';
import { acceptsGzip, encodeBody } from './compress-body';

export const SYNC_MESSAGES = {
  offline: 'Aucun serveur de synchronisation joignable ; nouvel essai automatique.',
  updateRequired:
    'Mise à jour requise : cette version d’Escale est trop ancienne pour le serveur. Rechargez l’application.',
  notEnrolled: 'Appareil non enrôlé : identifiant d’appareil ou organisation inconnus.',
  opTooLarge:
    'Une modification est plus volumineuse que ce que le serveur accepte : elle reste en attente sur cet appareil.',
  badResponse: 'Réponse du serveur de synchronisation illisible.',
  revoked: 'Cet appareil a été retiré par la coordination : ses données locales sont effacées.',
  relayUnknownDevice:
    'Ce relais ne connaît pas encore cet appareil ; la synchronisation reprendra quand le relais joindra le central.',
  noProgress:
    'Le serveur annonce d’autres modifications sans en envoyer : synchronisation interrompue.',
  unrecognised:
    'Le serveur ne reconnaît plus cet appareil : demandez un code d’enrôlement à la coordination et enrôlez-le à nouveau. Les modifications non envoyées restent sur l’appareil.',
  sessionRequired:
    'Une personne doit se reconnecter avec son mot de passe sur cet appareil : ses modifications y restent en attente.',
} as const;

export class NetworkError extends Error {}
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The error body of a 4xx, when it was JSON (it may name refused ops). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}
/** The server cannot serve this device yet (a relay that has not learnt its credential from
 * central, 503 relay_unknown_device): retried like an unreachable server, never « enrol again ». */
export class NotYetKnown extends Error {}
export class UpdateRequired extends Error {}
/** 401 unauthenticated: the server (or central, asked by a relay) does not know this device's
 * credential — central restored from a backup older than its enrolment. It enrols again under
 * the same id; nothing of its outbox is dropped meanwhile. */
export class Unrecognised extends Error {}
export class Revoked extends Error {}
/** 403 session_required: a person stamped on the pushed ops must sign in on this device again. */
export class SessionRequired extends Error {
  constructor(
    readonly staffId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Throws Unrecognised when `res` is the server's 401 unauthenticated (the snapshot's routes
 * answer it too); reads a clone, so the caller may still read the body. */
export async function throwIfUnrecognised(res: Response): Promise<void> {
  if (res.status !== 401) return;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: string } | null;
  if (body?.error === 'unauthenticated') throw new Unrecognised(SYNC_MESSAGES.unrecognised);
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown; error?: unknown };
    const msg = body.message ?? body.error;
    return typeof msg === 'string' ? msg : '';
  } catch {
    return '';
  }
}

export interface TransportOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  /** Authentication and any extra headers, read at each request. */
  headers: () => Promise<Record<string, string>>;
}

/** The round trip to a server: `post(server, request)` resolves to the checked answer. */
export function createSyncTransport(
  options: TransportOptions,
): (server: string, body: SyncRequest) => Promise<SyncResponse> {
  /** Servers that said they read gzip bodies (their answers carry Accept-Encoding). */
  const compressing = new Set<string>();
  /** Servers that said they read the compact envelope (protocol 3): their first answer says so,
   * so only the first request to a server goes in protocol 2's form. */
  const compact = new Set<string>();

  return async function post(server: string, body: SyncRequest): Promise<SyncResponse> {
    const controller = new AbortController();
    const t = setTimeout(() => controller.abort(), options.timeoutMs);
    let res: Response;
    try {
      const wire = compact.has(server) ? { ...body, ops: encodeOps(body.ops) } : body;
      const encoded = await encodeBody(JSON.stringify(wire), compressing.has(server));
      res = await options.fetch(`${server}/api/sync`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...encoded.headers,
          ...(await options.headers()),
        },
        body: encoded.body,
        signal: controller.signal,
      });
      if (acceptsGzip(res)) compressing.add(server);
    } catch (err) {
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(t);
    }
    if (res.status === 426) throw new UpdateRequired(SYNC_MESSAGES.updateRequired);
    await throwIfUnrecognised(res);
    if (res.status === 403) {
      const body = (await res.json().catch(() => null)) as {
        error?: string;
        message?: string;
      } | null;
      if (body?.error === 'revoked') throw new Revoked(body.message ?? SYNC_MESSAGES.revoked);
      const staffId = (body as { details?: { staffId?: unknown } } | null)?.details?.staffId;
      if (body?.error === 'session_required' && typeof staffId === 'string') {
        throw new SessionRequired(staffId, body.message ?? SYNC_MESSAGES.sessionRequired);
      }
      throw new HttpError(
        403,
        `Le serveur a refusé la synchronisation (HTTP 403) : ${body?.message ?? ''}`,
        body,
      );
    }
    if (res.status === 400) {
      // A server replaced by an older one (a relay rolled back) does not read the compact form:
      // the next request goes in the list form again and relearns what the server speaks.
      compact.delete(server);
      const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
      const text = typeof body?.message === 'string' ? body.message : '';
      throw new HttpError(
        400,
        `Le serveur a refusé la synchronisation (HTTP 400)${text ? ` : ${text}` : '.'}`,
        body,
      );
    }
    if (res.status === 503) {
      const body = (await res
        .clone()
        .json()
        .catch(() => null)) as { error?: string; message?: string } | null;
      if (body?.error === 'relay_unknown_device') {
        throw new NotYetKnown(body.message ?? SYNC_MESSAGES.relayUnknownDevice);
      }
    }
    if (!res.ok) {
      const text = await errorText(res);
      throw new HttpError(
        res.status,
        `Le serveur a refusé la synchronisation (HTTP ${res.status})${text ? ` : ${text}` : '.'}`,
      );
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new HttpError(res.status, SYNC_MESSAGES.badResponse);
    }
    const parsed = syncResponseSchema.safeParse(readAnswer(json));
    if (!parsed.success) throw new HttpError(res.status, SYNC_MESSAGES.badResponse);
    if ((parsed.data.protocol ?? 0) >= COMPACT_PROTOCOL_VERSION) compact.add(server);
    return parsed.data;
  };
}
