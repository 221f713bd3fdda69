// GET /api/sync/snapshot and its chunks (docs/protocol.md, Snapshot): a fresh device's bootstrap.
// The cut is the server's, from the device's credential (its profile, room and own ops), never
// from anything the client says.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { PARTNER_NO_SYNC } from '../../domain/access';
import { localDate } from '../../domain/time';
import { isDay } from '../../sync/usable';
import type { ServerPlugin } from '../context';
import { SnapshotCache } from '../snapshots';
import type { SyncStore } from '../store/types';
import { visibleOps } from './sync';

/** The snapshot cache of the server over each store (tests read its counts). */
export const snapshotCaches = new WeakMap<SyncStore, SnapshotCache>();

export const snapshotRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, viewerOf, fail } = ctx;
  const cache = new SnapshotCache(store, (s, org, viewer, ops) => visibleOps(s, org, viewer, ops), {
    chunkBytes: ctx.options.snapshotChunkBytes,
  });
  snapshotCaches.set(store, cache);

  /** The device and its cut, or the refusal already sent. */
  async function cutOf(req: FastifyRequest, reply: FastifyReply) {
    const device = req.device!;
    if (device.profile === 'partner') {
      fail(reply, 403, 'forbidden', PARTNER_NO_SYNC);
      return null;
    }
    const viewer = await viewerOf(device);
    // A room's pull depends on who reads on it and what it was left without (its reading view,
    // src/server/reading.ts): it bootstraps by replay.
    if (viewer.reading || viewer.profile === 'room') {
      fail(
        reply,
        409,
        'snapshot_unavailable',
        'Pas d’instantané pour un poste de salle : l’appareil reçoit le journal depuis le début.',
      );
      return null;
    }
    const ownOps =
      device.profile === 'relay' || (await store.contiguous(device.org, device.deviceId)) > 0;
    return { device, viewer, ownOps };
  }

  app.get<{ Querystring: { day?: string } }>('/api/sync/snapshot', async (req, reply) => {
    // The device's day decides only which rows come first (src/sync/usable.ts), never which
    // rows it receives: the cut is the credential's. Absent: the server's day in France.
    const day = req.query.day ?? localDate(new Date().toISOString());
    if (typeof day !== 'string' || !isDay(day)) {
      return fail(reply, 400, 'invalid_day', 'Jour invalide : attendu sous la forme AAAA-MM-JJ.');
    }
    const cut = await cutOf(req, reply);
    if (!cut) return reply;
    const snap = await cache.current(
      cut.device.org,
      cut.viewer,
      cut.device.deviceId,
      cut.ownOps,
      day,
    );
    return snap.manifest;
  });

  app.get<{ Params: { id: string; index: string } }>(
    '/api/sync/snapshot/:id/:index',
    // Chunks are compressed once, when the snapshot is made: not again per answer.
    { compress: false },
    async (req, reply) => {
      const cut = await cutOf(req, reply);
      if (!cut) return reply;
      const { id, index } = req.params;
      const snap = cache.find(cut.device.org, cut.viewer, cut.device.deviceId, cut.ownOps, id);
      if (!snap) {
        return fail(
          reply,
          410,
          'snapshot_gone',
          'Cet instantané n’est plus servi : l’appareil en demande un plus récent.',
        );
      }
      const i = /^\d{1,6}$/.test(index) ? Number(index) : -1;
      const chunk = i >= 0 ? snap.chunks[i] : undefined;
      if (!chunk) {
        return fail(
          reply,
          404,
          'not_found',
          `Morceau ${index.slice(0, 12)} inconnu de cet instantané.`,
        );
      }
      reply.header('content-type', 'text/plain; charset=utf-8');
      reply.header('cache-control', 'no-store');
      const accepts = String(req.headers['accept-encoding'] ?? '');
      if (/\bbr\b/.test(accepts)) {
        reply.header('content-encoding', 'br');
        return reply.send(chunk);
      }
      const { brotliDecompressSync } = await import('node:zlib');
      return reply.send(brotliDecompressSync(chunk));
    },
  );
};
