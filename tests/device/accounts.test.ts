// The device's account calls (issue 8): a person's sign-in, the coordination's enrolment codes
// and passwords, and the closure's server calls — each authenticated by the device's credential,
// tried on the relay first then central (a network failure moves on, an answer is final), with
// the server's French message when it refuses.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AccountError,
  createEnrolmentCode,
  login,
  setStaffPassword,
} from '../../src/device/accounts';
import { fetchDevices, fetchServerProof } from '../../src/device/closure';
import { type Connection, joinOrganisation } from '../../src/device/connection';
import type { EscaleDb } from '../../src/device/db';
import { openTestDb } from './support';

const RELAY = 'https://relais.test';
const CENTRAL = 'https://central.test';
const TOKEN = 'tablette-1.secret';

const connection: Connection = {
  org: 'org-1',
  servers: [RELAY, CENTRAL],
  credential: {
    token: TOKEN,
    profile: 'coordination',
    roomId: null,
    name: 'Portable coordination',
    orgName: 'Médicobus',
  },
};

let db: EscaleDb;

beforeEach(async () => {
  db = openTestDb();
  await joinOrganisation(db, connection);
});

afterEach(() => {
  db.close();
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

type Answer = Response | 'offline';

/** A fake fetch answering by server: `answers[server]` (a Response, or a network failure). */
function fakeFetch(answers: Record<string, () => Answer>) {
  return vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = new URL(String(input));
    const answer = answers[url.origin]?.() ?? 'offline';
    if (answer === 'offline') throw new TypeError('Failed to fetch');
    return answer;
  });
}

function sent(fetchImpl: ReturnType<typeof fakeFetch>, call = 0) {
  const [input, init] = fetchImpl.mock.calls[call]!;
  return {
    url: String(input),
    method: init?.method ?? 'GET',
    headers: new Headers(init?.headers),
    body: init?.body ? JSON.parse(String(init.body)) : undefined,
  };
}

describe('signing in', () => {
  it('sends the person and password to the relay with the device credential, and returns the escrow', async () => {
    const session = { from: 1, issuedAt: 2, expiresAt: 3 };
    const fetchImpl = fakeFetch({
      [RELAY]: () => json({ staffId: 's1', escrow: 'clé-s1', session }),
    });
    await expect(login(db, 's1', 'correct horse', fetchImpl)).resolves.toEqual({
      staffId: 's1',
      escrow: 'clé-s1',
      session,
    });
    const request = sent(fetchImpl);
    expect(request).toMatchObject({
      url: `${RELAY}/api/login`,
      method: 'POST',
      body: { staffId: 's1', password: 'correct horse' },
    });
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(request.headers.get('content-type')).toBe('application/json');
  });

  it('tries central when the relay cannot be reached', async () => {
    const fetchImpl = fakeFetch({
      [RELAY]: () => 'offline',
      [CENTRAL]: () => json({ staffId: 's1', escrow: 'e' }),
    });
    await expect(login(db, 's1', 'pw', fetchImpl)).resolves.toMatchObject({ escrow: 'e' });
    expect(fetchImpl.mock.calls.map(([u]) => String(u))).toEqual([
      `${RELAY}/api/login`,
      `${CENTRAL}/api/login`,
    ]);
  });

  it('takes a refusal as final, with the server’s French message and code', async () => {
    const fetchImpl = fakeFetch({
      [RELAY]: () =>
        json(
          { error: 'bad_password', message: 'Mot de passe incorrect pour cette personne.' },
          401,
        ),
      [CENTRAL]: () => json({ staffId: 's1', escrow: 'e' }),
    });
    const error = await login(db, 's1', 'faux', fetchImpl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountError);
    expect(error).toMatchObject({
      message: 'Mot de passe incorrect pour cette personne.',
      code: 'bad_password',
      status: 401,
    });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('passes on the rate limit’s message, which says when to retry', async () => {
    const fetchImpl = fakeFetch({
      [RELAY]: () =>
        json({ error: 'rate_limited', message: 'Trop d’essais : réessayez après 10:42.' }, 429),
    });
    await expect(login(db, 's1', 'x', fetchImpl)).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'Trop d’essais : réessayez après 10:42.',
    });
  });

  it('says “serveur injoignable” in French when no server answers', async () => {
    const fetchImpl = fakeFetch({});
    await expect(login(db, 's1', 'x', fetchImpl)).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/^Serveur injoignable/),
    });
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('refuses before any request on a device that is not connected', async () => {
    const lonely = openTestDb();
    const fetchImpl = fakeFetch({});
    await expect(login(lonely, 's1', 'x', fetchImpl)).rejects.toMatchObject({
      code: 'not_connected',
    });
    expect(fetchImpl).not.toHaveBeenCalled();
    lonely.close();
  });

  it('gives a readable message when the refusal is not JSON', async () => {
    const fetchImpl = fakeFetch({ [RELAY]: () => new Response('<html>', { status: 502 }) });
    await expect(login(db, 's1', 'x', fetchImpl)).rejects.toMatchObject({
      message: 'Le serveur a répondu 502.',
      status: 502,
    });
  });
});

