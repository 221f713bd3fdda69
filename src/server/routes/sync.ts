// The sync round trip: a push authorised per device profile, a pull filtered per profile.
import type { z } from 'zod';
import {
  CONSULTATION_FAMILY,
  consultationIdOf,
  pushRefusal,
  restrictedHiddenFrom,
  type StaffFacts,
  type Viewer,
  viewOp,
  visibleStates,
} from '../../domain/access';
import { entitySpec } from '../../domain/entities';
import { digestRows } from '../../sync/digest';
import { SyncValidationError } from '../../sync/errors';
import {
  type DeviceReport,
  MIN_PROTOCOL_VERSION,
  type SeqOp,
  type SyncResponse,
  syncRequestSchema,
} from '../../sync/protocol';
import type { DeviceCredential } from '../auth';
import type { ServerPlugin } from '../context';
import { renewWorkingSessions, sessionRefusal } from '../person-sessions';
import type { SyncStore } from '../store/types';

type SyncRequestOp = z.infer<typeof syncRequestSchema>['ops'][number];

/** Where a device's last report is kept (read back by routes/devices.ts). */
export const deviceKey = (org: string, dev: string) => `device:${org}:${dev}`;

/** A pulled page as this viewer may receive it (cut by profile, restricted notes of other
 * rooms left out). The page's bounds are unchanged, so the viewer's checkpoint still moves. */
async function visibleOps(
  store: SyncStore,
  org: string,
  viewer: Viewer,
  ops: SeqOp[],
): Promise<SeqOp[]> {
  const cut = ops.flatMap((x) => {
    const op = viewOp(viewer, x.op);
    return op ? [{ s: x.s, op }] : [];
  });
  if (viewer.profile !== 'room') return cut;
  const family = new Map<SeqOp, string | null>();
  const unknownRows = new Map<string, string[]>();
  for (const x of cut) {
    const val = x.op.k === 'ins' ? (x.op.val as Record<string, unknown>) : undefined;
    const id = consultationIdOf(x.op.e, x.op.id, val);
    // An event of a note (vitals, signature, addendum) whose op does not name the note.
    if (id === null && CONSULTATION_FAMILY[x.op.e] !== undefined) {
      unknownRows.set(x.op.e, [...(unknownRows.get(x.op.e) ?? []), x.op.id]);
    }
    family.set(x, id);
  }
  // Deletions of a note's events name only the row: find its consultation.
  const parentOf = new Map<string, string>();
  for (const [e, ids] of unknownRows) {
    for (const row of await store.rowsByIds(org, e, ids)) {
      if (typeof row.consultationId === 'string')
        parentOf.set(`${e}:${String(row.id)}`, row.consultationId);
    }
  }
  const ids = new Set<string>();
  for (const [x, id] of family) {
    const resolved = id ?? parentOf.get(`${x.op.e}:${x.op.id}`) ?? null;
    family.set(x, resolved);
    if (resolved) ids.add(resolved);
  }
  if (ids.size === 0) return cut;
  const consultations = new Map(
    (await store.rowsByIds(org, 'consultation', [...ids])).map((c) => [String(c.id), c]),
  );
  const entries = new Map(
    (
      await store.rowsByIds(
        org,
        'queueEntry',
        [...consultations.values()].map((c) => String(c.queueEntryId)),
      )
    ).map((q) => [String(q.id), q]),
  );
  return cut.filter((x) => {
    const id = family.get(x);
    if (!id) return true;
    const c = consultations.get(id);
    return !restrictedHiddenFrom(viewer, c, c ? entries.get(String(c.queueEntryId)) : undefined);
  });
}

/** The digest of what this viewer holds (the whole organisation for coordination and relays). */
export const viewerDigest = async (store: SyncStore, org: string, viewer: Viewer) =>
  viewer.profile === 'coordination' || viewer.profile === 'relay'
    ? store.digest(org)
    : digestRows(visibleStates(viewer, await store.rowStates(org), entitySpec));

