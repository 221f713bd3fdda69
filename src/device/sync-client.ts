// The sync loop, driven by the page (no Background Sync API on Safari/Firefox, docs/design.md §8).
// One round trip pushes a byte-bounded slice of the outbox and pulls a page "after N"; it loops
// while the server has more or the outbox is not empty. Servers are tried in order (the truck's
// relay, then central) with one checkpoint per server. One tab leads (Web Locks); every tab
// sees the status through a live query on meta.

import { SCHEMA_VERSION } from '../domain/entities';
import { localDate } from '../domain/time';
import type { Op } from '../sync/op';
import { type DeviceReport, PROTOCOL_VERSION, type SyncResponse } from '../sync/protocol';
import { adoptAssignment } from './assignment';
import { dayReporter, rememberClosings } from './closure-report';
import { type EscaleDb, FOLD_PREFIX, getMeta, getWriter, META } from './db';
import { DataLockedError, isSealed, markRawTransaction } from './encryption';
import { prunedAt, pruneHeld } from './horizon';
import { onLocalWrite } from './local-writes';
import {
  actionRecord,
  firstOf,
  type OutboxRecord,
  type OutboxTable,
  opsBetween,
  opsOf,
} from './outbox';
import { devicePosition } from './position';
import { retractedAfter, takeRetractions } from './retractions';
import { learnServerTime } from './server-time';
import { refusedByServer, setAside, setAsideSeqs, unsentCounts } from './set-aside';
import {
  loadSnapshot,
  markReplace,
  type ReloadMark,
  reloadMeta,
  SnapshotUnavailable,
  wantsSnapshot,
} from './snapshot';
import { INITIAL_SYNC_STATUS, type SyncStatus } from './sync-status';
import {
  createSyncTransport,
  HttpError,
  NetworkError,
  NotYetKnown,
  Revoked,
  SessionRequired,
  SYNC_MESSAGES,
  Unrecognised,
  UpdateRequired,
} from './sync-transport';
import { applyRemote, replayParked } from './write';

export { SYNC_MESSAGES } from './sync-transport';

/** What the client needs of an EventSource (the server sends named `poke` events). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export interface SyncClientOptions {
  db: EscaleDb;
  /** Sync servers in order of preference: the truck's relay first, central second. */
  servers: string[];
  fetch?: typeof fetch;
  /** Opens the live channel (SSE); none when absent and the platform has no EventSource. */
  eventSource?: ((url: string) => EventSourceLike) | null;
  /** Wall clock (ms). */
  now?: () => number;
  /** The truck's day ('YYYY-MM-DD'), whose rows a snapshot brings first (default: now's, in
   * Paris). A bench replays a day of the past. */
  today?: () => string;
  /** Extra request headers (e.g. the device's credentials). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Upper bound of the pushed ops per request, in bytes of JSON (halved on 413). */
  maxPushBytes?: number;
  /** Soft cap asked for each pulled page. */
  maxPullBytes?: number;
  /** Give up on a server that does not answer within this delay. */
  timeoutMs?: number;
  /** Delay after a local write before syncing (writes in a burst share one round trip). */
  debounceMs?: number;
  /** Backoff after a failure: base, doubled per failure, capped, with jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Safety-net poll after a success, for when the live channel is down. */
  pollMs?: number;
  /** Web Locks (navigator.locks) for leader election; null: this tab leads. */
  locks?: Pick<LockManager, 'request'> | null;
  /** Window-like target for `online` and `visibilitychange` events. */
  events?: {
    addEventListener(type: string, fn: () => void): void;
    removeEventListener(type: string, fn: () => void): void;
  } | null;
  isVisible?: () => boolean;
  random?: () => number;
  /** Ask the server for its state digest at the end of each complete pull (tests, diagnosis). */
  withDigest?: boolean;
  /** The coordination withdrew this device (403 revoked): the client stops; the page wipes it. */
  /** While true, runs do nothing (the device's clinical data is locked: see encryption.ts). */
  paused?: () => boolean | Promise<boolean>;
  onRevoked?: (message: string) => void;
  /** A fresh device loads a snapshot before pulling (docs/protocol.md, Snapshot); default on. */
  snapshots?: boolean;
  /** The app version and profile reported with each sync (the coordinator's device list). */
  describe?: () => { appVersion: string | null; profile: DeviceReport['profile'] };
}

