// Sign-in of a person on an enrolled device (the device's credential is required), which opens
// their session on that device; sign-out ends it.
import { z } from 'zod';
import { nameSchema } from '../../sync/op';
import type { ServerPlugin } from '../context';

const loginSchema = z.object({
  staffId: nameSchema,
  password: z.string().min(1).max(200),
});

const logoutSchema = z.object({ staffId: nameSchema });

export const loginRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, loginFailures, loginFailuresByIp, limited, fail, role } = ctx;
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
    // The person's session on this device (docs/decisions/0006-person-sessions.md): only ops
    // stamped with a person holding one are accepted from the device. A relay records it and
    // hands it to central before forwarding the device's ops.
    const session = await accounts.openSession(device, staffId, role === 'relay');
    return {
      staffId,
      escrow: device.escrow,
      session: { from: session.from, issuedAt: session.issuedAt, expiresAt: session.expiresAt },
    };
  });

  // A person signs out of (or is forgotten on) this device: their session there ends, and ops
  // stamped with them from the device after now are refused until they sign in again.
  app.post('/api/logout', async (req, reply) => {
    const device = req.device!;
    const parsed = logoutSchema.safeParse(req.body);
    if (!parsed.success) return fail(reply, 400, 'invalid_request', 'Personne attendue.');
    await accounts.endSession(device.org, device.deviceId, parsed.data.staffId, role === 'relay');
    return reply.code(204).send();
  });
};
