// sync.*: Escale's replication against PouchDB's, side by side in one run, on the reference day
// (day.ts) and the 50,000-identity registry. Every byte and request goes through link.ts.
// 1. The day: 4 devices each write their actions (Escale: the real write path and sync client
//    over fake-indexeddb; PouchDB: whole documents in a memory database), and at the end of every
//    30-minute slot all 4 sync at once (Escale: one syncNow; PouchDB: one PouchDB.sync, both
//    directions), over the simulated 1 Mbit/s, 300 ms RTT link shared by the truck: wall time is
//    real. Devices start bootstrapped (their first checkpoint is set outside the count).
// 2. Bootstrap: a fresh device loads everything (reference, the day's rows, the registry) from a
//    server holding it. Counted on the link without delays (PouchDB's default batches would take
//    many minutes at 300 ms each); `link_s` is then the time a serial client would spend on the
//    simulated link: Σ (RTT + wire bytes at 1 Mbit/s). client.bootstrap_s measures Escale's real
//    bootstrap over the delayed link in Chromium.
// 3. sync.bytes_per_field_change: one device changes 100 fields (50 visits × 2) and syncs once;
//    wire bytes of that round trip / 100 (PouchDB's figure for the same changes as anchor).
// Escale's devices are enrolled before anything is counted (a code from the server's accounts,
// exchanged at /api/enrol beside the link) with the profile `coordination`, which receives the
// whole organisation as every PouchDB replica does; their requests carry the credential (its
// header is counted on the link) and their ops the signed-in person, as in the app.
import { join } from 'node:path';
import type { Change } from '../../src/device/write';
import { writeChanges } from '../../src/device/write';
import { DEVICE_NAMES, type ReferenceDay, referenceDay } from './day';
import {
  bootstrapRows,
  bootstrapStoreCopy,
  type EscaleServer,
  enrolAt,
  type NodeDevice,
  nodeDevice,
  pullEverything,
  seedRows,
  startEscaleServer,
} from './escale';
import { type BenchLine, line, machine, round, tempDir } from './lib';
import { type LinkStats, SIMULATED, type SimLink, startSimLink } from './link';
import { applyChanges, PouchDB, type PouchServer, rowDoc, startPouchServer } from './pouch';

interface Phase {
  requests: number;
  wireBytes: number;
  rawBytes: number;
  /** Measured wall time (s). */
  wallS: number;
  /** Serial time on the simulated link (s), for the phase run without delays. */
  linkS?: number;
}

function phase(stats: LinkStats, started: number, withLink = false): Phase {
  return {
    requests: stats.requests,
    wireBytes: stats.wireBytes,
    rawBytes: stats.rawBytes,
    wallS: round((performance.now() - started) / 1000, 1),
    ...(withLink ? { linkS: round(stats.serialLinkMs / 1000, 1) } : {}),
  };
}

const byDevice = (day: ReferenceDay, slot: number, device: number) =>
  day.actions.filter((a) => a.slot === slot && a.device === device);

/** 100 field changes: two fields of each of 50 visits. */
function hundredChanges(day: ReferenceDay): Change[] {
  const visits = day.actions
    .flatMap((a) => a.changes)
    .filter((c) => c.entity === 'visit')
    .slice(0, 50);
  return visits.map((v, i) => ({
    entity: 'visit',
    id: v.id,
    set: { motif: `Motif précisé à l’accueil (${i})`, urgent: i % 7 === 0 },
  }));
}

