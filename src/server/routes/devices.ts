// The coordination's view of its devices.
import type { DeviceIncident, DeviceSeen, EnrolledDevice } from '../../sync/protocol';
import type { ServerPlugin } from '../context';
import { deviceKey, incidentKey } from './sync';

export const deviceRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, allowOnly } = ctx;
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
};
