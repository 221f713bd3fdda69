// The sync client's transport (src/device/sync-transport.ts): what each answer of a server
// becomes for the sync loop. The loop's behaviour over a real server is in sync-client.test.ts;
// here each status a server may answer is mapped once, by hand.
import { describe, expect, it } from 'vitest';
import {
  createSyncTransport,
  HttpError,
  NetworkError,
  NotYetKnown,
  Revoked,
  SessionRequired,
  SYNC_MESSAGES,
  UpdateRequired,
} from '../../src/device/sync-transport';
import { decodeOps, isCompact } from '../../src/sync/envelope';
import type { SyncRequest } from '../../src/sync/protocol';

const request: SyncRequest = {
  protocol: 2,
  schema: 1,
  deviceId: 'salle-1',
  org: 'org',
  since: 0,
  ops: [],
};

function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const seen: { headers: Record<string, string>; body: unknown }[] = [];
  const post = createSyncTransport({
    timeoutMs: 1000,
    headers: async () => ({ authorization: 'Bearer t' }),
    fetch: async (_url, init) => {
      seen.push({ headers: init?.headers as Record<string, string>, body: init?.body });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      });
    },
  });
  return { post, seen };
}

describe('the sync transport', () => {
  it('goes compact once a server says protocol 3, and back to the list after a 400', async () => {
    const bodies: string[] = [];
    const statuses = [200, 200, 400, 200];
    const op = {
      v: 1,
      org: 'org',
      dev: 'salle-1',
      seq: 1,
      hlc: '0mwm0nk74:0000:salle-1',
      e: 'room',
      id: 'r1',
      f: 'name',
      k: 'set' as const,
      val: 'Salle 1',
    };
    const post = createSyncTransport({
      timeoutMs: 1000,
      headers: async () => ({}),
      fetch: async (_url, init) => {
        bodies.push(String(init?.body));
        const status = statuses[bodies.length - 1]!;
        return new Response(
          JSON.stringify(
            status === 200
              ? { protocol: 3, accepted: 1, ops: [], lastSeq: 0, hasMore: false, serverTime: 1 }
              : { error: 'invalid_request', message: 'Requête de synchronisation invalide' },
          ),
          { status, headers: { 'content-type': 'application/json' } },
        );
      },
    });
    const send = () => post('http://relais', { ...request, protocol: 3, ops: [op] });
    await send();
    await send();
    await expect(send()).rejects.toBeInstanceOf(HttpError);
    await send();
    const forms = bodies.map((b) => isCompact((JSON.parse(b) as { ops: unknown }).ops));
    // The list first; compact once told; after the refusal, the list again.
    expect(forms).toEqual([false, true, true, false]);
    expect(decodeOps((JSON.parse(bodies[1]!) as { ops: unknown }).ops)).toEqual([op]);
  });

  it('returns a checked answer and sends the authentication headers', async () => {
    const { post, seen } = answering(200, {
      accepted: 0,
      ops: [],
      lastSeq: 0,
      hasMore: false,
      serverTime: 1_795_000_000_000,
    });
    const res = await post('http://relais', request);
    expect(res.lastSeq).toBe(0);
    expect(seen[0]!.headers.authorization).toBe('Bearer t');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('turns each refusal into what the loop acts on', async () => {
    await expect(answering(426, {}).post('http://s', request)).rejects.toBeInstanceOf(
      UpdateRequired,
    );
    await expect(
      answering(403, { error: 'revoked', message: 'Retiré.' }).post('http://s', request),
    ).rejects.toEqual(new Revoked('Retiré.'));
    const session = await answering(403, {
      error: 'session_required',
      message: 'Mme Durand doit se reconnecter.',
      details: { staffId: 'staff-1' },
    })
      .post('http://s', request)
      .catch((e: unknown) => e);
    expect(session).toBeInstanceOf(SessionRequired);
    expect((session as SessionRequired).staffId).toBe('staff-1');
    await expect(
      answering(503, { error: 'relay_unknown_device', message: 'Pas encore connu.' }).post(
        'http://s',
        request,
      ),
    ).rejects.toBeInstanceOf(NotYetKnown);
    const refused = await answering(400, { error: 'invalid_op', message: 'Champ inconnu.' })
      .post('http://s', request)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(400);
    expect((refused as HttpError).message).toBe(
      'Le serveur a refusé la synchronisation (HTTP 400) : Champ inconnu.',
    );
  });

  it('calls an answer outside the protocol unreadable, and an unreachable server a network error', async () => {
    await expect(
      answering(200, { accepted: 'beaucoup' }).post('http://s', request),
    ).rejects.toEqual(new HttpError(200, SYNC_MESSAGES.badResponse));
    await expect(answering(200, 'pas du JSON').post('http://s', request)).rejects.toEqual(
      new HttpError(200, SYNC_MESSAGES.badResponse),
    );
    const post = createSyncTransport({
      timeoutMs: 1000,
      headers: async () => ({}),
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(post('http://s', request)).rejects.toBeInstanceOf(NetworkError);
  });
});
