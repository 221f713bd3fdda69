// sync.relay_*: the field topology (issue 19 §3). The truck's relay is the real server program
// (src/server/main.ts with UPSTREAM_URL, enrolled at central with a relay code, default delays:
// a long poll on central, credentials when their version changes, docs/decisions/0016); central is the real server in process over SQLite.
// Only relay ↔ central crosses the counting link (link.ts: the truck's 4G, 1 Mbit/s, 300 ms
// RTT, delays on the as-shipped bytes); the 4 devices sync with the relay directly (the truck's
// Wi-Fi, not counted). Each device is enrolled through the relay (a code of central's accounts
// exchanged at the relay, which forwards it) and the day's people are signed in on it at
// central beside the link (the relay brings their sessions home).
// 1. The reference day (day.ts), compressed in time: slot by slot, each device writes its
//    actions and syncs with the relay; then until central holds every queue entry and its log
//    stands still over a relay pass (the relay done forwarding).
// 2. Idle: nothing written for IDLE_S seconds; ×3600/IDLE_S is the idle cost of an hour.
// Per day: the day's traffic (1) plus 10 idle hours (a stop's opening day, the relay powered).
import { join } from 'node:path';
import { constants, createBrotliCompress } from 'node:zlib';
import { writeChanges } from '../../src/device/write';
import { informationFloorBytes, MODELS, type ModelBytes } from './byte-models';
import { type ReferenceDay, referenceDay } from './day';
import {
  finalRows,
  type NodeDevice,
  nodeDevice,
  seedRows,
  signInAll,
  startEscaleServer,
} from './escale';
import { type BenchLine, line, machine, round, sleep, tempDir } from './lib';
import { SIMULATED, startSimLink } from './link';
import { createCodes, enrol, startServerProcess } from './server-proc';

const IDLE_S = 60;
const OPEN_HOURS = 10;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000) {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(200);
  }
}

const perModel = (prefix: string, bytes: ModelBytes, scale = 1, unit = 'kb') =>
  Object.fromEntries(
    MODELS.map((m) => [`${prefix}${m}_${unit}`, Math.round((bytes[m] * scale) / 1024)]),
  );

/**
 * The day's information: the final form of every row the day wrote (what central must hold at
 * the end; reference data was there before), and, less demanding, every change as written
 * (superseded autosaves included). Brotli-11 over the whole day at once, ids and all.
 */
function dayFloors(day: ReferenceDay): {
  finalRows: number;
  everyChange: number;
  perSlot: number;
} {
  const written = new Set<string>();
  for (const a of day.actions) for (const c of a.changes) written.add(`${c.entity}:${c.id}`);
  const facts = Object.fromEntries(
    Object.entries(finalRows(day)).map(([entity, rows]) => [
      entity,
      (rows ?? []).filter((r) => written.has(`${entity}:${r.id}`)),
    ]),
  );
  return {
    finalRows: informationFloorBytes(facts),
    everyChange: informationFloorBytes(day.actions.map((a) => a.changes)),
    // What a link that forgets between exchanges can at best carry: each slot's changes
    // compressed alone (no context shared across the day's requests).
    perSlot: Array.from({ length: day.slots }, (_, slot) =>
      informationFloorBytes(day.actions.filter((a) => a.slot === slot).map((a) => a.changes)),
    ).reduce((a, b) => a + b, 0),
  };
}

/**
 * The day's sync bodies (decoded, in order) encoded again as one stream flushed per body, at
 * each brotli setting: the bytes it ships and the encoder's time (the relay's CPU for the
 * pushes, central's for the answers; one body after the other, on this host's load).
 */
