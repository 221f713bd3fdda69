// A device id stays bound to its first credential (issue #20, item 1), over real HTTP on both
// stores and through a relay: a second enrolment with the id of an enrolled device is refused
// (409 device_exists) and changes nothing — before, it replaced the credential, and the new
// holder pushed as that device with its next sequence numbers, so the real device's ops were
// acknowledged as already held and deleted from its outbox. Moving a device to another profile
// or room is the coordination's explicit, audited act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { Accounts } from '../../src/server/auth';
import { rowsToOps } from '../../src/server/seed/ops';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

async function post(server: TestServer, path: string, body: unknown, headers = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const sync = (server: TestServer, who: Enrolled, ops: Op[], since = 0) =>
  post(
    server,
    '/api/sync',
    {
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: who.org,
      deviceId: who.deviceId,
      since,
      ops,
    },
    who.headers,
  );

const code = (server: TestServer, profile: 'room' | 'reception' = 'reception') =>
  new Accounts(server.store)
    .createCode({ org: ORG, profile, roomId: null, name: 'Intrus', createdBy: null })
    .then((c) => c.code);

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a device id is bound to its first credential (${kind})`, () => {
    let central: TestServer;
    let relay: TestServer;
    let link: Link;

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await central.store.push(
        ORG,
        rowsToOps(ORG, 'seed', {
          room: [{ id: 'box-1', orgId: ORG, name: 'Box 1', kind: 'gp_box' } as never],
        }),
      );
      link = await startLink(central.url);
      relay = await startTestServer({
        store: 'sqlite',
        upstream: link.url,
        relayCredential: await relayCredential(central),
      });
    });
    afterAll(async () => {
      await relay.close();
      await link.close();
      await central.close();
    });

    it('refuses to enrol an enrolled id again; the device keeps its credential and its work', async () => {
      const real = await enrol(central, 'tablet-a', { profile: 'coordination' });
      const device = new TestDevice('tablet-a');
      expect((await sync(central, real, device.batch(3, 'own'))).status).toBe(200);

      const stolen = await code(central);
      const takeover = await post(central, '/api/enrol', { code: stolen, deviceId: 'tablet-a' });
      expect(takeover.status).toBe(409);
      expect(takeover.body.error).toBe('device_exists');
      expect(takeover.body.message).toMatch(/déjà enrôlé/);
      expect(takeover.body).not.toHaveProperty('token');

      // Nothing changed: the real device still syncs, its next ops are its own.
      const next = await sync(central, real, device.batch(2, 'own'));
      expect(next.status).toBe(200);
      expect(next.body.accepted).toBe(5);
      // The code was not spent on the refusal: it enrols a device with a fresh id.
      const fresh = await post(central, '/api/enrol', { code: stolen, deviceId: 'tablet-b' });
      expect(fresh.status).toBe(200);
    });

    it('refuses it through a relay too', async () => {
      await enrol(central, 'laptop-r', { profile: 'reception' });
      const again = await post(relay, '/api/enrol', {
        code: await code(central),
        deviceId: 'laptop-r',
      });
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('device_exists');
    });

    it('moves a device to another profile or room only at the coordination’s request, audited', async () => {
      const coordination = await enrol(central, 'coord-a', { profile: 'coordination' });
      const reception = await enrol(central, 'tablet-c', { profile: 'reception' });
      const move = { deviceId: 'tablet-c', profile: 'room', roomId: 'box-1' };
      const refused = await post(central, '/api/devices/assignment', move, reception.headers);
      expect(refused.status).toBe(403);
      expect(
        (
          await post(
            central,
            '/api/devices/assignment',
            { ...move, roomId: 'nowhere' },
            coordination.headers,
          )
        ).status,
      ).toBe(400);
      const moved = await post(central, '/api/devices/assignment', move, coordination.headers);
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ deviceId: 'tablet-c', profile: 'room', roomId: 'box-1' });
      expect(JSON.stringify(moved.body)).not.toMatch(/hash|escrow/);
      // Same token, new profile: the credential the server holds changed.
      const held = await new Accounts(central.store).credential('tablet-c');
      expect(held).toMatchObject({ profile: 'room', roomId: 'box-1' });
      expect((await sync(central, reception, [])).status).toBe(200);
      // The act is in the audit log, replicated like any row.
      const pulled = (await sync(central, coordination, [])).body as unknown as SyncResponse;
      const audit = pulled.ops
        .map((x) => x.op)
        .find(
          (op) => op.e === 'audit' && (op.val as { action?: string }).action === 'device.reassign',
        );
      expect(audit?.val).toMatchObject({
        deviceId: 'coord-a',
        entity: 'device',
        entityId: 'tablet-c',
        detail: 'Test tablet-c : accueil → salle (Box 1)',
      });
      // Through the relay as well: it passes the act to central, naming who asked.
      expect(
        (
          await post(
            relay,
            '/api/devices/assignment',
            { deviceId: 'tablet-c', profile: 'reception' },
            reception.headers,
          )
        ).status,
      ).toBe(403);
      const back = await post(
        relay,
        '/api/devices/assignment',
        { deviceId: 'tablet-c', profile: 'reception' },
        coordination.headers,
      );
      expect(back.status).toBe(200);
      expect(await new Accounts(central.store).credential('tablet-c')).toMatchObject({
        profile: 'reception',
        roomId: null,
      });
      const audits = (await central.store.rows(ORG, 'audit')).filter(
        (a) => a.action === 'device.reassign',
      );
      expect(audits.map((a) => [a.deviceId, a.detail])).toEqual([
        ['coord-a', 'Test tablet-c : accueil → salle (Box 1)'],
        ['coord-a', 'Test tablet-c : salle (Box 1) → accueil, par le relais du camion'],
      ]);
      // A relay's credential alone moves nothing: central wants the coordination device behind it.
      const relayAlone = await relayCredential(central);
      const bare = { authorization: `Bearer ${relayAlone.token}` };
      for (const by of [undefined, 'tablet-c', 'nobody']) {
        const res = await post(
          central,
          '/api/devices/assignment',
          { deviceId: 'tablet-c', profile: 'display', ...(by ? { by } : {}) },
          bare,
        );
        expect(res.status, String(by)).toBe(403);
        expect(res.body.message).toMatch(/poste de coordination/);
      }
      expect(await new Accounts(central.store).credential('tablet-c')).toMatchObject({
        profile: 'reception',
      });
    });

    it('tells a moved device what it is enrolled as now, with each new view, and since when', async () => {
      const coordination = await enrol(central, 'coord-b', { profile: 'coordination' });
      const tablet = await enrol(central, 'tablet-d', { profile: 'reception' });
      const pull = (server: TestServer, view?: string) =>
        post(
          server,
          '/api/sync',
          {
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            org: ORG,
            deviceId: 'tablet-d',
            since: 0,
            ops: [],
            ...(view ? { view } : {}),
          },
          tablet.headers,
        ).then((r) => r.body as unknown as SyncResponse);
      const enrolledAt = (await new Accounts(central.store).credential('tablet-d'))!.enrolledAt;
      const first = await pull(central);
      expect(first.assigned).toEqual({ profile: 'reception', roomId: null, at: enrolledAt });
      // Its view echoed: nothing new to say.
      expect((await pull(central, first.view)).assigned).toBeUndefined();
      const move = { deviceId: 'tablet-d', profile: 'room', roomId: 'box-1' };
      expect(
        (await post(central, '/api/devices/assignment', move, coordination.headers)).status,
      ).toBe(200);
      const moved = await pull(central, first.view);
      expect(moved.view).not.toBe(first.view);
      expect(moved.assigned).toMatchObject({ profile: 'room', roomId: 'box-1' });
      expect(moved.assigned!.at).toBeGreaterThan(enrolledAt);
      // The relay, once it has brought the credentials home, says the same, with the same time.
      await relay.relay!.refreshCredentials();
      expect((await pull(relay)).assigned).toEqual(moved.assigned);
    });
  });
}
