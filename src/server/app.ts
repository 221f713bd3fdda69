// The HTTP server: the sync round trip, the live channel, health, the organisations a device can
// join, CORS and Private Network Access for the app's origin, and the built PWA.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { dayProof, type ServerProof } from '../domain/closure';
import { entitySpec, SCHEMA_VERSION } from '../domain/entities';
import { SyncValidationError } from '../sync/errors';
import {
  type DeviceReport,
  type DeviceSeen,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  receiptRequestSchema,
  type SyncResponse,
  syncRequestSchema,
} from '../sync/protocol';
import { Pokes } from './live';
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
  /** On a relay: forwards everything, then asks central for its proof of a day (receipts). */
  relay?: { centralProof(org: string, stopId: string): Promise<ServerProof> };
}

const deviceKey = (org: string, dev: string) => `device:${org}:${dev}`;

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
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 4 * MiB });

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

  // The organisations held here, for a device joining one (enrolment replaces this: issue 8).
  app.get('/api/orgs', async () => {
    const out: { id: string; name: string }[] = [];
    for (const org of await store.orgs()) {
      const [row] = (await store.rows(org, 'organisation')).filter((r) => r.id === org);
      out.push({ id: org, name: typeof row?.name === 'string' ? row.name : org });
    }
    return { orgs: out };
  });

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
    // A device the coordination withdrew is refused and told so: it wipes itself.
    const devices = await store.rows(request.org, 'device');
    if (devices.some((d) => d.id === request.deviceId && d.revoked === true)) {
      return fail(
        reply,
        403,
        'revoked',
        'Cet appareil a été retiré par la coordination : ses données locales sont effacées.',
      );
    }
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
    const response: SyncResponse = {
      accepted,
      ...page,
      head: page.hasMore ? await store.lastSeq(request.org) : page.lastSeq,
      serverTime: Date.now(),
      ...(page.hasMore || !request.digest ? {} : { digest: await store.digest(request.org) }),
    };
    return response;
  });

  // The devices this server has heard from: last sync, pending ops, version, last error.
  app.get('/api/devices', async (req, reply) => {
    const org = (req.query as { org?: string }).org;
    if (!org) return fail(reply, 400, 'invalid_request', 'Paramètre « org » manquant.');
    const held = new Map((await store.devices(org)).map((d) => [d.dev, d.seq]));
    const prefix = deviceKey(org, '');
    const devices: DeviceSeen[] = [];
    for (const { key, value } of await store.metaWithPrefix(prefix)) {
      const deviceId = key.slice(prefix.length);
      devices.push({ deviceId, ...JSON.parse(value), accepted: held.get(deviceId) ?? 0 });
    }
    return { org, devices };
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
    let central: ServerProof | null = null;
    if (options.relay) {
      try {
        central = await options.relay.centralProof(org, stopId);
      } catch (error) {
        return fail(
          reply,
          503,
          'central_unreachable',
          `Le serveur central est injoignable : le reçu ne peut pas être établi maintenant (${(error as Error).message}).`,
        );
      }
    }
    const own = dayProof(await store.rowStates(org), stopId, entitySpec);
    if (!own.rows.some((r) => r.e === 'stop' && r.id === stopId)) {
      return fail(reply, 404, 'unknown_stop', 'Escale inconnue de ce serveur.');
    }
    if (central) return { ...central, relayDigest: own.digest };
    return { ...own, devices: await store.devices(org) } satisfies ServerProof;
  });

  app.get('/api/digest', async (req, reply) => {
    const org = (req.query as { org?: string }).org;
    if (!org) return fail(reply, 400, 'invalid_request', 'Paramètre « org » manquant.');
    return { org, digest: await store.digest(org), lastSeq: await store.lastSeq(org) };
  });

  app.get('/api/events', (req, reply) => {
    const org = (req.query as { org?: string }).org;
    if (!org) return fail(reply, 400, 'invalid_request', 'Paramètre « org » manquant.');
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
