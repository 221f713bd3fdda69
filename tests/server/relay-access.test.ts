// Accounts through the truck's relay: a device enrolled at the depot and a person with a password
// are recognised on the truck with no coverage; an enrolment through the relay needs central and
// is usable at once; a withdrawal reaches the truck with the relay's next pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { enrol, relayCredential, seedStaff } from '../support/auth';
import { type Link, startLink } from '../support/link';
import { startTestServer, type TestServer } from '../support/server';
import { ORG, TestDevice } from './ops-factory';

let central: TestServer;
let relay: TestServer;
let link: Link;

async function post(target: TestServer, path: string, body: unknown, token?: string) {
  const res = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const syncBody = (deviceId: string, ops: unknown[] = []) => ({
  protocol: PROTOCOL_VERSION,
  schema: SCHEMA_VERSION,
  org: ORG,
  deviceId,
  since: 0,
  ops,
});

describe.each(['sqlite', 'postgres'] as const)(
  'accounts through the relay (%s central)',
  (kind) => {
    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await seedStaff(central.store, ORG, ['nurse-1']);
      link = await startLink(central.url);
      relay = await startTestServer({
        store: 'sqlite',
        upstream: link.url,
        relayCredential: await relayCredential(central, ORG),
        relayIntervalMs: 100,
      });
    });
    afterAll(async () => {
      await relay.close();
      await link.close();
      await central.close();
    });

    it('signs a person in and syncs a depot-enrolled device with central out of reach', async () => {
      const tablet = await enrol(central, 'tab-depot', { org: ORG, profile: 'reception' });
      await central.accounts.setPassword(ORG, 'nurse-1', 'mot-de-passe-1');
      await relay.relay!.refreshCredentials();
      link.cut();
      const sync = await post(relay, '/api/sync', syncBody('tab-depot'), tablet.token);
      expect(sync.status).toBe(200);
      const login = await post(
        relay,
        '/api/login',
        { staffId: 'nurse-1', password: 'mot-de-passe-1' },
        tablet.token,
      );
      expect(login.status).toBe(200);
      const wrong = await post(
        relay,
        '/api/login',
        { staffId: 'nurse-1', password: 'pas-le-bon' },
        tablet.token,
      );
      expect(wrong.status).toBe(401);
      // Enrolment and codes need central.
      const coordination = await enrol(central, 'coord-depot', {
        org: ORG,
        profile: 'coordination',
      });
      await relay.relay!.refreshCredentials(); // fails quietly: no coverage
      const code = await post(
        relay,
        '/api/enrolments',
        { profile: 'reception', name: 'Tablette 2' },
        coordination.token,
      );
      // Not known on the truck yet (enrolled after the cut), and central cannot be asked.
      expect(code.status).toBe(503);
      expect(code.body.error).toBe('relay_unknown_device');
      link.restore();
    });

    it('tells a device enrolled at central just before the cut to wait, not to enrol again', async () => {
      link.cut();
      const late = await enrol(central, 'tab-late', { org: ORG, profile: 'reception' });
      const waiting = await post(relay, '/api/sync', syncBody('tab-late'), late.token);
      expect(waiting.status).toBe(503);
      expect(waiting.body).toMatchObject({
        error: 'relay_unknown_device',
        message:
          'Ce relais ne connaît pas encore cet appareil ; la synchronisation reprendra quand le relais joindra le central.',
      });
      link.restore();
      // Once central can be asked, the relay learns the credential and serves the device.
      expect((await post(relay, '/api/sync', syncBody('tab-late'), late.token)).status).toBe(200);
    });

    it('answers 401 to a credential central itself does not know', async () => {
      const unknown = await post(
        relay,
        '/api/sync',
        syncBody('tab-ghost'),
        'tab-ghost.not-a-secret',
      );
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toBe('unauthenticated');
    });

    it('forwards an enrolment to central and recognises the new device at once', async () => {
      const coordination = await enrol(central, 'coord-truck', {
        org: ORG,
        profile: 'coordination',
      });
      const made = await post(
        relay,
        '/api/enrolments',
        { profile: 'room', roomId: null, name: 'Portable' },
        coordination.token,
      );
      expect(made.status).toBe(400); // a room device needs its room: central's answer, passed on
      const ok = await post(
        relay,
        '/api/enrolments',
        { profile: 'reception', name: 'Tablette 3' },
        coordination.token,
      );
      expect(ok.status).toBe(201);
      const enrolled = await post(relay, '/api/enrol', { code: ok.body.code, deviceId: 'tab-3' });
      expect(enrolled.status).toBe(200);
      const token = String(enrolled.body.token);
      expect((await post(relay, '/api/sync', syncBody('tab-3'), token)).status).toBe(200);
      expect((await post(central, '/api/sync', syncBody('tab-3'), token)).status).toBe(200);
    });

    it('forgets on the truck a credential central forgot', async () => {
      const box = await enrol(central, 'tab-forgotten', { org: ORG, profile: 'reception' });
      expect((await post(relay, '/api/sync', syncBody('tab-forgotten'), box.token)).status).toBe(
        200,
      );
      await central.store.deleteMeta('cred:tab-forgotten');
      await relay.relay!.refreshCredentials();
      expect(await relay.accounts.credential('tab-forgotten')).toBeNull();
      expect((await post(relay, '/api/sync', syncBody('tab-forgotten'), box.token)).status).toBe(
        401,
      );
    });

    it('refuses a device withdrawn at central once the withdrawal reached the truck', async () => {
      const lost = await enrol(central, 'tab-lost', { org: ORG, profile: 'reception' });
      const coordination = await enrol(central, 'coord-withdraw', {
        org: ORG,
        profile: 'coordination',
      });
      expect((await post(relay, '/api/sync', syncBody('tab-lost'), lost.token)).status).toBe(200);
      const coordinator = new TestDevice('coord-withdraw');
      const withdrawal = coordinator.rename('unused', 'x'); // a valid op, then the device row
      const revoked = { ...withdrawal, e: 'device', id: 'tab-lost', f: 'revoked', val: true };
      expect(
        (
          await post(
            central,
            '/api/sync',
            syncBody('coord-withdraw', [revoked]),
            coordination.token,
          )
        ).status,
      ).toBe(200);
      await relay.relay!.syncNow(true);
      const refused = await post(relay, '/api/sync', syncBody('tab-lost'), lost.token);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('revoked');
    });
  },
);
