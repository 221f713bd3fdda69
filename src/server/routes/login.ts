// Sign-in of a person on an enrolled device (the device's credential is required).
import { z } from 'zod';
import { nameSchema } from '../../sync/op';
import type { ServerPlugin } from '../context';

const loginSchema = z.object({
  staffId: nameSchema,
  password: z.string().min(1).max(200),
});

export const loginRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, loginFailures, loginFailuresByIp, limited, fail } = ctx;
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
    return { staffId, escrow: device.escrow };
  });
};
