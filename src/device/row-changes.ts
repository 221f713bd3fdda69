// Which rows of a watched table a committed transaction changed, told to whoever keeps a view of
// them up to date (the reception's search index, src/device/patient-index.ts) in this tab and in
// the other tabs of the origin (reception may have two windows). Decision 0023.
//
// A DBCore middleware rather than Dexie's own `storagemutated` event: Dexie reports a put of 50
// rows or more as « the whole table changed » (its observability layer stops listing keys there),
// so every pulled page would cost a re-read of the 50,000-patient registry. Here every put or
// delete names its keys, whatever its size and whoever wrote it (the write path, applyRemote,
// replayParked, a purge, a snapshot); only a clear or a range delete says « all ».
import type { DBCore, DBCoreMutateRequest, DBCoreTable, Middleware } from 'dexie';

/** The tables whose changed keys are announced (what a kept view needs, nothing more). */
export const WATCHED_TABLES: ReadonlySet<string> = new Set(['patient']);

/** The changed primary keys of one table, or 'all' when the change named no keys. In this tab
 * only, `written` holds what the committed transaction left for some of them: the row it put
 * (the write's own object: never changed after), or null for a row it deleted. An id without an
 * entry (a failed request, an add, another tab's change) must be read. */
export type RowChange = {
  table: string;
  ids: string[] | 'all';
  written?: ReadonlyMap<string, object | null>;
};

type Listener = (change: RowChange) => void;

const listeners = new Map<string, Set<Listener>>();
/** This JS context, so that its own broadcasts (already delivered here) are ignored. */
const context = Math.random().toString(36).slice(2);
const senders = new Map<string, BroadcastChannel>();

const channelName = (dbName: string) => `escale-row-changes:${dbName}`;

function sender(dbName: string): BroadcastChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  let ch = senders.get(dbName);
  if (!ch) {
    ch = new BroadcastChannel(channelName(dbName));
    // Node keeps the process alive for an open channel; browsers ignore unref.
    (ch as { unref?: () => void }).unref?.();
    senders.set(dbName, ch);
  }
  return ch;
}

function deliver(dbName: string, change: RowChange): void {
  for (const l of listeners.get(dbName) ?? []) l(change);
}

/** Tells this tab's listeners and the other tabs' what a committed transaction changed (the
 * other tabs get the ids only: they read the rows, as a few ids cost less to post than rows). */
export function announceRowChanges(dbName: string, changes: readonly RowChange[]): void {
  for (const change of changes) deliver(dbName, change);
  if (changes.length > 0) {
    sender(dbName)?.postMessage({
      from: context,
      changes: changes.map(({ table, ids }) => ({ table, ids })),
    });
  }
}

/** Listens to the rows of `table` changed in database `dbName`, in this tab and the others. */
export function onRowChanges(
  dbName: string,
  table: string,
  listener: (ids: string[] | 'all', written?: ReadonlyMap<string, object | null>) => void,
): () => void {
  const local: Listener = (change) => {
    if (change.table === table) listener(change.ids, change.written);
  };
  let set = listeners.get(dbName);
  if (!set) {
    set = new Set();
    listeners.set(dbName, set);
  }
  set.add(local);
  let remote: BroadcastChannel | null = null;
  if (typeof BroadcastChannel !== 'undefined') {
    remote = new BroadcastChannel(channelName(dbName));
    (remote as { unref?: () => void }).unref?.();
    remote.onmessage = (ev: MessageEvent<{ from?: string; changes?: RowChange[] }>) => {
      if (ev.data?.from === context) return;
      for (const change of ev.data?.changes ?? []) local(change);
    };
  }
  return () => {
    set.delete(local);
    remote?.close();
  };
}

/** What one transaction changed so far in one watched table: the ids, and what it left for
 * those whose last request succeeded (the row put, or null when deleted). */
type TableChanges = { ids: Set<string>; written: Map<string, object | null> };
/** What one transaction changed so far, per watched table. */
type Pending = Map<string, TableChanges | 'all'>;
const pendingOf = new WeakMap<object, Pending>();

/**
 * Records the keys `req` changes in its transaction, announced once it commits. Returns what to
 * do with the request's result: a put or delete that succeeded for every key tells the rows it
 * left (a put's value is what IndexedDB stored: the watched tables are not sealed).
 */
function record(
  req: DBCoreMutateRequest,
  table: DBCoreTable,
  dbName: string,
): ((res: { numFailures: number }) => void) | null {
  const trans = req.trans as unknown as EventTarget & object;
  let pending = pendingOf.get(trans);
  if (!pending) {
    const fresh: Pending = new Map();
    pending = fresh;
    pendingOf.set(trans, fresh);
    // After the commit only: an aborted transaction changed nothing.
    trans.addEventListener('complete', () => {
      announceRowChanges(
        dbName,
        [...fresh].map(([name, held]) =>
          held === 'all'
            ? { table: name, ids: 'all' }
            : { table: name, ids: [...held.ids], written: held.written },
        ),
      );
    });
  }
  const name = table.name;
  const held = pending.get(name);
  if (held === 'all') return null;
  let keys: unknown[] | null = null;
  if (req.type === 'delete') keys = req.keys;
  else if (req.type === 'add' || req.type === 'put') {
    const extract = table.schema.primaryKey.extractKey;
    keys = req.keys ?? (extract ? req.values.map((v) => extract(v)) : null);
  }
  if (keys === null) {
    pending.set(name, 'all'); // deleteRange (a clear), or keys Dexie does not tell
    return null;
  }
  const changes = held ?? { ids: new Set<string>(), written: new Map<string, object | null>() };
  pending.set(name, changes);
  const { ids, written } = changes;
  // Until this request succeeds, what it leaves is not known (an earlier put's value is stale).
  for (const k of keys) {
    if (typeof k !== 'string') continue;
    ids.add(k);
    written.delete(k);
  }
  if (req.type === 'add') return null; // an add may fail on one key and not the others
  const type = req.type;
  const values = req.type === 'put' ? req.values : null;
  const named = keys;
  return (res) => {
    if (res.numFailures > 0) return;
    named.forEach((k, i) => {
      if (typeof k !== 'string') return;
      const value = type === 'delete' ? null : values?.[i];
      if (value === null || (typeof value === 'object' && value !== undefined)) {
        written.set(k, value as object | null);
      }
    });
  };
}

/** The middleware (installed on every EscaleDb by its constructor). */
export function rowChangesMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'escale-row-changes',
    create(down: DBCore): Partial<DBCore> {
      const dbName = down.schema.name;
      return {
        ...down,
        table(name: string) {
          const table = down.table(name);
          if (!WATCHED_TABLES.has(name)) return table;
          return {
            ...table,
            mutate(req: DBCoreMutateRequest) {
              const done = record(req, table, dbName);
              const result = table.mutate(req);
              if (!done) return result;
              return result.then((res) => {
                done(res);
                return res;
              });
            },
          };
        },
      };
    },
  };
}
