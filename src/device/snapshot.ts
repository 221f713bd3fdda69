// A fresh device's bootstrap from a snapshot (docs/protocol.md, Snapshot; decision 0026): the
// manifest, then each chunk checked against its SHA-256 (a mismatch is discarded and fetched
// again; chunks are held in memory, never at rest in clear); the whole checked, then
// the row states written in transactions that each record how far they got. The checkpoint is
// set to S only in the last one: until then the device is « syncing » with its progress, never
// up to date, and an interruption resumes where it stopped. The pull then goes on after S.
import { SCHEMA_VERSION } from '../domain/entities';
import {
  chunkMatches,
  entityStates,
  SNAPSHOT_FORMAT,
  type SnapshotBody,
  type SnapshotManifest,
  wholeMatches,
} from '../sync/snapshot';
import { type EscaleDb, getMeta, META, type ParkedOp } from './db';
import { HttpError, NetworkError, NotYetKnown, SYNC_MESSAGES } from './sync-transport';
import { receiveStamp, storeSnapshotStates } from './write';

export const SNAPSHOT_MESSAGES = {
  corrupt:
    'L’instantané reçu du serveur est abîmé malgré plusieurs essais : l’appareil réessaiera plus tard.',
  unreadable: 'Instantané du serveur illisible.',
} as const;

/** Where a download under way is kept (per server): its manifest, and how far it was applied. */
export const snapshotMeta = (server: string) => `snapshot:${server}`;

interface Progress {
  manifest: SnapshotManifest;
  /** Rows written so far, in the snapshot's order (entities, then rows). */
  applied: number;
}

/** The server has no snapshot for this device (an older server, a room): it replays the log. */
export class SnapshotUnavailable extends Error {}

export interface SnapshotFetch {
  /** GET `path` on the server with the device's credential. */
  get(path: string): Promise<Response>;
  /** Progress for the status: rows written of the total, chunks received. */
  progress?(p: {
    seq: number;
    chunks: number;
    of: number;
    rows: number;
    total: number;
  }): Promise<void>;
  now: () => number;
  /** Rows per transaction. */
  batchRows?: number;
}

const RETRIES = 3;