export const syncRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, pokes, fanout, pullBytes, viewerOf, fail } = ctx;
  app.post('/api/sync', async (req, reply) => {
    const body = req.body as { protocol?: unknown } | undefined;
    if (typeof body?.protocol === 'number' && body.protocol < MIN_PROTOCOL_VERSION) {
      return fail(
        reply,
        426,
        'update_required',
        'Cette version d’Escale est trop ancienne pour ce serveur : mettez l’application à jour.',
        { minProtocol: MIN_PROTOCOL_VERSION },
      );
    }
    const parsed = syncRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        reply,
        400,
        'invalid_request',
        `Requête de synchronisation invalide${issue?.path.length ? ` (${issue.path.join('.')})` : ''} : ${issue?.message}`,
      );
    }
    const request = parsed.data;
    const device = req.device!;
    if (request.org !== device.org || request.deviceId !== device.deviceId) {
      return fail(
        reply,
        403,
        'wrong_org',
        'Cette requête ne correspond pas à l’appareil enrôlé (organisation ou identifiant différents).',
      );
    }
    const refusal = await authorise(device, request.ops);
    if (refusal) return fail(reply, 403, 'forbidden_op', refusal.message, refusal.details);
    // Person sessions (docs/decisions/0006-person-sessions.md): nothing stored, the device asks
    // the person named to sign in again and keeps its ops.
    const unsigned = await sessionRefusal(ctx, device, request.ops);
    if (unsigned) return fail(reply, 403, 'session_required', unsigned.message, unsigned.details);
    try {
      const pushed = await store.push(request.org, request.ops);
      if (pushed.stored > 0) {
        if (fanout) await fanout.publish(request.org, pushed.lastSeq);
        else pokes.poke(request.org, pushed.lastSeq);
        ctx.options.onStored?.(request.org);
      }
    } catch (error) {
      if (
        error instanceof SyncValidationError ||
        (error as { code?: string }).code === 'invalid_op'
      ) {
        const e = error as SyncValidationError;
        return fail(reply, 400, 'invalid_op', e.message, {
          code: e.code,
          entity: e.entity,
          field: e.field,
        });
      }
      throw error;
    }
    await renewWorkingSessions(ctx, device, request.ops);
    const accepted = await store.contiguous(request.org, request.deviceId);
    if (request.status) {
      // The device counted this request's ops as pending: record what is left once they are held.
      const held = request.ops.filter((op) => op.dev === request.deviceId && op.seq <= accepted);
      const seen: DeviceReport & { lastSyncAt: number } = {
        ...request.status,
        pending: Math.max(0, request.status.pending - held.length),
        lastSyncAt: Date.now(),
      };
      await store.setMeta(deviceKey(request.org, request.deviceId), JSON.stringify(seen));
    }
    const page = await store.pull(
      request.org,
      request.since,
      Math.min(request.maxBytes ?? pullBytes, pullBytes),
      request.deviceId,
    );
    const viewer = viewerOf(device);
    const response: SyncResponse = {
      accepted,
      ...page,
      ops: await visibleOps(store, request.org, viewer, page.ops),
      head: page.hasMore ? await store.lastSeq(request.org) : page.lastSeq,
      serverTime: Date.now(),
      ...(page.hasMore || !request.digest
        ? {}
        : { digest: await viewerDigest(store, request.org, viewer) }),
    };
    return response;
  });

  /** The first op this device may not push, with why (null: the batch is accepted). */
  async function authorise(device: DeviceCredential, ops: readonly SyncRequestOp[]) {
    if (device.profile === 'relay' || ops.length === 0) return null;
    const staff = new Map<string, StaffFacts>(
      (await store.rows(device.org, 'staff')).map((s) => [String(s.id), s]),
    );
    const noted = new Map<string, string>();
    const reviewed: string[] = [];
    for (const op of ops) {
      if (op.e === 'consultation' && op.f === 'authorId' && typeof op.val === 'string') {
        noted.set(op.id, op.val);
      }
      if (op.e === 'consultation' && op.f === 'status') reviewed.push(op.id);
    }
    const missing = reviewed.filter((id) => !noted.has(id));
    for (const c of missing.length
      ? await store.rowsByIds(device.org, 'consultation', missing)
      : []) {
      if (typeof c.authorId === 'string') noted.set(String(c.id), c.authorId);
    }
    for (const op of ops) {
      // Unknown to this server: the schema check answers it (400), or it is parked (newer).
      if (!entitySpec(op.e)) continue;
      const why = pushRefusal({ profile: device.profile, deviceId: device.deviceId }, op, {
        staff,
        authorOf: (id) => noted.get(id),
      });
      if (why) {
        return {
          message: `Modification refusée par le serveur : ${why}`,
          details: { entity: op.e, field: op.f, dev: op.dev, seq: op.seq },
        };
      }
    }
    return null;
  }
};
