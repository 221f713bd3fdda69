// Relay mode: the same server, started with an upstream and the relay's own credential (it is
// enrolled like a device, with the profile `relay`), replicates its organisation with central
// whenever it can reach it. Each pass first brings home the organisation's device credentials and
// password hashes, so devices enrolled at central are recognised on the truck with no coverage. It forwards the ops of its log central has not had from it (not those that came from
// central), and brings back central's ops after its checkpoint; both checkpoints are kept in the
// store, so a cut resumes where it stopped. Pushes are idempotent, so a device reaching central
// directly as well is harmless.

import { randomBytes } from 'node:crypto';
import type { Viewer } from '../domain/access';
import type { ServerProof } from '../domain/closure';
import { SCHEMA_VERSION } from '../domain/entities';
import type { PersonSession } from '../domain/sessions';
import { encodeOps, readAnswer } from '../sync/envelope';
import { isTimeout, MIN_PAGE_BYTES, nextPageBytes } from '../sync/page-size';
import {
  COMPACT_PROTOCOL_VERSION,
  MAX_ASKED_DEVICES,
  PROTOCOL_VERSION,
  type SyncResponse,
  syncResponseSchema,
} from '../sync/protocol';
import type { Horizon } from '../sync/prune';
import type { Accounts, DeviceCredential, StaffPassword } from './auth';
import {
  ANSWER_STREAM_HEADER,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  STREAM_OFFER_HEADER,
  StreamDecoder,
  StreamEncoder,
} from './body-stream';
import { adoptUpstreamHorizon, upstreamEpochKey } from './horizon';
import { heardReports, importClosings } from './routes/closure';
import { upstreamGapsKey } from './routes/sync';
import type { SyncStore } from './store/types';
import { upstreamBody } from './upstream-body';

export interface RelayOptions {
  store: SyncStore;
  upstream: string;
  /** This relay's device id at central (no ':'). */
  relayId: string;
  /** The organisation it serves (its credential's). */
  org: string;
  /** Its bearer token at central. */
  token: string;
  /** Where the credentials brought from central are kept (the relay's own server's accounts). */
  accounts: Accounts;
  /** Safety-net pass, whatever the long poll says (default 5 min). */
  intervalMs?: number;
  pageBytes?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** How long central holds a wait on the long-lived channel (default 50 s); 0: no long poll,
   * passes at `intervalMs` only (central too old to know the channel falls back to it too). */
  holdMs?: number;
  /** Backoff while central is out of reach: base, doubled per failure, capped, with jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Waits `ms` (injectable: tests and the simulation run it without the wall clock); resolves
   * early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Called when ops from central were stored here (to poke local devices). */
  onPulled?: (org: string, lastSeq: number) => void;
  /** Called when central said how far it holds devices' ops (their durable point may move). */
  onDurable?: (org: string) => void;
  /** Wall clock (ms), injectable for tests and the simulation. */
  now?: () => number;
  /** How long a local write waits for others before its pass (`syncSoon`; default 0: at once). */
  coalesceMs?: number;
}

/** What the relay program waits after a device's push before forwarding it (RELAY_COALESCE_MS):
 * the truck's devices push in bursts (several rooms at a patient's call), and each pass costs the
 * 4G link a request and its headers; the devices read each other through the relay meanwhile. */
export const RELAY_COALESCE_MS = 2_000;

export interface RelayStatus {
  upstream: string;
  lastSuccess: number | null;
  lastError: string | null;
  reachable: boolean;
}

/** A context's id: 72 random bits (a relay's own contexts only need to differ from each other;
 * 12 characters, not a UUID's 32, as it crosses the link in every request's headers). */
const contextId = () => randomBytes(9).toString('base64url');

type AnswerChannel = 'sync' | 'wait';
/** The requests whose answers may come in a context: sync pages and the long poll. */
const answerChannel = (path: string): AnswerChannel | null => {
  const p = path.split('?')[0];
  return p === '/api/sync' ? 'sync' : p === '/api/relay/wait' ? 'wait' : null;
};
/** The most an answer in context may decode to (central's pages are ≤ 512 kB of ops). */
const ANSWER_LIMIT = 64 * 1024 * 1024;

