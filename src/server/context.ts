// What every plugin of the server shares: built once by buildApp (src/server/app.ts) and passed
// to each plugin as its `ctx` option, so a route file needs no closure over the whole app.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience, Viewer } from '../domain/access';
import type { AppOptions, RelayLink } from './app';
import type { Accounts, DeviceCredential } from './auth';
import type { Pokes } from './live';
import type { FailureLimiter } from './rate-limit';
import type { Fanout } from './store/pg-fanout';
import type { SyncStore } from './store/types';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated device (set by plugins/authenticated.ts on the routes inside it). */
    device?: DeviceCredential;
  }
  interface FastifyContextConfig {
    /** The route also takes the device's token as `?token=` (plugins/authenticated.ts). */
    tokenInQuery?: boolean;
  }
}

export interface ServerContext {
  /** The root Fastify instance (its logger). */
  app: FastifyInstance;
  options: AppOptions;
  store: SyncStore;
  accounts: Accounts;
  role: 'central' | 'relay';
  /** On a relay: what it asks of central. */
  relay: RelayLink | undefined;
  pokes: Pokes;
  fanout: Fanout | undefined;
  now: () => number;
  /** Default and maximum size of a pulled page. */
  pullBytes: number;
  /** Wrong enrolment codes per address. */
  enrolFailures: FailureLimiter;
  /** Wrong passwords per device and person. */
  loginFailures: FailureLimiter;
  /** Wrong passwords per address. */
  loginFailuresByIp: FailureLimiter;
  fail: typeof fail;
  /** Answers 429 with the time the caller may try again. */
  limited: (reply: FastifyReply, until: number) => FastifyReply;
  isRevoked: (device: DeviceCredential) => Promise<boolean>;
  /** The device's view: profile, room, and for a room device who reads on it (reading.ts). */
  viewerOf: (device: DeviceCredential) => Promise<Viewer>;
  /** Refuses the request unless the device's profile is one of `profiles`. */
  allowOnly: (req: FastifyRequest, reply: FastifyReply, profiles: Audience[]) => boolean;
  /** On a relay: passes the request to central and answers with central's answer. */
  forwardToCentral: (reply: FastifyReply, path: string, body: unknown) => Promise<FastifyReply>;
}

/** The options every plugin of the server receives. */
export interface WithContext {
  ctx: ServerContext;
}

export type ServerPlugin = FastifyPluginAsync<WithContext>;

/** An error answer: a code for programs, a French `message` for people. */
export function fail(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  details?: unknown,
) {
  return reply.code(status).send({ error, message, ...(details === undefined ? {} : { details }) });
}

/** Marks a plugin as acting on the instance that registers it rather than on a scope of its own
 * (Fastify's `skip-override`, what fastify-plugin sets): hooks, error and not-found handlers that
 * must cover the whole app. */
export function unscoped<T extends FastifyPluginAsync<WithContext>>(plugin: T): T {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
