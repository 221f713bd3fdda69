// The coordinating doctor's screen (docs/design.md §2, issue 6): today's indicators and pictures, the
// closure checklist with its bulk ends, the sync receipt (granted only on matching digests),
// conflicts settled side by side, devices, planning and exports.

import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinOrganisation, setDeviceReporter } from '../../src/device/connection';
import type { EscaleDb } from '../../src/device/db';
import { setPin } from '../../src/device/pin';
import { applyRemote, writeChanges } from '../../src/device/write';
import type { Coverage, DeviceCoverage } from '../../src/domain/closure';
import { bookedNotYetDue } from '../../src/domain/closure';
import { Accounts } from '../../src/server/auth';
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { useUiStore } from '../../src/ui/state/ui-store';
import { startTestServer, type TestServer } from '../support/server';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay, TEST_DEVICE_ID } from './support';

// The server reads its version from package.json through Node's URL, which jsdom replaces.
vi.mock('../../src/server/version', () => ({ APP_VERSION: '0.1.0' }));

/** « Terminer pour tous », confirmed in its dialog. */
async function endAll(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Terminer pour tous' }));
  const dialog = await screen.findByRole('alertdialog');
  await user.click(within(dialog).getByRole('button', { name: 'Oui, terminer pour tous' }));
}

/** « Marquer absents », confirmed in its dialog. */
async function markAbsent(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'Marquer absents' }));
  const dialog = await screen.findByRole('alertdialog');
  await user.click(within(dialog).getByRole('button', { name: 'Oui, marquer absents' }));
}

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;

interface FakeServer {
  devices?: unknown[];
  /** Enrolled devices the server lists beside those it has heard from. */
  enrolled?: unknown[];
  /** Ops the server set apart (GET /api/quarantine). */
  quarantined?: unknown[];
  /** Answers of POST /api/enrolments and /api/passwords (default: success). */
  enrolment?: Response;
  password?: Response;
  /** JSON bodies received, by path. */
  bodies?: Record<string, unknown[]>;
  requests: string[];
  /** Central's judgement of the truck's devices (default: the closure begun, all covered). */
  coverage?: Coverage;
}

/** A fake server at https://central.test: sync acknowledges every pushed op; the other answers
 * are written here by hand. */
function stubServer(server: FakeServer) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      server.requests.push(url.replace('https://central.test', ''));
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      if (url.includes('/api/sync')) {
        const body = JSON.parse(String(init?.body)) as { ops: { seq: number }[]; since: number };
        const accepted = Math.max(0, ...body.ops.map((o) => o.seq));
        return json({
          accepted,
          ops: [],
          lastSeq: body.since,
          hasMore: false,
          serverTime: Date.now(),
        });
      }
      if (init?.body && server.bodies) {
        const path = new URL(url).pathname;
        server.bodies[path] = [...(server.bodies[path] ?? []), JSON.parse(String(init.body))];
      }
      if (url.includes('/api/quarantine')) {
        return json({ org: 'x', ops: server.quarantined ?? [] });
      }
      if (url.includes('/api/devices')) {
        return json({ org: 'x', devices: server.devices ?? [], enrolled: server.enrolled ?? [] });
      }
      if (url.includes('/api/enrolments')) {
        return (
          server.enrolment ??
          json({ code: 'K7M2Q9XD', expiresAt: Date.parse(NOW) + 15 * 60_000 }, 201)
        );
      }
      if (url.includes('/api/passwords')) {
        return server.password ?? new Response(null, { status: 204 });
      }
      if (url.includes('/api/receipt')) {
        // Only the coverage is read from it here: the proof of the day is a real server's
        // (realCentral).
        return json({
          stopId: demo.day.stop!.id,
          digest: '0'.repeat(64),
          rows: [],
          devices: [],
          coverage: server.coverage ?? { ok: true, startedAt: Date.parse(NOW), devices: [] },
        });
      }
      if (url.includes('/api/closure/')) {
        return json({
          closure: { stopId: demo.day.stop!.id, startedAt: Date.parse(NOW), excused: [] },
        });
      }
      return json({ message: 'inconnu' }, 404);
    }),
  );
}

/** Real servers started by a test, closed after it. */
const centrals: TestServer[] = [];

/**
 * A real central server (SQLite on loopback) holding the demo day as this device pulled it, the
 * device enrolled there as « Portable coordination », Hélène Morvan signed in on it (her session
 * at the server, her PIN here: see `unlock`), the closure of the day begun: central
 * judges the day's proof and the coverage itself. `answer` may stand in for it on some requests.
 */
async function realCentral(
  answer: (
    path: string,
    central: () => Promise<Response>,
    init?: RequestInit,
  ) => Promise<Response | null> = async () => null,
): Promise<{ central: TestServer; requests: string[]; answered: string[] }> {
  const central = await startTestServer({ store: 'sqlite' });
  centrals.push(central);
  const org = demo.day.stop!.orgId;
  await central.store.push(org, demo.ops);
  const name = 'Portable coordination';
  const { code } = await new Accounts(central.store).createCode({
    org,
    profile: 'coordination',
    roomId: null,
    name,
    createdBy: null,
  });
  const enrolled = await fetch(`${central.url}/api/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceId: TEST_DEVICE_ID }),
  });
  const { token } = (await enrolled.json()) as { token: string };
  const morvan = staffId('Morvan');
  const device = { org, deviceId: TEST_DEVICE_ID, enrolledAt: Date.parse(NOW) };
  await central.accounts.openSession(device, morvan, false);
  await setPin(db, morvan, '2580', 1000);
  useUiStore.setState({ staffId: morvan });
  // As the page does at start (src/main.tsx): each sync reports the device, and its day once
  // the closure began.
  setDeviceReporter(() => ({ appVersion: '0.1.0', profile: 'coordination' }));
  await joinOrganisation(db, {
    org,
    servers: [central.url],
    credential: { token, profile: 'coordination', roomId: null, name, orgName: org },
  });
  const begun = await fetch(`${central.url}/api/closure/begin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ org, stopId: demo.day.stop!.id }),
  });
  expect(begun.status).toBe(200);
  const requests: string[] = [];
  /** The digests of the proofs central gave. */
  const answered: string[] = [];
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).replace(central.url, '');
    requests.push(path);
    const res =
      (await answer(path, () => realFetch(input, init), init)) ?? (await realFetch(input, init));
    if (path === '/api/receipt' && res.ok) {
      answered.push(((await res.clone().json()) as { digest: string }).digest);
    }
    return res;
  });
  return { central, requests, answered };
}

