// Snapshots for bootstrap (docs/protocol.md, Snapshot; docs/decisions/0026-snapshots.md): what a
// device would hold after pulling the log up to S, folded from the pull's own pages cut by the
// pull's own function (visibleOps of routes/sync.ts), so any change to what a profile receives
// applies to snapshots too. Encoded by src/sync/snapshot.ts, cut in chunks, each compressed with
// brotli once and kept in memory per organisation, cut (profile, room, excluded device) and S.
// A newer snapshot is folded from the previous one plus the ops after it, not from 0. The cut
// of a device that adopts a horizon (the whole organisation's) is pruned at the organisation's
// horizon before encoding (decision 0027, « Snapshots pruned »), and its manifest names it.
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';
import type { Viewer } from '../domain/access';
import { entitySpec, SCHEMA_VERSION } from '../domain/entities';
import type { Hlc } from '../sync/hlc';
import type { SeqOp } from '../sync/protocol';
import { type Horizon, pruneFold } from '../sync/prune';
import {
  bodiesOf,
  bodyRows,
  chunkParts,
  emptyFold,
  type Fold,
  foldOf,
  foldOps,
  type SnapshotManifest,
  snapshotParts,
} from '../sync/snapshot';
import { usableRows } from '../sync/usable';
import type { SyncStore } from './store/types';

/** How chunks are compressed and read back. */
export interface ChunkCodec {
  compress(text: string, quality: number): Promise<Buffer>;
  decompress(chunk: Buffer): Promise<Buffer>;
}

/** On libuv's thread pool: a registry's chunks at quality 9 would hold the event loop. The
 * simulation gives a synchronous one instead (tests/sim/world.ts): work whose end follows the
 * host's speed would make a seed's course depend on the machine it runs on. */
