// The partner API (docs/protocol.md, Partner API; docs/integrations.md): an enrolled partner
// component fetches the tasks of its services with a lease and answers them; the coordination
// puts a task waiting for a person back in the queue. Central only: the partner reaches central
// over the internet, never a truck's relay (which answers with a clear refusal).
import { z } from 'zod';
import { partnerServiceSchema } from '../../domain/entities';
import { MAX_LEASE_MS } from '../../domain/partner-tasks';
import { nameSchema } from '../../sync/op';
import type { ServerPlugin } from '../context';
import { answerTask, leaseTasks, type PartnerCaller, requeue } from '../partner-tasks';

const fetchSchema = z.object({
  service: partnerServiceSchema,
  limit: z.coerce.number().int().min(1).max(100).default(10),
  leaseSeconds: z.coerce
    .number()
    .int()
    .min(30)
    .max(MAX_LEASE_MS / 1000)
    .optional(),
});

const CENTRAL_ONLY =
  'Les composants partenaires se connectent au serveur central, pas au relais du camion.';

export const partnerRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, fail, allowOnly, relay } = ctx;

  app.get('/api/partner/tasks', async (req, reply) => {
    if (!allowOnly(req, reply, ['partner'])) return reply;
    if (relay) return fail(reply, 421, 'central_only', CENTRAL_ONLY);
    const parsed = fetchSchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        reply,
        400,
        'invalid_request',
        `Demande invalide${issue?.path.length ? ` (${issue.path.join('.')})` : ''} : service (insi, eprescription, dmp, mssante ou billing), limit de 1 à 100, leaseSeconds de 30 à 3600.`,
      );
    }
    const device = req.device!;
    const caller: PartnerCaller = {
      org: device.org,
      deviceId: device.deviceId,
      services: device.services ?? [],
    };
    const { service, limit, leaseSeconds } = parsed.data;
    if (!caller.services.includes(service)) {
      return fail(
        reply,
        403,
        'service_not_enrolled',
        'Ce composant partenaire n’est pas enrôlé pour ce service : la coordination l’enrôle pour les services qu’il rend.',
      );
    }
    const tasks = await leaseTasks(
      store,
      caller,
      service,
      limit,
      ctx.now(),
      leaseSeconds === undefined ? undefined : leaseSeconds * 1000,
    );
    return { service, tasks };
  });

  app.post('/api/partner/tasks/:id/answer', async (req, reply) => {
    if (!allowOnly(req, reply, ['partner'])) return reply;
    if (relay) return fail(reply, 421, 'central_only', CENTRAL_ONLY);
    const id = nameSchema.safeParse((req.params as { id?: unknown }).id);
    if (!id.success)
      return fail(reply, 404, 'unknown_task', 'Tâche inconnue dans cette organisation.');
    const device = req.device!;
    const done = await answerTask(
      store,
      { org: device.org, deviceId: device.deviceId, services: device.services ?? [] },
      id.data,
      req.body,
      ctx.now(),
    );
    if (!done.ok) return fail(reply, done.status, done.error, done.message);
    ctx.pokes.poke(device.org, await store.lastSeq(device.org));
    return { id: done.id, state: done.state, outcome: done.outcome };
  });

  // The coordination's « Relancer » on a task that waits for a person.
  app.post('/api/partner/tasks/:id/requeue', async (req, reply) => {
    if (!allowOnly(req, reply, relay ? ['coordination'] : ['coordination', 'relay'])) return reply;
    const id = nameSchema.safeParse((req.params as { id?: unknown }).id);
    if (!id.success)
      return fail(reply, 404, 'unknown_task', 'Tâche inconnue dans cette organisation.');
    if (relay)
      return ctx.forwardToCentral(
        reply,
        `/api/partner/tasks/${encodeURIComponent(id.data)}/requeue`,
        {},
      );
    const device = req.device!;
    const done = await requeue(store, device.org, device.deviceId, id.data, ctx.now());
    if (!done.ok) return fail(reply, done.status, done.error, done.message);
    ctx.pokes.poke(device.org, await store.lastSeq(device.org));
    return { id: done.id, state: done.state };
  });
};
