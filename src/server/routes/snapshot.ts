// GET /api/sync/snapshot and its chunks (docs/protocol.md, Snapshot): a fresh device's bootstrap.
// The cut is the server's, from the device's credential (its profile, room and own ops), never
// from anything the client says.

import { createHash, randomUUID } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PARTNER_NO_SYNC } from '../../domain/access';
import { localDate } from '../../domain/time';
import { isDay } from '../../sync/usable';
import type { ServerPlugin } from '../context';
import { currentHorizon, relayHorizon, relayHorizonEpoch } from '../horizon';
import { formatReadingView, readingKey, readingViewMeta, viewScope } from '../reading';
import { patientScope } from '../replication-scope';
import { type ReloadCut, type RoomCut, SnapshotCache, snapshotCaches } from '../snapshots';
import { pullCut, visibleOps } from './sync';

/** The snapshot cache of the server over each store (tests read its counts). */
export { snapshotCaches };

export const snapshotRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, viewerOf, fail, accounts } = ctx;
  // The whole organisation's snapshots are pruned at the horizon (decision 0027, « Snapshots
  // pruned »): central's own; on a relay, central's as it adopted it (`relayHorizon`), with `seq`
  // its own log's head when it adopted it — its log then held every op ≤ it, and a fold of that
  // log whose S reaches that seq holds them all. None held (before adopting, a relay reinstalled,
  // central restored): unpruned. A relay's pruned snapshot belongs to central's epoch it adopted
  // the horizon in: one pruned before central's new epoch is neither served nor folded from.
  const horizon =
    ctx.role === 'central'
      ? async (org: string) => (await currentHorizon(store, accounts, org, ctx.now())).horizon
      : (org: string) => relayHorizon(store, org);
  const cache = new SnapshotCache(store, (s, org, viewer, ops) => visibleOps(s, org, viewer, ops), {
    chunkBytes: ctx.options.snapshotChunkBytes,
    codec: ctx.options.snapshotCodec,
    horizon,
    horizonEpoch: ctx.role === 'central' ? undefined : (org) => relayHorizonEpoch(store, org),
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
    const ownOps =
      device.profile === 'relay' || (await store.contiguous(device.org, device.deviceId)) > 0;
    return { device, viewer, ownOps };
  }

  app.get<{ Querystring: { day?: string; reload?: string } }>(
    '/api/sync/snapshot',
    async (req, reply) => {
      // The device's day decides only which rows come first (src/sync/usable.ts), never which
      // rows it receives: the cut is the credential's. Absent: the server's day in France.
      const day = req.query.day ?? localDate(new Date().toISOString());
      if (typeof day !== 'string' || !isDay(day)) {
        return fail(reply, 400, 'invalid_day', 'Jour invalide : attendu sous la forme AAAA-MM-JJ.');
      }
      const cut = await cutOf(req, reply);
      if (!cut) return reply;
      const { device, viewer } = cut;
      // A device holding states told to reload by its pull (`reload` in the answer): its states
      // are replaced, so the snapshot keeps its own ops and reaches the log's end of now, past
      // every op it pushed (ReloadCut, snapshots.ts). A relay never reloads (relay.ts replays).
      const reload: ReloadCut | undefined =
        req.query.reload === '1' && viewer.profile !== 'relay'
          ? { atLeast: await store.lastSeq(device.org) }
          : undefined;
      if (viewer.profile !== 'room') {
        const snap = await cache.current(
          device.org,
          viewer,
          device.deviceId,
          cut.ownOps,
          day,
          undefined,
          reload,
        );
        return snap.manifest;
      }
      // A room: the pull's cut from 0 under its scope and readers of now (RoomCut, snapshots.ts),
      // then the reading view it was served under recorded as the pull records it, so that the
      // pull after S carries on from it (the notes left out reach the device whole once readable,
      // a reader more starts it over: src/server/reading.ts).
      const upTo = await store.lastSeq(device.org);
      const scope = await patientScope(store, device.org, viewer, ctx.now());
      const key = await readingKey(ctx, device.org, viewer);
      const withheld = new Set<string>();
      const room: RoomCut = {
        basis: createHash('sha256')
          .update(JSON.stringify([key, [...(scope?.patients ?? [])].sort()]))
          .digest('hex'),
        upTo,
        withheld,
        ops: (page) =>
          pullCut(store, device.org, viewer, scope, page, {
            since: 0,
            deviceId: device.deviceId,
            withheld,
          }),
      };
      const snap = await cache.current(
        device.org,
        viewer,
        device.deviceId,
        true,
        day,
        room,
        reload,
      );
      const token = randomUUID();
      await store.setMeta(
        readingViewMeta(device.org, device.deviceId),
        formatReadingView({ token, key, withheld: snap.withheld ?? [], scope: viewScope(viewer) }),
      );
      return { ...snap.manifest, view: token };
    },
  );

  app.get<{ Params: { id: string; index: string } }>(
    '/api/sync/snapshot/:id/:index',
    // Chunks are compressed once, when the snapshot is made: not again per answer.
    { compress: false },
    async (req, reply) => {
      const cut = await cutOf(req, reply);
      if (!cut) return reply;
      const { id, index } = req.params;
      const snap = cache.find(
        cut.device.org,
        cut.viewer,
        cut.device.deviceId,
        cut.ownOps || cut.viewer.profile === 'room',
        id,
      );
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
      return reply.send(brotliDecompressSync(chunk));
    },
  );
};