async function escaleDay(day: ReferenceDay, dir: string) {
  const server: EscaleServer = await startEscaleServer(join(dir, 'day.sqlite'));
  let link: SimLink | null = null;
  const devices: NodeDevice[] = [];
  try {
    await seedRows(server.store, day.org, 'seed', day.reference);
    const head = await server.store.lastSeq(day.org);
    link = await startSimLink(server.url, SIMULATED);
    for (const dev of day.devices) {
      const enrolled = await enrolAt(server, {
        deviceId: dev,
        org: day.org,
        profile: 'coordination',
      });
      devices.push(await nodeDevice(enrolled, link.url, head));
    }
    const started = performance.now();
    for (let slot = 0; slot < day.slots; slot++) {
      await Promise.all(
        devices.map(async (d, i) => {
          for (const a of byDevice(day, slot, i)) {
            await writeChanges(
              d.db,
              { deviceId: d.deviceId, org: day.org, userId: a.staffId },
              a.changes,
            );
          }
        }),
      );
      const statuses = await Promise.all(devices.map((d) => d.client.syncNow()));
      const bad = statuses.find((s) => s.state !== 'ok');
      if (bad) throw new Error(`Escale sync: ${bad.state} ${bad.lastError ?? ''}`);
    }
    const result = phase(link.stats, started);
    for (const d of devices) await d.client.syncNow();
    const entries = await server.store.rows(day.org, 'queueEntry');
    if (entries.length !== day.counts.queueEntries) {
      throw new Error(`Escale: ${entries.length} queue entries on the server`);
    }
    // One more round trip from one device: 100 field changes in one batch.
    link.reset();
    await writeChanges(
      devices[0]!.db,
      { deviceId: devices[0]!.deviceId, org: day.org },
      hundredChanges(day),
    );
    const status = await devices[0]!.client.syncNow();
    if (status.state !== 'ok') throw new Error(`Escale sync: ${status.lastError}`);
    const batch = { ...link.stats };
    return { day: result, batch };
  } finally {
    for (const d of devices) d.db.close();
    await link?.close();
    await server.stop();
  }
}

async function pouchDay(day: ReferenceDay) {
  const server: PouchServer = await startPouchServer();
  let link: SimLink | null = null;
  try {
    const seeded = await server
      .db('day')
      .bulkDocs(
        Object.entries(day.reference).flatMap(([e, rows]) => (rows ?? []).map((r) => rowDoc(e, r))),
      );
    if (seeded.some((x) => x.error)) throw new Error('PouchDB: seed failed');
    const head = (await server.db('day').info()).update_seq;
    link = await startSimLink(server.url, SIMULATED);
    const devices = DEVICE_NAMES.map((n) => ({
      local: new PouchDB(`day-${n}`, { adapter: 'memory' }),
      remote: new PouchDB(`${link!.url}/day`),
    }));
    // Bootstrapped before the day: the pull checkpoint starts at the server's current end.
    await Promise.all(
      devices.map((d) => PouchDB.sync(d.local, d.remote, { pull: { since: head } })),
    );
    link.reset();
    const started = performance.now();
    for (let slot = 0; slot < day.slots; slot++) {
      await Promise.all(
        devices.map(async (d, i) => {
          for (const a of byDevice(day, slot, i)) await applyChanges(d.local, a.changes);
        }),
      );
      await Promise.all(devices.map((d) => PouchDB.sync(d.local, d.remote)));
    }
    const result = phase(link.stats, started);
    for (const d of devices) await PouchDB.sync(d.local, d.remote);
    const all = await server.db('day').allDocs({ conflicts: true, include_docs: true });
    const entries = all.rows.filter((r) => r.id.startsWith('queueEntry:')).length;
    const conflicts = all.rows.filter((r) => r.doc?._conflicts?.length).length;
    if (entries !== day.counts.queueEntries || conflicts > 0) {
      throw new Error(`PouchDB: ${entries} queue entries, ${conflicts} conflicts on the server`);
    }
    link.reset();
    await applyChanges(devices[0]!.local, hundredChanges(day));
    await PouchDB.sync(devices[0]!.local, devices[0]!.remote);
    const batch = { ...link.stats };
    return { day: result, batch };
  } finally {
    await link?.close();
    await server.close();
  }
}

async function escaleBootstrap(day: ReferenceDay, dir: string) {
  const { file, ops } = await bootstrapStoreCopy(join(dir, 'bootstrap.sqlite'));
  const server = await startEscaleServer(file);
  const link = await startSimLink(server.url, { ...SIMULATED, countOnly: true });
  try {
    const device = await enrolAt(server, {
      deviceId: 'fresh-device',
      org: day.org,
      profile: 'coordination',
    });
    const started = performance.now();
    const pulled = await pullEverything(link.url, device);
    if (pulled.ops !== ops) throw new Error(`Escale bootstrap: ${pulled.ops} of ${ops} ops`);
    const result = phase(link.stats, started, true);
    // The last page of every pull carries the state digest: its cost grows with the organisation.
    const t = performance.now();
    await server.store.digest(day.org);
    return { ...result, ops, digestMs: Math.round(performance.now() - t) };
  } finally {
    await link.close();
    await server.stop();
  }
}

