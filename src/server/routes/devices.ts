// The coordination's view of its devices, and its explicit act of moving one.
import { z } from 'zod';
import { deviceProfileSchema } from '../../domain/entities';
import { nameSchema } from '../../sync/op';
import type {
  DeviceIncident,
  DeviceSeen,
  EnrolledDevice,
  QuarantinedView,
} from '../../sync/protocol';
import { recordServerAudit } from '../audit';
import type { ServerPlugin } from '../context';
import { deviceKey, incidentKey } from './sync';

const reassignSchema = z
  .object({
    deviceId: nameSchema,
    profile: deviceProfileSchema,
    roomId: nameSchema.nullable().optional(),
    /** From a relay: the coordination device that asked it (the act is recorded as its). */
    by: nameSchema.optional(),
  })
  .refine((r) => r.profile !== 'room' || !!r.roomId, {
    message: 'Un appareil de salle doit être rattaché à une salle.',
    path: ['roomId'],
  });

const PROFILE_NAME: Record<string, string> = {
  reception: 'accueil',
  room: 'salle',
  coordination: 'coordination',
  display: 'écran d’affichage',
  relay: 'relais',
};

export const deviceRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, allowOnly, fail, relay, forwardToCentral, pokes } = ctx;
  // The devices this server has heard from: last sync, pending ops, version, last error.
  app.get('/api/devices', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination'])) return reply;
    const org = req.device!.org;
    const held = new Map((await store.devices(org)).map((d) => [d.dev, d.seq]));
    const prefix = deviceKey(org, '');
    const devices: DeviceSeen[] = [];
    for (const { key, value } of await store.metaWithPrefix(prefix)) {
      const deviceId = key.slice(prefix.length);
      devices.push({ deviceId, ...JSON.parse(value), accepted: held.get(deviceId) ?? 0 });
    }
    const revoked = new Set(
      (await store.rows(org, 'device')).filter((d) => d.revoked === true).map((d) => String(d.id)),
    );
    const enrolled: EnrolledDevice[] = (await accounts.credentials(org)).map((c) => ({
      deviceId: c.deviceId,
      name: c.name,
      profile: c.profile,
      roomId: c.roomId,
      enrolledAt: c.enrolledAt,
      revoked: revoked.has(c.deviceId),
      ...(c.services ? { services: c.services } : {}),
    }));
    // Ops a device declared durable that this server lacks (docs/protocol.md, Gap recovery):
    // resolved once every one of them arrived (a relay still held them).
    const gaps = new Map((await store.gaps(org)).map((g) => [g.dev, g]));
    const incidents: DeviceIncident[] = [];
    const incidentPrefix = incidentKey(org, '');
    for (const { key, value } of await store.metaWithPrefix(incidentPrefix)) {
      const deviceId = key.slice(incidentPrefix.length).split(':')[0]!;
      const recorded = JSON.parse(value) as { from: number; to: number; at: number };
      const gap = gaps.get(deviceId);
      incidents.push({
        deviceId,
        ...recorded,
        resolved: !gap || gap.from > recorded.to || gap.to < recorded.from,
      });
    }
    return { org, devices, enrolled, incidents };
  });

  // Ops this server refused and set apart (docs/protocol.md, Quarantine): the coordination sees
  // which device wrote what and why; they never block the device's other ops.
  app.get('/api/quarantine', async (req, reply) => {
    if (!allowOnly(req, reply, ['coordination'])) return reply;
    const org = req.device!.org;
    const names = new Map((await accounts.credentials(org)).map((c) => [c.deviceId, c.name]));
    const ops = (await store.quarantined(org)).map(
      (q): QuarantinedView => ({
        dev: q.dev,
        seq: q.seq,
        deviceName: names.get(q.dev) ?? null,
        entity: String(q.op.e),
        field: String(q.op.f),
        error: q.code,
        reason: q.reason,
        via: q.via,
        at: q.at,
      }),
    );
    return { org, ops };
  });

  // Moving an enrolled device to another profile or room (docs/protocol.md): never by a new
  // enrolment, always this explicit, audited act of the coordination. Central holds the
  // credentials; a relay passes the request on and brings the changed credential home.
  // Moving a device is the coordination's explicit act, recorded in the audit log under the
  // coordination device that asked — through a relay too, which names it (`by`) and which central
  // checks is a coordination device of the organisation.
  app.post('/api/devices/assignment', async (req, reply) => {
    if (!allowOnly(req, reply, relay ? ['coordination'] : ['coordination', 'relay'])) return reply;
    const parsed = reassignSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        parsed.error.issues[0]?.message ?? 'Appareil, rôle et salle attendus.',
      );
    }
    if (relay) {
      const answered = await forwardToCentral(reply, '/api/devices/assignment', {
        ...parsed.data,
        by: req.device!.deviceId,
      });
      await relay.refreshCredentials();
      return answered;
    }
    const device = req.device!;
    const asker =
      device.profile === 'relay'
        ? parsed.data.by
          ? await accounts.credential(parsed.data.by)
          : null
        : device;
    if (!asker || asker.org !== device.org || asker.profile !== 'coordination') {
      return fail(
        reply,
        403,
        'forbidden',
        'Seul un poste de coordination de cette organisation peut changer le rôle d’un appareil.',
      );
    }
    const { deviceId, profile } = parsed.data;
    const roomId = profile === 'room' ? (parsed.data.roomId ?? null) : null;
    const room = roomId ? (await store.rowsByIds(device.org, 'room', [roomId]))[0] : undefined;
    if (roomId && !room) {
      return fail(reply, 400, 'unknown_room', 'Salle inconnue dans cette organisation.');
    }
    const held = await accounts.credential(deviceId);
    if (!held || held.org !== device.org) {
      return fail(reply, 404, 'unknown_device', 'Appareil inconnu dans cette organisation.');
    }
    if (held.profile === 'relay') {
      return fail(reply, 400, 'relay_fixed', 'Un relais reste un relais : enrôlez-en un autre.');
    }
    if (held.profile === 'partner') {
      return fail(
        reply,
        400,
        'partner_fixed',
        'Un composant partenaire reste un composant partenaire : retirez-le et enrôlez-en un autre.',
      );
    }
    const moved = await accounts.reassign(device.org, deviceId, { profile, roomId });
    if (!moved) {
      return fail(reply, 404, 'unknown_device', 'Appareil inconnu dans cette organisation.');
    }
    // People read the audit: rooms by their name, never an id.
    const rooms = new Map(
      (
        await store.rowsByIds(
          device.org,
          'room',
          [moved.before.roomId, moved.after.roomId].filter((r): r is string => !!r),
        )
      ).map((r) => [String(r.id), String(r.name)]),
    );
    const where = (c: { profile: string; roomId: string | null }) =>
      `${PROFILE_NAME[c.profile] ?? c.profile}${c.roomId ? ` (${rooms.get(c.roomId) ?? c.roomId})` : ''}`;
    await recordServerAudit(store, device.org, {
      deviceId: asker.deviceId,
      action: 'device.reassign',
      entity: 'device',
      entityId: deviceId,
      detail: `${held.name} : ${where(moved.before)} → ${where(moved.after)}${device.profile === 'relay' ? ', par le relais du camion' : ''}`,
    });
    pokes.poke(device.org, await store.lastSeq(device.org));
    const { hash: _hash, escrow: _escrow, ...shown } = moved.after;
    return shown;
  });
};