/** Hélène Morvan unlocks the device of `realCentral` with her PIN (it opens locked). */
async function unlock(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('Code personnel'), '2580');
  await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
}

// The closure's flows sync, digest the day and write before answering: on a loaded CI machine
// that takes more than the default second.
configure({ asyncUtilTimeout: 10_000 });

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  useUiStore.setState({ staffId: null });
  setDeviceReporter(undefined);
  for (const central of centrals.splice(0)) await central.close();
});

describe('the live overview', () => {
  it('shows today’s indicators and the day in pictures with their data', async () => {
    renderAt('/coordination', db);
    const kpis = await screen.findByRole('region', { name: 'Indicateurs du jour' });
    expect(within(kpis).getByText('Patients vus ou attendus').nextSibling).toHaveTextContent(/\d+/);
    expect(await screen.findByText('Occupation des salles dans la journée')).toBeInTheDocument();
    // The dentist's consultation started at 09:42 and is still going.
    expect(await screen.findByText(/Consultation DE-001/)).toBeInTheDocument();
    expect(screen.getByText('Répartition des temps d’attente')).toBeInTheDocument();
  });
});

describe('the live overview from stale data', () => {
  it('does not show a room free from a silent room device without saying so', async () => {
    const rooms = demo.day.rooms;
    stubServer({
      requests: [],
      devices: rooms.map((r) => ({
        deviceId: `salle-${r.id}`,
        pending: 0,
        appVersion: '0.1.0',
        profile: 'room',
        lastError: null,
        lastSyncAt: Date.parse(NOW) - 48 * 60_000,
        accepted: 10,
      })),
      enrolled: rooms.map((r) => ({
        deviceId: `salle-${r.id}`,
        name: 'Portable',
        profile: 'room',
        roomId: r.id,
        enrolledAt: Date.parse(NOW) - 86_400_000,
        revoked: false,
      })),
    });
    renderAt('/coordination', db);
    const table = (
      await screen.findByRole('region', { name: 'Les salles en ce moment' })
    ).querySelector('table')!;
    await waitFor(() =>
      expect(table).toHaveTextContent(
        /libre selon les données de la salle au dernier contact de Portable \(.+\), à 09:12/,
      ),
    );
    for (const cell of within(table).getAllByRole('cell'))
      expect(cell.textContent).not.toBe('libre');
  });
});

