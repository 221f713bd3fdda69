// The seeded replication simulation over the real parts (issue #14 item 5, issue #20): six
// devices (reception, four rooms, the coordination's office and its tablet on the truck) — each
// a real EscaleDb on its own fake IndexedDB, written through the real write path and synced by
// the real sync client — the truck's real relay and the real central server, over SQLite in
// memory, all reached through a seeded network (world.ts). The day brings partitions (a room
// offline for a long stretch, the relay's 4G cut),
// lost requests and answers (also after the server committed), duplicated, late and reordered
// requests, device crashes between a local commit and its sending, clocks off by up to ±24 h, a
// relay that loses its disk, a rogue device pushing poison ops, and optionally central restored
// from an older snapshot. Then the network heals, everything syncs to quiescence, and the checks
// run: convergence (digests), lost writes, invariant violations, silent contradictions.

import { getMeta, META } from '../../src/device/db';
import { prunedAt } from '../../src/device/horizon';
import { outboxOps } from '../../src/device/outbox';
import { syncStatus } from '../../src/device/queries';
import { setAsideSeqs } from '../../src/device/set-aside';
import type { Audience } from '../../src/domain/access';
import { visibleStates } from '../../src/domain/access';
import { roomDoubleBookings } from '../../src/domain/conflicts-room';
import { countedConsultations, dayContradictions } from '../../src/domain/day-invariants';
import {
  type Consultation,
  type ContradictionAck,
  entitySpec,
  type QueueEntry,
  SCHEMA_VERSION,
  type Signature,
  type StatusValue,
  type Visit,
} from '../../src/domain/entities';
import { compareStatus } from '../../src/domain/queue';
import { currentHorizon } from '../../src/server/horizon';
import { PARTNER_ORIGIN } from '../../src/server/partner-tasks';
import { readingViewer } from '../../src/server/reading';
import { scopedViewer } from '../../src/server/replication-scope';
import { rowsToOps } from '../../src/server/seed/ops';
import { prng } from '../../src/server/seed/prng';
import { digestRows } from '../../src/sync/digest';
import { createClock, tick } from '../../src/sync/hlc';
import { conflictsOf, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { isOriginOf } from '../../src/sync/origins';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { digestAt } from '../../src/sync/prune';
import { findBreaches, silentBreaches, unfoundContradictions } from './checks';
import {
  type Actor,
  coordinationActs,
  emptyWorkloadStats,
  ROOMS,
  receptionActs,
  roomActs,
  STAFF,
  setupRows,
  type WorkloadStats,
} from './workload';
import {
  type Clock,
  enrolAt,
  type NetStats,
  newClient,
  ORG,
  type SimDevice,
  SimNetwork,
  type SimServer,
  signIn,
  startCentral,
  startDevice,
  startRelay,
} from './world';

export interface SimOptions {
  steps?: number;
  /** Central restored from an older snapshot mid-day, then `new-epoch` (docs/operations.md). */
  withRestore?: boolean;
  /** The device joining mid-day is, one seed in two, a second laptop in a modular room
   * (`--room-joiner`): two devices of one room edit and sign one note apart. */
  roomJoiner?: boolean;
  /** The coordinating doctor's tablet on the truck, reaching the relay only: in every day unless
   * false (`--no-truck-coordination`, the days before it joined them). */
  truckCoordination?: boolean;
}

export interface SimStats extends WorkloadStats, NetStats {
  crashes: number;
  relayDiskLosses: number;
  restores: number;
  roomOutages: number;
  relayCuts: number;
  poisonPushed: number;
  poisonQuarantined: number;
  /** Ops a server refused from an honest device (set aside on it). */
  setAside: number;
  /** Of the committed writes, those a clinical rule refused and their device keeps set aside. */
  refusedKept: number;
  reversals: number;
  conflicts: number;
  contradictions: Record<string, number>;
  quiescenceRounds: number;
  /** Pruning (decision 0027): seeds whose central reached a horizon at the end (0 or 1), and
   * ops its guard refused for a clock at or below it; horizons central announced, and ops it wrote
   * for partner tasks checked against them (each must be above every horizon of its epoch
   * announced with a log head below the op's sequence). */
  horizonReached: number;
  belowHorizon: number;
  horizonsAnnounced: number;
  partnerOpsChecked: number;
  /** Row states the devices held pruned (with `hz`) at the end, and devices that adopted a
   * horizon (decision 0027: coordination devices, from central or from the relay, which announces
   * central's once it pulled that far); of those, the ones on the truck (relay first). */
  rowsPruned: number;
  devicesPruning: number;
  devicesPruningBehindRelay: number;
  /** Devices brought into service during the day (a second reception tablet, a visiting
   * specialist's own laptop in a modular room): enrolled at central, unknown to the relay until
   * it fetches the credentials again, holding nothing (a snapshot, or the log) when they start. */
  midDayJoins: number;
  /** Of them, second laptops in a modular room (`roomJoiner`), and second coordination tablets. */
  roomJoins: number;
  coordinationJoins: number;
  /** Ops the relay held and central then refused, taken out of the relay's log (decision 0033). */
  retractions: number;
}

export interface SimResult {
  seed: number;
  converged: boolean;
  lostWrites: number;
  violations: string[];
  silent: string[];
  stats: SimStats;
  ms: number;
}

const DAY = 86_400_000;
/** CPU time of this process (ms): what a seed costs, whatever else the machine runs. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const HOUR = 3_600_000;

export async function simulate(seed: number, options: SimOptions = {}): Promise<SimResult> {
  const started = cpuNow();
  const rnd = prng(seed);
  const chance = (p: number) => rnd() < p;
  const int = (n: number) => Math.floor(rnd() * n);
  const steps = options.steps ?? 60;
  const clock: Clock = { now: Date.UTC(2026, 10, 23, 7, 0) + int(8) * DAY };
  const date = new Date(clock.now).toISOString().slice(0, 10);
  const net = new SimNetwork(rnd);
  const violations: string[] = [];
  const committed: Op[] = [];
  const wstats = emptyWorkloadStats();
  let idCounter = 0;
  const newId = (prefix: string) => `${prefix}-${seed}-${++idCounter}`;
  const extra = {
    crashes: 0,
    relayDiskLosses: 0,
    restores: 0,
    roomOutages: 0,
    relayCuts: 0,
    poisonPushed: 0,
    poisonQuarantined: 0,
    setAside: 0,
    refusedKept: 0,
    reversals: 0,
    conflicts: 0,
    contradictions: {} as Record<string, number>,
    quiescenceRounds: 0,
    horizonReached: 0,
    rowsPruned: 0,
    devicesPruning: 0,
    devicesPruningBehindRelay: 0,
    belowHorizon: 0,
    horizonsAnnounced: 0,
    partnerOpsChecked: 0,
    midDayJoins: 0,
    roomJoins: 0,
    coordinationJoins: 0,
    retractions: 0,
  };
  /** Every horizon central announced (decision 0027), by epoch: the least `seq` seen per clock. */
  const announced = new Map<string, { hlc: string; seq: number }>();
  net.onSyncAnswer = (target, body) => {
    const h = body.horizon as { hlc?: unknown; seq?: unknown } | undefined;
    if (target !== 'central' || !h || typeof h.hlc !== 'string' || typeof h.seq !== 'number')
      return;
    const key = `${String(body.epoch)}|${h.hlc}`;
    const before = announced.get(key);
    if (!before || h.seq < before.seq) announced.set(key, { hlc: h.hlc, seq: h.seq });
  };

  // ---- the organisation at central, the relay, the devices (at the depot, online) ----
  let central = await startCentral(net, clock);
  const seedOps = rowsToOps(ORG, 'seed-sim', setupRows(date, 12), clock.now - HOUR);
  await central.mem.store.push(ORG, seedOps);
  let relayGeneration = 1;
  const relayId = () => `relay-sim-${relayGeneration}`;
  let relayStarts = 0;
  const relayRandom = () => prng(seed * 131 + ++relayStarts);
  let relay = await startRelay(net, clock, central, relayId(), relayRandom());
  const specs: { name: string; profile: Audience; roomId: string | null; staffId: string }[] = [
    { name: 'reception', profile: 'reception', roomId: null, staffId: STAFF.reception },
    ...ROOMS.map((r) => ({
      name: `laptop-${r}`,
      profile: 'room' as const,
      roomId: r,
      staffId: STAFF[r],
    })),
    { name: 'coordination', profile: 'coordination', roomId: null, staffId: STAFF.coordination },
    // The coordinating doctor's tablet on the truck (`--no-truck-coordination` leaves it out):
    // the whole organisation through the relay, so it prunes at the relay's horizon (decision
    // 0027).
    ...(options.truckCoordination !== false
      ? [
          {
            name: 'coordination-truck',
            profile: 'coordination' as const,
            roomId: null,
            staffId: STAFF.coordination,
          },
        ]
      : []),
  ];
  const devices: SimDevice[] = [];
  for (const s of specs) {
    const d = await startDevice(net, clock, central, {
      ...s,
      skewMs: Math.round((rnd() * 2 - 1) * DAY),
      // The truck's devices list the relay first; the coordination's office reaches central.
      servers: s.name === 'coordination' ? ['http://central'] : ['http://relay', 'http://central'],
      random: prng(seed * 31 + devices.length),
    });
    await signIn(central, d);
    devices.push(d);
  }
  await relay.relay!.syncNow();
  for (const d of devices) await d.client.syncNow();
  const marks = { setup: cpuNow() - started, day: 0, heal: 0, checks: 0 };

  const link = (d: SimDevice, target: string) => net.isUp(d.name, target);
  const online = (d: SimDevice) => d.servers.some((s) => link(d, new URL(s).hostname));
  const actorOf = (d: SimDevice): Actor => ({
    device: d,
    rnd,
    newId,
    stats: wstats,
    committed,
    central: () => central,
    online: () => online(d),
  });

  // Statuses each replica has shown: a later one may never be lower without a reversal.
  const seen = new Map<string, StatusValue>();
  const observe = async (d: SimDevice) => {
    for (const e of (await d.db.rows('queueEntry').toArray()) as QueueEntry[]) {
      const key = `${d.name}|${e.id}`;
      const before = seen.get(key);
      if (before && compareStatus(e.status, before) < 0) {
        violations.push(
          `${d.name} : statut reculé ${e.ticket} ${before.status}/${before.epoch} → ${e.status.status}/${e.status.epoch}`,
        );
        if (process.env.SIM_LOST) {
          const st = await d.db.states.get(['queueEntry', e.id]);
          console.error('BACK', d.name, e.id, JSON.stringify(st?.f.status), {
            relay: JSON.stringify(
              (await relay.mem.store.rowStates(ORG)).find((x) => x.id === e.id)?.f.status,
            ),
            central: JSON.stringify(
              (await central.mem.store.rowStates(ORG)).find((x) => x.id === e.id)?.f.status,
            ),
            checkpoints: await d.db.meta.where('key').startsWith('checkpoint').toArray(),
          });
        }
      }
      if (before && e.status.epoch > before.epoch) extra.reversals++;
      seen.set(key, e.status);
    }
  };

  // ---- faults of the day ----
  const outage = new Map<string, number>(); // device → step its outage ends
  const relayDiskLossAt = chance(0.5) ? 10 + int(steps - 20) : -1;
  const poisonAt = 5 + int(steps - 10);
  const snapshotAt = options.withRestore ? 10 + int(Math.floor(steps / 3)) : -1;
  const restoreAt = options.withRestore ? snapshotAt + 10 + int(Math.floor(steps / 3)) : -1;
  let snapshot: Buffer | null = null;
  // Drawn from a stream of its own, so that adding the join left every other draw of a seed as
  // it was.
  const joinRnd = prng(seed * 7919 + 3);
  let joinAt = joinRnd() < 0.5 ? 10 + Math.floor(joinRnd() * (steps - 20)) : -1;
  // A device enrolled between the backup and the restore is unknown to the restored central
  // (401: « enrol it again », docs/operations.md): not what the mid-day join is about — such a
  // join comes just after the restore instead.
  if (options.withRestore && joinAt >= snapshotAt && joinAt <= restoreAt) joinAt = restoreAt + 1;
  /** The rogue's good ops: like any device, it keeps them until central holds them. */
  let rogueKept = null as { token: string; ops: Op[] } | null;
  const faulty = {
    dropRequest: 0.08,
    dropResponse: 0.08,
    duplicate: 0.08,
    delay: 0.15,
    late: 0.05,
  };
  net.faults = faulty;
  // The truck reaches central through its 4G only: devices rarely reach it directly.
  for (const d of devices) if (d.name !== 'coordination') net.setLink(d.name, 'central', false);

  for (let step = 0; step < steps; step++) {
    clock.now += 20_000 + int(40_000);
    // Partitions: a room offline for a long stretch; the relay's 4G; a device's direct route.
    for (const [name, until] of outage) {
      if (step >= until) {
        net.setLink(name, 'relay', true);
        outage.delete(name);
      }
    }
    if (chance(0.04)) {
      const d = devices[1 + int(4)]!;
      if (!outage.has(d.name)) {
        outage.set(d.name, step + 15 + int(40));
        net.setLink(d.name, 'relay', false);
        net.setLink(d.name, 'central', false);
        extra.roomOutages++;
      }
    }
    if (chance(0.08)) {
      const up = net.isUp('relay', 'central');
      net.setLink('relay', 'central', !up);
      if (up) extra.relayCuts++;
    }
    if (chance(0.04)) {
      const d = devices[int(5)]!;
      if (!outage.has(d.name)) net.setLink(d.name, 'central', !net.isUp(d.name, 'central'));
    }

    // Field faults.
    if (step === relayDiskLossAt) {
      // The relay's disk dies: the box is reinstalled empty, its old credential forgotten at
      // central and a new one enrolled (docs/operations.md, Relay); devices keep its address.
      extra.retractions += await relay.mem.store.retractionCount(ORG);
      await relay.app.close();
      await central.mem.store.deleteMeta(`cred:${relayId()}`);
      relayGeneration++;
      relay = await startRelay(net, clock, central, relayId(), relayRandom());
      extra.relayDiskLosses++;
    }
    if (step === poisonAt) await rogue();
    if (step === joinAt) await join();
    if (step === snapshotAt) snapshot = central.mem.sqlite.serialize();
    if (step === restoreAt && snapshot) {
      await central.app.close();
      central = await startCentral(net, clock, snapshot);
      await central.mem.store.newEpoch();
      // Credentials issued after the backup are not in it: the coordination enrols again what
      // answers « enrol again » (docs/operations.md, Restoring central) — a relay reinstalled
      // since then (on its own disk, which it keeps), a device enrolled since.
      if (!(await central.mem.store.getMeta(`cred:${relayId()}`))) {
        await relay.app.close();
        relay = await startRelay(net, clock, central, relayId(), relayRandom(), relay.mem);
      }
      if (rogueKept && !(await central.mem.store.getMeta(`cred:rogue-${seed}`))) {
        rogueKept.token = await enrolAt(central, `rogue-${seed}`, 'coordination');
      }
      extra.restores++;
    }

    // People act on their own device's view.
    const actors = [devices[int(devices.length)]!];
    if (chance(0.7)) actors.push(devices[int(5)]!);
    if (chance(0.5)) actors.push(devices[1 + int(4)]!);
    for (const d of actors) {
      const a = actorOf(d);
      if (d.profile === 'reception') await receptionActs(a);
      else if (d.profile === 'room') await roomActs(a);
      else await coordinationActs(a);
      if (chance(0.04)) {
        // Crash between the local commit and its sending: the page starts again on the same db.
        d.client = newClient(net, d, prng(seed * 97 + ++extra.crashes));
      }
    }

    // Syncs, concurrent (answers overtake each other), and old requests arriving late.
    const syncing = devices.filter(() => chance(0.25));
    const work: Promise<unknown>[] = syncing.map((d) => d.client.syncNow());
    if (chance(0.4)) work.push(relay.relay!.syncNow());
    if (chance(0.3)) work.push(net.deliverLate());
    await Promise.all(work);
    for (const d of syncing) await observe(d);
  }

  marks.day = cpuNow() - started - marks.setup;
  // ---- healing: every link up, no faults, sync until quiet ----
  net.healAll();
  await net.deliverLate();
  let rounds = 0;
  for (; rounds < 40; rounds++) {
    clock.now += 10_000;
    await relay.relay!.syncNow();
    for (const d of devices) await d.client.syncNow();
    await relay.relay!.syncNow();
    if (rogueKept) {
      // The rogue device retries what central does not hold yet (the relay may have lost it).
      const last = rogueKept.ops.at(-1)!.seq;
      if ((await central.mem.store.contiguous(ORG, `rogue-${seed}`)) < last) {
        await central.app.inject({
          method: 'POST',
          url: '/api/sync',
          headers: { authorization: `Bearer ${rogueKept.token}` },
          payload: {
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            deviceId: `rogue-${seed}`,
            org: ORG,
            since: 0,
            ops: rogueKept.ops,
          },
        });
        continue;
      }
    }
    if (await quiet()) break;
  }
  extra.quiescenceRounds = rounds;
  for (const d of devices) await observe(d);

  marks.heal = cpuNow() - started - marks.setup - marks.day;
  // ---- checks ----
  // (1) Convergence: relay and central hold the same state; each device holds what central
  // holds for its profile.
  const store = central.mem.store;
  const centralDigest = await store.digest(ORG);
  let converged = (await relay.mem.store.digest(ORG)) === centralDigest;
  if (!converged) {
    violations.push('relais ≠ central');
    if (process.env.SIM_DEBUG) {
      const mine = new Map(
        (await relay.mem.store.rowStates(ORG)).map((st) => [`${st.e}/${st.id}`, st]),
      );
      const theirs = await store.rowStates(ORG);
      let shown = 0;
      for (const st of theirs) {
        const r = mine.get(`${st.e}/${st.id}`);
        if (JSON.stringify(r) !== JSON.stringify(st) && shown++ < 3) {
          console.error(
            'DIFF',
            st.e,
            st.id,
            JSON.stringify(st).slice(0, 600),
            '\nRELAY',
            JSON.stringify(r)?.slice(0, 600),
          );
        }
      }
      const all: Op[] = [];
      for (let since = 0; ; ) {
        const page = await store.pull(ORG, since, 1 << 24);
        all.push(...page.ops.map((x) => x.op));
        since = page.lastSeq;
        if (!page.hasMore) break;
      }
      const has = await relay.mem.store.heldKeys(ORG, all);
      const missing = all.filter((op) => !has.has(`${op.dev}#${op.seq}`));
      console.error(
        'MISSING',
        missing.length,
        missing.slice(0, 5).map((op) => `${op.dev}#${op.seq} ${op.e}.${op.f}`),
      );
      console.error(
        'CENTRAL Q',
        (await store.quarantined(ORG))
          .slice(0, 4)
          .map(
            (q) =>
              `${q.dev}#${q.seq} ${q.code} ${q.reason} ${q.via} ${JSON.stringify(q.op).slice(0, 250)}`,
          ),
      );
      console.error(
        'RELAY Q',
        (await relay.mem.store.quarantined(ORG))
          .slice(0, 4)
          .map(
            (q) => `${q.dev}#${q.seq} ${q.code} ${q.reason} ${JSON.stringify(q.op).slice(0, 200)}`,
          ),
      );
      console.error('RELAY META', await relay.mem.store.metaWithPrefix('upstream:'));
      console.error(
        'central rows',
        theirs.length,
        'relay rows',
        mine.size,
        'lastSeq',
        await store.lastSeq(ORG),
        await relay.mem.store.lastSeq(ORG),
      );
    }
  }
  const allStates = await store.rowStates(ORG);
  for (const d of devices) {
    // What central says this device may hold: its profile and room, and on a room device who
    // signed in on it (src/server/reading.ts) — the same cut the pull applies.
    // A room holds the patients of its scope (src/domain/replication-scope.ts): compared on them.
    const viewer = await scopedViewer(
      store,
      ORG,
      await readingViewer({ store, accounts: central.accounts, now: () => clock.now }, ORG, {
        deviceId: d.name,
        profile: d.profile,
        roomId: d.roomId,
      }),
      clock.now,
    );
    // At the horizon the device pruned at (decision 0027): central, which never prunes, is
    // compared in the comparable form there; without one, the states as they are.
    const hz = await prunedAt(d.db);
    const held = await d.db.states.toArray();
    extra.rowsPruned += held.filter((st) => st.hz !== undefined).length;
    if (hz) extra.devicesPruning++;
    if (hz && d.servers[0] === 'http://relay') extra.devicesPruningBehindRelay++;
    const digestOf = (states: RowState[]) => (hz ? digestAt(states, hz) : digestRows(states));
    const mine = digestOf(visibleStates(viewer, held, entitySpec));
    const theirs = digestOf(visibleStates(viewer, allStates, entitySpec));
    if (mine !== theirs) {
      converged = false;
      violations.push(`${d.name} ≠ central`);
      if (process.env.SIM_DEBUG) {
        const local = new Map(
          visibleStates(viewer, await d.db.states.toArray(), entitySpec).map((st) => [
            `${st.e}/${st.id}`,
            st,
          ]),
        );
        const remote = visibleStates(viewer, allStates, entitySpec);
        let shown = 0;
        for (const st of remote) {
          const l = local.get(`${st.e}/${st.id}`);
          local.delete(`${st.e}/${st.id}`);
          if (JSON.stringify(l) !== JSON.stringify(st) && shown++ < 2) {
            // The fields that differ, each side whole.
            const fields = new Set([...Object.keys(st.f), ...Object.keys(l?.f ?? {})]);
            for (const f of fields) {
              const a = JSON.stringify(st.f[f]);
              const b = JSON.stringify(l?.f[f]);
              if (a !== b) console.error('DEVDIFF', d.name, st.e, st.id, f, a, '\nLOCAL', b);
            }
          }
        }
        console.error('LOCAL ONLY', [...local.keys()].slice(0, 5));
        for (const k of [...local.keys()].slice(0, 1)) {
          const st = local.get(k)!;
          console.error('LOCALSTATE', JSON.stringify(st).slice(0, 1500));
          console.error(
            'CENTRALSTATE',
            JSON.stringify(allStates.find((x) => `${x.e}/${x.id}` === k)).slice(0, 1500),
          );
          console.error(
            'OBJ',
            JSON.stringify(allStates.filter((x) => x.e === 'sharingObjection')).slice(0, 1500),
          );
          console.error('READERS', JSON.stringify(viewer.reading?.readers));
        }
      }
    }
    if ((await d.db.parked.count()) > 0) violations.push(`${d.name} : opérations parquées`);
    const aside = await setAsideSeqs(d.db);
    extra.setAside += aside.size;
    const left = (await outboxOps(d.db)).filter((op) => !aside.has(op.seq));
    if (left.length > 0) {
      const status = await syncStatus(d.db);
      if (process.env.SIM_DEBUG) {
        const first = left[0]!;
        console.error(d.name, {
          first: `${first.seq} ${first.e}.${first.f}=${JSON.stringify(first.val)?.slice(0, 80)}`,
          centralContiguous: await store.contiguous(ORG, d.name),
          relayContiguous: await relay.mem.store.contiguous(ORG, d.name),
          centralQ: (await store.quarantined(ORG, 1000))
            .filter((q) => q.dev === d.name)
            .slice(0, 3),
          relayQ: (await relay.mem.store.quarantined(ORG, 1000))
            .filter((q) => q.dev === d.name)
            .slice(0, 3),
          acked: await d.db.meta.get(`acked:http://relay`),
          ackedC: await d.db.meta.get(`acked:http://central`),
        });
      }
      violations.push(
        `${d.name} : ${left.length} opérations jamais acquittées (${status.lastError ?? status.state})`,
      );
    }
  }

  // (2) Lost writes: every committed op is held by central (not quarantined) and its effect is
  // in central's state.
  const quarantined = new Set(
    (await store.quarantined(ORG, 100_000)).map((q) => `${q.dev}#${q.seq}`),
  );
  // A value folded into a later one before any server saw it (src/sync/coalesce.ts) shares its
  // seq with the op that replaced it: the last op written under a seq is the one that counts.
  const latest = new Map(committed.map((op) => [`${op.dev}#${op.seq}`, op]));
  const held = await store.heldKeys(ORG, [...latest.values()]);
  const byKey = new Map(allStates.map((s) => [`${s.e}\u0000${s.id}`, s]));
  // A write a clinical rule refused (« Note signée… », code forbidden_op: two laptops of one
  // room, `roomJoiner`) is not lost when its device keeps it set aside, listed with the
  // reason: that is the design's answer (docs/protocol.md, Quarantine). Counted apart.
  const forbidden = new Set(
    (await store.quarantined(ORG, 100_000))
      .filter((q) => q.code === 'forbidden_op')
      .map((q) => `${q.dev}#${q.seq}`),
  );
  const keptAside = async (op: Op): Promise<boolean> => {
    const dev = devices.find((x) => x.name === op.dev);
    if (!dev || !forbidden.has(`${op.dev}#${op.seq}`)) return false;
    if (!(await setAsideSeqs(dev.db)).has(op.seq)) return false;
    return (await outboxOps(dev.db)).some((o) => o.seq === op.seq);
  };
  let lostWrites = 0;
  const lostSample: string[] = [];
  for (const op of latest.values()) {
    const key = `${op.dev}#${op.seq}`;
    const ok =
      held.has(key) &&
      !quarantined.has(key) &&
      isAccountedFor(byKey.get(`${op.e}\u0000${op.id}`), op);
    if (!ok && (await keptAside(op))) {
      extra.refusedKept++;
      continue;
    }
    if (!ok) {
      lostWrites++;
      if (lostSample.length < 3) lostSample.push(`${key} ${op.e}.${op.f}`);
      if (process.env.SIM_LOST) {
        const dev = devices.find((x) => x.name === op.dev);
        console.error('LOST', key, op.e, op.id, op.f, op.hlc, {
          held: held.has(key),
          quarantined: quarantined.has(key),
          reason: (await store.quarantined(ORG, 100_000)).find((q) => `${q.dev}#${q.seq}` === key),
          state: JSON.stringify(byKey.get(`${op.e}\u0000${op.id}`)?.f[op.f])?.slice(0, 300),
          outbox: dev ? (await outboxOps(dev.db)).some((o) => o.seq === op.seq) : null,
          aside: dev ? (await setAsideSeqs(dev.db)).has(op.seq) : null,
          deviceState: dev
            ? JSON.stringify((await dev.db.states.get([op.e, op.id]))?.f[op.f])?.slice(0, 300)
            : null,
        });
      }
    }
  }
  if (lostWrites > 0) violations.push(`écritures perdues : ${lostSample.join(', ')}…`);

  // (3) Invariants: statuses never went back (observed above); two patients in one room stay
  // visible as a double booking.
  const rows = async <T>(e: string) => (await store.rows(ORG, e)) as T[];
  const visits = await rows<Visit>('visit');
  const entries = (await rows<QueueEntry>('queueEntry')).filter((e) => !e._deleted);
  const notes = await rows<Consultation>('consultation');
  const signatures = await rows<Signature>('signature');
  const acks = await rows<ContradictionAck>('contradictionAck');
  const doubles = roomDoubleBookings(entries);
  const perRoom = new Map<string, number>();
  for (const q of entries) {
    if (q.roomId && ['called', 'in_consultation'].includes(q.status.status)) {
      perRoom.set(q.roomId, (perRoom.get(q.roomId) ?? 0) + 1);
    }
  }
  for (const [room, n] of perRoom) {
    if (n > 1 && !doubles.some((x) => x.roomId === room)) {
      violations.push(`salle ${room} : ${n} patients sans conflit visible`);
    }
  }
  // Indicators count one consultation per visit and service.
  const counted = countedConsultations(notes, { signatures, acknowledgements: acks });
  const countedKeys = counted.map((c) => `${c.visitId}|${c.serviceId}`);
  if (new Set(countedKeys).size !== countedKeys.length) {
    violations.push('indicateurs : une visite comptée deux fois');
  }

  // (4) Silent contradictions: breaches found independently that neither dayContradictions nor
  // a field conflict names.
  const conflicted = new Set<string>();
  for (const st of allStates) {
    const n = conflictsOf(st, entitySpec).length;
    extra.conflicts += n;
    if (n > 0 && st.e === 'queueEntry') conflicted.add(st.id);
  }
  const reported = dayContradictions({
    visits,
    queueEntries: entries,
    consultations: notes,
    signatures,
    acknowledgements: acks,
  });
  for (const c of reported) extra.contradictions[c.kind] = (extra.contradictions[c.kind] ?? 0) + 1;
  const breaches = findBreaches({ visits, entries, notes, signatures, acks });
  wstats.doubleTakeIns = breaches.filter((b) => b.kind === 'two_consultations').length;
  const silent = silentBreaches(breaches, reported, conflicted).map(
    (b) => `${b.kind} : ${b.detail}`,
  );
  // A contradiction the independent check does not find is a disagreement too (a false alarm).
  for (const c of unfoundContradictions(breaches, reported)) {
    violations.push(`contradiction sans manquement : ${c.id}`);
  }

  // Pruning (decision 0027): whether central's horizon moved at all, and what its guard refused
  // (an honest device never writes below it: such a refusal shows as set aside, a violation).
  const reached = await currentHorizon(central.mem.store, central.accounts, ORG, clock.now);
  extra.horizonReached = reached.horizon ? 1 : 0;
  extra.belowHorizon = (await central.mem.store.quarantined(ORG, 100_000)).filter((q) =>
    q.reason.includes('horizon'),
  ).length;

  // Partner tasks above the horizon (decision 0027, « Partner tasks »): every op central wrote for
  // its partners after a horizon of its epoch was computed (a higher sequence than the log head
  // it names) is above it — a replica that adopted it would otherwise ignore the op. Horizons of
  // an earlier epoch name another log (a restore): not comparable by sequence.
  const epochNow = await central.mem.store.epoch();
  const horizons = [...announced]
    .filter(([key]) => key.startsWith(`${epochNow}|`))
    .map(([, h]) => h);
  extra.horizonsAnnounced = announced.size;
  extra.retractions += await relay.mem.store.retractionCount(ORG);
  for (const { s, op } of (await central.mem.store.pull(ORG, 0, 1e12)).ops) {
    if (!isOriginOf(op.dev, PARTNER_ORIGIN)) continue;
    extra.partnerOpsChecked++;
    const below = horizons.find((h) => h.seq < s && op.hlc <= h.hlc);
    if (below) {
      violations.push(
        `tâche partenaire sous l'horizon : ${op.e}/${op.id}.${op.f} ${op.hlc} ≤ ${below.hlc} (annoncé à ${below.seq}, écrit à ${s})`,
      );
    }
  }

  await relay.app.close();
  await central.app.close();
  for (const d of devices) d.db.close();
  marks.checks = cpuNow() - started - marks.setup - marks.day - marks.heal;
  if (process.env.SIM_TIMING) console.error(seed, marks);

  return {
    seed,
    converged,
    lostWrites,
    violations,
    silent,
    stats: { ...wstats, ...net.stats, ...extra },
    ms: Math.round(cpuNow() - started),
  };

  /** Nothing left to move: every outbox empty (but what a server refused) and the relay
   * holding what central holds. */
  async function quiet(): Promise<boolean> {
    if ((await relay.mem.store.lastSeq(ORG)) === 0) return false;
    if ((await relay.mem.store.digest(ORG)) !== (await central.mem.store.digest(ORG))) return false;
    for (const d of devices) {
      const aside = await setAsideSeqs(d.db);
      if ((await outboxOps(d.db)).some((op) => !aside.has(op.seq))) return false;
      // Caught up with the first server it reaches.
      const server = d.servers[0]!;
      const head = await (server === 'http://relay' ? relay : central).mem.store.lastSeq(ORG);
      if (((await getMeta<number>(d.db, META.checkpoint(server))) ?? 0) < head) return false;
    }
    return true;
  }

  /**
   * A device brought into service mid-day (a second reception or coordination tablet), with the
   * truck on the road: the coordination enrols it at central (its code typed while the 4G was
   * up), the person signs in, it syncs once there,
   * and from then on it reaches only the relay — which answers 503 until it has fetched the
   * credentials again. It starts holding nothing: a snapshot (or the log) while the others go on.
   */
  async function join(): Promise<void> {
    // A second laptop in a modular room only with `roomJoiner`: two devices of one room can
    // edit and sign one note apart, and the edit the server then refuses (« Note signée ») is set
    // aside on its device, its row taken back from the server (docs/architecture.md).
    // One in three (of the others) a second coordination tablet: the whole organisation, whose
    // snapshot comes pruned once central has a horizon (decision 0027, « Snapshots pruned »).
    const kind = joinRnd();
    const inRoom = kind < 0.5 && options.roomJoiner === true;
    const room = inRoom ? ROOMS[2 + Math.floor(joinRnd() * 2)]! : null;
    const coordination = !inRoom && kind >= 2 / 3;
    const d = await startDevice(net, clock, central, {
      name: room ? `laptop-${room}-2` : coordination ? 'coordination-2' : 'reception-2',
      profile: room ? 'room' : coordination ? 'coordination' : 'reception',
      roomId: room,
      staffId: room ? STAFF[room] : coordination ? STAFF.coordination : STAFF.reception,
      skewMs: Math.round((joinRnd() * 2 - 1) * HOUR),
      servers: ['http://relay', 'http://central'],
      random: prng(seed * 31 + devices.length),
    });
    await signIn(central, d);
    // Enrolled and signed in where central answers (the truck's 4G up a moment): its first sync
    // is there too, retried as the enrolment screen does, so it learns the server's time before
    // anyone writes on it (its sign-in opened the session by central's clock).
    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await d.client.syncNow()).state === 'ok') break;
    }
    net.setLink(d.name, 'central', false);
    devices.push(d);
    extra.midDayJoins++;
    if (room) extra.roomJoins++;
    if (coordination) extra.coordinationJoins++;
  }

  /**
   * A rogue (or buggy) device pushes, raw over HTTP, good ops around poison ones: a sequence
   * beyond a 32-bit integer, a NUL in a row id. The poison is refused and quarantined; the good
   * ops, sent again without it as the protocol says, go through.
   */
  async function rogue(): Promise<void> {
    const name = `rogue-${seed}`;
    const token = await enrolAt(central, name, 'coordination');
    let c = createClock(name);
    let seq = 0;
    const op = (id: string, s?: number): Op => {
      const t = tick(c, clock.now);
      c = t.clock;
      return {
        v: SCHEMA_VERSION,
        org: ORG,
        dev: name,
        seq: s ?? ++seq,
        hlc: t.hlc,
        e: 'room',
        id,
        f: 'name',
        k: 'set',
        val: `Salle ${id.length}`,
        base: [],
      };
    };
    const good1 = op(`rogue-room-${seed}-a`);
    const nul = op(`rogue\u0000${seed}`);
    const good2 = op(`rogue-room-${seed}-b`);
    const huge = op(`rogue-room-${seed}-c`, 2 ** 31);
    let batch = [good1, nul, good2, huge];
    extra.poisonPushed += 2;
    let target = chance(0.5) ? 'relay' : 'central';
    for (let attempt = 0; attempt < 5 && batch.length > 0; attempt++) {
      const app = target === 'relay' ? relay.app : central.app;
      const res = await app.inject({
        method: 'POST',
        url: '/api/sync',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          deviceId: name,
          org: ORG,
          since: 0,
          ops: batch,
        }),
      });
      if (res.statusCode === 200) break;
      if (res.statusCode === 503 && target === 'relay') {
        // A device enrolled a moment ago is not known to the relay yet: it reaches central.
        target = 'central';
        continue;
      }
      if (res.statusCode >= 500) violations.push(`poison : ${target} a répondu ${res.statusCode}`);
      const body = res.json() as {
        details?: { refused?: { seq?: number }[]; seq?: number; index?: number };
      };
      const refused = new Set<number>();
      for (const r of body.details?.refused ?? [])
        if (typeof r.seq === 'number') refused.add(r.seq);
      if (typeof body.details?.seq === 'number') refused.add(body.details.seq);
      if (typeof body.details?.index === 'number') refused.add(batch[body.details.index]!.seq);
      if (refused.size === 0) {
        violations.push(`poison : refus sans opération nommée (${res.statusCode})`);
        break;
      }
      batch = batch.filter((o) => !refused.has(o.seq));
    }
    committed.push(good1, good2);
    rogueKept = { token, ops: [good1, good2] };
    const q = await (target === 'relay' ? relay : central).mem.store.quarantined(ORG, 100);
    extra.poisonQuarantined += q.filter((x) => x.dev === name).length;
  }
}

/**
 * A write is accounted for when the state still holds it: a current head or a value some later
 * writer saw and superseded (registers), a live or knowingly removed tag (sets), the insert or a
 * kept duplicate (immutable rows).
 */
function isAccountedFor(row: RowState | undefined, op: Op): boolean {
  const field = row?.f[op.k === 'ins' ? '*' : op.f];
  if (!field) return false;
  if (field.t === 'r') return field.heads.some((h) => h.h === op.hlc) || field.dom.includes(op.hlc);
  if (field.t === 's') {
    return (
      field.rm.includes(op.hlc) || Object.values(field.el).some((el) => el.tags.includes(op.hlc))
    );
  }
  return field.h === op.hlc || field.others.some((o) => o.h === op.hlc);
}

export type { SimServer };
