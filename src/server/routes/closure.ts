// The closure of a stop's day (docs/decisions/0007-closure-coverage.md): the coordinator begins
// it (central's clock), may excuse a named device with a reason; a relay passes both to central
// and keeps central's record; a relay passes on the status reports its devices sent it, so
// central can judge devices that only talk to the relay.

import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Viewer } from '../../domain/access';
import { visibleStates } from '../../domain/access';
import {
  type ClosureRecord,
  type Coverage,
  coverageVerdict,
  dayProof,
  dayWindow,
  deviceLabel,
  devicesToCover,
  type HeardReport,
  type TruckDevice,
} from '../../domain/closure';
import { entitySpec } from '../../domain/entities';
import {
  type Closing,
  closureBeginSchema,
  closureExcuseSchema,
  relayReportsSchema,
} from '../../sync/protocol';
import type { ServerContext, ServerPlugin } from '../context';
import { recordPosition } from '../horizon';
import { readingViewer } from '../reading';
import type { SyncStore } from '../store/types';
import { deviceKey } from './sync';

const closureKey = (org: string, stopId: string) => `closure:${org}:${stopId}`;
/** Closures announced to devices with each sync: those begun in the last 36 hours. */
const ANNOUNCED_MS = 36 * 3_600_000;

export async function readClosure(
  store: SyncStore,
  org: string,
  stopId: string,
): Promise<ClosureRecord | null> {
  const raw = await store.getMeta(closureKey(org, stopId));
  return raw ? (JSON.parse(raw) as ClosureRecord) : null;
}

async function writeClosure(store: SyncStore, org: string, record: ClosureRecord) {
  await store.setMeta(closureKey(org, record.stopId), JSON.stringify(record));
}

/** The closures a device is told about with each sync (syncResponse.closing). */
export async function recentClosings(store: SyncStore, org: string, now: number) {
  const out: Closing[] = [];
  for (const { value } of await store.metaWithPrefix(closureKey(org, ''))) {
    const c = JSON.parse(value) as ClosureRecord;
    if (now - c.startedAt <= ANNOUNCED_MS) out.push({ stopId: c.stopId, startedAt: c.startedAt });
  }
  return out;
}

/** On a relay: central's closures as its sync answer announced them (central's clock stays). */
export async function importClosings(
  store: SyncStore,
  org: string,
  closings: readonly Closing[],
): Promise<boolean> {
  let changed = false;
  for (const c of closings) {
    const held = await readClosure(store, org, c.stopId);
    if (held?.startedAt === c.startedAt) continue;
    await writeClosure(store, org, { ...c, excused: [] });
    changed = true;
  }
  return changed;
}

/** What the server last heard from each device (its status reports). */
export async function heardReports(
  store: SyncStore,
  org: string,
): Promise<Map<string, HeardReport & Record<string, unknown>>> {
  const prefix = deviceKey(org, '');
  return new Map(
    (await store.metaWithPrefix(prefix)).map(({ key, value }) => [
      key.slice(prefix.length),
      JSON.parse(value) as HeardReport & Record<string, unknown>,
    ]),
  );
}

/** The organisation's enrolled devices, named as people say them (name and room). */
export async function truckDevices(ctx: ServerContext, org: string): Promise<TruckDevice[]> {
  const rooms = new Map(
    (await ctx.store.rows(org, 'room')).map((r) => [String(r.id), String(r.name)]),
  );
  const revoked = new Set(
    (await ctx.store.rows(org, 'device'))
      .filter((d) => d.revoked === true)
      .map((d) => String(d.id)),
  );
  return (await ctx.accounts.credentials(org)).map((c) => ({
    deviceId: c.deviceId,
    name: deviceLabel(c.name, c.roomId ? rooms.get(c.roomId) : null),
    profile: c.profile,
    roomId: c.roomId,
    enrolledAt: c.enrolledAt,
    revoked: revoked.has(c.deviceId),
  }));
}

/** Central's judgement of the truck's coverage of a stop's day. */
export async function coverageOf(
  ctx: ServerContext,
  org: string,
  stopId: string,
  date: string,
): Promise<Coverage> {
  const states = await ctx.store.rowStates(org);
  const digests = new Map<string, string>();
  const required = devicesToCover(await truckDevices(ctx, org), dayWindow(date));
  // A room device's view is cut by who reads on it (src/server/reading.ts).
  const viewers = new Map<string, Viewer>();
  for (const d of required) {
    viewers.set(d.deviceId, await readingViewer(ctx, org, d));
  }
  return coverageVerdict({
    closure: await readClosure(ctx.store, org, stopId),
    required,
    reports: await heardReports(ctx.store, org),
    centralDigest: (d, hz) => {
      const viewer: Viewer = viewers.get(d.deviceId) ?? { profile: d.profile, roomId: d.roomId };
      // At the horizon the device's report names (decision 0027): the comparable form there.
      const view =
        viewer.profile === 'room'
          ? `${viewer.profile}:${viewer.roomId}:${d.deviceId}`
          : `${viewer.profile}:${viewer.roomId}`;
      const key = hz ? `${view}@${hz}` : view;
      let digest = digests.get(key);
      if (digest === undefined) {
        const visible = visibleStates(viewer, states, entitySpec);
        digest = dayProof(visible, stopId, entitySpec, hz).digest;
        digests.set(key, digest);
      }
      return digest;
    },
  });
}