/** Bytes of ops per request to central unless configured (RelayOptions.pageBytes). */
const DEFAULT_PAGE_BYTES = 256 * 1024;

const pushedKey = (org: string) => `upstream:pushed:${org}`;
const pulledKey = (org: string) => `upstream:pulled:${org}`;
/** After central lost ops: forward again the ops that came from it, up to this sequence. */
const refillKey = (org: string) => `upstream:refill:${org}`;

/** The `code` of an error answer, if it has one. */
async function codeOf(res: Response): Promise<string | null> {
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === 'string' ? body.error : null;
}

export class Relay {
  readonly status: RelayStatus;
  private timer: NodeJS.Timeout | null = null;
  private soon: { timer: NodeJS.Timeout; done: Promise<void>; cancel: () => void } | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly fetchImpl: typeof fetch;
  /** Central's credentials version (routes/relay-wait.ts) when they were last brought; null:
   * never brought in this process, or known stale (a device unknown here). */
  private credentialsVersion: string | null = null;
  private credentialsAt = 0;
  /** The version central last announced on the long poll. */
  private announced: string | null = null;
  /** Consecutive failures to reach central, and when the next attempt may be made. */
  private failures = 0;
  private retryAt = 0;
  private readonly aborts = new AbortController();
  private watching: Promise<void> | null = null;
  /** Central said (RFC 7694 Accept-Encoding) that it reads brotli bodies. */
  private upstreamReadsBrotli = false;
  /** Central said it reads the compact envelope (protocol 3). */
  private upstreamCompact = false;
  /** Central said (its sync answers) that it reads sync bodies in a compression context kept
   * across requests (decision 0031); the context, while every request in it succeeds. */
  private upstreamStreams = false;
  private stream: StreamEncoder | null = null;
  /** Central said it answers in a context the relay offers (decision 0031); the contexts held,
   * one per channel (sync answers, the long poll's), while every answer in them was read whole. */
  private upstreamAnswers = false;
  private readonly answerContexts = new Map<AnswerChannel, StreamDecoder>();
  private credentialsAsked: Promise<boolean> | null = null;
  private readonly now: () => number;
  /** Bytes of ops per request to central: halved after a timeout, doubled back after a page
   * answered in time (src/sync/page-size.ts). */
  private pageBytes: number;
  /** Central's last announced horizon whose `seq` the checkpoint had not reached yet, with its
   * epoch: adopted at a later page (central's may have moved on by then). */
  private announcedHorizon: { horizon: Horizon; epoch: string } | null = null;

  /** The page size the next request to central will use. */
  get currentPageBytes(): number {
    return this.pageBytes;
  }

  get relayId(): string {
    return this.options.relayId;
  }

  constructor(private readonly options: RelayOptions) {
    this.status = {
      upstream: options.upstream,
      lastSuccess: null,
      lastError: null,
      reachable: false,
    };
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.pageBytes = options.pageBytes ?? DEFAULT_PAGE_BYTES;
  }

  private get pageBounds() {
    return { max: this.options.pageBytes ?? DEFAULT_PAGE_BYTES, min: MIN_PAGE_BYTES };
  }

