// The real server program (src/server/main.ts, as `npm run serve` starts it) in its own process,
// so a load generator in the bench process does not share its event loop; and the sync round
// trip as a device sends it.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { SCHEMA_VERSION } from '../../src/domain/entities';
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

/** Starts main.ts on a data dir (SQLite) or a database (PostgreSQL, with its NOTIFY fan-out). */
export async function startServerProcess(config: {
  dataDir: string;
  databaseUrl?: string;
}): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawnTs('src/server/main.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    SEED_DEMO: '0',
    DATA_DIR: config.dataDir,
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
  });
  child.stdout?.resume(); // its banner: not ours to print
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
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

/** One sync round trip: push `ops`, pull after `since`. Throws on anything but 200. */
export async function syncOnce(
  url: string,
  org: string,
  deviceId: string,
  since: number,
  ops: readonly Op[],
): Promise<SyncResponse> {
  const res = await fetch(`${url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      deviceId,
      org,
      since,
      ops,
      maxBytes: 1024 * 1024,
    }),
  });
  if (!res.ok) throw new Error(`sync: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as SyncResponse;
}
