// The HTTP server, as Fastify plugins over one shared context (src/server/context.ts): security
// headers, CORS and Private Network Access for the app's origin, one error answer, the open
// routes (health, enrolment), then every route that needs a device's bearer token inside the
// `authenticated` plugin (sign-in, enrolment codes and passwords, sync, devices, receipts, the
// live channel), and the built PWA. The organisation of an authenticated request always comes from its token.
import { constants as zlibConstants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Viewer } from '../domain/access';
import type { ServerProof } from '../domain/closure';
import { formatTime } from '../domain/french-dates';
import { Accounts, type DeviceCredential } from './auth';
import { fail, type ServerContext } from './context';
import { Pokes } from './live';
import { startCursors } from './partner-tasks';
import { authenticated } from './plugins/authenticated';
import { bodyStream } from './plugins/body-stream';
import { cors } from './plugins/cors';
import { errors } from './plugins/errors';
import { securityHeaders } from './plugins/security-headers';
import { FailureLimiter } from './rate-limit';
import { readingViewer } from './reading';
import { closureRoutes } from './routes/closure';
import { deviceRoutes } from './routes/devices';
import { enrolmentRoutes, enrolRoute } from './routes/enrolment';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { indicatorRoutes } from './routes/indicators';
import { loginRoutes } from './routes/login';
import { partnerRoutes } from './routes/partner';
import { receiptRoutes } from './routes/receipt';
import { recordRoutes } from './routes/record';
import { relayWaitRoutes } from './routes/relay-wait';
import { sessionRoutes } from './routes/sessions';
import { snapshotRoutes } from './routes/snapshot';
import { staticRoutes } from './routes/static';
import { syncRoutes } from './routes/sync';
import type { ChunkCodec } from './snapshots';
import type { Fanout } from './store/pg-fanout';
import type { SyncStore } from './store/types';

export interface AppOptions {
  store: SyncStore;
  role?: 'central' | 'relay';
  /** Built PWA to serve (omitted: API only, as on a relay). */
  staticDir?: string;
  /** Origins allowed to call the API from another origin (the app's origin, for a relay). */
  allowedOrigins?: string[];
  bodyLimit?: number;
  /** Central offers relays a compression context across their sync requests (decision 0031;
   * default on; off behind a load balancer that does not keep a relay on one instance). */
  requestStreams?: boolean;
  /** Its answers to a relay in a context of their own when the relay offers one (decision 0031;
   * default: as `requestStreams`, which turns both off). */
  answerStreams?: boolean;
  /** Default and maximum size of a pulled page. */
  pullBytes?: number;
  /** Bytes of text per snapshot chunk (src/server/snapshots.ts). */
  snapshotChunkBytes?: number;
  /** How snapshot chunks are compressed (src/server/snapshots.ts; default on the thread pool). */
  snapshotCodec?: ChunkCodec;
  /** Ops ahead below which a device holding states is never told to reload a snapshot
   * (src/sync/reload.ts, RELOAD_MIN_OPS by default). */
  reloadOps?: number;
  /** Called after ops were stored (the relay forwards them at once). */
  onStored?: (org: string) => void;
  extraHealth?: () => Record<string, unknown>;
  /** Live pokes, shared with the relay so ops brought from central poke local devices too. */
  pokes?: Pokes;
  /** Several instances over one database: pokes go through it (PostgreSQL NOTIFY) to all. */
  fanout?: Fanout;
  logger?: boolean;
  /** Behind a reverse proxy: which proxies to believe about the client's address and protocol
   * (Fastify's `trustProxy`: true for any, or the proxies' addresses / CIDR ranges). Off by
   * default: any client could otherwise choose the address the rate limits count. */
  trustProxy?: boolean | string[];
  /** On a relay: what it asks of central (receipts, enrolment, codes, passwords). */
  relay?: RelayLink;
  /** Accounts over the same store (tests share one with their own helpers). */
  accounts?: Accounts;
  now?: () => number;
}

