// The HTTP server: enrolment and sign-in, the sync round trip (authorised per device profile on
// push, filtered per profile on pull), the live channel, receipts, health, CORS and Private
// Network Access for the app's origin, and the built PWA. Every /api route but health and
// enrolment needs a device's bearer token; the organisation always comes from it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type Audience,
  CONSULTATION_FAMILY,
  consultationIdOf,
  pushRefusal,
  restrictedHiddenFrom,
  type StaffFacts,
  type Viewer,
  viewOp,
  visibleStates,
} from '../domain/access';
import { dayProof, type ServerProof } from '../domain/closure';
import { deviceProfileSchema, entitySpec, SCHEMA_VERSION } from '../domain/entities';
import { digestRows } from '../sync/digest';
import { SyncValidationError } from '../sync/errors';
import { MAX_NAME } from '../sync/op';
import {
  type DeviceReport,
  type DeviceSeen,
  type EnrolledDevice,
  MIN_PROTOCOL_VERSION,
  normaliseCode,
  PROTOCOL_VERSION,
  receiptRequestSchema,
  type SeqOp,
  type SyncResponse,
  syncRequestSchema,
} from '../sync/protocol';
import { Accounts, type DeviceCredential, MIN_PASSWORD } from './auth';
import { Pokes } from './live';
import { FailureLimiter } from './rate-limit';
import type { Fanout } from './store/pg-fanout';
import type { SyncStore } from './store/types';
import { APP_VERSION } from './version';

export interface AppOptions {
  store: SyncStore;
  role?: 'central' | 'relay';
  /** Built PWA to serve (omitted: API only, as on a relay). */
  staticDir?: string;
  /** Origins allowed to call the API from another origin (the app's origin, for a relay). */
  allowedOrigins?: string[];
  bodyLimit?: number;
  /** Default and maximum size of a pulled page. */
  pullBytes?: number;
  /** Called after ops were stored (the relay forwards them at once). */
  onStored?: (org: string) => void;
  extraHealth?: () => Record<string, unknown>;
  /** Live pokes, shared with the relay so ops brought from central poke local devices too. */
  pokes?: Pokes;
  /** Several instances over one database: pokes go through it (PostgreSQL NOTIFY) to all. */
  fanout?: Fanout;
  logger?: boolean;
  /** On a relay: what it asks of central (receipts, enrolment, codes, passwords). */
  relay?: RelayLink;
  /** Accounts over the same store (tests share one with their own helpers). */
  accounts?: Accounts;
  now?: () => number;
}

