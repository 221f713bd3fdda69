// The coordination's view of its devices.
import type { DeviceSeen, EnrolledDevice } from '../../sync/protocol';
import type { ServerPlugin } from '../context';
import { deviceKey } from './sync';

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
    return { org, devices, enrolled };
  });
};
