// Request bodies sent as pieces of a compression context a relay keeps across its sync
// requests (src/server/body-stream.ts; docs/protocol.md, « A compression context across
// requests »). Central offers it on its sync answers; the body limit counts the decoded bytes,
// as for any compressed body (a bomb is a 413); a piece out of order is a 409 the relay answers
// by starting a new context. Nothing is stored from a body that was not decoded whole.
// Central's answers to a relay go in a context of their own when the relay offers one (its sync
// answers and its long poll's, one context each): see src/server/body-stream.ts.

import type { FastifyRequest } from 'fastify';
import {
  ANSWER_STREAM_HEADER,
  parseStreamHeader,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  STREAM_OFFER_HEADER,
  StreamDecoders,
  StreamEncoders,
} from '../body-stream';
import { unscoped } from '../context';

const raised = (statusCode: number, replyCode: string, message: string) =>
  Object.assign(new Error(message), { statusCode, replyCode });

/** Headers an answer in context does without (set for every API answer by earlier hooks). */
const TRIMMED = [
  'accept-encoding',
  'content-security-policy',
  'x-content-type-options',
  'referrer-policy',
];

export const bodyStream = unscoped(async (app, { ctx }) => {
  const decoders = new StreamDecoders();
  const limit = ctx.options.bodyLimit ?? 4 * 1024 * 1024;
  app.addHook('onClose', async () => decoders.closeAll());
  const offered = ctx.role === 'central' && ctx.options.requestStreams !== false;
  // Central's answers in a context of their own, offered by the relay (decision 0031): its sync
  // answers and its long poll's, one context each (the two run side by side).
  const answers = offered && ctx.options.answerStreams !== false;
  const encoders = new StreamEncoders();
  app.addHook('onClose', async () => encoders.closeAll());
  if (offered) {
    app.addHook('onSend', async (req, reply, payload) => {
      const path = req.url.split('?')[0];
      const channel =
        req.method === 'POST' && path === '/api/sync'
          ? 'sync'
          : req.method === 'GET' && path === '/api/relay/wait'
            ? 'wait'
            : null;
      if (!channel || !req.device) return payload;
      const key = `${req.device.deviceId}\n${channel}`;
      const offer = answers
        ? parseStreamHeader(req.headers[ANSWER_STREAM_HEADER] as string | undefined)
        : null;
      if (offer && reply.statusCode === 200 && typeof payload === 'string') {
        const piece = await encoders.encode(key, offer, payload);
        if (piece) {
          reply.header('content-type', STREAM_BODY_TYPE);
          reply.header(STREAM_HEADER, piece.header);
          // What the link would pay for nothing (docs/protocol.md): the relay that reads an
          // answer in context knows what this server reads (no offers, no Accept-Encoding), and
          // no browser renders it — it answers a request with a header of ours, never a
          // navigation — so the API's document policies go too (the PWA's pages keep theirs).
          for (const name of TRIMMED) reply.removeHeader(name);
          return piece.bytes;
        }
      } else if (offer) encoders.drop(key);
      if (channel === 'sync') {
        reply.header(STREAM_OFFER_HEADER, 'br');
        if (answers) reply.header(ANSWER_STREAM_HEADER, 'br');
      }
      return payload;
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