describe('the closure of the day', () => {
  it('lists what is left and keeps the receipt back while patients still wait', async () => {
    stubServer({ requests: [] });
    renderAt('/coordination/cloture', db);
    const open = await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    expect(within(open).getByText(/MG-004/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Synchroniser et demander le reçu' })).toBeDisabled();
    expect(screen.getByRole('region', { name: /^Rendez-vous non honorés/ })).toBeInTheDocument();
  });

  it('links each provisional identity of the day to its qualification', async () => {
    stubServer({ requests: [] });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    const section = await screen.findByRole('region', {
      name: /^Identités provisoires à qualifier/,
    });
    const links = within(section).getAllByRole('link', { name: /^Qualifier l’identité de / });
    expect(links.length).toBeGreaterThan(0);
    await user.click(links[0]!);
    expect(await screen.findByRole('form', { name: 'Qualifier l’identité' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Identité actuelle' })).toHaveTextContent(
      'provisoire',
    );
  });

  it('ends the remaining queue in bulk, audited: a patient still in a room is finished', async () => {
    stubServer({ requests: [] });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await endAll(user);
    expect(await screen.findByText('5 passages terminés.')).toBeInTheDocument();
    const entries = await db.rows('queueEntry').where('stopId').equals(demo.day.stop!.id).toArray();
    const byTicket = new Map(entries.map((e) => [e.ticket, e.status.status]));
    expect(byTicket.get('MG-002')).toBe('left');
    expect(byTicket.get('DE-001')).toBe('done');
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('closure.end_queue');
    expect(
      await screen.findByRole('region', { name: /^Patients encore dans la file \(0\)/ }),
    ).toBeInTheDocument();
  });

  it('asks before ending everyone’s day or marking appointments absent, naming those not yet due', async () => {
    stubServer({ requests: [] });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await user.click(screen.getByRole('button', { name: 'Terminer pour tous' }));
    const ending = await screen.findByRole('alertdialog', {
      name: 'Terminer le passage des 5 patients encore dans la file ?',
    });
    expect(ending).toHaveTextContent('partis sans être vus');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(
      screen.getByRole('region', { name: /^Patients encore dans la file \(5\)/ }),
    ).toBeVisible();
    // Booked appointments later than now (10:00) are named in the dialog before anything is done.
    const due = bookedNotYetDue(demo.day.appointments, demo.day.stop!, NOW);
    expect(due.length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Marquer absents' }));
    const absent = await screen.findByRole('alertdialog', { name: /^Marquer absents? / });
    expect(absent).toHaveTextContent(`Attention : ${due.length} de ces rendez-vous`);
    expect(absent).toHaveTextContent(due[0]!.time);
    await user.click(within(absent).getByRole('button', { name: 'Annuler' }));
    const stillBooked = (await db.rows('appointment').toArray()).filter(
      (a) => a.status === 'booked' && a.stopId === demo.day.stop!.id,
    );
    expect(stillBooked.length).toBeGreaterThanOrEqual(due.length);
    await markAbsent(user);
    // Done: said beside the button pressed, which now says why it cannot act again.
    const button = screen.getByRole('button', { name: 'Marquer absents' });
    expect(await screen.findByText(`${stillBooked.length} rendez-vous marqués absents.`)).toBe(
      button.parentElement!.querySelector('[role="status"]'),
    );
    // The button reads the appointments through a live query: it follows the write.
    await waitFor(() => expect(button).toHaveAttribute('aria-disabled', 'true'));
    expect(button).toHaveAccessibleDescription(/^Aucun rendez-vous n’est encore prévu/);
  });

  it('grants the receipt when central holds the same day: recorded, the stop closed', async () => {
    const { requests, answered } = await realCentral();
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await unlock(user);
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await endAll(user);
    await markAbsent(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    await user.click(ask);
    expect(await screen.findByText(/^Reçu obtenu le/)).toBeInTheDocument();
    const [receipt] = await db.rows('syncReceipt').toArray();
    expect(receipt).toMatchObject({
      stopId: demo.day.stop!.id,
      staffId: staffId('Morvan'),
      via: 'central',
    });
    expect(answered).toHaveLength(2); // on opening the page, then for the receipt
    expect(receipt!.digest).toBe(answered[1]);
    expect(receipt!.rows.some((r) => r.e === 'stop' && r.id === demo.day.stop!.id)).toBe(true);
    expect((await db.rows('stop').get(demo.day.stop!.id))?.status).toBe('closed');
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('sync.receipt');
    expect(requests.some((r) => r.startsWith('/api/sync'))).toBe(true);
  });

  it('refuses the receipt when digests differ, or central is out of reach, recording nothing', async () => {
    // A change of the day from Box 2, which reaches central once it gave its proof (below).
    const entry = demo.day.entries[0]!;
    const late: Op = {
      v: 2,
      org: entry.orgId,
      dev: 'box-2',
      seq: 1,
      hlc: encodeHlc(Date.parse(NOW) + 60_000, 0, 'box-2'),
      e: 'queueEntry',
      id: entry.id,
      f: 'endReason',
      k: 'set',
      val: 'Ajouté hors ligne',
    };
    let state: 'opening' | 'late' | 'unreachable' = 'opening';
    const { central } = await realCentral(async (path, answer) => {
      if (path !== '/api/receipt' || state === 'opening') return null;
      if (state === 'unreachable') {
        return Response.json(
          { message: 'Le serveur central est injoignable : réessayez.' },
          { status: 503 },
        );
      }
      // Box 2's change reaches central just after its proof: the device, which syncs once more
      // before comparing, then holds a day central did not prove.
      const proof = await answer();
      await central.store.push(entry.orgId, [late]);
      return proof;
    });
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await unlock(user);
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await endAll(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    state = 'late';
    await user.click(ask);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Reçu refusé : Cet appareil et le serveur central ne détiennent pas la même journée/,
    );
    state = 'unreachable';
    await user.click(ask);
    expect(await screen.findByRole('alert')).toHaveTextContent(/serveur central est injoignable/);
    expect(await db.rows('syncReceipt').count()).toBe(0);
    expect((await db.rows('stop').get(demo.day.stop!.id))?.status).not.toBe('closed');
  });

  it('asks who signs the receipt', async () => {
    stubServer({ requests: [] });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await endAll(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    await user.click(ask);
    expect(await screen.findByRole('alert')).toHaveTextContent(/Indiquez d’abord qui vous êtes/);
  });
});

describe('the closure covers every device of the truck', () => {
  const BOX2_AT = Date.parse(NOW) - 48 * 60_000; // 09:12, 48 minutes before NOW
  const box2 = (over: Partial<DeviceCoverage> = {}): DeviceCoverage => ({
    deviceId: '0190f7a2-box2',
    name: 'Portable Box 2 (Box 2)',
    roomId: 'r2',
    profile: 'room',
    state: 'before_closure',
    lastContactAt: BOX2_AT,
    pending: 123,
    excuse: null,
    ...over,
  });

  async function clearQueue(user: ReturnType<typeof userEvent.setup>) {
    await screen.findByRole('region', { name: /^Patients encore dans la file \(5\)/ });
    await endAll(user);
    await markAbsent(user);
  }

  it('begins the closure from the page; the server’s start is shown', async () => {
    const server: FakeServer = {
      requests: [],
      bodies: {},
      coverage: { ok: false, startedAt: null, devices: [] },
    };
    stubServer(server);
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    expect(await screen.findByText('La clôture n’a pas commencé.')).toBeInTheDocument();
    server.coverage = { ok: true, startedAt: Date.parse(NOW), devices: [] };
    await user.click(screen.getByRole('button', { name: 'Commencer la clôture' }));
    expect(
      await screen.findByText('Clôture commencée à 10:00 (heure du serveur central).'),
    ).toBeInTheDocument();
    expect(server.bodies!['/api/closure/begin']).toEqual([
      { org: expect.any(String), stopId: demo.day.stop!.id },
    ]);
  });

  it('keeps the receipt back while Box 2 is offline, named with its last contact and pending work', async () => {
    const server: FakeServer = {
      requests: [],
      coverage: { ok: false, startedAt: Date.parse(NOW) - 5 * 60_000, devices: [box2()] },
    };
    stubServer(server);
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    const coverage = await screen.findByRole('region', { name: 'Appareils du camion' });
    await waitFor(() =>
      expect(coverage).toHaveTextContent(
        'Portable Box 2 (Box 2) — n’a rien envoyé depuis le début de la clôture — hors ligne depuis 09:12, 123 modification(s) en attente au dernier contact, à 09:12',
      ),
    );
    expect(coverage).not.toHaveTextContent('0190f7a2');
    await clearQueue(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    await user.click(ask);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /Reçu refusé : Appareils qui n’ont pas encore prouvé la journée .*Portable Box 2 \(Box 2\)/,
    );
    expect(await db.rows('syncReceipt').count()).toBe(0);
  });

  it('excuses Box 2 with a reason (audited); the receipt then names it and the devices by name', async () => {
    // Central's proof of the day is real; its judgement of Box 2 and the excuse are given here.
    const server: Pick<FakeServer, 'bodies' | 'coverage'> = {
      bodies: {},
      coverage: { ok: false, startedAt: Date.parse(NOW), devices: [box2()] },
    };
    await realCentral(async (path, answer, init) => {
      if (path === '/api/receipt') {
        const proof = (await (await answer()).json()) as object;
        return Response.json({ ...proof, coverage: server.coverage });
      }
      if (path === '/api/closure/excuse') {
        server.bodies!['/api/closure/excuse'] = [
          ...(server.bodies!['/api/closure/excuse'] ?? []),
          JSON.parse(String(init?.body)),
        ];
        return Response.json({
          closure: { stopId: demo.day.stop!.id, startedAt: Date.parse(NOW), excused: [] },
        });
      }
      return null;
    });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Excuser Portable Box 2 (Box 2)' }));
    await user.click(screen.getByRole('button', { name: 'Confirmer l’excuse' }));
    expect(await screen.findByText('Donnez un motif (3 caractères au moins).')).toBeInTheDocument();
    expect(server.bodies!['/api/closure/excuse']).toBeUndefined();
    server.coverage = {
      ok: true,
      startedAt: Date.parse(NOW),
      devices: [
        box2({
          state: 'excused',
          excuse: { deviceId: '0190f7a2-box2', reason: 'Batterie vide', at: 0 },
        }),
      ],
    };
    await user.type(
      screen.getByLabelText('Motif de l’excuse pour Portable Box 2 (Box 2)'),
      'Batterie vide',
    );
    await user.click(screen.getByRole('button', { name: 'Confirmer l’excuse' }));
    expect(await screen.findByText('Portable Box 2 (Box 2) excusé.')).toBeInTheDocument();
    expect(server.bodies!['/api/closure/excuse']).toEqual([
      expect.objectContaining({ deviceId: '0190f7a2-box2', reason: 'Batterie vide' }),
    ]);
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain(
      'closure.device_excused',
    );
    await clearQueue(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    await user.click(ask);
    const granted = (await screen.findByText(/^Reçu obtenu le/)).closest('div')!;
    // The demo day's ops were written by a device never enrolled at central; central itself
    // wrote the partner tasks of the day's validated notes (docs/integrations.md), named as such.
    expect(granted).toHaveTextContent(
      'Appareils couverts : appareil sans nom (non enrôlé), Serveur central, pour les partenaires, Portable coordination',
    );
    expect(granted).toHaveTextContent(
      'Appareils excusés (ils gardent leurs données jusqu’à un prochain reçu) : Portable Box 2 (Box 2) — Batterie vide',
    );
    expect(granted).not.toHaveTextContent(TEST_DEVICE_ID);
    const [receipt] = await db.rows('syncReceipt').toArray();
    expect(receipt!.excused).toEqual([
      { dev: '0190f7a2-box2', name: 'Portable Box 2 (Box 2)', reason: 'Batterie vide' },
    ]);
  });

  it('reopens the day visibly when a device syncs changes of it after the receipt', async () => {
    await realCentral();
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/cloture', db);
    await unlock(user);
    await clearQueue(user);
    const ask = await screen.findByRole('button', { name: 'Synchroniser et demander le reçu' });
    await waitFor(() => expect(ask).toBeEnabled());
    await user.click(ask);
    expect(await screen.findByText(/^Reçu obtenu le/)).toBeInTheDocument();
    // Box 2 comes back and syncs a change of that day made offline.
    const entry = (await db.rows('queueEntry').where('stopId').equals(demo.day.stop!.id).first())!;
    const late: Op = {
      v: 2,
      org: entry.orgId,
      dev: 'box-2',
      seq: 1,
      hlc: encodeHlc(Date.parse(NOW) + 60_000, 0, 'box-2'),
      e: 'queueEntry',
      id: entry.id,
      f: 'endReason',
      k: 'set',
      val: 'Ajouté hors ligne',
    };
    await applyRemote(db, [{ s: 9_000_000, op: late }], 'checkpoint:test', 9_000_000);
    expect(await screen.findByText(/^Journée rouverte : 1 enregistrement/)).toBeInTheDocument();
    expect(screen.queryByText(/^Reçu obtenu le/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Synchroniser et demander le reçu' })).toBeDisabled();
  });
});

describe('conflicts', () => {
  async function concurrentPlans() {
    const org = demo.day.stop!.orgId;
    const visit = demo.day.visits[0]!;
    const base = {
      v: 2,
      org,
      e: 'consultation',
      id: 'c-conflict',
    };
    const hlc = (ms: number, dev: string) => encodeHlc(ms, 0, dev);
    const t0 = Date.parse(NOW);
    const fields: [string, unknown][] = [
      ['orgId', org],
      ['queueEntryId', demo.entries.waiting1.id],
      ['visitId', visit.id],
      ['patientId', visit.patientId],
      ['stopId', demo.day.stop!.id],
      ['serviceId', demo.serviceId('MG')],
      ['authorId', staffId('Garnier')],
      ['supervisorId', staffId('Morvan')],
      ['motif', 'Toux'],
      ['subjective', ''],
      ['objective', ''],
      ['assessment', ''],
      ['plan', 'Repos'],
      ['orientation', { kind: 'none' }],
      ['confidentiality', 'standard'],
      ['status', 'draft'],
      ['returnComment', null],
      ['createdAt', NOW],
    ];
    const ops: Op[] = fields.map(([f, val], i) => ({
      ...base,
      dev: 'box-1',
      seq: i + 1,
      hlc: hlc(t0 + i, 'box-1'),
      f,
      k: 'set' as const,
      val,
      base: [],
    }));
    const planHead = ops.find((o) => o.f === 'plan')!.hlc;
    // Two laptops edit the plan without seeing each other.
    ops.push(
      {
        ...base,
        dev: 'box-1',
        seq: 100,
        hlc: hlc(t0 + 100, 'box-1'),
        f: 'plan',
        k: 'set',
        val: 'Bilan sanguin',
        base: [planHead],
      },
      {
        ...base,
        dev: 'box-2',
        seq: 1,
        hlc: hlc(t0 + 101, 'box-2'),
        f: 'plan',
        k: 'set',
        val: 'Radio du thorax',
        base: [planHead],
      },
    );
    await applyRemote(
      db,
      ops.map((op, i) => ({ s: 1000 + i, op })),
      'checkpoint:test',
    );
    expect(await db.parked.count()).toBe(0);
  }

  it('shows both versions side by side and keeps the chosen one, recorded', async () => {
    await concurrentPlans();
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/conflits', db);
    expect(await screen.findByText('Bilan sanguin')).toBeInTheDocument();
    expect(screen.getByText('Radio du thorax')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Garder la version 1' }));
    expect(await screen.findByText('Aucun conflit à régler.')).toBeInTheDocument();
    expect((await db.rows('consultation').get('c-conflict'))?.plan).toBe('Bilan sanguin');
    const [resolution] = await db.rows('conflictResolution').toArray();
    expect(resolution).toMatchObject({
      entity: 'consultation',
      rowId: 'c-conflict',
      field: 'plan',
      chosen: 'Bilan sanguin',
    });
    expect(resolution!.versions).toHaveLength(2);
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('conflict.resolved');
  });

  it('merges the two texts when both matter', async () => {
    await concurrentPlans();
    const user = userEvent.setup();
    renderAt('/coordination/conflits', db);
    await user.click(await screen.findByRole('button', { name: 'Fusionner les textes' }));
    const merged = screen.getByLabelText('Texte fusionné');
    expect(merged).toHaveValue('Bilan sanguin\n\nRadio du thorax');
    await user.type(merged, ' (urgent)');
    await user.click(screen.getByRole('button', { name: 'Enregistrer la fusion' }));
    await waitFor(async () =>
      expect((await db.rows('consultation').get('c-conflict'))?.plan).toBe(
        'Bilan sanguin\n\nRadio du thorax (urgent)',
      ),
    );
  });
});

describe('devices', () => {
  it('lists what the server knows of each device', async () => {
    stubServer({
      requests: [],
      devices: [
        {
          deviceId: 'box-1',
          pending: 4,
          appVersion: '0.1.0',
          profile: 'room',
          lastError: null,
          lastSyncAt: Date.parse(NOW),
          accepted: 10,
        },
        {
          deviceId: TEST_DEVICE_ID,
          pending: 0,
          appVersion: '0.1.0',
          profile: 'coordination',
          lastError: 'Hors ligne',
          lastSyncAt: Date.parse(NOW),
          accepted: 3,
        },
      ],
    });
    renderAt('/coordination/appareils', db);
    const row = (await screen.findByRole('rowheader', { name: 'box-1' })).closest('tr')!;
    expect(row).toHaveTextContent('Salle');
    expect(row).toHaveTextContent('4');
    expect(
      screen.getByRole('rowheader', { name: `${TEST_DEVICE_ID} (cet appareil)` }).closest('tr'),
    ).toHaveTextContent('Hors ligne');
  });

  it('shows a silent device as offline since its last contact, its pending work as last known', async () => {
    stubServer({
      requests: [],
      devices: [
        {
          deviceId: 'box-2',
          pending: 123,
          appVersion: '0.1.0',
          profile: 'room',
          lastError: null,
          lastSyncAt: Date.parse(NOW) - 48 * 60_000,
          accepted: 10,
        },
        {
          deviceId: 'box-1',
          pending: 2,
          appVersion: '0.1.0',
          profile: 'room',
          lastError: null,
          lastSyncAt: Date.parse(NOW) - 60_000,
          accepted: 10,
        },
      ],
    });
    renderAt('/coordination/appareils', db);
    const stale = (await screen.findByRole('rowheader', { name: 'box-2' })).closest('tr')!;
    expect(stale).toHaveTextContent('hors ligne depuis 09:12');
    expect(stale).toHaveTextContent('123 modification(s) en attente au dernier contact, à 09:12');
    const live = screen.getByRole('rowheader', { name: 'box-1' }).closest('tr')!;
    expect(live).toHaveTextContent('en ligne (dernier contact à 09:59)');
    expect(live).not.toHaveTextContent('au dernier contact');
  });

  it('names the device and the reason of each op the server set apart, in French', async () => {
    stubServer({
      requests: [],
      enrolled: [
        {
          deviceId: 'laptop-2',
          name: 'Portable Box 2',
          profile: 'room',
          roomId: null,
          enrolledAt: Date.parse(NOW),
          revoked: false,
        },
      ],
      quarantined: [
        {
          dev: 'laptop-2',
          seq: 12,
          deviceName: null,
          entity: 'consultation',
          field: 'plan',
          error: 'forbidden_op',
          reason: 'Note signée : son contenu ne change plus sur le serveur ; ajoutez un addendum.',
          via: 'relay-1',
          at: NOW,
        },
      ],
    });
    renderAt('/coordination/appareils', db);
    const heading = await screen.findByRole('heading', {
      name: 'Modifications refusées par le serveur',
    });
    const item = within(heading.closest('section')!).getByRole('listitem');
    expect(item).toHaveTextContent(
      /une modification de l’appareil « Portable Box 2 » a été refusée par le serveur : Note signée : son contenu ne change plus/,
    );
    expect(item.textContent).not.toMatch(/laptop-2|\d{4}-\d{2}-\d{2}T/);
  });

  it('withdraws a lost device after a confirmation, audited', async () => {
    stubServer({
      requests: [],
      devices: [
        {
          deviceId: 'tablette-perdue',
          pending: 2,
          appVersion: '0.1.0',
          profile: 'reception',
          lastError: null,
          lastSyncAt: Date.parse(NOW),
          accepted: 10,
        },
      ],
    });
    const user = userEvent.setup();
    renderAt('/coordination/appareils', db);
    await user.click(
      await screen.findByRole('button', { name: 'Retirer l’appareil tablette-perdue' }),
    );
    expect(await db.rows('device').count()).toBe(0); // nothing before the confirmation
    await user.click(
      screen.getByRole('button', {
        name: 'Confirmer : retirer tablette-perdue et effacer ses données',
      }),
    );
    expect(await screen.findByText('retiré')).toBeInTheDocument();
    expect(await db.rows('device').get('tablette-perdue')).toMatchObject({
      revoked: true,
      profile: 'reception',
    });
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('device.revoked');
  });

  it('merges the enrolled devices into the list: name, profile and room, enrolment, withdrawal', async () => {
    stubServer({
      requests: [],
      devices: [
        {
          deviceId: 'box-1',
          pending: 0,
          appVersion: '0.1.0',
          profile: 'room',
          lastError: null,
          lastSyncAt: Date.parse(NOW),
          accepted: 10,
        },
      ],
      enrolled: [
        {
          deviceId: 'box-1',
          name: 'Portable Box 1',
          profile: 'room',
          roomId: demo.roomId('Box 1'),
          enrolledAt: Date.parse('2026-11-20T08:00:00Z'),
          revoked: false,
        },
        {
          deviceId: 'tablette-2',
          name: 'Tablette de secours',
          profile: 'reception',
          roomId: null,
          enrolledAt: Date.parse('2026-11-21T08:00:00Z'),
          revoked: true,
        },
      ],
    });
    renderAt('/coordination/appareils', db);
    const box = (await screen.findByRole('rowheader', { name: 'Portable Box 1' })).closest('tr')!;
    expect(box).toHaveTextContent('Salle : Box 1');
    expect(box).toHaveTextContent('20/11/2026');
    expect(
      within(box).getByRole('button', { name: 'Retirer l’appareil Portable Box 1' }),
    ).toBeInTheDocument();
    const spare = screen.getByRole('rowheader', { name: 'Tablette de secours' }).closest('tr')!;
    expect(spare).toHaveTextContent('Accueil');
    expect(spare).toHaveTextContent('jamais');
    expect(spare).toHaveTextContent('retiré');
    expect(within(spare).queryByRole('button')).not.toBeInTheDocument();
  });

  it('creates an enrolment code for a room device and shows it to read aloud', async () => {
    const server: FakeServer = { requests: [], bodies: {} };
    stubServer(server);
    const user = userEvent.setup();
    renderAt('/coordination/appareils', db);
    const form = await screen.findByRole('form', { name: 'Enrôler un appareil' });
    await user.click(within(form).getByRole('button', { name: 'Créer le code d’enrôlement' }));
    expect(await within(form).findByText('Donnez un nom à l’appareil.')).toBeInTheDocument();
    await user.selectOptions(within(form).getByLabelText(/^Profil de l’appareil/), 'room');
    await user.type(within(form).getByLabelText(/^Nom de l’appareil/), 'Portable Box 2');
    await user.click(within(form).getByRole('button', { name: 'Créer le code d’enrôlement' }));
    expect(
      await within(form).findByText('Choisissez la salle de cet appareil.'),
    ).toBeInTheDocument();
    expect(server.bodies!['/api/enrolments']).toBeUndefined();

    await user.selectOptions(within(form).getByLabelText(/^Salle/), demo.roomId('Box 2'));
    await user.click(within(form).getByRole('button', { name: 'Créer le code d’enrôlement' }));
    const code = await screen.findByRole('region', {
      name: 'Code d’enrôlement pour « Portable Box 2 »',
    });
    expect(server.bodies!['/api/enrolments']).toEqual([
      { profile: 'room', roomId: demo.roomId('Box 2'), name: 'Portable Box 2' },
    ]);
    expect(within(code).getByText('K7M2')).toBeInTheDocument();
    expect(within(code).getByText('Q9XD')).toBeInTheDocument();
    expect(code).toHaveTextContent('Valable jusqu’à 10:15');
    expect(code).toHaveTextContent('dans les 15 minutes');
    await user.click(within(code).getByRole('button', { name: 'Enrôler un autre appareil' }));
    expect(screen.getByRole('form', { name: 'Enrôler un appareil' })).toBeInTheDocument();
  });

  it('shows why the server refuses an enrolment code', async () => {
    stubServer({
      requests: [],
      enrolment: new Response(
        JSON.stringify({
          error: 'forbidden',
          message: 'Seul un appareil de la coordination crée des codes.',
        }),
        { status: 403 },
      ),
    });
    const user = userEvent.setup();
    renderAt('/coordination/appareils', db);
    const form = await screen.findByRole('form', { name: 'Enrôler un appareil' });
    await user.type(within(form).getByLabelText(/^Nom de l’appareil/), 'Tablette accueil');
    await user.click(within(form).getByRole('button', { name: 'Créer le code d’enrôlement' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Code non créé : Seul un appareil de la coordination crée des codes.',
    );
  });

  it('says so when no server answers', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('offline'))),
    );
    renderAt('/coordination/appareils', db);
    expect(await screen.findByText(/Aucun serveur joignable/)).toBeInTheDocument();
  });
});

describe('planning', () => {
  it('refuses a stop in the past or without a commune, storing nothing; then adds a valid one', async () => {
    const user = userEvent.setup();
    renderAt('/coordination/planning', db);
    const before = await db.rows('stop').count();
    await user.type(await screen.findByLabelText(/^Date/), '2026-11-01');
    await user.type(screen.getByLabelText(/^Code INSEE/), '721');
    await user.click(screen.getByRole('button', { name: 'Enregistrer l’escale' }));
    expect(
      await screen.findByText('Une nouvelle escale ne peut pas être dans le passé.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Indiquez la commune.')).toBeInTheDocument();
    expect(screen.getByText(/Le code INSEE compte 5 caractères/)).toBeInTheDocument();
    expect(await db.rows('stop').count()).toBe(before);

    await user.clear(screen.getByLabelText(/^Date/));
    await user.type(screen.getByLabelText(/^Date/), '2027-01-12');
    await user.type(screen.getByLabelText(/^Commune/), 'Bonnétable');
    await user.clear(screen.getByLabelText(/^Code INSEE/));
    await user.type(screen.getByLabelText(/^Code INSEE/), '72039');
    await user.click(screen.getByRole('button', { name: 'Enregistrer l’escale' }));
    expect(await screen.findByText('Escale enregistrée.')).toBeInTheDocument();
    const created = (await db.rows('stop').toArray()).find((s) => s.date === '2027-01-12');
    expect(created).toMatchObject({
      communeName: 'Bonnétable',
      communeInsee: '72039',
      status: 'planned',
    });
    expect((await screen.findAllByRole('heading', { name: /Bonnétable/ })).length).toBeGreaterThan(
      0,
    );
  });

  it('shows the stops ahead with the appointments already booked there', async () => {
    renderAt('/coordination/planning', db);
    const next = demo.stops
      .filter((s) => s.date > TODAY)
      .sort((a, b) => (a.date < b.date ? -1 : 1))[0]!;
    const heading = await screen.findByRole('heading', { name: new RegExp(next.communeName) });
    const item = heading.closest('li')!;
    expect(item).toHaveTextContent(/rendez-vous/);
    // Its room roster opens with the roster editor, without the day's sync panel.
    const user = userEvent.setup();
    await user.click(
      within(item as HTMLElement).getByRole('button', { name: 'Planning des salles' }),
    );
    expect(await within(item as HTMLElement).findByRole('table')).toHaveTextContent('Box 1');
    expect(
      within(item as HTMLElement).queryByRole('heading', { name: 'Synchronisation' }),
    ).toBeNull();
  });
});

describe('exports', () => {
  it('downloads the period’s indicators as CSV and refuses a short pseudonymisation key', async () => {
    const blobs: Blob[] = [];
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (b: Blob) => {
          blobs.push(b);
          return 'blob:test';
        },
        revokeObjectURL: () => {},
      }),
    );
    const user = userEvent.setup();
    renderAt('/coordination/indicateurs', db);
    await user.click(await screen.findByRole('button', { name: 'Exporter les indicateurs (CSV)' }));
    expect(await screen.findByText(/^Export prêt : escale-indicateurs-/)).toBeInTheDocument();
    const csv = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]!);
    });
    expect(csv).toMatch(/^\uFEFF?Rubrique;Indicateur;Valeur\r\n/);
    // Internal keys are put into words (« queueEntries » is « passages en file »).
    expect(csv).toContain('totaux;passages en file;');
    expect(csv).not.toMatch(/queueEntries|aldNoMtShare|follow_up_truck/);
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('export.indicators');

    await user.type(screen.getByLabelText(/^Clé de pseudonymisation/), 'court');
    await user.click(screen.getByRole('button', { name: 'Exporter le jeu pseudonymisé (CSV)' }));
    expect(await screen.findByText(/au moins 8 caractères/)).toBeInTheDocument();
    expect(blobs).toHaveLength(1);
  });
});

describe('the audit log', () => {
  it('filters the log by action and person', async () => {
    await writeChanges(db, { deviceId: 'box-1', org: demo.day.stop!.orgId }, [
      {
        entity: 'audit',
        id: 'a-old',
        insert: {
          orgId: demo.day.stop!.orgId,
          at: NOW,
          actorId: staffId('Garnier'),
          deviceId: 'box-1',
          action: 'visit.checked_in',
          entity: 'visit',
          entityId: 'v-1',
          detail: null,
        },
      },
    ]);
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/journal', db);
    expect(await screen.findByText('1 événement')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Action'), 'visit.checked_in');
    // Said in French: the action, and the kind of record (this one is not on the device).
    expect(screen.getByRole('cell', { name: 'Arrivée enregistrée' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Venue' })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Personne'), staffId('Morvan'));
    expect(await screen.findByText('0 événement')).toBeInTheDocument();
  });
});

describe('the team and the rooms', () => {
  it('adds an intern only with a supervisor, audited; the new intern can then be chosen in a room', async () => {
    const user = userEvent.setup();
    renderAt('/coordination/equipe', db);
    await user.click(await screen.findByRole('button', { name: 'Ajouter un membre de l’équipe' }));
    const form = screen.getByRole('form', { name: 'Nouveau membre de l’équipe' });
    await user.type(within(form).getByLabelText(/^Prénom/), 'Léa');
    await user.type(within(form).getByLabelText(/^Nom/), 'Martin');
    await user.selectOptions(within(form).getByLabelText(/^Profession/), 'interne');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer' }));
    expect(await within(form).findByText(/choisissez-le/)).toBeInTheDocument();
    expect((await db.rows('staff').toArray()).some((s) => s.lastName === 'Martin')).toBe(false);

    await user.selectOptions(within(form).getByLabelText(/^Superviseur/), staffId('Morvan'));
    await user.click(within(form).getByRole('button', { name: 'Enregistrer' }));
    expect(await screen.findByText('Membre de l’équipe ajouté.')).toBeInTheDocument();
    const lea = (await db.rows('staff').toArray()).find((s) => s.lastName === 'Martin');
    expect(lea).toMatchObject({
      profession: 'interne',
      roles: ['clinicien'],
      supervisorId: staffId('Morvan'),
      active: true,
    });
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('staff.added');
    expect(await screen.findByRole('rowheader', { name: 'Léa Martin' })).toBeInTheDocument();
  });

  it('sets a team member’s password: 8 characters at least, confirmed, then sent', async () => {
    const server: FakeServer = { requests: [], bodies: {} };
    stubServer(server);
    const user = userEvent.setup();
    renderAt('/coordination/equipe', db);
    await user.click(
      await screen.findByRole('button', { name: 'Définir le mot de passe de Inès Benali' }),
    );
    const form = screen.getByRole('form', { name: 'Mot de passe de Inès Benali' });
    const password = within(form).getByLabelText(/^Nouveau mot de passe/);
    const confirm = within(form).getByLabelText(/^Confirmez le mot de passe/);
    await user.type(password, 'court');
    await user.type(confirm, 'court');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer le mot de passe' }));
    expect(
      await within(form).findByText('Le mot de passe compte au moins 8 caractères.'),
    ).toBeInTheDocument();
    await user.clear(password);
    await user.type(password, 'sept lieues');
    await user.clear(confirm);
    await user.type(confirm, 'sept lieue');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer le mot de passe' }));
    expect(
      await within(form).findByText('Les deux mots de passe saisis ne sont pas identiques.'),
    ).toBeInTheDocument();
    expect(server.bodies!['/api/passwords']).toBeUndefined();

    await user.type(confirm, 's');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer le mot de passe' }));
    expect(await screen.findByText('Mot de passe de Inès Benali enregistré.')).toBeInTheDocument();
    expect(server.bodies!['/api/passwords']).toEqual([
      { staffId: staffId('Benali'), password: 'sept lieues' },
    ]);
    expect(screen.queryByRole('form', { name: 'Mot de passe de Inès Benali' })).toBeNull();
  });

  it('shows the server’s refusal of a password', async () => {
    stubServer({
      requests: [],
      password: new Response(
        JSON.stringify({ error: 'weak_password', message: 'Mot de passe trop faible.' }),
        { status: 400 },
      ),
    });
    const user = userEvent.setup();
    renderAt('/coordination/equipe', db);
    await user.click(
      await screen.findByRole('button', { name: 'Définir le mot de passe de Inès Benali' }),
    );
    const form = screen.getByRole('form', { name: 'Mot de passe de Inès Benali' });
    await user.type(within(form).getByLabelText(/^Nouveau mot de passe/), 'sept lieues');
    await user.type(within(form).getByLabelText(/^Confirmez le mot de passe/), 'sept lieues');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer le mot de passe' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Mot de passe non enregistré : Mot de passe trop faible.',
    );
  });

  it('records a doctor’s RPPS number, refusing one whose key is wrong', async () => {
    const user = userEvent.setup();
    renderAt('/coordination/equipe', db);
    await user.click(await screen.findByRole('button', { name: 'Modifier Hélène Morvan' }));
    const form = screen.getByRole('form', { name: 'Modifier Hélène Morvan' });
    const field = within(form).getByLabelText(/^Numéro RPPS/);
    await user.type(field, '10100050075');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer' }));
    expect(await within(form).findByText(/clé de contrôle/)).toBeInTheDocument();
    expect((await db.rows('staff').get(staffId('Morvan')))?.rpps ?? null).toBeNull();
    await user.clear(field);
    await user.type(field, '101 000 500 78');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer' }));
    await waitFor(async () =>
      expect((await db.rows('staff').get(staffId('Morvan')))?.rpps).toBe('10100050078'),
    );
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('staff.changed');
  });

  it('sets someone inactive and renames a room', async () => {
    const user = userEvent.setup();
    renderAt('/coordination/equipe', db);
    await user.click(await screen.findByRole('button', { name: 'Modifier Inès Benali' }));
    await user.click(screen.getByLabelText('Actif (peut travailler sur les appareils)'));
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    await waitFor(async () =>
      expect((await db.rows('staff').get(staffId('Benali')))?.active).toBe(false),
    );

    const box = screen.getByLabelText('Nom de la salle « Box 1 »');
    await user.clear(box);
    await user.click(screen.getAllByRole('button', { name: 'Renommer' })[0]!);
    expect(await screen.findByText('Indiquez le nom de la salle.')).toBeInTheDocument();
    await user.type(box, 'Box 1 (généraliste)');
    await user.click(screen.getAllByRole('button', { name: 'Renommer' })[0]!);
    await waitFor(async () =>
      expect((await db.rows('room').get(demo.roomId('Box 1')))?.name).toBe('Box 1 (généraliste)'),
    );
  });
});
