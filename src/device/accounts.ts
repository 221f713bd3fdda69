// People and devices on the sync server (issue 8, docs/decisions/0002): a person signs in with
// their password before setting a PIN on an enrolled device; the coordination creates enrolment
// codes for new devices and sets the team's passwords. Every call authenticates this device
// (its credential) and tries the servers in order — the truck's relay first, central second: a
// network failure moves on to the next one, an answer from a server (even an error) is final.
import type { DeviceProfile, PartnerService } from '../domain/entities';
import { authHeaders, type Connection, readConnection } from './connection';
import { type EscaleDb, getMeta, META } from './db';
import { learnServerTime } from './server-time';

/** What a server or the network said, in French (`message`), with the server's error code. */
export class AccountError extends Error {
  constructor(
    message: string,
    /** The server's `error` ('bad_password', 'rate_limited'…), or 'unreachable' / 'not_connected'. */
    readonly code: string,
    /** The HTTP status of the answer (absent when no server answered). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export const ACCOUNT_MESSAGES = {
  unreachable: 'Serveur injoignable : vérifiez la connexion de l’appareil et réessayez.',
  notConnected:
    'Cet appareil n’est pas encore enrôlé : saisissez d’abord le code de la coordination sur l’écran d’accueil.',
} as const;

/** Profiles an enrolment code can be made for: the four device profiles, the truck's relay and a
 * certified partner component (docs/integrations.md). */
export type EnrolmentProfile = DeviceProfile | 'relay' | 'partner';

export interface EnrolmentCode {
  /** 8 characters, e.g. "K7M2Q9XD". */
  code: string;
  /** Epoch ms after which the code is refused (15 minutes). */
  expiresAt: number;
}

export interface LoginResult {
  staffId: string;
  /** The person's key material for this device's encryption layer. */
  escrow: string;
  /** The person's session on this device (docs/decisions/0006-person-sessions.md), when the
   * server gives one: their stamped ops are accepted from here until `expiresAt` (renewed while
   * they work). */
  session: { from: number; issuedAt: number; expiresAt: number } | null;
}

const TIMEOUT_MS = 15_000;

async function errorOf(res: Response): Promise<AccountError> {
  let body: { error?: unknown; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: a generic message below
  }
  const code = typeof body.error === 'string' ? body.error : `http_${res.status}`;
  const message =
    typeof body.message === 'string' && body.message.trim()
      ? body.message
      : `Le serveur a répondu ${res.status}.`;
  return new AccountError(message, code, res.status);
}

/**
 * Sends one authenticated JSON request to the first server that answers; returns its successful
 * response, or throws AccountError with the server's message (or "serveur injoignable").
 */
async function call(
  connection: Connection,
  path: string,
  body: unknown,
  fetchImpl: typeof fetch,
): Promise<Response> {
  for (const server of connection.servers) {
    let res: Response;
    try {
      res = await fetchImpl(`${server}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(connection) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      continue; // network failure: the next server
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }
  throw new AccountError(ACCOUNT_MESSAGES.unreachable, 'unreachable');
}

async function connected(db: EscaleDb): Promise<Connection> {
  const connection = await readConnection(db);
  if (!connection) throw new AccountError(ACCOUNT_MESSAGES.notConnected, 'not_connected');
  return connection;
}

async function json<T>(res: Response): Promise<T> {
  try {
    return (await res.json()) as T;
  } catch {
    throw new AccountError(`Réponse illisible du serveur (${res.status}).`, 'bad_response');
  }
}

/** Checks a person's password online; the answer carries their escrow for this device. */
export async function login(
  db: EscaleDb,
  staffId: string,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<LoginResult> {
  const sentAt = Date.now();
  const res = await call(await connected(db), '/api/login', { staffId, password }, fetchImpl);
  const receivedAt = Date.now();
  const body = await json<{ staffId?: unknown; escrow?: unknown; session?: unknown }>(res);
  if (typeof body.escrow !== 'string') {
    throw new AccountError('Réponse incomplète du serveur à la connexion.', 'bad_response');
  }
  const session = body.session as LoginResult['session'] | undefined;
  // The session opens at the server's time: the device's next stamps must not fall before it,
  // whatever its own clock says (a tablet an hour behind, before its first sync answer).
  if (typeof session?.issuedAt === 'number') {
    await learnServerTime(db, session.issuedAt, sentAt, receivedAt);
  }
  // Signed in again: the pushes the server held back for this person may go (the sync retries
  // on the audit event the sign-in writes).
  const notice = await getMeta<{ staffId?: string }>(db, META.sessionRequired);
  if (notice?.staffId === staffId) await db.meta.delete(META.sessionRequired);
  return {
    staffId: typeof body.staffId === 'string' ? body.staffId : staffId,
    escrow: body.escrow,
    session: typeof session?.expiresAt === 'number' ? session : null,
  };
}

/**
 * Ends a person's session on this device at the server (sign-out, or the person forgotten here):
 * ops stamped with them from this device after now are refused. Needs a server (relay or central).
 */
export async function logout(
  db: EscaleDb,
  staffId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  await call(await connected(db), '/api/logout', { staffId }, fetchImpl);
}

/** A single-use code (15 minutes) that enrols a new device for a profile (and a room), or a
 * partner component for its services. */
export async function createEnrolmentCode(
  db: EscaleDb,
  request: {
    profile: EnrolmentProfile;
    roomId: string | null;
    name: string;
    services?: readonly PartnerService[];
  },
  fetchImpl: typeof fetch = fetch,
): Promise<EnrolmentCode> {
  const res = await call(
    await connected(db),
    '/api/enrolments',
    {
      profile: request.profile,
      roomId: request.profile === 'room' ? request.roomId : null,
      name: request.name.trim(),
      ...(request.profile === 'partner' ? { services: request.services ?? [] } : {}),
    },
    fetchImpl,
  );
  const body = await json<{ code?: unknown; expiresAt?: unknown }>(res);
  if (typeof body.code !== 'string' || typeof body.expiresAt !== 'number') {
    throw new AccountError('Réponse incomplète du serveur pour le code.', 'bad_response');
  }
  return { code: body.code, expiresAt: body.expiresAt };
}

/** Sets (or replaces) a team member's password on the server (8 characters at least). */
export async function setStaffPassword(
  db: EscaleDb,
  staffId: string,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  await call(await connected(db), '/api/passwords', { staffId, password }, fetchImpl);
}

/** The coordination puts a partner task waiting for a person back in the queue (central writes
 * the change; it comes back by the next sync). */
export async function requeuePartnerTask(
  db: EscaleDb,
  taskId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  await call(
    await connected(db),
    `/api/partner/tasks/${encodeURIComponent(taskId)}/requeue`,
    {},
    fetchImpl,
  );
}