export interface RelayLink {
  /** The relay's own device id at central (its audit events go under their own origin). */
  readonly relayId: string;
  /** Forwards everything, then asks central for its proof of a day as `viewer` sees it. */
  centralProof(
    org: string,
    stopId: string,
    viewer: Viewer,
    deviceId?: string,
    /** The asking device's horizon (decision 0027): the proof is taken at it. */
    hz?: string,
  ): Promise<ServerProof>;
  /** Passes a request to central with the relay's credential; throws when out of reach. */
  forward(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** Brings central's credentials now (a device enrolled there since the last pass); resolves
   * with whether central's list could be brought. */
  refreshCredentials(): Promise<boolean>;
}

/** `TRUST_PROXY` read: unset, `0` or `false`: off; `1` or `true`: any proxy; otherwise the
 * proxies' addresses or CIDR ranges, comma-separated (`127.0.0.1,10.0.0.0/8`, `loopback`). */
export function trustProxyFrom(value: string | undefined): boolean | string[] {
  const v = value?.trim() ?? '';
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  return v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

const FIFTEEN_MINUTES = 15 * 60_000;
/** The request body encodings this server reads (told in every API answer). */
export const REQUEST_ENCODINGS = 'gzip, br, deflate';
const MiB = 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 4 * MiB,
    trustProxy: options.trustProxy ?? false,
  });

  const ctx: ServerContext = {
    app,
    options,
    store,
    accounts: options.accounts ?? new Accounts(store, now),
    role: options.role ?? 'central',
    relay: options.relay,
    pokes: options.pokes ?? new Pokes(),
    fanout: options.fanout,
    now,
    pullBytes: options.pullBytes ?? 512 * 1024,
    // Wrong enrolment codes per address; wrong passwords per device and person, and per address.
    enrolFailures: new FailureLimiter(10, FIFTEEN_MINUTES, now),
    loginFailures: new FailureLimiter(5, FIFTEEN_MINUTES, now),
    loginFailuresByIp: new FailureLimiter(30, FIFTEEN_MINUTES, now),
    fail,
    limited: (reply: FastifyReply, until: number) =>
      fail(
        reply,
        429,
        'rate_limited',
        `Trop d’essais infructueux : réessayez après ${formatTime(until)}.`,
        { retryAt: until },
      ),
    isRevoked: async (device: DeviceCredential) =>
      (await store.rowsByIds(device.org, 'device', [device.deviceId])).some(
        (d) => d.revoked === true,
      ),
    viewerOf: (device: DeviceCredential): Promise<Viewer> => readingViewer(ctx, device.org, device),
    allowOnly: (req, reply, profiles) => {
      if (req.device && profiles.includes(req.device.profile)) return true;
      void fail(
        reply,
        403,
        'forbidden',
        'Cette action est réservée à un appareil de la coordination.',
      );
      return false;
    },
    forwardToCentral: async (reply, path, body) => {
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
    },
  };

  // Compression both ways (docs/protocol.md, Compression; docs/decisions/0016): answers by the
  // client's Accept-Encoding, request bodies by their Content-Encoding. Registered before every
  // route (it hooks each route as it is added). Fastify's body limit counts the bytes the
  // decompressed stream yields, so a body that inflates past it is a 413 before any handler
  // runs, and a corrupt one is a 400: nothing is stored either way.
  await app.register(fastifyCompress, {
    encodings: ['br', 'gzip'],
    requestEncodings: ['gzip', 'br', 'deflate'],
    threshold: 1024,
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
    onUnsupportedRequestEncoding: (encoding) =>
      Object.assign(
        new Error(
          `encodage de corps « ${encoding.slice(0, 20)} » non pris en charge (gzip, br ou deflate)`,
        ),
        { statusCode: 415, code: 'unsupported_encoding' },
      ),
    // Copied onto zlib's error (own enumerable fields): a plain object, not an Error.
    onInvalidRequestPayload: () =>
      ({
        statusCode: 400,
        code: 'invalid_compressed_body',
        message: 'corps compressé illisible',
      }) as unknown as Error,
  });
  // RFC 7694: an answer's Accept-Encoding tells the client it may compress what it sends next.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('Accept-Encoding', REQUEST_ENCODINGS);
  });
  // A relay's sync bodies in one compression context across its requests (decision 0031).
  await app.register(bodyStream, { ctx });
  await app.register(securityHeaders, { ctx });
  await app.register(cors, { ctx });
  await app.register(errors, { ctx });
  // Open: no device credential yet.
  // Partner tasks are produced from what central receives from now on (docs/decisions/0022).
  if (ctx.role === 'central') await startCursors(store);
  await app.register(healthRoutes, { ctx });
  await app.register(enrolRoute, { ctx });
  // Everything else under /api needs one.
  await app.register(authenticated, {
    ctx,
    routes: [
      enrolmentRoutes,
      loginRoutes,
      sessionRoutes,
      syncRoutes,
      snapshotRoutes,
      deviceRoutes,
      receiptRoutes,
      recordRoutes,
      closureRoutes,
      partnerRoutes,
      eventRoutes,
      relayWaitRoutes,
      indicatorRoutes,
    ],
  });
  await app.register(staticRoutes, { ctx });
  return app;
}