async function pouchBootstrap(day: ReferenceDay) {
  const server = await startPouchServer();
  const link = await startSimLink(server.url, { ...SIMULATED, countOnly: true });
  try {
    const docs = Object.entries(bootstrapRows(day)).flatMap(([e, rows]) =>
      (rows ?? []).map((r) => rowDoc(e, r)),
    );
    for (let i = 0; i < docs.length; i += 5000) {
      const r = await server.db('full').bulkDocs(docs.slice(i, i + 5000));
      if (r.some((x) => x.error)) throw new Error('PouchDB: bootstrap seed failed');
    }
    const local = new PouchDB('fresh-device', { adapter: 'memory' });
    const remote = new PouchDB(`${link.url}/full`);
    link.reset();
    const started = performance.now();
    await local.replicate.from(remote); // PouchDB's defaults (batches of 100)
    const result = phase(link.stats, started, true);
    const held = (await local.info()).doc_count;
    if (held !== docs.length) throw new Error(`PouchDB bootstrap: ${held} of ${docs.length} docs`);
    return { ...result, docs: docs.length };
  } finally {
    await link.close();
    await server.close();
  }
}

export async function run(): Promise<BenchLine[]> {
  const tmp = tempDir('sync');
  try {
    const day = referenceDay();
    const escale = await escaleDay(day, tmp.dir);
    const pouch = await pouchDay(day);
    const escaleBoot = await escaleBootstrap(day, tmp.dir);
    const pouchBoot = await pouchBootstrap(day);
    const total = (e: Phase, b: Phase, k: 'wireBytes' | 'requests') => e[k] + b[k];
    const bytesE = total(escale.day, escaleBoot, 'wireBytes');
    const bytesP = total(pouch.day, pouchBoot, 'wireBytes');
    const reqE = total(escale.day, escaleBoot, 'requests');
    const reqP = total(pouch.day, pouchBoot, 'requests');
    const ratio = (a: number, b: number) => round(a / b, 3);
    const kb = (n: number) => Math.round(n / 1024);
    const common = {
      link: '1 Mbit/s, 300 ms RTT, gzip-6 bodies',
      day: `${day.counts.actions} actions, ${day.counts.queueEntries} queue entries, ${day.counts.consultations} consultations, 4 devices, ${day.slots} slots`,
      machine: machine(),
    };
    return [
      line('sync.bytes_ratio_vs_pouchdb', ratio(bytesE, bytesP), 'ratio', {
        goal: '<= 0.333',
        escale_kb: kb(bytesE),
        anchor_pouchdb_kb: kb(bytesP),
        day_ratio: ratio(escale.day.wireBytes, pouch.day.wireBytes),
        day_escale_kb: kb(escale.day.wireBytes),
        day_pouchdb_kb: kb(pouch.day.wireBytes),
        day_wall_s_escale: escale.day.wallS,
        day_wall_s_pouchdb: pouch.day.wallS,
        bootstrap_ratio: ratio(escaleBoot.wireBytes, pouchBoot.wireBytes),
        bootstrap_escale_kb: kb(escaleBoot.wireBytes),
        bootstrap_pouchdb_kb: kb(pouchBoot.wireBytes),
        bootstrap_link_s_escale: escaleBoot.linkS,
        bootstrap_link_s_pouchdb: pouchBoot.linkS,
        bootstrap_loopback_s_escale: escaleBoot.wallS,
        bootstrap_loopback_s_pouchdb: pouchBoot.wallS,
        server_digest_ms_bootstrap_org: escaleBoot.digestMs,
        raw_ratio: ratio(
          escale.day.rawBytes + escaleBoot.rawBytes,
          pouch.day.rawBytes + pouchBoot.rawBytes,
        ),
        ...common,
      }),
      line('sync.requests_ratio_vs_pouchdb', ratio(reqE, reqP), 'ratio', {
        goal: '<= 0.2',
        escale_requests: reqE,
        anchor_pouchdb_requests: reqP,
        day_escale: escale.day.requests,
        day_pouchdb: pouch.day.requests,
        bootstrap_escale: escaleBoot.requests,
        bootstrap_pouchdb: pouchBoot.requests,
        ...common,
      }),
      line('sync.bytes_per_field_change', round(escale.batch.wireBytes / 100, 1), 'B', {
        goal: '<= 40',
        batch: 100,
        requests: escale.batch.requests,
        anchor_pouchdb_b: round(pouch.batch.wireBytes / 100, 1),
        anchor_pouchdb_requests: pouch.batch.requests,
        ...common,
      }),
    ];
  } finally {
    tmp.remove();
  }
}