async function fetchOk(f: SnapshotFetch, path: string): Promise<Response> {
  let res: Response;
  try {
    res = await f.get(path);
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
  if (res.status === 404 || res.status === 405 || res.status === 409 || res.status === 501) {
    await res.body?.cancel();
    if (path.endsWith('/snapshot')) throw new SnapshotUnavailable(`HTTP ${res.status}`);
  }
  if (res.status === 503) {
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { error?: string; message?: string } | null;
    if (body?.error === 'relay_unknown_device')
      throw new NotYetKnown(body.message ?? SYNC_MESSAGES.relayUnknownDevice);
  }
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

/** Whether this device should bootstrap from a snapshot of `server`: nothing held from it. */
export async function wantsSnapshot(db: EscaleDb, server: string, checkpointKey: string) {
  if (((await getMeta<number>(db, checkpointKey)) ?? 0) > 0) return false;
  if (await getMeta<Progress>(db, snapshotMeta(server))) return true;
  return (await db.states.count()) === 0;
}

/**
 * Loads the snapshot of `server` (resuming one under way), writes it and sets the checkpoint
 * `checkpointKey` to its S and the server's epoch. Throws SnapshotUnavailable when the device
 * should replay the log instead.
 */
export async function loadSnapshot(
  db: EscaleDb,
  server: string,
  checkpointKey: string,
  f: SnapshotFetch,
): Promise<{ seq: number; rows: number }> {
  for (let attempt = 0; ; attempt++) {
    const kept = await getMeta<Progress>(db, snapshotMeta(server));
    const manifest = kept?.manifest ?? (await newManifest(db, server, f));
    const texts = await chunksOf(manifest, f);
    if (texts === 'gone' || !wholeMatches(texts, manifest)) {
      // Gone from the server (a newer one replaced it) or wrong as a whole: start again.
      await forget(db, server, manifest);
      if (attempt + 1 >= RETRIES) throw new HttpError(0, SNAPSHOT_MESSAGES.corrupt);
      continue;
    }
    let body: SnapshotBody;
    try {
      body = JSON.parse(texts.join('')) as SnapshotBody;
    } catch {
      await forget(db, server, manifest);
      throw new HttpError(0, SNAPSHOT_MESSAGES.unreadable);
    }
    return write(db, server, checkpointKey, manifest, body, kept?.applied ?? 0, f);
  }
}

async function newManifest(db: EscaleDb, server: string, f: SnapshotFetch) {
  const res = await fetchOk(f, '/api/sync/snapshot');
  const manifest = (await res.json().catch(() => null)) as SnapshotManifest | null;
  // Not a manifest, or a format or schema this version does not read: the log can always be
  // replayed.
  if (
    typeof manifest?.id !== 'string' ||
    !Array.isArray(manifest.chunks) ||
    typeof manifest.seq !== 'number' ||
    typeof manifest.epoch !== 'string' ||
    manifest.format !== SNAPSHOT_FORMAT ||
    manifest.schema > SCHEMA_VERSION
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
 * Every chunk's text, fetched and checked; 'gone' on 410. Held in memory only: `meta` is not
 * sealed at rest (src/device/encryption.ts) and chunks carry clinical rows, so an interrupted
 * download starts again — what was already written resumes where it stopped.
 */
async function chunksOf(manifest: SnapshotManifest, f: SnapshotFetch): Promise<string[] | 'gone'> {
  const texts: string[] = [];
  for (let i = 0; i < manifest.chunks.length; i++) {
    const info = manifest.chunks[i]!;
    let text: string | null = null;
    for (let attempt = 0; attempt < RETRIES && text === null; attempt++) {
      let res: Response;
      try {
        res = await fetchOk(f, `/api/sync/snapshot/${encodeURIComponent(manifest.id)}/${i}`);
      } catch (err) {
        if (err instanceof HttpError && err.status === 410) return 'gone';
        throw err;
      }
      const got = await res.text();
      // A chunk damaged on the way is discarded and asked for again.
      if (chunkMatches(got, info)) text = got;
    }
    if (text === null) throw new HttpError(0, SNAPSHOT_MESSAGES.corrupt);
    texts.push(text);
    await f.progress?.({
      seq: manifest.seq,
      chunks: i + 1,
      of: manifest.chunks.length,
      rows: 0,
      total: 0,
    });
  }
  return texts;
}

const keysOf = (server: string, _manifest: SnapshotManifest) => [snapshotMeta(server)];

async function forget(db: EscaleDb, server: string, manifest: SnapshotManifest) {
  await db.meta.bulkDelete(keysOf(server, manifest));
}

async function write(
  db: EscaleDb,
  server: string,
  checkpointKey: string,
  manifest: SnapshotManifest,
  body: SnapshotBody,
  from: number,
  f: SnapshotFetch,
): Promise<{ seq: number; rows: number }> {
  if (body.seq !== manifest.seq || body.epoch !== manifest.epoch) {
    await forget(db, server, manifest);
    throw new HttpError(0, SNAPSHOT_MESSAGES.unreadable);
  }
  const batch = f.batchRows ?? 2000;
  const total = body.entities.reduce((n, e) => n + e.ids.length, 0);
  let done = 0;
  for (const entity of body.entities) {
    for (let i = 0; i < entity.ids.length; i += batch) {
      const end = Math.min(entity.ids.length, i + batch);
      const upTo = done + end;
      if (upTo <= from) continue;
      const states = entityStates(entity, i, end);
      await storeSnapshotStates(db, states, [
        { key: snapshotMeta(server), value: { manifest, applied: upTo } satisfies Progress },
      ]);
      await f.progress?.({
        seq: manifest.seq,
        chunks: manifest.chunks.length,
        of: manifest.chunks.length,
        rows: upTo,
        total,
      });
    }
    done += entity.ids.length;
  }
  if (body.maxHlc) await receiveStamp(db, body.maxHlc, f.now());
  // The last transaction: parked ops, the checkpoint at S and the epoch it was read in.
  const parked: ParkedOp[] = body.parked.map(({ op, error }) =>
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
    ],
    parked,
    keysOf(server, manifest),
  );
  return { seq: manifest.seq, rows: total };
}
