// Request bodies sent as pieces of a compression context a relay keeps across its sync
// requests (src/server/body-stream.ts; docs/protocol.md, « A compression context across
// requests »). Central offers it on its sync answers; the body limit counts the decoded bytes,
// as for any compressed body (a bomb is a 413); a piece out of order is a 409 the relay answers
// by starting a new context. Nothing is stored from a body that was not decoded whole.

import type { FastifyRequest } from 'fastify';
import {
  parseStreamHeader,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  STREAM_OFFER_HEADER,
  StreamDecoders,
} from '../body-stream';
import { unscoped } from '../context';

const raised = (statusCode: number, replyCode: string, message: string) =>
  Object.assign(new Error(message), { statusCode, replyCode });

export const bodyStream = unscoped(async (app, { ctx }) => {
  const decoders = new StreamDecoders();
  const limit = ctx.options.bodyLimit ?? 4 * 1024 * 1024;
  app.addHook('onClose', async () => decoders.closeAll());
  const offered = ctx.role === 'central' && ctx.options.requestStreams !== false;
  if (offered) {
    app.addHook('onSend', async (req, reply) => {
      if (req.method === 'POST' && req.url.split('?')[0] === '/api/sync' && req.device) {
        reply.header(STREAM_OFFER_HEADER, 'br');
      }
    });
  }
  app.addContentTypeParser(
    STREAM_BODY_TYPE,
    { parseAs: 'buffer' },
    async (req: FastifyRequest, raw: Buffer) => {
      if (!offered || req.url.split('?')[0] !== '/api/sync') {
        throw raised(
          415,
          'unsupported_encoding',
          'Ce serveur ne lit pas de corps compressé en contexte : envoyez la requête sans.',
        );
      }
      // Parsing comes before the route's authentication (plugins/authenticated.ts, preHandler):
      // a context is kept only for a device whose token is good; the route checks it again.
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ')
        ? header.slice('Bearer '.length).trim()
        : undefined;
      const device = await ctx.accounts.authenticate(token);
      if (!device) {
        throw raised(
          401,
          'unauthenticated',
          'Appareil non reconnu : enrôlez-le avec un code donné par la coordination.',
        );
      }
      const piece = parseStreamHeader(req.headers[STREAM_HEADER] as string | undefined);
      if (!piece) {
        throw raised(
          400,
          'invalid_request',
          'Requête invalide : en-tête de contexte de compression illisible.',
        );
      }
      const result = await decoders.decode(device.deviceId, piece, raw, limit);
      if (!result.ok) {
        if (result.reason === 'too_large') {
          throw Object.assign(new Error('too large'), { statusCode: 413 });
        }
        if (result.reason === 'lost') {
          throw raised(
            409,
            'stream_context_lost',
            'Contexte de compression inconnu ou interrompu : recommencez-en un nouveau.',
          );
        }
        throw raised(400, 'invalid_request', 'Requête invalide : corps compressé illisible.');
      }
      try {
        return JSON.parse(result.body.toString('utf8')) as unknown;
      } catch {
        throw raised(400, 'invalid_request', 'Requête invalide : le corps n’est pas du JSON.');
      }
    },
  );
});
