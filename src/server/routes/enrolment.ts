// Enrolment: a new device exchanges a code for its credential (open); the coordination creates
// codes and sets passwords; a relay brings home its organisation's credentials (authenticated).
import { z } from 'zod';
import { deviceProfileSchema, partnerServiceSchema } from '../../domain/entities';
import { nameSchema } from '../../sync/op';
import { normaliseCode } from '../../sync/protocol';
import { MIN_PASSWORD } from '../auth';
import type { ServerPlugin } from '../context';

const enrolSchema = z.object({
  code: z.string().min(1).max(32),
  deviceId: nameSchema.refine(
    (d) => !d.includes(':') && !d.includes('.'),
    'identifiant sans « : » ni « . »',
  ),
});

const codeRequestSchema = z
  .object({
    profile: z.union([deviceProfileSchema, z.literal('relay'), z.literal('partner')]),
    roomId: nameSchema.nullable().optional(),
    name: z.string().trim().min(1).max(100),
    /** A partner component's services (docs/integrations.md). */
    services: z.array(partnerServiceSchema).max(5).optional(),
  })
  .refine((r) => r.profile !== 'room' || !!r.roomId, {
    message: 'Un appareil de salle doit être rattaché à une salle.',
    path: ['roomId'],
  })
  .refine((r) => r.profile !== 'partner' || (r.services?.length ?? 0) > 0, {
    message: 'Un composant partenaire est enrôlé pour au moins un service (INSi, facturation…).',
    path: ['services'],
  })
  .refine((r) => r.profile === 'partner' || r.services === undefined, {
    message: 'Seul un composant partenaire est enrôlé pour des services.',
    path: ['services'],
  });

const passwordSchema = z.object({
  staffId: nameSchema,
  password: z.string().max(200),
});

/** Open: no credential yet. */
export const enrolRoute: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, enrolFailures, limited, fail, relay } = ctx;
  // A new device exchanges the coordination's code for its credential. On a relay the exchange
  // is central's (the relay then brings the new credential home before answering).
  app.post('/api/enrol', async (req, reply) => {
    const ip = req.ip;
    const until = enrolFailures.blockedUntil(ip);
    if (until) return limited(reply, until);
    const parsed = enrolSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        'Demande d’enrôlement invalide : code et identifiant d’appareil attendus.',
      );
    }
    if (relay) {
      let answer: { status: number; body: unknown };
      try {
        answer = await relay.forward('/api/enrol', parsed.data);
      } catch {
        return fail(
          reply,
          503,
          'central_unreachable',
          'Le serveur central est injoignable : l’enrôlement demande une connexion.',
        );
      }
      if (answer.status === 404) enrolFailures.fail(ip);
      if (answer.status < 300) await relay.refreshCredentials();
      return reply.code(answer.status).send(answer.body);
    }
    const code = normaliseCode(parsed.data.code);
    const done = await accounts.enrol(code, parsed.data.deviceId);
    if (done === 'device_exists') {
      // Not a wrong code: no failure counted, and the code stays usable with a fresh id.
      return fail(
        reply,
        409,
        'device_exists',
        'Cet appareil est déjà enrôlé : un identifiant reste lié à son premier enrôlement. Pour changer son rôle ou sa salle, passez par la coordination.',
      );
    }
    if (done === 'unknown_code') {
      enrolFailures.fail(ip);
      return fail(
        reply,
        404,
        'unknown_code',
        'Code inconnu, expiré ou déjà utilisé : demandez un nouveau code à la coordination.',
      );
    }
    const { credential, token } = done;
    const [orgRow] = await store.rowsByIds(credential.org, 'organisation', [credential.org]);
    return {
      org: credential.org,
      orgName: typeof orgRow?.name === 'string' ? orgRow.name : credential.org,
      deviceId: credential.deviceId,
      token,
      profile: credential.profile,
      roomId: credential.roomId,
      name: credential.name,
      ...(credential.services ? { services: credential.services } : {}),
    };
  });
};

/** Authenticated: the coordination's (or, forwarded, a relay's) enrolment work. */
export const enrolmentRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, allowOnly, forwardToCentral, fail, relay } = ctx;
  // The coordination creates a single-use enrolment code for a new device.
  app.post('/api/enrolments', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination', 'relay'])) return reply;
    const parsed = codeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        parsed.error.issues[0]?.message ?? 'Demande invalide.',
      );
    }
    if (relay) return forwardToCentral(reply, '/api/enrolments', parsed.data);
    const device = req.device!;
    const { profile, name } = parsed.data;
    const roomId = profile === 'room' ? (parsed.data.roomId ?? null) : null;
    if (roomId && (await store.rowsByIds(device.org, 'room', [roomId])).length === 0) {
      return fail(reply, 400, 'unknown_room', 'Salle inconnue dans cette organisation.');
    }
    const created = await accounts.createCode({
      org: device.org,
      profile,
      roomId,
      name,
      createdBy: device.deviceId,
      ...(profile === 'partner' ? { services: [...new Set(parsed.data.services)] } : {}),
    });
    return reply.code(201).send(created);
  });

  // The coordination sets a person's password (first sign-in, or a forgotten one).
  app.post('/api/passwords', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination', 'relay'])) return reply;
    const parsed = passwordSchema.safeParse(req.body);
    if (!parsed.success)
      return fail(reply, 400, 'invalid_request', 'Personne et mot de passe attendus.');
    if (parsed.data.password.length < MIN_PASSWORD) {
      return fail(
        reply,
        400,
        'weak_password',
        `Le mot de passe doit compter au moins ${MIN_PASSWORD} caractères.`,
      );
    }
    if (relay) return forwardToCentral(reply, '/api/passwords', parsed.data);
    const org = req.device!.org;
    if ((await store.rowsByIds(org, 'staff', [parsed.data.staffId])).length === 0) {
      return fail(reply, 404, 'unknown_staff', 'Personne inconnue dans cette organisation.');
    }
    await accounts.setPassword(org, parsed.data.staffId, parsed.data.password);
    return reply.code(204).send();
  });

  // A relay brings home the credentials and password hashes of its organisation.
  app.get('/api/relay/credentials', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const org = req.device!.org;
    return {
      org,
      credentials: await accounts.credentials(org),
      passwords: await accounts.passwords(org),
    };
  });
};
