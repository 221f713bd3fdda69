// One error answer for the whole app: JSON with a French message, never a stack.
import { unscoped } from '../context';

export const errors = unscoped(async (app, { ctx }) => {
  const { fail } = ctx;
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
    ctx.app.log.error(error);
    return fail(reply, 500, 'server_error', 'Erreur interne du serveur ; réessayez plus tard.');
  });
});
