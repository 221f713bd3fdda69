// CORS and Private Network Access for the app's origin: a relay on the truck's network answers
// the PWA served by central (another origin, a public one calling a private address).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unscoped } from '../context';

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

export const cors = unscoped(async (app, { ctx }) => {
  const allowed = ctx.options.allowedOrigins ?? [];
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (!origin || !isAllowedOrigin(origin, allowed, req.headers.host)) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    // The relay is another origin: the app reads from its answers that it takes gzip bodies.
    reply.header('Access-Control-Expose-Headers', 'Accept-Encoding');
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
});
