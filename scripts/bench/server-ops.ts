// server.ops_per_s.{sqlite,postgres}: ops the server applies per second. The real server
// program runs in its own process; 8 devices of 4 organisations (2 each) replay a reference day
// (day.ts: check-ins, queue moves, notes of ~1.5 KB, vitals, signatures, audit) as the write
// path's ops, each sending batches of 200 in full sync round trips (push, then pull what the
// other device wrote) over loopback, concurrently. Value: ops stored / wall time.

import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import type { Op } from '../../src/sync/op';
import { startCluster } from '../../tests/support/postgres';
import { referenceDay } from './day';
import { seedRows } from './escale';
import { type BenchLine, line, machine, round, tempDir } from './lib';
import { OpWriter } from './op-writer';
import { startServerProcess, syncOnce } from './server-proc';

const ORGS = 4;
const DEVICES_PER_ORG = 2;
const BATCH = 200;
const OPS_PER_DEVICE = 5000;

interface Device {
  org: string;
  dev: string;
  ops: Op[];
}

function devices(): { orgs: string[]; list: Device[] } {
  const orgs = Array.from({ length: ORGS }, (_, i) => `org-bench-${i}`);
  const list: Device[] = [];
  orgs.forEach((org, o) => {
    for (let d = 0; d < DEVICES_PER_ORG; d++) {
      const day = referenceDay(100 + o * DEVICES_PER_ORG + d);
      const dev = `dev-${o}-${d}`;
      const w = new OpWriter(dev, org);
      list.push({
        org,
        dev,
        ops: day.actions.flatMap((a) => w.write(a.changes)).slice(0, OPS_PER_DEVICE),
      });
    }
  });
  return { orgs, list };
}

async function seed(store: SyncStore, orgs: string[]) {
  const reference = referenceDay(7).reference;
  for (const org of orgs) await seedRows(store, org, 'seed', reference);
}

async function load(url: string, list: Device[]): Promise<{ ops: number; seconds: number }> {
  const started = performance.now();
  await Promise.all(
    list.map(async (d) => {
      let since = 0;
      for (let i = 0; i < d.ops.length; i += BATCH) {
        const batch = d.ops.slice(i, i + BATCH);
        const res = await syncOnce(url, d.org, d.dev, since, batch);
        if (res.accepted !== batch[batch.length - 1]!.seq) {
          throw new Error(`${d.dev}: accepted ${res.accepted}, sent up to ${batch.at(-1)!.seq}`);
        }
        since = res.lastSeq;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ops: list.reduce((n, d) => n + d.ops.length, 0), seconds };
}

async function measure(kind: 'sqlite' | 'postgres'): Promise<BenchLine> {
  const { orgs, list } = devices();
  const data = tempDir(`ops-${kind}`);
  const cluster = kind === 'postgres' ? await startCluster() : null;
  try {
    const store = cluster
      ? await openPostgresStore(cluster.url)
      : await openSqliteStore(`${data.dir}/escale.sqlite`);
    await seed(store, orgs);
    await store.close();
    const server = await startServerProcess({
      dataDir: data.dir,
      ...(cluster ? { databaseUrl: cluster.url } : {}),
    });
    try {
      const r = await load(server.url, list);
      return line(`server.ops_per_s.${kind}`, Math.round(r.ops / r.seconds), 'ops/s', {
        goal: kind === 'sqlite' ? '>= 5000' : '>= 3000',
        ops: r.ops,
        seconds: round(r.seconds, 1),
        devices: list.length,
        orgs: ORGS,
        batch: BATCH,
        via: 'POST /api/sync over loopback, server in its own process',
        machine: machine(),
      });
    } finally {
      await server.stop();
    }
  } finally {
    cluster?.stop();
    data.remove();
  }
}

export async function run(): Promise<BenchLine[]> {
  return [await measure('sqlite'), await measure('postgres')];
}
