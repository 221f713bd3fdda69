// server.ops_per_s.{sqlite,postgres}: ops the server applies per second. The real server
// program runs in its own process; 8 devices of 4 organisations (2 each) replay a reference day
// (day.ts: check-ins, queue moves, notes of ~1.5 KB, vitals, signatures, audit) as the write
// path's ops, each sending batches of 200 in full sync round trips (push, then pull what the
// other device wrote) over loopback, concurrently. Value: ops stored / wall time.
// Each device is enrolled with the profile `coordination`: it replays the whole day (reception,
// rooms and the coordinator's validations) as one writer, which only that profile may write; its
// ops carry the staff id of each action (`user`), as the write path stamps them, and the server
// checks every op against the profile and the organisation's active staff, as in production.
// Each organisation's seed therefore holds the staff of the days its devices replay.

import type { Staff } from '../../src/domain/entities';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import type { Op } from '../../src/sync/op';
import { startCluster } from '../../tests/support/postgres';
import { referenceDay } from './day';
import { seedRows } from './escale';
import { type BenchLine, line, machine, round, tempDir } from './lib';
import { OpWriter } from './op-writer';
import { type Enrolled, enrolDevices, startServerProcess, syncOnce } from './server-proc';

const ORGS = 4;
const DEVICES_PER_ORG = 2;
const BATCH = 200;
const OPS_PER_DEVICE = 5000;

interface Device {
  org: string;
  dev: string;
  ops: Op[];
  /** The staff of the day it replays (signed in on its ops). */
  staff: Staff[];
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
        ops: day.actions.flatMap((a) => w.write(a.changes, a.staffId)).slice(0, OPS_PER_DEVICE),
        staff: day.reference.staff ?? [],
      });
    }
  });
  return { orgs, list };
}

async function seed(store: SyncStore, orgs: string[], list: Device[]) {
  const reference = referenceDay(7).reference;
  for (const org of orgs) {
    const staff = list.filter((d) => d.org === org).flatMap((d) => d.staff);
    await seedRows(store, org, 'seed', {
      ...reference,
      staff: [...(reference.staff ?? []), ...staff],
    });
  }
}

async function load(
  url: string,
  list: Device[],
  credentials: Map<string, Enrolled>,
): Promise<{ ops: number; seconds: number }> {
  const started = performance.now();
  await Promise.all(
    list.map(async (d) => {
      const device = credentials.get(d.dev)!;
      let since = 0;
      for (let i = 0; i < d.ops.length; i += BATCH) {
        const batch = d.ops.slice(i, i + BATCH);
        const res = await syncOnce(url, device, since, batch);
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
    await seed(store, orgs, list);
    await store.close();
    const config = { dataDir: data.dir, ...(cluster ? { databaseUrl: cluster.url } : {}) };
    const server = await startServerProcess(config);
    try {
      const credentials = await enrolDevices(
        server,
        config,
        list.map((d) => ({ deviceId: d.dev, org: d.org, profile: 'coordination' as const })),
      );
      const r = await load(server.url, list, credentials);
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