async function codecCosts(bodies: { pushes: Buffer[]; answers: Buffer[] }) {
  const settings = [
    { name: 'q5_w20', quality: 5, lgwin: 20 },
    { name: 'q9_w20', quality: 9, lgwin: 20 },
    { name: 'q11_w20', quality: 11, lgwin: 20 },
    { name: 'q11_w24', quality: 11, lgwin: 24 },
  ];
  const out: Record<string, string> = {};
  for (const [side, list] of Object.entries(bodies)) {
    const raw = list.reduce((a, b) => a + b.length, 0);
    out[`${side}_raw`] = `${list.length} bodies, ${Math.round(raw / 1024)} kB`;
    for (const s of settings) {
      const encoder = createBrotliCompress({
        params: {
          [constants.BROTLI_PARAM_QUALITY]: s.quality,
          [constants.BROTLI_PARAM_LGWIN]: s.lgwin,
        },
      });
      let bytes = 0;
      encoder.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      const started = performance.now();
      for (const body of list) {
        await new Promise<void>((resolve) => {
          encoder.write(body);
          encoder.flush(constants.BROTLI_OPERATION_FLUSH, () => resolve());
        });
      }
      const ms = performance.now() - started;
      encoder.close();
      out[`${side}_${s.name}`] = `${Math.round(bytes / 1024)} kB, ${Math.round(ms)} ms`;
    }
  }
  return out;
}

