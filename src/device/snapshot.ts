// A fresh device's bootstrap from a snapshot (docs/protocol.md, Snapshot; decisions 0026, 0030):
// the manifest, then part by part — first what the device needs to work (reference data and the
// day's rows), then the registry and history — each chunk checked against its SHA-256 (a
// mismatch is discarded and fetched again; chunks are held in memory, never at rest in clear),
// each part checked whole, then its row states written in transactions that each record how far
// they got. The first part's last transaction marks the device usable (REGISTRY_LOADING): it
// works on the day while the registry is still loading, and says so. The checkpoint is set to S
// only in the very last transaction: until then the device is « syncing », never up to date, and
// an interruption resumes where it stopped (after the first part: without fetching it again).
// The pull then goes on after S.
import { SCHEMA_VERSION } from '../domain/entities';
import { HORIZON_PATTERN } from '../sync/hlc';
import {
  chunkMatches,
  entityStates,
  partMatches,
  partStart,
  SNAPSHOT_FORMAT,
  type SnapshotBody,
  type SnapshotManifest,
} from '../sync/snapshot';
import { CUT_PENDING } from './assignment';
import { type EscaleDb, getMeta, META, type ParkedOp } from './db';
import { adoptLoaded, parkedAtOrBelow, stampPast } from './horizon';
import type { RetractedMark } from './retractions';
import {
  HttpError,
  NetworkError,
  NotYetKnown,
  SYNC_MESSAGES,
  throwIfUnrecognised,
} from './sync-transport';
import { receiveStamp, storeSnapshotStates } from './write';

export const SNAPSHOT_MESSAGES = {
  corrupt:
    'L’instantané reçu du serveur est abîmé malgré plusieurs essais : l’appareil réessaiera plus tard.',
  unreadable: 'Instantané du serveur illisible.',
} as const;

/** Where a download under way is kept (per server): its manifest, and how far it was applied. */
export const snapshotMeta = (server: string) => `snapshot:${server}`;

/**
 * Set when a device holding states was told by `server`'s pull to reload (`reload` in the
 * answer, src/sync/reload.ts) and its outbox was pushed whole; removed in the transaction that
 * ends the reload. While set, the device loads a snapshot that replaces its states (resumed after
 * an interruption) instead of pulling on.
 */
export const reloadMeta = (server: string) => `reload:${server}`;

export interface ReloadMark {
  /** The reading view token of the answer that said `reload`: stored with the checkpoint at the
   * end (a room's snapshot brings its own), never before — a reload given up falls back to the
   * pull from 0 that this token would otherwise skip. */
  view?: string;
  /** Rows to take back from the server rather than join: an op of the device's that a server
   * refused was set aside, and its value must not stay in the device's state (set-aside.ts). */
  replace?: [string, string][];
}

/** Marks the rows of refused ops for a reload from `server` that replaces them: the server's
 * state, with the device's ops not set aside applied again (write.ts storeSnapshotStates). */
