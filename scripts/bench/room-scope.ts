// What a room laptop's bootstrap carries once it holds its scope instead of the registry (issue
// #18 item 4, docs/decisions/0025-replication-scope.md): the demo organisation (today's stop, its
// appointments, the next stops) with 500 more registry identities, pulled from 0 over real HTTP
// by a room and by reception. « Before » is the room's bytes plus the patient ops its scope left
// out, as they would have travelled in its pages (raw JSON, before any HTTP compression).
// `npm run bench -- --only scope` prints one JSON line per figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { enrolAt, startEscaleServer } from './escale';
import { frenchPatients } from './identities';
import { type BenchLine, line } from './lib';
import { bearer, type Enrolled } from './server-proc';

// 500 registry identities beside the demo's (a 5,000-identity run did not end within 10 minutes
// on the shared machine: not investigated yet).
const REGISTRY = Number(process.env.SCOPE_REGISTRY ?? 500);

async function bootstrap(url: string, device: Enrolled) {
  let since = 0;
  let bytes = 0;
  let requests = 0;
  const patients = new Set<string>();
  for (;;) {
    const res = await fetch(`${url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(device) },
      body: JSON.stringify({
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        org: device.org,
        deviceId: device.deviceId,
        since,
        ops: [],
      }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sync ${device.deviceId}: HTTP ${res.status} ${text}`);
    bytes += Buffer.byteLength(text);
    requests++;
    const body = JSON.parse(text) as SyncResponse;
    for (const x of body.ops) if (x.op.e === 'patient') patients.add(x.op.id);
    since = body.lastSeq;
    if (!body.hasMore) return { bytes, requests, patients };
  }
}

export async function run(): Promise<BenchLine[]> {
  const today = new Date().toISOString().slice(0, 10);
  const demo = buildDemoDataset({ today });
  const org = demo.data.organisation[0]!.id;
  const dir = mkdtempSync(join(tmpdir(), 'escale-room-scope-'));
  const server = await startEscaleServer(join(dir, 'central.sqlite'));
  try {
    const registry = frenchPatients(REGISTRY, org);
    await server.store.push(org, rowsToOps(org, 'seed', demo.data, Date.now() - 86_400_000));
    await server.store.push(org, rowsToOps(org, 'registry', { patient: registry }));
    const room = await enrolAt(server, {
      deviceId: 'bench-room',
      org,
      profile: 'room',
      roomId: demo.data.room[0]!.id,
    });
    const reception = await enrolAt(server, {
      deviceId: 'bench-reception',
      org,
      profile: 'reception',
    });
    const r = await bootstrap(server.url, room);
    const a = await bootstrap(server.url, reception);
    // The patient ops the room's scope left out, each as a page element ({"s":…,"op":…}).
    let left = 0;
    for (let since = 0; ; ) {
      const page = await server.store.pull(org, since, 1 << 24);
      for (const x of page.ops) {
        if (x.op.e === 'patient' && !r.patients.has(x.op.id))
          left += Buffer.byteLength(JSON.stringify(x)) + 1;
      }
      since = page.lastSeq;
      if (!page.hasMore) break;
    }
    const registrySize = demo.data.patient.length + REGISTRY;
    const context = {
      registry: registrySize,
      roomPatients: r.patients.size,
      receptionPatients: a.patients.size,
    };
    return [
      line('scope.room_bootstrap_kb', Math.round(r.bytes / 1024), 'kB', {
        ...context,
        requests: r.requests,
      }),
      line('scope.room_bootstrap_before_kb', Math.round((r.bytes + left) / 1024), 'kB', context),
      line('scope.reception_bootstrap_kb', Math.round(a.bytes / 1024), 'kB', {
        ...context,
        requests: a.requests,
      }),
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