describe('enrolment codes', () => {
  it('asks for a room device’s code and returns it with its expiry', async () => {
    const expiresAt = Date.parse('2026-11-23T09:15:00Z');
    const fetchImpl = fakeFetch({ [RELAY]: () => json({ code: 'K7M2Q9XD', expiresAt }, 201) });
    await expect(
      createEnrolmentCode(
        db,
        { profile: 'room', roomId: 'box-2', name: ' Portable Box 2 ' },
        fetchImpl,
      ),
    ).resolves.toEqual({ code: 'K7M2Q9XD', expiresAt });
    const request = sent(fetchImpl);
    expect(request).toMatchObject({
      url: `${RELAY}/api/enrolments`,
      method: 'POST',
      body: { profile: 'room', roomId: 'box-2', name: 'Portable Box 2' },
    });
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('sends no room for another profile', async () => {
    const fetchImpl = fakeFetch({ [RELAY]: () => json({ code: 'ABCD2345', expiresAt: 1 }, 201) });
    await createEnrolmentCode(db, { profile: 'relay', roomId: 'box-2', name: 'Relais' }, fetchImpl);
    expect(sent(fetchImpl).body).toEqual({ profile: 'relay', roomId: null, name: 'Relais' });
  });

  it('passes on a refusal (a device that is not the coordination’s)', async () => {
    const fetchImpl = fakeFetch({
      [RELAY]: () =>
        json({ error: 'forbidden', message: 'Réservé aux appareils de la coordination.' }, 403),
    });
    await expect(
      createEnrolmentCode(db, { profile: 'reception', roomId: null, name: 'Tablette' }, fetchImpl),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Réservé aux appareils de la coordination.',
    });
  });
});

describe('passwords', () => {
  it('sets a team member’s password (204) with the device credential', async () => {
    const fetchImpl = fakeFetch({ [RELAY]: () => new Response(null, { status: 204 }) });
    await expect(setStaffPassword(db, 's2', 'long enough', fetchImpl)).resolves.toBeUndefined();
    const request = sent(fetchImpl);
    expect(request).toMatchObject({
      url: `${RELAY}/api/passwords`,
      body: { staffId: 's2', password: 'long enough' },
    });
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('passes on a weak password refusal', async () => {
    const fetchImpl = fakeFetch({
      [RELAY]: () => json({ error: 'weak_password', message: 'Au moins 8 caractères.' }, 400),
    });
    await expect(setStaffPassword(db, 's2', 'court', fetchImpl)).rejects.toMatchObject({
      code: 'weak_password',
      message: 'Au moins 8 caractères.',
    });
  });
});

describe('the closure’s server calls', () => {
  it('asks for the day’s proof with the device credential', async () => {
    const proof = { digest: 'abc', rows: [], devices: [] };
    const fetchImpl = fakeFetch({ [RELAY]: () => 'offline', [CENTRAL]: () => json(proof) });
    const answer = await fetchServerProof(connection, 'stop-1', fetchImpl);
    expect(answer).toMatchObject({ ok: true, via: 'central', server: CENTRAL });
    const request = sent(fetchImpl, 1);
    expect(request.body).toEqual({ org: 'org-1', stopId: 'stop-1' });
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('lists the devices seen and enrolled, with the device credential', async () => {
    const enrolled = [
      {
        deviceId: 'd1',
        name: 'Tablette accueil',
        profile: 'reception',
        roomId: null,
        enrolledAt: 1,
        revoked: false,
      },
    ];
    const fetchImpl = fakeFetch({ [RELAY]: () => json({ org: 'org-1', devices: [], enrolled }) });
    await expect(fetchDevices(connection, fetchImpl)).resolves.toEqual({
      ok: true,
      server: RELAY,
      devices: [],
      enrolled,
      // The fake server lists no quarantined op.
      quarantined: [],
    });
    const request = sent(fetchImpl);
    expect(request.url).toBe(`${RELAY}/api/devices`);
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('says null when no server answers, and the refusal when servers refuse', async () => {
    await expect(fetchDevices(connection, fakeFetch({}))).resolves.toBeNull();
    const refusing = fakeFetch({
      [RELAY]: () => json({ error: 'forbidden', message: 'Réservé à la coordination.' }, 403),
      [CENTRAL]: () => json({ error: 'forbidden', message: 'Réservé à la coordination.' }, 403),
    });
    await expect(fetchDevices(connection, refusing)).resolves.toEqual({
      ok: false,
      message: 'Réservé à la coordination.',
    });
  });
});
