// One error answer for the whole app: JSON with a French message, never a stack.
import type { IncomingMessage } from 'node:http';
import { unscoped } from '../context';

/** Beyond this much, a too large body is not read to its end: the connection is closed. */
const MAX_DRAINED = 64 * 1024 * 1024;

/** Reads and discards the rest of a request body (at most `max` bytes). */
function drain(body: IncomingMessage, max: number): Promise<void> {
  if (body.complete || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      body.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > max) done();
    };
    body.on('data', onData).on('end', done).on('error', done).on('close', done);
    body.resume();
  });
}

export const errors = unscoped(async (app, { ctx }) => {
  const { fail } = ctx;
  type Raised = Error & { statusCode?: number; code?: string; replyCode?: string };
  app.setErrorHandler(async (error: Raised, req, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      // The client is still sending: answering now and closing makes its upload fail with
      // EPIPE or ECONNRESET, and it never reads the 413 that tells it to halve its batch
      // (docs/protocol.md). Read the rest first.
      await drain(req.raw, MAX_DRAINED);
      return fail(
        reply,
        413,
        'too_large',
        'Requête trop volumineuse : envoyez moins d’opérations à la fois.',
      );
    }
    if (error.replyCode && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Raised by our own parsers with their code and whole French sentence.
      return fail(reply, error.statusCode, error.replyCode, error.message);
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return fail(
        reply,
        error.statusCode,
        'invalid_request',
        `Requête invalide : ${error.message}`,
      );
    }
    ctx.app.log.error(error);
    return fail(reply, 500, 'server_error', 'Erreur interne du serveur ; réessayez plus tard.');
  });
});