export async function run(): Promise<BenchLine[]> {
  const tmp = tempDir('relay');
  const day = referenceDay();
  // BENCH_RELAY_STREAMS=off: central offers no compression context (decision 0031), each sync
  // request compressed alone, as before it — the figure side by side.
  const streams = process.env.BENCH_RELAY_STREAMS !== 'off';
  // BENCH_ANSWER_STREAMS=off: the requests in context but central's answers each compressed
  // alone, as before its answers had a context of their own.
  const answerStreams = streams && process.env.BENCH_ANSWER_STREAMS !== 'off';
  const central = await startEscaleServer(join(tmp.dir, 'central.sqlite'), {
    requestStreams: streams,
    answerStreams,
  });
  const link = await startSimLink(central.url, { ...SIMULATED, keepSyncBodies: true });
  const devices: NodeDevice[] = [];
  let relay: Awaited<ReturnType<typeof startServerProcess>> | null = null;
  try {
    await seedRows(central.store, day.org, 'seed', day.reference);
    const [relayCode] = await createCodes(central.store, [
      { deviceId: 'relay-bench', org: day.org, profile: 'relay' },
    ]);
    relay = await startServerProcess(
      { dataDir: join(tmp.dir, 'relay') },
      { UPSTREAM_URL: link.url, ENROL_CODE: relayCode! },
    );
    const staff = (day.reference.staff ?? []).map((s) => s.id);
    for (const dev of day.devices) {
      const [code] = await createCodes(central.store, [
        { deviceId: dev, org: day.org, profile: 'coordination' },
      ]);
      const enrolled = await enrol(relay.url, code!, dev);
      await signInAll(central, enrolled, staff);
      // The devices pull the reference data from the relay (local Wi-Fi) before the day.
      devices.push(await nodeDevice(enrolled, relay.url, 0));
    }
    // Until the relay brought the sessions and the reference: every device syncs cleanly.
    await until('devices bootstrapped through the relay', async () => {
      const statuses = await Promise.all(devices.map((d) => d.client.syncNow()));
      const rooms = await devices[0]!.db.table('room').count();
      return statuses.every((s) => s.state === 'ok') && rooms === 4;
    });
    await sleep(6_000); // one idle pass, so the day starts from a quiet link
    link.reset();
    const started = performance.now();
    for (let slot = 0; slot < day.slots; slot++) {
      await Promise.all(
        devices.map(async (d, i) => {
          for (const a of day.actions.filter((x) => x.slot === slot && x.device === i)) {
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
      if (bad) throw new Error(`device ↔ relay: ${bad.state} ${bad.lastError ?? ''}`);
    }
    await until(
      'central holds the day',
      async () =>
        (await central.store.rows(day.org, 'queueEntry')).length === day.counts.queueEntries,
    );
    // Then until the relay is done forwarding (and pulling back): central's log stands still
    // over a whole pass.
    let seq = -1;
    await until('the relay is quiet', async () => {
      const now = await central.store.lastSeq(day.org);
      const quiet = now === seq;
      seq = now;
      if (!quiet) await sleep(6_000);
      return quiet;
    });
    const dayS = (performance.now() - started) / 1000;
    const codecs = await codecCosts(link.syncBodies);
    const dayStats = {
      requests: link.stats.requests,
      bytes: { ...link.stats.bytes },
      byPath: { ...link.stats.byPath },
    };
    link.reset();
    await sleep(IDLE_S * 1000);
    const idle = {
      requests: link.stats.requests,
      bytes: { ...link.stats.bytes },
      byPath: link.stats.byPath,
    };
    const hour = 3600 / IDLE_S;
    const perDay = Object.fromEntries(
      MODELS.map((m) => [m, dayStats.bytes[m] + idle.bytes[m] * hour * OPEN_HOURS]),
    ) as ModelBytes;
    const common = {
      link: 'relay ↔ central only: 1 Mbit/s, 300 ms RTT; devices on the relay directly',
      relay: `src/server/main.ts with UPSTREAM_URL, defaults (long poll on central, credentials by version, a safety-net pass every 5 min${streams ? `, sync bodies in one compression context${answerStreams ? ', central’s answers in one of their own' : ' (answers each compressed alone: BENCH_ANSWER_STREAMS=off)'}` : '; central offering no compression context (BENCH_RELAY_STREAMS=off)'})`,
      byte_model:
        'value as shipped (HTTP/1.1, bodies of 1 kB or more compressed both ways); *_raw, *_gzip, *_h2, *_h2_gzip: see scripts/bench/byte-models.ts',
      per_day: `the day's traffic (${round(dayS, 0)} s, compressed in time) + ${OPEN_HOURS} idle hours`,
      day: `${day.counts.actions} actions, 4 devices, ${day.slots} slots`,
      machine: machine(),
    };
    const floor = dayFloors(day);
    return [
      // Issue 18's goal: the day's information over the truck's link, at most twice its floor.
      // The channel's upkeep when nothing happens has its own line and goal (idle, per hour).
      line(
        'link.relay_bytes_per_day',
        round(dayStats.bytes.as_shipped / floor.finalRows, 2),
        '× floor',
        {
          day_traffic_kb: Math.round(dayStats.bytes.as_shipped / 1024),
          floor_kb: Math.round(floor.finalRows / 1024),
          floor:
            "the final form of every row the day wrote, compact JSON brotli-11 over the whole day (scripts/bench/byte-models.ts's informationFloorBytes)",
          every_change_floor_kb: Math.round(floor.everyChange / 1024),
          over_every_change_floor: round(dayStats.bytes.as_shipped / floor.everyChange, 2),
          per_slot_floor_kb: Math.round(floor.perSlot / 1024),
          per_slot_floor_over_floor: round(floor.perSlot / floor.finalRows, 2),
          ...Object.fromEntries(
            MODELS.filter((m) => m !== 'as_shipped').map((m) => [
              `over_floor_${m}`,
              round(dayStats.bytes[m] / floor.finalRows, 2),
            ]),
          ),
          day_requests: dayStats.requests,
          codecs,
          by_request: Object.fromEntries(
            Object.entries(dayStats.byPath).map(([k, v]) => [
              k,
              `${v.requests} req, ${Math.round(v.bytes / 1024)} kB`,
            ]),
          ),
          goal: '≤ 2 (issue 18)',
          ...common,
        },
      ),
      line('sync.relay_central_bytes_per_day', Math.round(perDay.as_shipped / 1024), 'kB', {
        ...perModel('', perDay),
        ...perModel('day_traffic_', dayStats.bytes),
        ...perModel('idle_', idle.bytes, (hour * OPEN_HOURS) as number),
        ...common,
      }),
      line(
        'sync.relay_central_requests_per_day',
        Math.round(dayStats.requests + idle.requests * hour * OPEN_HOURS),
        'requests',
        {
          day_traffic_requests: dayStats.requests,
          idle_requests: Math.round(idle.requests * hour * OPEN_HOURS),
          ...common,
        },
      ),
      line(
        'sync.relay_idle_bytes_per_hour',
        Math.round((idle.bytes.as_shipped * hour) / 1024),
        'kB',
        {
          ...perModel('', idle.bytes, hour),
          requests_per_hour: Math.round(idle.requests * hour),
          by_request: Object.fromEntries(
            Object.entries(idle.byPath).map(([k, v]) => [
              k,
              `${Math.round(v.requests * hour)} req, ${Math.round((v.bytes * hour) / 1024)} kB`,
            ]),
          ),
          measured_s: IDLE_S,
          ...common,
        },
      ),
    ];
  } finally {
    for (const d of devices) d.db.close();
    await relay?.stop();
    await link.close();
    await central.stop();
    tmp.remove();
  }
}
