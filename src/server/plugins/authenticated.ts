// Authentication as an encapsulated hook: every route registered inside this plugin needs a
// device's bearer token (the organisation always comes from it); routes open without one
// (health, enrolment) are registered outside it. The token comes in `Authorization: Bearer`;
// only a route marked `config: { tokenInQuery: true }` (the live channel: a browser's
// EventSource cannot send headers) also takes `?token=`. Anywhere else a token in the address is
// refused, so that none ends up in request logs by mistake.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerPlugin, WithContext } from '../context';

export const authenticated: FastifyPluginAsync<WithContext & { routes: ServerPlugin[] }> = async (
  scope,
  { ctx, routes },
) => {
  const { accounts, relay, fail } = ctx;
  scope.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const inQuery = (req.query as { token?: unknown } | undefined)?.token;
    const inAddress = typeof inQuery === 'string' ? inQuery : undefined;
    if (inQuery !== undefined && !req.routeOptions.config.tokenInQuery) {
      return fail(
        reply,
        401,
        'token_in_query',
        'Le jeton de l’appareil ne se met pas dans l’adresse (seul le canal en direct l’accepte) : envoyez-le dans l’en-tête Authorization.',
      );
    }
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : inAddress;
    let device = await accounts.authenticate(token);
    if (!device && token && relay) {
      // Enrolled at central since the relay's last pass: ask central once, then check again.
      const asked = await relay.refreshCredentials();
      device = await accounts.authenticate(token);
      // Central out of reach: the relay cannot tell a device enrolled a moment before coverage
      // was lost from an unknown one. Not an « enrol again »: the device retries later.
      if (!device && !asked) {
        return fail(
          reply,
          503,
          'relay_unknown_device',
          'Ce relais ne connaît pas encore cet appareil ; la synchronisation reprendra quand le relais joindra le central.',
        );
      }
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
    if (await ctx.isRevoked(device)) {
      return fail(
        reply,
        403,
        'revoked',
        'Cet appareil a été retiré par la coordination : ses données locales sont effacées.',
      );
    }
    req.device = device;
  });
  for (const plugin of routes) await scope.register(plugin, { ctx });
  // Any other API path is authenticated too, then not found: a caller without a credential
  // learns nothing of which routes exist.
  scope.all('/api/*', async (_req, reply) =>
    fail(reply, 404, 'not_found', 'Ressource introuvable.'),
  );
};