export interface RelayLink {
  /** Forwards everything, then asks central for its proof of a day as `viewer` sees it. */
  centralProof(org: string, stopId: string, viewer: Viewer): Promise<ServerProof>;
  /** Passes a request to central with the relay's credential; throws when out of reach. */
  forward(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** Brings central's credentials now (a device enrolled there since the last pass). */
  refreshCredentials(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    device?: DeviceCredential;
  }
}

const enrolSchema = z.object({
  code: z.string().min(1).max(32),
  deviceId: z
    .string()
    .min(1)
    .max(MAX_NAME)
    .refine((d) => !d.includes(':') && !d.includes('.'), 'identifiant sans « : » ni « . »'),
});

const codeRequestSchema = z
  .object({
    profile: z.union([deviceProfileSchema, z.literal('relay')]),
    roomId: z.string().min(1).max(MAX_NAME).nullable().optional(),
    name: z.string().trim().min(1).max(100),
  })
  .refine((r) => r.profile !== 'room' || !!r.roomId, {
    message: 'Un appareil de salle doit être rattaché à une salle.',
    path: ['roomId'],
  });

const passwordSchema = z.object({
  staffId: z.string().min(1).max(MAX_NAME),
  password: z.string().max(200),
});

const loginSchema = z.object({
  staffId: z.string().min(1).max(MAX_NAME),
  password: z.string().min(1).max(200),
});

/** Routes open without a device credential. */
const OPEN_ROUTES = new Set(['/api/health', '/api/enrol']);
const FIFTEEN_MINUTES = 15 * 60_000;

const deviceKey = (org: string, dev: string) => `device:${org}:${dev}`;

type SyncRequestOp = z.infer<typeof syncRequestSchema>['ops'][number];

const MiB = 1024 * 1024;

function fail(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  details?: unknown,
) {
  return reply.code(status).send({ error, message, ...(details === undefined ? {} : { details }) });
}

function isAllowedOrigin(origin: string, allowed: string[], host: string | undefined): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    if (host && url.host === host) return true;
    // Development and tests on loopback: any port of localhost is allowed unless a list is set.
    return allowed.length === 0 && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store } = options;
  const role = options.role ?? 'central';
  const pullBytes = options.pullBytes ?? 512 * 1024;
  const allowed = options.allowedOrigins ?? [];
  const pokes = options.pokes ?? new Pokes();
  const now = options.now ?? Date.now;
  const accounts = options.accounts ?? new Accounts(store, now);
  // Wrong enrolment codes per address; wrong passwords per device and person, and per address.
  const enrolFailures = new FailureLimiter(10, FIFTEEN_MINUTES, now);
  const loginFailures = new FailureLimiter(5, FIFTEEN_MINUTES, now);
  const loginFailuresByIp = new FailureLimiter(30, FIFTEEN_MINUTES, now);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 4 * MiB });

  const limited = (reply: FastifyReply, until: number) =>
    fail(
      reply,
      429,
      'rate_limited',
      `Trop d’essais infructueux : réessayez après ${new Date(until).toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })}.`,
      { retryAt: until },
    );

  const isRevoked = async (device: DeviceCredential) =>
    (await store.rowsByIds(device.org, 'device', [device.deviceId])).some(
      (d) => d.revoked === true,
    );

  const viewerOf = (device: DeviceCredential): Viewer => ({
    profile: device.profile,
    roomId: device.roomId,
  });

  /** Refuses the request unless the device's profile is one of `profiles`. */
  const allowOnly = (req: FastifyRequest, reply: FastifyReply, profiles: Audience[]) => {
    if (req.device && profiles.includes(req.device.profile)) return true;
    void fail(
      reply,
      403,
      'forbidden',
      'Cette action est réservée à un appareil de la coordination.',
    );
    return false;
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (!origin || !isAllowedOrigin(origin, allowed, req.headers.host)) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      reply.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      reply.header(
        'Access-Control-Allow-Headers',
        req.headers['access-control-request-headers'] ?? 'content-type, authorization',
      );
      reply.header('Access-Control-Max-Age', '600');
      if (req.headers['access-control-request-private-network'] === 'true') {
        reply.header('Access-Control-Allow-Private-Network', 'true');
      }
      return reply.code(204).send();
    }
  });

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/') || OPEN_ROUTES.has(path)) return;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length).trim()
      : (req.query as { token?: string } | undefined)?.token;
    let device = await accounts.authenticate(token);
    if (!device && token && options.relay) {
      // Enrolled at central since the relay's last pass: ask central once, then check again.
      await options.relay.refreshCredentials();
      device = await accounts.authenticate(token);
    }
    if (!device) {
      return fail(
        reply,
        401,
        'unauthenticated',
        'Appareil non reconnu : enrôlez-le avec un code donné par la coordination.',
      );
    }
    // A device the coordination withdrew is refused and told so: it wipes itself.
    if (await isRevoked(device)) {
      return fail(
        reply,
        403,
        'revoked',
        'Cet appareil a été retiré par la coordination : ses données locales sont effacées.',
      );
    }
    req.device = device;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      return fail(
        reply,
        413,
        'too_large',
        'Requête trop volumineuse : envoyez moins d’opérations à la fois.',
      );
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return fail(
        reply,
        error.statusCode,
        'invalid_request',
        `Requête invalide : ${error.message}`,
      );
    }
    app.log.error(error);
    return fail(reply, 500, 'server_error', 'Erreur interne du serveur ; réessayez plus tard.');
  });

  app.get('/api/health', async () => ({
    status: 'ok',
    app: APP_VERSION,
    protocol: PROTOCOL_VERSION,
    schema: SCHEMA_VERSION,
    store: store.kind,
    role,
    time: Date.now(),
    ...options.extraHealth?.(),
  }));

  // A new device exchanges the coordination's code for its credential. On a relay the exchange
  // is central's (the relay then brings the new credential home before answering).
  app.post('/api/enrol', async (req, reply) => {
    const ip = req.ip;
    const until = enrolFailures.blockedUntil(ip);
    if (until) return limited(reply, until);
    const parsed = enrolSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        'Demande d’enrôlement invalide : code et identifiant d’appareil attendus.',
      );
    }
    if (options.relay) {
      let answer: { status: number; body: unknown };
      try {
        answer = await options.relay.forward('/api/enrol', parsed.data);
      } catch {
        return fail(
          reply,
          503,
          'central_unreachable',
          'Le serveur central est injoignable : l’enrôlement demande une connexion.',
        );
      }
      if (answer.status === 404) enrolFailures.fail(ip);
      if (answer.status < 300) await options.relay.refreshCredentials();
      return reply.code(answer.status).send(answer.body);
    }
    const code = normaliseCode(parsed.data.code);
    const done = await accounts.enrol(code, parsed.data.deviceId);
    if (!done) {
      enrolFailures.fail(ip);
      return fail(
        reply,
        404,
        'unknown_code',
        'Code inconnu, expiré ou déjà utilisé : demandez un nouveau code à la coordination.',
      );
    }
    const { credential, token } = done;
    const [orgRow] = await store.rowsByIds(credential.org, 'organisation', [credential.org]);
    return {
      org: credential.org,
      orgName: typeof orgRow?.name === 'string' ? orgRow.name : credential.org,
      deviceId: credential.deviceId,
      token,
      profile: credential.profile,
      roomId: credential.roomId,
      name: credential.name,
    };
  });

  // The coordination creates a single-use enrolment code for a new device.
  app.post('/api/enrolments', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination', 'relay'])) return reply;
    const parsed = codeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        parsed.error.issues[0]?.message ?? 'Demande invalide.',
      );
    }
    if (options.relay) return forwardToCentral(reply, '/api/enrolments', parsed.data);
    const device = req.device!;
    const { profile, name } = parsed.data;
    const roomId = profile === 'room' ? (parsed.data.roomId ?? null) : null;
    if (roomId && (await store.rowsByIds(device.org, 'room', [roomId])).length === 0) {
      return fail(reply, 400, 'unknown_room', 'Salle inconnue dans cette organisation.');
    }
    const created = await accounts.createCode({
      org: device.org,
      profile,
      roomId,
      name,
      createdBy: device.deviceId,
    });
    return reply.code(201).send(created);
  });

  // The coordination sets a person's password (first sign-in, or a forgotten one).
  app.post('/api/passwords', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination', 'relay'])) return reply;
    const parsed = passwordSchema.safeParse(req.body);
    if (!parsed.success)
      return fail(reply, 400, 'invalid_request', 'Personne et mot de passe attendus.');
    if (parsed.data.password.length < MIN_PASSWORD) {
      return fail(
        reply,
        400,
        'weak_password',
        `Le mot de passe doit compter au moins ${MIN_PASSWORD} caractères.`,
      );
    }
    if (options.relay) return forwardToCentral(reply, '/api/passwords', parsed.data);
    const org = req.device!.org;
    if ((await store.rowsByIds(org, 'staff', [parsed.data.staffId])).length === 0) {
      return fail(reply, 404, 'unknown_staff', 'Personne inconnue dans cette organisation.');
    }
    await accounts.setPassword(org, parsed.data.staffId, parsed.data.password);
    return reply.code(204).send();
  });

  // A person signs in on an enrolled device with their password (before creating a PIN there).
  // A relay answers from the password hashes central gave it, with no coverage.
  app.post('/api/login', async (req, reply) => {
    const device = req.device!;
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success)
      return fail(reply, 400, 'invalid_request', 'Personne et mot de passe attendus.');
    const { staffId, password } = parsed.data;
    const key = `${device.deviceId}:${staffId}`;
    const until = Math.max(loginFailures.blockedUntil(key), loginFailuresByIp.blockedUntil(req.ip));
    if (until) return limited(reply, until);
    const [person] = await store.rowsByIds(device.org, 'staff', [staffId]);
    if (person?.active !== true) {
      return fail(
        reply,
        403,
        'inactive',
        'Cette personne n’est pas (ou plus) active dans l’équipe.',
      );
    }
    const verdict = await accounts.checkPassword(device.org, staffId, password);
    if (verdict === 'none') {
      return fail(
        reply,
        401,
        'no_password',
        'Aucun mot de passe n’est encore défini pour vous : demandez-le à la coordination.',
      );
    }
    if (verdict === 'wrong') {
      loginFailures.fail(key);
      loginFailuresByIp.fail(req.ip);
      return fail(reply, 401, 'bad_password', 'Mot de passe incorrect.');
    }
    loginFailures.reset(key);
    return { staffId, escrow: device.escrow };
  });

  // A relay brings home the credentials and password hashes of its organisation.
  app.get('/api/relay/credentials', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const org = req.device!.org;
    return {
      org,
      credentials: await accounts.credentials(org),
      passwords: await accounts.passwords(org),
    };
  });

  const forwardToCentral = async (reply: FastifyReply, path: string, body: unknown) => {
    try {
      const answer = await options.relay!.forward(path, body);
      return reply.code(answer.status).send(answer.body);
    } catch {
      return fail(
        reply,
        503,
        'central_unreachable',
        'Le serveur central est injoignable : réessayez quand le camion a du réseau.',
      );
    }
  };

  /** A pulled page as this viewer may receive it (cut by profile, restricted notes of other
   * rooms left out). The page's bounds are unchanged, so the viewer's checkpoint still moves. */
  const visibleOps = async (org: string, viewer: Viewer, ops: SeqOp[]): Promise<SeqOp[]> => {
    const cut = ops.flatMap((x) => {
      const op = viewOp(viewer, x.op);
      return op ? [{ s: x.s, op }] : [];
    });
    if (viewer.profile !== 'room') return cut;
    const family = new Map<SeqOp, string | null>();
    const unknownRows = new Map<string, string[]>();
    for (const x of cut) {
      const val = x.op.k === 'ins' ? (x.op.val as Record<string, unknown>) : undefined;
      const id = consultationIdOf(x.op.e, x.op.id, val);
      // An event of a note (vitals, signature, addendum) whose op does not name the note.
      if (id === null && CONSULTATION_FAMILY[x.op.e] !== undefined) {
        unknownRows.set(x.op.e, [...(unknownRows.get(x.op.e) ?? []), x.op.id]);
      }
      family.set(x, id);
    }
    // Deletions of a note's events name only the row: find its consultation.
    const parentOf = new Map<string, string>();
    for (const [e, ids] of unknownRows) {
      for (const row of await store.rowsByIds(org, e, ids)) {
        if (typeof row.consultationId === 'string')
          parentOf.set(`${e}:${String(row.id)}`, row.consultationId);
      }
    }
    const ids = new Set<string>();
    for (const [x, id] of family) {
      const resolved = id ?? parentOf.get(`${x.op.e}:${x.op.id}`) ?? null;
      family.set(x, resolved);
      if (resolved) ids.add(resolved);
    }
    if (ids.size === 0) return cut;
    const consultations = new Map(
      (await store.rowsByIds(org, 'consultation', [...ids])).map((c) => [String(c.id), c]),
    );
    const entries = new Map(
      (
        await store.rowsByIds(
          org,
          'queueEntry',
          [...consultations.values()].map((c) => String(c.queueEntryId)),
        )
      ).map((q) => [String(q.id), q]),
    );
    return cut.filter((x) => {
      const id = family.get(x);
      if (!id) return true;
      const c = consultations.get(id);
      return !restrictedHiddenFrom(viewer, c, c ? entries.get(String(c.queueEntryId)) : undefined);
    });
  };

  /** The digest of what this viewer holds (the whole organisation for coordination and relays). */
  const viewerDigest = async (org: string, viewer: Viewer) =>
    viewer.profile === 'coordination' || viewer.profile === 'relay'
      ? store.digest(org)
      : digestRows(visibleStates(viewer, await store.rowStates(org), entitySpec));

  app.post('/api/sync', async (req, reply) => {
    const body = req.body as { protocol?: unknown } | undefined;
    if (typeof body?.protocol === 'number' && body.protocol < MIN_PROTOCOL_VERSION) {
      return fail(
        reply,
        426,
        'update_required',
        'Cette version d’Escale est trop ancienne pour ce serveur : mettez l’application à jour.',
        { minProtocol: MIN_PROTOCOL_VERSION },
      );
    }
    const parsed = syncRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        reply,
        400,
        'invalid_request',
        `Requête de synchronisation invalide${issue?.path.length ? ` (${issue.path.join('.')})` : ''} : ${issue?.message}`,
      );
    }
    const request = parsed.data;
    const device = req.device!;
    if (request.org !== device.org || request.deviceId !== device.deviceId) {
      return fail(
        reply,
        403,
        'wrong_org',
        'Cette requête ne correspond pas à l’appareil enrôlé (organisation ou identifiant différents).',
      );
    }
    const refusal = await authorise(device, request.ops);
    if (refusal) return fail(reply, 403, 'forbidden_op', refusal.message, refusal.details);
    try {
      const pushed = await store.push(request.org, request.ops);
      if (pushed.stored > 0) {
        if (options.fanout) await options.fanout.publish(request.org, pushed.lastSeq);
        else pokes.poke(request.org, pushed.lastSeq);
        options.onStored?.(request.org);
      }
    } catch (error) {
      if (
        error instanceof SyncValidationError ||
        (error as { code?: string }).code === 'invalid_op'
      ) {
        const e = error as SyncValidationError;
        return fail(reply, 400, 'invalid_op', e.message, {
          code: e.code,
          entity: e.entity,
          field: e.field,
        });
      }
      throw error;
    }
    const accepted = await store.contiguous(request.org, request.deviceId);
    if (request.status) {
      // The device counted this request's ops as pending: record what is left once they are held.
      const held = request.ops.filter((op) => op.dev === request.deviceId && op.seq <= accepted);
      const seen: DeviceReport & { lastSyncAt: number } = {
        ...request.status,
        pending: Math.max(0, request.status.pending - held.length),
        lastSyncAt: Date.now(),
      };
      await store.setMeta(deviceKey(request.org, request.deviceId), JSON.stringify(seen));
    }
    const page = await store.pull(
      request.org,
      request.since,
      Math.min(request.maxBytes ?? pullBytes, pullBytes),
      request.deviceId,
    );
    const viewer = viewerOf(device);
    const response: SyncResponse = {
      accepted,
      ...page,
      ops: await visibleOps(request.org, viewer, page.ops),
      head: page.hasMore ? await store.lastSeq(request.org) : page.lastSeq,
      serverTime: Date.now(),
      ...(page.hasMore || !request.digest
        ? {}
        : { digest: await viewerDigest(request.org, viewer) }),
    };
    return response;
  });

  /** The first op this device may not push, with why (null: the batch is accepted). */
  async function authorise(device: DeviceCredential, ops: readonly SyncRequestOp[]) {
    if (device.profile === 'relay' || ops.length === 0) return null;
    const staff = new Map<string, StaffFacts>(
      (await store.rows(device.org, 'staff')).map((s) => [String(s.id), s]),
    );
    const noted = new Map<string, string>();
    const reviewed: string[] = [];
    for (const op of ops) {
      if (op.e === 'consultation' && op.f === 'authorId' && typeof op.val === 'string') {
        noted.set(op.id, op.val);
      }
      if (op.e === 'consultation' && op.f === 'status') reviewed.push(op.id);
    }
    const missing = reviewed.filter((id) => !noted.has(id));
    for (const c of missing.length
      ? await store.rowsByIds(device.org, 'consultation', missing)
      : []) {
      if (typeof c.authorId === 'string') noted.set(String(c.id), c.authorId);
    }
    for (const op of ops) {
      // Unknown to this server: the schema check answers it (400), or it is parked (newer).
      if (!entitySpec(op.e)) continue;
      const why = pushRefusal({ profile: device.profile, deviceId: device.deviceId }, op, {
        staff,
        authorOf: (id) => noted.get(id),
      });
      if (why) {
        return {
          message: `Modification refusée par le serveur : ${why}`,
          details: { entity: op.e, field: op.f, dev: op.dev, seq: op.seq },
        };
      }
    }
    return null;
  }

  // The devices this server has heard from: last sync, pending ops, version, last error.
  app.get('/api/devices', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination'])) return reply;
    const org = req.device!.org;
    const held = new Map((await store.devices(org)).map((d) => [d.dev, d.seq]));
    const prefix = deviceKey(org, '');
    const devices: DeviceSeen[] = [];
    for (const { key, value } of await store.metaWithPrefix(prefix)) {
      const deviceId = key.slice(prefix.length);
      devices.push({ deviceId, ...JSON.parse(value), accepted: held.get(deviceId) ?? 0 });
    }
    const revoked = new Set(
      (await store.rows(org, 'device')).filter((d) => d.revoked === true).map((d) => String(d.id)),
    );
    const enrolled: EnrolledDevice[] = (await accounts.credentials(org)).map((c) => ({
      deviceId: c.deviceId,
      name: c.name,
      profile: c.profile,
      roomId: c.roomId,
      enrolledAt: c.enrolledAt,
      revoked: revoked.has(c.deviceId),
    }));
    return { org, devices, enrolled };
  });

  // The proof of a stop's day for a sync receipt: the day digest and each row's hash, as held by
  // central. A relay first forwards everything, then answers with central's proof and its own
  // digest beside it, so the device can check all three hold the same day.
  app.post('/api/receipt', async (req, reply) => {
    const parsed = receiptRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        'Demande de reçu invalide : org et stopId attendus.',
      );
    }
    const { org, stopId } = parsed.data;
    const device = req.device!;
    if (org !== device.org) {
      return fail(reply, 403, 'wrong_org', 'Cette escale appartient à une autre organisation.');
    }
    // A relay asks on behalf of a device: the proof is of what that device holds.
    const viewer: Viewer =
      device.profile === 'relay' && parsed.data.viewer ? parsed.data.viewer : viewerOf(device);
    let central: ServerProof | null = null;
    if (options.relay) {
      try {
        central = await options.relay.centralProof(org, stopId, viewer);
      } catch (error) {
        return fail(
          reply,
          503,
          'central_unreachable',
          `Le serveur central est injoignable : le reçu ne peut pas être établi maintenant (${(error as Error).message}).`,
        );
      }
    }
    const own = dayProof(
      visibleStates(viewer, await store.rowStates(org), entitySpec),
      stopId,
      entitySpec,
    );
    if (!own.rows.some((r) => r.e === 'stop' && r.id === stopId)) {
      return fail(reply, 404, 'unknown_stop', 'Escale inconnue de ce serveur.');
    }
    if (central) return { ...central, relayDigest: own.digest };
    return { ...own, devices: await store.devices(org) } satisfies ServerProof;
  });

  app.get('/api/digest', async (req) => {
    const device = req.device!;
    const org = device.org;
    return {
      org,
      digest: await viewerDigest(org, viewerOf(device)),
      lastSeq: await store.lastSeq(org),
    };
  });

  app.get('/api/events', (req, reply) => {
    const org = req.device!.org;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      ...(reply.getHeader('Access-Control-Allow-Origin')
        ? {
            'Access-Control-Allow-Origin': String(reply.getHeader('Access-Control-Allow-Origin')),
            Vary: 'Origin',
          }
        : {}),
    });
    res.write('retry: 3000\n\n');
    const stop = pokes.listen(org, (lastSeq) => {
      res.write(`event: poke\ndata: ${JSON.stringify({ lastSeq })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    const close = () => {
      clearInterval(heartbeat);
      stop();
    };
    req.raw.on('close', close);
    app.addHook('onClose', async () => {
      close();
      res.end();
    });
  });

  const root = options.staticDir ? resolve(options.staticDir) : undefined;
  if (root && existsSync(join(root, 'index.html'))) {
    await app.register(fastifyStatic, {
      root,
      setHeaders(res, path) {
        // The shell and the service worker must be revalidated; hashed assets never change.
        if (/\/assets\//.test(path))
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
        else res.header('Cache-Control', 'no-cache');
      },
    });
    app.setNotFoundHandler((req, reply) => {
      // Routes of the app fall back to its shell; a missing file (an old hashed chunk after a
      // deploy) is a real 404, so the page's stale-chunk guard can reload instead of parsing HTML.
      const path = req.url.split('?')[0] ?? '';
      if (req.method === 'GET' && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path)) {
        reply.header('Cache-Control', 'no-cache');
        return reply.sendFile('index.html');
      }
      return fail(reply, 404, 'not_found', 'Ressource introuvable.');
    });
  } else {
    app.setNotFoundHandler((_req, reply) =>
      fail(reply, 404, 'not_found', 'Ressource introuvable.'),
    );
  }
  return app;
}