export async function markReplace(
  db: EscaleDb,
  server: string,
  rows: readonly (readonly [string, string])[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction('rw', db.meta, async () => {
    const mark = (await getMeta<ReloadMark>(db, reloadMeta(server))) ?? {};
    const keys = new Map<string, [string, string]>();
    for (const [e, id] of [...(mark.replace ?? []), ...rows]) keys.set(rowKey(e, id), [e, id]);
    await db.meta.put({ key: reloadMeta(server), value: { ...mark, replace: [...keys.values()] } });
  });
}

/**
 * Set (in meta) in the transaction that writes the last row of the snapshot's first part, removed
 * in the one that sets the checkpoint: the device holds the reference data and the day's rows,
 * not yet the whole registry. Device-wide: the UI says « registry still loading » while it is
 * there (a search may miss a patient).
 */
export const REGISTRY_LOADING = 'registryLoading';

export interface RegistryLoading {
  server: string;
  /** The snapshot's S. */
  seq: number;
  /** The day its first part was chosen for ('YYYY-MM-DD'). */
  day: string;
  /** Rows of the whole snapshot, and those written when the device became usable. */
  rows: number;
  usableRows: number;
}

/**
 * The registry-loading mark, or null once the bootstrap is complete (or never happened): the
 * snapshot's last transaction removes it, or — a load abandoned after its first part (parts
 * damaged at every attempt: the device then pulls the log from 0) — the pull's checkpoint from
 * that server reaches the snapshot's S with no load under way there: the device then holds every
 * row the snapshot had (decision 0027, « The edges of a pruned load »).
 */
export async function registryLoading(db: EscaleDb): Promise<RegistryLoading | null> {
  const mark = await getMeta<RegistryLoading>(db, REGISTRY_LOADING);
  if (!mark) return null;
  const [checkpoint, progress, reload] = await Promise.all([
    getMeta<number>(db, META.checkpoint(mark.server)),
    getMeta<Progress>(db, snapshotMeta(mark.server)),
    getMeta<ReloadMark>(db, reloadMeta(mark.server)),
  ]);
  return (checkpoint ?? 0) >= mark.seq && !progress && !reload ? null : mark;
}

interface Progress {
  manifest: SnapshotManifest;
  /** Rows written so far, in the snapshot's order (parts, entities, then rows). */
  applied: number;
}

/** The server has no snapshot for this device (an older server): it replays the log. */
export class SnapshotUnavailable extends Error {}

export interface SnapshotFetch {
  /** GET `path` on the server with the device's credential. */
  get(path: string): Promise<Response>;
  /** Progress for the status: rows written of the total, chunks received, whether the device
   * holds the first part (usable). */
  progress?(p: {
    seq: number;
    chunks: number;
    of: number;
    rows: number;
    total: number;
    usable: boolean;
  }): Promise<void>;
  now: () => number;
  /** The device's day ('YYYY-MM-DD'): whose rows come first. Absent: the server's. */
  day?: string;
  /** Rows per transaction. */
  batchRows?: number;
}

const RETRIES = 3;

/** A phase of the load, for profiling (docs/benchmarks.md, « Issue 18: the bootstrap, complete
 * sooner »): a User Timing measure named `snapshot:<phase>` from `start` to now. */
function phase(name: string, start: number) {
  performance.measure(`snapshot:${name}`, { start, end: performance.now() });
}

async function fetchOk(f: SnapshotFetch, path: string): Promise<Response> {
  let res: Response;
  try {
    res = await f.get(path);
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
  if (res.status === 404 || res.status === 405 || res.status === 409 || res.status === 501) {
    await res.body?.cancel();
    if (/\/snapshot(\?|$)/.test(path)) throw new SnapshotUnavailable(`HTTP ${res.status}`);
  }
  if (res.status === 503) {
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { error?: string; message?: string } | null;
    if (body?.error === 'relay_unknown_device')
      throw new NotYetKnown(body.message ?? SYNC_MESSAGES.relayUnknownDevice);
  }
  await throwIfUnrecognised(res);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as {
      message?: string;
      error?: string;
    } | null;
    throw new HttpError(
      res.status,
      body?.message ?? `Instantané refusé (HTTP ${res.status}).`,
      body,
    );
  }
  return res;
}

/** Whether this device should bootstrap from a snapshot of `server`: nothing held from it, or a
 * reload under way. */
export async function wantsSnapshot(db: EscaleDb, server: string, checkpointKey: string) {
  if (await getMeta<ReloadMark>(db, reloadMeta(server))) return true;
  if (((await getMeta<number>(db, checkpointKey)) ?? 0) > 0) return false;
  if (await getMeta<Progress>(db, snapshotMeta(server))) return true;
  return (await db.states.count()) === 0;
}

/**
 * Loads the snapshot of `server` (resuming one under way), writes it part by part and sets the
 * checkpoint `checkpointKey` to its S and the server's epoch. Throws SnapshotUnavailable when the
 * device should replay the log instead.
 */
export async function loadSnapshot(
  db: EscaleDb,
  server: string,
  checkpointKey: string,
  f: SnapshotFetch,
): Promise<{ seq: number; rows: number }> {
  // A device holding states replaces them (docs/decisions/0026-snapshots.md, « Devices holding
  // states »): every part is read again on a resume, for the keys of the rows it holds.
  const reload = (await getMeta<ReloadMark>(db, reloadMeta(server))) ?? null;
  for (let attempt = 0; ; attempt++) {
    // Rows held before this attempt (another server's load, an earlier attempt) are joined with
    // the snapshot's, never replaced (write.ts storeSnapshotStates).
    const fresh = (await db.states.limit(1).primaryKeys()).length === 0;
    const kept = await getMeta<Progress>(db, snapshotMeta(server));
    const manifest = kept?.manifest ?? (await newManifest(db, server, f, reload !== null));
    const keep = new Set<string>();
    const total = manifest.parts.reduce((n, p) => n + p.rows, 0);
    const usable = await registryLoading(db);
    let applied = kept?.applied ?? 0;
    // Rows pruned at or above an op held parked here (from another server, or kept through a
    // reload): not loaded, nothing written — the log is replayed, or pulled on (decision 0027,
    // « The edges of a pruned load »).
    if (applied === 0 && manifest.hz && (await parkedAtOrBelow(db, manifest.hz))) {
      await forget(db, server);
      throw new SnapshotUnavailable('instantané élagué au-dessus d’une opération en attente');
    }
    // A part written whole is not fetched again (the first one: once its mark is set).
    const starts = manifest.parts.map((_, k) =>
      manifest.parts.slice(0, k).reduce((n, p) => n + p.rows, 0),
    );
    const needed = manifest.parts.map(
      (part, k) =>
        reload !== null ||
        k === manifest.parts.length - 1 ||
        applied < starts[k]! + part.rows ||
        (k === 0 && usable?.seq !== manifest.seq),
    );
    // Parts on their way, at most one ahead of the one being written.
    const fetching = new Map<number, Promise<string[] | 'gone' | 'corrupt'>>();
    const fetchPart = (k: number) => {
      let texts = fetching.get(k);
      if (!texts) {
        texts = chunksOf(manifest, k, f, () => applied, total);
        // Awaited when its turn comes; until then a failure must not go unhandled.
        texts.catch(() => undefined);
        fetching.set(k, texts);
      }
      return texts;
    };
    let last: SnapshotBody | null = null;
    let failed = false;
    for (let k = 0; k < manifest.parts.length; k++) {
      if (!needed[k]) continue;
      const part = manifest.parts[k]!;
      const texts = await fetchPart(k);
      const tCheck = performance.now();
      const whole = typeof texts !== 'string' && partMatches(texts, part);
      phase('check', tCheck);
      if (!whole) {
        failed = true;
        break;
      }
      // Once the device is usable (the first part written), the next part needed is fetched while
      // this one is parsed and written: the link and the device work side by side. Its chunks are
      // checked when they arrive and again as a part before anything of it is stored.
      if (k >= 1) {
        const next = needed.indexOf(true, k + 1);
        if (next !== -1) fetchPart(next);
      }
      let body: SnapshotBody;
      const tParse = performance.now();
      try {
        body = JSON.parse(texts.join('')) as SnapshotBody;
        phase('parse', tParse);
      } catch {
        await forget(db, server);
        throw new HttpError(0, SNAPSHOT_MESSAGES.unreadable);
      }
      if (body.seq !== manifest.seq || body.epoch !== manifest.epoch) {
        await forget(db, server);
        throw new HttpError(0, SNAPSHOT_MESSAGES.unreadable);
      }
      // The device's clock moves past the snapshot's before it writes anything of its own.
      if (k === 0 && body.maxHlc) await receiveStamp(db, body.maxHlc, f.now());
      // And past the horizon the rows were pruned at: a write made once usable is above it.
      if (k === 0 && manifest.hz) await receiveStamp(db, stampPast(manifest.hz), f.now());
      if (reload) for (const e of body.entities) for (const id of e.ids) keep.add(rowKey(e.e, id));
      applied = await writePart(
        db,
        server,
        manifest,
        body,
        k,
        starts[k]!,
        applied,
        total,
        f,
        reload !== null,
        fresh,
        reload?.replace?.length ? new Set(reload.replace.map(([e, id]) => rowKey(e, id))) : null,
      );
      last = body;
    }
    if (failed || !last) {
      // Gone from the server (a newer one replaced it), a chunk damaged at every try or a part
      // wrong as a whole: start again.
      await forget(db, server);
      if (attempt + 1 < RETRIES) continue;
      // Abandoned (decision 0027, « The edges of a pruned load »). A reload is given up as one
      // the server cannot serve: the device pulls on from its checkpoint and pushes what its
      // user typed meanwhile, rather than fail every run before its push. A fresh device pulls
      // the log from 0 at its next run; until its checkpoint reaches S the registry is shown
      // loading (`registryLoading`).
      if (reload) throw new SnapshotUnavailable(SNAPSHOT_MESSAGES.corrupt);
      throw new HttpError(0, SNAPSHOT_MESSAGES.corrupt);
    }
    await adoptingHorizon(db, manifest, f.now, () =>
      finish(db, server, checkpointKey, manifest, last, reload ? { mark: reload, keep } : null),
    );
    return { seq: manifest.seq, rows: total };
  }
}

const rowKey = (e: string, id: string) => `${e}\u0000${id}`;

async function newManifest(db: EscaleDb, server: string, f: SnapshotFetch, reload: boolean) {
  const params = [
    ...(f.day ? [`day=${encodeURIComponent(f.day)}`] : []),
    // Its own ops kept, and S past every op it pushed (src/server/snapshots.ts, ReloadCut).
    ...(reload ? ['reload=1'] : []),
  ];
  const query = params.length > 0 ? `?${params.join('&')}` : '';
  const res = await fetchOk(f, `/api/sync/snapshot${query}`);
  const manifest = (await res.json().catch(() => null)) as SnapshotManifest | null;
  // Not a manifest, or a format or schema this version does not read: the log can always be
  // replayed.
  if (
    typeof manifest?.id !== 'string' ||
    !Array.isArray(manifest.chunks) ||
    !Array.isArray(manifest.parts) ||
    manifest.parts.length === 0 ||
    manifest.parts.reduce((n, p) => n + p.chunks, 0) !== manifest.chunks.length ||
    typeof manifest.seq !== 'number' ||
    typeof manifest.epoch !== 'string' ||
    manifest.format !== SNAPSHOT_FORMAT ||
    manifest.schema > SCHEMA_VERSION ||
    (manifest.hz !== undefined &&
      (typeof manifest.hz !== 'string' || !HORIZON_PATTERN.test(manifest.hz)))
  ) {
    throw new SnapshotUnavailable('instantané illisible ou d’un autre format');
  }
  await db.meta.put({
    key: snapshotMeta(server),
    value: { manifest, applied: 0 } satisfies Progress,
  });
  return manifest;
}

/**
 * Part `k`'s chunk texts, fetched and checked; 'gone' on 410, 'corrupt' when a chunk is damaged
 * at every one of its tries (the attempt starts again, as for a part damaged as a whole: a
 * download resumed at every run would fail every run). Held in memory only: `meta` is not
 * sealed at rest (src/device/encryption.ts) and chunks carry clinical rows, so an interrupted
 * download fetches its part again — what was already written resumes where it stopped.
 */
async function chunksOf(
  manifest: SnapshotManifest,
  k: number,
  f: SnapshotFetch,
  rows: () => number,
  total: number,
): Promise<string[] | 'gone' | 'corrupt'> {
  const texts: string[] = [];
  const start = partStart(manifest, k);
  for (let i = start; i < start + manifest.parts[k]!.chunks; i++) {
    const info = manifest.chunks[i]!;
    let text: string | null = null;
    for (let attempt = 0; attempt < RETRIES && text === null; attempt++) {
      let res: Response;
      const tFetch = performance.now();
      try {
        res = await fetchOk(f, `/api/sync/snapshot/${encodeURIComponent(manifest.id)}/${i}`);
      } catch (err) {
        if (err instanceof HttpError && err.status === 410) return 'gone';
        throw err;
      }
      const got = await res.text();
      phase('fetch', tFetch);
      // A chunk damaged on the way is discarded and asked for again.
      const tCheck = performance.now();
      if (chunkMatches(got, info)) text = got;
      phase('check', tCheck);
    }
    if (text === null) return 'corrupt';
    texts.push(text);
    await f.progress?.({
      seq: manifest.seq,
      chunks: i + 1,
      of: manifest.chunks.length,
      rows: rows(),
      total,
      usable: k > 0,
    });
  }
  return texts;
}

async function forget(db: EscaleDb, server: string) {
  await db.meta.bulkDelete([snapshotMeta(server)]);
}

/**
 * Writes part `k` (whose rows are numbered from `done` in the snapshot's order) from row
 * `applied` on, in transactions of `batchRows` rows, each recording how far it got; the first
 * part's last one sets the usable mark. Returns how far the snapshot is written.
 */
async function writePart(
  db: EscaleDb,
  server: string,
  manifest: SnapshotManifest,
  body: SnapshotBody,
  k: number,
  done: number,
  applied: number,
  total: number,
  f: SnapshotFetch,
  reload: boolean,
  fresh: boolean,
  replace: ReadonlySet<string> | null,
): Promise<number> {
  const batch = f.batchRows ?? 2000;
  const rows = manifest.parts[k]!.rows;
  const mark: RegistryLoading = {
    server,
    seq: manifest.seq,
    day: manifest.day,
    rows: total,
    usableRows: rows,
  };
  type Slice = { entity: SnapshotBody['entities'][number]; from: number; to: number };
  // The part's rows from `applied` on, cut in slices of at most `batch` rows across entities.
  const slices: Slice[][] = [];
  let current: Slice[] = [];
  let size = 0;
  let at = done;
  for (const entity of body.entities) {
    const n = entity.ids.length;
    let from = Math.max(0, Math.min(n, applied - at));
    while (from < n) {
      const to = Math.min(n, from + (batch - size));
      current.push({ entity, from, to });
      size += to - from;
      from = to;
      if (size >= batch) {
        slices.push(current);
        current = [];
        size = 0;
      }
    }
    at += n;
  }
  if (current.length > 0 || slices.length === 0) slices.push(current);
  let upTo = Math.max(applied, done);
  for (let i = 0; i < slices.length; i++) {
    const slice = slices[i]!;
    const tDecode = performance.now();
    const states = slice.flatMap((s) => entityStates(s.entity, s.from, s.to));
    phase('decode', tDecode);
    const tWrite = performance.now();
    upTo += states.length;
    const meta: { key: string; value: unknown }[] = [
      { key: snapshotMeta(server), value: { manifest, applied: upTo } satisfies Progress },
    ];
    if (k === 0 && i === slices.length - 1) meta.push({ key: REGISTRY_LOADING, value: mark });
    await storeSnapshotStates(
      db,
      states,
      meta,
      [],
      [],
      reload ? { drop: [], ...(replace ? { replace } : {}) } : undefined,
      { fresh },
    );
    phase('write', tWrite);
    await f.progress?.({
      seq: manifest.seq,
      chunks: manifest.chunks.length,
      of: manifest.chunks.length,
      rows: upTo,
      total,
      usable: k > 0 || i === slices.length - 1,
    });
  }
  return upTo;
}

/**
 * The snapshot's last transaction (`store`, which sets the checkpoint to S) with, when its rows
 * were pruned (`hz` in the manifest, decision 0027), the adoption of that horizon with S and the
 * clock moved past it: never before the whole snapshot is stored (a load cut off and resumed
 * adopts only at its end), never without the checkpoint.
 */
async function adoptingHorizon(
  db: EscaleDb,
  manifest: SnapshotManifest,
  now: () => number,
  store: () => Promise<void>,
): Promise<void> {
  const hz = manifest.hz;
  if (hz === undefined) return store();
  await db.transaction('rw', db.tables, async () => {
    await store();
    const adopted = await adoptLoaded(db, hz, manifest.seq);
    if (adopted !== null) await receiveStamp(db, stampPast(adopted), now());
  });
}

/** The mark of retractions a snapshot was folded after (never lowered within one log). */
async function retractedMarkOf(
  db: EscaleDb,
  server: string,
  manifest: SnapshotManifest,
): Promise<{ key: string; value: RetractedMark }[]> {
  const n = typeof manifest.retracted === 'number' ? manifest.retracted : 0;
  const before = await getMeta<RetractedMark>(db, META.retracted(server));
  const held = before?.epoch === manifest.epoch ? before.n : 0;
  if (n <= held) return [];
  return [{ key: META.retracted(server), value: { epoch: manifest.epoch, n } }];
}

/** The last transaction: parked ops, the checkpoint at S and the epoch it was read in; the
 * download's progress and the registry-loading mark removed. A reload's also drops the rows the
 * snapshot does not hold (the device's profile or room no longer receives them) and its mark. */
async function finish(
  db: EscaleDb,
  server: string,
  checkpointKey: string,
  manifest: SnapshotManifest,
  last: SnapshotBody,
  reload: { mark: ReloadMark; keep: ReadonlySet<string> } | null,
) {
  // Rows the snapshot lacks go only when it was read from the log the device pulled from (same
  // epoch): its new cut leaves them out. From another log (a relay reinstalled, central restored)
  // the server may just not hold them yet: kept, as their later ops are.
  const sameLog = (await getMeta<string>(db, META.epoch(server))) === manifest.epoch;
  // And only when the device's cut changed (a move: src/device/assignment.ts); a reload for being
  // behind keeps them — a relay refilling after losing its disk may not hold them yet.
  const pending = (await getMeta<string[]>(db, CUT_PENDING)) ?? [];
  const cut = pending.includes(server);
  const moved =
    reload && sameLog && cut
      ? (await db.states.toCollection().primaryKeys()).filter(
          ([e, id]) => !reload.keep.has(rowKey(e, id)),
        )
      : [];
  // A row taken back that the server does not hold (its creation was refused) goes too, unless
  // an op of the device not set aside still writes it.
  const refused = (reload?.mark.replace ?? []).filter(
    ([e, id]) => !reload!.keep.has(rowKey(e, id)),
  );
  const drop = [
    ...new Map(
      [...moved, ...refused].map(([e, id]) => [rowKey(e, id), [e, id] as [string, string]]),
    ).values(),
  ];
  const view = manifest.view ?? reload?.mark.view;
  const parked: ParkedOp[] = last.parked.map(({ op, error }) =>
    error === undefined
      ? { dev: op.dev, seq: op.seq, v: op.v, op }
      : { dev: op.dev, seq: op.seq, v: op.v, op, error },
  );
  await storeSnapshotStates(
    db,
    [],
    [
      { key: checkpointKey, value: manifest.seq },
      { key: META.epoch(server), value: manifest.epoch },
      // The cut is done for this server (from another log nothing was dropped: still pending).
      ...(reload && cut && sameLog
        ? [{ key: CUT_PENDING, value: pending.filter((s) => s !== server) }]
        : []),
      // A room's view, echoed by its next pull (a stale one starts it over from 0).
      ...(typeof view === 'string' ? [{ key: META.view(server), value: view }] : []),
      // The retractions it was folded after: none of their ops is in it (decision 0033).
      ...(await retractedMarkOf(db, server, manifest)),
    ],
    parked,
    [snapshotMeta(server), REGISTRY_LOADING, ...(reload ? [reloadMeta(server)] : [])],
    reload ? { drop } : undefined,
  );
}
