// The sync round trip: a push authorised per device profile, a pull filtered per profile.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  breakGlassHiddenFrom,
  CONSULTATION_FAMILY,
  consultationIdOf,
  noteHiddenFrom,
  PARTNER_NO_SYNC,
  type PushContext,
  pushRefusal,
  type StaffFacts,
  type StoredFacts,
  SUMMARY_ENTITIES,
  transmissionHiddenFrom,
  type Viewer,
  viewOp,
  visibleStates,
  type Writer,
} from '../../domain/access';
import { dayProof } from '../../domain/closure';
import { entitySpec, SCHEMA_VERSION } from '../../domain/entities';
import { digestRows } from '../../sync/digest';
import { SyncValidationError } from '../../sync/errors';
import type { Hlc } from '../../sync/hlc';
import { validateOp } from '../../sync/merge';
import { MAX_INT, type Op } from '../../sync/op';
import {
  type DeviceReport,
  type Gap,
  MIN_PROTOCOL_VERSION,
  type Retracted,
  type SentPosition,
  type SeqOp,
  type SyncResponse,
  syncRequestSchema,
} from '../../sync/protocol';
import type { Horizon } from '../../sync/prune';
import { digestAt } from '../../sync/prune';
import { shouldReload } from '../../sync/reload';
import type { DeviceCredential } from '../auth';
import type { ServerPlugin } from '../context';
import {
  BELOW_HORIZON_CODE,
  belowHorizon,
  currentHorizon,
  recordPosition,
  relayHorizon,
} from '../horizon';
import { produceTasks } from '../partner-tasks';
import { renewWorkingSessions, sessionRefusal } from '../person-sessions';
import {
  formatReadingView,
  parseReadingView,
  type ReadingView,
  readingKey,
  readingViewMeta,
  viewScope,
} from '../reading';
import { type PatientScope, patientScope, scopedViewer, scopePage } from '../replication-scope';
import { snapshotCaches } from '../snapshots';
import { DESTROYED_CODE, DESTROYED_REASON, type SyncStore } from '../store/types';
import { readSyncBody, syncAnswer } from '../sync-envelope';
import { recentClosings } from './closure';

/** An op the server refuses, and the answer it gives for it. */
interface Refused {
  op: Op;
  status: 400 | 403;
  error: 'invalid_op' | 'forbidden_op';
  /** For schema errors, the validation code (unknown_field, invalid_value, …). */
  code?: string;
  message: string;
}

/** Where a device's last report is kept (read back by routes/devices.ts). */
export const deviceKey = (org: string, dev: string) => `device:${org}:${dev}`;

/** On a relay: the gaps central last said it has (JSON `Record<dev, Gap>`), passed on to the
 * devices concerned as `missing` so they send those ops again (relay.ts writes it). */
export const upstreamGapsKey = (org: string) => `upstream:gaps:${org}`;

/** Where an incident is kept: ops a device declared gone that this server lacks (routes/devices.ts). */
export const incidentKey = (org: string, dev: string, from?: number) =>
  `incident:${org}:${dev}${from === undefined ? '' : `:${String(from).padStart(12, '0')}`}`;

/** A pulled page as this viewer may receive it (cut by profile, notes none of its readers may
 * read left out, restricted notes of other rooms left out). The page's bounds are unchanged, so
 * the viewer's checkpoint still moves. */