export const closureRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, fail, allowOnly, relay, pokes } = ctx;

  /** On a relay: central decides; its answer is kept here too. */
  async function throughCentral(path: string, body: unknown) {
    const answer = await relay!.forward(path, body);
    if (answer.status === 200) {
      const record = (answer.body as { closure: ClosureRecord }).closure;
      await writeClosure(store, (body as { org: string }).org, record);
    }
    return answer;
  }

  async function stopOf(org: string, stopId: string) {
    return (await store.rowsByIds(org, 'stop', [stopId]))[0];
  }

  /**
   * A closure act of the coordination (begin, excuse): the same checks on central and on a
   * relay, which passes a request of a coordination device it authenticated to central and keeps
   * central's answer; on central, `act` decides.
   */
  function closureAct<T extends { org: string; stopId: string }>(
    path: string,
    schema: z.ZodType<T>,
    messages: { invalid: string; unreachable: string },
    act: (request: T, reply: FastifyReply) => Promise<unknown>,
  ) {
    app.post(path, async (req, reply) => {
      if (!allowOnly(req, reply, relay ? ['coordination'] : ['coordination', 'relay'])) {
        return reply;
      }
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) return fail(reply, 400, 'invalid_request', messages.invalid);
      if (parsed.data.org !== req.device!.org) {
        return fail(reply, 403, 'wrong_org', 'Cette escale appartient à une autre organisation.');
      }
      if (!relay) return act(parsed.data, reply);
      try {
        const answer = await throughCentral(path, parsed.data);
        return reply.code(answer.status).send(answer.body);
      } catch {
        return fail(reply, 503, 'central_unreachable', messages.unreachable);
      }
    });
  }

  closureAct(
    '/api/closure/begin',
    closureBeginSchema,
    {
      invalid: 'Demande invalide : org et stopId attendus.',
      unreachable:
        'Le serveur central est injoignable : la clôture commencera quand le camion aura du réseau.',
    },
    async ({ org, stopId }, reply) => {
      if (!(await stopOf(org, stopId))) {
        return fail(reply, 404, 'unknown_stop', 'Escale inconnue de ce serveur.');
      }
      // Beginning twice keeps the first start: reports already sent for it still count.
      const held = await readClosure(store, org, stopId);
      const closure = held ?? { stopId, startedAt: ctx.now(), excused: [] };
      if (!held) {
        await writeClosure(store, org, closure);
        // Devices listening are told to sync now: their next report carries the day digest.
        const seq = await store.lastSeq(org);
        if (ctx.fanout) await ctx.fanout.publish(org, seq);
        else pokes.poke(org, seq);
      }
      return { closure };
    },
  );

  closureAct(
    '/api/closure/excuse',
    closureExcuseSchema,
    {
      invalid: 'Excuse invalide : l’appareil et un motif (3 caractères au moins) sont attendus.',
      unreachable: 'Le serveur central est injoignable : l’excuse attendra le réseau.',
    },
    async ({ org, stopId, deviceId, reason }, reply) => {
      const held = await readClosure(store, org, stopId);
      if (!held) {
        return fail(
          reply,
          409,
          'closure_not_begun',
          'La clôture de cette escale n’a pas commencé : commencez-la avant d’excuser un appareil.',
        );
      }
      if (!(await ctx.accounts.credentials(org)).some((c) => c.deviceId === deviceId)) {
        return fail(reply, 404, 'unknown_device', 'Cet appareil n’est pas enrôlé ici.');
      }
      const closure: ClosureRecord = {
        ...held,
        excused: [
          ...held.excused.filter((x) => x.deviceId !== deviceId),
          { deviceId, reason, at: ctx.now() },
        ],
      };
      await writeClosure(store, org, closure);
      return { closure };
    },
  );

  // A relay passes on the reports its devices sent it; the newer report of a device wins (a
  // device may reach central directly too).
  app.post('/api/relay/reports', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const parsed = relayReportsSchema.safeParse(req.body);
    if (!parsed.success || parsed.data.org !== req.device!.org) {
      return fail(reply, 400, 'invalid_request', 'Rapports d’appareils invalides.');
    }
    const { org, reports } = parsed.data;
    const enrolled = new Set((await ctx.accounts.credentials(org)).map((c) => c.deviceId));
    const held = await heardReports(store, org);
    let kept = 0;
    for (const { deviceId, report } of reports) {
      if (!enrolled.has(deviceId)) continue;
      // The device's position through the relay (decision 0027): recorded only once central
      // holds the ops it covers, whatever the report's age.
      if (report.sent) await recordPosition(store, org, deviceId, report.sent);
      const prev = held.get(deviceId);
      if (prev && prev.lastSyncAt >= report.lastSyncAt) continue;
      await store.setMeta(deviceKey(org, deviceId), JSON.stringify({ ...report, via: 'relay' }));
      kept++;
    }
    return { kept };
  });
};