export interface SyncClient {
  /** Runs round trips until up to date (or failure); resolves with the status written. */
  syncNow(): Promise<SyncStatus>;
  /** Competes for leadership, then syncs on every trigger. */
  start(): void;
  stop(): void;
  /** Whether this tab currently leads the sync. */
  readonly isLeader: boolean;
}

const KiB = 1024;

/** What the device keeps of a 403 session_required until that person signs in (META). */
export interface SessionRequiredNotice {
  staffId: string;
  /** The server's French sentence, naming the person. */
  message: string;
}

const encoder = new TextEncoder();
const sizeOf = (op: Op): number => encoder.encode(JSON.stringify(op)).length + 1;

export function checkpointKey(server: string): string {
  return META.checkpoint(server);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The wait before retry number `failures` (≥ 1): base·2ⁿ⁻¹ capped, with "equal jitter" (half
 * fixed, half drawn from `draw` in [0, 1)) so that the devices of a fleet do not retry together.
 */
export function retryDelay(failures: number, baseMs: number, capMs: number, draw: number): number {
  const exp = Math.min(capMs, baseMs * 2 ** (failures - 1));
  return exp / 2 + (draw * exp) / 2;
}

export function createSyncClient(options: SyncClientOptions): SyncClient {
  const { db } = options;
  const servers = options.servers.map(trimSlash);
  if (servers.length === 0) throw new Error('Aucun serveur de synchronisation configuré.');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const debounceMs = options.debounceMs ?? 100;
  const backoffBaseMs = options.backoffBaseMs ?? 2_000;
  const backoffCapMs = options.backoffCapMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 60_000;
  const maxPullBytes = options.maxPullBytes ?? 1024 * KiB;
  const events =
    options.events === undefined
      ? ((globalThis as { window?: SyncClientOptions['events'] }).window ?? null)
      : options.events;
  const isVisible =
    options.isVisible ??
    (() => (globalThis as { document?: Document }).document?.visibilityState !== 'hidden');
  const locks =
    options.locks === undefined
      ? ((globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks ?? null)
      : options.locks;
  const openEventSource =
    options.eventSource === undefined
      ? typeof EventSource === 'undefined'
        ? null
        : (url: string) => new EventSource(url) as EventSourceLike
      : options.eventSource;

  /** Push budget per server: halved by a 413, kept for the life of the client. */
  const pushBytes = new Map<string, number>();
  let running: Promise<SyncStatus> | null = null;
  let again = false;
  let failures = 0;
  /** This run met ops it could not open (device locked): said in the status. */
  let lockedWork = false;
  let stopped = true;
  let updateRequired = false;
  let leader = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  let releaseLock: (() => void) | null = null;
  let source: EventSourceLike | null = null;
  let sourceUrl: string | null = null;
  const cleanups: (() => void)[] = [];

  async function readStatus(): Promise<SyncStatus> {
    return { ...INITIAL_SYNC_STATUS, ...(await getMeta<SyncStatus>(db, META.syncStatus)) };
  }

  async function writeStatus(patch: Partial<SyncStatus>): Promise<SyncStatus> {
    return db.transaction('rw', db.meta, db.outbox, async () => {
      const next: SyncStatus = {
        ...(await readStatus()),
        ...patch,
        pending: await db.outbox.count(),
      };
      await db.meta.put({ key: META.syncStatus, value: next });
      return next;
    });
  }

  /** The device's credential from its enrolment (docs/protocol.md, Authentication). */
  async function token(): Promise<string | null> {
    const credential = await getMeta<{ token?: string }>(db, META.credential);
    return credential?.token ?? null;
  }

  async function bearer(): Promise<Record<string, string>> {
    const t = await token();
    return t ? { authorization: `Bearer ${t}` } : {};
  }

  async function identity(): Promise<{ deviceId: string; org: string }> {
    const [deviceId, org] = await Promise.all([
      getMeta<string>(db, META.deviceId),
      getMeta<string>(db, META.org),
    ]);
    if (!deviceId || !org) throw new HttpError(0, SYNC_MESSAGES.notEnrolled);
    return { deviceId, org };
  }

  /**
   * The oldest outbox ops after seq `from` whose JSON fits in `budget` bytes (at least one).
   * Every op up to the last seq issued is first marked offered (`offered` in META.writer), in a transaction
   * the write path's excludes, and only those are read: an op a server may have received is
   * never replaced by a later value of its field (src/sync/coalesce.ts).
   */
  async function outboxSlice(budget: number, from: number): Promise<{ ops: Op[]; bytes: number }> {
    const offered = await db.transaction('rw', db.meta, async () => {
      const writer = await getWriter(db);
      const last = writer.lastSeq ?? 0;
      const before = writer.offered ?? 0;
      if (last > before) {
        await db.meta.put({ key: META.writer, value: { ...writer, offered: last } });
        // Every op is offered now: nothing folds into one any more (write.ts, the fold index).
        await db.meta.where('key').startsWith(FOLD_PREFIX).delete();
      }
      return Math.max(last, before);
    });
    return sliceOf(db.outbox, budget, from, offered, await setAsideSeqs(db));
  }

  /** Kept copies of ops durable at central, `from` < seq ≤ `to`, within `budget` bytes. */
  async function sentSlice(budget: number, from: number, to: number) {
    return sliceOf(db.sent as unknown as OutboxTable, budget, from, to, new Set<number>());
  }

  /**
   * The ops of up to 256 records holding ops after `after` (outbox: one record per action,
   * keyed by its last op, outbox.ts; sent: one per op). On a locked device (reception or the
   * display between two people) the records sealed with the data key cannot be opened: only the
   * clear ones before the first sealed one are read, and `sealed` says the rest waits for
   * someone to unlock. `last`: the key of the last record read.
   */
  async function chunkOf(
    table: OutboxTable,
    after: number,
    to: number,
  ): Promise<{ chunk: Op[]; last: number | null; sealed: boolean }> {
    const range = () => table.where('seq').above(after).limit(256).toArray();
    const flat = (records: OutboxRecord[]) => ({
      chunk: opsBetween(records, after, to),
      last: records.length > 0 ? records[records.length - 1]!.seq : null,
    });
    try {
      return { ...flat(await range()), sealed: false };
    } catch (error) {
      // Dexie may hand the middleware's error on wrapped: recognised by its name.
      if (
        !(error instanceof DataLockedError) &&
        (error as Error | null)?.name !== 'DataLockedError'
      ) {
        throw error;
      }
      const stored = await db.transaction('r', table, (tx) => {
        markRawTransaction(tx.idbtrans);
        return range();
      });
      const first = stored.findIndex((rec) => isSealed(rec));
      return { ...flat(stored.slice(0, first < 0 ? stored.length : first)), sealed: true };
    }
  }

  async function sliceOf(
    table: OutboxTable,
    budget: number,
    from: number,
    to: number,
    skip: ReadonlySet<number>,
  ): Promise<{ ops: Op[]; bytes: number; sealed?: boolean }> {
    const ops: Op[] = [];
    let bytes = 0;
    let after = from;
    for (;;) {
      if (after >= to) return { ops, bytes };
      const { chunk, last, sealed } = await chunkOf(table, after, to);
      if (sealed && chunk.length === 0) return { ops, bytes, sealed };
      if (last === null) return { ops, bytes };
      // An action may be cut here: the next slice starts after its last op sent.
      for (const op of chunk) {
        if (skip.has(op.seq)) continue;
        const size = sizeOf(op);
        if (ops.length > 0 && bytes + size > budget) return { ops, bytes };
        ops.push(op);
        bytes += size;
      }
      if (sealed) return { ops, bytes, sealed };
      after = last;
    }
  }

  /**
   * Ops durable at central leave the outbox for `sent`, where they stay until the purge after
   * the day's receipt: if central is restored from an older backup, it asks for them again
   * (`missing`). An action leaves once all its ops are durable; a set-aside op stays, alone in
   * its record (see set-aside.ts). By primary keys first: the records are sealed at rest
   * (encryption.ts) and are opened only to be moved.
   */
  async function keepDurable(durable: number, aside: ReadonlySet<number>): Promise<void> {
    if (durable <= 0) return;
    await db.transaction('rw', db.outbox, db.sent, async () => {
      const keys = await db.outbox.where('seq').belowOrEqual(durable).primaryKeys();
      // Records of set-aside ops only (their key is their last op) stay as they are.
      if (keys.every((seq) => aside.has(seq))) return;
      const records = (await db.outbox.bulkGet(keys)).filter(
        (rec): rec is OutboxRecord => rec !== undefined,
      );
      const done = records.flatMap(opsOf).filter((op) => !aside.has(op.seq));
      // An action holding a set-aside op keeps that op alone in its record.
      const kept = records
        .map((rec) => opsOf(rec).filter((op) => aside.has(op.seq)))
        .filter((ops) => ops.length > 0);
      await db.sent.bulkPut(done);
      await db.outbox.bulkDelete(records.map((rec) => rec.seq));
      if (kept.length > 0) await db.outbox.bulkPut(kept.map(actionRecord));
    });
  }

  const post = createSyncTransport({
    fetch: doFetch,
    timeoutMs,
    headers: async () => ({ ...(await bearer()), ...(await options.headers?.()) }),
  });

  const dayOf = dayReporter(db, servers);

  async function report(): Promise<DeviceReport> {
    const about = options.describe!();
    const [unsent, status, day, aside] = await Promise.all([
      // In ops, as the server counts what it holds of them (outbox.ts); set-aside ops are kept,
      // never sent: not pending (set-aside.ts).
      unsentCounts(db),
      getMeta<SyncStatus>(db, META.syncStatus),
      dayOf(),
      setAsideSeqs(db),
    ]);
    const asideNote =
      aside.size > 0
        ? `${aside.size} modification${aside.size > 1 ? 's' : ''} refusée${aside.size > 1 ? 's' : ''} par le serveur, gardée${aside.size > 1 ? 's' : ''} à part sur l’appareil.`
        : null;
    return {
      pending: unsent.ops,
      appVersion: (about.appVersion ?? 'inconnue').slice(0, 32),
      profile: about.profile,
      lastError: (status?.lastError ?? asideNote)?.slice(0, 500) ?? null,
      ...(day ? { day } : {}),
    };
  }

  /** The device's own ops 1..N it no longer holds: deleted once durable at central. */
  async function floorOf(): Promise<number> {
    // As stored: the record may be sealed on a locked device; its `first` stays in clear.
    const first = await db.transaction('r', db.outbox, (tx) => {
      markRawTransaction(tx.idbtrans);
      return db.outbox.orderBy('seq').first();
    });
    return first !== undefined ? firstOf(first) - 1 : ((await getWriter(db)).lastSeq ?? 0);
  }

  /**
   * A fresh device (nothing held from this server) loads its snapshot first, then pulls only
   * what came after S; a server without one for it (older, or a room's reading view) is replayed.
   */
  async function bootstrap(server: string, key: string): Promise<boolean> {
    if (options.snapshots === false || !(await wantsSnapshot(db, server, key))) return false;
    try {
      await loadSnapshot(db, server, key, {
        now,
        // The truck's day: its stop, roster and queue come first (docs/decisions/0030).
        day: options.today?.() ?? localDate(new Date(now()).toISOString()),
        get: async (path) => {
          const controller = new AbortController();
          const t = setTimeout(() => controller.abort(), timeoutMs);
          try {
            const res = await doFetch(`${server}${path}`, {
              headers: { ...(await bearer()), ...(await options.headers?.()) },
              signal: controller.signal,
            });
            // The body is read under the same delay: a stalled chunk is a network failure.
            const body = await res.arrayBuffer();
            return new Response(body, { status: res.status, headers: res.headers });
          } finally {
            clearTimeout(t);
          }
        },
        // Progress only: the device is up to date once the pull after S ends.
        progress: async (p) => {
          await writeStatus({
            server,
            pull: {
              reached: 0,
              target: p.seq,
              received: p.rows,
              pages: p.chunks,
              ...(p.usable ? { usable: true } : {}),
            },
          });
        },
      });
      return true;
    } catch (err) {
      if (!(err instanceof SnapshotUnavailable)) throw err;
      // A reload the server cannot serve after all: given up, the device pulls on.
      await db.meta.delete(reloadMeta(server));
      return false;
    }
  }

  /**
   * The server said `reload` (src/sync/reload.ts) and the outbox is pushed whole: the device
   * marks the reload and loads the snapshot that replaces its states (src/device/snapshot.ts),
   * then pulls on after S. False when the server could not serve one after all: the mark goes
   * and the device pulls on as before.
   */
  async function reload(server: string, key: string, view: string | undefined): Promise<boolean> {
    // Rows already marked to be taken back (set aside) stay marked.
    const held = await getMeta<ReloadMark>(db, reloadMeta(server));
    const mark: ReloadMark = {
      ...(held?.replace ? { replace: held.replace } : {}),
      ...(view === undefined ? {} : { view }),
    };
    await db.meta.put({ key: reloadMeta(server), value: mark });
    return bootstrap(server, key);
  }

  /** Round trips with one server until nothing is left to push or pull. */
  async function syncWith(server: string): Promise<void> {
    const { deviceId, org } = await identity();
    const key = checkpointKey(server);
    await bootstrap(server, key);
    // Each op is pushed once per run. The server may hold ops without acknowledging them yet
    // (a gap: earlier ones went to another server, e.g. the relay, that has not forwarded them);
    // they stay in the outbox until acknowledged, and are offered again at the next run. Ops it
    // acknowledged (`accepted`) are not sent to it again, but stay in the outbox until durable
    // at central (`durable`, docs/protocol.md).
    let pushedUpTo = 0;
    // During a closure the report must describe the day as held after this run's pull: one more
    // round trip carries it (docs/protocol.md, Closure).
    let dayReported = false;
    let dayChanged = false;
    // Pushes refused until someone signs in again (decision 0006): the outbox is kept whole and
    // the device goes on pulling the others' work; the refusal is reported at the end.
    let held: SessionRequired | null = null;
    // Gap recovery: kept copies asked for by central (`missing`), sent before the outbox; each
    // op at most once per run, so a server that keeps asking cannot hold the run in a loop.
    let resend: { from: number; to: number } | null = null;
    let resentUpTo = 0;
    // After a failed run, the first round trip pushes nothing: until a server answers, the
    // outbox is not offered to anyone, so autosaves typed meanwhile keep folding into one op
    // (src/sync/coalesce.ts) instead of each retry marking them as possibly sent.
    let probing = failures > 0;
    // What this pull brought so far, for the progress shown during a first sync.
    let received = 0;
    let pages = 0;
    // A reload the server could not serve after all: this run pulls on instead.
    let reloadDeclined = false;
    for (;;) {
      const budget = pushBytes.get(server) ?? options.maxPushBytes ?? 256 * KiB;
      const acked = (await getMeta<number>(db, META.acked(server))) ?? 0;
      const { ops, bytes, sealed }: { ops: Op[]; bytes: number; sealed?: boolean } =
        held || probing
          ? { ops: [], bytes: 0 }
          : resend
            ? await sentSlice(budget, resend.from, resend.to)
            : await outboxSlice(budget, Math.max(pushedUpTo, acked));
      if (sealed) lockedWork = true;
      const since = (await getMeta<number>(db, key)) ?? 0;
      const epoch = await getMeta<string>(db, META.epoch(server));
      const view = await getMeta<string>(db, META.view(server));
      const floor = await floorOf();
      const sent = await devicePosition(db);
      const hz = await prunedAt(db);
      const retracted = await retractedAfter(db, server, epoch);
      const sentAt = now();
      let res: SyncResponse;
      try {
        res = await post(server, {
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          deviceId,
          org,
          since,
          ...(epoch ? { epoch } : {}),
          ...(view ? { view } : {}),
          ...(floor > 0 ? { floor } : {}),
          ...(sent ? { sent } : {}),
          ops,
          maxBytes: maxPullBytes,
          ...(options.withDigest ? { digest: true } : {}),
          // The horizon it pruned at: a digest asked for is of the same form (decision 0027).
          ...(hz ? { hz } : {}),
          ...(retracted === undefined ? {} : { retracted }),
          ...(options.describe ? { status: await report() } : {}),
        });
      } catch (err) {
        if (err instanceof HttpError && err.status === 413) {
          if (ops.length <= 1) throw new HttpError(413, SYNC_MESSAGES.opTooLarge);
          pushBytes.set(server, Math.max(1, Math.floor(Math.min(budget, bytes) / 2)));
          continue;
        }
        if (err instanceof SessionRequired && !held) {
          held = err;
          continue;
        }
        // Ops the server refuses for good (docs/protocol.md, Quarantine): kept, set aside, and
        // the rest pushed again at once — one op never blocks the device.
        const refused =
          err instanceof HttpError && (err.status === 400 || err.status === 403)
            ? refusedByServer(err.body, deviceId, ops)
            : [];
        if (refused.length > 0) {
          const at = new Date(now()).toISOString();
          await setAside(
            db,
            refused.map((r) => ({ ...r, at })),
          );
          // Its own state still shows what was refused (a note edited after another laptop of
          // the room signed it): the next run takes those rows back from this server.
          if (options.snapshots !== false) {
            const seqs = new Set(refused.map((r) => r.seq));
            await markReplace(
              db,
              server,
              ops.filter((op) => seqs.has(op.seq)).map((op) => [op.e, op.id] as const),
            );
          }
          continue;
        }
        throw err;
      }
      probing = false;
      await learnServerTime(db, res.serverTime, sentAt, now());
      // Moved to another profile or room: the credential says so before the reload that follows.
      if (res.assigned) await adoptAssignment(db, res.assigned, servers);
      // Told to reload (docs/protocol.md, Reload): the page is not applied — the snapshot
      // replaces it — and the checkpoint, epoch and view stay as they were until it is loaded.
      // Ops the server's log no longer holds (decision 0033): the rows held of them are taken
      // back at the next run. Before this page: a row it brings holds none of them.
      if (res.retracted?.length && res.epoch) {
        await takeRetractions(db, server, res.retracted, {
          epoch: res.epoch,
          deviceId,
          now: new Date(now()).toISOString(),
          takeBack: options.snapshots !== false,
        });
      }
      const reloading =
        res.reload === true && options.snapshots !== false && !reloadDeclined && !held && !sealed;
      if (!reloading) {
        // Another epoch, or a checkpoint beyond the server's log: this page is from 0.
        if (res.reset) await db.meta.put({ key, value: 0 });
        await applyRemote(db, res.ops, key, res.lastSeq, {
          now,
          ...(res.horizon ? { horizon: res.horizon } : {}),
        });
        received += res.ops.length;
        pages += 1;
      }
      if (await rememberClosings(db, res.closing ?? [])) dayChanged = true;
      if (res.ops.length > 0 && (res.closing?.length ?? 0) > 0) dayChanged = true;
      if (!reloading && res.epoch) await db.meta.put({ key: META.epoch(server), value: res.epoch });
      // Only once the page is applied: a crash before leaves the old token, and the server
      // serves the reset again.
      if (!reloading && res.view) await db.meta.put({ key: META.view(server), value: res.view });
      if (resend) {
        // Kept copies sent again: go on after the last one, or back to the outbox once done.
        const last: number = ops.length > 0 ? ops[ops.length - 1]!.seq : resend.to;
        resentUpTo = Math.max(resentUpTo, last);
        resend = last >= resend.to ? null : { from: last, to: resend.to };
      } else if (ops.length > 0) pushedUpTo = ops[ops.length - 1]!.seq;
      // The server holds less than it acknowledged (restored, or reinstalled empty): send again
      // from what it holds now; what this device no longer has is below its floor.
      if (res.reset || res.accepted < acked) pushedUpTo = Math.min(pushedUpTo, res.accepted);
      await db.meta.put({ key: META.acked(server), value: res.accepted });
      // A version 1 server has no `durable`: its acknowledgement was its only word.
      const durable = res.durable ?? res.accepted;
      // Set-aside ops count as held on the server but stay here (see set-aside.ts).
      const aside = await setAsideSeqs(db);
      // By primary keys only: the rows are sealed at rest (encryption.ts), and a key range
      // never needs them opened.
      await keepDurable(durable, aside);
      // Central lacks some of this device's ops below its floor (restored from an older
      // backup): send them again from the kept copies, once per run.
      if (res.missing && !resend && res.missing.from > resentUpTo) {
        resend = { from: res.missing.from - 1, to: res.missing.to };
      }
      const from = Math.max(pushedUpTo, res.accepted);
      const morePush =
        !held &&
        !sealed &&
        (resend !== null ||
          (await db.outbox.where('seq').above(from).primaryKeys()).some((seq) => !aside.has(seq)));
      if (reloading && !morePush) {
        // The outbox is pushed whole: nothing typed is lost when the states are replaced.
        if (!(await reload(server, key, res.view))) reloadDeclined = true;
        continue;
      }
      await writeStatus({
        server,
        pull: res.hasMore
          ? {
              reached: res.lastSeq,
              target: Math.max(res.head ?? 0, res.lastSeq),
              received,
              pages,
            }
          : null,
        ...(res.digest === undefined ? {} : { serverDigest: res.digest }),
      });
      if (!res.hasMore && !morePush) {
        if (held) throw held;
        if (!options.describe || dayReported || !dayChanged) return;
        dayReported = true;
        continue;
      }
      // A server that says "more" without moving forward would keep this loop busy forever.
      if (res.hasMore && !res.reset && res.lastSeq <= since) {
        throw new HttpError(0, SYNC_MESSAGES.noProgress);
      }
    }
  }

  /** Once the horizon moved, the rows no write has rewritten since are pruned too, in batches
   * (src/device/horizon.ts); a failure there never fails the sync. */
  async function pruneAfterRun(): Promise<void> {
    try {
      await pruneHeld(db);
    } catch (error) {
      if (!stopped) console.error(error);
    }
  }

  async function runOnce(): Promise<SyncStatus> {
    if (updateRequired) return writeStatus({ state: 'update_required' });
    // Clinical data locked (page reloaded, nobody unlocked yet): nothing can be sealed or opened;
    // the page calls syncNow again once someone unlocks.
    if (await options.paused?.()) return writeStatus({});
    await writeStatus({ state: 'syncing', lastAttemptAt: new Date(now()).toISOString() });
    lockedWork = false;
    let lastError: Error | null = null;
    let unrecognised = false;
    for (const server of servers) {
      try {
        await syncWith(server);
        await pruneAfterRun();
        if (await getMeta(db, META.sessionRequired)) await db.meta.delete(META.sessionRequired);
        if (await getMeta(db, META.unrecognised)) await db.meta.delete(META.unrecognised);
        failures = 0;
        const status = await writeStatus({
          state: 'ok',
          server,
          awaitingUnlock: lockedWork,
          lastError: null,
          lastSuccessAt: new Date(now()).toISOString(),
          pull: null,
        });
        connectEvents(server);
        return status;
      } catch (err) {
        if (err instanceof Revoked) {
          stop();
          const status = await writeStatus({ state: 'error', server, lastError: err.message });
          options.onRevoked?.(err.message);
          return status;
        }
        if (err instanceof SessionRequired) {
          // Every server applies the same rule: no use trying the next one. Kept until the
          // person signs in (src/device/session.ts), which syncs again at once.
          const notice: SessionRequiredNotice = { staffId: err.staffId, message: err.message };
          await db.meta.put({ key: META.sessionRequired, value: notice });
          failures++;
          return writeStatus({ state: 'error', server, lastError: err.message });
        }
        if (err instanceof UpdateRequired) {
          updateRequired = true;
          clearTimer();
          return writeStatus({ state: 'update_required', server, lastError: err.message });
        }
        lastError = err instanceof Error ? err : new Error(String(err));
        if (err instanceof Unrecognised) unrecognised = true;
        // Unreachable, or broken beyond this client's reach (5xx): the next server may do. One
        // that does not know the credential neither: a relay that kept its disk still knows a
        // device enrolled after the backup central was restored from.
        const tryNext =
          err instanceof NetworkError ||
          err instanceof NotYetKnown ||
          err instanceof Unrecognised ||
          (err instanceof HttpError && err.status >= 500);
        if (!tryNext) break;
      }
    }
    failures++;
    // No server took the credential and at least one said it does not know it: the device must
    // enrol again (the shell offers it, src/ui/shell/RejoinBanner.tsx); its work stays queued.
    if (unrecognised) {
      const at = new Date(now()).toISOString();
      await db.meta.put({
        key: META.unrecognised,
        value: { message: SYNC_MESSAGES.unrecognised, at },
      });
      return writeStatus({ state: 'error', lastError: SYNC_MESSAGES.unrecognised });
    }
    // Transient: no server reachable, or one that cannot serve this device yet (its message).
    const offline = lastError instanceof NetworkError || lastError instanceof NotYetKnown;
    return writeStatus({
      state: offline ? 'offline' : 'error',
      lastError:
        lastError instanceof NetworkError
          ? SYNC_MESSAGES.offline
          : (lastError?.message ?? SYNC_MESSAGES.offline),
    });
  }

  function syncNow(): Promise<SyncStatus> {
    if (running) {
      again = true;
      return running;
    }
    const run = (async () => {
      let status: SyncStatus;
      do {
        again = false;
        status = await runOnce();
      } while (again && status.state === 'ok');
      return status;
    })();
    running = run.finally(() => {
      running = null;
      if (!stopped && leader) schedule();
    });
    return running;
  }

  /** A sync started by a trigger: its failure is already in the status; a closed database
   *  (page closing, device wiped) must not surface as an unhandled rejection. */
  function trigger(): void {
    syncNow().catch((error: unknown) => {
      if (!stopped) console.error(error);
    });
  }

  function clearTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  /** Next automatic attempt: backoff after failures, a slow poll after a success. */
  function schedule(): void {
    clearTimer();
    if (stopped || updateRequired) return;
    const delay =
      failures > 0 ? retryDelay(failures, backoffBaseMs, backoffCapMs, random()) : pollMs;
    timer = setTimeout(trigger, delay);
  }

  /** Syncs after `delay`; a later call restarts the wait (a burst of writes shares one trip). */
  function soon(delay = debounceMs): void {
    if (stopped || !leader || updateRequired) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      trigger();
    }, delay);
  }

  /** Another device's change is waiting on the server: no burst to wait for, fetch it now. */
  const fetchNow = () => soon(0);

  function connectEvents(server: string): void {
    if (!openEventSource || stopped || !leader) return;
    if (source && sourceUrl === server) return;
    source?.close();
    void token().then(
      (credential) => {
        if (!credential || stopped || !leader) return;
        sourceUrl = server;
        // The browser's EventSource reconnects by itself; a dead channel only costs the poll.
        // It cannot send headers: the credential goes in the query string (TLS protects it).
        source = openEventSource(`${server}/api/events?token=${encodeURIComponent(credential)}`);
        source.addEventListener('poke', fetchNow);
        source.addEventListener('message', fetchNow);
        // A poke sent before the channel (re)opened is lost: sync once it is open.
        source.addEventListener('open', fetchNow);
      },
      () => undefined,
    );
  }

  function becomeLeader(): void {
    leader = true;
    if (stopped) return;
    const onOnline = () => soon();
    const onVisible = () => {
      if (isVisible()) soon();
    };
    events?.addEventListener('online', onOnline);
    events?.addEventListener('visibilitychange', onVisible);
    cleanups.push(() => {
      events?.removeEventListener('online', onOnline);
      events?.removeEventListener('visibilitychange', onVisible);
    });
    cleanups.push(onLocalWrite(db.name, () => soon()));
    // Ops parked by an older version of the app may be understood now (cheap when none).
    void replayParked(db)
      .catch(() => {})
      .then(trigger);
  }

  function start(): void {
    if (!stopped) return;
    stopped = false;
    if (!locks) {
      becomeLeader();
      return;
    }
    // The callback holds the lock until stop(): one leader per database among the tabs.
    void locks
      .request(`escale-sync:${db.name}`, () => {
        if (stopped) return Promise.resolve();
        becomeLeader();
        return new Promise<void>((resolve) => {
          releaseLock = resolve;
        });
      })
      .catch(() => {
        if (!stopped && !leader) becomeLeader(); // Web Locks refused: better two leaders than none
      });
  }

  function stop(): void {
    stopped = true;
    leader = false;
    clearTimer();
    if (debounce) clearTimeout(debounce);
    debounce = null;
    for (const c of cleanups.splice(0)) c();
    source?.close();
    source = null;
    sourceUrl = null;
    releaseLock?.();
    releaseLock = null;
  }

  return {
    syncNow,
    start,
    stop,
    get isLeader() {
      return leader;
    },
  };
}