export async function visibleOps(
  store: SyncStore,
  org: string,
  viewer: Viewer,
  ops: SeqOp[],
  withheld?: Set<string>,
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
    const id =
      x.op.e === 'transmission'
        ? typeof val?.consultationId === 'string'
          ? val.consultationId
          : null
        : consultationIdOf(x.op.e, x.op.id, val);
    // An event of a note (vitals, signature, addendum, transmission) whose op does not name it.
    if (id === null && (CONSULTATION_FAMILY[x.op.e] !== undefined || x.op.e === 'transmission')) {
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
  // A bris de glace's deletion names only its row.
  const glassIds = cut
    .filter((x) => x.op.e === 'breakGlass' && x.op.k !== 'ins')
    .map((x) => x.op.id);
  const glassRows = new Map(
    (glassIds.length ? await store.rowsByIds(org, 'breakGlass', glassIds) : []).map((r) => [
      String(r.id),
      r,
    ]),
  );
  const consultations = new Map(
    (ids.size ? await store.rowsByIds(org, 'consultation', [...ids]) : []).map((c) => [
      String(c.id),
      c,
    ]),
  );
  const entries = new Map(
    (consultations.size
      ? await store.rowsByIds(
          org,
          'queueEntry',
          [...consultations.values()].map((c) => String(c.queueEntryId)),
        )
      : []
    ).map((q) => [String(q.id), q]),
  );
  return cut.filter((x) => {
    if (x.op.e === 'breakGlass') {
      const row = x.op.k === 'ins' ? (x.op.val as Record<string, unknown>) : glassRows.get(x.op.id);
      return !breakGlassHiddenFrom(viewer, row ?? {});
    }
    const id = family.get(x);
    if (!id) return true;
    const c = consultations.get(id);
    const q = c ? entries.get(String(c.queueEntryId)) : undefined;
    const hidden =
      x.op.e === 'transmission'
        ? transmissionHiddenFrom(viewer, c, q)
        : noteHiddenFrom(viewer, c, q);
    // Remembered, so that the note reaches the device whole once its readers may read it.
    if (hidden) withheld?.add(id);
    return !hidden;
  });
}

/**
 * The whole cut of a pulled page, the pull's and a room's snapshot's alike (routes/snapshot.ts):
 * a room holds the patients of its scope only and receives whole those entering it after
 * `since`, then each op as this viewer may receive it (visibleOps).
 */
export async function pullCut(
  store: SyncStore,
  org: string,
  viewer: Viewer,
  scope: PatientScope | null,
  ops: SeqOp[],
  at: { since: number; deviceId: string; withheld?: Set<string> },
): Promise<SeqOp[]> {
  const scoped = scope ? await scopePage(store, org, scope, ops, at.since, at.deviceId) : ops;
  return visibleOps(store, org, viewer, scoped, at.withheld);
}

/** Closures begun lately, announced with every answer (docs/protocol.md, Closure). */
/** What the device is enrolled as now, and since when (docs/protocol.md, `assigned`). */
function assignedOf(device: DeviceCredential) {
  return {
    profile: device.profile as 'reception' | 'room' | 'coordination' | 'display',
    roomId: device.roomId,
    at: device.assignedAt ?? device.enrolledAt,
  };
}

async function closingPart(store: SyncStore, org: string, now: number) {
  const closing = await recentClosings(store, org, now);
  return closing.length ? { closing } : {};
}

/**
 * A sync receipt is stored only when its digest is this server's own proof of the day for the
 * device that records it (docs/decisions/0007-closure-coverage.md): a receipt contradicting the
 * server would otherwise be replicated to every device and let them purge. A relay forwards
 * receipts it already checked.
 */
async function receiptRefusal(
  store: SyncStore,
  device: DeviceCredential,
  viewer: Viewer,
  ops: readonly Op[],
) {
  if (device.profile === 'relay') return null;
  const receipts = ops.filter((op) => op.e === 'syncReceipt' && op.k === 'ins');
  if (receipts.length === 0) return null;
  const states = visibleStates(viewer, await store.rowStates(device.org), entitySpec);
  for (const op of receipts) {
    const val = (op.val ?? {}) as { stopId?: unknown; digest?: unknown; hz?: unknown };
    // At the horizon the receipt names (decision 0027): central never prunes, so it takes the
    // comparable form there.
    const hz = typeof val.hz === 'string' ? val.hz : null;
    const own =
      typeof val.stopId === 'string' ? dayProof(states, val.stopId, entitySpec, hz) : undefined;
    if (!own?.rows.some((r) => r.e === 'stop') || own.digest !== val.digest) {
      return {
        message:
          'Reçu refusé par le serveur : son empreinte ne correspond pas à la journée que détient ce serveur. Redemandez le reçu.',
        details: { entity: op.e, dev: op.dev, seq: op.seq },
      };
    }
  }
  return null;
}

/** The digest of what this viewer holds (the whole organisation for coordination and relays;
 * a room's patients by its scope, src/server/replication-scope.ts); at the horizon the device
 * pruned at (`hz`, decision 0027), over the comparable form there (this server never prunes). */
export const viewerDigest = async (
  store: SyncStore,
  org: string,
  viewer: Viewer,
  now: number,
  hz?: Hlc | null,
) => {
  const whole = viewer.profile === 'coordination' || viewer.profile === 'relay';
  if (whole && !hz) return store.digest(org);
  const states = whole
    ? await store.rowStates(org)
    : visibleStates(
        await scopedViewer(store, org, viewer, now),
        await store.rowStates(org),
        entitySpec,
      );
  return hz ? digestAt(states, hz) : digestRows(states);
};

export const syncRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, pokes, fanout, pullBytes, viewerOf, fail } = ctx;
  app.post('/api/sync', async (req, reply) => {
    // A partner component never syncs: it fetches and answers its tasks (routes/partner.ts).
    if (req.device?.profile === 'partner') return fail(reply, 403, 'forbidden', PARTNER_NO_SYNC);
    const body = req.body as { protocol?: unknown } | undefined;
    const read = readSyncBody(req.body);
    if (!read.ok) return fail(reply, 400, 'invalid_request', read.message, { path: read.path });
    if (typeof body?.protocol === 'number' && body.protocol < MIN_PROTOCOL_VERSION) {
      return fail(
        reply,
        426,
        'update_required',
        'Cette version d’Escale est trop ancienne pour ce serveur : mettez l’application à jour.',
        { minProtocol: MIN_PROTOCOL_VERSION },
      );
    }
    const parsed = syncRequestSchema.safeParse(read.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // An op too malformed to be held (its sequence or id unstorable): named by its place in
      // the batch, and by (dev, seq) when those are readable, so the device can set it aside.
      const index = issue?.path[0] === 'ops' ? issue.path[1] : undefined;
      const bad =
        typeof index === 'number'
          ? ((read.body as { ops?: unknown[] }).ops?.[index] as { dev?: unknown; seq?: unknown })
          : undefined;
      const message = `Requête de synchronisation invalide${issue?.path.length ? ` (${issue.path.join('.')})` : ''} : ${issue?.message}`;
      // The device's own op with a storable sequence is set apart like any refused op, so its
      // sequence does not hold back the device's others once it sets the op aside.
      const device = req.device!;
      if (
        bad?.dev === device.deviceId &&
        typeof bad.seq === 'number' &&
        Number.isInteger(bad.seq) &&
        bad.seq >= 1 &&
        bad.seq <= MAX_INT
      ) {
        await store.quarantine(device.org, [
          { op: bad as Op, code: 'invalid_request', reason: message, via: device.deviceId },
        ]);
      }
      return fail(
        reply,
        400,
        'invalid_request',
        message,
        typeof index === 'number'
          ? {
              index,
              ...(typeof bad?.dev === 'string' && typeof bad.seq === 'number'
                ? { dev: bad.dev.slice(0, 64), seq: bad.seq }
                : {}),
            }
          : undefined,
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
    // Ops already held (stored or quarantined) are ignored whatever the state now: a retry
    // whose answer was lost stays idempotent. Each new op is validated and authorised; a
    // refused op is quarantined — from a relay silently, so it never blocks the truck; from a
    // device with a 4xx naming it, so the device sets it aside and goes on (docs/protocol.md).
    const unproved = await receiptRefusal(store, device, await viewerOf(device), request.ops);
    if (unproved) return fail(reply, 409, 'receipt_mismatch', unproved.message, unproved.details);
    const isRelay = device.profile === 'relay';
    const held = await store.heldKeys(request.org, request.ops);
    const fresh = request.ops.filter((op) => !held.has(`${op.dev}#${op.seq}`));
    // An op naming a destroyed record is refused before any rule (it is set apart without its
    // values by the store); one naming an archived record goes to the archive with it
    // (docs/decisions/0019-retention.md).
    const retired = await store.retiredOps(request.org, fresh);
    const destroyed = fresh.filter((op) => retired.get(`${op.dev}#${op.seq}`) === 'destroyed');
    const refused: Refused[] = [
      ...destroyed.map((op) => ({
        op,
        status: 403 as const,
        error: 'forbidden_op' as const,
        code: DESTROYED_CODE,
        message: DESTROYED_REASON,
      })),
      ...(await check(
        device,
        request.org,
        fresh.filter((op) => !destroyed.includes(op)),
      )),
    ];
    // A refusal whose answer was lost: the device's retry of its op set apart here is refused
    // again, naming it — never a silent 200, after which it would count the op as held and drop
    // it with its value still shown (ops held are not judged again: the verdict is repeated).
    if (!isRelay) {
      const retried = request.ops.filter(
        (op) => op.dev === device.deviceId && held.has(`${op.dev}#${op.seq}`),
      );
      for (const q of retried.length ? await store.quarantinedAmong(request.org, retried) : []) {
        const op = retried.find((o) => o.seq === q.seq)!;
        const invalid = q.code === 'invalid_op' || q.code === 'invalid_request';
        refused.push({
          op,
          status: invalid ? 400 : 403,
          error: invalid ? 'invalid_op' : 'forbidden_op',
          ...(invalid || q.code === 'forbidden_op' ? {} : { code: q.code }),
          message: q.reason,
        });
      }
    }
    const refusedOps = new Set(refused.map((r) => r.op));
    // To a relay: the ops it forwarded that are set apart here, refused now or at an earlier
    // sending (its answer lost), so it takes them out of its log and rows (decision 0033).
    const refusedUpstream = isRelay
      ? [
          ...refused.map((r) => ({
            dev: r.op.dev,
            seq: r.op.seq,
            code: r.error,
            message: r.message,
          })),
          ...(
            await store.quarantinedAmong(
              request.org,
              request.ops.filter((op) => held.has(`${op.dev}#${op.seq}`)),
            )
          ).map((q) => ({ dev: q.dev, seq: q.seq, code: q.code, message: q.reason })),
        ]
      : [];
    if (device.profile === 'relay') {
      await store.quarantine(
        request.org,
        refused.map((r) => ({ op: r.op, code: r.error, reason: r.message, via: device.deviceId })),
      );
    } else if (refused.length > 0) {
      // Only the device's own ops are set apart: another device's sequence is not its to fill.
      await store.quarantine(
        request.org,
        refused
          .filter((r) => r.op.dev === device.deviceId)
          .map((r) => ({ op: r.op, code: r.error, reason: r.message, via: device.deviceId })),
      );
      const [first] = refused;
      return fail(reply, first!.status, first!.error, first!.message, {
        dev: first!.op.dev,
        seq: first!.op.seq,
        entity: first!.op.e,
        field: first!.op.f,
        ...(first!.code ? { code: first!.code } : {}),
        refused: refused.map((r) => ({
          dev: r.op.dev,
          seq: r.op.seq,
          error: r.error,
          message: r.message,
        })),
      });
    }
    const toStore = fresh.filter((op) => !refusedOps.has(op));
    // Person sessions (docs/decisions/0006-person-sessions.md), once the rules have spoken:
    // nothing stored, the device asks the person named to sign in again and keeps its ops.
    const unsigned = await sessionRefusal(ctx, device, toStore);
    if (unsigned) return fail(reply, 403, 'session_required', unsigned.message, unsigned.details);
    // A relay's forwarded ops are marked as brought by it: its pulls do not send them back.
    const pushed = await store.push(
      request.org,
      toStore,
      device.profile === 'relay' ? { via: device.deviceId } : {},
    );
    if (pushed.stored > 0) {
      if (fanout) await fanout.publish(request.org, pushed.lastSeq);
      else pokes.poke(request.org, pushed.lastSeq);
      ctx.options.onStored?.(request.org);
      // Partner tasks these ops call for (a validated note, a new NIR): produced after the
      // answer, never in its way — a failure here is caught up at the partner's next fetch.
      if (ctx.role === 'central') {
        void produceTasks(store, request.org, ctx.now()).then(
          async (created) => {
            if (created === 0) return;
            const last = await store.lastSeq(request.org);
            if (fanout) await fanout.publish(request.org, last);
            else pokes.poke(request.org, last);
          },
          (err: unknown) => app.log.warn({ err }, 'partner tasks not produced yet'),
        );
      }
    }
    await renewWorkingSessions(ctx, device, toStore);
    // What the relay refused from its devices counts as held here too: otherwise the device's
    // later ops, forwarded by the relay, would never be contiguous, hence never durable.
    if (isRelay && request.quarantined?.length) {
      await store.quarantine(
        request.org,
        request.quarantined.map((q) => ({
          op: { ...(q.op as Op), dev: q.dev, seq: q.seq },
          code: q.code,
          reason: q.reason,
          via: `${device.deviceId} (${q.via})`.slice(0, 64),
        })),
      );
    }
    // Gap recovery (docs/protocol.md): ops a device no longer holds count as acknowledged.
    await declareFloors(request.org, {
      ...(isRelay ? request.floors : {}),
      ...(request.floor ? { [request.deviceId]: request.floor } : {}),
    });
    const accepted = await store.contiguous(request.org, request.deviceId);
    // The device's position (decision 0027), once its ops 1..seq are held here; a relay keeps it
    // with the device's report and passes it on after the ops (src/server/relay.ts).
    const position =
      request.sent && !isRelay && request.sent.seq <= accepted
        ? (await recordPosition(store, request.org, request.deviceId, request.sent)) && request.sent
        : null;
    if (request.status) {
      // The device counted this request's ops as pending: record what is left once they are held.
      const held = request.ops.filter((op) => op.dev === request.deviceId && op.seq <= accepted);
      const seen: DeviceReport & { lastSyncAt: number; sent?: SentPosition } = {
        ...request.status,
        pending: Math.max(0, request.status.pending - held.length),
        lastSyncAt: ctx.now(),
        ...(position ? { sent: position } : {}),
      };
      await store.setMeta(deviceKey(request.org, request.deviceId), JSON.stringify(seen));
    }
    // A checkpoint read in another epoch of the log, or beyond its end (the log was restored
    // from a backup): the client pulls again from 0 rather than skip what comes next. So too
    // when the device may now read more than when it was last served (a person signed in on it
    // for the first time, a bris de glace: src/server/reading.ts).
    const epoch = await store.epoch();
    const viewer = await viewerOf(device);
    const view = await readingView(request.org, request.deviceId, viewer);
    const reset =
      (request.epoch !== undefined && request.epoch !== epoch) ||
      request.since > (await store.lastSeq(request.org)) ||
      (view !== null &&
        request.view !== undefined &&
        request.since > 0 &&
        request.view !== view.token);
    const page = await store.pull(
      request.org,
      reset ? 0 : request.since,
      Math.min(request.maxBytes ?? pullBytes, pullBytes),
      request.deviceId,
    );
    const withheld = new Set<string>(reset ? [] : (view?.withheld ?? []));
    const scope = await patientScope(store, request.org, viewer, ctx.now());
    const ops = await pullCut(store, request.org, viewer, scope, page.ops, {
      since: reset ? 0 : request.since,
      deviceId: request.deviceId,
      withheld,
    });
    if (view) await keepReadingView(request.org, request.deviceId, view, withheld);
    const response: SyncResponse = {
      accepted,
      durable: await durableOf(request.org, request.deviceId, accepted),
      epoch,
      ...(reset ? { reset: true } : {}),
      ...(await reloadPart(request.org, request.deviceId, viewer, request.since, reset)),
      ...(isRelay ? { held: await heldFor(request), gaps: await gapsOf(request.org) } : {}),
      ...(refusedUpstream.length ? { refused: refusedUpstream } : {}),
      // Only a relay's log loses ops once held (central's refusals are told to the writer).
      ...(ctx.role === 'relay'
        ? await retractedPart(request.org, request.deviceId, request.retracted)
        : {}),
      ...(await missingPart(request.org, request.deviceId)),
      ...page,
      ops,
      ...(view ? { view: view.token } : {}),
      ...(view && request.view !== view.token ? { assigned: assignedOf(device) } : {}),
      head: page.hasMore ? await store.lastSeq(request.org) : page.lastSeq,
      // The server's one clock (ServerContext.now): person sessions are opened by it, so the time a
      // device learns here must be the same, or its ops would fall outside their sessions.
      serverTime: ctx.now(),
      ...(await closingPart(store, request.org, ctx.now())),
      ...(await horizonPart(request.org)),
      ...(page.hasMore || !request.digest
        ? {}
        : { digest: await viewerDigest(store, request.org, viewer, ctx.now(), request.hz) }),
    };
    return syncAnswer(response, read.compact);
  });

  /**
   * The reading view of a room device (src/server/reading.ts), its token renewed when the device
   * may now read more than when it was last served: a reader or a running bris de glace more, or
   * a note it was left without that its readers may now read (its author or service set, the
   * patient's objection withdrawn, the note no longer restricted). Null for other profiles.
   */
  async function readingView(
    org: string,
    dev: string,
    viewer: Viewer,
  ): Promise<ReadingView | null> {
    // Relays hold everything; other devices get a token too, so that a move to another profile
    // or room (POST /api/devices/assignment) starts them over on their new view.
    if (viewer.profile === 'relay' || viewer.profile === 'partner') return null;
    const scope = viewScope(viewer);
    const key = viewer.reading ? await readingKey(ctx, org, viewer) : [];
    const before = parseReadingView(await store.getMeta(readingViewMeta(org, dev)));
    if (!before || (before.scope !== undefined && before.scope !== scope)) {
      return { token: randomUUID(), key, withheld: [], scope };
    }
    const grew = key.some((k) => !before.key.includes(k));
    const notes = before.withheld.length
      ? await store.rowsByIds(org, 'consultation', before.withheld)
      : [];
    const entries = new Map(
      (notes.length
        ? await store.rowsByIds(
            org,
            'queueEntry',
            notes.map((c) => String(c.queueEntryId)),
          )
        : []
      ).map((q) => [String(q.id), q]),
    );
    const surfaced = new Set(
      notes
        .filter((c) => !noteHiddenFrom(viewer, c, entries.get(String(c.queueEntryId))))
        .map((c) => String(c.id)),
    );
    if (!grew && surfaced.size === 0) return { ...before, key, scope };
    return {
      token: randomUUID(),
      key,
      withheld: before.withheld.filter((id) => !surfaced.has(id)),
      scope,
    };
  }

  /** Records the view served, with the notes this page left out. */
  async function keepReadingView(
    org: string,
    dev: string,
    view: ReadingView,
    withheld: Set<string>,
  ): Promise<void> {
    const next = formatReadingView({ ...view, withheld: [...withheld] });
    if (next !== (await store.getMeta(readingViewMeta(org, dev)))) {
      await store.setMeta(readingViewMeta(org, dev), next);
    }
  }

  /** Central's horizon, computed after the page was read (its `seq` may be past the page: the
   * device then adopts it at a later answer). A relay announces central's once it adopted it,
   * with its own log's head then as `seq` (src/server/horizon.ts, `adoptUpstreamHorizon`). */
  async function horizonPart(org: string): Promise<{ horizon?: Horizon }> {
    const horizon =
      ctx.role === 'central'
        ? (await currentHorizon(store, accounts, org, ctx.now())).horizon
        : await relayHorizon(store, org);
    return horizon ? { horizon } : {};
  }

  /**
   * The retractions of this log after the device's `retracted` (decision 0033): which rows it
   * may hold a value of that is no longer anywhere but on devices; the op's writer is also told
   * which of its ops, and why (it sets the op aside, as after a refusal it received itself).
   */
  async function retractedPart(
    org: string,
    dev: string,
    after = 0,
  ): Promise<{ retracted?: Retracted[] }> {
    if ((await store.retractionCount(org)) <= after) return {};
    const list = await store.retractions(org, after);
    return {
      retracted: list.map((r) => ({
        n: r.n,
        s: r.s,
        e: r.e,
        id: r.id,
        ...(r.dev === dev ? { dev: r.dev, seq: r.seq, reason: r.reason } : {}),
      })),
    };
  }

  /** Central holds everything it acknowledges; a relay only what central told it it holds. */
  async function durableOf(org: string, dev: string, accepted: number): Promise<number> {
    if (ctx.role === 'central') return accepted;
    return Math.min(accepted, (await store.upstreamHeld(org)).get(dev) ?? 0);
  }

  /** Central: the ops it lacks below declared floors (restored from an older backup). */
  async function gapsOf(org: string): Promise<Record<string, Gap>> {
    if (ctx.role !== 'central') return {};
    return Object.fromEntries(
      (await store.gaps(org)).map((g) => [g.dev, { from: g.from, to: g.to }]),
    );
  }

  /**
   * Gap recovery (docs/protocol.md): central asks a device for its own ops it lacks below the
   * device's floor; a relay passes on what central last said it lacks of that device. The
   * device sends them again if it still keeps them (src/device/sync-client.ts, `sent`).
   */
  async function missingPart(org: string, dev: string): Promise<{ missing?: Gap }> {
    if (ctx.role === 'central') {
      const gap = (await store.gaps(org)).find((g) => g.dev === dev);
      return gap ? { missing: { from: gap.from, to: gap.to } } : {};
    }
    const raw = await store.getMeta(upstreamGapsKey(org));
    const gap = raw ? (JSON.parse(raw) as Record<string, Gap>)[dev] : undefined;
    return gap ? { missing: gap } : {};
  }

  /**
   * Whether a device holding states should load a snapshot rather than pull on (src/sync/reload.ts,
   * docs/protocol.md, Reload): after a reset, or when further behind than the snapshot is large;
   * never while this server lacks some of the device's ops below its floor. Not to relays.
   */
  async function reloadPart(
    org: string,
    dev: string,
    viewer: Viewer,
    since: number,
    reset: boolean,
  ): Promise<{ reload?: true }> {
    if (viewer.profile === 'relay' || viewer.profile === 'partner' || since <= 0) return {};
    const facts = {
      since,
      head: await store.lastSeq(org),
      reset,
      rows: snapshotCaches.get(store)?.reloadRows(org, viewer, dev),
      minOps: ctx.options.reloadOps,
      gap: false,
    };
    if (!shouldReload(facts)) return {};
    const gap = (await store.gaps(org)).some((g) => g.dev === dev);
    return shouldReload({ ...facts, gap }) ? { reload: true } : {};
  }

  /** To a relay: how far this server holds each device it forwarded ops of or asked about. */
  async function heldFor(request: z.infer<typeof syncRequestSchema>) {
    const devs = new Set([...request.ops.map((op) => op.dev), ...(request.ask ?? [])]);
    const held: Record<string, number> = {};
    for (const dev of devs) held[dev] = await store.contiguous(request.org, dev);
    return held;
  }

  /** Records declared floors; central records an incident for ops it lacks below one. */
  async function declareFloors(org: string, floors: Readonly<Record<string, number>>) {
    for (const [dev, floor] of Object.entries(floors)) {
      if (floor <= 0) continue;
      const gap = await store.declareFloor(org, dev, floor);
      if (!gap || ctx.role !== 'central') continue;
      const key = incidentKey(org, dev, gap.from);
      if (await store.getMeta(key)) continue;
      await store.setMeta(key, JSON.stringify({ from: gap.from, to: gap.to, at: Date.now() }));
      app.log.warn({ org, dev, from: gap.from, to: gap.to }, 'ops declared durable are missing');
    }
  }

  /**
   * The ops of this request the server refuses, with why: the shared schema (src/sync/op.ts,
   * validateOp) for ops of this schema version, then the authorisation rules of
   * src/domain/access.ts over the stored rows. A relay's ops are checked against the profile of
   * the device that wrote them when central knows it (a relay's own checks may have run on an
   * older state, or an older version); parked ops are accepted from relays only.
   */
  async function check(device: DeviceCredential, org: string, ops: readonly Op[]) {
    const refused: Refused[] = [];
    const valid: Op[] = [];
    for (const op of ops) {
      if (op.org !== org) {
        refused.push({
          op,
          status: 400,
          error: 'invalid_op',
          message: `Opération d’une autre organisation (${op.dev}#${op.seq}).`,
        });
        continue;
      }
      if (op.v > SCHEMA_VERSION && device.profile === 'relay') continue;
      if (op.v <= SCHEMA_VERSION) {
        try {
          validateOp(op, entitySpec);
        } catch (error) {
          if (!(error instanceof SyncValidationError)) throw error;
          refused.push({
            op,
            status: 400,
            error: 'invalid_op',
            code: error.code,
            message: error.message,
          });
          continue;
        }
      }
      valid.push(op);
    }
    if (valid.length === 0) return refused;
    // The guard of decision 0027, at central only. A relay holds central's horizon but does not
    // guard with it: what it refuses, central takes as set apart without judging it again, and
    // the relay's may be of an epoch central has left (restored, not heard of yet on the truck);
    // central's own horizon is never below it, and refuses the op when it is forwarded.
    const horizon =
      ctx.role === 'central'
        ? (await currentHorizon(store, accounts, org, ctx.now())).horizon
        : null;
    const above: Op[] = [];
    for (const op of valid) {
      const why = belowHorizon(op, horizon);
      if (why) {
        refused.push({
          op,
          status: 403,
          error: 'forbidden_op',
          code: BELOW_HORIZON_CODE,
          message: why,
        });
      } else above.push(op);
    }
    if (above.length === 0) return refused;
    const writers = new Map<string, Writer>();
    if (device.profile === 'relay') {
      for (const dev of new Set(above.map((op) => op.dev))) {
        const origin = await accounts.credential(dev);
        if (origin && origin.org === org && origin.profile !== 'relay') {
          writers.set(dev, { profile: origin.profile, deviceId: dev, roomId: origin.roomId });
        }
      }
    }
    const ctxFor = await pushContext(org, above);
    for (const op of above) {
      const writer: Writer | undefined =
        device.profile === 'relay'
          ? writers.get(op.dev)
          : { profile: device.profile, deviceId: device.deviceId, roomId: device.roomId };
      if (!writer) continue;
      // Unknown entity at this version: validateOp refused it already.
      const why = pushRefusal(writer, op, ctxFor);
      if (why) {
        refused.push({
          op,
          status: 403,
          error: 'forbidden_op',
          message: `Modification refusée par le serveur : ${why}`,
        });
      }
    }
    return refused;
  }

  /** What the rules need of the stored rows for these ops, read once per request. */
  async function pushContext(org: string, ops: readonly Op[]): Promise<PushContext> {
    const staff = new Map<string, StaffFacts>(
      (await store.rows(org, 'staff')).map((s) => [String(s.id), s]),
    );
    const noted = new Map<string, string>();
    const consultationIds = new Set<string>();
    const entryIds = new Set<string>();
    for (const op of ops) {
      if (op.e === 'consultation' && op.f === 'authorId' && typeof op.val === 'string') {
        noted.set(op.id, op.val);
      }
      const val = op.k === 'ins' ? (op.val as Record<string, unknown>) : undefined;
      const cid = consultationIdOf(op.e, op.id, val);
      if (cid) consultationIds.add(cid);
      if (op.e === 'queueEntry') entryIds.add(op.id);
    }
    const consultations = new Map(
      (consultationIds.size
        ? await store.rowsByIds(org, 'consultation', [...consultationIds])
        : []
      ).map((c) => [String(c.id), c]),
    );
    // When a stored note was signed: the clock of the write that set its status.
    const signing = new Map<string, string>();
    if (consultations.size) {
      for (const st of await store.rowStatesByIds(org, 'consultation', [...consultations.keys()])) {
        const status = st.f.status;
        if (status?.t !== 'r' || status.heads.length === 0) continue;
        signing.set(
          st.id,
          status.heads
            .map((h) => h.h)
            .sort()
            .at(-1)!,
        );
      }
    }
    for (const c of consultations.values()) {
      if (typeof c.queueEntryId === 'string') entryIds.add(c.queueEntryId);
      if (typeof c.authorId === 'string' && !noted.has(String(c.id))) {
        noted.set(String(c.id), c.authorId);
      }
    }
    const entries = new Map(
      (entryIds.size ? await store.rowsByIds(org, 'queueEntry', [...entryIds]) : []).map((q) => [
        String(q.id),
        q,
      ]),
    );
    // The clinical summary rows the ops write (their fixed fields: src/domain/access.ts).
    const summaryIds = new Map<string, Set<string>>();
    for (const op of ops) {
      if (!(SUMMARY_ENTITIES as readonly string[]).includes(op.e)) continue;
      const ids = summaryIds.get(op.e) ?? new Set<string>();
      ids.add(op.id);
      summaryIds.set(op.e, ids);
    }
    const summaryRows = new Map<string, Record<string, unknown>>();
    for (const [entity, ids] of summaryIds) {
      for (const row of await store.rowsByIds(org, entity, [...ids])) {
        summaryRows.set(`${entity}\u0000${String(row.id)}`, row);
      }
    }
    // The addenda reviews name (issue #21 item 2): held, or inserted earlier in this batch.
    const addendumIds = new Set<string>();
    const addenda = new Map<string, Record<string, unknown>>();
    for (const op of ops) {
      const val = op.k === 'ins' ? (op.val as Record<string, unknown>) : undefined;
      if (op.e === 'signature' && typeof val?.addendumId === 'string')
        addendumIds.add(val.addendumId);
      if (op.e === 'addendum' && val) addenda.set(op.id, { ...val, id: op.id });
    }
    const unheld = [...addendumIds].filter((id) => !addenda.has(id));
    if (unheld.length) {
      for (const row of await store.rowsByIds(org, 'addendum', unheld))
        addenda.set(String(row.id), row);
    }
    // Per device: how far this server holds its ops, and which of its ops this batch brings.
    const contiguous = new Map<string, number>();
    const inBatch = new Map<string, Set<number>>();
    for (const op of ops) {
      if (!contiguous.has(op.dev)) contiguous.set(op.dev, await store.contiguous(org, op.dev));
      const seqs = inBatch.get(op.dev) ?? new Set<number>();
      inBatch.set(op.dev, seqs.add(op.seq));
    }
    // A floor the device declared moves `contiguous` past ops this server lacks (it was restored
    // from an older backup, the device had dropped them as durable): they are missing all the
    // same, and a rule that needs them (a note's author) cannot be judged here yet.
    const lacking = new Map(
      ctx.role === 'central' ? (await store.gaps(org)).map((g) => [g.dev, g] as const) : [],
    );
    const earlierMissing = (op: Op) => {
      const gap = lacking.get(op.dev);
      if (gap && gap.from < op.seq) return true;
      const from = contiguous.get(op.dev) ?? 0;
      let brought = 0;
      for (const n of inBatch.get(op.dev) ?? []) if (n > from && n < op.seq) brought++;
      return op.seq - 1 - from > brought;
    };
    return {
      staff,
      partial: ctx.role === 'relay',
      earlierMissing,
      authorOf: (id) => noted.get(id),
      stored: (op): StoredFacts => {
        const val = op.k === 'ins' ? (op.val as Record<string, unknown>) : undefined;
        const cid = consultationIdOf(op.e, op.id, val);
        const consultation = cid ? consultations.get(cid) : undefined;
        const entryId =
          op.e === 'queueEntry'
            ? op.id
            : typeof consultation?.queueEntryId === 'string'
              ? consultation.queueEntryId
              : undefined;
        return {
          consultation,
          queueEntry: entryId ? entries.get(entryId) : undefined,
          summaryRow: summaryRows.get(`${op.e}\u0000${op.id}`),
          ...(op.e === 'signature' && typeof val?.addendumId === 'string'
            ? { addendum: addenda.get(val.addendumId) }
            : {}),
          ...(cid && signing.has(cid) ? { signing: signing.get(cid) } : {}),
        };
      },
    };
  }
};