export const threadPoolCodec: ChunkCodec = {
  compress: (text, quality) =>
    promisify(brotliCompress)(text, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
  decompress: (chunk) => promisify(brotliDecompress)(chunk),
};

/** The cut of the log a device's pull gives it (visibleOps in routes/sync.ts). */
export type CutOps = (
  store: SyncStore,
  org: string,
  viewer: Viewer,
  ops: SeqOp[],
) => Promise<SeqOp[]>;

export interface SnapshotOptions {
  /** Bytes of text per chunk (before compression). */
  chunkBytes?: number;
  /** A cached snapshot is served while the log has moved on by at most this many numbers: the
   * device pulls the rest. Beyond, a newer one is folded from it. */
  staleOps?: number;
  /** Bytes per page of the log read while folding. */
  pageBytes?: number;
  brotliQuality?: number;
  /** Default: `threadPoolCodec`. */
  codec?: ChunkCodec;
  /**
   * The organisation's horizon now (central: `currentHorizon`; a relay: `relayHorizon`, central's
   * as it adopted it, with its own log's head; src/server/horizon.ts). Absent, or null: snapshots
   * are not pruned.
   */
  horizon?: (org: string) => Promise<Horizon | null>;
  /**
   * The epoch the horizons belong to when it is not this store's own (a relay: central's epoch,
   * `relayHorizonEpoch`). A snapshot pruned at a horizon of one epoch is neither served nor
   * folded from once it has changed (central restored: the relay dropped its horizon, and a
   * device not yet pruned must not start pruning there). Absent (central): the store's epoch,
   * which the cache checks already.
   */
  horizonEpoch?: (org: string) => Promise<string | null>;
}

/**
 * Whether a snapshot of this cut may be pruned (decision 0027, « Snapshots pruned »): only the
 * whole organisation's (the coordination's, the one profile whose devices adopt a horizon:
 * src/device/horizon.ts, holdsWholeOrganisation), and only when it leaves out no device's ops —
 * a device's own ops are not in its bootstrap's fold but in the rows it holds, and a row pruned
 * without them could not be joined with those (a superseded clock it names would be gone).
 */
export const prunesCut = (viewer: Viewer, exclude: string | undefined, room: boolean): boolean =>
  viewer.profile === 'coordination' && exclude === undefined && !room;

/**
 * Whether a fold parks an op at or below `hz`, the horizon its rows were pruned at (decision
 * 0027, « Snapshots pruned »). A fold from a pruned previous snapshot keeps that horizon; an op
 * entering the log after it with an older clock (only one that skips central's guard: a newer
 * schema's, forwarded by a relay) is parked by the fold, not applied. Served so, the device
 * would hold rows pruned at `hz` and could not adopt it (an op it holds parked caps its horizon:
 * `adoptable`): its digests and day proofs would differ from central's for as long as the op
 * stays parked, and the op, applied after an upgrade, would be ignored on those rows as a
 * duplicate. Such a fold is made again from 0, which `pruneFold` then leaves unpruned.
 */
export const parksBelow = (fold: Fold, hz: Hlc | null): boolean =>
  hz !== null && fold.parked.some((p) => p.op.hlc <= hz);

export interface CachedSnapshot {
  manifest: SnapshotManifest;
  /** Each chunk's text, brotli-compressed. */
  chunks: Buffer[];
  /** The horizon its rows were pruned at (also in the manifest, `hz`). */
  hz?: Hlc;
  /** The epoch that horizon belongs to (`SnapshotOptions.horizonEpoch`), read before it. */
  hzEpoch?: string | null;
  /** The log's rewrite marker (`SyncStore.rewritten`) when it was folded: once entries left
   * the log (a retraction, an archived record), it is neither served nor folded from. */
  rewritten: string;
  /** A room's: what its cut depended on (RoomCut.basis) and the notes it left out. */
  basis?: string;
  withheld?: string[];
}

/**
 * A room's cut for one snapshot (routes/snapshot.ts): the pull's own cut from 0 under the scope
 * and readers of now. It depends, beyond the log, on the room's scope and who reads on it, so a
 * room's snapshot is the device's own, reused only while the log has not moved and under the
 * same basis, never folded from a previous one (a patient entering the scope needs its whole
 * history), and folded only up to `upTo`, the log's end when the scope was computed: the ops
 * after are the pull's, which brings whole the patients they make enter.
 */
export interface RoomCut {
  basis: string;
  upTo: number;
  ops: (page: SeqOp[]) => Promise<SeqOp[]>;
  /** Filled by `ops` with the notes left out (the reading view's `withheld`). */
  withheld: Set<string>;
}

/**
 * The key of what a device's pull gives it: its profile and room decide the cut (viewOp), and
 * the pull leaves out the device's own ops and those it brought (store.pull's `excludeDev`) —
 * so a device with ops in the log, or a relay, gets a snapshot of its own.
 */
export function cutKey(viewer: Viewer, deviceId: string, ownOps: boolean): string {
  return [viewer.profile, viewer.roomId ?? '', ownOps ? deviceId : ''].join('\u0000');
}

/**
 * A reload's cut (docs/decisions/0026-snapshots.md, « Devices holding states »): the device's
 * states are replaced, so the snapshot keeps the device's own ops (it may have dropped those
 * acknowledged) — the shared snapshot of its profile and room, which excludes no device; a
 * room's own, apart from the one that leaves its ops out.
 */
export function reloadKey(viewer: Viewer, deviceId: string): string {
  return viewer.profile === 'room'
    ? `${cutKey(viewer, deviceId, true)}\u0000reload`
    : cutKey(viewer, deviceId, false);
}

/** The snapshot cache of the server over each store (the sync route reads a cut's rows). */
export const snapshotCaches = new WeakMap<SyncStore, SnapshotCache>();

/** What a reload asks of a snapshot: its own ops kept, and S at least the log's end when asked
 * (the device's ops pushed just before are all in it: the pull after S leaves them out). */
export interface ReloadCut {
  atLeast: number;
}

export class SnapshotCache {
  /** Per org + cut key: the newest snapshots (the previous one kept for downloads under way). */
  private readonly entries = new Map<string, CachedSnapshot[]>();
  private readonly building = new Map<string, Promise<CachedSnapshot>>();
  private readonly chunkBytes: number;
  private readonly staleOps: number;
  private readonly pageBytes: number;
  private readonly quality: number;
  private readonly horizon: SnapshotOptions['horizon'];
  private readonly codec: ChunkCodec;
  private readonly horizonEpoch: SnapshotOptions['horizonEpoch'];
  /** Counts of folds from 0 and from a previous snapshot (tests read them). */
  readonly stats = { full: 0, incremental: 0 };

  constructor(
    private readonly store: SyncStore,
    private readonly cut: CutOps,
    options: { [K in keyof SnapshotOptions]?: SnapshotOptions[K] | undefined } = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? 2 * 1024 * 1024;
    this.staleOps = options.staleOps ?? 2000;
    this.pageBytes = options.pageBytes ?? 4 * 1024 * 1024;
    this.quality = options.brotliQuality ?? 9;
    this.horizon = options.horizon;
    this.codec = options.codec ?? threadPoolCodec;
    this.horizonEpoch = options.horizonEpoch;
  }

  /** The epoch of the horizons now (undefined: the store's own, checked with the log's). */
  private async currentHorizonEpoch(org: string): Promise<string | null | undefined> {
    return this.horizonEpoch ? await this.horizonEpoch(org) : undefined;
  }

  /** Whether a snapshot's pruning still holds: unpruned, or pruned in the horizons' epoch now. */
  private async pruneHolds(snap: CachedSnapshot, org: string): Promise<boolean> {
    return snap.hz === undefined || snap.hzEpoch === (await this.currentHorizonEpoch(org));
  }

  /**
   * A snapshot for this cut whose first part is `day`'s (src/sync/usable.ts), reused while recent
   * enough and for the same day, else folded anew (one fold at a time).
   */
  async current(
    org: string,
    viewer: Viewer,
    deviceId: string,
    ownOps: boolean,
    day: string,
    room?: RoomCut,
    reload?: ReloadCut,
  ): Promise<CachedSnapshot> {
    const key = `${org}\u0001${
      reload ? reloadKey(viewer, deviceId) : cutKey(viewer, deviceId, ownOps || room !== undefined)
    }`;
    const atLeast = reload?.atLeast ?? 0;
    const pending = this.building.get(key);
    if (pending) {
      const made = await pending;
      if (
        made.manifest.day === day &&
        made.basis === room?.basis &&
        made.manifest.seq >= atLeast &&
        made.rewritten === (await this.store.rewritten(org)) &&
        (await this.pruneHolds(made, org))
      )
        return made;
    }
    const [latest] = this.entries.get(key) ?? [];
    const last = await this.store.lastSeq(org);
    const epoch = await this.store.epoch();
    const rewritten = await this.store.rewritten(org);
    if (
      latest &&
      latest.manifest.epoch === epoch &&
      latest.rewritten === rewritten &&
      latest.manifest.day === day &&
      latest.basis === room?.basis &&
      latest.manifest.seq >= atLeast &&
      last - latest.manifest.seq <= (room ? 0 : this.staleOps) &&
      (await this.pruneHolds(latest, org))
    ) {
      return latest;
    }
    const build = this.build(
      org,
      viewer,
      !reload && (ownOps || room) ? deviceId : undefined,
      epoch,
      day,
      room ? undefined : latest,
      room,
    ).then((made) => {
      const kept = (this.entries.get(key) ?? []).filter((e) => e.manifest.epoch === epoch);
      this.entries.set(key, [made, ...kept].slice(0, 2));
      return made;
    });
    this.building.set(key, build);
    try {
      return await build;
    } finally {
      this.building.delete(key);
    }
  }

  /** A snapshot of this device's cut by its id, while kept (a reload's too). */
  find(org: string, viewer: Viewer, deviceId: string, ownOps: boolean, id: string) {
    const keys = [
      cutKey(viewer, deviceId, ownOps || viewer.profile === 'room'),
      reloadKey(viewer, deviceId),
    ];
    for (const key of keys) {
      const found = (this.entries.get(`${org}\u0001${key}`) ?? []).find(
        (e) => e.manifest.id === id,
      );
      if (found) return found;
    }
    return undefined;
  }

  /** Rows of the newest snapshot a reload of this device would be served, if one is kept. */
  reloadRows(org: string, viewer: Viewer, deviceId: string): number | undefined {
    const [latest] = this.entries.get(`${org}\u0001${reloadKey(viewer, deviceId)}`) ?? [];
    return latest?.manifest.parts.reduce((n, p) => n + p.rows, 0);
  }

  private async build(
    org: string,
    viewer: Viewer,
    exclude: string | undefined,
    epoch: string,
    day: string,
    previous: CachedSnapshot | undefined,
    room?: RoomCut,
  ): Promise<CachedSnapshot> {
    // The horizons' epoch, read before and after the horizon: moved in between (a relay hearing
    // of central's new epoch), neither that horizon nor a fold pruned before is taken.
    // The retractions first, then the rewrite marker (one transaction changes both): a fold
    // from a previous snapshot under the marker read never holds an op of a retraction counted.
    const retracted = await this.store.retractionCount(org);
    const rewritten = await this.store.rewritten(org);
    const hzEpoch = await this.currentHorizonEpoch(org);
    // Read before the log (decision 0027): every op ≤ its clock is at a number ≤ its seq, so
    // the fold, which reads the log to its end, holds them all once its S reaches that seq.
    const read =
      this.horizon && prunesCut(viewer, exclude, room !== undefined)
        ? await this.horizon(org)
        : null;
    const settled = hzEpoch === (await this.currentHorizonEpoch(org));
    const horizon = settled ? read : null;
    let fold: Fold;
    // A fold from a pruned snapshot keeps its rows' horizon: still true (it never goes back
    // within the horizons' epoch). Pruned in an earlier epoch of them, it is not folded from.
    let hz: Hlc | null = null;
    if (
      previous &&
      previous.manifest.epoch === epoch &&
      previous.manifest.schema === SCHEMA_VERSION &&
      previous.rewritten === rewritten &&
      (previous.hz === undefined || (settled && previous.hzEpoch === hzEpoch))
    ) {
      const texts = (await Promise.all(previous.chunks.map((c) => this.codec.decompress(c)))).map(
        String,
      );
      const [first, ...rest] = bodiesOf(texts, previous.manifest);
      fold = foldOf(first!, ...rest);
      hz = previous.hz ?? null;
      this.stats.incremental++;
    } else {
      fold = emptyFold();
      this.stats.full++;
    }
    const upTo = room?.upTo ?? Number.POSITIVE_INFINITY;
    while (fold.seq < upTo) {
      const page = await this.store.pull(org, fold.seq, this.pageBytes, exclude);
      const within = page.ops.filter((x) => x.s <= upTo);
      const ops = room ? await room.ops(within) : await this.cut(this.store, org, viewer, within);
      foldOps(fold, ops, Math.min(page.lastSeq, upTo), entitySpec, SCHEMA_VERSION);
      if (!page.hasMore) break;
    }
    // Rows kept pruned from the previous snapshot while the ops after it park one at or below
    // that horizon: folded again from 0, so that they keep every clock (`parksBelow`).
    if (previous && parksBelow(fold, hz)) {
      return this.build(org, viewer, exclude, epoch, day, undefined, room);
    }
    // Pruned below the ops the fold parked (pruneFold: null when one is at or below it); a
    // horizon past S (announced after this fold read the log) waits for the next snapshot.
    if (horizon && horizon.seq <= fold.seq && (hz === null || horizon.hlc > hz)) {
      hz = pruneFold(fold, horizon.hlc) ?? hz;
    }
    // The day's rows first: a device works once it has written them (docs/decisions/0030);
    // the rest in parts of about a chunk, which it writes while the next is on the way.
    const bodies = snapshotParts(
      fold,
      { org, epoch, schema: SCHEMA_VERSION },
      usableRows(fold.states.values(), day, entitySpec),
      this.chunkBytes,
    );
    const { chunks, info, parts, bytes, sha256 } = chunkParts(
      bodies.map((b) => JSON.stringify(b)),
      this.chunkBytes,
      bodies.map(bodyRows),
    );
    const compressed = await Promise.all(chunks.map((c) => this.codec.compress(c, this.quality)));
    return {
      manifest: {
        id: `${fold.seq}-${sha256.slice(0, 16)}`,
        format: bodies[0].format,
        seq: fold.seq,
        epoch,
        schema: SCHEMA_VERSION,
        bytes,
        sha256,
        chunks: info,
        parts,
        day,
        ...(hz ? { hz } : {}),
        ...(retracted > 0 ? { retracted } : {}),
      },
      chunks: compressed,
      rewritten,
      ...(hz ? { hz, hzEpoch } : {}),
      ...(room ? { basis: room.basis, withheld: [...room.withheld] } : {}),
    };
  }
}
