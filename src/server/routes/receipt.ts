// Sync receipts (a stop's day proved by central, and by the relay in between) and the digest of
// what a device holds.
import type { Viewer } from '../../domain/access';
import { visibleStates } from '../../domain/access';
import { dayProof, type ServerProof } from '../../domain/closure';
import { entitySpec } from '../../domain/entities';
import { prunedAtSchema, receiptRequestSchema } from '../../sync/protocol';
import type { ServerPlugin } from '../context';
import { readingViewer } from '../reading';
import { coverageOf, truckDevices } from './closure';
import { viewerDigest } from './sync';

export const receiptRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, viewerOf, fail, relay } = ctx;
  // The proof of a stop's day for a sync receipt: the day digest and each row's hash, as held by
  // central. A relay first forwards everything, then answers with central's proof and its own
  // digest beside it, so the device can check all three hold the same day.
  app.post('/api/receipt', async (req, reply) => {
    const parsed = receiptRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        'Demande de reçu invalide : org et stopId attendus.',
      );
    }
    const { org, stopId, hz } = parsed.data;
    const device = req.device!;
    if (org !== device.org) {
      return fail(reply, 403, 'wrong_org', 'Cette escale appartient à une autre organisation.');
    }
    // A relay asks on behalf of a device: the proof is of what that device holds.
    const asked = parsed.data.viewer;
    const viewer: Viewer =
      device.profile === 'relay' && asked
        ? asked.deviceId
          ? await readingViewer(ctx, org, { ...asked, deviceId: asked.deviceId })
          : asked
        : await viewerOf(device);
    let central: ServerProof | null = null;
    if (relay) {
      try {
        central = await relay.centralProof(org, stopId, viewer, device.deviceId, hz);
      } catch (error) {
        return fail(
          reply,
          503,
          'central_unreachable',
          `Le serveur central est injoignable : le reçu ne peut pas être établi maintenant (${(error as Error).message}).`,
        );
      }
    }
    const own = dayProof(
      visibleStates(viewer, await store.rowStates(org), entitySpec),
      stopId,
      entitySpec,
      hz,
    );
    if (!own.rows.some((r) => r.e === 'stop' && r.id === stopId)) {
      return fail(reply, 404, 'unknown_stop', 'Escale inconnue de ce serveur.');
    }
    if (central) return { ...central, relayDigest: own.digest };
    // Central: the devices named (never by id), and whether every device of the truck has
    // reported the day since the closure began (docs/decisions/0007-closure-coverage.md).
    const stop = (await store.rowsByIds(org, 'stop', [stopId]))[0]!;
    const names = new Map((await truckDevices(ctx, org)).map((d) => [d.deviceId, d.name]));
    const devices = (await store.devices(org)).map((d) => {
      const name = names.get(d.dev);
      return name === undefined ? d : { ...d, name };
    });
    const coverage = await coverageOf(ctx, org, stopId, String(stop.date));
    return { ...own, devices, coverage } satisfies ServerProof;
  });

  app.get('/api/digest', async (req, reply) => {
    const device = req.device!;
    const org = device.org;
    // ?hz=: the horizon the device pruned at (decision 0027): the digest of the comparable form.
    const raw = (req.query as { hz?: unknown } | undefined)?.hz;
    const hz = raw === undefined ? undefined : prunedAtSchema.safeParse(raw);
    if (hz && !hz.success) {
      return fail(reply, 400, 'invalid_request', 'Horizon invalide : une horloge HLC attendue.');
    }
    return {
      org,
      digest: await viewerDigest(store, org, await viewerOf(device), ctx.now(), hz?.data),
      lastSeq: await store.lastSeq(org),
    };
  });
};