  start(): void {
    this.stopped = false;
    void this.syncNow();
    this.timer = setInterval(() => void this.syncNow(), this.options.intervalMs ?? 300_000);
    if ((this.options.holdMs ?? 50_000) > 0) this.watching = this.watch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.soon) {
      clearTimeout(this.soon.timer);
      this.soon.cancel();
    }
    this.soon = null;
    this.aborts.abort();
    await this.watching;
    await this.running;
    this.dropStream();
  }

  /** The delay before the next attempt after `failures` consecutive failures. */
  backoffMs(failures: number): number {
    const base = this.options.backoffBaseMs ?? 2_000;
    const cap = this.options.backoffCapMs ?? 300_000;
    const raw = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
    // Jitter in [raw/2, raw]: trucks that lose the same mast do not come back all at once.
    return Math.round(raw / 2 + (raw / 2) * (this.options.random ?? Math.random)());
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.aborts.signal;
    if (this.options.sleep) return this.options.sleep(ms, signal);
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /**
   * The long-lived channel (docs/protocol.md, The relay's link): waits on central until its log
   * moves or its credentials change, then runs a pass; after a failure waits the backoff first.
   * Local writes do not wait for it: they start a pass themselves (`onStored` → syncSoon).
   */
  private async watch(): Promise<void> {
    while (!this.stopped) {
      if (this.failures > 0) await this.sleep(Math.max(0, this.retryAt - this.now()));
      if (this.stopped) return;
      const ok = await this.watchOnce();
      if (ok === 'unsupported') return; // an older central: the interval's passes only
    }
  }

  /**
   * One wait on central's long poll and the pass it calls for: `moved` when central's log or
   * credentials moved (a pass ran), `quiet` when the wait ended with nothing new, `down` when
   * central could not be reached (the backoff grows), `unsupported` for a central without it.
   */
  async watchOnce(): Promise<'moved' | 'quiet' | 'down' | 'unsupported'> {
    const org = this.options.org;
    const hold = this.options.holdMs ?? 50_000;
    try {
      const after = Number((await this.options.store.getMeta(pulledKey(org))) ?? 0);
      const params = new URLSearchParams({
        after: String(after),
        credentials: this.credentialsVersion ?? '',
        holdMs: String(hold),
      });
      const res = await this.send(`/api/relay/wait?${params}`, undefined, {
        timeoutMs: hold + (this.options.timeoutMs ?? 15_000),
      });
      if (res.status === 404) return 'unsupported';
      if (!res.ok) throw new Error(`central a répondu ${res.status}`);
      const body = (await res.json()) as { lastSeq: number; credentials: string };
      const wasDown = this.failures > 0;
      this.failures = 0;
      this.announced = body.credentials;
      await this.running; // a pass under way may already bring what moved
      const pulled = Number((await this.options.store.getMeta(pulledKey(org))) ?? 0);
      if (wasDown || body.lastSeq > pulled || body.credentials !== this.credentialsVersion) {
        await this.syncNow();
        return 'moved';
      }
      return 'quiet';
    } catch (error) {
      if (this.stopped) return 'quiet';
      this.noteFailure(error);
      return 'down';
    }
  }

  private noteFailure(error: unknown): void {
    this.failures += 1;
    this.retryAt = this.now() + this.backoffMs(this.failures);
    this.status.reachable = false;
    this.status.lastError = `Central injoignable : ${(error as Error).message}`;
  }

  /**
   * Runs one replication pass (or queues another after the current one). While central is out
   * of reach, passes wait for the backoff (local writes and the interval would otherwise try
   * the dead link again and again); `force` tries at once (a receipt asked by a device).
   */
  syncNow(force = false): Promise<void> {
    if (force) this.retryAt = 0;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        if (this.failures > 0 && this.now() < this.retryAt) break;
        await this.pass();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * A pass after a local write, `coalesceMs` later: writes stored meanwhile go in the same pass
   * (one request to central instead of one per push). The delay runs from the first of them, so
   * a write never waits longer than `coalesceMs` for its pass, however busy the truck.
   */
  syncSoon(): Promise<void> {
    const wait = this.options.coalesceMs ?? 0;
    if (wait <= 0 || this.stopped) return this.syncNow();
    if (this.soon) return this.soon.done;
    let fire!: () => void;
    let cancel!: () => void;
    const done = new Promise<void>((resolve) => {
      fire = () => {
        this.soon = null;
        void this.syncNow().then(resolve, resolve);
      };
      cancel = resolve;
    });
    this.soon = { timer: setTimeout(fire, wait), done, cancel };
    return done;
  }

  /**
   * For a sync receipt asked of the relay: forwards everything first, then asks central for its
   * proof of the day. Throws (French message) when central cannot be reached.
   */
  async centralProof(
    org: string,
    stopId: string,
    viewer: Viewer,
    deviceId?: string,
    hz?: string,
  ): Promise<ServerProof> {
    await this.syncNow(true);
    if (!this.status.reachable) {
      throw new Error(this.status.lastError ?? 'Central injoignable.');
    }
    // The device the proof is for: central cuts a room's view by who reads on it.
    const res = await this.request('/api/receipt', {
      org,
      stopId,
      viewer: { profile: viewer.profile, roomId: viewer.roomId, ...(deviceId ? { deviceId } : {}) },
      // The device's horizon (decision 0027): central proves the day in the comparable form there.
      ...(hz ? { hz } : {}),
    });
    return (await res.json()) as ServerProof;
  }

  /** Passes a device's request (enrolment, codes, passwords) to central, answer included. */
  async forward(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await this.send(path, body);
    return { status: res.status, body: await res.json().catch(() => ({})) };
  }

  private dropStream(): void {
    this.stream?.close();
    this.stream = null;
    for (const channel of [...this.answerContexts.keys()]) this.dropAnswers(channel);
  }

  private dropAnswers(channel: AnswerChannel): void {
    this.answerContexts.get(channel)?.close();
    this.answerContexts.delete(channel);
  }

  /** The offer of an answer in context for `path` (a new context if none is held), if any. */
  private answerOffer(path: string): Record<string, string> {
    const channel = answerChannel(path);
    if (!channel || !this.upstreamAnswers) return {};
    let held = this.answerContexts.get(channel);
    if (!held) {
      held = new StreamDecoder(contextId());
      this.answerContexts.set(channel, held);
    }
    return { [ANSWER_STREAM_HEADER]: held.offer };
  }

  /**
   * `res` with its body decoded when central answered in the context offered; otherwise as it
   * came, the context dropped (central answered without it: a new one is offered next). An
   * answer not read whole (a cut, a timeout) or out of order throws and drops it too: central,
   * which moved on, then answers the next offer without a context — never a wrong decode.
   */
  private async readAnswer(path: string, res: Response): Promise<Response> {
    const channel = answerChannel(path);
    const held = channel ? this.answerContexts.get(channel) : undefined;
    if (!channel || !held) return res;
    if (res.headers.get('content-type') !== STREAM_BODY_TYPE) {
      this.dropAnswers(channel);
      return res;
    }
    try {
      const bytes = Buffer.from(await res.arrayBuffer());
      const body = await held.read(res.headers.get(STREAM_HEADER), bytes, ANSWER_LIMIT);
      const headers = new Headers(res.headers);
      headers.set('content-type', 'application/json');
      headers.delete(STREAM_HEADER);
      return new Response(new Uint8Array(body), { status: res.status, headers });
    } catch (error) {
      this.dropAnswers(channel);
      throw error;
    }
  }

  /**
   * A sync body as the next piece of the context (a new one if none is held). Any doubt about
   * what central decoded — a failure, an answer not read, a refusal — drops the context: the
   * next body starts a new one, and a 409 `stream_context_lost` is sent again at once without.
   */
  private async sendInStream(path: string, json: string): Promise<Response> {
    this.stream ??= new StreamEncoder(contextId());
    const piece = await this.stream.piece(json);
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(path, this.options.upstream), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'accept-encoding': 'br, gzip',
          'content-type': STREAM_BODY_TYPE,
          [STREAM_HEADER]: piece.header,
          ...this.answerOffer(path),
        },
        body: new Uint8Array(piece.bytes),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
      res = await this.readAnswer(path, res);
    } catch (error) {
      this.dropStream();
      throw error;
    }
    if (!res.ok) {
      this.dropStream();
      const code = res.status === 409 ? await codeOf(res.clone()) : null;
      if (code === 'stream_context_lost' || res.status === 415) {
        // Central restarted, or another central: once without a context, and not again
        // until an answer offers it anew.
        this.upstreamStreams = false;
        this.upstreamAnswers = false;
        return this.send(path, JSON.parse(json) as unknown, { stream: false });
      }
    }
    return res;
  }

  private async send(
    path: string,
    body?: unknown,
    extra: { timeoutMs?: number; headers?: Record<string, string>; stream?: boolean } = {},
  ): Promise<Response> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    if (extra.stream && json !== undefined && this.upstreamStreams) {
      const res = await this.sendInStream(path, json);
      this.noteOffers(res);
      return res;
    }
    // Compressed once central said it reads compressed bodies (its answers' Accept-Encoding).
    const upstream = upstreamBody(json, this.upstreamReadsBrotli);
    const offer = this.answerOffer(path);
    const channel = answerChannel(path);
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(path, this.options.upstream), {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'accept-encoding': 'br, gzip',
          ...upstream.headers,
          ...offer,
          ...extra.headers,
        },
        body: upstream.body,
        signal: AbortSignal.timeout(extra.timeoutMs ?? this.options.timeoutMs ?? 15_000),
      });
      res = await this.readAnswer(path, res);
    } catch (error) {
      if (channel) this.dropAnswers(channel);
      throw error;
    }
    this.noteOffers(res);
    return res;
  }

  /** What central's answer says it reads (RFC 7694 Accept-Encoding; the context offer). */
  private noteOffers(res: Response): void {
    if (/\bbr\b/.test(res.headers.get('accept-encoding') ?? '')) this.upstreamReadsBrotli = true;
    if (res.headers.get(STREAM_OFFER_HEADER) === 'br') this.upstreamStreams = true;
    if (res.headers.get(ANSWER_STREAM_HEADER) === 'br') this.upstreamAnswers = true;
  }

  private async request(path: string, body?: unknown, stream = false): Promise<Response> {
    const res = await this.send(path, body, { stream });
    if (!res.ok) {
      // A central replaced by an older one does not read the compact form: list form again
      // until an answer says 3 (a bad op is refused in either form, so nothing is lost by it).
      if (res.status === 400) this.upstreamCompact = false;
      const text = await res.text().catch(() => '');
      throw new Error(`central a répondu ${res.status} ${text.slice(0, 200)}`);
    }
    return res;
  }

  private async pass(): Promise<void> {
    try {
      // Credentials only when central announced another version than the one held (or none
      // is held yet): not on every pass (docs/decisions/0016-the-wire.md).
      const stale =
        this.credentialsVersion === null ||
        (this.announced === null
          ? // No long poll (central too old, or passes driven from outside): every 30 s.
            this.now() - this.credentialsAt >= 30_000
          : this.announced !== this.credentialsVersion);
      if (stale) {
        await this.bringCredentials(this.options.org);
      }
      // Sessions recorded here first: central then accepts the ops they cover (decision 0006).
      await this.handOverSessions(this.options.org);
      await this.replicate(this.options.org);
      await this.forwardReports(this.options.org);
      this.status.lastSuccess = this.now();
      this.status.lastError = null;
      this.status.reachable = true;
      this.failures = 0;
    } catch (error) {
      this.noteFailure(error);
    }
  }

  /**
   * Brings central's credentials now (a device unknown here may have just been enrolled); one
   * request at a time, never fails (no coverage: the cache stays as it is). Resolves with
   * whether central's list was brought, so an unknown device is told « not yet » rather than
   * « enrol again » when central could not be asked.
   */
  refreshCredentials(): Promise<boolean> {
    if (this.credentialsAsked) return this.credentialsAsked;
    this.credentialsAsked = this.bringCredentials(this.options.org)
      .then(() => true)
      .catch(() => false)
      .finally(() => {
        this.credentialsAsked = null;
      });
    return this.credentialsAsked;
  }

  private async bringCredentials(org: string): Promise<void> {
    // The version is taken before the lists: a change between the two brings them again.
    const version = this.announced;
    const res = await this.request('/api/relay/credentials');
    const body = (await res.json()) as {
      credentials: DeviceCredential[];
      passwords: StaffPassword[];
    };
    await this.options.accounts.importFromCentral(org, body.credentials, body.passwords);
    await this.bringSessions(org);
    this.credentialsVersion = version ?? '';
    this.credentialsAt = this.now();
  }

  /** Reports already passed on: device → its report's time here. */
  private readonly reported = new Map<string, number>();

  /**
   * Passes on to central the status reports devices sent here since the last pass (after the
   * ops: a report of nothing pending is true at central only once the ops are there), so
   * central can judge the closure of devices that only reach the relay (docs/protocol.md).
   */
  private async forwardReports(org: string): Promise<void> {
    const fresh = [...(await heardReports(this.options.store, org))].filter(
      ([dev, r]) => this.reported.get(dev) !== r.lastSyncAt,
    );
    if (fresh.length === 0) return;
    await this.request('/api/relay/reports', {
      org,
      reports: fresh.map(([deviceId, r]) => ({
        deviceId,
        report: {
          pending: r.pending,
          appVersion: r.appVersion,
          profile: r.profile,
          lastError: r.lastError,
          lastSyncAt: r.lastSyncAt,
          ...(r.day ? { day: r.day } : {}),
          // After the ops (replicate ran first); central records it only once it holds them.
          ...(r.sent ? { sent: r.sent } : {}),
        },
      })),
    });
    for (const [dev, r] of fresh) this.reported.set(dev, r.lastSyncAt);
  }

  // ---- person sessions (docs/decisions/0006-person-sessions.md) ----

  /** Central's sessions of the organisation: people signed in there are recognised here. */
  private async bringSessions(org: string): Promise<void> {
    const res = await this.request('/api/relay/sessions');
    const body = (await res.json()) as { sessions: PersonSession[] };
    await this.options.accounts.importSessions(org, body.sessions);
  }

  /** Sessions opened, renewed or ended here go to central before the ops they cover. */
  private async handOverSessions(org: string): Promise<void> {
    const marks = await this.options.accounts.sessionsToHandOver(org);
    if (marks.length === 0) return;
    await this.request('/api/relay/sessions', {
      sessions: marks.map((m) => JSON.parse(m.value) as PersonSession),
    });
    await this.options.accounts.handedOver(marks);
  }

  /** One page to central. Its answer time sets the next page's size (src/sync/page-size.ts): a
   * sync request is the only one whose size the relay chooses. */
  private async pageRequest(pageBytes: number, body: unknown): Promise<Response> {
    const deadlineMs = this.options.timeoutMs ?? 15_000;
    const started = performance.now();
    try {
      const res = await this.request('/api/sync', body, true);
      const elapsedMs = performance.now() - started;
      this.pageBytes = nextPageBytes(
        pageBytes,
        { kind: 'answered', elapsedMs, deadlineMs },
        this.pageBounds,
      );
      return res;
    } catch (error) {
      if (isTimeout(error)) {
        this.pageBytes = nextPageBytes(pageBytes, { kind: 'timeout' }, this.pageBounds);
      }
      throw error;
    }
  }

  /**
   * Central's horizon, adopted once this relay's checkpoint from central reaches its `seq` (its
   * log then holds every op ≤ it) and announced to its devices with its own log's head then
   * (src/server/horizon.ts, decision 0027). Its ops and the checkpoint are stored first.
   */
  private async adoptHorizon(
    org: string,
    epoch: string,
    pulled: number,
    announced: Horizon | undefined,
  ): Promise<void> {
    const earlier = this.announcedHorizon?.epoch === epoch ? [this.announcedHorizon.horizon] : [];
    const candidates = announced ? [...earlier, announced] : earlier;
    const held = await adoptUpstreamHorizon(this.options.store, org, candidates, pulled, epoch);
    // The newest announced horizon not reached yet waits for a later page.
    const waiting = candidates
      .filter((h) => h.seq > pulled && (held === null || h.hlc > held.hlc))
      .sort((a, b) => (a.hlc < b.hlc ? 1 : -1))[0];
    this.announcedHorizon = waiting ? { horizon: waiting, epoch } : null;
  }

  private async replicate(org: string): Promise<void> {
    const { store } = this.options;
    for (let round = 0; round < 10_000 && !this.stopped; round++) {
      const pushed = Number((await store.getMeta(pushedKey(org))) ?? 0);
      const pulled = Number((await store.getMeta(pulledKey(org))) ?? 0);
      const refill = Number((await store.getMeta(refillKey(org))) ?? 0);
      const epoch = await store.getMeta(upstreamEpochKey(org));
      const pageBytes = this.pageBytes;
      const out = await store.toForward(org, pushed, pageBytes, refill);
      // Devices whose ops this relay acknowledged beyond what central last said it holds.
      const upstream = await store.upstreamHeld(org);
      const ask = (await store.devices(org))
        .filter((d) => (upstream.get(d.dev) ?? 0) < d.seq)
        .map((d) => d.dev)
        .slice(0, MAX_ASKED_DEVICES);
      // A floor goes on to central only when this relay lacks ops below it (reinstalled empty):
      // those it holds, it forwards itself.
      const passOn = Object.fromEntries((await store.gaps(org)).map((g) => [g.dev, g.to]));
      // Ops this relay refused and set apart, central does not count yet: passed on, so the
      // device's later ops become contiguous (hence durable) at central as well.
      const refused = (await store.quarantined(org))
        .filter((q) => q.seq > (upstream.get(q.dev) ?? 0))
        .slice(0, 200)
        .map((q) => ({
          dev: q.dev,
          seq: q.seq,
          op: q.op,
          code: q.code,
          reason: q.reason,
          via: q.via,
        }));
      // Compact (protocol 3) once central said it reads it: its first answer says so.
      const res = await this.pageRequest(pageBytes, {
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        deviceId: this.options.relayId,
        org,
        since: pulled,
        ...(epoch ? { epoch } : {}),
        ops: this.upstreamCompact ? encodeOps(out.ops) : out.ops,
        ask,
        ...(Object.keys(passOn).length ? { floors: passOn } : {}),
        ...(refused.length ? { quarantined: refused } : {}),
        maxBytes: pageBytes,
      });
      const reply: SyncResponse = syncResponseSchema.parse(readAnswer(await res.json()));
      if ((reply.protocol ?? 0) >= COMPACT_PROTOCOL_VERSION) this.upstreamCompact = true;
      // Central's closures reach the truck's devices through this relay's answers.
      if (reply.closing && (await importClosings(store, org, reply.closing))) {
        this.options.onPulled?.(org, await store.lastSeq(org));
      }
      // Ops of this log central refused after it held them (decision 0033): taken out of its
      // log and rows, set apart with central's reason; the devices are poked to take them back.
      if (reply.refused?.length) {
        const taken = await store.retract(
          org,
          reply.refused.map((r) => ({
            dev: r.dev,
            seq: r.seq,
            code: r.code,
            reason: r.message,
            via: 'central',
          })),
        );
        if (taken.length > 0) this.options.onPulled?.(org, await store.lastSeq(org));
      }
      if (reply.ops.length) {
        const stored = await store.push(
          org,
          reply.ops.map((x) => x.op),
          { fromUpstream: true },
        );
        if (stored.stored > 0) this.options.onPulled?.(org, stored.lastSeq);
      }
      // Central lost ops it had from this relay (restored from a backup): a new epoch, a
      // checkpoint beyond its log, or a device held less than it said before. Everything this
      // relay holds goes to central again, what came from central included.
      const lost =
        reply.reset === true ||
        Object.entries(reply.held ?? {}).some(([dev, n]) => n < (upstream.get(dev) ?? 0));
      if (reply.held) await store.setUpstreamHeld(org, reply.held);
      // What central lacks of devices' ops below their floors: passed on to them (`missing`).
      if (reply.gaps) await store.setMeta(upstreamGapsKey(org), JSON.stringify(reply.gaps));
      if (lost) {
        await store.setMeta(pushedKey(org), '0');
        await store.setMeta(refillKey(org), String(await store.lastSeq(org)));
      } else {
        // Checkpoints move only after central answered and its ops are stored here.
        await store.setMeta(pushedKey(org), String(out.upTo));
      }
      await store.setMeta(pulledKey(org), String(reply.lastSeq));
      if (reply.epoch) await store.setMeta(upstreamEpochKey(org), reply.epoch);
      if (reply.epoch) await this.adoptHorizon(org, reply.epoch, reply.lastSeq, reply.horizon);
      const advanced = Object.entries(reply.held ?? {}).some(
        ([dev, n]) => n > (upstream.get(dev) ?? 0),
      );
      if (advanced) this.options.onDurable?.(org);
      const more = lost || reply.hasMore || out.upTo < (await store.lastSeq(org));
      if (!more) return;
    }
  }
}

/** What a relay keeps of its enrolment at central. */
export interface RelayCredential {
  org: string;
  token: string;
  relayId: string;
}

/**
 * Enrols this relay at central with a code of profile `relay` from the coordination. Throws a
 * French message when central refuses the code or cannot be reached.
 */
export async function enrolRelay(
  upstream: string,
  code: string,
  relayId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<RelayCredential> {
  const res = await fetchImpl(new URL('/api/enrol', upstream), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, deviceId: relayId }),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(String(body.message ?? `central a répondu ${res.status}`));
  if (body.profile !== 'relay') {
    throw new Error('Ce code n’est pas un code de relais : demandez un code « Relais du camion ».');
  }
  return { org: String(body.org), token: String(body.token), relayId };
}
