// The real server program (src/server/main.ts, as `npm run serve` starts it) in its own process,
// so a load generator in the bench process does not share its event loop; enrolment of the
// bench's devices as a real device does it (a code from the server's accounts over its store,
// exchanged at /api/enrol); and the sync round trip as a device sends it, with its credential.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Credential } from '../../src/device/connection';
import type { Audience } from '../../src/domain/access';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { Accounts } from '../../src/server/auth';
import { openStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { sleep, spawnTs } from './lib';

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('port'))));
    });
  });
}

/** Where a server process keeps its data: `escale.sqlite` in dataDir, or a PostgreSQL database. */
export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string;
}

/** Starts main.ts on a data dir (SQLite) or a database (PostgreSQL, with its NOTIFY fan-out). */
export async function startServerProcess(
  config: StoreConfig,
  env: Record<string, string> = {},
  /** Options for node itself (a CPU profile: `--cpu-prof`). */
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawnTs(
    'src/server/main.ts',
    [],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: '0',
      DATA_DIR: config.dataDir,
      ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
      ...env,
    },
    nodeArgs,
  );
  child.stdout?.resume(); // its banner: not ours to print
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // tsx compiles the server at start: over a minute on a loaded 2-core host.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server did not start');
    }
    await sleep(100);
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** A device to enrol: its id, organisation and profile (and room, for a room device). */
export interface DeviceSpec {
  deviceId: string;
  org: string;
  profile: Audience;
  roomId?: string | null;
}

/** An enrolled device: what /api/enrol answered (its token goes with every request). */
export interface Enrolled {
  deviceId: string;
  org: string;
  orgName: string;
  profile: Audience;
  roomId: string | null;
  name: string;
  token: string;
}

/** Enrolment codes for `devices` (in order), created with the server's accounts over `store`. */
export async function createCodes(
  store: SyncStore,
  devices: readonly DeviceSpec[],
): Promise<string[]> {
  const accounts = new Accounts(store);
  const codes: string[] = [];
  for (const d of devices) {
    const { code } = await accounts.createCode(
      {
        org: d.org,
        profile: d.profile,
        roomId: d.roomId ?? null,
        name: `Bench ${d.deviceId}`,
        createdBy: null,
      },
      // Long enough for a slow seed between the codes and the enrolment.
      6 * 60 * 60_000,
    );
    codes.push(code);
  }
  return codes;
}

/** Exchanges a code for the device's credential at `url` (POST /api/enrol, as the app does). */
export async function enrol(url: string, code: string, deviceId: string): Promise<Enrolled> {
  const res = await fetch(`${url}/api/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceId }),
  });
  if (!res.ok) throw new Error(`enrol ${deviceId}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as Omit<Enrolled, 'deviceId'>;
  return {
    deviceId,
    org: body.org,
    orgName: body.orgName,
    profile: body.profile,
    roomId: body.roomId ?? null,
    name: body.name,
    token: body.token,
  };
}

/** The credential as the app keeps it after enrolment (meta `credential`, see enrolDevice). */
export function appCredential(device: Enrolled): Credential {
  if (device.profile === 'relay' || device.profile === 'partner')
    throw new Error(`${device.deviceId}: a ${device.profile} is not a device`);
  return {
    token: device.token,
    profile: device.profile,
    roomId: device.roomId,
    name: device.name,
    orgName: device.orgName,
  };
}

/**
 * Enrols `devices` at a running server process: codes created over the store it uses (the same
 * SQLite file or PostgreSQL database, opened beside it and closed again), then each exchanged
 * over HTTP. Returns the credentials by device id.
 */
export async function enrolDevices(
  server: Pick<ServerProcess, 'url'>,
  config: StoreConfig,
  devices: readonly DeviceSpec[],
): Promise<Map<string, Enrolled>> {
  const store = await openStore(config);
  let codes: string[];
  try {
    codes = await createCodes(store, devices);
  } finally {
    await store.close();
  }
  const out = new Map<string, Enrolled>();
  // A few at a time: enrolment is setup, not what the benches measure.
  for (let i = 0; i < devices.length; i += 20) {
    const batch = devices.slice(i, i + 20);
    const done = await Promise.all(
      batch.map((d, j) => enrol(server.url, codes[i + j]!, d.deviceId)),
    );
    for (const e of done) out.set(e.deviceId, e);
  }
  return out;
}

/** The header that authenticates a device. */
export function bearer(device: Pick<Enrolled, 'token'>): { authorization: string } {
  return { authorization: `Bearer ${device.token}` };
}

/**
 * One sync round trip of an enrolled device: push `ops`, pull after `since`. Throws on anything
 * but 200.
 */
export async function syncOnce(
  url: string,
  device: Pick<Enrolled, 'org' | 'deviceId' | 'token'>,
  since: number,
  ops: readonly Op[],
): Promise<SyncResponse> {
  const res = await fetch(`${url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(device) },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      deviceId: device.deviceId,
      org: device.org,
      since,
      ops,
      maxBytes: 1024 * 1024,
    }),
  });
  if (!res.ok) throw new Error(`sync: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as SyncResponse;
}
