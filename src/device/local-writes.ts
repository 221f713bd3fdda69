// "Something was written locally": the sync leader listens to push soon after each write
// (docs/design.md §8: the page drives sync). Writes in another tab reach the leader through a
// BroadcastChannel when the browser has one.

type Listener = (dbName: string) => void;

const listeners = new Set<Listener>();
/** Identifies this JS context, so its own broadcasts (already delivered locally) are ignored. */
const context = Math.random().toString(36).slice(2);
const channels = new Map<string, BroadcastChannel>();

function channelName(dbName: string): string {
  return `escale-local-write:${dbName}`;
}

function channelFor(dbName: string): BroadcastChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  let ch = channels.get(dbName);
  if (!ch) {
    ch = new BroadcastChannel(channelName(dbName));
    // Node keeps the process alive for an open channel; browsers ignore unref.
    (ch as { unref?: () => void }).unref?.();
    channels.set(dbName, ch);
  }
  return ch;
}

/** Called by the write path after a local write committed. */
export function notifyLocalWrite(dbName: string): void {
  for (const l of listeners) l(dbName);
  channelFor(dbName)?.postMessage({ from: context });
}

/** Listen to local writes on database `dbName`, in this tab and in the others. */
export function onLocalWrite(dbName: string, listener: () => void): () => void {
  const local: Listener = (name) => {
    if (name === dbName) listener();
  };
  listeners.add(local);
  let remote: BroadcastChannel | null = null;
  if (typeof BroadcastChannel !== 'undefined') {
    remote = new BroadcastChannel(channelName(dbName));
    (remote as { unref?: () => void }).unref?.();
    remote.onmessage = (ev: MessageEvent<{ from?: string }>) => {
      if (ev.data?.from !== context) listener();
    };
  }
  return () => {
    listeners.delete(local);
    remote?.close();
  };
}
