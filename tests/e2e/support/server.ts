// Starts the real Escale server on loopback serving the built PWA (dist/), with an SQLite store
// in a data directory that survives a stop, so a test can cut the server and restart it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app';
import { Accounts } from '../../../src/server/auth';
import { Pokes } from '../../../src/server/live';
import { enrolRelay, Relay } from '../../../src/server/relay';
import { buildDemoDataset } from '../../../src/server/seed/demo';
import { setDemoPasswords } from '../../../src/server/seed/demo-access';
import { rowsToOps } from '../../../src/server/seed/ops';
import { openSqliteStore } from '../../../src/server/store/open';
import type { SyncStore } from '../../../src/server/store/types';

export interface E2EServer {
  url: string;
  port: number;
  store: SyncStore;
  /** The server's clock: codes made for it expire by it. */
  now: () => number;
  /** Ops a test writes into `store` directly reach the devices' live channel only if poked, as
   * the sync route pokes for the ops it stores (else they wait for a device's next poll). */
  storeAndPoke(org: string, ops: Parameters<SyncStore['push']>[1]): Promise<void>;
  stop(): Promise<void>;
}

export function todayInParis(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'escale-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Seeds the demo organisation into the data dir; returns the org id and a room id. Given `now`,
 * the demo as `npm start` seeds it at that moment: today's stop open around it and its waiting
 * room in motion (src/server/seed/demo.ts).
 */
export async function seedDemo(
  dataDir: string,
  now?: string,
): Promise<{
  org: string;
  roomId: string;
  roomName: string;
  /** The second GP box, where the other intern works. */
  room2: { id: string; name: string };
  /** Salle 3: the midwife's in the morning, the social worker's in the afternoon. */
  room3: { id: string; name: string };
  /** A registered patient with no booking today, for a walk-in. */
  walkIn: { birthName: string; firstName: string };
  /** Another patient with no booking today, recorded without a médecin traitant. */
  walkInNoMt: { birthName: string; firstName: string };
  /** The patient booked earliest today in general practice, and their time. */
  bookedMg: { birthName: string; firstName: string; time: string };
}> {
  const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
  try {
    const demo = buildDemoDataset({ today: todayInParis(), ...(now ? { now } : {}) });
    const org = demo.data.organisation[0]!.id;
    await store.push(org, rowsToOps(org, 'seed', demo.data));
    await setDemoPasswords(store, new Accounts(store), org);
    const room = demo.data.room[0]!;
    const booked = new Set(demo.data.appointment.map((a) => a.patientId));
    const walkIn = demo.data.patient.find((p, i) => i > 45 && !booked.has(p.id))!;
    const walkInNoMt = demo.data.patient.find(
      (p, i) => i > 45 && !booked.has(p.id) && p.id !== walkIn.id && p.mtStatus === 'none',
    )!;
    const mg = demo.data.service.find((s) => s.code === 'MG')!;
    const first = demo.data.appointment
      .filter((a) => a.serviceId === mg.id && a.stopId === demo.todayStopId)
      .sort((a, b) => a.time.localeCompare(b.time))[0]!;
    const bookedPatient = demo.data.patient.find((p) => p.id === first.patientId)!;
    const named = (p: { birthName: string; firstNames: string }) => ({
      birthName: p.birthName,
      firstName: p.firstNames.split(' ')[0]!,
    });
    return {
      org,
      roomId: room.id,
      roomName: room.name,
      room2: { id: demo.data.room[1]!.id, name: demo.data.room[1]!.name },
      room3: { id: demo.data.room[2]!.id, name: demo.data.room[2]!.name },
      walkIn: { birthName: walkIn.birthName, firstName: walkIn.firstNames.split(' ')[0]! },
      walkInNoMt: named(walkInNoMt),
      bookedMg: { ...named(bookedPatient), time: first.time },
    };
  } finally {
    await store.close();
  }
}

/** Serves dist/ and the API from the data dir, on `port` (0: any free port). */
export async function startServer(
  dataDir: string,
  port = 0,
  staticDir = resolve('dist'),
  /** The server's clock (codes, sessions, rate limits); the real one by default. */
  now?: () => number,
): Promise<E2EServer> {
  const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
  const pokes = new Pokes();
  let app: FastifyInstance;
  try {
    app = await buildApp({
      store,
      role: 'central',
      staticDir,
      pokes,
      ...(now ? { now } : {}),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = await app.listen({ port, host: '127.0.0.1' });
  return {
    url,
    port: Number(new URL(url).port),
    store,
    now: now ?? Date.now,
    async storeAndPoke(org, ops) {
      await store.push(org, ops);
      pokes.poke(org, await store.lastSeq(org));
    },
    async stop() {
      // Live (SSE) streams never go idle: cut them, or close would wait for the browser.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await store.close();
    },
  };
}

/** A single-use enrolment code of `central` (as the coordination would create one). */
export async function enrolmentCode(
  central: E2EServer,
  org: string,
  profile: 'reception' | 'room' | 'coordination' | 'display' | 'relay',
  roomId: string | null = null,
  name = `E2E ${profile}`,
): Promise<string> {
  const { code } = await new Accounts(central.store, central.now).createCode({
    org,
    profile,
    roomId,
    name,
    createdBy: null,
  });
  return code;
}

/**
 * The truck's relay: the API only (devices loaded the app from central), its own SQLite file,
 * enrolled at central with a relay code, replicating `org` whenever it can reach central.
 */
export async function startRelay(
  dataDir: string,
  central: E2EServer,
  org: string,
): Promise<E2EServer> {
  const credential = await enrolRelay(
    central.url,
    await enrolmentCode(central, org, 'relay'),
    'relay-e2e',
  );
  const store = await openSqliteStore(join(dataDir, 'relay.sqlite'));
  const pokes = new Pokes();
  const accounts = new Accounts(store);
  const relay = new Relay({
    store,
    upstream: central.url,
    relayId: credential.relayId,
    org: credential.org,
    token: credential.token,
    accounts,
    intervalMs: 1000,
    // Scenarios cut central for seconds: a backoff capped at 2 s (production: 5 minutes).
    backoffBaseMs: 250,
    backoffCapMs: 2000,
    onPulled: (o, seq) => pokes.poke(o, seq),
  });
  let app: FastifyInstance;
  try {
    app = await buildApp({
      store,
      accounts,
      role: 'relay',
      pokes,
      onStored: () => void relay.syncNow(),
      relay,
      extraHealth: () => ({ upstream: relay.status }),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  relay.start();
  return {
    url,
    port: Number(new URL(url).port),
    store,
    now: Date.now,
    async storeAndPoke(o, ops) {
      await store.push(o, ops);
      pokes.poke(o, await store.lastSeq(o));
    },
    async stop() {
      await relay.stop();
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await store.close();
    },
  };
}
