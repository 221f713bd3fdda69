// Relay mode: the same server, started with an upstream, replicates with central whenever it can
// reach it. It forwards the ops of its log central has not had from it (not those that came from
// central), and brings back central's ops after its checkpoint; both checkpoints are kept in the
// store, so a cut resumes where it stopped. Pushes are idempotent, so a device reaching central
// directly as well is harmless.

import type { ServerProof } from '../domain/closure';
import { SCHEMA_VERSION } from '../domain/entities';
import { PROTOCOL_VERSION, type SyncResponse, syncResponseSchema } from '../sync/protocol';
import type { SyncStore } from './store/types';

export interface RelayOptions {
  store: SyncStore;
  upstream: string;
  /** This relay's id as a client of central (no ':'). */
  relayId: string;
  /** Organisations to replicate; empty: those it holds, or else those central lists. */
  orgs?: string[];
  intervalMs?: number;
  pageBytes?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Called when ops from central were stored here (to poke local devices). */
  onPulled?: (org: string, lastSeq: number) => void;
}

export interface RelayStatus {
  upstream: string;
  lastSuccess: number | null;
  lastError: string | null;
  reachable: boolean;
}

const pushedKey = (org: string) => `upstream:pushed:${org}`;
const pulledKey = (org: string) => `upstream:pulled:${org}`;

export class Relay {
  readonly status: RelayStatus;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RelayOptions) {
    this.status = {
      upstream: options.upstream,
      lastSuccess: null,
      lastError: null,
      reachable: false,
    };
    this.fetchImpl = options.fetch ?? fetch;
  }

  start(): void {
    this.stopped = false;
    void this.syncNow();
    this.timer = setInterval(() => void this.syncNow(), this.options.intervalMs ?? 5000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs one replication pass (or queues another after the current one). */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * For a sync receipt asked of the relay: forwards everything first, then asks central for its
   * proof of the day. Throws (French message) when central cannot be reached.
   */
  async centralProof(org: string, stopId: string): Promise<ServerProof> {
    await this.syncNow();
    if (!this.status.reachable) {
      throw new Error(this.status.lastError ?? 'Central injoignable.');
    }
    const res = await this.request('/api/receipt', { org, stopId });
    return (await res.json()) as ServerProof;
  }

  private async orgs(): Promise<string[]> {
    if (this.options.orgs?.length) return this.options.orgs;
    const held = await this.options.store.orgs();
    if (held.length) return held;
    const res = await this.request('/api/orgs');
    return ((await res.json()) as { orgs: { id: string }[] }).orgs.map((o) => o.id);
  }

  private async request(path: string, body?: unknown): Promise<Response> {
    const res = await this.fetchImpl(new URL(path, this.options.upstream), {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new Error(`central a répondu ${res.status} ${text.slice(0, 200)}`);
    }
    return res;
  }

  private async pass(): Promise<void> {
    try {
      for (const org of await this.orgs()) await this.replicate(org);
      this.status.lastSuccess = Date.now();
      this.status.lastError = null;
      this.status.reachable = true;
    } catch (error) {
      this.status.reachable = false;
      this.status.lastError = `Central injoignable : ${(error as Error).message}`;
    }
  }

  private async replicate(org: string): Promise<void> {
    const { store } = this.options;
    const pageBytes = this.options.pageBytes ?? 256 * 1024;
    for (let round = 0; round < 10_000 && !this.stopped; round++) {
      const pushed = Number((await store.getMeta(pushedKey(org))) ?? 0);
      const pulled = Number((await store.getMeta(pulledKey(org))) ?? 0);
      const out = await store.toForward(org, pushed, pageBytes);
      const res = await this.request('/api/sync', {
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        deviceId: this.options.relayId,
        org,
        since: pulled,
        ops: out.ops,
        maxBytes: pageBytes,
      });
      const reply: SyncResponse = syncResponseSchema.parse(await res.json());
      if (reply.ops.length) {
        const stored = await store.push(
          org,
          reply.ops.map((x) => x.op),
          { fromUpstream: true },
        );
        if (stored.stored > 0) this.options.onPulled?.(org, stored.lastSeq);
      }
      // Checkpoints move only after central answered and its ops are stored here.
      await store.setMeta(pushedKey(org), String(out.upTo));
      await store.setMeta(pulledKey(org), String(reply.lastSeq));
      const more = reply.hasMore || out.upTo < (await store.lastSeq(org));
      if (!more) return;
    }
  }
}
